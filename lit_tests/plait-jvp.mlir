// RUN: plait-opt %s --split-input-file --plait-jvp | filecheck %s

// `"plait.jvp"(%args, %tangents) {callee = @f, diff_args}` becomes a call of a generated
// @f_jvp(args..., tangents of diff_args...) -> (outs..., tangent outs...). Each case is its own
// module, so the generated functions follow the case that asked for them.

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

// d sin(x) = t * cos(x)
// CHECK-LABEL: func.func private @sin_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-DAG: %[[Y:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-DAG: %[[DY:.*]] = "plait.mul"(%[[T]], %[[C]])
// CHECK-NEXT: return %[[Y]], %[[DY]]

// -----

// CHECK-LABEL: @binary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[TX:.*]]: tensor<4xf32>, %[[TY:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]]:2 = call @mul_jvp(%[[X]], %[[Y]], %[[TX]], %[[TY]])
func.func @binary(%x: tensor<4xf32>, %y: tensor<4xf32>, %tx: tensor<4xf32>, %ty: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %y, %tx, %ty) {callee = @mul, diff_args = array<i64: 0, 1>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @mul(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// d (x * y) = tx * y + x * ty
// CHECK-LABEL: func.func private @mul_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[TX:.*]]: tensor<4xf32>, %[[TY:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[P:.*]] = "plait.mul"(%[[X]], %[[Y]])
// CHECK-DAG: %[[A:.*]] = "plait.mul"(%[[TX]], %[[Y]])
// CHECK-DAG: %[[B:.*]] = "plait.mul"(%[[X]], %[[TY]])
// CHECK-DAG: %[[DP:.*]] = "plait.add"(%[[A]], %[[B]])
// CHECK-NEXT: return %[[P]], %[[DP]]

// -----

// CHECK-LABEL: @dot
// CHECK: call @matmul_jvp
func.func @dot(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %ta: tensor<2x3xf32>, %tb: tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0:2 = "plait.jvp"(%a, %b, %ta, %tb) {callee = @matmul, diff_args = array<i64: 0, 1>} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return %0#0, %0#1 : tensor<2x4xf32>, tensor<2x4xf32>
}

func.func private @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// The product rule, each term a dot_general with the same dimension numbers.
// CHECK-LABEL: func.func private @matmul_jvp
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[TA:.*]]: tensor<2x3xf32>, %[[TB:.*]]: tensor<3x4xf32>)
// CHECK-DAG: %[[P:.*]] = "plait.dot_general"(%[[A]], %[[B]])
// CHECK-DAG: %[[L:.*]] = "plait.dot_general"(%[[TA]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>}
// CHECK-DAG: %[[R:.*]] = "plait.dot_general"(%[[A]], %[[TB]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>}
// CHECK-DAG: %[[DP:.*]] = "plait.add"(%[[L]], %[[R]])
// CHECK-NEXT: return %[[P]], %[[DP]]

// -----

// A tangent only for x: the y term of the product rule is a symbolic zero, so there is no
// x * ty and no add of zeros.
// CHECK-LABEL: @one_tangent
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[TX:.*]]: tensor<4xf32>)
// CHECK-NEXT: call @mul_jvp(%[[X]], %[[Y]], %[[TX]])
func.func @one_tangent(%x: tensor<4xf32>, %y: tensor<4xf32>, %tx: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %y, %tx) {callee = @mul, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @mul(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @mul_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[TX:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.add
// CHECK-DAG: %[[P:.*]] = "plait.mul"(%[[X]], %[[Y]])
// CHECK-DAG: %[[DP:.*]] = "plait.mul"(%[[TX]], %[[Y]])
// CHECK-NEXT: return %[[P]], %[[DP]]

// -----

// Ops that no tangent reaches are plain clones: exp(y) gets no tangent op, sin(x) + y no add
// (y's tangent is zero), and the tangent of the output that does not depend on x is a zero
// constant made only at the return.
// CHECK-LABEL: @symbolic_zeros
func.func @symbolic_zeros(%x: tensor<4xf32>, %y: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:4 = "plait.jvp"(%x, %y, %t) {callee = @partly_constant, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

func.func private @partly_constant(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.add"(%0, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.exp"(%y) : (tensor<4xf32>) -> tensor<4xf32>
  return %1, %2 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func private @partly_constant_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[S:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-DAG: %[[DS:.*]] = "plait.mul"(%[[T]], %[[C]])
// CHECK-DAG: %[[SUM:.*]] = "plait.add"(%[[S]], %[[Y]])
// CHECK-DAG: %[[E:.*]] = "plait.exp"(%[[Y]])
// CHECK-NEXT: %[[ZERO:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<4xf32>}
// CHECK-NEXT: return %[[SUM]], %[[E]], %[[DS]], %[[ZERO]]

// -----

// jvp of a function that holds a jvp (forward over forward): the inner op is expanded first,
// then the outer one differentiates the inner's generated @sin_jvp, giving sin'' = -sin.
// CHECK-LABEL: @nested
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK-NEXT: %[[R:.*]]:2 = call @dsin_jvp(%[[X]], %[[T]])
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
func.func @nested(%x: tensor<f32>, %t: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @dsin, diff_args = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func private @dsin
// CHECK-SAME: (%[[X:.*]]: tensor<f32>)
// CHECK-NEXT: %[[ONE:.*]] = "plait.constant"()
// CHECK-NEXT: %[[R:.*]]:2 = call @sin_jvp(%[[X]], %[[ONE]])
// CHECK-NEXT: return %[[R]]#1
func.func private @dsin(%x: tensor<f32>) -> tensor<f32> {
  %one = "plait.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %0:2 = "plait.jvp"(%x, %one) {callee = @sin, diff_args = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#1 : tensor<f32>
}

func.func private @sin(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.sin"(%x) : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func private @sin_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK-DAG: %[[Y:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-DAG: %[[DY:.*]] = "plait.mul"(%[[T]], %[[C]])
// CHECK-NEXT: return %[[Y]], %[[DY]]

// The constant tangent of @dsin's inner jvp has no tangent of its own: only x is differentiated.
// CHECK-LABEL: func.func private @dsin_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK-NEXT: %[[ONE:.*]] = "plait.constant"()
// CHECK-NEXT: %[[R:.*]]:4 = call @sin_jvp_jvp(%[[X]], %[[ONE]], %[[T]])
// CHECK-NEXT: return %[[R]]#1, %[[R]]#3

// CHECK-LABEL: func.func private @sin_jvp_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T1:.*]]: tensor<f32>, %[[T2:.*]]: tensor<f32>)
// CHECK-DAG: %[[Y:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-DAG: %[[DY:.*]] = "plait.mul"(%[[T2]], %[[C]])
// CHECK-DAG: %[[C2:.*]] = "plait.cos"(%[[X]])
// CHECK-DAG: %[[S:.*]] = "plait.sin"(%[[X]])
// CHECK-DAG: %[[NS:.*]] = "plait.neg"(%[[S]])
// CHECK-DAG: %[[DC:.*]] = "plait.mul"(%[[T2]], %[[NS]])
// CHECK-DAG: %[[Y1:.*]] = "plait.mul"(%[[T1]], %[[C2]])
// CHECK-DAG: %[[DY1:.*]] = "plait.mul"(%[[T1]], %[[DC]])
// CHECK-NEXT: return %[[Y]], %[[Y1]], %[[DY]], %[[DY1]]

// -----

// A call inside the callee that a tangent reaches becomes a call of the callee's JVP.
// CHECK-LABEL: @call_inside
// CHECK: call @outer_jvp
func.func @call_inside(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @outer, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @outer(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @inner(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.neg"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

func.func private @inner(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @outer_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[R:.*]]:2 = call @inner_jvp(%[[X]], %[[T]])
// CHECK-DAG: %[[N:.*]] = "plait.neg"(%[[R]]#0)
// CHECK-DAG: %[[DN:.*]] = "plait.neg"(%[[R]]#1)
// CHECK-NEXT: return %[[N]], %[[DN]]

// CHECK-LABEL: func.func private @inner_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[E:.*]] = "plait.exp"(%[[X]])
// CHECK-NEXT: %[[DE:.*]] = "plait.mul"(%[[T]], %[[E]])
// CHECK-NEXT: return %[[E]], %[[DE]]

// -----

// The JVP of a scan is one scan carrying (primal, tangent): consts, carries and xs are each
// followed by their tangents. It stacks only the ys and their tangents, no per-step residuals
// (its results are the carry, its tangent, ys and their tangents).
// CHECK-LABEL: func.func private @rnn_jvp
// CHECK-SAME: (%[[W:.*]]: tensor<2xf32>, %[[H:.*]]: tensor<2xf32>, %[[XS:.*]]: tensor<1000x2xf32>, %[[TW:.*]]: tensor<2xf32>, %[[TH:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[S:.*]]:4 = "plait.scan"(%[[W]], %[[TW]], %[[H]], %[[TH]], %[[XS]]) ({
// CHECK-NEXT: ^bb0(%[[CW:.*]]: tensor<2xf32>, %[[CTW:.*]]: tensor<2xf32>, %[[C:.*]]: tensor<2xf32>, %[[CT:.*]]: tensor<2xf32>, %[[X:.*]]: tensor<2xf32>):
// CHECK-DAG: %[[M:.*]] = "plait.mul"(%[[CW]], %[[C]])
// CHECK-DAG: %[[DM1:.*]] = "plait.mul"(%[[CTW]], %[[C]])
// CHECK-DAG: %[[DM2:.*]] = "plait.mul"(%[[CW]], %[[CT]])
// CHECK-DAG: %[[DM:.*]] = "plait.add"(%[[DM1]], %[[DM2]])
// CHECK-DAG: %[[A:.*]] = "plait.add"(%[[M]], %[[X]])
// CHECK-DAG: %[[HN:.*]] = "plait.tanh"(%[[A]])
// CHECK: %[[DH:.*]] = "plait.mul"(%[[DM]], %{{.*}})
// CHECK-DAG: %[[Y:.*]] = "plait.reduce_sum"(%[[HN]])
// CHECK-DAG: %[[DY:.*]] = "plait.reduce_sum"(%[[DH]])
// CHECK-NEXT: "plait.yield"(%[[HN]], %[[DH]], %[[Y]], %[[DY]])
// CHECK-NEXT: }) {length = 1000 : i64, num_carry = 2 : i64, num_consts = 2 : i64, reverse = false} : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<1000x2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<1000xf32>, tensor<1000xf32>)
// CHECK-NEXT: return %[[S]]#0, %[[S]]#2, %[[S]]#1, %[[S]]#3
func.func @jvp_scan(%w: tensor<2xf32>, %h: tensor<2xf32>, %xs: tensor<1000x2xf32>, %tw: tensor<2xf32>, %th: tensor<2xf32>) -> (tensor<2xf32>, tensor<1000xf32>, tensor<2xf32>, tensor<1000xf32>) {
  %0:4 = "plait.jvp"(%w, %h, %xs, %tw, %th) {callee = @rnn, diff_args = array<i64: 0, 1>} : (tensor<2xf32>, tensor<2xf32>, tensor<1000x2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<1000xf32>, tensor<2xf32>, tensor<1000xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2xf32>, tensor<1000xf32>, tensor<2xf32>, tensor<1000xf32>
}

func.func private @rnn(%w: tensor<2xf32>, %h: tensor<2xf32>, %xs: tensor<1000x2xf32>) -> (tensor<2xf32>, tensor<1000xf32>) {
  %0:2 = "plait.scan"(%w, %h, %xs) ({
  ^bb0(%cw: tensor<2xf32>, %c: tensor<2xf32>, %x: tensor<2xf32>):
    %m = "plait.mul"(%cw, %c) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %a = "plait.add"(%m, %x) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %t = "plait.tanh"(%a) : (tensor<2xf32>) -> tensor<2xf32>
    %y = "plait.reduce_sum"(%t) {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
    "plait.yield"(%t, %y) : (tensor<2xf32>, tensor<f32>) -> ()
  }) {length = 1000 : i64, num_carry = 1 : i64, num_consts = 1 : i64, reverse = false} : (tensor<2xf32>, tensor<2xf32>, tensor<1000x2xf32>) -> (tensor<2xf32>, tensor<1000xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<1000xf32>
}

// -----

// The JVP of a cond is one cond of the branches' JVPs; a branch whose output has no tangent
// yields zeros for it.
// CHECK-LABEL: func.func private @g_jvp
// CHECK-SAME: (%[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[C:.*]]:2 = "plait.cond"(%[[I]], %[[X]], %[[T]]) ({
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4xf32>, %[[TA:.*]]: tensor<4xf32>):
// CHECK-DAG: %[[S:.*]] = "plait.sin"(%[[A]])
// CHECK-DAG: %[[COS:.*]] = "plait.cos"(%[[A]])
// CHECK-DAG: %[[DS:.*]] = "plait.mul"(%[[TA]], %[[COS]])
// CHECK-NEXT: "plait.yield"(%[[S]], %[[DS]])
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xf32>):
// CHECK-DAG: %[[ONE:.*]] = "plait.constant"() {value = dense<1.000000e+00>
// CHECK-DAG: %[[ZERO:.*]] = "plait.constant"() {value = dense<0.000000e+00>
// CHECK-NEXT: "plait.yield"(%[[ONE]], %[[ZERO]])
// CHECK-NEXT: }) : (tensor<i32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: return %[[C]]#0, %[[C]]#1
func.func @jvp_cond(%i: tensor<i32>, %x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%i, %x, %t) {callee = @g, diff_args = array<i64: 1>} : (tensor<i32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @g(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<4xf32>):
    %s = "plait.sin"(%a) : (tensor<4xf32>) -> tensor<4xf32>
    "plait.yield"(%s) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>):
    %c = "plait.constant"() {value = dense<1.000000e+00> : tensor<4xf32>} : () -> tensor<4xf32>
    "plait.yield"(%c) : (tensor<4xf32>) -> ()
  }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Linear ops apply to the tangent as they are: the broadcast that stretches the size-1 dim 0
// to 4 stretches the tangent the same way (same dims, same shape).
// CHECK-LABEL: func.func private @stretch_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<1x3xf32>, %[[T:.*]]: tensor<1x3xf32>)
// CHECK-DAG: %[[Y:.*]] = "plait.broadcast_in_dim"(%[[X]]) {broadcast_dimensions = array<i64: 1, 2>, shape = array<i64: 2, 4, 3>} : (tensor<1x3xf32>) -> tensor<2x4x3xf32>
// CHECK-DAG: %[[DY:.*]] = "plait.broadcast_in_dim"(%[[T]]) {broadcast_dimensions = array<i64: 1, 2>, shape = array<i64: 2, 4, 3>} : (tensor<1x3xf32>) -> tensor<2x4x3xf32>
// CHECK-NEXT: return %[[Y]], %[[DY]]
func.func @broadcast_size_one(%x: tensor<1x3xf32>, %t: tensor<1x3xf32>) -> (tensor<2x4x3xf32>, tensor<2x4x3xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @stretch, diff_args = array<i64: 0>} : (tensor<1x3xf32>, tensor<1x3xf32>) -> (tensor<2x4x3xf32>, tensor<2x4x3xf32>)
  return %0#0, %0#1 : tensor<2x4x3xf32>, tensor<2x4x3xf32>
}

func.func private @stretch(%x: tensor<1x3xf32>) -> tensor<2x4x3xf32> {
  %0 = "plait.broadcast_in_dim"(%x) {broadcast_dimensions = array<i64: 1, 2>, shape = array<i64: 2, 4, 3>} : (tensor<1x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// A transpose of a 3-D array: the tangent takes the same permutation.
// CHECK-LABEL: func.func private @rotate_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[T:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[Y:.*]] = "plait.transpose"(%[[X]]) {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
// CHECK-DAG: %[[DY:.*]] = "plait.transpose"(%[[T]]) {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
// CHECK-NEXT: return %[[Y]], %[[DY]]
func.func @transpose_3d(%x: tensor<2x3x4xf32>, %t: tensor<2x3x4xf32>) -> (tensor<3x4x2xf32>, tensor<3x4x2xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @rotate, diff_args = array<i64: 0>} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> (tensor<3x4x2xf32>, tensor<3x4x2xf32>)
  return %0#0, %0#1 : tensor<3x4x2xf32>, tensor<3x4x2xf32>
}

func.func private @rotate(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = "plait.transpose"(%x) {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  return %0 : tensor<3x4x2xf32>
}

// -----

// The max over the middle axis of a 3-D array: the tangent is the mean of t over the positions
// that attain the max (jax's rule), the max broadcast back along dims (0, 2) to find them.
// CHECK-LABEL: func.func private @max_middle_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[T:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[M:.*]] = "plait.reduce_max"(%[[X]]) {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
// CHECK-DAG: %[[MB:.*]] = "plait.broadcast_in_dim"(%[[M]]) {broadcast_dimensions = array<i64: 0, 2>, shape = array<i64: 2, 3, 4>}
// CHECK-DAG: %[[HIT:.*]] = "plait.compare"(%[[X]], %[[MB]]) {direction = "EQ"}
// CHECK-DAG: %[[HITF:.*]] = "plait.convert"(%[[HIT]]) {new_dtype = f32}
// CHECK-DAG: %[[COUNT:.*]] = "plait.reduce_sum"(%[[HITF]]) {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
// CHECK-DAG: %[[TH:.*]] = "plait.mul"(%[[T]], %[[HITF]])
// CHECK-DAG: %[[SUM:.*]] = "plait.reduce_sum"(%[[TH]]) {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
// CHECK-DAG: %[[DM:.*]] = "plait.div"(%[[SUM]], %[[COUNT]])
// CHECK-NEXT: return %[[M]], %[[DM]]
func.func @reduce_max_3d(%x: tensor<2x3x4xf32>, %t: tensor<2x3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @max_middle, diff_args = array<i64: 0>} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return %0#0, %0#1 : tensor<2x4xf32>, tensor<2x4xf32>
}

func.func private @max_middle(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.reduce_max"(%x) {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A batched matmul: the tangent along a is the same dot_general (batch dim 0, contracting
// a's 2 with b's 1) of ta and b.
// CHECK-LABEL: func.func private @bmm_jvp
// CHECK-SAME: (%[[A:.*]]: tensor<5x2x3xf32>, %[[B:.*]]: tensor<5x3x4xf32>, %[[TA:.*]]: tensor<5x2x3xf32>)
// CHECK-DAG: %[[P:.*]] = "plait.dot_general"(%[[A]], %[[B]])
// CHECK-DAG: %[[DP:.*]] = "plait.dot_general"(%[[TA]], %[[B]]) {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
// CHECK-NEXT: return %[[P]], %[[DP]]
func.func @batched_dot(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>, %ta: tensor<5x2x3xf32>) -> (tensor<5x2x4xf32>, tensor<5x2x4xf32>) {
  %0:2 = "plait.jvp"(%a, %b, %ta) {callee = @bmm, diff_args = array<i64: 0>} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>, tensor<5x2x3xf32>) -> (tensor<5x2x4xf32>, tensor<5x2x4xf32>)
  return %0#0, %0#1 : tensor<5x2x4xf32>, tensor<5x2x4xf32>
}

func.func private @bmm(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// -----

// sort: the tangents ride along, sorted by the primal keys.
// CHECK-LABEL: func.func private @sortkv_jvp
// CHECK-SAME: (%[[K:.*]]: tensor<5xui32>, %[[V:.*]]: tensor<5xf32>, %[[T:.*]]: tensor<5xf32>)
// CHECK-NEXT: %[[S:.*]]:2 = "plait.sort"(%[[K]], %[[V]]) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64}
// CHECK-NEXT: %[[ST:.*]]:2 = "plait.sort"(%[[K]], %[[T]]) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64}
// CHECK-NEXT: return %[[S]]#1, %[[ST]]#1
func.func @sort_values(%k: tensor<5xui32>, %v: tensor<5xf32>, %t: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>) {
  %0:2 = "plait.jvp"(%k, %v, %t) {callee = @sortkv, diff_args = array<i64: 1>} : (tensor<5xui32>, tensor<5xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>)
  return %0#0, %0#1 : tensor<5xf32>, tensor<5xf32>
}

func.func private @sortkv(%k: tensor<5xui32>, %v: tensor<5xf32>) -> tensor<5xf32> {
  %0:2 = "plait.sort"(%k, %v) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64} : (tensor<5xui32>, tensor<5xf32>) -> (tensor<5xui32>, tensor<5xf32>)
  return %0#1 : tensor<5xf32>
}

// -----

// Cholesky (Murray 2016): L̇ = L Φ(L⁻¹ Ȧ L⁻ᴴ), Φ the lower triangle with its diagonal halved;
// L⁻¹ Ȧ L⁻ᴴ is two triangular solves with the primal factor.
// CHECK-LABEL: func.func private @chol_jvp
// CHECK-SAME: (%[[A:.*]]: tensor<3x3xf32>, %[[T:.*]]: tensor<3x3xf32>)
// CHECK-NEXT: %[[L:.*]] = "plait.cholesky"(%[[A]])
// CHECK-NEXT: %[[R:.*]] = "plait.triangular_solve"(%[[L]], %[[T]]) {conjugate_a = true, left_side = false, lower = true, transpose_a = true, unit_diagonal = false}
// CHECK-NEXT: %[[W:.*]] = "plait.triangular_solve"(%[[L]], %[[R]]) {conjugate_a = false, left_side = true, lower = true, transpose_a = false, unit_diagonal = false}
// CHECK: %[[HALF:.*]] = "plait.select"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<3x3xi1>, tensor<3x3xf32>, tensor<3x3xf32>)
// CHECK: %[[TRIL:.*]] = "plait.select"(%{{.*}}, %[[W]], %{{.*}})
// CHECK-NEXT: %[[PHI:.*]] = "plait.mul"(%[[TRIL]], %[[HALF]])
// CHECK-NEXT: %[[DL:.*]] = "plait.dot_general"(%[[L]], %[[PHI]])
// CHECK-NEXT: return %[[L]], %[[DL]]
func.func @cholesky(%a: tensor<3x3xf32>, %t: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>) {
  %0:2 = "plait.jvp"(%a, %t) {callee = @chol, diff_args = array<i64: 0>} : (tensor<3x3xf32>, tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>)
  return %0#0, %0#1 : tensor<3x3xf32>, tensor<3x3xf32>
}

func.func private @chol(%a: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = "plait.cholesky"(%a) : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// stop_gradient's tangent is zero: the product rule keeps only the term through the other
// operand, t * sg(x).
// CHECK-LABEL: func.func private @cut_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[S:.*]] = "plait.stop_gradient"(%[[X]])
// CHECK-DAG: %[[Y:.*]] = "plait.mul"(%[[S]], %[[X]])
// CHECK-DAG: %[[DY:.*]] = "plait.mul"(%[[S]], %[[T]])
// CHECK-NEXT: return %[[Y]], %[[DY]]
func.func @stop_gradient(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @cut, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @cut(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.stop_gradient"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%0, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// d x**3 = t * (3 * x**2), the power one lower again an integer_pow; reduce_precision is linear
// (as in jax): its tangent is the incoming tangent rounded alike.
// CHECK-LABEL: @powers
// CHECK-NEXT: call @cube_jvp
func.func @powers(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @cube, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @cube(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.integer_pow"(%x) {y = 3 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.reduce_precision"(%0) {exponent_bits = 5 : i64, mantissa_bits = 10 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @cube_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[Y:.*]] = "plait.integer_pow"(%[[X]]) {y = 3 : i64}
// CHECK-DAG: %[[THREE:.*]] = "plait.constant"() {value = dense<3.000000e+00> : tensor<4xf32>}
// CHECK-DAG: %[[X2:.*]] = "plait.integer_pow"(%[[X]]) {y = 2 : i64}
// CHECK-DAG: %[[D:.*]] = "plait.mul"(%[[THREE]], %[[X2]])
// CHECK-DAG: %[[DY:.*]] = "plait.mul"(%[[T]], %[[D]])
// CHECK-DAG: %[[R:.*]] = "plait.reduce_precision"(%[[Y]]) {exponent_bits = 5 : i64, mantissa_bits = 10 : i64}
// CHECK-DAG: %[[DR:.*]] = "plait.reduce_precision"(%[[DY]]) {exponent_bits = 5 : i64, mantissa_bits = 10 : i64}
// CHECK-NEXT: return %[[R]], %[[DR]]
