// RUN: plait-opt %s --split-input-file --plait-batch | filecheck %s

// Batching the convolution and window ops: a batched lhs folds into the convolution's batch
// dimension, a batched kernel into its output features (reshapes around one convolution);
// a window op gets a unit window along the batch dimension; a cumulative op shifts its axis.

func.func @conv_lhs(%arg0: tensor<3x2x2x2xf32>, %arg1: tensor<5x1x2x4x4xf32>) -> tensor<5x1x3x2x4xf32> {
  %0 = "plait.vmap"(%arg1, %arg0) {axis_name = "", axis_size = 5 : i64, callee = @conv_lhs_f, in_axes = array<i64: 0, -1>, out_axes = array<i64: 0>} : (tensor<5x1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<5x1x3x2x4xf32>
  return %0 : tensor<5x1x3x2x4xf32>
}
func.func private @conv_lhs_f(%arg0: tensor<1x2x4x4xf32>, %arg1: tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32> {
  %0 = "plait.conv_general_dilated"(%arg0, %arg1) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 2, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32>
  return %0 : tensor<1x3x2x4xf32>
}

// CHECK-LABEL: func.func private @conv_lhs_f_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<5x1x2x4x4xf32>, %[[W:.*]]: tensor<3x2x2x2xf32>)
// CHECK-NEXT: %[[XB:.*]] = "plait.reshape"(%[[X]]) {new_sizes = array<i64: 5, 2, 4, 4>}
// CHECK-NEXT: %[[Y:.*]] = "plait.conv_general_dilated"(%[[XB]], %[[W]]) {{.*}} : (tensor<5x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<5x3x2x4xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.reshape"(%[[Y]]) {new_sizes = array<i64: 5, 1, 3, 2, 4>}
// CHECK-NEXT: return %[[R]]

// -----

func.func @conv_rhs(%arg0: tensor<1x2x4x4xf32>, %arg1: tensor<5x3x2x2x2xf32>) -> tensor<5x1x3x2x4xf32> {
  %0 = "plait.vmap"(%arg1, %arg0) {axis_name = "", axis_size = 5 : i64, callee = @conv_rhs_f, in_axes = array<i64: 0, -1>, out_axes = array<i64: 0>} : (tensor<5x3x2x2x2xf32>, tensor<1x2x4x4xf32>) -> tensor<5x1x3x2x4xf32>
  return %0 : tensor<5x1x3x2x4xf32>
}
func.func private @conv_rhs_f(%arg0: tensor<3x2x2x2xf32>, %arg1: tensor<1x2x4x4xf32>) -> tensor<1x3x2x4xf32> {
  %0 = "plait.conv_general_dilated"(%arg1, %arg0) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 2, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32>
  return %0 : tensor<1x3x2x4xf32>
}

// CHECK-LABEL: func.func private @conv_rhs_f_vmap
// CHECK-SAME: (%[[W:.*]]: tensor<5x3x2x2x2xf32>, %[[X:.*]]: tensor<1x2x4x4xf32>) -> tensor<1x5x3x2x4xf32>
// CHECK-NEXT: %[[WB:.*]] = "plait.reshape"(%[[W]]) {new_sizes = array<i64: 15, 2, 2, 2>}
// CHECK-NEXT: %[[Y:.*]] = "plait.conv_general_dilated"(%[[X]], %[[WB]]) {{.*}} -> tensor<1x15x2x4xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.reshape"(%[[Y]]) {new_sizes = array<i64: 1, 5, 3, 2, 4>}
// CHECK-NEXT: return %[[R]]

// -----

func.func @max_pool(%arg0: tensor<3x5x4xf32>) -> tensor<5x3x2xf32> {
  %0 = "plait.vmap"(%arg0) {axis_name = "", axis_size = 5 : i64, callee = @max_pool_f, in_axes = array<i64: 1>, out_axes = array<i64: 0>} : (tensor<3x5x4xf32>) -> tensor<5x3x2xf32>
  return %0 : tensor<5x3x2xf32>
}
func.func private @max_pool_f(%arg0: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %0 = "plait.reduce_window_max"(%arg0) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK-LABEL: func.func private @max_pool_f_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<3x5x4xf32>) -> tensor<3x5x2xf32>
// CHECK-NEXT: %[[Y:.*]] = "plait.reduce_window_max"(%[[X]]) {base_dilation = array<i64: 1, 1, 1>, padding_high = array<i64: 0, 0, 0>, padding_low = array<i64: 0, 0, 0>, window_dilation = array<i64: 1, 1, 1>, window_dimensions = array<i64: 1, 1, 2>, window_strides = array<i64: 1, 1, 2>}
// CHECK-NEXT: return %[[Y]]

// -----

func.func @cummax(%arg0: tensor<5x4xf32>) -> tensor<5x4xf32> {
  %0 = "plait.vmap"(%arg0) {axis_name = "", axis_size = 5 : i64, callee = @cummax_f, in_axes = array<i64: 0>, out_axes = array<i64: 0>} : (tensor<5x4xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}
func.func private @cummax_f(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.cummax"(%arg0) {axis = 0 : i64, reverse = false} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}


// CHECK-LABEL: func.func private @cummax_f_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<5x4xf32>)
// CHECK-NEXT: %[[Y:.*]] = "plait.cummax"(%[[X]]) {axis = 1 : i64, reverse = false}
// CHECK-NEXT: return %[[Y]]
