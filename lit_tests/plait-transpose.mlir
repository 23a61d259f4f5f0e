// RUN: plait-opt %s --split-input-file --plait-transpose | filecheck %s

// `"plait.linear_transpose"(%consts..., %out_cts...) {callee = @lin, linear_args}` becomes a
// call of a generated @lin_T(consts..., out_cts...) -> cotangents of the linear arguments.
// Ops of @lin that depend on no linear argument are re-emitted forward; the linear ones are
// transposed in reverse order.

// CHECK-LABEL: @unary
// CHECK-SAME: (%[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @negate_T(%[[CT]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[R]]
func.func @unary(%ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @negate, linear_args = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @negate(%t: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.neg"(%t) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @negate_T
// CHECK-SAME: (%[[CT:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[N:.*]] = "plait.neg"(%[[CT]])
// CHECK-NEXT: return %[[N]]

// -----

// The constant operand's sin(c) does not depend on t: it is computed forward in @scale_T.
// CHECK-LABEL: @binary
// CHECK-SAME: (%[[C:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: call @scale_T(%[[C]], %[[CT]])
func.func @binary(%c: tensor<4xf32>, %ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.linear_transpose"(%c, %ct) {callee = @scale, linear_args = array<i64: 1>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @scale(%c: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<4xf32> {
  %s = "plait.sin"(%c) : (tensor<4xf32>) -> tensor<4xf32>
  %0 = "plait.mul"(%t, %s) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @scale_T
// CHECK-SAME: (%[[C:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[S:.*]] = "plait.sin"(%[[C]])
// CHECK-NEXT: %[[R:.*]] = "plait.mul"(%[[CT]], %[[S]])
// CHECK-NEXT: return %[[R]]

// -----

// A reduction transposes to a broadcast; a product with a constant to a product.
// CHECK-LABEL: @chain
// CHECK-SAME: (%[[C:.*]]: tensor<2x3xf32>, %[[CT:.*]]: tensor<3xf32>)
// CHECK-NEXT: call @weighted_sum_T(%[[C]], %[[CT]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @chain(%c: tensor<2x3xf32>, %ct: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.linear_transpose"(%c, %ct) {callee = @weighted_sum, linear_args = array<i64: 1>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func private @weighted_sum(%c: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> tensor<3xf32> {
  %e = "plait.exp"(%c) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = "plait.mul"(%e, %t) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "plait.reduce_sum"(%0) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}

// CHECK-LABEL: func.func private @weighted_sum_T
// CHECK-SAME: (%[[C:.*]]: tensor<2x3xf32>, %[[CT:.*]]: tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-DAG: %[[E:.*]] = "plait.exp"(%[[C]])
// CHECK-DAG: %[[B:.*]] = "plait.broadcast_in_dim"(%[[CT]]) {broadcast_dimensions = array<i64: 1>, shape = array<i64: 2, 3>}
// CHECK-DAG: %[[R:.*]] = "plait.mul"(%[[E]], %[[B]])
// CHECK-NEXT: return %[[R]]

// -----

// Linear in the left operand: ct · bᵀ is already laid out as the operand, so no transpose op.
// CHECK-LABEL: @dot_lhs
// CHECK-SAME: (%[[B:.*]]: tensor<3x4xf32>, %[[CT:.*]]: tensor<2x4xf32>)
// CHECK-NEXT: call @matmul_T(%[[B]], %[[CT]])
func.func @dot_lhs(%b: tensor<3x4xf32>, %ct: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %0 = "plait.linear_transpose"(%b, %ct) {callee = @matmul, linear_args = array<i64: 0>} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func private @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func private @matmul_T
// CHECK-SAME: (%[[B:.*]]: tensor<3x4xf32>, %[[CT:.*]]: tensor<2x4xf32>) -> tensor<2x3xf32>
// CHECK-NOT: plait.transpose
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[CT]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[D]]

// -----

// Linear in the right operand: ctᵀ · a comes out as (4, 3) and is transposed to b's (3, 4).
// CHECK-LABEL: @dot_rhs
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[CT:.*]]: tensor<2x4xf32>)
// CHECK-NEXT: call @matmul_T(%[[A]], %[[CT]])
func.func @dot_rhs(%a: tensor<2x3xf32>, %ct: tensor<2x4xf32>) -> tensor<3x4xf32> {
  %0 = "plait.linear_transpose"(%a, %ct) {callee = @matmul, linear_args = array<i64: 1>} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

func.func private @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func private @matmul_T
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[CT:.*]]: tensor<2x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[CT]], %[[A]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x4xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[D]]) {permutation = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[T]]

// -----

// A linear value used twice sums its two cotangents; the unused reduction gets no cotangent and
// is skipped (no broadcast); the unused linear argument b gets a zero cotangent. No add of zeros.
// CHECK-LABEL: @symbolic_zeros
// CHECK-SAME: (%[[CT0:.*]]: tensor<4xf32>, %[[CT1:.*]]: tensor<4xf32>)
// CHECK-NEXT: call @fan_out_T(%[[CT0]], %[[CT1]])
func.func @symbolic_zeros(%ct0: tensor<4xf32>, %ct1: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.linear_transpose"(%ct0, %ct1) {callee = @fan_out, linear_args = array<i64: 0, 1>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @fan_out(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %unused = "plait.reduce_sum"(%a) {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
  %0 = "plait.neg"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %0 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func private @fan_out_T
// CHECK-SAME: (%[[CT0:.*]]: tensor<4xf32>, %[[CT1:.*]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NOT: plait.broadcast_in_dim
// CHECK-DAG: %[[SUM:.*]] = "plait.add"(%[[CT0]], %[[CT1]])
// CHECK-DAG: %[[CA:.*]] = "plait.neg"(%[[SUM]])
// CHECK-DAG: %[[CB:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<4xf32>}
// CHECK-NEXT: return %[[CA]], %[[CB]]

// -----

// A transpose of a function that holds a transpose: the inner one is expanded first (@spread is
// then mul(c, broadcast(u))), and transposing that again gives back the weighted sum.
// CHECK-LABEL: @nested
// CHECK-SAME: (%[[C:.*]]: tensor<2x3xf32>, %[[CT:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = call @spread_T(%[[C]], %[[CT]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3xf32>
// CHECK-NEXT: return %[[R]]
func.func @nested(%c: tensor<2x3xf32>, %ct: tensor<2x3xf32>) -> tensor<3xf32> {
  %0 = "plait.linear_transpose"(%c, %ct) {callee = @spread, linear_args = array<i64: 1>} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK-LABEL: func.func private @spread
// CHECK-SAME: (%[[C:.*]]: tensor<2x3xf32>, %[[U:.*]]: tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NOT: plait.linear_transpose
// CHECK-NEXT: %[[B:.*]] = "plait.broadcast_in_dim"(%[[U]]) {broadcast_dimensions = array<i64: 1>, shape = array<i64: 2, 3>}
// CHECK-NEXT: %[[R:.*]] = "plait.mul"(%[[C]], %[[B]])
// CHECK-NEXT: return %[[R]]
func.func private @spread(%c: tensor<2x3xf32>, %u: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.linear_transpose"(%c, %u) {callee = @weighted_sum, linear_args = array<i64: 1>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func private @weighted_sum(%c: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> tensor<3xf32> {
  %0 = "plait.mul"(%c, %t) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "plait.reduce_sum"(%0) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}

// CHECK-LABEL: func.func private @weighted_sum_T
// CHECK-SAME: (%[[C:.*]]: tensor<2x3xf32>, %[[U:.*]]: tensor<3xf32>) -> tensor<2x3xf32>

// The transpose of the transpose: the sum over axis 0 of c · ct (a reshape to the same shape
// is what the broadcast rule leaves; plait-simplify removes it).
// CHECK-LABEL: func.func private @spread_T
// CHECK-SAME: (%[[C:.*]]: tensor<2x3xf32>, %[[CT:.*]]: tensor<2x3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[C]], %[[CT]])
// CHECK-NEXT: %[[S:.*]] = "plait.reduce_sum"(%[[P]]) {axes = array<i64: 0>}
// CHECK-NEXT: %[[R:.*]] = "plait.reshape"(%[[S]]) {new_sizes = array<i64: 3>}
// CHECK-NEXT: return %[[R]]

// -----

// Two levels through a call: the transposed function calls a linear function that holds a
// transpose. The call is inlined, so @negated_spread_T is one flat body: neg, then the
// weighted sum.
// CHECK-LABEL: @nested_call
// CHECK-SAME: (%[[C:.*]]: tensor<2x3xf32>, %[[CT:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: call @negated_spread_T(%[[C]], %[[CT]])
func.func @nested_call(%c: tensor<2x3xf32>, %ct: tensor<2x3xf32>) -> tensor<3xf32> {
  %0 = "plait.linear_transpose"(%c, %ct) {callee = @negated_spread, linear_args = array<i64: 1>} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func private @negated_spread(%c: tensor<2x3xf32>, %u: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = func.call @spread(%c, %u) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = "plait.neg"(%0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

func.func private @spread(%c: tensor<2x3xf32>, %u: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.linear_transpose"(%c, %u) {callee = @weighted_sum, linear_args = array<i64: 1>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func private @weighted_sum(%c: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> tensor<3xf32> {
  %0 = "plait.mul"(%c, %t) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "plait.reduce_sum"(%0) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}

// CHECK-LABEL: func.func private @negated_spread_T
// CHECK-SAME: (%[[C:.*]]: tensor<2x3xf32>, %[[CT:.*]]: tensor<2x3xf32>) -> tensor<3xf32>
// CHECK-NOT: call
// CHECK-NEXT: %[[N:.*]] = "plait.neg"(%[[CT]])
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[C]], %[[N]])
// CHECK-NEXT: %[[S:.*]] = "plait.reduce_sum"(%[[P]]) {axes = array<i64: 0>}
// CHECK-NEXT: %[[R:.*]] = "plait.reshape"(%[[S]])
// CHECK-NEXT: return %[[R]]

// -----

// A transpose transposes to the inverse permutation: (1, 2, 0) takes 2x3x4 to 3x4x2, and its
// cotangent goes back with (2, 0, 1) (not with (1, 2, 0) again: this permutation is not its
// own inverse).
// CHECK-LABEL: @transpose_3d
// CHECK-SAME: (%[[CT:.*]]: tensor<3x4x2xf32>)
// CHECK-NEXT: call @rotate_T(%[[CT]])
func.func @transpose_3d(%ct: tensor<3x4x2xf32>) -> tensor<2x3x4xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @rotate, linear_args = array<i64: 0>} : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

func.func private @rotate(%t: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = "plait.transpose"(%t) {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  return %0 : tensor<3x4x2xf32>
}

// CHECK-LABEL: func.func private @rotate_T
// CHECK-SAME: (%[[CT:.*]]: tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.transpose"(%[[CT]]) {permutation = array<i64: 2, 0, 1>} : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[R]]

// -----

// A broadcast transposes to a sum over the dims it added (0) and over those it stretched
// from size 1 (1: the operand's 1 became 4), then a reshape back to the operand's 1x3.
// CHECK-LABEL: @broadcast_size_one
// CHECK-SAME: (%[[CT:.*]]: tensor<2x4x3xf32>)
// CHECK-NEXT: call @stretch_T(%[[CT]])
func.func @broadcast_size_one(%ct: tensor<2x4x3xf32>) -> tensor<1x3xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @stretch, linear_args = array<i64: 0>} : (tensor<2x4x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

func.func private @stretch(%t: tensor<1x3xf32>) -> tensor<2x4x3xf32> {
  %0 = "plait.broadcast_in_dim"(%t) {broadcast_dimensions = array<i64: 1, 2>, shape = array<i64: 2, 4, 3>} : (tensor<1x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// CHECK-LABEL: func.func private @stretch_T
// CHECK-SAME: (%[[CT:.*]]: tensor<2x4x3xf32>) -> tensor<1x3xf32>
// CHECK-NEXT: %[[S:.*]] = "plait.reduce_sum"(%[[CT]]) {axes = array<i64: 0, 1>} : (tensor<2x4x3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.reshape"(%[[S]]) {new_sizes = array<i64: 1, 3>} : (tensor<3xf32>) -> tensor<1x3xf32>
// CHECK-NEXT: return %[[R]]

// -----

// A sum over the middle axis of a 3-D array transposes to a broadcast along that axis: the
// cotangent's dims are the operand's 0 and 2.
// CHECK-LABEL: @reduce_middle
// CHECK-SAME: (%[[CT:.*]]: tensor<2x4xf32>)
// CHECK-NEXT: call @sum_middle_T(%[[CT]])
func.func @reduce_middle(%ct: tensor<2x4xf32>) -> tensor<2x3x4xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @sum_middle, linear_args = array<i64: 0>} : (tensor<2x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

func.func private @sum_middle(%t: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.reduce_sum"(%t) {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func private @sum_middle_T
// CHECK-SAME: (%[[CT:.*]]: tensor<2x4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.broadcast_in_dim"(%[[CT]]) {broadcast_dimensions = array<i64: 0, 2>, shape = array<i64: 2, 3, 4>} : (tensor<2x4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[R]]

// -----

// A batched matmul (batch dim 0) linear in its right operand b[n, k, j]:
// ct_b[n, k, j] = sum_i a[n, i, k] ct[n, i, j], a dot_general over the batch and i giving
// (n, j, k), then transposed to b's (n, k, j).
// CHECK-LABEL: @batched_dot_rhs
// CHECK-SAME: (%[[A:.*]]: tensor<5x2x3xf32>, %[[CT:.*]]: tensor<5x2x4xf32>)
// CHECK-NEXT: call @bmm_T(%[[A]], %[[CT]])
func.func @batched_dot_rhs(%a: tensor<5x2x3xf32>, %ct: tensor<5x2x4xf32>) -> tensor<5x3x4xf32> {
  %0 = "plait.linear_transpose"(%a, %ct) {callee = @bmm, linear_args = array<i64: 1>} : (tensor<5x2x3xf32>, tensor<5x2x4xf32>) -> tensor<5x3x4xf32>
  return %0 : tensor<5x3x4xf32>
}

func.func private @bmm(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// CHECK-LABEL: func.func private @bmm_T
// CHECK-SAME: (%[[A:.*]]: tensor<5x2x3xf32>, %[[CT:.*]]: tensor<5x2x4xf32>) -> tensor<5x3x4xf32>
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[CT]], %[[A]]) {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x4xf32>, tensor<5x2x3xf32>) -> tensor<5x4x3xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.transpose"(%[[D]]) {permutation = array<i64: 0, 2, 1>} : (tensor<5x4x3xf32>) -> tensor<5x3x4xf32>
// CHECK-NEXT: return %[[R]]

// -----

// The same matmul linear in its left operand: ct_a[n, i, k] = sum_j ct[n, i, j] b[n, k, j]
// comes out laid out as a, so no transpose.
// CHECK-LABEL: @batched_dot_lhs
// CHECK-SAME: (%[[B:.*]]: tensor<5x3x4xf32>, %[[CT:.*]]: tensor<5x2x4xf32>)
// CHECK-NEXT: call @bmm_T(%[[B]], %[[CT]])
func.func @batched_dot_lhs(%b: tensor<5x3x4xf32>, %ct: tensor<5x2x4xf32>) -> tensor<5x2x3xf32> {
  %0 = "plait.linear_transpose"(%b, %ct) {callee = @bmm, linear_args = array<i64: 0>} : (tensor<5x3x4xf32>, tensor<5x2x4xf32>) -> tensor<5x2x3xf32>
  return %0 : tensor<5x2x3xf32>
}

func.func private @bmm(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// CHECK-LABEL: func.func private @bmm_T
// CHECK-SAME: (%[[B:.*]]: tensor<5x3x4xf32>, %[[CT:.*]]: tensor<5x2x4xf32>) -> tensor<5x2x3xf32>
// CHECK-NOT: plait.transpose
// CHECK-NEXT: %[[R:.*]] = "plait.dot_general"(%[[CT]], %[[B]]) {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 2>} : (tensor<5x2x4xf32>, tensor<5x3x4xf32>) -> tensor<5x2x3xf32>
// CHECK-NEXT: return %[[R]]

// -----

// The batch dim of b need not lead: b[k, n, j] with batch dim 1. ct_b comes out of the
// dot_general as (n, j, k) and goes to b's layout by (2, 0, 1), the inverse of where b's
// dims went (1, 2, 0).
// CHECK-LABEL: @batched_dot_inner_batch_dim
// CHECK-SAME: (%[[A:.*]]: tensor<5x2x3xf32>, %[[CT:.*]]: tensor<5x2x4xf32>)
// CHECK-NEXT: call @bmm_T(%[[A]], %[[CT]])
func.func @batched_dot_inner_batch_dim(%a: tensor<5x2x3xf32>, %ct: tensor<5x2x4xf32>) -> tensor<3x5x4xf32> {
  %0 = "plait.linear_transpose"(%a, %ct) {callee = @bmm, linear_args = array<i64: 1>} : (tensor<5x2x3xf32>, tensor<5x2x4xf32>) -> tensor<3x5x4xf32>
  return %0 : tensor<3x5x4xf32>
}

func.func private @bmm(%a: tensor<5x2x3xf32>, %b: tensor<3x5x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 1>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<5x2x3xf32>, tensor<3x5x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// CHECK-LABEL: func.func private @bmm_T
// CHECK-SAME: (%[[A:.*]]: tensor<5x2x3xf32>, %[[CT:.*]]: tensor<5x2x4xf32>) -> tensor<3x5x4xf32>
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[CT]], %[[A]]) {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x4xf32>, tensor<5x2x3xf32>) -> tensor<5x4x3xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.transpose"(%[[D]]) {permutation = array<i64: 2, 0, 1>} : (tensor<5x4x3xf32>) -> tensor<3x5x4xf32>
// CHECK-NEXT: return %[[R]]

// -----

// Two contracting dims paired out of order (a's 1 with b's 1, a's 2 with b's 0):
// ct_a[i, p, q] = sum_j ct[i, j] b[q, p, j] comes out as (i, q, p), in b's order of the
// contracted dims, and is transposed by (0, 2, 1) to a's (i, p, q).
// CHECK-LABEL: @dot_two_contracting_dims
// CHECK-SAME: (%[[B:.*]]: tensor<4x3x5xf32>, %[[CT:.*]]: tensor<2x5xf32>)
// CHECK-NEXT: call @contract2_T(%[[B]], %[[CT]])
func.func @dot_two_contracting_dims(%b: tensor<4x3x5xf32>, %ct: tensor<2x5xf32>) -> tensor<2x3x4xf32> {
  %0 = "plait.linear_transpose"(%b, %ct) {callee = @contract2, linear_args = array<i64: 0>} : (tensor<4x3x5xf32>, tensor<2x5xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

func.func private @contract2(%a: tensor<2x3x4xf32>, %b: tensor<4x3x5xf32>) -> tensor<2x5xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1, 2>, rhs_contracting_dimensions = array<i64: 1, 0>} : (tensor<2x3x4xf32>, tensor<4x3x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func private @contract2_T
// CHECK-SAME: (%[[B:.*]]: tensor<4x3x5xf32>, %[[CT:.*]]: tensor<2x5xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[CT]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 2>} : (tensor<2x5xf32>, tensor<4x3x5xf32>) -> tensor<2x4x3xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.transpose"(%[[D]]) {permutation = array<i64: 0, 2, 1>} : (tensor<2x4x3xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[R]]

// -----

// sort is linear in the operands after its keys: a cotangent goes back where its element came
// from, sorting by the permutation (the keys' stable sort of an iota) inverts it.
// CHECK-LABEL: func.func private @sortkv_T
// CHECK-SAME: (%[[K:.*]]: tensor<5xui32>, %[[CT:.*]]: tensor<5xf32>)
// CHECK: %[[I:.*]] = "plait.iota"() {dimension = 0 : i64, dtype = i32, shape = array<i64: 5>}
// CHECK-NEXT: %[[P:.*]]:2 = "plait.sort"(%[[K]], %[[I]]) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64}
// CHECK-NEXT: %[[B:.*]]:2 = "plait.sort"(%[[P]]#1, %[[CT]]) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64}
// CHECK-NEXT: return %[[B]]#1
func.func @sort_rides_back(%k: tensor<5xui32>, %ct: tensor<5xf32>) -> tensor<5xf32> {
  %0 = "plait.linear_transpose"(%k, %ct) {callee = @sortkv, linear_args = array<i64: 1>} : (tensor<5xui32>, tensor<5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

func.func private @sortkv(%k: tensor<5xui32>, %t: tensor<5xf32>) -> tensor<5xf32> {
  %0:2 = "plait.sort"(%k, %t) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64} : (tensor<5xui32>, tensor<5xf32>) -> (tensor<5xui32>, tensor<5xf32>)
  return %0#1 : tensor<5xf32>
}

// -----

// A triangular solve is linear in b: its transpose solves with transpose_a flipped.
// CHECK-LABEL: func.func private @solve_T
// CHECK-SAME: (%[[A:.*]]: tensor<3x3xf32>, %[[CT:.*]]: tensor<3x2xf32>)
// CHECK-NEXT: %[[X:.*]] = "plait.triangular_solve"(%[[A]], %[[CT]]) {conjugate_a = false, left_side = true, lower = true, transpose_a = true, unit_diagonal = false}
// CHECK-NEXT: return %[[X]]
func.func @triangular_solve(%a: tensor<3x3xf32>, %ct: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = "plait.linear_transpose"(%a, %ct) {callee = @solve, linear_args = array<i64: 1>} : (tensor<3x3xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

func.func private @solve(%a: tensor<3x3xf32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = "plait.triangular_solve"(%a, %b) {conjugate_a = false, left_side = true, lower = true, transpose_a = false, unit_diagonal = false} : (tensor<3x3xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// reduce_precision is linear as in jax: its transpose rounds the cotangent alike.
// CHECK-LABEL: @rounded
// CHECK-SAME: (%[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @round_T(%[[CT]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[R]]
func.func @rounded(%ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @round, linear_args = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @round(%t: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.reduce_precision"(%t) {exponent_bits = 5 : i64, mantissa_bits = 10 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @round_T
// CHECK-SAME: (%[[CT:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[N:.*]] = "plait.reduce_precision"(%[[CT]]) {exponent_bits = 5 : i64, mantissa_bits = 10 : i64}
// CHECK-NEXT: return %[[N]]
