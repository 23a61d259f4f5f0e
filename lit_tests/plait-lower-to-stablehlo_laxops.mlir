// RUN: plait-opt %s --plait-lower-to-stablehlo | filecheck %s

// The StableHLO of select_n, optimization_barrier, reduce_xor, reduce with a region body
// and the scatter combiners (the collectives: plait-lower-to-stablehlo_sharding.mlir).

// An int32 `which` picks by a tree of selects (which < mid: the lower half); a bool one is
// one select with the cases swapped (true picks case 1).
// CHECK-LABEL: @select_n
// CHECK-SAME: (%[[W:.*]]: tensor<4xi32>, %[[P:.*]]: tensor<4xi1>, %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[C:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[ONE:.*]] = stablehlo.constant dense<1> : tensor<i32>
// CHECK-NEXT: %[[ONES:.*]] = stablehlo.broadcast_in_dim %[[ONE]]
// CHECK-NEXT: %[[LO:.*]] = stablehlo.compare LT, %[[W]], %[[ONES]], SIGNED
// CHECK-NEXT: %[[TWO:.*]] = stablehlo.constant dense<2> : tensor<i32>
// CHECK-NEXT: %[[TWOS:.*]] = stablehlo.broadcast_in_dim %[[TWO]]
// CHECK-NEXT: %[[MID:.*]] = stablehlo.compare LT, %[[W]], %[[TWOS]], SIGNED
// CHECK-NEXT: %[[BC:.*]] = stablehlo.select %[[MID]], %[[B]], %[[C]]
// CHECK-NEXT: %[[ABC:.*]] = stablehlo.select %[[LO]], %[[A]], %[[BC]]
// CHECK-NEXT: %[[AB:.*]] = stablehlo.select %[[P]], %[[B]], %[[A]]
// CHECK-NEXT: return %[[ABC]], %[[AB]]
func.func @select_n(%w: tensor<4xi32>, %p: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.select_n"(%w, %a, %b, %c) : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.select_n"(%p, %a, %b) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: @optimization_barrier
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<i32>)
// CHECK-NEXT: %[[R:.*]]:2 = stablehlo.optimization_barrier %[[X]], %[[I]] : tensor<4xf32>, tensor<i32>
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
func.func @optimization_barrier(%x: tensor<4xf32>, %i: tensor<i32>) -> (tensor<4xf32>, tensor<i32>) {
  %0:2 = "plait.optimization_barrier"(%x, %i) : (tensor<4xf32>, tensor<i32>) -> (tensor<4xf32>, tensor<i32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<i32>
}

// CHECK-LABEL: @reduce_xor
// CHECK-NEXT: %[[Z:.*]] = stablehlo.constant dense<0> : tensor<i32>
// CHECK-NEXT: stablehlo.reduce(%{{.*}} init: %[[Z]]) applies stablehlo.xor across dimensions = [1] : (tensor<2x3xi32>, tensor<i32>) -> tensor<2xi32>
func.func @reduce_xor(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  %0 = "plait.reduce_xor"(%x) {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// The region body becomes the reducer of a variadic stablehlo.reduce.
// CHECK-LABEL: @reduce(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>, %[[I:.*]]: tensor<2x3xi32>, %[[X0:.*]]: tensor<f32>, %[[I0:.*]]: tensor<i32>)
// CHECK-NEXT: %[[R:.*]]:2 = stablehlo.reduce(%[[X]] init: %[[X0]]), (%[[I]] init: %[[I0]]) across dimensions = [1]
// CHECK-NEXT: reducer(%[[AV:.*]]: tensor<f32>, %[[BV:.*]]: tensor<f32>) (%[[AI:.*]]: tensor<i32>, %[[BI:.*]]: tensor<i32>)
// CHECK-NEXT: %[[GT:.*]] = stablehlo.compare GT, %[[AV]], %[[BV]], FLOAT
// CHECK-NEXT: %[[V:.*]] = stablehlo.select %[[GT]], %[[AV]], %[[BV]]
// CHECK-NEXT: %[[J:.*]] = stablehlo.select %[[GT]], %[[AI]], %[[BI]]
// CHECK-NEXT: stablehlo.return %[[V]], %[[J]]
// CHECK: return %[[R]]#0, %[[R]]#1
// CHECK-NOT: plait.
func.func @reduce(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>, %x0: tensor<f32>, %i0: tensor<i32>) -> (tensor<2xf32>, tensor<2xi32>) {
  %0:2 = "plait.reduce"(%x, %i, %x0, %i0) ({
  ^bb0(%av: tensor<f32>, %ai: tensor<i32>, %bv: tensor<f32>, %bi: tensor<i32>):
    %p = "plait.compare"(%av, %bv) {direction = "GT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %v = "plait.select"(%p, %av, %bv) : (tensor<i1>, tensor<f32>, tensor<f32>) -> tensor<f32>
    %j = "plait.select"(%p, %ai, %bi) : (tensor<i1>, tensor<i32>, tensor<i32>) -> tensor<i32>
    "plait.yield"(%v, %j) : (tensor<f32>, tensor<i32>) -> ()
  }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<2x3xi32>, tensor<f32>, tensor<i32>) -> (tensor<2xf32>, tensor<2xi32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2xi32>
}

// scatter_mul/min/max: a stablehlo.scatter whose region multiplies, or keeps the min/max.
// CHECK-LABEL: @scatters
// CHECK: "stablehlo.scatter"({{.*}}indices_are_sorted = false{{.*}}unique_indices = false
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<f32>, %[[B:.*]]: tensor<f32>):
// CHECK-NEXT: %[[M:.*]] = stablehlo.multiply %[[A]], %[[B]] : tensor<f32>
// CHECK-NEXT: stablehlo.return %[[M]]
// CHECK: "stablehlo.scatter"({{.*}}indices_are_sorted = true{{.*}}unique_indices = true
// CHECK-NEXT: ^bb0(%[[C:.*]]: tensor<f32>, %[[D:.*]]: tensor<f32>):
// CHECK-NEXT: %[[N:.*]] = stablehlo.maximum %[[C]], %[[D]] : tensor<f32>
// CHECK-NEXT: stablehlo.return %[[N]]
func.func @scatters(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>, %u: tensor<2x3xf32>) -> (tensor<5x3xf32>, tensor<5x3xf32>) {
  %0 = "plait.scatter_mul"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  %1 = "plait.scatter_max"(%x, %idx, %u) {index_vector_dim = 1 : i64, indices_are_sorted = true, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, unique_indices = true, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0, %1 : tensor<5x3xf32>, tensor<5x3xf32>
}
