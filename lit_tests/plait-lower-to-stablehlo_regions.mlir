// RUN: plait-opt %s --plait-lower-to-stablehlo | filecheck %s

// Region ops: cond becomes stablehlo.case, while and scan become stablehlo.while. The blocks
// are moved into the new op and plait.yield becomes stablehlo.return.

// case regions take no arguments: the branch's block arguments become the cond's operands.
// CHECK-LABEL: @cond
// CHECK-SAME: (%[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<f32>)
// CHECK-NEXT: %[[R:.*]] = "stablehlo.case"(%[[I]]) ({
// CHECK-NEXT: %[[SIN:.*]] = stablehlo.sine %[[X]] : tensor<4xf32>
// CHECK-NEXT: stablehlo.return %[[SIN]] : tensor<4xf32>
// CHECK-NEXT: }, {
// CHECK-NEXT: stablehlo.return %[[X]] : tensor<4xf32>
// CHECK-NEXT: }) : (tensor<i32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[R]] : tensor<4xf32>
// CHECK-NOT: plait.
func.func @cond(%i: tensor<i32>, %x: tensor<4xf32>, %y: tensor<f32>) -> tensor<4xf32> {
  %0 = "plait.cond"(%i, %x, %y) ({
  ^bb0(%a: tensor<4xf32>, %b: tensor<f32>):
    %s = "plait.sin"(%a) : (tensor<4xf32>) -> tensor<4xf32>
    "plait.yield"(%s) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>, %b: tensor<f32>):
    "plait.yield"(%a) : (tensor<4xf32>) -> ()
  }) : (tensor<i32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// The consts ride along as loop state the body returns unchanged; the results drop them.
// CHECK-LABEL: @while
// CHECK-SAME: (%[[LIMIT:.*]]: tensor<f32>, %[[X:.*]]: tensor<f32>)
// CHECK-DAG: %[[W:.*]]:2 = stablehlo.while(%[[L:[[:alnum:]_]+]] = %[[LIMIT]], %[[C:[[:alnum:]_]+]] = %[[X]]) : tensor<f32>, tensor<f32>
// CHECK-DAG: cond {
// CHECK-DAG: %[[LT:.*]] = stablehlo.compare LT, %[[C]], %[[L]], FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK-NEXT: stablehlo.return %[[LT]] : tensor<i1>
// CHECK-NEXT: } do {
// CHECK-NEXT: %[[SQ:.*]] = stablehlo.multiply %[[C]], %[[C]] : tensor<f32>
// CHECK-NEXT: stablehlo.return %[[L]], %[[SQ]] : tensor<f32>, tensor<f32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[W]]#1 : tensor<f32>
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

// scan: loop state (induction variable, consts, carry, xs, ys). Each step slices xs[i]
// (dynamic_slice + reshape), runs the body, writes ys[i] (reshape + dynamic_update_slice)
// and increments i; the loop runs while i < length. ys start as zeros.
// CHECK-LABEL: @scan
// CHECK-SAME: (%[[W:.*]]: tensor<f32>, %[[H:.*]]: tensor<2xf32>, %[[XS:.*]]: tensor<5x2xf32>)
// CHECK-DAG: %[[Z:.*]] = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: %[[YS0:.*]] = stablehlo.broadcast_in_dim %[[Z]], dims = [] : (tensor<f32>) -> tensor<5xf32>
// CHECK-DAG: %[[I0:.*]] = stablehlo.constant dense<0> : tensor<i32>
// CHECK-DAG: %[[R:.*]]:5 = stablehlo.while(%[[I:[[:alnum:]_]+]] = %[[I0]], %[[BW:[[:alnum:]_]+]] = %[[W]], %[[BH:[[:alnum:]_]+]] = %[[H]], %[[BXS:[[:alnum:]_]+]] = %[[XS]], %[[BYS:[[:alnum:]_]+]] = %[[YS0]]) : tensor<i32>, tensor<f32>, tensor<2xf32>, tensor<5x2xf32>, tensor<5xf32>
// CHECK-DAG: cond {
// CHECK-DAG: %[[LEN:.*]] = stablehlo.constant dense<5> : tensor<i32>
// CHECK-DAG: %[[LT:.*]] = stablehlo.compare LT, %[[I]], %[[LEN]] : (tensor<i32>, tensor<i32>) -> tensor<i1>
// CHECK-NEXT: stablehlo.return %[[LT]] : tensor<i1>
// CHECK-NEXT: } do {
// CHECK-DAG: %[[ZI:.*]] = stablehlo.constant dense<0> : tensor<i32>
// CHECK-DAG: %[[SL:.*]] = stablehlo.dynamic_slice %[[BXS]], %[[I]], %[[ZI]], sizes = [1, 2] : (tensor<5x2xf32>, tensor<i32>, tensor<i32>) -> tensor<1x2xf32>
// CHECK-DAG: %[[X:.*]] = stablehlo.reshape %[[SL]] : (tensor<1x2xf32>) -> tensor<2xf32>
// CHECK-DAG: %[[B:.*]] = stablehlo.broadcast_in_dim %[[BW]], dims = [] : (tensor<f32>) -> tensor<2xf32>
// CHECK-DAG: %[[M:.*]] = stablehlo.multiply %[[B]], %[[BH]] : tensor<2xf32>
// CHECK-DAG: %[[NH:.*]] = stablehlo.add %[[M]], %[[X]] : tensor<2xf32>
// CHECK-DAG: %[[INIT:.*]] = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: %[[Y:.*]] = stablehlo.reduce(%[[NH]] init: %[[INIT]]) applies stablehlo.add across dimensions = [0]
// CHECK-DAG: %[[Y1:.*]] = stablehlo.reshape %[[Y]] : (tensor<f32>) -> tensor<1xf32>
// CHECK-DAG: %[[NYS:.*]] = stablehlo.dynamic_update_slice %[[BYS]], %[[Y1]], %[[I]] : (tensor<5xf32>, tensor<1xf32>, tensor<i32>) -> tensor<5xf32>
// CHECK-DAG: %[[ONE:.*]] = stablehlo.constant dense<1> : tensor<i32>
// CHECK-DAG: %[[NI:.*]] = stablehlo.add %[[I]], %[[ONE]] : tensor<i32>
// CHECK-NEXT: stablehlo.return %[[NI]], %[[BW]], %[[NH]], %[[BXS]], %[[NYS]] : tensor<i32>, tensor<f32>, tensor<2xf32>, tensor<5x2xf32>, tensor<5xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]]#2, %[[R]]#4 : tensor<2xf32>, tensor<5xf32>
func.func @scan(%w: tensor<f32>, %h: tensor<2xf32>, %xs: tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5xf32>) {
  %0:2 = "plait.scan"(%w, %h, %xs) ({
  ^bb0(%bw: tensor<f32>, %bh: tensor<2xf32>, %bx: tensor<2xf32>):
    %b = "plait.broadcast_in_dim"(%bw) {broadcast_dimensions = array<i64>, shape = array<i64: 2>} : (tensor<f32>) -> tensor<2xf32>
    %m = "plait.mul"(%b, %bh) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %a = "plait.add"(%m, %bx) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %y = "plait.reduce_sum"(%a) {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
    "plait.yield"(%a, %y) : (tensor<2xf32>, tensor<f32>) -> ()
  }) {length = 5 : i64, num_carry = 1 : i64, num_consts = 1 : i64, reverse = false} : (tensor<f32>, tensor<2xf32>, tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<5xf32>
}

// reverse = true: step i reads and writes index length - 1 - i.
// CHECK-LABEL: @scan_reverse
// CHECK-SAME: (%[[XS:.*]]: tensor<3xf32>)
// CHECK: stablehlo.while(%[[I:[[:alnum:]_]+]] = %{{.*}}, %[[BXS:[[:alnum:]_]+]] = %[[XS]], %[[BYS:[[:alnum:]_]+]] = %{{.*}})
// CHECK: } do {
// CHECK-DAG: %[[LAST:.*]] = stablehlo.constant dense<2> : tensor<i32>
// CHECK-DAG: %[[J:.*]] = stablehlo.subtract %[[LAST]], %[[I]] : tensor<i32>
// CHECK-DAG: %[[SL:.*]] = stablehlo.dynamic_slice %[[BXS]], %[[J]], sizes = [1] : (tensor<3xf32>, tensor<i32>) -> tensor<1xf32>
// CHECK-DAG: %[[X:.*]] = stablehlo.reshape %[[SL]] : (tensor<1xf32>) -> tensor<f32>
// CHECK-DAG: %[[E:.*]] = stablehlo.exponential %[[X]] : tensor<f32>
// CHECK-DAG: %[[E1:.*]] = stablehlo.reshape %[[E]] : (tensor<f32>) -> tensor<1xf32>
// CHECK-DAG: %[[NYS:.*]] = stablehlo.dynamic_update_slice %[[BYS]], %[[E1]], %[[J]] : (tensor<3xf32>, tensor<1xf32>, tensor<i32>) -> tensor<3xf32>
// CHECK-DAG: %[[ONE:.*]] = stablehlo.constant dense<1> : tensor<i32>
// CHECK-DAG: %[[NI:.*]] = stablehlo.add %[[I]], %[[ONE]] : tensor<i32>
// CHECK-NEXT: stablehlo.return %[[NI]], %[[BXS]], %[[NYS]]
func.func @scan_reverse(%xs: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "plait.scan"(%xs) ({
  ^bb0(%x: tensor<f32>):
    %e = "plait.exp"(%x) : (tensor<f32>) -> tensor<f32>
    "plait.yield"(%e) : (tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 0 : i64, num_consts = 0 : i64, reverse = true} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// length = 0: the body never runs; the results are the carry and zero-length ys.
// CHECK-LABEL: @scan_empty
// CHECK-SAME: (%[[H:.*]]: tensor<2xf32>, %[[XS:.*]]: tensor<0x2xf32>)
// CHECK-NEXT: %[[Z:.*]] = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[YS:.*]] = stablehlo.broadcast_in_dim %[[Z]], dims = [] : (tensor<f32>) -> tensor<0x2xf32>
// CHECK-NEXT: return %[[H]], %[[YS]] : tensor<2xf32>, tensor<0x2xf32>
func.func @scan_empty(%h: tensor<2xf32>, %xs: tensor<0x2xf32>) -> (tensor<2xf32>, tensor<0x2xf32>) {
  %0:2 = "plait.scan"(%h, %xs) ({
  ^bb0(%bh: tensor<2xf32>, %bx: tensor<2xf32>):
    %a = "plait.add"(%bh, %bx) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    "plait.yield"(%a, %bh) : (tensor<2xf32>, tensor<2xf32>) -> ()
  }) {length = 0 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<2xf32>, tensor<0x2xf32>) -> (tensor<2xf32>, tensor<0x2xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<0x2xf32>
}

// Nested region ops are lowered first: the case inside the loop body reads the loop state.
// CHECK-LABEL: @nested
// CHECK-SAME: (%[[C:.*]]: tensor<f32>, %[[IDX:.*]]: tensor<i32>)
// CHECK: stablehlo.while(%[[I:[[:alnum:]_]+]] = %{{.*}}, %[[BI:[[:alnum:]_]+]] = %[[IDX]], %[[BC:[[:alnum:]_]+]] = %[[C]])
// CHECK: } do {
// CHECK-NEXT: %[[R:.*]] = "stablehlo.case"(%[[BI]]) ({
// CHECK-NEXT: stablehlo.return %[[BC]] : tensor<f32>
// CHECK-NEXT: }, {
// CHECK-NEXT: %[[N:.*]] = stablehlo.negate %[[BC]] : tensor<f32>
// CHECK-NEXT: stablehlo.return %[[N]] : tensor<f32>
// CHECK-NEXT: }) : (tensor<i32>) -> tensor<f32>
// CHECK: stablehlo.return %{{.*}}, %[[BI]], %[[R]]
// CHECK-NOT: plait.
func.func @nested(%c: tensor<f32>, %idx: tensor<i32>) -> tensor<f32> {
  %0 = "plait.scan"(%idx, %c) ({
  ^bb0(%i: tensor<i32>, %a: tensor<f32>):
    %r = "plait.cond"(%i, %a) ({
    ^bb0(%b: tensor<f32>):
      "plait.yield"(%b) : (tensor<f32>) -> ()
    }, {
    ^bb0(%b: tensor<f32>):
      %n = "plait.neg"(%b) : (tensor<f32>) -> tensor<f32>
      "plait.yield"(%n) : (tensor<f32>) -> ()
    }) : (tensor<i32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%r) : (tensor<f32>) -> ()
  }) {length = 4 : i64, num_carry = 1 : i64, num_consts = 1 : i64, reverse = false} : (tensor<i32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}
