// RUN: plait-opt %s --split-input-file --plait-jvp | filecheck %s

// JVPs of the convolution and window ops: a convolution is linear in each operand (one
// convolution per tangent, summed), a max pool's tangent is select_and_gather_add at the
// windows' maxima, and a cumulative product's is a prefix scan over (primal, tangent) pairs
// (log2 n doubling steps of the product rule).

func.func @conv(%arg0: tensor<1x2x4x4xf32>, %arg1: tensor<3x2x2x2xf32>, %arg2: tensor<1x2x4x4xf32>, %arg3: tensor<3x2x2x2xf32>) -> (tensor<1x3x2x4xf32>, tensor<1x3x2x4xf32>) {
  %0:2 = "plait.jvp"(%arg0, %arg1, %arg2, %arg3) {callee = @conv_f, diff_args = array<i64: 0, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>, tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> (tensor<1x3x2x4xf32>, tensor<1x3x2x4xf32>)
  return %0#0, %0#1 : tensor<1x3x2x4xf32>, tensor<1x3x2x4xf32>
}
func.func private @conv_f(%arg0: tensor<1x2x4x4xf32>, %arg1: tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32> {
  %0 = "plait.conv_general_dilated"(%arg0, %arg1) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 2, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32>
  return %0 : tensor<1x3x2x4xf32>
}

// CHECK-LABEL: func.func private @conv_f_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>, %[[W:.*]]: tensor<3x2x2x2xf32>, %[[TX:.*]]: tensor<1x2x4x4xf32>, %[[TW:.*]]: tensor<3x2x2x2xf32>)
// CHECK-NEXT: %[[Y:.*]] = "plait.conv_general_dilated"(%[[X]], %[[W]]) {{.*}}padding_high = array<i64: 0, 1>, padding_low = array<i64: 1, 0>{{.*}}window_strides = array<i64: 2, 1>
// CHECK-NEXT: %[[A:.*]] = "plait.conv_general_dilated"(%[[TX]], %[[W]])
// CHECK-NEXT: %[[B:.*]] = "plait.conv_general_dilated"(%[[X]], %[[TW]])
// CHECK-NEXT: %[[T:.*]] = "plait.add"(%[[A]], %[[B]])
// CHECK-NEXT: return %[[Y]], %[[T]]

// -----

func.func @max_pool(%arg0: tensor<3x4xf32>, %arg1: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %0:2 = "plait.jvp"(%arg0, %arg1) {callee = @max_pool_f, diff_args = array<i64: 0>} : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>)
  return %0#0, %0#1 : tensor<3x2xf32>, tensor<3x2xf32>
}
func.func private @max_pool_f(%arg0: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %0 = "plait.reduce_window_max"(%arg0) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK-LABEL: func.func private @max_pool_f_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[T:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[Y:.*]] = "plait.reduce_window_max"(%[[X]])
// CHECK-NEXT: %[[DY:.*]] = "plait.select_and_gather_add"(%[[T]], %[[X]]) {{{.*}}direction = "GE"{{.*}}window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[Y]], %[[DY]]

// -----

func.func @cumprod(%arg0: tensor<3x4xf32>, %arg1: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %0:2 = "plait.jvp"(%arg0, %arg1) {callee = @cumprod_f, diff_args = array<i64: 0>} : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>)
  return %0#0, %0#1 : tensor<3x4xf32>, tensor<3x4xf32>
}
func.func private @cumprod_f(%arg0: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = "plait.cumprod"(%arg0) {axis = 1 : i64, reverse = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}


// Two doubling steps over an axis of 4: neighbours at distance 1, then 2.
// CHECK-LABEL: func.func private @cumprod_f_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[T:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[Y:.*]] = "plait.cumprod"(%[[X]]) {axis = 1 : i64, reverse = false}
// CHECK: "plait.mul"{{.*}} -> tensor<3x3xf32>
// CHECK: "plait.concatenate"{{.*}}(tensor<3x1xf32>, tensor<3x3xf32>) -> tensor<3x4xf32>
// CHECK: "plait.mul"{{.*}} -> tensor<3x2xf32>
// CHECK: "plait.concatenate"{{.*}}(tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x4xf32>
// CHECK: %[[DY:.*]] = "plait.concatenate"{{.*}}(tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]], %[[DY]]
