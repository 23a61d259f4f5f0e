// RUN: plait-opt %s --split-input-file --plait-batch | filecheck %s

// Batching reduce with a region body (the batch dim first, the dimensions shifted past it),
// scatter_max (the batch dim one more window dim), optimization_barrier (operands as they are,
// unbatched ones stay so), and, over the vmapped axis name, pmax (a reduce_max of the batch
// dim) and all_to_all (split axis cut into (receiver, block), receivers to the front, senders
// merged into the concat axis).

func.func @reduce(%x: tensor<2x5x3xf32>) -> tensor<5x2xf32> {
  %0 = "plait.vmap"(%x) {axis_name = "", axis_size = 5 : i64, callee = @reduce_f, in_axes = array<i64: 1>, out_axes = array<i64: 0>} : (tensor<2x5x3xf32>) -> tensor<5x2xf32>
  return %0 : tensor<5x2xf32>
}
func.func private @reduce_f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %one = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %0 = "plait.reduce"(%x, %one) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %m = "plait.mul"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%m) : (tensor<f32>) -> ()
  }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// CHECK-LABEL: func.func private @reduce_f_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x3xf32>) -> tensor<5x2xf32>
// CHECK-NEXT: %[[ONE:.*]] = "plait.constant"
// CHECK-NEXT: %[[XB:.*]] = "plait.transpose"(%[[X]]) {permutation = array<i64: 1, 0, 2>}
// CHECK-NEXT: %[[R:.*]] = "plait.reduce"(%[[XB]], %[[ONE]]) ({
// CHECK: }) {dimensions = array<i64: 2>} : (tensor<5x2x3xf32>, tensor<f32>) -> tensor<5x2xf32>
// CHECK-NEXT: return %[[R]]

// -----

func.func @scatter_max(%x: tensor<4x5xf32>, %idx: tensor<2x1xi32>, %u: tensor<4x2xf32>) -> tensor<4x5xf32> {
  %0 = "plait.vmap"(%x, %idx, %u) {axis_name = "", axis_size = 4 : i64, callee = @scatter_max_f, in_axes = array<i64: 0, -1, 0>, out_axes = array<i64: 0>} : (tensor<4x5xf32>, tensor<2x1xi32>, tensor<4x2xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
func.func private @scatter_max_f(%x: tensor<5xf32>, %idx: tensor<2x1xi32>, %u: tensor<2xf32>) -> tensor<5xf32> {
  %0 = "plait.scatter_max"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64>} : (tensor<5xf32>, tensor<2x1xi32>, tensor<2xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// CHECK-LABEL: func.func private @scatter_max_f_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<4x5xf32>, %[[I:.*]]: tensor<2x1xi32>, %[[U:.*]]: tensor<4x2xf32>)
// CHECK-NEXT: %[[R:.*]] = "plait.scatter_max"(%[[X]], %[[I]], %[[U]]) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 1>, scatter_dims_to_operand_dims = array<i64: 1>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64: 0>}
// CHECK-NEXT: return %[[R]]

// -----

func.func @optimization_barrier(%x: tensor<3x4xf32>, %i: tensor<i32>) -> (tensor<3x4xf32>, tensor<i32>) {
  %0:2 = "plait.vmap"(%x, %i) {axis_name = "", axis_size = 3 : i64, callee = @optimization_barrier_f, in_axes = array<i64: 0, -1>, out_axes = array<i64: 0, -1>} : (tensor<3x4xf32>, tensor<i32>) -> (tensor<3x4xf32>, tensor<i32>)
  return %0#0, %0#1 : tensor<3x4xf32>, tensor<i32>
}
func.func private @optimization_barrier_f(%x: tensor<4xf32>, %i: tensor<i32>) -> (tensor<4xf32>, tensor<i32>) {
  %0:2 = "plait.optimization_barrier"(%x, %i) : (tensor<4xf32>, tensor<i32>) -> (tensor<4xf32>, tensor<i32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<i32>
}

// CHECK-LABEL: func.func private @optimization_barrier_f_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<i32>) -> (tensor<3x4xf32>, tensor<i32>)
// CHECK-NEXT: %[[R:.*]]:2 = "plait.optimization_barrier"(%[[X]], %[[I]]) : (tensor<3x4xf32>, tensor<i32>) -> (tensor<3x4xf32>, tensor<i32>)
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1

// -----

func.func @pmax_all_to_all(%x: tensor<2x2x4xf32>) -> (tensor<2x2x4xf32>, tensor<2x4x2xf32>) {
  %0:2 = "plait.vmap"(%x) {axis_name = "i", axis_size = 2 : i64, callee = @pmax_all_to_all_f, in_axes = array<i64: 0>, out_axes = array<i64: 0, 0>} : (tensor<2x2x4xf32>) -> (tensor<2x2x4xf32>, tensor<2x4x2xf32>)
  return %0#0, %0#1 : tensor<2x2x4xf32>, tensor<2x4x2xf32>
}
func.func private @pmax_all_to_all_f(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<4x2xf32>) {
  %0 = "plait.pmax"(%x) {axis_name = "i"} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %1 = "plait.all_to_all"(%x) {axis_name = "i", axis_size = 2 : i64, concat_axis = 0 : i64, split_axis = 1 : i64} : (tensor<2x4xf32>) -> tensor<4x2xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<4x2xf32>
}

// CHECK-LABEL: func.func private @pmax_all_to_all_f_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<2x2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4x2xf32>)
// CHECK-NEXT: %[[M:.*]] = "plait.reduce_max"(%[[X]]) {axes = array<i64: 0>}
// CHECK-NEXT: %[[S:.*]] = "plait.reshape"(%[[X]]) {new_sizes = array<i64: 2, 2, 2, 2>}
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[S]]) {permutation = array<i64: 2, 0, 1, 3>}
// CHECK-NEXT: %[[A:.*]] = "plait.reshape"(%[[T]]) {new_sizes = array<i64: 2, 4, 2>}
// CHECK-NEXT: return %[[M]], %[[A]]
