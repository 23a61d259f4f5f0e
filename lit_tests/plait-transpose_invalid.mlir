// RUN: plait-opt %s --plait-transpose --split-input-file --verify-diagnostics

// Each case is valid IR (plait-verify accepts it) that plait-transpose cannot expand;
// malformed linear_transpose ops are plait-verify's (plait-verify_invalid.mlir).

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

// c / t is not linear in t: div is linear only in its numerator.
func.func @linear_denominator(%c: tensor<4xf32>, %ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.linear_transpose"(%c, %ct) {callee = @lin, linear_args = array<i64: 1>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @lin(%c: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{cannot transpose 'plait.div': plait.div is not linear in its denominator}}
  %0 = "plait.div"(%c, %t) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A product of two linear matrices is not linear.
func.func @dot_of_linears(%ct: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @lin, linear_args = array<i64: 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

func.func private @lin(%t: tensor<2x2xf32>) -> tensor<2x2xf32> {
  // expected-error@+1 {{cannot transpose 'plait.dot_general': plait.dot_general of two linear values is not linear}}
  %0 = "plait.dot_general"(%t, %t) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// @lin is only declared: there is no body to transpose. The error is at the declaration.
func.func @declared_callee(%ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @lin, linear_args = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// expected-error@+1 {{@lin has no body to transform (it is only declared)}}
func.func private @lin(%t: tensor<4xf32>) -> tensor<4xf32>
