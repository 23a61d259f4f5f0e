// RUN: plait-opt %s --split-input-file --plait-transpose | filecheck %s

// Transposes of select_n (each case's cotangent: select_n of the cotangent at that case and
// zeros elsewhere), optimization_barrier (a barrier of the cotangents), scatter_mul in its
// operand (scatter_mul of the cotangent by the same updates) and all_to_all (an all_to_all
// back: split and concat axes swapped).

func.func @select_n(%w: tensor<4xi32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:3 = "plait.linear_transpose"(%w, %ct) {callee = @select_n_lin, linear_args = array<i64: 1, 2, 3>} : (tensor<4xi32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %0#2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
func.func private @select_n_lin(%w: tensor<4xi32>, %a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.select_n"(%w, %a, %b, %c) : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @select_n_lin_T
// CHECK-SAME: (%[[W:.*]]: tensor<4xi32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[Z:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<4xf32>}
// CHECK-NEXT: %[[A:.*]] = "plait.select_n"(%[[W]], %[[CT]], %[[Z]], %[[Z]])
// CHECK-NEXT: %[[B:.*]] = "plait.select_n"(%[[W]], %[[Z]], %[[CT]], %[[Z]])
// CHECK-NEXT: %[[C:.*]] = "plait.select_n"(%[[W]], %[[Z]], %[[Z]], %[[CT]])
// CHECK-NEXT: return %[[A]], %[[B]], %[[C]]

// -----

func.func @optimization_barrier(%ct0: tensor<4xf32>, %ct1: tensor<2xf32>) -> (tensor<4xf32>, tensor<2xf32>) {
  %0:2 = "plait.linear_transpose"(%ct0, %ct1) {callee = @optimization_barrier_lin, linear_args = array<i64: 0, 1>} : (tensor<4xf32>, tensor<2xf32>) -> (tensor<4xf32>, tensor<2xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<2xf32>
}
func.func private @optimization_barrier_lin(%x: tensor<4xf32>, %y: tensor<2xf32>) -> (tensor<4xf32>, tensor<2xf32>) {
  %0:2 = "plait.optimization_barrier"(%x, %y) : (tensor<4xf32>, tensor<2xf32>) -> (tensor<4xf32>, tensor<2xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<2xf32>
}

// CHECK-LABEL: func.func private @optimization_barrier_lin_T
// CHECK-SAME: (%[[CX:.*]]: tensor<4xf32>, %[[CY:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[R:.*]]:2 = "plait.optimization_barrier"(%[[CX]], %[[CY]])
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1

// -----

func.func @scatter_mul(%idx: tensor<2x1xi32>, %u: tensor<2xf32>, %ct: tensor<5xf32>) -> tensor<5xf32> {
  %0 = "plait.linear_transpose"(%idx, %u, %ct) {callee = @scatter_mul_lin, linear_args = array<i64: 2>} : (tensor<2x1xi32>, tensor<2xf32>, tensor<5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
func.func private @scatter_mul_lin(%idx: tensor<2x1xi32>, %u: tensor<2xf32>, %t: tensor<5xf32>) -> tensor<5xf32> {
  %0 = "plait.scatter_mul"(%t, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64>} : (tensor<5xf32>, tensor<2x1xi32>, tensor<2xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// CHECK-LABEL: func.func private @scatter_mul_lin_T
// CHECK-SAME: (%[[I:.*]]: tensor<2x1xi32>, %[[U:.*]]: tensor<2xf32>, %[[CT:.*]]: tensor<5xf32>)
// CHECK-NEXT: %[[R:.*]] = "plait.scatter_mul"(%[[CT]], %[[I]], %[[U]])
// CHECK-NEXT: return %[[R]]

// -----

func.func @all_to_all(%ct: tensor<8x3xf32>) -> tensor<4x6xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @all_to_all_lin, linear_args = array<i64: 0>} : (tensor<8x3xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}
func.func private @all_to_all_lin(%x: tensor<4x6xf32>) -> tensor<8x3xf32> {
  %0 = "plait.all_to_all"(%x) {axis_name = "i", axis_size = 2 : i64, concat_axis = 0 : i64, split_axis = 1 : i64} : (tensor<4x6xf32>) -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// CHECK-LABEL: func.func private @all_to_all_lin_T
// CHECK-SAME: (%[[CT:.*]]: tensor<8x3xf32>)
// CHECK-NEXT: %[[R:.*]] = "plait.all_to_all"(%[[CT]]) {axis_name = "i", axis_size = 2 : i64, concat_axis = 1 : i64, split_axis = 0 : i64} : (tensor<8x3xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
