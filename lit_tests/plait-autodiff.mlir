// RUN: plait-opt %s --split-input-file --plait-autodiff | filecheck %s
// RUN: plait-opt %s --split-input-file --plait-autodiff | filecheck %s --check-prefix=NONE

// plait-autodiff runs plait-jvp, plait-linearize and plait-transpose to a fixpoint, innermost
// first: no jvp, vjp or linear_transpose op is left, and derivatives of derivatives work
// because each expansion's output is plain plait ops.

// NONE-NOT: "plait.{{(jvp|vjp|linear_transpose)}}"

// A vjp becomes the forward call and a call of the transposed linear function.
// CHECK-LABEL: @unary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:2 = call @sin_fwd(%[[X]])
// CHECK-NEXT: %[[DX:.*]] = call @sin_lin_T(%[[F]]#1, %[[CT]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[F]]#0, %[[DX]]
func.func @unary(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @sin, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @sin(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @sin_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[Y:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-NEXT: return %[[Y]], %[[C]]

// CHECK-LABEL: func.func private @sin_lin_T
// CHECK-SAME: (%[[C:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[DX:.*]] = "plait.mul"(%[[CT]], %[[C]])
// CHECK-NEXT: return %[[DX]]

// -----

// CHECK-LABEL: @binary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:3 = call @mul_fwd(%[[X]], %[[Y]])
// CHECK-NEXT: %[[D:.*]]:2 = call @mul_lin_T(%[[F]]#1, %[[F]]#2, %[[CT]])
// CHECK-NEXT: return %[[F]]#0, %[[D]]#0, %[[D]]#1
func.func @binary(%x: tensor<4xf32>, %y: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:3 = "plait.vjp"(%x, %y, %ct) {callee = @mul, diff_args = array<i64: 0, 1>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %0#2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

func.func private @mul(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// The residuals are y then x: ct_x = ct * y, ct_y = x * ct.
// CHECK-LABEL: func.func private @mul_lin_T
// CHECK-SAME: (%[[Y:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-DAG: %[[DX:.*]] = "plait.mul"(%[[CT]], %[[Y]])
// CHECK-DAG: %[[DY:.*]] = "plait.mul"(%[[X]], %[[CT]])
// CHECK: return %[[DX]], %[[DY]]

// -----

// CHECK-LABEL: @dot
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[CT:.*]]: tensor<2x4xf32>)
// CHECK-NEXT: %[[F:.*]]:2 = call @matmul_fwd(%[[A]], %[[B]])
// CHECK-NEXT: %[[DA:.*]] = call @matmul_lin_T(%[[F]]#1, %[[CT]]) : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[F]]#0, %[[DA]]
func.func @dot(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %ct: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>) {
  %0:2 = "plait.vjp"(%a, %b, %ct) {callee = @matmul, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>)
  return %0#0, %0#1 : tensor<2x4xf32>, tensor<2x3xf32>
}

func.func private @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// ct_a = ct · bᵀ: one dot_general contracting the 4s.
// CHECK-LABEL: func.func private @matmul_lin_T
// CHECK-SAME: (%[[B:.*]]: tensor<3x4xf32>, %[[CT:.*]]: tensor<2x4xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[CT]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 1>}
// CHECK-NEXT: return %[[D]]

// -----

// The residuals @exp_sin_fwd returns (cos x, exp(sin x)) are what @exp_sin_lin_T takes: the
// backward pass recomputes nothing.
// CHECK-LABEL: @residuals
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:3 = call @exp_sin_fwd(%[[X]])
// CHECK-NEXT: %[[DX:.*]] = call @exp_sin_lin_T(%[[F]]#1, %[[F]]#2, %[[CT]])
// CHECK-NEXT: return %[[F]]#0, %[[DX]]
func.func @residuals(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @exp_sin, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @exp_sin(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @exp_sin_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[S:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-DAG: %[[E:.*]] = "plait.exp"(%[[S]])
// CHECK-NEXT: return %[[E]], %[[C]], %[[E]]

// ct_x = (ct * exp(sin x)) * cos x
// CHECK-LABEL: func.func private @exp_sin_lin_T
// CHECK-SAME: (%[[C:.*]]: tensor<4xf32>, %[[E:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[A:.*]] = "plait.mul"(%[[CT]], %[[E]])
// CHECK-NEXT: %[[B:.*]] = "plait.mul"(%[[A]], %[[C]])
// CHECK-NEXT: return %[[B]]

// -----

// y is differentiated but unused: its cotangent is a zero constant, and x's has no add of it.
// CHECK-LABEL: @symbolic_zeros
// CHECK: call @first_lin_T
func.func @symbolic_zeros(%x: tensor<4xf32>, %y: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:3 = "plait.vjp"(%x, %y, %ct) {callee = @first, diff_args = array<i64: 0, 1>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %0#2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

func.func private @first(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @first_lin_T
// CHECK-SAME: (%[[C:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NOT: plait.add
// CHECK-DAG: %[[DX:.*]] = "plait.mul"(%[[CT]], %[[C]])
// CHECK-DAG: %[[DY:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<4xf32>}
// CHECK-NEXT: return %[[DX]], %[[DY]]

// -----

// vjp of vjp: the inner vjp expands (linearize, transpose), then the outer one differentiates
// the result. grad_sin(x, ct) = ct * cos x, so its x-cotangent is (ct * ct2) * -sin x.
// CHECK-LABEL: @vjp_of_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[CT:.*]]: tensor<f32>, %[[CT2:.*]]: tensor<f32>)
// CHECK-NEXT: %[[F:.*]]:3 = call @grad_sin_fwd(%[[X]], %[[CT]])
// CHECK-NEXT: %[[DX:.*]] = call @grad_sin_lin_T(%[[F]]#1, %[[F]]#2, %[[CT2]])
// CHECK-NEXT: return %[[F]]#0, %[[DX]]
func.func @vjp_of_vjp(%x: tensor<f32>, %ct: tensor<f32>, %ct2: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "plait.vjp"(%x, %ct, %ct2) {callee = @grad_sin, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<f32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func private @grad_sin
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[CT:.*]]: tensor<f32>)
// CHECK-NEXT: %[[F:.*]]:2 = call @sin_fwd(%[[X]])
// CHECK-NEXT: %[[DX:.*]] = call @sin_lin_T(%[[F]]#1, %[[CT]])
// CHECK-NEXT: return %[[DX]]
func.func private @grad_sin(%x: tensor<f32>, %ct: tensor<f32>) -> tensor<f32> {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @sin, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#1 : tensor<f32>
}

func.func private @sin(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.sin"(%x) : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// @grad_sin_fwd returns ct * cos x, then only the residuals the backward uses: -sin x and ct
// (cos x feeds the output's tangent, which this vjp does not keep).
// CHECK-LABEL: func.func private @grad_sin_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[CT:.*]]: tensor<f32>)
// CHECK: %[[NS:.*]] = "plait.neg"
// CHECK-NEXT: %[[OUT:.*]] = "plait.mul"(%[[CT]], %{{.*}})
// CHECK-NEXT: return %[[OUT]], %[[NS]], %[[CT]]

// CHECK-LABEL: func.func private @grad_sin_lin_T
// CHECK-SAME: (%[[NS:.*]]: tensor<f32>, %[[CT:.*]]: tensor<f32>, %[[CT2:.*]]: tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[A:.*]] = "plait.mul"(%[[CT]], %[[CT2]])
// CHECK-NEXT: %[[B:.*]] = "plait.mul"(%[[A]], %[[NS]])
// CHECK-NEXT: return %[[B]]

// -----

// jvp of a gradient (forward over reverse): the inner vjp expands into calls, whose JVPs the
// outer jvp then generates. d/dx cos x = -sin x.
// CHECK-LABEL: @jvp_of_grad
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK-NEXT: %[[R:.*]]:2 = call @grad_sin_jvp(%[[X]], %[[T]])
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
func.func @jvp_of_grad(%x: tensor<f32>, %t: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @grad_sin, diff_args = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

func.func private @grad_sin(%x: tensor<f32>) -> tensor<f32> {
  %one = "plait.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %0:2 = "plait.vjp"(%x, %one) {callee = @sin, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#1 : tensor<f32>
}

func.func private @sin(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.sin"(%x) : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func private @grad_sin_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK-DAG: %[[ONE:.*]] = "plait.constant"()
// CHECK-DAG: %[[F:.*]]:4 = call @sin_fwd_jvp(%[[X]], %[[T]])
// CHECK-DAG: %[[G:.*]]:2 = call @sin_lin_T_jvp(%[[F]]#1, %[[ONE]], %[[F]]#3)
// CHECK-NEXT: return %[[G]]#0, %[[G]]#1

// CHECK-LABEL: func.func private @sin_fwd_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK: %[[NS:.*]] = "plait.neg"
// CHECK-NEXT: %[[DC:.*]] = "plait.mul"(%[[T]], %[[NS]])
// CHECK-NEXT: return %{{.*}}, %{{.*}}, %{{.*}}, %[[DC]]
