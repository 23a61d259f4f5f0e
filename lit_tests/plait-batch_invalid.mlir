// RUN: plait-opt %s --plait-batch --split-input-file --verify-diagnostics

// in_axes needs one entry per argument of @f (it has one).
func.func @in_axes_length(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error@+1 {{plait.vmap: in_axes/out_axes need one entry per argument/result}}
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 0, 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A rank-1 argument can be mapped over axis 0 or 1 of the operand, not 2.
func.func @in_axis_range(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error@+1 {{plait.vmap: axis 2 out of range for tensor<4xf32>}}
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 2>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

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

func.func @no_such_callee(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error@+1 {{'plait.vmap' refers to @nope, which is not a function of this module}}
  %0 = "plait.vmap"(%x) {callee = @nope, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}
