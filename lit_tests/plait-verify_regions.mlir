// RUN: %roundtrip
// RUN: plait-opt %s | filecheck %s

// Valid IR for the region ops: plait-verify accepts it, and each op prints in generic form
// with its regions and parses back to the same text. Regions are isolated from above: what a
// branch or body uses from outside is an operand.

// cond: an int32 index picks a branch; every branch takes the operands and yields the results.
// CHECK-LABEL: @cond
// CHECK-SAME: (%[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = "plait.cond"(%[[I]], %[[X]]) ({
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4xf32>):
// CHECK-NEXT: %[[SIN:.*]] = "plait.sin"(%[[A]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: "plait.yield"(%[[SIN]]) : (tensor<4xf32>) -> ()
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%[[B:.*]]: tensor<4xf32>):
// CHECK-NEXT: "plait.yield"(%[[B]]) : (tensor<4xf32>) -> ()
// CHECK-NEXT: }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[R]]
func.func @cond(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<4xf32>):
    %s = "plait.sin"(%a) : (tensor<4xf32>) -> tensor<4xf32>
    "plait.yield"(%s) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>):
    "plait.yield"(%a) : (tensor<4xf32>) -> ()
  }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// switch is a cond with more branches; results may be several, of mixed dtypes.
// CHECK-LABEL: @switch
// CHECK-SAME: (%[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<f32>, %[[N:.*]]: tensor<i32>)
// CHECK-NEXT: %[[R:.*]]:2 = "plait.cond"(%[[I]], %[[X]], %[[N]]) ({
// CHECK: }, {
// CHECK: }, {
// CHECK: }) : (tensor<i32>, tensor<f32>, tensor<i32>) -> (tensor<f32>, tensor<i32>)
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
func.func @switch(%i: tensor<i32>, %x: tensor<f32>, %n: tensor<i32>) -> (tensor<f32>, tensor<i32>) {
  %0:2 = "plait.cond"(%i, %x, %n) ({
  ^bb0(%a: tensor<f32>, %k: tensor<i32>):
    "plait.yield"(%a, %k) : (tensor<f32>, tensor<i32>) -> ()
  }, {
  ^bb0(%a: tensor<f32>, %k: tensor<i32>):
    %e = "plait.exp"(%a) : (tensor<f32>) -> tensor<f32>
    "plait.yield"(%e, %k) : (tensor<f32>, tensor<i32>) -> ()
  }, {
  ^bb0(%a: tensor<f32>, %k: tensor<i32>):
    %m = "plait.mul"(%a, %a) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %z = "plait.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
    "plait.yield"(%m, %z) : (tensor<f32>, tensor<i32>) -> ()
  }) : (tensor<i32>, tensor<f32>, tensor<i32>) -> (tensor<f32>, tensor<i32>)
  return %0#0, %0#1 : tensor<f32>, tensor<i32>
}

// while: both regions take (consts, carry); cond yields a bool scalar, body the next carry,
// and the results are the final carry (consts are not returned).
// CHECK-LABEL: @while
// CHECK-SAME: (%[[LIMIT:.*]]: tensor<f32>, %[[X:.*]]: tensor<f32>)
// CHECK-NEXT: %[[R:.*]] = "plait.while"(%[[LIMIT]], %[[X]]) ({
// CHECK-NEXT: ^bb0(%[[CL:.*]]: tensor<f32>, %[[CX:.*]]: tensor<f32>):
// CHECK-NEXT: %[[LT:.*]] = "plait.compare"(%[[CX]], %[[CL]]) {direction = "LT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK-NEXT: "plait.yield"(%[[LT]]) : (tensor<i1>) -> ()
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%[[BL:.*]]: tensor<f32>, %[[BX:.*]]: tensor<f32>):
// CHECK-NEXT: %[[SQ:.*]] = "plait.mul"(%[[BX]], %[[BX]]) : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: "plait.yield"(%[[SQ]]) : (tensor<f32>) -> ()
// CHECK-NEXT: }) {num_consts = 1 : i64} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: return %[[R]]
func.func @while(%limit: tensor<f32>, %x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.while"(%limit, %x) ({
  ^bb0(%l: tensor<f32>, %c: tensor<f32>):
    %p = "plait.compare"(%c, %l) {direction = "LT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "plait.yield"(%p) : (tensor<i1>) -> ()
  }, {
  ^bb0(%l: tensor<f32>, %c: tensor<f32>):
    %n = "plait.mul"(%c, %c) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%n) : (tensor<f32>) -> ()
  }) {num_consts = 1 : i64} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// scan: the body takes (consts, carry, one slice of each xs) and yields (carry, one slice of
// each ys); the results are the final carry and the ys stacked along a new leading axis.
// CHECK-LABEL: @scan
// CHECK-SAME: (%[[W:.*]]: tensor<4x4xf32>, %[[H:.*]]: tensor<4xf32>, %[[XS:.*]]: tensor<5x4xf32>)
// CHECK-NEXT: %[[R:.*]]:2 = "plait.scan"(%[[W]], %[[H]], %[[XS]]) ({
// CHECK-NEXT: ^bb0(%[[BW:.*]]: tensor<4x4xf32>, %[[BH:.*]]: tensor<4xf32>, %[[BX:.*]]: tensor<4xf32>):
// CHECK-NEXT: %[[DOT:.*]] = "plait.dot_general"(%[[BW]], %[[BH]])
// CHECK-NEXT: %[[ADD:.*]] = "plait.add"(%[[DOT]], %[[BX]])
// CHECK-NEXT: %[[TANH:.*]] = "plait.tanh"(%[[ADD]])
// CHECK-NEXT: %[[Y:.*]] = "plait.reduce_sum"(%[[TANH]]) {axes = array<i64: 0>}
// CHECK-NEXT: "plait.yield"(%[[TANH]], %[[Y]]) : (tensor<4xf32>, tensor<f32>) -> ()
// CHECK-NEXT: }) {length = 5 : i64, num_carry = 1 : i64, num_consts = 1 : i64, reverse = true} : (tensor<4x4xf32>, tensor<4xf32>, tensor<5x4xf32>) -> (tensor<4xf32>, tensor<5xf32>)
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
func.func @scan(%w: tensor<4x4xf32>, %h: tensor<4xf32>, %xs: tensor<5x4xf32>) -> (tensor<4xf32>, tensor<5xf32>) {
  %0:2 = "plait.scan"(%w, %h, %xs) ({
  ^bb0(%bw: tensor<4x4xf32>, %bh: tensor<4xf32>, %bx: tensor<4xf32>):
    %d = "plait.dot_general"(%bw, %bh) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %a = "plait.add"(%d, %bx) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %t = "plait.tanh"(%a) : (tensor<4xf32>) -> tensor<4xf32>
    %y = "plait.reduce_sum"(%t) {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
    "plait.yield"(%t, %y) : (tensor<4xf32>, tensor<f32>) -> ()
  }) {length = 5 : i64, num_carry = 1 : i64, num_consts = 1 : i64, reverse = true} : (tensor<4x4xf32>, tensor<4xf32>, tensor<5x4xf32>) -> (tensor<4xf32>, tensor<5xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<5xf32>
}

// A scan with no xs loops `length` times; one with no carry only maps.
// CHECK-LABEL: @scan_no_xs_no_carry
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[XS:.*]]: tensor<3x2xf32>)
// CHECK-NEXT: %[[A:.*]] = "plait.scan"(%[[X]]) ({
// CHECK: }) {length = 7 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[B:.*]] = "plait.scan"(%[[XS]]) ({
// CHECK-NEXT: ^bb0(%[[S:.*]]: tensor<2xf32>):
// CHECK: }) {length = 3 : i64, num_carry = 0 : i64, num_consts = 0 : i64, reverse = false} : (tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @scan_no_xs_no_carry(%x: tensor<f32>, %xs: tensor<3x2xf32>) -> (tensor<f32>, tensor<3x2xf32>) {
  %0 = "plait.scan"(%x) ({
  ^bb0(%c: tensor<f32>):
    %n = "plait.add"(%c, %c) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%n) : (tensor<f32>) -> ()
  }) {length = 7 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>) -> tensor<f32>
  %1 = "plait.scan"(%xs) ({
  ^bb0(%s: tensor<2xf32>):
    %e = "plait.exp"(%s) : (tensor<2xf32>) -> tensor<2xf32>
    "plait.yield"(%e) : (tensor<2xf32>) -> ()
  }) {length = 3 : i64, num_carry = 0 : i64, num_consts = 0 : i64, reverse = false} : (tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0, %1 : tensor<f32>, tensor<3x2xf32>
}

// Region ops nest; an inner op's operands may be the outer region's block arguments.
// CHECK-LABEL: @nested
// CHECK-SAME: (%[[XS:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<f32>)
// CHECK-NEXT: %[[R:.*]]:2 = "plait.scan"(%[[C]], %[[XS]]) ({
// CHECK-NEXT: ^bb0(%[[BC:.*]]: tensor<f32>, %[[BX:.*]]: tensor<f32>):
// CHECK-NEXT: %[[ZERO:.*]] = "plait.constant"()
// CHECK-NEXT: %[[GT:.*]] = "plait.compare"(%[[BX]], %[[ZERO]]) {direction = "GT"}
// CHECK-NEXT: %[[I:.*]] = "plait.convert"(%[[GT]]) {new_dtype = i32}
// CHECK-NEXT: %[[IN:.*]] = "plait.cond"(%[[I]], %[[BC]], %[[BX]]) ({
// CHECK: }) : (tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: "plait.yield"(%[[IN]], %[[IN]]) : (tensor<f32>, tensor<f32>) -> ()
// CHECK-NEXT: }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false}
func.func @nested(%xs: tensor<3xf32>, %c: tensor<f32>) -> (tensor<f32>, tensor<3xf32>) {
  %0:2 = "plait.scan"(%c, %xs) ({
  ^bb0(%bc: tensor<f32>, %bx: tensor<f32>):
    %z = "plait.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
    %p = "plait.compare"(%bx, %z) {direction = "GT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %i = "plait.convert"(%p) {new_dtype = i32} : (tensor<i1>) -> tensor<i32>
    %r = "plait.cond"(%i, %bc, %bx) ({
    ^bb0(%a: tensor<f32>, %b: tensor<f32>):
      "plait.yield"(%a) : (tensor<f32>) -> ()
    }, {
    ^bb0(%a: tensor<f32>, %b: tensor<f32>):
      %s = "plait.add"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
      "plait.yield"(%s) : (tensor<f32>) -> ()
    }) : (tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%r, %r) : (tensor<f32>, tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<f32>, tensor<3xf32>
}
