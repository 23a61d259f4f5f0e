// RUN: plait-opt %s --split-input-file --plait-linearize | filecheck %s

// `"plait.vjp"(%args, %cts) {callee = @f, diff_args, ct_outs}` becomes a call of @f_fwd, which
// returns @f's outputs and then the residuals, and a "plait.linear_transpose" of @f_lin, which
// takes the residuals and then the tangents (plait-transpose expands it). Both halves are split
// out of @f_jvp by partial evaluation; the backward half never recomputes the forward one.

// CHECK-LABEL: @unary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:2 = call @sin_fwd(%[[X]]) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: %[[DX:.*]] = "plait.linear_transpose"(%[[F]]#1, %[[CT]]) {callee = @sin_lin, linear_args = array<i64: 1>}
// CHECK-NEXT: return %[[F]]#0, %[[DX]]
func.func @unary(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @sin, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @sin(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// cos(x) is the residual.
// CHECK-LABEL: func.func private @sin_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[Y:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-NEXT: return %[[Y]], %[[C]]

// CHECK-LABEL: func.func private @sin_lin
// CHECK-SAME: (%[[C:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[DY:.*]] = "plait.mul"(%[[T]], %[[C]])
// CHECK-NEXT: return %[[DY]]

// -----

// Both operands of a product are differentiated: each is the other's residual.
// CHECK-LABEL: @binary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:3 = call @mul_fwd(%[[X]], %[[Y]])
// CHECK-NEXT: %[[D:.*]]:2 = "plait.linear_transpose"(%[[F]]#1, %[[F]]#2, %[[CT]]) {callee = @mul_lin, linear_args = array<i64: 2, 3>}
// CHECK-NEXT: return %[[F]]#0, %[[D]]#0, %[[D]]#1
func.func @binary(%x: tensor<4xf32>, %y: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:3 = "plait.vjp"(%x, %y, %ct) {callee = @mul, diff_args = array<i64: 0, 1>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %0#2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

func.func private @mul(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @mul_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[X]], %[[Y]])
// CHECK-NEXT: return %[[P]], %[[Y]], %[[X]]

// CHECK-LABEL: func.func private @mul_lin
// CHECK-SAME: (%[[Y:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<4xf32>, %[[TX:.*]]: tensor<4xf32>, %[[TY:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[A:.*]] = "plait.mul"(%[[TX]], %[[Y]])
// CHECK-DAG: %[[B:.*]] = "plait.mul"(%[[X]], %[[TY]])
// CHECK-DAG: %[[DP:.*]] = "plait.add"(%[[A]], %[[B]])
// CHECK-NEXT: return %[[DP]]

// -----

// Only the left operand of a matmul is differentiated: the right one is the only residual.
// CHECK-LABEL: @dot
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[CT:.*]]: tensor<2x4xf32>)
// CHECK-NEXT: %[[F:.*]]:2 = call @matmul_fwd(%[[A]], %[[B]]) : (tensor<2x3xf32>, tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<3x4xf32>)
// CHECK-NEXT: %[[DA:.*]] = "plait.linear_transpose"(%[[F]]#1, %[[CT]]) {callee = @matmul_lin, linear_args = array<i64: 1>} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[F]]#0, %[[DA]]
func.func @dot(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %ct: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>) {
  %0:2 = "plait.vjp"(%a, %b, %ct) {callee = @matmul, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>)
  return %0#0, %0#1 : tensor<2x4xf32>, tensor<2x3xf32>
}

func.func private @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func private @matmul_fwd
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[P:.*]] = "plait.dot_general"(%[[A]], %[[B]])
// CHECK-NEXT: return %[[P]], %[[B]]

// CHECK-LABEL: func.func private @matmul_lin
// CHECK-SAME: (%[[B:.*]]: tensor<3x4xf32>, %[[TA:.*]]: tensor<2x3xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[DP:.*]] = "plait.dot_general"(%[[TA]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>}
// CHECK-NEXT: return %[[DP]]

// -----

// exp(sin(x)): the linear half takes cos(x) and exp(sin(x)) from the forward half and
// recomputes neither.
// CHECK-LABEL: @residuals
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:3 = call @exp_sin_fwd(%[[X]])
// CHECK-NEXT: %[[DX:.*]] = "plait.linear_transpose"(%[[F]]#1, %[[F]]#2, %[[CT]]) {callee = @exp_sin_lin, linear_args = array<i64: 2>}
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

// CHECK-LABEL: func.func private @exp_sin_lin
// CHECK-SAME: (%[[C:.*]]: tensor<4xf32>, %[[E:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.sin
// CHECK-NOT: plait.exp
// CHECK-NEXT: %[[DS:.*]] = "plait.mul"(%[[T]], %[[C]])
// CHECK-NEXT: %[[DE:.*]] = "plait.mul"(%[[DS]], %[[E]])
// CHECK-NEXT: return %[[DE]]

// -----

// Constants are cloned into the linear half rather than saved; the undifferentiated y is a
// residual; with no tangent for y there is no add of zeros.
// CHECK-LABEL: @symbolic_zeros
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:2 = call @scale_fwd(%[[X]], %[[Y]])
// CHECK-NEXT: "plait.linear_transpose"(%[[F]]#1, %[[CT]]) {callee = @scale_lin, linear_args = array<i64: 1>}
func.func @symbolic_zeros(%x: tensor<4xf32>, %y: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %y, %ct) {callee = @scale, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @scale(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %two = "plait.constant"() {value = dense<2.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.mul"(%x, %two) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%0, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @scale_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK: return %{{.*}}, %[[Y]] : tensor<4xf32>, tensor<4xf32>

// CHECK-LABEL: func.func private @scale_lin
// CHECK-SAME: (%[[Y:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: plait.add
// CHECK-NEXT: %[[TWO:.*]] = "plait.constant"() {value = dense<2.000000e+00> : tensor<4xf32>}
// CHECK-NEXT: %[[A:.*]] = "plait.mul"(%[[T]], %[[TWO]])
// CHECK-NEXT: %[[B:.*]] = "plait.mul"(%[[A]], %[[Y]])
// CHECK-NEXT: return %[[B]]

// -----

// vjp of a function that holds a vjp: plait-linearize expands the inner one; the outer one
// waits, because its callee now holds a linear_transpose (plait-autodiff finishes the nest).
// CHECK-LABEL: @nested
// CHECK-NEXT: "plait.vjp"
// CHECK-SAME: callee = @grad_sin
func.func @nested(%x: tensor<f32>, %ct: tensor<f32>, %ct2: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "plait.vjp"(%x, %ct, %ct2) {callee = @grad_sin, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<f32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func private @grad_sin
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[CT:.*]]: tensor<f32>)
// CHECK-NEXT: %[[F:.*]]:2 = call @sin_fwd(%[[X]])
// CHECK-NEXT: %[[DX:.*]] = "plait.linear_transpose"(%[[F]]#1, %[[CT]]) {callee = @sin_lin, linear_args = array<i64: 1>}
// CHECK-NEXT: return %[[DX]]
func.func private @grad_sin(%x: tensor<f32>, %ct: tensor<f32>) -> tensor<f32> {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @sin, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#1 : tensor<f32>
}

func.func private @sin(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.sin"(%x) : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-NOT: @grad_sin_fwd

// -----

// Calls in @f_jvp are inlined before partial evaluation, except calls of declarations (no
// body): such a call that no tangent reaches stays a call, in the forward half.
// CHECK-LABEL: @call_declaration
// CHECK: call @scaled_by_external_fwd
func.func @call_declaration(%x: tensor<4xf32>, %n: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %n, %ct) {callee = @scaled_by_external, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @scaled_by_external(%x: tensor<4xf32>, %n: tensor<4xf32>) -> tensor<4xf32> {
  %s = func.call @external(%n) : (tensor<4xf32>) -> tensor<4xf32>
  %0 = "plait.mul"(%x, %s) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @external(tensor<4xf32>) -> tensor<4xf32>

// CHECK-LABEL: func.func private @scaled_by_external_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[N:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[S:.*]] = call @external(%[[N]])
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[X]], %[[S]])
// CHECK-NEXT: return %[[P]], %[[S]]

// CHECK-LABEL: func.func private @scaled_by_external_lin
// CHECK-SAME: (%[[S:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[DP:.*]] = "plait.mul"(%[[T]], %[[S]])
// CHECK-NEXT: return %[[DP]]

// -----

// An op marked `plait.remat` is recomputed by the linear half instead of saved: d(e·x) with
// e = exp(x) is t·e·x + e·t, and the only residual is x (e is rebuilt from it).
// CHECK-LABEL: @remat_op
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:2 = call @exp_times_fwd(%[[X]]) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: "plait.linear_transpose"(%[[F]]#1, %[[CT]]) {callee = @exp_times_lin, linear_args = array<i64: 1>}
func.func @remat_op(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @exp_times, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @exp_times(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.exp"(%x) {plait.remat = "nothing_saveable"} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%0, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @exp_times_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: %[[E:.*]] = "plait.exp"(%[[X]])
// CHECK-NEXT: %[[Y:.*]] = "plait.mul"(%[[E]], %[[X]])
// CHECK-NEXT: return %[[Y]], %[[X]]

// CHECK-LABEL: func.func private @exp_times_lin
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-DAG: %[[E:.*]] = "plait.exp"(%[[X]])
// CHECK-DAG: %[[TE:.*]] = "plait.mul"(%[[T]], %[[E]])
// CHECK-DAG: %[[A:.*]] = "plait.mul"(%[[TE]], %[[X]])
// CHECK-DAG: %[[B:.*]] = "plait.mul"(%[[E]], %[[T]])
// CHECK-DAG: %[[DY:.*]] = "plait.add"(%[[A]], %[[B]])
// CHECK-NEXT: return %[[DY]]

// -----

// A marked value that no linear op needs is not recomputed: sin(x) feeds only the saved
// exp(sin(x)), so the residuals are cos(x) and exp(sin(x)) as without the mark, not x.
// CHECK-LABEL: @remat_unused
// CHECK-NEXT: %[[F:.*]]:3 = call @exp_sin_fwd
func.func @remat_unused(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @exp_sin, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @exp_sin(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) {plait.remat = "nothing_saveable"} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @exp_sin_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[S:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-DAG: %[[E:.*]] = "plait.exp"(%[[S]])
// CHECK-NEXT: return %[[E]], %[[C]], %[[E]]

// CHECK-LABEL: func.func private @exp_sin_lin
// CHECK-SAME: (%[[C:.*]]: tensor<4xf32>, %[[E:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.sin
// CHECK-NEXT: %[[DS:.*]] = "plait.mul"(%[[T]], %[[C]])
// CHECK-NEXT: %[[DE:.*]] = "plait.mul"(%[[DS]], %[[E]])
// CHECK-NEXT: return %[[DE]]

// -----

// A checkpointed call (plait.checkpoint: the attribute on the call) marks the primal ops of
// the callee's JVP except those of its outputs, which are kept (as in JAX, the boundary values
// of a checkpoint are saved, so a chain of checkpointed layers recomputes one layer at a time):
// the forward half keeps x and exp(sin x), the linear half recomputes cos x.
// CHECK-LABEL: @remat_call
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:3 = call @checkpointed_fwd(%[[X]]) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: "plait.linear_transpose"(%[[F]]#1, %[[F]]#2, %[[CT]]) {callee = @checkpointed_lin, linear_args = array<i64: 2>}
func.func @remat_call(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @checkpointed, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @checkpointed(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @exp_sin(%x) {plait.remat = "nothing_saveable"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @exp_sin(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @checkpointed_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: %[[E:.*]] = "plait.exp"
// CHECK-NEXT: return %[[E]], %[[E]], %[[X]]

// CHECK-LABEL: func.func private @checkpointed_lin
// CHECK-SAME: (%[[E:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: plait.sin
// CHECK-NEXT: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-NEXT: %[[DS:.*]] = "plait.mul"(%[[T]], %[[C]])
// CHECK-NEXT: %[[DE:.*]] = "plait.mul"(%[[DS]], %[[E]])
// CHECK-NEXT: return %[[DE]]

// -----

// dots_saveable keeps matrix products: sin(tanh(a·b)) saves a·b (and b, for the tangent a'·b)
// and the linear half recomputes tanh, 1 - tanh² and cos from the saved product.
// CHECK-LABEL: @remat_dots_saveable
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[CT:.*]]: tensor<2x4xf32>)
// CHECK-NEXT: %[[F:.*]]:3 = call @layer_fwd(%[[A]], %[[B]]) : (tensor<2x3xf32>, tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<3x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT: "plait.linear_transpose"(%[[F]]#1, %[[F]]#2, %[[CT]]) {callee = @layer_lin, linear_args = array<i64: 2>}
func.func @remat_dots_saveable(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %ct: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>) {
  %0:2 = "plait.vjp"(%a, %b, %ct) {callee = @layer, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>)
  return %0#0, %0#1 : tensor<2x4xf32>, tensor<2x3xf32>
}

func.func private @layer(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = func.call @tanh_matmul(%a, %b) {plait.remat = "dots_saveable"} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

func.func private @tanh_matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = "plait.tanh"(%0) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = "plait.sin"(%1) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func private @layer_fwd
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[A]], %[[B]])
// CHECK-NEXT: %[[Y:.*]] = "plait.tanh"(%[[D]])
// CHECK: %[[Z:.*]] = "plait.sin"(%[[Y]])
// CHECK: return %[[Z]], %[[B]], %[[D]]

// CHECK-LABEL: func.func private @layer_lin
// CHECK-SAME: (%[[B:.*]]: tensor<3x4xf32>, %[[D:.*]]: tensor<2x4xf32>, %[[TA:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[TD:.*]] = "plait.dot_general"(%[[TA]], %[[B]])
// CHECK-DAG: %[[Y:.*]] = "plait.tanh"(%[[D]])
// CHECK-DAG: %[[ONE:.*]] = "plait.constant"()
// CHECK-DAG: %[[Y2:.*]] = "plait.mul"(%[[Y]], %[[Y]])
// CHECK-DAG: %[[DT:.*]] = "plait.sub"(%[[ONE]], %[[Y2]])
// CHECK-DAG: %[[DY:.*]] = "plait.mul"(%[[TD]], %[[DT]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[Y]])
// CHECK-DAG: %[[DZ:.*]] = "plait.mul"(%[[DY]], %[[C]])
// CHECK-NEXT: return %[[DZ]]

// -----

// d(x / y) = tx / y - ty * x / y / y: the residuals are the operands x and y (as in jax), not
// an extra array out / y.
// CHECK-LABEL: func.func private @div_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[Q:.*]] = "plait.div"(%[[X]], %[[Y]])
// CHECK-NEXT: return %[[Q]], %[[Y]], %[[X]]

// CHECK-LABEL: func.func private @div_lin
// CHECK-SAME: (%[[Y:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<4xf32>, %[[TX:.*]]: tensor<4xf32>, %[[TY:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[A:.*]] = "plait.div"(%[[TX]], %[[Y]])
// CHECK-DAG: %[[M:.*]] = "plait.mul"(%[[TY]], %[[X]])
// CHECK-DAG: %[[D1:.*]] = "plait.div"(%[[M]], %[[Y]])
// CHECK-DAG: %[[D2:.*]] = "plait.div"(%[[D1]], %[[Y]])
// CHECK-DAG: %[[B:.*]] = "plait.neg"(%[[D2]])
// CHECK-DAG: %[[T:.*]] = "plait.add"(%[[A]], %[[B]])
// CHECK-NEXT: return %[[T]]
func.func @vjp_div(%x: tensor<4xf32>, %y: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:3 = "plait.vjp"(%x, %y, %ct) {callee = @div, diff_args = array<i64: 0, 1>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %0#2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

func.func private @div(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.div"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
