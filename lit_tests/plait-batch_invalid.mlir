// RUN: plait-opt %s --plait-batch --split-input-file --verify-diagnostics

// Each case is valid IR (plait-verify accepts it) that plait-batch cannot expand; malformed
// vmap ops are plait-verify's (plait-verify_invalid.mlir).

// out_axes -1 promises an unbatched result, but sin(x) depends on the mapped x.
func.func @batched_output_unmapped(%x: tensor<8x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{vmap output 0 depends on the mapped axis, but its out_axes is None; give it an integer out_axes}}
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 0>, out_axes = array<i64: -1>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Batching a recursive function would generate batched functions without end.
func.func @recursive(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// expected-error@+1 {{@f calls itself; a recursive function cannot be batched}}
func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @f(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// @f is only declared: there is no body to batch. The error is at the declaration.
func.func @declared_callee(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// expected-error@+1 {{@f has no body to transform (it is only declared)}}
func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32>

// -----

// A custom_lin has no batching rule: the error is at the op a batched value reaches.
func.func @custom_lin(%r: tensor<4xf32>, %t: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%r, %t) {callee = @lin, in_axes = array<i64: -1, 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @lin(%r: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.custom_lin' has no batching rule}}
  %0 = "plait.custom_lin"(%r, %t) {callee = @bwd, num_res = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @bwd(%r: tensor<4xf32>, %ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%r, %ct) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
