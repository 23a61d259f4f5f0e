// RUN: plait-opt %s --split-input-file --plait-expand | filecheck %s
// RUN: plait-opt %s --split-input-file --plait-expand | filecheck %s --check-prefix=NONE

// plait-expand expands every transformation op (jvp, vjp, linear_transpose, vmap), innermost
// first, to a fixpoint; differentiation uses the user's rules of custom_jvp_call /
// custom_vjp_call, and the custom calls left over become plain calls. It then erases the
// private functions nothing calls any more (the intermediate @f_jvp, @f_lin, ...).

// NONE-NOT: "plait.{{(jvp|vjp|linear_transpose|vmap|custom_jvp_call|custom_vjp_call|custom_lin)}}"

// jvp of sin: the same expansion as plait-jvp.
// CHECK-LABEL: @unary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]]:2 = call @sin_jvp(%[[X]], %[[T]])
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
func.func @unary(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @sin, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @sin(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// @sin itself is called by nothing any more and is erased.
// CHECK-NOT: func.func private @sin(
// CHECK-LABEL: func.func private @sin_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[Y:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-DAG: %[[DY:.*]] = "plait.mul"(%[[T]], %[[C]])
// CHECK-NEXT: return %[[Y]], %[[DY]]

// -----

// vmap of the gradient of x * y along x (a nest of vmap over vjp): the vjp expands first, then
// vmap batches the forward and transposed functions it produced. Only x is differentiated, so
// y is the one residual, batched, and the cotangent has no add of zeros; the constant seed
// cotangent stays unbatched until it meets the batched residual.
// CHECK-LABEL: @vmap_of_grad
// CHECK-SAME: (%[[X:.*]]: tensor<8xf32>, %[[Y:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[R:.*]] = call @grad_mul_vmap(%[[X]], %[[Y]]) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: return %[[R]]
func.func @vmap_of_grad(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %0 = "plait.vmap"(%x, %y) {callee = @grad_mul, in_axes = array<i64: 0, 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

func.func private @grad_mul(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %one = "plait.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %0:2 = "plait.vjp"(%x, %y, %one) {callee = @mul, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<f32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#1 : tensor<f32>
}

func.func private @mul(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %0 = "plait.mul"(%x, %y) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func private @grad_mul_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8xf32>, %[[Y:.*]]: tensor<8xf32>) -> tensor<8xf32>
// CHECK-DAG: %[[ONE:.*]] = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>}
// CHECK-DAG: %[[F:.*]]:2 = call @mul_fwd_vmap(%[[X]], %[[Y]]) : (tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>)
// CHECK-DAG: %[[DX:.*]] = call @mul_lin_T_vmap(%[[F]]#1, %[[ONE]]) : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
// CHECK-NEXT: return %[[DX]]

// CHECK-LABEL: func.func private @mul_fwd_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8xf32>, %[[Y:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[X]], %[[Y]]) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: return %[[P]], %[[Y]]

// CHECK-LABEL: func.func private @mul_lin_T_vmap
// CHECK-SAME: (%[[Y:.*]]: tensor<8xf32>, %[[CT:.*]]: tensor<f32>) -> tensor<8xf32>
// CHECK-NOT: plait.add
// CHECK-NEXT: %[[B:.*]] = "plait.broadcast_in_dim"(%[[CT]]) {broadcast_dimensions = array<i64>, shape = array<i64: 8>}
// CHECK-NEXT: %[[DX:.*]] = "plait.mul"(%[[B]], %[[Y]])
// CHECK-NEXT: return %[[DX]]

// -----

// The gradient of a vmapped vector-matrix product with respect to the shared matrix (a nest
// of vjp over vmap): the vmap expands first into one dot_general, which the vjp then
// differentiates; the batched a is the residual and ct_b = aᵀ · ct.
// CHECK-LABEL: @grad_of_vmap
// CHECK-SAME: (%[[A:.*]]: tensor<8x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[CT:.*]]: tensor<8x4xf32>)
// CHECK-NEXT: %[[F:.*]]:2 = call @batched_matmul_fwd(%[[A]], %[[B]]) : (tensor<8x3xf32>, tensor<3x4xf32>) -> (tensor<8x4xf32>, tensor<8x3xf32>)
// CHECK-NEXT: %[[DB:.*]] = call @batched_matmul_lin_T(%[[F]]#1, %[[CT]]) : (tensor<8x3xf32>, tensor<8x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[F]]#0, %[[DB]]
func.func @grad_of_vmap(%a: tensor<8x3xf32>, %b: tensor<3x4xf32>, %ct: tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<3x4xf32>) {
  %0:2 = "plait.vjp"(%a, %b, %ct) {callee = @batched_matmul, diff_args = array<i64: 1>, ct_outs = array<i64: 0>} : (tensor<8x3xf32>, tensor<3x4xf32>, tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<3x4xf32>)
  return %0#0, %0#1 : tensor<8x4xf32>, tensor<3x4xf32>
}

func.func private @batched_matmul(%a: tensor<8x3xf32>, %b: tensor<3x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%a, %b) {callee = @vecmat, in_axes = array<i64: 0, -1>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x3xf32>, tensor<3x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @vecmat(%a: tensor<3xf32>, %b: tensor<3x4xf32>) -> tensor<4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @batched_matmul_fwd
// CHECK-SAME: (%[[A:.*]]: tensor<8x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[P:.*]] = "plait.dot_general"(%[[A]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x3xf32>, tensor<3x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: return %[[P]], %[[A]]

// CHECK-LABEL: func.func private @batched_matmul_lin_T
// CHECK-SAME: (%[[A:.*]]: tensor<8x3xf32>, %[[CT:.*]]: tensor<8x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[CT]], %[[A]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x4xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[D]]) {permutation = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[T]]

// -----

// Forward mode through a custom_jvp_call uses the user's rule @f_rule (tangent t * x), not the
// derivative of @f's body (no cos).
// CHECK-LABEL: @custom_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NEXT: call @g_jvp(%[[X]], %[[T]])
func.func @custom_jvp(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @g, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.custom_jvp_call"(%x) {callee = @f, jvp = @f_rule} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f_rule(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%t, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-NOT: plait.cos
// CHECK-LABEL: func.func private @g_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]]:2 = call @f_rule(%[[X]], %[[T]])
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
// CHECK-NOT: plait.cos

// -----

// Reverse mode through a custom_vjp_call runs the user's @f_fwd_rule in the forward function
// (its residual cos x is saved) and calls @f_bwd_rule in the transposed one.
// CHECK-LABEL: @custom_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:3 = call @g_fwd(%[[X]])
// CHECK-NEXT: %[[DX:.*]] = call @g_lin_T(%[[F]]#1, %[[F]]#2, %[[CT]])
// CHECK-NEXT: return %[[F]]#0, %[[DX]]
func.func @custom_vjp(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @g, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.custom_vjp_call"(%x) {callee = @f, fwd = @f_fwd_rule, bwd = @f_bwd_rule} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f_fwd_rule(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.cos"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f_bwd_rule(%c: tensor<4xf32>, %ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%ct, %c) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @g_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[S:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-DAG: %[[E:.*]] = "plait.exp"(%[[S]])
// CHECK-NEXT: return %[[E]], %[[C]], %[[E]]

// ct_x = f_bwd_rule(cos x, ct * exp(sin x))
// CHECK-LABEL: func.func private @g_lin_T
// CHECK-SAME: (%[[C:.*]]: tensor<4xf32>, %[[E:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.*]] = "plait.mul"(%[[CT]], %[[E]])
// CHECK-NEXT: %[[DX:.*]] = call @f_bwd_rule(%[[C]], %[[A]])
// CHECK-NEXT: return %[[DX]]

// -----

// Custom calls that nothing differentiates are plain calls of their function.
// CHECK-LABEL: @custom_calls_left
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.*]] = call @f(%[[X]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[B:.*]] = call @f(%[[A]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[B]]
func.func @custom_calls_left(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.custom_jvp_call"(%x) {callee = @f, jvp = @f_rule} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.custom_vjp_call"(%0) {callee = @f, fwd = @f_fwd_rule, bwd = @f_bwd_rule} : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f_rule(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%t, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f_fwd_rule(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.cos"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f_bwd_rule(%c: tensor<4xf32>, %ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%ct, %c) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A custom_jvp_call left undifferentiated inside a region op's body: a func.call cannot sit
// in the region, so @f's body is cloned in its place.
// CHECK-LABEL: @custom_in_region
// CHECK: "plait.cond"
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4xf32>):
// CHECK-NEXT: %[[S:.*]] = "plait.sin"(%[[A]])
// CHECK-NEXT: "plait.yield"(%[[S]])
func.func @custom_in_region(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<4xf32>):
    %s = "plait.custom_jvp_call"(%a) {callee = @f, jvp = @f_rule} : (tensor<4xf32>) -> tensor<4xf32>
    "plait.yield"(%s) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>):
    "plait.yield"(%a) : (tensor<4xf32>) -> ()
  }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f_rule(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%t, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}
