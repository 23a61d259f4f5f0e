// RUN: plait-opt %s --split-input-file --plait-autodiff | filecheck %s
// RUN: plait-opt %s --split-input-file --plait-autodiff | filecheck %s --check-prefix=NONE

// AD of the region ops. Under a vjp, cond and scan JVPs take the split form: a primal op that
// also returns the residuals its tangent needs (stacked per iteration for scan) and a tangent op
// linear in the tangents, which plait-transpose transposes (a scan into a scan running the other
// way). A jvp alone makes one op carrying primals and tangents, with no residuals.

// NONE-NOT: "plait.{{(jvp|vjp|linear_transpose)}}"

// vjp of an RNN-like scan (a const w, a carry h, xs). The forward scan returns the final carry
// and stacked residuals; w's broadcast, loop invariant, is computed once outside the loop.
// CHECK-LABEL: @vjp_scan
// CHECK-SAME: (%[[W:.*]]: tensor<f32>, %[[H:.*]]: tensor<2xf32>, %[[XS:.*]]: tensor<5x2xf32>, %[[CT:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[F:.*]]:4 = call @rnn_fwd(%[[W]], %[[H]], %[[XS]])
// CHECK-NEXT: %[[D:.*]]:3 = call @rnn_lin_T(%[[F]]#1, %[[F]]#2, %[[F]]#3, %[[CT]])
// CHECK-NEXT: return %[[F]]#0, %[[D]]#0, %[[D]]#1, %[[D]]#2
func.func @vjp_scan(%w: tensor<f32>, %h: tensor<2xf32>, %xs: tensor<5x2xf32>, %ct: tensor<2xf32>) -> (tensor<2xf32>, tensor<f32>, tensor<2xf32>, tensor<5x2xf32>) {
  %0:4 = "plait.vjp"(%w, %h, %xs, %ct) {callee = @rnn, diff_args = array<i64: 0, 1, 2>, ct_outs = array<i64: 0>} : (tensor<f32>, tensor<2xf32>, tensor<5x2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<f32>, tensor<2xf32>, tensor<5x2xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2xf32>, tensor<f32>, tensor<2xf32>, tensor<5x2xf32>
}

func.func private @rnn(%w: tensor<f32>, %h: tensor<2xf32>, %xs: tensor<5x2xf32>) -> tensor<2xf32> {
  %0 = "plait.scan"(%w, %h, %xs) ({
  ^bb0(%bw: tensor<f32>, %bh: tensor<2xf32>, %bx: tensor<2xf32>):
    %b = "plait.broadcast_in_dim"(%bw) {broadcast_dimensions = array<i64>, shape = array<i64: 2>} : (tensor<f32>) -> tensor<2xf32>
    %m = "plait.mul"(%b, %bh) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %a = "plait.add"(%m, %bx) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %s = "plait.sin"(%a) : (tensor<2xf32>) -> tensor<2xf32>
    "plait.yield"(%s) : (tensor<2xf32>) -> ()
  }) {length = 5 : i64, num_carry = 1 : i64, num_consts = 1 : i64, reverse = false} : (tensor<f32>, tensor<2xf32>, tensor<5x2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// Residuals per step: the carry h (for w's tangent) and cos(w * h + x) (for sin's).
// CHECK-LABEL: func.func private @rnn_fwd
// CHECK-SAME: (%[[W:.*]]: tensor<f32>, %[[H:.*]]: tensor<2xf32>, %[[XS:.*]]: tensor<5x2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<5x2xf32>, tensor<5x2xf32>)
// CHECK-NEXT: %[[BW:.*]] = "plait.broadcast_in_dim"(%[[W]])
// CHECK-NEXT: %[[S:.*]]:3 = "plait.scan"(%[[W]], %[[H]], %[[XS]]) ({
// CHECK-NEXT: ^bb0(%[[CW:.*]]: tensor<f32>, %[[CH:.*]]: tensor<2xf32>, %[[X:.*]]: tensor<2xf32>):
// CHECK-DAG: %[[B:.*]] = "plait.broadcast_in_dim"(%[[CW]])
// CHECK-DAG: %[[M:.*]] = "plait.mul"(%[[B]], %[[CH]])
// CHECK-DAG: %[[A:.*]] = "plait.add"(%[[M]], %[[X]])
// CHECK-DAG: %[[SIN:.*]] = "plait.sin"(%[[A]])
// CHECK-DAG: %[[COS:.*]] = "plait.cos"(%[[A]])
// CHECK-NEXT: "plait.yield"(%[[SIN]], %[[CH]], %[[COS]])
// CHECK-NEXT: }) {length = 5 : i64, num_carry = 1 : i64, num_consts = 1 : i64, reverse = false} : (tensor<f32>, tensor<2xf32>, tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5x2xf32>, tensor<5x2xf32>)
// CHECK-NEXT: return %[[S]]#0, %[[BW]], %[[S]]#1, %[[S]]#2

// The transposed scan runs backwards: it carries h's cotangent and accumulates w's (from a
// zero), takes the invariant residual as a const and the stacked ones as xs, and returns
// the xs cotangents as ys.
// CHECK-LABEL: func.func private @rnn_lin_T
// CHECK-SAME: (%[[BW:.*]]: tensor<2xf32>, %[[HS:.*]]: tensor<5x2xf32>, %[[COSS:.*]]: tensor<5x2xf32>, %[[CT:.*]]: tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>, tensor<5x2xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<f32>}
// CHECK-NEXT: %[[T:.*]]:3 = "plait.scan"(%[[BW]], %[[CT]], %[[ZERO]], %[[HS]], %[[COSS]]) ({
// CHECK-NEXT: ^bb0(%[[CBW:.*]]: tensor<2xf32>, %[[CTH:.*]]: tensor<2xf32>, %[[ACC:.*]]: tensor<f32>, %[[H:.*]]: tensor<2xf32>, %[[COS:.*]]: tensor<2xf32>):
// CHECK-DAG: %[[CTA:.*]] = "plait.mul"(%[[CTH]], %[[COS]])
// CHECK-DAG: %[[CTH2:.*]] = "plait.mul"(%[[CBW]], %[[CTA]])
// CHECK-DAG: %[[CTB:.*]] = "plait.mul"(%[[CTA]], %[[H]])
// CHECK-DAG: %[[SUM:.*]] = "plait.reduce_sum"(%[[CTB]]) {axes = array<i64: 0>}
// CHECK-DAG: %[[CTW:.*]] = "plait.reshape"(%[[SUM]])
// CHECK-DAG: %[[ACC2:.*]] = "plait.add"(%[[ACC]], %[[CTW]])
// CHECK-NEXT: "plait.yield"(%[[CTH2]], %[[ACC2]], %[[CTA]])
// CHECK-NEXT: }) {length = 5 : i64, num_carry = 2 : i64, num_consts = 1 : i64, reverse = true} : (tensor<2xf32>, tensor<2xf32>, tensor<f32>, tensor<5x2xf32>, tensor<5x2xf32>) -> (tensor<2xf32>, tensor<f32>, tensor<5x2xf32>)
// CHECK-NEXT: return %[[T]]#1, %[[T]]#0, %[[T]]#2

// -----

// A reverse scan transposes into a forward one. Both outputs (carry and ys) get cotangents:
// each step adds the ys cotangent to the carry's.
// CHECK-LABEL: @vjp_scan_reverse
// CHECK: call @cumprod_fwd
// CHECK: call @cumprod_lin_T
func.func @vjp_scan_reverse(%xs: tensor<3xf32>, %ct_c: tensor<f32>, %ct_ys: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>) {
  %0:3 = "plait.vjp"(%xs, %ct_c, %ct_ys) {callee = @cumprod, diff_args = array<i64: 0>, ct_outs = array<i64: 0, 1>} : (tensor<3xf32>, tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
  return %0#0, %0#1, %0#2 : tensor<f32>, tensor<3xf32>, tensor<3xf32>
}

func.func private @cumprod(%xs: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %one = "plait.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %0:2 = "plait.scan"(%one, %xs) ({
  ^bb0(%c: tensor<f32>, %x: tensor<f32>):
    %p = "plait.mul"(%c, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%p, %p) : (tensor<f32>, tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = true} : (tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<f32>, tensor<3xf32>
}

// CHECK-LABEL: func.func private @cumprod_fwd
// CHECK: "plait.scan"
// CHECK: reverse = true

// CHECK-LABEL: func.func private @cumprod_lin_T
// CHECK-SAME: (%[[XS:.*]]: tensor<3xf32>, %[[CS:.*]]: tensor<3xf32>, %[[CTC:.*]]: tensor<f32>, %[[CTYS:.*]]: tensor<3xf32>) -> tensor<3xf32>
// CHECK: %[[T:.*]]:2 = "plait.scan"(%[[CTC]], %[[XS]], %[[CS]], %[[CTYS]]) ({
// CHECK-NEXT: ^bb0(%[[CT:.*]]: tensor<f32>, %[[X:.*]]: tensor<f32>, %[[C:.*]]: tensor<f32>, %[[CTY:.*]]: tensor<f32>):
// CHECK-DAG: %[[CTP:.*]] = "plait.add"(%[[CT]], %[[CTY]])
// CHECK-DAG: %[[CTX:.*]] = "plait.mul"(%[[C]], %[[CTP]])
// CHECK-DAG: %[[CTC2:.*]] = "plait.mul"(%[[CTP]], %[[X]])
// CHECK-NEXT: "plait.yield"(%[[CTC2]], %[[CTX]])
// CHECK-NEXT: }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false}
// CHECK-NEXT: return %[[T]]#1 : tensor<3xf32>

// -----

// jvp of a scan: one scan carrying (h, h_dot); nothing is stacked.
// CHECK-LABEL: func.func private @f_jvp
// CHECK-SAME: (%[[H:.*]]: tensor<f32>, %[[XS:.*]]: tensor<3xf32>, %[[TH:.*]]: tensor<f32>)
// CHECK-NEXT: %[[S:.*]]:2 = "plait.scan"(%[[H]], %[[TH]], %[[XS]]) ({
// CHECK-NEXT: ^bb0(%[[C:.*]]: tensor<f32>, %[[TC:.*]]: tensor<f32>, %[[X:.*]]: tensor<f32>):
// CHECK-DAG: %[[A:.*]] = "plait.add"(%[[C]], %[[X]])
// CHECK-DAG: %[[SIN:.*]] = "plait.sin"(%[[A]])
// CHECK-DAG: %[[COS:.*]] = "plait.cos"(%[[A]])
// CHECK-DAG: %[[DT:.*]] = "plait.mul"(%[[TC]], %[[COS]])
// CHECK-NEXT: "plait.yield"(%[[SIN]], %[[DT]])
// CHECK-NEXT: }) {length = 3 : i64, num_carry = 2 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<f32>)
// CHECK-NEXT: return %[[S]]#0, %[[S]]#1
func.func @jvp_scan(%h: tensor<f32>, %xs: tensor<3xf32>, %th: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "plait.jvp"(%h, %xs, %th) {callee = @f, diff_args = array<i64: 0>} : (tensor<f32>, tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

func.func private @f(%h: tensor<f32>, %xs: tensor<3xf32>) -> tensor<f32> {
  %0 = "plait.scan"(%h, %xs) ({
  ^bb0(%c: tensor<f32>, %x: tensor<f32>):
    %a = "plait.add"(%c, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %s = "plait.sin"(%a) : (tensor<f32>) -> tensor<f32>
    "plait.yield"(%s) : (tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// vjp of a cond: each branch of the forward cond returns its output, its own residuals and
// zeros for the other branches'; the transposed cond picks the same branch by the index.
// CHECK-LABEL: @vjp_cond
// CHECK-SAME: (%[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]]:4 = call @g_fwd(%[[I]], %[[X]])
// CHECK-NEXT: %[[DX:.*]] = call @g_lin_T(%[[F]]#1, %[[F]]#2, %[[F]]#3, %[[CT]])
// CHECK-NEXT: return %[[F]]#0, %[[DX]]
func.func @vjp_cond(%i: tensor<i32>, %x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%i, %x, %ct) {callee = @g, diff_args = array<i64: 1>, ct_outs = array<i64: 0>} : (tensor<i32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @g(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<4xf32>):
    %s = "plait.sin"(%a) : (tensor<4xf32>) -> tensor<4xf32>
    "plait.yield"(%s) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>):
    %m = "plait.mul"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    "plait.yield"(%m) : (tensor<4xf32>) -> ()
  }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @g_fwd
// CHECK-SAME: (%[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[C:.*]]:3 = "plait.cond"(%[[I]], %[[X]]) ({
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4xf32>):
// CHECK-DAG: %[[SIN:.*]] = "plait.sin"(%[[A]])
// CHECK-DAG: %[[COS:.*]] = "plait.cos"(%[[A]])
// CHECK-DAG: %[[Z:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<4xf32>}
// CHECK-NEXT: "plait.yield"(%[[SIN]], %[[COS]], %[[Z]])
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%[[B:.*]]: tensor<4xf32>):
// CHECK-DAG: %[[SQ:.*]] = "plait.mul"(%[[B]], %[[B]])
// CHECK-DAG: %[[Z2:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<4xf32>}
// CHECK-NEXT: "plait.yield"(%[[SQ]], %[[Z2]], %[[B]])
// CHECK-NEXT: }) : (tensor<i32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: return %[[C]]#0, %[[I]], %[[C]]#1, %[[C]]#2

// CHECK-LABEL: func.func private @g_lin_T
// CHECK-SAME: (%[[I:.*]]: tensor<i32>, %[[R0:.*]]: tensor<4xf32>, %[[R1:.*]]: tensor<4xf32>, %[[CT:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[T:.*]] = "plait.cond"(%[[I]], %[[R0]], %[[R1]], %[[CT]]) ({
// CHECK-NEXT: ^bb0(%[[COS:.*]]: tensor<4xf32>, %{{.*}}: tensor<4xf32>, %[[C0:.*]]: tensor<4xf32>):
// CHECK-NEXT: %[[D0:.*]] = "plait.mul"(%[[C0]], %[[COS]])
// CHECK-NEXT: "plait.yield"(%[[D0]])
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<4xf32>, %[[X:.*]]: tensor<4xf32>, %[[C1:.*]]: tensor<4xf32>):
// CHECK-DAG: %[[L:.*]] = "plait.mul"(%[[X]], %[[C1]])
// CHECK-DAG: %[[R:.*]] = "plait.mul"(%[[C1]], %[[X]])
// CHECK-DAG: %[[D1:.*]] = "plait.add"(%[[L]], %[[R]])
// CHECK-NEXT: "plait.yield"(%[[D1]])
// CHECK-NEXT: }) : (tensor<i32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[T]]

// -----

// jvp of a while: one loop carrying (x, x_dot); the predicate sees only the primal carry.
// CHECK-LABEL: func.func private @w_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK-NEXT: %[[W:.*]]:2 = "plait.while"(%[[X]], %[[T]]) ({
// CHECK-NEXT: ^bb0(%[[C:.*]]: tensor<f32>, %{{.*}}: tensor<f32>):
// CHECK-NEXT: %[[TEN:.*]] = "plait.constant"()
// CHECK-NEXT: %[[LT:.*]] = "plait.compare"(%[[C]], %[[TEN]]) {direction = "LT"}
// CHECK-NEXT: "plait.yield"(%[[LT]])
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%[[BC:.*]]: tensor<f32>, %[[BT:.*]]: tensor<f32>):
// CHECK-DAG: %[[SQ:.*]] = "plait.mul"(%[[BC]], %[[BC]])
// CHECK-DAG: %[[L:.*]] = "plait.mul"(%[[BT]], %[[BC]])
// CHECK-DAG: %[[R:.*]] = "plait.mul"(%[[BC]], %[[BT]])
// CHECK-DAG: %[[DT:.*]] = "plait.add"(%[[L]], %[[R]])
// CHECK-NEXT: "plait.yield"(%[[SQ]], %[[DT]])
// CHECK-NEXT: }) {num_consts = 0 : i64} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
// CHECK-NEXT: return %[[W]]#0, %[[W]]#1
func.func @jvp_while(%x: tensor<f32>, %t: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @w, diff_args = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

func.func private @w(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.while"(%x) ({
  ^bb0(%c: tensor<f32>):
    %ten = "plait.constant"() {value = dense<10.0> : tensor<f32>} : () -> tensor<f32>
    %p = "plait.compare"(%c, %ten) {direction = "LT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "plait.yield"(%p) : (tensor<i1>) -> ()
  }, {
  ^bb0(%c: tensor<f32>):
    %m = "plait.mul"(%c, %c) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%m) : (tensor<f32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A tangent that reaches a while only through its predicate gives its carry no tangent: the
// loop stays in the forward pass and reverse mode works (x * count(x) differentiates to the
// count).
// CHECK-LABEL: func.func private @count_fwd
// CHECK-SAME: (%[[X:.*]]: tensor<f32>)
// CHECK: %[[N:.*]] = "plait.while"(%[[X]], %{{.*}})
// CHECK: %[[Y:.*]] = "plait.mul"(%[[N]], %[[X]])
// CHECK-NEXT: return %[[Y]], %[[N]]
// CHECK-LABEL: func.func private @count_lin_T
// CHECK-SAME: (%[[N:.*]]: tensor<f32>, %[[CT:.*]]: tensor<f32>)
// CHECK-NOT: plait.while
// CHECK: %[[DX:.*]] = "plait.mul"(%[[N]], %[[CT]])
// CHECK-NEXT: return %[[DX]]
func.func @vjp_while_predicate_only(%x: tensor<f32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @count, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

func.func private @count(%x: tensor<f32>) -> tensor<f32> {
  %zero = "plait.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %0 = "plait.while"(%x, %zero) ({
  ^bb0(%l: tensor<f32>, %c: tensor<f32>):
    %p = "plait.compare"(%c, %l) {direction = "LT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "plait.yield"(%p) : (tensor<i1>) -> ()
  }, {
  ^bb0(%l: tensor<f32>, %c: tensor<f32>):
    %one = "plait.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
    %n = "plait.add"(%c, %one) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%n) : (tensor<f32>) -> ()
  }) {num_consts = 1 : i64} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %r = "plait.mul"(%0, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
