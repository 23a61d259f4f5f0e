// RUN: %roundtrip
// RUN: plait-opt %s | filecheck %s

// Valid IR for select_n, optimization_barrier, reduce_xor, reduce with a region body, the
// scatter_mul/min/max combiners and the pmax, pmin and all_to_all collectives: plait-verify
// accepts it, and it prints in generic form and parses back to the same text.

// CHECK-LABEL: @select_n
// CHECK: "plait.select_n"(%{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}) : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: "plait.select_n"(%{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
func.func @select_n(%w: tensor<4xi32>, %p: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.select_n"(%w, %a, %b, %c) : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.select_n"(%p, %a, %b) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: @optimization_barrier
// CHECK: "plait.optimization_barrier"(%{{[^ ]+}}, %{{[^ ]+}}) : (tensor<4xf32>, tensor<i32>) -> (tensor<4xf32>, tensor<i32>)
func.func @optimization_barrier(%x: tensor<4xf32>, %i: tensor<i32>) -> (tensor<4xf32>, tensor<i32>) {
  %0:2 = "plait.optimization_barrier"(%x, %i) : (tensor<4xf32>, tensor<i32>) -> (tensor<4xf32>, tensor<i32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<i32>
}

// CHECK-LABEL: @reduce_xor
// CHECK: "plait.reduce_xor"(%{{[^ ]+}}) {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2xi32>
func.func @reduce_xor(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  %0 = "plait.reduce_xor"(%x) {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// CHECK-LABEL: @reduce(
// CHECK: "plait.reduce"(%{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}) ({
// CHECK: "plait.yield"(%{{[^ ]+}}, %{{[^ ]+}}) : (tensor<f32>, tensor<i32>) -> ()
// CHECK: }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<2x3xi32>, tensor<f32>, tensor<i32>) -> (tensor<2xf32>, tensor<2xi32>)
func.func @reduce(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>, %x0: tensor<f32>, %i0: tensor<i32>) -> (tensor<2xf32>, tensor<2xi32>) {
  %0:2 = "plait.reduce"(%x, %i, %x0, %i0) ({
  ^bb0(%av: tensor<f32>, %ai: tensor<i32>, %bv: tensor<f32>, %bi: tensor<i32>):
    %p = "plait.compare"(%av, %bv) {direction = "GT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %v = "plait.select"(%p, %av, %bv) : (tensor<i1>, tensor<f32>, tensor<f32>) -> tensor<f32>
    %j = "plait.select"(%p, %ai, %bi) : (tensor<i1>, tensor<i32>, tensor<i32>) -> tensor<i32>
    "plait.yield"(%v, %j) : (tensor<f32>, tensor<i32>) -> ()
  }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<2x3xi32>, tensor<f32>, tensor<i32>) -> (tensor<2xf32>, tensor<2xi32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2xi32>
}

// CHECK-LABEL: @scatters
// CHECK: "plait.scatter_mul"(%{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64: 1>}
// CHECK: "plait.scatter_min"
// CHECK: "plait.scatter_max"(%{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}) {{{.*}}indices_are_sorted = true{{.*}}unique_indices = true
func.func @scatters(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>, %u: tensor<2x3xf32>) -> (tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>) {
  %0 = "plait.scatter_mul"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  %1 = "plait.scatter_min"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  %2 = "plait.scatter_max"(%x, %idx, %u) {index_vector_dim = 1 : i64, indices_are_sorted = true, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, unique_indices = true, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0, %1, %2 : tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>
}

// CHECK-LABEL: @collectives
// CHECK: "plait.pmax"(%{{[^ ]+}}) {axis_name = "i"} : (tensor<4x6xf32>) -> tensor<4x6xf32>
// CHECK: "plait.pmin"(%{{[^ ]+}}) {axis_name = "i"}
// CHECK: "plait.all_to_all"(%{{[^ ]+}}) {axis_name = "i", axis_size = 2 : i64, concat_axis = 0 : i64, split_axis = 1 : i64} : (tensor<4x6xf32>) -> tensor<8x3xf32>
func.func @collectives(%x: tensor<4x6xf32>) -> (tensor<4x6xf32>, tensor<4x6xf32>, tensor<8x3xf32>) {
  %0 = "plait.pmax"(%x) {axis_name = "i"} : (tensor<4x6xf32>) -> tensor<4x6xf32>
  %1 = "plait.pmin"(%x) {axis_name = "i"} : (tensor<4x6xf32>) -> tensor<4x6xf32>
  %2 = "plait.all_to_all"(%x) {axis_name = "i", axis_size = 2 : i64, concat_axis = 0 : i64, split_axis = 1 : i64} : (tensor<4x6xf32>) -> tensor<8x3xf32>
  return %0, %1, %2 : tensor<4x6xf32>, tensor<4x6xf32>, tensor<8x3xf32>
}
