// RUN: plait-opt %s --plait-lower-to-stablehlo --split-input-file --verify-diagnostics

// Transformation ops are valid plait IR but have no StableHLO form: the passes that expand
// them must run first.

func.func private @square(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.mul"(%x, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @leftover_jvp(%x: tensor<f32>, %t: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{'plait.jvp' has no lowering to StableHLO (expand transformations first)}}
  %0:2 = "plait.jvp"(%x, %t) {callee = @square, diff_args = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#1 : tensor<f32>
}

// -----

func.func private @square(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.mul"(%x, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @leftover_vmap(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error@+1 {{'plait.vmap' has no lowering to StableHLO (expand transformations first)}}
  %0 = "plait.vmap"(%x) {callee = @square, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = "i"} : (tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// A custom-rule call is a transformation op too: plait-expand turns it into a plain call.
func.func private @square(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.mul"(%x, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func private @square_jvp(%x: tensor<f32>, %t: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0 = "plait.mul"(%x, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0, %t : tensor<f32>, tensor<f32>
}

func.func @leftover_custom_jvp_call(%x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{'plait.custom_jvp_call' has no lowering to StableHLO (expand transformations first)}}
  %0 = "plait.custom_jvp_call"(%x) {callee = @square, jvp = @square_jvp} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A collective names a mesh axis: outside any shard_map (and any vmap, which would have
// batched it away) there is no axis to reduce over.
func.func @psum_outside_shard_map(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.psum' over axis 'i' is outside any shard_map over that axis (and no vmap bound it)}}
  %0 = "plait.psum"(%x) {axis_name = "i"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
