// RUN: plait-opt %s --plait-lower-to-stablehlo | filecheck %s

// Sharding ops become Shardy: plait.sharding_constraint → sdy.sharding_constraint, and
// plait.shard_map → sdy.manual_computation over every mesh axis. Collectives inside a shard_map
// become StableHLO collectives whose replica groups list the logical device ids (row-major
// over the mesh @mesh = ["x"=4, "y"=2]) that share all coordinates but the named axis:
// "y" → [[0,1],[2,3],[4,5],[6,7]], "x" → [[0,2,4,6],[1,3,5,7]]. A propagated `sdy.sharding`
// on a plait op stays on the op it becomes.

module {
  sdy.mesh @mesh = <["x"=4, "y"=2]>

  // CHECK-LABEL: @constraint
  // CHECK-SAME: (%[[A:.*]]: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>})
  // CHECK-NEXT: %[[C:.*]] = sdy.sharding_constraint %[[A]] <@mesh, [{}, {"y"}]> : tensor<8x4xf32>
  // CHECK-NEXT: %[[SIN:.*]] = stablehlo.sine %[[C]] {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>} : tensor<8x4xf32>
  // CHECK-NEXT: return %[[SIN]]
  // CHECK-NOT: plait.
  func.func @constraint(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}) -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"y"}]>}) {
    %0 = "plait.sharding_constraint"(%a) {sharding = #sdy.sharding<@mesh, [{}, {"y"}]>} : (tensor<8x4xf32>) -> tensor<8x4xf32>
    %1 = "plait.sin"(%0) {sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{}, {"y"}]>]>} : (tensor<8x4xf32>) -> tensor<8x4xf32>
    return %1 : tensor<8x4xf32>
  }

  // psum over "y", then over "x": one all_reduce (an add region) per axis.
  // CHECK-LABEL: @psum
  // CHECK-SAME: (%[[A:.*]]: tensor<8x4xf32>
  // CHECK-NEXT: %[[R:.*]] = sdy.manual_computation(%[[A]]) in_shardings=[<@mesh, [{"x"}, {"y"}]>] out_shardings=[<@mesh, [{}, {}]>] manual_axes={"x", "y"} (%[[B:.*]]: tensor<2x2xf32>) {
  // CHECK-NEXT: %[[Y:.*]] = "stablehlo.all_reduce"(%[[B]]) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<{{\[\[}}0, 1], [2, 3], [4, 5], [6, 7]]> : tensor<4x2xi64>, use_global_device_ids}> ({
  // CHECK-NEXT: ^bb0(%[[P:.*]]: tensor<f32>, %[[Q:.*]]: tensor<f32>):
  // CHECK-NEXT: %[[S:.*]] = stablehlo.add %[[P]], %[[Q]] : tensor<f32>
  // CHECK-NEXT: stablehlo.return %[[S]] : tensor<f32>
  // CHECK-NEXT: }) : (tensor<2x2xf32>) -> tensor<2x2xf32>
  // CHECK-NEXT: %[[X:.*]] = "stablehlo.all_reduce"(%[[Y]]) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<{{\[\[}}0, 2, 4, 6], [1, 3, 5, 7]]> : tensor<2x4xi64>, use_global_device_ids}> ({
  // CHECK: sdy.return %[[X]] : tensor<2x2xf32>
  // CHECK-NEXT: } : (tensor<8x4xf32>) -> tensor<2x2xf32>
  // CHECK-NEXT: return %[[R]] : tensor<2x2xf32>
  func.func @psum(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>}) -> tensor<2x2xf32> {
    %0 = "plait.shard_map"(%a) ({
    ^bb0(%b: tensor<2x2xf32>):
      %1 = "plait.psum"(%b) {axis_name = "y"} : (tensor<2x2xf32>) -> tensor<2x2xf32>
      %2 = "plait.psum"(%1) {axis_name = "x"} : (tensor<2x2xf32>) -> tensor<2x2xf32>
      "plait.yield"(%2) : (tensor<2x2xf32>) -> ()
    }) {in_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>, mesh_axes = #sdy.mesh<["x"=4, "y"=2]>, out_shardings = #sdy.sharding_per_value<[<@mesh, [{}, {}]>]>} : (tensor<8x4xf32>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }

  // all_gather: tiled gathers along the axis as it is; untiled first adds a unit dimension
  // at `axis` to gather into. psum_scatter: a reduce_scatter (and, untiled, a reshape that
  // drops the scattered unit dimension).
  // CHECK-LABEL: @gather_scatter
  // CHECK: manual_axes={"x", "y"} (%[[B:.*]]: tensor<2x2xf32>) {
  // CHECK-DAG: %[[G:.*]] = "stablehlo.all_gather"(%[[B]]) <{all_gather_dim = 0 : i64, channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<{{\[\[}}0, 2, 4, 6], [1, 3, 5, 7]]> : tensor<2x4xi64>, use_global_device_ids}> : (tensor<2x2xf32>) -> tensor<8x2xf32>
  // CHECK-DAG: %[[U:.*]] = stablehlo.reshape %[[B]] : (tensor<2x2xf32>) -> tensor<2x1x2xf32>
  // CHECK-DAG: %[[G2:.*]] = "stablehlo.all_gather"(%[[U]]) <{all_gather_dim = 1 : i64, channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<{{\[\[}}0, 1], [2, 3], [4, 5], [6, 7]]> : tensor<4x2xi64>, use_global_device_ids}> : (tensor<2x1x2xf32>) -> tensor<2x2x2xf32>
  // CHECK-NEXT: %[[S:.*]] = "stablehlo.reduce_scatter"(%[[G]]) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<{{\[\[}}0, 2, 4, 6], [1, 3, 5, 7]]> : tensor<2x4xi64>, scatter_dimension = 0 : i64, use_global_device_ids}> ({
  // CHECK: }) : (tensor<8x2xf32>) -> tensor<2x2xf32>
  // CHECK-NEXT: %[[S2:.*]] = "stablehlo.reduce_scatter"(%[[G2]]) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<{{\[\[}}0, 1], [2, 3], [4, 5], [6, 7]]> : tensor<4x2xi64>, scatter_dimension = 1 : i64, use_global_device_ids}> ({
  // CHECK: }) : (tensor<2x2x2xf32>) -> tensor<2x1x2xf32>
  // CHECK-NEXT: %[[S2R:.*]] = stablehlo.reshape %[[S2]] : (tensor<2x1x2xf32>) -> tensor<2x2xf32>
  // CHECK-NEXT: sdy.return %[[S]], %[[S2R]] : tensor<2x2xf32>, tensor<2x2xf32>
  func.func @gather_scatter(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>}) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
    %0:2 = "plait.shard_map"(%a) ({
    ^bb0(%b: tensor<2x2xf32>):
      %1 = "plait.all_gather"(%b) {axis = 0 : i64, axis_name = "x", axis_size = 4 : i64, tiled = true} : (tensor<2x2xf32>) -> tensor<8x2xf32>
      %2 = "plait.all_gather"(%b) {axis = 1 : i64, axis_name = "y", axis_size = 2 : i64, tiled = false} : (tensor<2x2xf32>) -> tensor<2x2x2xf32>
      %3 = "plait.psum_scatter"(%1) {axis_name = "x", axis_size = 4 : i64, scatter_dimension = 0 : i64, tiled = true} : (tensor<8x2xf32>) -> tensor<2x2xf32>
      %4 = "plait.psum_scatter"(%2) {axis_name = "y", axis_size = 2 : i64, scatter_dimension = 1 : i64, tiled = false} : (tensor<2x2x2xf32>) -> tensor<2x2xf32>
      "plait.yield"(%3, %4) : (tensor<2x2xf32>, tensor<2x2xf32>) -> ()
    }) {in_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>, mesh_axes = #sdy.mesh<["x"=4, "y"=2]>, out_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>, <@mesh, [{"x"}, {"y"}]>]>} : (tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>)
    return %0#0, %0#1 : tensor<8x4xf32>, tensor<8x4xf32>
  }

  // ppermute: the (source, target) pairs of the axis, repeated in every group of it.
  // axis_index: (partition id / stride of the axis) % its size, as int32.
  // CHECK-LABEL: @permute_index
  // CHECK: manual_axes={"x", "y"} (%[[B:.*]]: tensor<2x2xf32>) {
  // CHECK-DAG: %[[PY:.*]] = "stablehlo.collective_permute"(%[[B]]) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, source_target_pairs = dense<{{\[\[}}0, 1], [1, 0], [2, 3], [3, 2], [4, 5], [5, 4], [6, 7], [7, 6]]> : tensor<8x2xi64>}> : (tensor<2x2xf32>) -> tensor<2x2xf32>
  // CHECK-DAG: %[[PX:.*]] = "stablehlo.collective_permute"(%[[B]]) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, source_target_pairs = dense<{{\[\[}}0, 2], [2, 4], [4, 6], [6, 0], [1, 3], [3, 5], [5, 7], [7, 1]]> : tensor<8x2xi64>}> : (tensor<2x2xf32>) -> tensor<2x2xf32>
  // CHECK-DAG: %[[ID:.*]] = stablehlo.partition_id : tensor<ui32>
  // CHECK-DAG: %[[STRIDE:.*]] = stablehlo.constant dense<2> : tensor<ui32>
  // CHECK-DAG: %[[Q:.*]] = stablehlo.divide %[[ID]], %[[STRIDE]] : tensor<ui32>
  // CHECK-DAG: %[[SIZE:.*]] = stablehlo.constant dense<4> : tensor<ui32>
  // CHECK-DAG: %[[R:.*]] = stablehlo.remainder %[[Q]], %[[SIZE]] : tensor<ui32>
  // CHECK-DAG: %[[IX:.*]] = stablehlo.convert %[[R]] : (tensor<ui32>) -> tensor<i32>
  // CHECK-DAG: %[[ID2:.*]] = stablehlo.partition_id : tensor<ui32>
  // CHECK-DAG: %[[STRIDE2:.*]] = stablehlo.constant dense<1> : tensor<ui32>
  // CHECK-DAG: %[[Q2:.*]] = stablehlo.divide %[[ID2]], %[[STRIDE2]] : tensor<ui32>
  // CHECK-DAG: %[[SIZE2:.*]] = stablehlo.constant dense<2> : tensor<ui32>
  // CHECK-DAG: %[[R2:.*]] = stablehlo.remainder %[[Q2]], %[[SIZE2]] : tensor<ui32>
  // CHECK-DAG: %[[IY:.*]] = stablehlo.convert %[[R2]] : (tensor<ui32>) -> tensor<i32>
  // CHECK-NEXT: sdy.return %[[PY]], %[[PX]], %[[IX]], %[[IY]]
  func.func @permute_index(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>}) -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<i32>, tensor<i32>) {
    %0:4 = "plait.shard_map"(%a) ({
    ^bb0(%b: tensor<2x2xf32>):
      %1 = "plait.ppermute"(%b) {axis_name = "y", perm = array<i64: 0, 1, 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
      %2 = "plait.ppermute"(%b) {axis_name = "x", perm = array<i64: 0, 1, 1, 2, 2, 3, 3, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
      %3 = "plait.axis_index"() {axis_name = "x"} : () -> tensor<i32>
      %4 = "plait.axis_index"() {axis_name = "y"} : () -> tensor<i32>
      "plait.yield"(%1, %2, %3, %4) : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<i32>, tensor<i32>) -> ()
    }) {in_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>, mesh_axes = #sdy.mesh<["x"=4, "y"=2]>, out_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>, <@mesh, [{"x"}, {"y"}]>, <@mesh, []>, <@mesh, []>]>} : (tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<i32>, tensor<i32>)
    return %0#0, %0#1, %0#2, %0#3 : tensor<8x4xf32>, tensor<8x4xf32>, tensor<i32>, tensor<i32>
  }

  // pmax/pmin: an all_reduce whose region keeps the maximum/minimum. all_to_all: one
  // stablehlo.all_to_all over the axis' groups, split_count its size.
  // CHECK-LABEL: @pextreme_all_to_all
  // CHECK: manual_axes={"x", "y"} (%[[B:.*]]: tensor<2x2xf32>) {
  // CHECK-NEXT: %[[MAX:.*]] = "stablehlo.all_reduce"(%[[B]]) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<{{\[\[}}0, 1], [2, 3], [4, 5], [6, 7]]> : tensor<4x2xi64>, use_global_device_ids}> ({
  // CHECK-NEXT: ^bb0(%[[P:.*]]: tensor<f32>, %[[Q:.*]]: tensor<f32>):
  // CHECK-NEXT: %[[M:.*]] = stablehlo.maximum %[[P]], %[[Q]] : tensor<f32>
  // CHECK-NEXT: stablehlo.return %[[M]] : tensor<f32>
  // CHECK-NEXT: }) : (tensor<2x2xf32>) -> tensor<2x2xf32>
  // CHECK-NEXT: %[[MIN:.*]] = "stablehlo.all_reduce"(%[[B]]) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<{{\[\[}}0, 2, 4, 6], [1, 3, 5, 7]]> : tensor<2x4xi64>, use_global_device_ids}> ({
  // CHECK-NEXT: ^bb0(%[[R:.*]]: tensor<f32>, %[[S:.*]]: tensor<f32>):
  // CHECK-NEXT: %[[N:.*]] = stablehlo.minimum %[[R]], %[[S]] : tensor<f32>
  // CHECK: %[[A2A:.*]] = "stablehlo.all_to_all"(%[[B]]) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, concat_dimension = 0 : i64, replica_groups = dense<{{\[\[}}0, 1], [2, 3], [4, 5], [6, 7]]> : tensor<4x2xi64>, split_count = 2 : i64, split_dimension = 1 : i64}> : (tensor<2x2xf32>) -> tensor<4x1xf32>
  // CHECK-NEXT: sdy.return %[[MAX]], %[[MIN]], %[[A2A]]
  func.func @pextreme_all_to_all(%a: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>}) -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<16x2xf32>) {
    %0:3 = "plait.shard_map"(%a) ({
    ^bb0(%b: tensor<2x2xf32>):
      %1 = "plait.pmax"(%b) {axis_name = "y"} : (tensor<2x2xf32>) -> tensor<2x2xf32>
      %2 = "plait.pmin"(%b) {axis_name = "x"} : (tensor<2x2xf32>) -> tensor<2x2xf32>
      %3 = "plait.all_to_all"(%b) {axis_name = "y", axis_size = 2 : i64, concat_axis = 0 : i64, split_axis = 1 : i64} : (tensor<2x2xf32>) -> tensor<4x1xf32>
      "plait.yield"(%1, %2, %3) : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<4x1xf32>) -> ()
    }) {in_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>]>, mesh_axes = #sdy.mesh<["x"=4, "y"=2]>, out_shardings = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}]>, <@mesh, [{"x"}, {"y"}]>, <@mesh, [{"x"}, {"y"}]>]>} : (tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<16x2xf32>)
    return %0#0, %0#1, %0#2 : tensor<8x4xf32>, tensor<8x4xf32>, tensor<16x2xf32>
  }
}
