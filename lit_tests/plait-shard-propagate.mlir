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

  // A slice keeps the axes of the dimensions it takes whole and drops the sliced one's; so
  // do dynamic_slice and pad; a reshape keeps the dimensions it does not merge or split.
  // CHECK-LABEL: @slice_pad_reshape
  // CHECK-NEXT: %[[S:.*]] = "plait.slice"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>
  // CHECK-NEXT: %[[R:.*]] = "plait.reshape"(%[[S]])
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"y"}]>]>
  // CHECK-NEXT: "plait.dynamic_slice"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>
  // CHECK-NEXT: "plait.pad"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>
  func.func @slice_pad_reshape(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}, %i: tensor<i32>, %v: tensor<f32>) -> (tensor<4xf32>, tensor<2x4xf32>, tensor<8x6xf32>) {
    %0 = "plait.slice"(%a) {start_indices = array<i64: 3, 0>, limit_indices = array<i64: 4, 4>, strides = array<i64: 1, 1>} : (tensor<8x4xf32>) -> tensor<1x4xf32>
    %1 = "plait.reshape"(%0) {new_sizes = array<i64: 4>} : (tensor<1x4xf32>) -> tensor<4xf32>
    %2 = "plait.dynamic_slice"(%a, %i, %i) {slice_sizes = array<i64: 2, 4>} : (tensor<8x4xf32>, tensor<i32>, tensor<i32>) -> tensor<2x4xf32>
    %3 = "plait.pad"(%a, %v) {edge_padding_low = array<i64: 0, 1>, edge_padding_high = array<i64: 0, 1>, interior_padding = array<i64: 0, 0>} : (tensor<8x4xf32>, tensor<f32>) -> tensor<8x6xf32>
    return %1, %2, %3 : tensor<4xf32>, tensor<2x4xf32>, tensor<8x6xf32>
  }

  // A concatenate takes its first operand's sharding but for the joined dimension; the result
  // annotation of another flows back to its operands, the joined dimension replicated.
  // CHECK-LABEL: @concatenate_drops_joined_dim
  // CHECK-SAME: (%[[A:.*]]: tensor<8x4xf32> {{.*}}, %[[B:.*]]: tensor<8x4xf32>)
  // CHECK-NEXT: "plait.concatenate"(%[[A]], %[[B]])
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>
  // CHECK-NEXT: %[[N:.*]] = "plait.neg"(%[[B]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"y"}, {}]>]>}
  // CHECK-NEXT: "plait.concatenate"(%[[B]], %[[N]])
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"y"}, {"x"}]>]>
  func.func @concatenate_drops_joined_dim(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}, %b: tensor<8x4xf32>) -> (tensor<16x4xf32>, tensor<8x8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"y"}, {"x"}]>}) {
    %0 = "plait.concatenate"(%a, %b) {dimension = 0 : i64} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<16x4xf32>
    %1 = "plait.neg"(%b) : (tensor<8x4xf32>) -> tensor<8x4xf32>
    %2 = "plait.concatenate"(%b, %1) {dimension = 1 : i64} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x8xf32>
    return %0, %2 : tensor<16x4xf32>, tensor<8x8xf32>
  }

  // A gather's batch dimension takes the indices' axes and its offset dimension the
  // operand's where the slice is whole ("y"; the second gather's half slice drops it). The
  // collapsed dimension's "x" is gone, so the batch dimension may use it.
  // CHECK-LABEL: @gather_maps_dims
  // CHECK-NEXT: "plait.gather"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>
  // CHECK-NEXT: "plait.gather"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>
  func.func @gather_maps_dims(%a: tensor<16x8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}, %i: tensor<12x1xi32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}) -> (tensor<12x8xf32>, tensor<12x4xf32>) {
    %0 = "plait.gather"(%a, %i) {offset_dims = array<i64: 1>, collapsed_slice_dims = array<i64: 0>, operand_batching_dims = array<i64>, start_indices_batching_dims = array<i64>, start_index_map = array<i64: 0>, index_vector_dim = 1 : i64, slice_sizes = array<i64: 1, 8>} : (tensor<16x8xf32>, tensor<12x1xi32>) -> tensor<12x8xf32>
    %1 = "plait.gather"(%a, %i) {offset_dims = array<i64: 1>, collapsed_slice_dims = array<i64: 0>, operand_batching_dims = array<i64>, start_indices_batching_dims = array<i64>, start_index_map = array<i64: 0>, index_vector_dim = 1 : i64, slice_sizes = array<i64: 1, 4>} : (tensor<16x8xf32>, tensor<12x1xi32>) -> tensor<12x4xf32>
    return %0, %1 : tensor<12x8xf32>, tensor<12x4xf32>
  }

  // A scatter, and a dynamic_update_slice, are laid out as their operand, whatever the
  // updates' sharding.
  // CHECK-LABEL: @scatter_keeps_operand
  // CHECK-NEXT: "plait.scatter"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>
  // CHECK-NEXT: "plait.dynamic_update_slice"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>
  func.func @scatter_keeps_operand(%a: tensor<16x8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}, %i: tensor<12x1xi32>, %u: tensor<12x8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"y"}, {}]>}, %j: tensor<i32>) -> (tensor<16x8xf32>, tensor<16x8xf32>) {
    %0 = "plait.scatter"(%a, %i, %u) {mode = "add", update_window_dims = array<i64: 1>, inserted_window_dims = array<i64: 0>, input_batching_dims = array<i64>, scatter_indices_batching_dims = array<i64>, scatter_dims_to_operand_dims = array<i64: 0>, index_vector_dim = 1 : i64} : (tensor<16x8xf32>, tensor<12x1xi32>, tensor<12x8xf32>) -> tensor<16x8xf32>
    %1 = "plait.dynamic_update_slice"(%a, %u, %j, %j) : (tensor<16x8xf32>, tensor<12x8xf32>, tensor<i32>, tensor<i32>) -> tensor<16x8xf32>
    return %0, %1 : tensor<16x8xf32>, tensor<16x8xf32>
  }

  // A cond's branches see its operands' shardings, and its results take the yielded ones.
  // CHECK-LABEL: @cond_regions
  // CHECK: ^bb0(%[[B:.*]]: tensor<8x4xf32>):
  // CHECK-NEXT: "plait.sin"(%[[B]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>}
  // CHECK: ^bb0(%[[C:.*]]: tensor<8x4xf32>):
  // CHECK-NEXT: "plait.cos"(%[[C]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>}
  // CHECK: }) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>}
  func.func @cond_regions(%p: tensor<i32>, %a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}) -> tensor<8x4xf32> {
    %0 = "plait.cond"(%p, %a) ({
    ^bb0(%b: tensor<8x4xf32>):
      %1 = "plait.sin"(%b) : (tensor<8x4xf32>) -> tensor<8x4xf32>
      "plait.yield"(%1) : (tensor<8x4xf32>) -> ()
    }, {
    ^bb0(%c: tensor<8x4xf32>):
      %2 = "plait.cos"(%c) : (tensor<8x4xf32>) -> tensor<8x4xf32>
      "plait.yield"(%2) : (tensor<8x4xf32>) -> ()
    }) : (tensor<i32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    return %0 : tensor<8x4xf32>
  }

  // A cond's result annotation flows back into its branches and to its operand.
  // CHECK-LABEL: @cond_result_flows_in
  // CHECK-NEXT: "plait.exp"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>
  // CHECK: "plait.neg"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>
  func.func @cond_result_flows_in(%p: tensor<i32>, %a: tensor<8x4xf32>) -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"y"}]>}) {
    %e = "plait.exp"(%a) : (tensor<8x4xf32>) -> tensor<8x4xf32>
    %0 = "plait.cond"(%p, %e) ({
    ^bb0(%b: tensor<8x4xf32>):
      %1 = "plait.neg"(%b) : (tensor<8x4xf32>) -> tensor<8x4xf32>
      "plait.yield"(%1) : (tensor<8x4xf32>) -> ()
    }) : (tensor<i32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    return %0 : tensor<8x4xf32>
  }

  // A scan's body sees each xs without its scanned dimension (so "x" goes); the carry, whose
  // init nothing reaches, takes the body's sharding; ys stack it under a replicated dim 0.
  // CHECK-LABEL: @scan_regions
  // CHECK: ^bb0(%[[K:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<4xf32>):
  // CHECK-NEXT: "plait.add"(%[[K]], %[[X]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"y"}]>]>}
  // CHECK-NEXT: "plait.mul"(%[[K]], %[[X]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"y"}]>]>}
  // CHECK: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"y"}]>, <@mesh, [{}, {"y"}]>]>
  // CHECK-SAME: -> (tensor<4xf32>, tensor<8x4xf32>)
  func.func @scan_regions(%init: tensor<4xf32>, %xs: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}) -> (tensor<4xf32>, tensor<8x4xf32>) {
    %0:2 = "plait.scan"(%init, %xs) ({
    ^bb0(%k: tensor<4xf32>, %x: tensor<4xf32>):
      %1 = "plait.add"(%k, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %2 = "plait.mul"(%k, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      "plait.yield"(%1, %2) : (tensor<4xf32>, tensor<4xf32>) -> ()
    }) {num_consts = 0 : i64, num_carry = 1 : i64, length = 8 : i64, reverse = false} : (tensor<4xf32>, tensor<8x4xf32>) -> (tensor<4xf32>, tensor<8x4xf32>)
    return %0#0, %0#1 : tensor<4xf32>, tensor<8x4xf32>
  }

  // A while's regions see (consts, carry) as given; a carry result keeps its init's sharding
  // and the scalar counter is replicated.
  // CHECK-LABEL: @while_regions
  // CHECK: ^bb0(%{{.*}}: tensor<i32>, %[[V:.*]]: tensor<8x4xf32>):
  // CHECK: "plait.mul"(%[[V]], %[[V]]) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>}
  // CHECK: }) {num_consts = 0 : i64, sdy.sharding = #sdy.sharding_per_value<[<@mesh, []>, <@mesh, [{"x"}, {"y"}]>]>}
  func.func @while_regions(%n: tensor<i32>, %v: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}) -> tensor<8x4xf32> {
    %0:2 = "plait.while"(%n, %v) ({
    ^bb0(%i: tensor<i32>, %a: tensor<8x4xf32>):
      %c = "plait.constant"() {value = dense<3> : tensor<i32>} : () -> tensor<i32>
      %lt = "plait.compare"(%i, %c) {direction = "LT"} : (tensor<i32>, tensor<i32>) -> tensor<i1>
      "plait.yield"(%lt) : (tensor<i1>) -> ()
    }, {
    ^bb0(%i: tensor<i32>, %a: tensor<8x4xf32>):
      %one = "plait.constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32>
      %j = "plait.add"(%i, %one) : (tensor<i32>, tensor<i32>) -> tensor<i32>
      %sq = "plait.mul"(%a, %a) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
      "plait.yield"(%j, %sq) : (tensor<i32>, tensor<8x4xf32>) -> ()
    }) {num_consts = 0 : i64} : (tensor<i32>, tensor<8x4xf32>) -> (tensor<i32>, tensor<8x4xf32>)
    return %0#1 : tensor<8x4xf32>
  }

  // A private function is left alone (a sharded program is inlined into @main first).
  // CHECK-LABEL: func.func private @private_untouched
  // CHECK-SAME: -> tensor<8xf32>
  // CHECK-NEXT: "plait.sin"(%{{.*}}) : (tensor<8xf32>) -> tensor<8xf32>
  func.func private @private_untouched(%a: tensor<8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}]>}) -> tensor<8xf32> {
    %0 = "plait.sin"(%a) : (tensor<8xf32>) -> tensor<8xf32>
    return %0 : tensor<8xf32>
  }

  // sort: the sorted dimension is whole on every device, the others keep their sharding.
  // CHECK-LABEL: @sort_keeps_other_dims
  // CHECK-SAME: -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>})
  // CHECK-NEXT: "plait.sort"(%{{.*}}) {{.*}}sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>]>
  func.func @sort_keeps_other_dims(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}) -> tensor<8x4xf32> {
    %0 = "plait.sort"(%a) {dimension = 1 : i64, is_stable = true, num_keys = 1 : i64} : (tensor<8x4xf32>) -> tensor<8x4xf32>
    return %0 : tensor<8x4xf32>
  }

  // top_k: both results (values, indices) keep the batch dimensions' sharding.
  // CHECK-LABEL: @top_k_keeps_batch_dims
  // CHECK-SAME: -> (tensor<8x2xi32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>})
  // CHECK-NEXT: "plait.top_k"(%{{.*}}) {k = 2 : i64, sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>, <@mesh, [{"x"}, {}]>]>}
  func.func @top_k_keeps_batch_dims(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}]>}) -> tensor<8x2xi32> {
    %0:2 = "plait.top_k"(%a) {k = 2 : i64} : (tensor<8x4xf32>) -> (tensor<8x2xf32>, tensor<8x2xi32>)
    return %0#1 : tensor<8x2xi32>
  }

  // bitcast_convert to a narrower dtype: the new trailing dimension is whole.
  // CHECK-LABEL: @bitcast_to_narrower
  // CHECK-SAME: -> (tensor<8x4xui8> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>})
  func.func @bitcast_to_narrower(%a: tensor<8xui32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}]>}) -> tensor<8x4xui8> {
    %0 = "plait.bitcast_convert"(%a) {new_dtype = ui8} : (tensor<8xui32>) -> tensor<8x4xui8>
    return %0 : tensor<8x4xui8>
  }

  // threefry2x32 is elementwise: sharded counters give both words that sharding (random bits
  // drawn shard by shard, no communication).
  // CHECK-LABEL: @threefry_elementwise
  // CHECK-SAME: -> (tensor<8x4xui32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>})
  // CHECK-NEXT: "plait.threefry2x32"{{.*}}sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}]>, <@mesh, [{"x"}, {}]>]>
  func.func @threefry_elementwise(%k: tensor<8x4xui32>, %x: tensor<8x4xui32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}) -> tensor<8x4xui32> {
    %0:2 = "plait.threefry2x32"(%k, %k, %x, %x) : (tensor<8x4xui32>, tensor<8x4xui32>, tensor<8x4xui32>, tensor<8x4xui32>) -> (tensor<8x4xui32>, tensor<8x4xui32>)
    return %0#0 : tensor<8x4xui32>
  }
}
