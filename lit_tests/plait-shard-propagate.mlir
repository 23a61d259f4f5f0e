// RUN: plait-opt %s --plait-shard-propagate | filecheck %s

// One function per propagation rule. Seeds are `sdy.sharding` on the public functions'
// arguments and results, `plait.sharding_constraint` ops and `plait.shard_map` results; every
// plait op whose results get a sharding carries it as `sdy.sharding = #sdy.sharding_per_value`,
// and every result gets an `sdy.sharding` result attribute.

module {
  sdy.mesh @mesh = <["x"=4, "y"=2]>

  // An elementwise chain inherits the argument's sharding; an unannotated operand does not
  // change it.
  // CHECK-LABEL: @elementwise_chain
  // CHECK-SAME: (%[[A:.*]]: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}, %[[B:.*]]: tensor<8x4xf32>)
  // CHECK-SAME: -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>})
  // CHECK-NEXT: %[[SIN:.*]] = "plait.sin"(%[[A]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>}
  // CHECK-NEXT: %[[ADD:.*]] = "plait.add"(%[[SIN]], %[[B]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>}
  // CHECK-NEXT: %[[EXP:.*]] = "plait.exp"(%[[ADD]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>}
  // CHECK-NEXT: return %[[EXP]]
  func.func @elementwise_chain(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}, %b: tensor<8x4xf32>) -> tensor<8x4xf32> {
    %0 = "plait.sin"(%a) : (tensor<8x4xf32>) -> tensor<8x4xf32>
    %1 = "plait.add"(%0, %b) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    %2 = "plait.exp"(%1) : (tensor<8x4xf32>) -> tensor<8x4xf32>
    return %2 : tensor<8x4xf32>
  }

  // A matmul: the lhs free dimension keeps "x", the rhs free dimension keeps "y"; the
  // contracting dimension's axes do not reach the result.
  // CHECK-LABEL: @dot_free_dims
  // CHECK-SAME: -> (tensor<8x6xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>})
  // CHECK-NEXT: %[[DOT:.*]] = "plait.dot_general"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>
  // CHECK-NEXT: return %[[DOT]]
  func.func @dot_free_dims(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}, %b: tensor<4x6xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"y"}]>}) -> tensor<8x6xf32> {
    %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x4xf32>, tensor<4x6xf32>) -> tensor<8x6xf32>
    return %0 : tensor<8x6xf32>
  }

  // A batched matmul: (batch, lhs free, rhs free); the lhs's contracting "y" is dropped.
  // CHECK-LABEL: @dot_batch_dims
  // CHECK-SAME: -> (tensor<4x8x6xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}, {}]>})
  // CHECK-NEXT: "plait.dot_general"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}, {}]>]>
  func.func @dot_batch_dims(%a: tensor<4x8x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}, {"y"}]>}, %b: tensor<4x2x6xf32>) -> tensor<4x8x6xf32> {
    %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<4x8x2xf32>, tensor<4x2x6xf32>) -> tensor<4x8x6xf32>
    return %0 : tensor<4x8x6xf32>
  }

  // The batch dimension takes the rhs's "x" (the lhs's is unsharded), so the lhs free
  // dimension, also on "x", loses it: a sharding names each mesh axis once.
  // CHECK-LABEL: @dot_axis_used_once
  // CHECK-SAME: -> (tensor<4x8x6xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}, {"y"}]>})
  // CHECK-NEXT: "plait.dot_general"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}, {"y"}]>]>
  func.func @dot_axis_used_once(%a: tensor<4x8x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"x"}, {}]>}, %b: tensor<4x2x6xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}, {"y"}]>}) -> tensor<4x8x6xf32> {
    %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<4x8x2xf32>, tensor<4x2x6xf32>) -> tensor<4x8x6xf32>
    return %0 : tensor<4x8x6xf32>
  }

  // A reduction drops the reduced dimension together with its axes.
  // CHECK-LABEL: @reduce_drops_axes
  // CHECK-SAME: -> (tensor<8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}]>}, tensor<4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"y"}]>}, tensor<f32> {sdy.sharding = #sdy.sharding<@mesh, []>})
  // CHECK-NEXT: "plait.reduce_sum"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}]>]>
  // CHECK-NEXT: "plait.reduce_max"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"y"}]>]>
  // CHECK-NEXT: "plait.reduce_sum"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, []>]>
  func.func @reduce_drops_axes(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}) -> (tensor<8xf32>, tensor<4xf32>, tensor<f32>) {
    %0 = "plait.reduce_sum"(%a) {axes = array<i64: 1>} : (tensor<8x4xf32>) -> tensor<8xf32>
    %1 = "plait.reduce_max"(%a) {axes = array<i64: 0>} : (tensor<8x4xf32>) -> tensor<4xf32>
    %2 = "plait.reduce_sum"(%a) {axes = array<i64: 0, 1>} : (tensor<8x4xf32>) -> tensor<f32>
    return %0, %1, %2 : tensor<8xf32>, tensor<4xf32>, tensor<f32>
  }

  // A transpose permutes the dimension shardings.
  // CHECK-LABEL: @transpose_permutes
  // CHECK-SAME: -> (tensor<4x2x8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"y"}, {"x"}]>})
  // CHECK-NEXT: "plait.transpose"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}, {"x"}]>]>
  func.func @transpose_permutes(%a: tensor<8x2x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}, {}]>}) -> tensor<4x2x8xf32> {
    %0 = "plait.transpose"(%a) {permutation = array<i64: 2, 1, 0>} : (tensor<8x2x4xf32>) -> tensor<4x2x8xf32>
    return %0 : tensor<4x2x8xf32>
  }

  // broadcast_in_dim moves operand dimension i to result dimension broadcast_dimensions[i];
  // the new dimensions are replicated.
  // CHECK-LABEL: @broadcast_maps_dims
  // CHECK-SAME: -> (tensor<2x8x3xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"x"}, {}]>})
  // CHECK-NEXT: "plait.broadcast_in_dim"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"x"}, {}]>]>
  func.func @broadcast_maps_dims(%a: tensor<8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}]>}) -> tensor<2x8x3xf32> {
    %0 = "plait.broadcast_in_dim"(%a) {shape = array<i64: 2, 8, 3>, broadcast_dimensions = array<i64: 1>} : (tensor<8xf32>) -> tensor<2x8x3xf32>
    return %0 : tensor<2x8x3xf32>
  }

  // Priority: a sharding_constraint beats the argument annotation it meets at the add.
  // CHECK-LABEL: @constraint_wins
  // CHECK-SAME: (%[[A:.*]]: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>})
  // CHECK-SAME: -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"y"}]>})
  // CHECK-NEXT: %[[C:.*]] = "plait.sharding_constraint"(%[[A]])
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>, sharding = #sdy.sharding<@mesh, [{}, {"y"}]>
  // CHECK-NEXT: %[[SUM:.*]] = "plait.add"(%[[A]], %[[C]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>}
  // CHECK-NEXT: return %[[SUM]]
  func.func @constraint_wins(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}) -> tensor<8x4xf32> {
    %0 = "plait.sharding_constraint"(%a) {sharding = #sdy.sharding<@mesh, [{}, {"y"}]>} : (tensor<8x4xf32>) -> tensor<8x4xf32>
    %1 = "plait.add"(%a, %0) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    return %1 : tensor<8x4xf32>
  }

  // Without a constraint, the first annotated operand wins a tie between arguments.
  // CHECK-LABEL: @first_argument_wins
  // CHECK-SAME: -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"y"}]>})
  // CHECK-NEXT: "plait.add"
  // CHECK-SAME: {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>}
  func.func @first_argument_wins(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}, %b: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"y"}]>}) -> tensor<8x4xf32> {
    %0 = "plait.add"(%b, %a) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    return %0 : tensor<8x4xf32>
  }

  // A result annotation is kept as it is and reaches the ops computing it backwards.
  // CHECK-LABEL: @result_annotation_flows_back
  // CHECK-SAME: (%[[A:.*]]: tensor<8x4xf32>)
  // CHECK-SAME: -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>})
  // CHECK-NEXT: %[[COS:.*]] = "plait.cos"(%[[A]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>}
  // CHECK-NEXT: %[[NEG:.*]] = "plait.neg"(%[[COS]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>}
  // CHECK-NEXT: return %[[NEG]]
  func.func @result_annotation_flows_back(%a: tensor<8x4xf32>) -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}) {
    %0 = "plait.cos"(%a) : (tensor<8x4xf32>) -> tensor<8x4xf32>
    %1 = "plait.neg"(%0) : (tensor<8x4xf32>) -> tensor<8x4xf32>
    return %1 : tensor<8x4xf32>
  }

  // A result nothing reaches is replicated.
  // CHECK-LABEL: @unknown_result_replicated
  // CHECK-SAME: -> (tensor<2x3xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>})
  // CHECK-NEXT: %[[C:.*]] = "plait.constant"() {value = dense<1.000000e+00> : tensor<2x3xf32>}
  // CHECK-NEXT: return %[[C]]
  func.func @unknown_result_replicated() -> tensor<2x3xf32> {
    %0 = "plait.constant"() {value = dense<1.0> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }

  // A shard_map's results are laid out as its out_shardings say, and so is what is computed
  // from them; the shard_map op itself carries no extra attribute.
  // CHECK-LABEL: @shard_map_results
  // CHECK-SAME: -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>})
  // CHECK: %[[SM:.*]] = "plait.shard_map"
  // CHECK: }) {in_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>, mesh_axes = #sdy.mesh<["x"=4, "y"=2]>, out_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  // CHECK-NEXT: %[[SIN:.*]] = "plait.sin"(%[[SM]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>}
  // CHECK-NEXT: return %[[SIN]]
  func.func @shard_map_results(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>}) -> tensor<8x4xf32> {
    %0 = "plait.shard_map"(%a) ({
    ^bb0(%b: tensor<2x4xf32>):
      %1 = "plait.neg"(%b) : (tensor<2x4xf32>) -> tensor<2x4xf32>
      "plait.yield"(%1) : (tensor<2x4xf32>) -> ()
    }) {in_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>, mesh_axes = #sdy.mesh<["x"=4, "y"=2]>, out_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>} : (tensor<8x4xf32>) -> tensor<8x4xf32>
    %2 = "plait.sin"(%0) : (tensor<8x4xf32>) -> tensor<8x4xf32>
    return %2 : tensor<8x4xf32>
  }

  // A private function is left alone (a sharded program is inlined into @main first).
  // CHECK-LABEL: func.func private @private_untouched
  // CHECK-SAME: -> tensor<8xf32>
  // CHECK-NEXT: "plait.sin"(%{{.*}}) : (tensor<8xf32>) -> tensor<8xf32>
  func.func private @private_untouched(%a: tensor<8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}]>}) -> tensor<8xf32> {
    %0 = "plait.sin"(%a) : (tensor<8xf32>) -> tensor<8xf32>
    return %0 : tensor<8xf32>
  }
}
