// RUN: plait-opt %s --plait-jvp --split-input-file --verify-diagnostics

// A tangent must have its argument's type: @f takes tensor<4xf32>.
func.func @tangent_type(%x: tensor<4xf32>, %t: tensor<3xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{'plait.jvp' operand types (tensor<4xf32>, tensor<3xf32>) do not match @f: expected (tensor<4xf32>, tensor<4xf32>)}}
  %0:2 = "plait.jvp"(%x, %t) {callee = @f, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<3xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// One tangent per differentiated argument: @f has one argument, so no tangent for a second.
func.func @missing_tangent(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{'plait.jvp' operand types (tensor<4xf32>) do not match @f: expected (tensor<4xf32>, tensor<4xf32>)}}
  %0:2 = "plait.jvp"(%x) {callee = @f, diff_args = array<i64: 0>} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @diff_args_range(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{plait.jvp: diff_args (1,) must be distinct argument indices below 1}}
  %0:2 = "plait.jvp"(%x, %t) {callee = @f, diff_args = array<i64: 1>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @no_such_callee(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{'plait.jvp' refers to @nope, which is not a function of this module}}
  %0:2 = "plait.jvp"(%x, %t) {callee = @nope, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// geqrf has no JVP, as in jax: the error is at the op inside the differentiated function.
func.func @geqrf(%a: tensor<3x3xf32>, %t: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>) {
  %0:2 = "plait.jvp"(%a, %t) {callee = @qr, diff_args = array<i64: 0>} : (tensor<3x3xf32>, tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>)
  return %0#0, %0#1 : tensor<3x3xf32>, tensor<3x3xf32>
}

func.func private @qr(%a: tensor<3x3xf32>) -> tensor<3x3xf32> {
  // expected-error@+1 {{'plait.geqrf' is not differentiable (as in jax: differentiate lax.linalg.qr)}}
  %0:2 = "plait.geqrf"(%a) : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3xf32>)
  return %0#0 : tensor<3x3xf32>
}
