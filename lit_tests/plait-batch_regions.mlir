// RUN: plait-opt %s --split-input-file --plait-batch | filecheck %s

// Batching of the region ops: cond with a batched index becomes selects over the batched
// branches; while and scan batch the carries a batched value reaches; scan's xs and ys
// carry their batch at dim 1 (dim 0 is the scanned axis).

// A batched index: every branch runs on the whole batch and a chain of selects picks each
// lane's result (last branch first) — no plait.cond, no serial loop.
// CHECK-LABEL: func.func private @g_vmap
// CHECK-SAME: (%[[I:.*]]: tensor<8xi32>, %[[X:.*]]: tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NOT: plait.cond
// CHECK-DAG: %[[B0:.*]] = "plait.sin"(%[[X]]) : (tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-DAG: %[[B1:.*]] = "plait.neg"(%[[X]]) : (tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-DAG: %[[K1:.*]] = "plait.constant"() {value = dense<1> : tensor<8xi32>}
// CHECK-DAG: %[[IS1:.*]] = "plait.compare"(%[[I]], %[[K1]]) {direction = "EQ"}
// CHECK-DAG: %[[M1:.*]] = "plait.broadcast_in_dim"(%[[IS1]]) {broadcast_dimensions = array<i64: 0>, shape = array<i64: 8, 4>}
// CHECK-DAG: %[[S1:.*]] = "plait.select"(%[[M1]], %[[B1]], %[[X]])
// CHECK-DAG: %[[K0:.*]] = "plait.constant"() {value = dense<0> : tensor<8xi32>}
// CHECK-DAG: %[[IS0:.*]] = "plait.compare"(%[[I]], %[[K0]]) {direction = "EQ"}
// CHECK-DAG: %[[M0:.*]] = "plait.broadcast_in_dim"(%[[IS0]])
// CHECK-DAG: %[[S0:.*]] = "plait.select"(%[[M0]], %[[B0]], %[[S1]])
// CHECK-NEXT: return %[[S0]]
func.func @cond_batched_index(%i: tensor<8xi32>, %x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%i, %x) {callee = @g, in_axes = array<i64: 0, 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8xi32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @g(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<4xf32>):
    %s = "plait.sin"(%a) : (tensor<4xf32>) -> tensor<4xf32>
    "plait.yield"(%s) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>):
    %n = "plait.neg"(%a) : (tensor<4xf32>) -> tensor<4xf32>
    "plait.yield"(%n) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>):
    "plait.yield"(%a) : (tensor<4xf32>) -> ()
  }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An unbatched index keeps one cond, its branches batched.
// CHECK-LABEL: func.func private @g_vmap
// CHECK-SAME: (%[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: %[[R:.*]] = "plait.cond"(%[[I]], %[[X]]) ({
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<8x4xf32>):
// CHECK-NEXT: %[[S:.*]] = "plait.sin"(%[[A]]) : (tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: "plait.yield"(%[[S]])
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%[[B:.*]]: tensor<8x4xf32>):
// CHECK-NEXT: "plait.yield"(%[[B]])
// CHECK-NEXT: }) : (tensor<i32>, tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @cond_unbatched_index(%i: tensor<i32>, %x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%i, %x) {callee = @g, in_axes = array<i64: -1, 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<i32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @g(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
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

// -----

// A batched predicate (per-lane trip counts): the loop runs while any lane is active, each
// lane's predicate rides along as a carry, and finished lanes keep their carry.
// CHECK-LABEL: func.func private @count_vmap
// CHECK-SAME: (%[[N:.*]]: tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: %[[Z:.*]] = "plait.constant"()
// CHECK-NEXT: %[[C0:.*]] = "plait.broadcast_in_dim"(%[[Z]]) {broadcast_dimensions = array<i64>, shape = array<i64: 8>}
// CHECK-NEXT: %[[P0:.*]] = "plait.compare"(%[[C0]], %[[N]]) {direction = "LT"}
// CHECK-NEXT: %[[W:.*]]:2 = "plait.while"(%[[N]], %[[C0]], %[[P0]]) ({
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<8xf32>, %{{.*}}: tensor<8xf32>, %[[P:.*]]: tensor<8xi1>):
// CHECK-NEXT: %[[ANY:.*]] = "plait.reduce_or"(%[[P]]) {axes = array<i64: 0>} : (tensor<8xi1>) -> tensor<i1>
// CHECK-NEXT: "plait.yield"(%[[ANY]])
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%[[BN:.*]]: tensor<8xf32>, %[[BC:.*]]: tensor<8xf32>, %[[BP:.*]]: tensor<8xi1>):
// CHECK-DAG: %[[ONE:.*]] = "plait.constant"()
// CHECK-DAG: %[[ONES:.*]] = "plait.broadcast_in_dim"(%[[ONE]])
// CHECK-DAG: %[[NEXT:.*]] = "plait.add"(%[[BC]], %[[ONES]])
// CHECK-DAG: %[[M:.*]] = "plait.broadcast_in_dim"(%[[BP]]) {broadcast_dimensions = array<i64: 0>, shape = array<i64: 8>}
// CHECK-DAG: %[[KEPT:.*]] = "plait.select"(%[[M]], %[[NEXT]], %[[BC]])
// CHECK-DAG: %[[LT:.*]] = "plait.compare"(%[[KEPT]], %[[BN]]) {direction = "LT"}
// CHECK-DAG: %[[NP:.*]] = "plait.and"(%[[BP]], %[[LT]])
// CHECK-NEXT: "plait.yield"(%[[KEPT]], %[[NP]])
// CHECK-NEXT: }) {num_consts = 1 : i64} : (tensor<8xf32>, tensor<8xf32>, tensor<8xi1>) -> (tensor<8xf32>, tensor<8xi1>)
// CHECK-NEXT: return %[[W]]#0
func.func @while_batched_predicate(%n: tensor<8xf32>) -> tensor<8xf32> {
  %0 = "plait.vmap"(%n) {callee = @count, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

func.func private @count(%n: tensor<f32>) -> tensor<f32> {
  %zero = "plait.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %0 = "plait.while"(%n, %zero) ({
  ^bb0(%l: tensor<f32>, %c: tensor<f32>):
    %p = "plait.compare"(%c, %l) {direction = "LT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "plait.yield"(%p) : (tensor<i1>) -> ()
  }, {
  ^bb0(%l: tensor<f32>, %c: tensor<f32>):
    %one = "plait.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
    %s = "plait.add"(%c, %one) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%s) : (tensor<f32>) -> ()
  }) {num_consts = 1 : i64} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Carries are batched only where a batched value reaches them (a fixpoint): the counter
// stays a scalar, so the predicate is unbatched and every lane stops together, unmasked.
// CHECK-LABEL: func.func private @thrice_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: %[[Z:.*]] = "plait.constant"() {value = dense<0> : tensor<i32>}
// CHECK-NEXT: %[[W:.*]]:2 = "plait.while"(%[[Z]], %[[X]]) ({
// CHECK-NEXT: ^bb0(%[[I:.*]]: tensor<i32>, %{{.*}}: tensor<8xf32>):
// CHECK: "plait.compare"(%[[I]], %{{.*}}) {direction = "LT"} : (tensor<i32>, tensor<i32>) -> tensor<i1>
// CHECK: }, {
// CHECK-NEXT: ^bb0(%[[BI:.*]]: tensor<i32>, %[[BX:.*]]: tensor<8xf32>):
// CHECK-DAG: %[[ONE:.*]] = "plait.constant"()
// CHECK-DAG: %[[J:.*]] = "plait.add"(%[[BI]], %[[ONE]]) : (tensor<i32>, tensor<i32>) -> tensor<i32>
// CHECK-DAG: %[[S:.*]] = "plait.sin"(%[[BX]]) : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: "plait.yield"(%[[J]], %[[S]])
// CHECK-NEXT: }) {num_consts = 0 : i64} : (tensor<i32>, tensor<8xf32>) -> (tensor<i32>, tensor<8xf32>)
// CHECK-NEXT: return %[[W]]#1
// CHECK-NOT: plait.reduce_or
func.func @while_unbatched_predicate(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = "plait.vmap"(%x) {callee = @thrice, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

func.func private @thrice(%x: tensor<f32>) -> tensor<f32> {
  %zero = "plait.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
  %0:2 = "plait.while"(%zero, %x) ({
  ^bb0(%i: tensor<i32>, %c: tensor<f32>):
    %three = "plait.constant"() {value = dense<3> : tensor<i32>} : () -> tensor<i32>
    %p = "plait.compare"(%i, %three) {direction = "LT"} : (tensor<i32>, tensor<i32>) -> tensor<i1>
    "plait.yield"(%p) : (tensor<i1>) -> ()
  }, {
  ^bb0(%i: tensor<i32>, %c: tensor<f32>):
    %one = "plait.constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32>
    %j = "plait.add"(%i, %one) : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %s = "plait.sin"(%c) : (tensor<f32>) -> tensor<f32>
    "plait.yield"(%j, %s) : (tensor<i32>, tensor<f32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<i32>, tensor<f32>) -> (tensor<i32>, tensor<f32>)
  return %0#1 : tensor<f32>
}

// -----

// Batched xs move their batch to dim 1 so each slice is batched at 0; the carry becomes
// batched (it mixes with a batched slice) and is broadcast; ys come out batched at dim 1.
// CHECK-LABEL: @scan_batched_xs
// CHECK-SAME: (%[[C:.*]]: tensor<f32>, %[[XS:.*]]: tensor<8x3xf32>)
// CHECK-NEXT: %[[R:.*]]:2 = call @cumsum_vmap(%[[C]], %[[XS]]) : (tensor<f32>, tensor<8x3xf32>) -> (tensor<8xf32>, tensor<3x8xf32>)
// CHECK-NEXT: %[[YS:.*]] = "plait.transpose"(%[[R]]#1) {permutation = array<i64: 1, 0>} : (tensor<3x8xf32>) -> tensor<8x3xf32>
// CHECK-NEXT: return %[[R]]#0, %[[YS]]
// CHECK-LABEL: func.func private @cumsum_vmap
// CHECK-SAME: (%[[C:.*]]: tensor<f32>, %[[XS:.*]]: tensor<8x3xf32>) -> (tensor<8xf32>, tensor<3x8xf32>)
// CHECK-DAG: %[[T:.*]] = "plait.transpose"(%[[XS]]) {permutation = array<i64: 1, 0>} : (tensor<8x3xf32>) -> tensor<3x8xf32>
// CHECK-DAG: %[[B:.*]] = "plait.broadcast_in_dim"(%[[C]]) {broadcast_dimensions = array<i64>, shape = array<i64: 8>}
// CHECK-NEXT: %[[S:.*]]:2 = "plait.scan"(%[[B]], %[[T]]) ({
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<8xf32>, %[[X:.*]]: tensor<8xf32>):
// CHECK-NEXT: %[[SUM:.*]] = "plait.add"(%[[A]], %[[X]]) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: "plait.yield"(%[[SUM]], %[[SUM]])
// CHECK-NEXT: }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<8xf32>, tensor<3x8xf32>) -> (tensor<8xf32>, tensor<3x8xf32>)
// CHECK-NEXT: return %[[S]]#0, %[[S]]#1
func.func @scan_batched_xs(%c: tensor<f32>, %xs: tensor<8x3xf32>) -> (tensor<8xf32>, tensor<8x3xf32>) {
  %0:2 = "plait.vmap"(%c, %xs) {callee = @cumsum, in_axes = array<i64: -1, 0>, out_axes = array<i64: 0, 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<f32>, tensor<8x3xf32>) -> (tensor<8xf32>, tensor<8x3xf32>)
  return %0#0, %0#1 : tensor<8xf32>, tensor<8x3xf32>
}

func.func private @cumsum(%c: tensor<f32>, %xs: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %0:2 = "plait.scan"(%c, %xs) ({
  ^bb0(%a: tensor<f32>, %x: tensor<f32>):
    %s = "plait.add"(%a, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%s, %s) : (tensor<f32>, tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<f32>, tensor<3xf32>
}

// -----

// A batched carry with unbatched xs: the slices stay unbatched inside the body.
// CHECK-LABEL: func.func private @cumsum_vmap
// CHECK-SAME: (%[[C:.*]]: tensor<8xf32>, %[[XS:.*]]: tensor<3xf32>) -> (tensor<8xf32>, tensor<3x8xf32>)
// CHECK-NEXT: %[[S:.*]]:2 = "plait.scan"(%[[C]], %[[XS]]) ({
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<8xf32>, %[[X:.*]]: tensor<f32>):
// CHECK-NEXT: %[[B:.*]] = "plait.broadcast_in_dim"(%[[X]]) {broadcast_dimensions = array<i64>, shape = array<i64: 8>}
// CHECK-NEXT: %[[SUM:.*]] = "plait.add"(%[[A]], %[[B]])
// CHECK-NEXT: "plait.yield"(%[[SUM]], %[[SUM]])
// CHECK-NEXT: }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<8xf32>, tensor<3xf32>) -> (tensor<8xf32>, tensor<3x8xf32>)
// CHECK-NEXT: return %[[S]]#0, %[[S]]#1
func.func @scan_batched_carry(%c: tensor<8xf32>, %xs: tensor<3xf32>) -> (tensor<8xf32>, tensor<8x3xf32>) {
  %0:2 = "plait.vmap"(%c, %xs) {callee = @cumsum, in_axes = array<i64: 0, -1>, out_axes = array<i64: 0, 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8xf32>, tensor<3xf32>) -> (tensor<8xf32>, tensor<8x3xf32>)
  return %0#0, %0#1 : tensor<8xf32>, tensor<8x3xf32>
}

func.func private @cumsum(%c: tensor<f32>, %xs: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %0:2 = "plait.scan"(%c, %xs) ({
  ^bb0(%a: tensor<f32>, %x: tensor<f32>):
    %s = "plait.add"(%a, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%s, %s) : (tensor<f32>, tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<f32>, tensor<3xf32>
}
