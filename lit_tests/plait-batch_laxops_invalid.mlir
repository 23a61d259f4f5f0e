// RUN: plait-opt %s --plait-batch --split-input-file --verify-diagnostics

// A reduce with a region body cannot be batched over its initial values (as in jax): the
// identity of its body may differ per batch member.

func.func @reduce_batched_init(%x: tensor<2x3xf32>, %init: tensor<4xf32>) -> tensor<4x2xf32> {
  %0 = "plait.vmap"(%x, %init) {axis_name = "", axis_size = 4 : i64, callee = @reduce_f, in_axes = array<i64: -1, 0>, out_axes = array<i64: 0>} : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}
func.func private @reduce_f(%x: tensor<2x3xf32>, %init: tensor<f32>) -> tensor<2xf32> {
  // expected-error@+1 {{'plait.reduce' cannot be batched over its initial values (vmap them out of the init_values argument)}}
  %0 = "plait.reduce"(%x, %init) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %m = "plait.mul"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%m) : (tensor<f32>) -> ()
  }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
