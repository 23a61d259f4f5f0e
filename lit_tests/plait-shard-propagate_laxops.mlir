// RUN: plait-opt %s --plait-shard-propagate | filecheck %s

// Sharding propagation through select_n, optimization_barrier, reduce with a region body and
// the scatter combiners.

module {
  sdy.mesh @mesh = <["x"=4, "y"=2]>

  // select_n is Elementwise: the result takes `which`'s sharding.
  // CHECK-LABEL: @select_n
  // CHECK-SAME: -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>})
  // CHECK-NEXT: "plait.select_n"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>
  func.func @select_n(%w: tensor<8x4xi32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}, %a: tensor<8x4xf32>, %b: tensor<8x4xf32>) -> tensor<8x4xf32> {
    %0 = "plait.select_n"(%w, %a, %b) : (tensor<8x4xi32>, tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    return %0 : tensor<8x4xf32>
  }

  // optimization_barrier's results share one sharding (the pass's rule for several results):
  // none when its operands' differ.
  // CHECK-LABEL: @optimization_barrier(
  // CHECK: "plait.optimization_barrier"
  // CHECK-NOT: sdy.sharding_per_value
  // CHECK: return
  func.func @optimization_barrier(%x: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}, %y: tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
    %0:2 = "plait.optimization_barrier"(%x, %y) : (tensor<8x4xf32>, tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>)
    return %0#0, %0#1 : tensor<8x4xf32>, tensor<8x4xf32>
  }

  // From the result back.
  // CHECK-LABEL: @optimization_barrier_backward
  // CHECK-NEXT: "plait.optimization_barrier"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>
  func.func @optimization_barrier_backward(%x: tensor<8x4xf32>) -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}) {
    %0 = "plait.optimization_barrier"(%x) : (tensor<8x4xf32>) -> tensor<8x4xf32>
    return %0 : tensor<8x4xf32>
  }

  // A reduce with a region body keeps the axes of the dimensions it does not reduce.
  // CHECK-LABEL: @reduce
  // CHECK-SAME: -> (tensor<8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}]>})
  // CHECK: }) {dimensions = array<i64: 1>, sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}]>]>}
  func.func @reduce(%x: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}, %x0: tensor<f32>) -> tensor<8xf32> {
    %0 = "plait.reduce"(%x, %x0) ({
    ^bb0(%a: tensor<f32>, %b: tensor<f32>):
      %m = "plait.mul"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
      "plait.yield"(%m) : (tensor<f32>) -> ()
    }) {dimensions = array<i64: 1>} : (tensor<8x4xf32>, tensor<f32>) -> tensor<8xf32>
    return %0 : tensor<8xf32>
  }

  // A scatter's result is laid out as its operand.
  // CHECK-LABEL: @scatter_max
  // CHECK-SAME: -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"y"}]>})
  // CHECK-NEXT: "plait.scatter_max"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>
  func.func @scatter_max(%x: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"y"}]>}, %idx: tensor<2x1xi32>, %u: tensor<2x4xf32>) -> tensor<8x4xf32> {
    %0 = "plait.scatter_max"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64: 1>} : (tensor<8x4xf32>, tensor<2x1xi32>, tensor<2x4xf32>) -> tensor<8x4xf32>
    return %0 : tensor<8x4xf32>
  }
}
