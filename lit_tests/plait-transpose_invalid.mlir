// RUN: plait-opt %s --plait-transpose --split-input-file --verify-diagnostics

// @lin is not linear in t: sin has no transpose rule. The error is at the offending op.
func.func @not_linear(%ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @lin, linear_args = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @lin(%t: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.sin' is not linear (no transpose rule) but depends on a linear input}}
  %0 = "plait.sin"(%t) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// mul has a transpose rule, but t * t is not linear in t.
func.func @product_of_linears(%ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @lin, linear_args = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @lin(%t: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{cannot transpose 'plait.mul': plait.mul of two linear values is not linear}}
  %0 = "plait.mul"(%t, %t) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The operands are the constant arguments, then one cotangent per result of @lin.
func.func @cotangent_types(%c: tensor<4xf32>, %ct: tensor<f32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.linear_transpose' operand types (tensor<4xf32>, tensor<f32>) do not match @lin: expected (tensor<4xf32>, tensor<4xf32>)}}
  %0 = "plait.linear_transpose"(%c, %ct) {callee = @lin, linear_args = array<i64: 1>} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @lin(%c: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%c, %t) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
