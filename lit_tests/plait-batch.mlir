// RUN: plait-opt %s --split-input-file --plait-batch | filecheck %s

// `"plait.vmap"(%args) {callee = @f, in_axes, out_axes, axis_size, axis_name}` becomes a call
// of a generated @f_vmap; in_axes / out_axes -1 marks an unbatched argument / result. The pass
// tracks each value's batch dimension: values no batched input reaches stay unbatched, and a
// batch dimension moves only where an op needs it.

// CHECK-LABEL: @unary
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @sin_vmap(%[[X]]) : (tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @unary(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%x) {callee = @sin, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @sin(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @sin_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: %[[Y:.*]] = "plait.sin"(%[[X]]) : (tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: return %[[Y]]

// -----

// CHECK-LABEL: @binary
// CHECK: call @mul_vmap
func.func @binary(%x: tensor<8x4xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%x, %y) {callee = @mul, in_axes = array<i64: 0, 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @mul(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @mul_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[Y:.*]]: tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[X]], %[[Y]]) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: return %[[P]]

// -----

// y is unbatched: exp(y) is computed once, unbatched, and broadcast only where it meets the
// batched x; as an out_axes -1 result it is returned as it is.
// CHECK-LABEL: @unbatched_operand
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]]:2 = call @scale_vmap(%[[X]], %[[Y]]) : (tensor<8x4xf32>, tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4xf32>)
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
func.func @unbatched_operand(%x: tensor<8x4xf32>, %y: tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vmap"(%x, %y) {callee = @scale, in_axes = array<i64: 0, -1>, out_axes = array<i64: 0, -1>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>, tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<8x4xf32>, tensor<4xf32>
}

func.func private @scale(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = "plait.exp"(%y) : (tensor<4xf32>) -> tensor<4xf32>
  %0 = "plait.mul"(%x, %e) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %e : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func private @scale_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[Y:.*]]: tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4xf32>)
// CHECK-NEXT: %[[E:.*]] = "plait.exp"(%[[Y]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[B:.*]] = "plait.broadcast_in_dim"(%[[E]]) {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 4>}
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[X]], %[[B]])
// CHECK-NEXT: return %[[P]], %[[E]]

// -----

// Nothing batched reaches exp(y): it stays unbatched and is never broadcast.
// CHECK-LABEL: @unbatched_value
// CHECK-NOT: plait.broadcast_in_dim
// CHECK: call @pair_vmap
func.func @unbatched_value(%x: tensor<8x4xf32>, %y: tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vmap"(%x, %y) {callee = @pair, in_axes = array<i64: 0, -1>, out_axes = array<i64: 0, -1>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>, tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<8x4xf32>, tensor<4xf32>
}

func.func private @pair(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%y) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func private @pair_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[Y:.*]]: tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4xf32>)
// CHECK-DAG: %[[S:.*]] = "plait.sin"(%[[X]]) : (tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-DAG: %[[E:.*]] = "plait.exp"(%[[Y]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[S]], %[[E]]

// -----

// An unbatched result with an integer out_axes is broadcast at the call site.
// CHECK-LABEL: @unbatched_result
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]]:2 = call @pair_vmap(%[[X]], %[[Y]])
// CHECK-NEXT: %[[B:.*]] = "plait.broadcast_in_dim"(%[[R]]#1) {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 8>} : (tensor<4xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: return %[[R]]#0, %[[B]]
func.func @unbatched_result(%x: tensor<8x4xf32>, %y: tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4x8xf32>) {
  %0:2 = "plait.vmap"(%x, %y) {callee = @pair, in_axes = array<i64: 0, -1>, out_axes = array<i64: 0, 1>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>, tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4x8xf32>)
  return %0#0, %0#1 : tensor<8x4xf32>, tensor<4x8xf32>
}

func.func private @pair(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%y) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Mapped over axis 1 in and out: every op of the elementwise chain works in place on axis 1,
// with no transpose anywhere.
// CHECK-LABEL: @elementwise_chain
// CHECK-NOT: plait.transpose
// CHECK: func.func private @chain_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[S:.*]] = "plait.sin"(%[[X]]) : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[S]], %[[Y]]) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[E:.*]] = "plait.exp"(%[[P]]) : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: return %[[E]]
func.func @elementwise_chain(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "plait.vmap"(%x, %y) {callee = @chain, in_axes = array<i64: 1, 1>, out_axes = array<i64: 1>, axis_size = 8 : i64, axis_name = ""} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

func.func private @chain(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%0, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.exp"(%1) : (tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Only the lhs of the matmul is batched (on its axis 1): its contracting dimension shifts to 2,
// the unbatched rhs is used as it is (no broadcast), and the batch dimension comes out as axis
// 1 of the product, moved to out_axes 0 at the call site.
// CHECK-LABEL: @dot_lhs_batched
// CHECK-SAME: (%[[A:.*]]: tensor<2x8x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @matmul_vmap(%[[A]], %[[B]]) : (tensor<2x8x3xf32>, tensor<3x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[R]]) {permutation = array<i64: 1, 0, 2>} : (tensor<2x8x4xf32>) -> tensor<8x2x4xf32>
// CHECK-NEXT: return %[[T]]
func.func @dot_lhs_batched(%a: tensor<2x8x3xf32>, %b: tensor<3x4xf32>) -> tensor<8x2x4xf32> {
  %0 = "plait.vmap"(%a, %b) {callee = @matmul, in_axes = array<i64: 1, -1>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<2x8x3xf32>, tensor<3x4xf32>) -> tensor<8x2x4xf32>
  return %0 : tensor<8x2x4xf32>
}

func.func private @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func private @matmul_vmap
// CHECK-SAME: (%[[A:.*]]: tensor<2x8x3xf32>, %[[B:.*]]: tensor<3x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NOT: plait.broadcast_in_dim
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[A]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x8x3xf32>, tensor<3x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: return %[[D]]

// -----

// Only the rhs is batched (axis 0): the rhs contracting dimension shifts to 1, and the batch
// dimension lands among the rhs free dimensions of the product (axis 1), where out_axes wants
// axis 2.
// CHECK-LABEL: @dot_rhs_batched
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<8x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @matmul_vmap(%[[A]], %[[B]]) : (tensor<2x3xf32>, tensor<8x3x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[R]]) {permutation = array<i64: 0, 2, 1>} : (tensor<2x8x4xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: return %[[T]]
func.func @dot_rhs_batched(%a: tensor<2x3xf32>, %b: tensor<8x3x4xf32>) -> tensor<2x4x8xf32> {
  %0 = "plait.vmap"(%a, %b) {callee = @matmul, in_axes = array<i64: -1, 0>, out_axes = array<i64: 2>, axis_size = 8 : i64, axis_name = ""} : (tensor<2x3xf32>, tensor<8x3x4xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

func.func private @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func private @matmul_vmap
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<8x3x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[A]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<8x3x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: return %[[D]]

// -----

// A psum over the vmapped axis name sums the batch dimension: a reduce_sum whose result is
// unbatched (every member holds the same sum), broadcast where it meets the batched x.
// CHECK-LABEL: @psum_over_mapped_axis
// CHECK: call @normalize_vmap
func.func @psum_over_mapped_axis(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%x) {callee = @normalize, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = "i"} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @normalize(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.psum"(%x) {axis_name = "i"} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.div"(%x, %0) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @normalize_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NOT: plait.psum
// CHECK-NEXT: %[[S:.*]] = "plait.reduce_sum"(%[[X]]) {axes = array<i64: 0>} : (tensor<8x4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[B:.*]] = "plait.broadcast_in_dim"(%[[S]]) {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 4>}
// CHECK-NEXT: %[[Q:.*]] = "plait.div"(%[[X]], %[[B]])
// CHECK-NEXT: return %[[Q]]

// -----

// vmap of a function that holds a vmap: the inner one is expanded first, then the outer one
// batches the inner's generated function again.
// CHECK-LABEL: @nested
// CHECK-SAME: (%[[X:.*]]: tensor<3x8x4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @rows_vmap(%[[X]]) : (tensor<3x8x4xf32>) -> tensor<3x8x4xf32>
func.func @nested(%x: tensor<3x8x4xf32>) -> tensor<3x8x4xf32> {
  %0 = "plait.vmap"(%x) {callee = @rows, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 3 : i64, axis_name = ""} : (tensor<3x8x4xf32>) -> tensor<3x8x4xf32>
  return %0 : tensor<3x8x4xf32>
}

// CHECK-LABEL: func.func private @rows
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @sin_vmap(%[[X]]) : (tensor<8x4xf32>) -> tensor<8x4xf32>
func.func private @rows(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%x) {callee = @sin, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @sin(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @rows_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<3x8x4xf32>) -> tensor<3x8x4xf32>
// CHECK-NEXT: %[[R:.*]] = call @sin_vmap_vmap(%[[X]]) : (tensor<3x8x4xf32>) -> tensor<3x8x4xf32>

// CHECK-LABEL: func.func private @sin_vmap_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<3x8x4xf32>) -> tensor<3x8x4xf32>
// CHECK-NEXT: %[[Y:.*]] = "plait.sin"(%[[X]]) : (tensor<3x8x4xf32>) -> tensor<3x8x4xf32>
// CHECK-NEXT: return %[[Y]]

// -----

// Batched at axis 1, a sum over the example's axis 1 sums the operand's axis 2 (the batch
// axis comes before it); the result keeps its batch at axis 1, moved to 0 at the call site.
// CHECK-LABEL: @reduce_inner_batch
// CHECK-SAME: (%[[X:.*]]: tensor<4x8x3xf32>)
// CHECK-NEXT: %[[R:.*]] = call @rowsum_vmap(%[[X]]) : (tensor<4x8x3xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[R]]) {permutation = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: return %[[T]]
func.func @reduce_inner_batch(%x: tensor<4x8x3xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%x) {callee = @rowsum, in_axes = array<i64: 1>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<4x8x3xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @rowsum(%x: tensor<4x3xf32>) -> tensor<4xf32> {
  %0 = "plait.reduce_sum"(%x) {axes = array<i64: 1>} : (tensor<4x3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @rowsum_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<4x8x3xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[S:.*]] = "plait.reduce_sum"(%[[X]]) {axes = array<i64: 2>} : (tensor<4x8x3xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: return %[[S]]

// -----

// A max over the example's axis 0, before the batch axis 1: the axis stays 0 and removing it
// moves the batch axis down to 0, so the call site moves nothing.
// CHECK-LABEL: @reduce_before_batch
// CHECK-SAME: (%[[X:.*]]: tensor<4x8x3xf32>)
// CHECK-NEXT: %[[R:.*]] = call @colmax_vmap(%[[X]]) : (tensor<4x8x3xf32>) -> tensor<8x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @reduce_before_batch(%x: tensor<4x8x3xf32>) -> tensor<8x3xf32> {
  %0 = "plait.vmap"(%x) {callee = @colmax, in_axes = array<i64: 1>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<4x8x3xf32>) -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

func.func private @colmax(%x: tensor<4x3xf32>) -> tensor<3xf32> {
  %0 = "plait.reduce_max"(%x) {axes = array<i64: 0>} : (tensor<4x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK-LABEL: func.func private @colmax_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<4x8x3xf32>) -> tensor<8x3xf32>
// CHECK-NEXT: %[[M:.*]] = "plait.reduce_max"(%[[X]]) {axes = array<i64: 0>} : (tensor<4x8x3xf32>) -> tensor<8x3xf32>
// CHECK-NEXT: return %[[M]]

// -----

// cumsum batched at axis 1: the example's axis 1 is the operand's 2, its axis 0 stays 0, and
// the batch axis stays at 1 (out_axes 1: nothing moves).
// CHECK-LABEL: func.func private @cumsums_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<4x8x3xf32>) -> tensor<4x8x3xf32>
// CHECK-NEXT: %[[A:.*]] = "plait.cumsum"(%[[X]]) {axis = 2 : i64, reverse = false} : (tensor<4x8x3xf32>) -> tensor<4x8x3xf32>
// CHECK-NEXT: %[[B:.*]] = "plait.cumsum"(%[[A]]) {axis = 0 : i64, reverse = true} : (tensor<4x8x3xf32>) -> tensor<4x8x3xf32>
// CHECK-NEXT: return %[[B]]
func.func @cumsum_inner_batch(%x: tensor<4x8x3xf32>) -> tensor<4x8x3xf32> {
  %0 = "plait.vmap"(%x) {callee = @cumsums, in_axes = array<i64: 1>, out_axes = array<i64: 1>, axis_size = 8 : i64, axis_name = ""} : (tensor<4x8x3xf32>) -> tensor<4x8x3xf32>
  return %0 : tensor<4x8x3xf32>
}

func.func private @cumsums(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = "plait.cumsum"(%x) {axis = 1 : i64, reverse = false} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %1 = "plait.cumsum"(%0) {axis = 0 : i64, reverse = true} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

// A broadcast that stretches a size-1 dim (1 -> 4) and adds a leading one: the batch dim goes
// right before the result dim of the operand dim that followed it (1), so the broadcast maps
// (batch, 1, 3) to dims (1, 2, 3) of (2, 8, 4, 3), still stretching the size-1 dim; the call
// site moves the batch to 0.
// CHECK-LABEL: @broadcast_size_one
// CHECK-SAME: (%[[X:.*]]: tensor<8x1x3xf32>)
// CHECK-NEXT: %[[R:.*]] = call @stretch_vmap(%[[X]]) : (tensor<8x1x3xf32>) -> tensor<2x8x4x3xf32>
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[R]]) {permutation = array<i64: 1, 0, 2, 3>} : (tensor<2x8x4x3xf32>) -> tensor<8x2x4x3xf32>
// CHECK-NEXT: return %[[T]]
func.func @broadcast_size_one(%x: tensor<8x1x3xf32>) -> tensor<8x2x4x3xf32> {
  %0 = "plait.vmap"(%x) {callee = @stretch, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x1x3xf32>) -> tensor<8x2x4x3xf32>
  return %0 : tensor<8x2x4x3xf32>
}

func.func private @stretch(%x: tensor<1x3xf32>) -> tensor<2x4x3xf32> {
  %0 = "plait.broadcast_in_dim"(%x) {broadcast_dimensions = array<i64: 1, 2>, shape = array<i64: 2, 4, 3>} : (tensor<1x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// CHECK-LABEL: func.func private @stretch_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8x1x3xf32>) -> tensor<2x8x4x3xf32>
// CHECK-NEXT: %[[B:.*]] = "plait.broadcast_in_dim"(%[[X]]) {broadcast_dimensions = array<i64: 1, 2, 3>, shape = array<i64: 2, 8, 4, 3>} : (tensor<8x1x3xf32>) -> tensor<2x8x4x3xf32>
// CHECK-NEXT: return %[[B]]

// -----

// A transpose batched at the middle axis of its 3-D operand: the batch axis leads the
// result, followed by the example's permutation of the other axes, renumbered around it:
// (1, 0) on (2, 3) becomes (1, 2, 0) on (2, 8, 3).
// CHECK-LABEL: func.func private @swap_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x3xf32>) -> tensor<8x3x2xf32>
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[X]]) {permutation = array<i64: 1, 2, 0>} : (tensor<2x8x3xf32>) -> tensor<8x3x2xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_inner_batch(%x: tensor<2x8x3xf32>) -> tensor<8x3x2xf32> {
  %0 = "plait.vmap"(%x) {callee = @swap, in_axes = array<i64: 1>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<2x8x3xf32>) -> tensor<8x3x2xf32>
  return %0 : tensor<8x3x2xf32>
}

func.func private @swap(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = "plait.transpose"(%x) {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A matmul whose lhs is batched at axis 1 (a 3-D operand) and rhs unbatched: a free dim of
// the lhs, so one dot_general contracting the lhs's axis 2 (its example axis 1) gives
// (2, 8, 4) with the batch at 1, moved to 0 at the call site.
// CHECK-LABEL: @dot_inner_batch
// CHECK-SAME: (%[[A:.*]]: tensor<2x8x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @matmul_vmap(%[[A]], %[[B]]) : (tensor<2x8x3xf32>, tensor<3x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[R]]) {permutation = array<i64: 1, 0, 2>} : (tensor<2x8x4xf32>) -> tensor<8x2x4xf32>
// CHECK-NEXT: return %[[T]]
func.func @dot_inner_batch(%a: tensor<2x8x3xf32>, %b: tensor<3x4xf32>) -> tensor<8x2x4xf32> {
  %0 = "plait.vmap"(%a, %b) {callee = @matmul, in_axes = array<i64: 1, -1>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<2x8x3xf32>, tensor<3x4xf32>) -> tensor<8x2x4xf32>
  return %0 : tensor<8x2x4xf32>
}

func.func private @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func private @matmul_vmap
// CHECK-SAME: (%[[A:.*]]: tensor<2x8x3xf32>, %[[B:.*]]: tensor<3x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: %[[D:.*]] = "plait.dot_general"(%[[A]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x8x3xf32>, tensor<3x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: return %[[D]]

// -----

// sort: the batch dimension goes in front and the sorted dimension moves up by one.
// CHECK-LABEL: func.func private @sort1_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8x5xf32>)
// CHECK-NEXT: %[[S:.*]] = "plait.sort"(%[[X]]) {dimension = 1 : i64, is_stable = true, num_keys = 1 : i64} : (tensor<8x5xf32>) -> tensor<8x5xf32>
// CHECK-NEXT: return %[[S]]
func.func @sort_batched(%x: tensor<8x5xf32>) -> tensor<8x5xf32> {
  %0 = "plait.vmap"(%x) {callee = @sort1, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x5xf32>) -> tensor<8x5xf32>
  return %0 : tensor<8x5xf32>
}

func.func private @sort1(%x: tensor<5xf32>) -> tensor<5xf32> {
  %0 = "plait.sort"(%x) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64} : (tensor<5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// top_k works on the last dimension: a batch dimension there moves to the front.
// CHECK-LABEL: func.func private @topk_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<5x8xf32>)
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[X]]) {permutation = array<i64: 1, 0>}
// CHECK-NEXT: %[[K:.*]]:2 = "plait.top_k"(%[[T]]) {k = 2 : i64} : (tensor<8x5xf32>) -> (tensor<8x2xf32>, tensor<8x2xi32>)
// CHECK-NEXT: return %[[K]]#1
func.func @top_k_batched(%x: tensor<5x8xf32>) -> tensor<8x2xi32> {
  %0 = "plait.vmap"(%x) {callee = @topk, in_axes = array<i64: 1>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<5x8xf32>) -> tensor<8x2xi32>
  return %0 : tensor<8x2xi32>
}

func.func private @topk(%x: tensor<5xf32>) -> tensor<2xi32> {
  %0:2 = "plait.top_k"(%x) {k = 2 : i64} : (tensor<5xf32>) -> (tensor<2xf32>, tensor<2xi32>)
  return %0#1 : tensor<2xi32>
}

// -----

// threefry2x32 is elementwise: a batched key and unbatched counters are broadcast alike.
// CHECK-LABEL: func.func private @hash_vmap
// CHECK-SAME: (%[[K:.*]]: tensor<8xui32>, %[[X:.*]]: tensor<4xui32>)
// CHECK-NEXT: %[[KB:.*]] = "plait.broadcast_in_dim"(%[[K]]) {broadcast_dimensions = array<i64: 0>, shape = array<i64: 8, 4>}
// CHECK-NEXT: %[[X1:.*]] = "plait.broadcast_in_dim"(%[[X]]) {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 4>}
// CHECK-NEXT: %[[X2:.*]] = "plait.broadcast_in_dim"(%[[X]]) {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 4>}
// CHECK-NEXT: %[[Y:.*]]:2 = "plait.threefry2x32"(%[[KB]], %[[KB]], %[[X1]], %[[X2]]) : (tensor<8x4xui32>, tensor<8x4xui32>, tensor<8x4xui32>, tensor<8x4xui32>)
// CHECK-NEXT: return %[[Y]]#0
func.func @threefry_batched_key(%k: tensor<8xui32>, %x: tensor<4xui32>) -> tensor<8x4xui32> {
  %0 = "plait.vmap"(%k, %x) {callee = @hash, in_axes = array<i64: 0, -1>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8xui32>, tensor<4xui32>) -> tensor<8x4xui32>
  return %0 : tensor<8x4xui32>
}

func.func private @hash(%k: tensor<ui32>, %x: tensor<4xui32>) -> tensor<4xui32> {
  %0 = "plait.broadcast_in_dim"(%k) {shape = array<i64: 4>, broadcast_dimensions = array<i64>} : (tensor<ui32>) -> tensor<4xui32>
  %1:2 = "plait.threefry2x32"(%0, %0, %x, %x) : (tensor<4xui32>, tensor<4xui32>, tensor<4xui32>, tensor<4xui32>) -> (tensor<4xui32>, tensor<4xui32>)
  return %1#0 : tensor<4xui32>
}
