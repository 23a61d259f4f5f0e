// RUN: plait-opt %s --split-input-file --plait-transpose | filecheck %s

// Transposes of the convolution and window ops. A convolution's transpose w.r.t. its kernel
// is a convolution of the input with the cotangent (features and batch swapped, the strides
// as rhs dilation); w.r.t. its input, a convolution of the cotangent (dilated by the strides)
// with the spatially reversed kernel. A sum pool's is a pad (strides as interior padding)
// then a sum pool again; select_and_gather_add's is select_and_scatter_add.

func.func @conv(%w: tensor<3x2x2x2xf32>, %x: tensor<1x2x4x4xf32>, %ct: tensor<1x3x2x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) {
  %0:2 = "plait.linear_transpose"(%w, %x, %ct) {callee = @conv_lin, linear_args = array<i64: 2, 3>} : (tensor<3x2x2x2xf32>, tensor<1x2x4x4xf32>, tensor<1x3x2x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>)
  return %0#0, %0#1 : tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>
}

func.func private @conv_lin(%w: tensor<3x2x2x2xf32>, %x: tensor<1x2x4x4xf32>, %tx: tensor<1x2x4x4xf32>, %tw: tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32> {
  %0 = "plait.conv_general_dilated"(%tx, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 2, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32>
  %1 = "plait.conv_general_dilated"(%x, %tw) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 2, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32>
  %2 = "plait.add"(%0, %1) : (tensor<1x3x2x4xf32>, tensor<1x3x2x4xf32>) -> tensor<1x3x2x4xf32>
  return %2 : tensor<1x3x2x4xf32>
}

// CHECK-LABEL: func.func private @conv_lin_T
// CHECK-SAME: (%[[W:.*]]: tensor<3x2x2x2xf32>, %[[X:.*]]: tensor<1x2x4x4xf32>, %[[CT:.*]]: tensor<1x3x2x4xf32>)
// CHECK-NEXT: %[[GW:.*]] = "plait.conv_general_dilated"(%[[X]], %[[CT]]) {{{.*}}lhs_spec = array<i64: 1, 0, 2, 3>, out_spec = array<i64: 1, 0, 2, 3>, padding_high = array<i64: -1, 1>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 2, 1>, rhs_spec = array<i64: 1, 0, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<1x3x2x4xf32>) -> tensor<3x2x2x2xf32>
// CHECK-NEXT: %[[REV:.*]] = "plait.rev"(%[[W]]) {dimensions = array<i64: 2, 3>}
// CHECK-NEXT: %[[GX:.*]] = "plait.conv_general_dilated"(%[[CT]], %[[REV]]) {{{.*}}lhs_dilation = array<i64: 2, 1>{{.*}}padding_high = array<i64: 2, 0>, padding_low = array<i64: 0, 1>{{.*}}rhs_spec = array<i64: 1, 0, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<1x3x2x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: return %[[GX]], %[[GW]]

// -----

func.func @sum_pool(%ct: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @sum_pool_lin, linear_args = array<i64: 0>} : (tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

func.func private @sum_pool_lin(%t: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %0 = "plait.reduce_window_sum"(%t) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 3>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK-LABEL: func.func private @sum_pool_lin_T
// CHECK-SAME: (%[[CT:.*]]: tensor<3x2xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[Z:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<f32>}
// CHECK-NEXT: %[[P:.*]] = "plait.pad"(%[[CT]], %[[Z]]) {edge_padding_high = array<i64: 0, 1>, edge_padding_low = array<i64: 0, 2>, interior_padding = array<i64: 0, 1>} : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x6xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.reduce_window_sum"(%[[P]]) {{{.*}}window_dimensions = array<i64: 1, 3>, window_strides = array<i64: 1, 1>} : (tensor<3x6xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[R]]

// -----

func.func @max_pool(%x: tensor<3x4xf32>, %ct: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %0 = "plait.linear_transpose"(%x, %ct) {callee = @max_pool_lin, linear_args = array<i64: 1>} : (tensor<3x4xf32>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

func.func private @max_pool_lin(%x: tensor<3x4xf32>, %t: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %0 = "plait.select_and_gather_add"(%t, %x) {base_dilation = array<i64: 1, 1>, direction = "GE", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK-LABEL: func.func private @max_pool_lin_T
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[CT:.*]]: tensor<3x2xf32>)
// CHECK-NEXT: %[[R:.*]] = "plait.select_and_scatter_add"(%[[CT]], %[[X]]) {direction = "GE", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[R]]
