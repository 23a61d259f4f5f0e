// RUN: plait-opt %s --plait-inline | filecheck %s

// Calls of private functions are replaced by the callee's body; private functions left
// unreferenced are erased. Public functions are neither inlined nor erased.

// CHECK-LABEL: @call_private
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[D:.*]] = "plait.add"(%[[X]], %[[X]])
// CHECK-NEXT: %[[R:.*]] = "plait.exp"(%[[D]])
// CHECK-NEXT: return %[[R]] : tensor<4xf32>
func.func @call_private(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @double(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-NOT: @double
func.func private @double(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.add"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Each call gets its own copy of the body, with its own arguments.
// CHECK-LABEL: @two_calls
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.*]] = "plait.mul"(%[[X]], %[[Y]])
// CHECK-NEXT: %[[B:.*]] = "plait.mul"(%[[Y]], %[[A]])
// CHECK-NEXT: return %[[B]] : tensor<4xf32>
func.func @two_calls(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @times(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = func.call @times(%y, %0) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-NOT: @times
func.func private @times(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// @outer calls @inner: both bodies end up in @nested and both functions are erased.
// CHECK-LABEL: @nested
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[T:.*]] = "plait.tanh"(%[[X]])
// CHECK-NEXT: %[[S:.*]] = "plait.reduce_sum"(%[[T]]) {axes = array<i64: 1>}
// CHECK-NEXT: %[[N:.*]] = "plait.neg"(%[[S]])
// CHECK-NEXT: return %[[N]] : tensor<2xf32>
func.func @nested(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = func.call @outer(%x) : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = "plait.neg"(%0) : (tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// CHECK-NOT: @outer
func.func private @outer(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = func.call @inner(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "plait.reduce_sum"(%0) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// CHECK-NOT: @inner
func.func private @inner(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.tanh"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A callee with several results, one of them an argument passed straight through.
// CHECK-LABEL: @multiple_results
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xi32>)
// CHECK-NEXT: %[[S:.*]] = "plait.sin"(%[[X]])
// CHECK-NEXT: %[[C:.*]] = "plait.cos"(%[[X]])
// CHECK-NEXT: %[[P:.*]] = "plait.add"(%[[S]], %[[C]])
// CHECK-NEXT: return %[[P]], %[[Y]], %[[S]] : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>
func.func @multiple_results(%x: tensor<4xf32>, %y: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>, tensor<4xf32>) {
  %0:3 = func.call @sin_cos(%y, %x) : (tensor<4xi32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>)
  %1 = "plait.add"(%0#0, %0#1) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1, %0#2, %0#0 : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>
}

// CHECK-NOT: @sin_cos
func.func private @sin_cos(%y: tensor<4xi32>, %x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.cos"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %y : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}

// CHECK-LABEL: @call_public
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @public_callee(%[[X]])
// CHECK-NEXT: return %[[R]] : tensor<4xf32>
func.func @call_public(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @public_callee(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @public_callee
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = "plait.abs"(%[[X]])
// CHECK-NEXT: return %[[R]] : tensor<4xf32>
func.func @public_callee(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.abs"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A private declaration has no body to inline: the call and the declaration stay.
// CHECK-LABEL: @call_declaration
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = call @external(%[[X]])
// CHECK-NEXT: return %[[R]] : tensor<4xf32>
func.func @call_declaration(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @external(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK: func.func private @external(tensor<4xf32>) -> tensor<4xf32>
func.func private @external(tensor<4xf32>) -> tensor<4xf32>
