// RUN: plait-opt %s --plait-lower-to-stablehlo --split-input-file --verify-diagnostics

// pmax, pmin and all_to_all over an axis no shard_map binds (and no vmap batched away) have
// no StableHLO form.

func.func @pmax_outside_shard_map(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.pmax' over axis 'i' is outside any shard_map over that axis (and no vmap bound it)}}
  %0 = "plait.pmax"(%x) {axis_name = "i"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @all_to_all_outside_shard_map(%x: tensor<4x6xf32>) -> tensor<8x3xf32> {
  // expected-error@+1 {{'plait.all_to_all' over axis 'i' is outside any shard_map over that axis (and no vmap bound it)}}
  %0 = "plait.all_to_all"(%x) {axis_name = "i", axis_size = 2 : i64, concat_axis = 0 : i64, split_axis = 1 : i64} : (tensor<4x6xf32>) -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}
