// RUN: plait-opt %s --plait-jvp --split-input-file --verify-diagnostics

// Each case is valid IR (plait-verify accepts it) that plait-jvp cannot expand; malformed
// jvp ops are plait-verify's (plait-verify_invalid.mlir).

// @f is only declared: there is no body to differentiate. The error is at the declaration.
func.func @declared_callee(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @f, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// expected-error@+1 {{@f has no body to transform (it is only declared)}}
func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32>

// -----

// A custom_lin (the linear half of a custom_vjp, known only through its transpose) has no
// JVP rule; the error is at the op the tangent reaches.
func.func @custom_lin(%r: tensor<4xf32>, %x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%r, %x, %t) {callee = @lin, diff_args = array<i64: 1>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @lin(%r: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.custom_lin' has no JVP rule}}
  %0 = "plait.custom_lin"(%r, %t) {callee = @bwd, num_res = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @bwd(%r: tensor<4xf32>, %ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%r, %ct) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
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
