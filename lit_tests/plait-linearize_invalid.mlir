// RUN: plait-opt %s --plait-linearize --split-input-file --verify-diagnostics

// Each case is valid IR (plait-verify accepts it) that plait-linearize cannot expand;
// malformed vjp ops are plait-verify's (plait-verify_invalid.mlir).

// Partial evaluation inlines the calls of @f_jvp; a recursive @f would inline forever.
func.func @recursive(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @f, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait-inline: @f_jvp is recursive and cannot be inlined}}
  %0 = func.call @f(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// @f is only declared: there is no body to linearize. The error is at the declaration.
func.func @declared_callee(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @f, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// expected-error@+1 {{@f has no body to transform (it is only declared)}}
func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32>
