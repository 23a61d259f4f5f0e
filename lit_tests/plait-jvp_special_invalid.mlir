// RUN: plait-opt %s --plait-jvp --split-input-file --verify-diagnostics

// Operands of special functions with no derivative (as in jax): the error is at the op a
// tangent reaches, naming the operand.

func.func @zeta_in_x(%x: tensor<4xf32>, %q: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %q, %t) {callee = @f, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>, %q: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.zeta' is not differentiable in operand 0 (as jax.lax.zeta; plait.scipy.special.zeta has one)}}
  %0 = "plait.zeta"(%x, %q) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @betainc_in_b(%a: tensor<4xf32>, %b: tensor<4xf32>, %x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%a, %b, %x, %t) {callee = @g, diff_args = array<i64: 1>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @g(%a: tensor<4xf32>, %b: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.regularized_incomplete_beta' is not differentiable in operand 1 (as in jax)}}
  %0 = "plait.regularized_incomplete_beta"(%a, %b, %x) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
