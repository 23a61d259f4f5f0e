// RUN: plait-opt %s --plait-cse | filecheck %s

// CHECK-LABEL: @duplicate_ops
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
func.func @duplicate_ops(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: %[[M:.*]] = "plait.mul"(%[[A]], %[[A]])
  // CHECK-NEXT: %[[S:.*]] = "plait.add"(%[[M]], %[[M]])
  // CHECK-NEXT: return %[[S]]
  %0 = "plait.mul"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.add"(%0, %1) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// CHECK-LABEL: @different_attributes_stay
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>)
func.func @different_attributes_stay(%a: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<3xf32>) {
  // CHECK-NEXT: "plait.reduce_sum"(%[[A]]) {axes = array<i64: 1>}
  // CHECK-NEXT: "plait.reduce_sum"(%[[A]]) {axes = array<i64: 0>}
  %0 = "plait.reduce_sum"(%a) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = "plait.reduce_sum"(%a) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<2xf32>, tensor<3xf32>
}

// CHECK-LABEL: @equal_constants
func.func @equal_constants() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  // CHECK-NEXT: %[[A:.*]] = "plait.constant"() {value = dense<1.000000e+00> : tensor<2xf32>}
  // CHECK-NEXT: %[[B:.*]] = "plait.constant"() {value = dense<2.000000e+00> : tensor<2xf32>}
  // CHECK-NEXT: return %[[A]], %[[B]], %[[A]]
  %0 = "plait.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %1 = "plait.constant"() {value = dense<2.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %2 = "plait.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// Merging %1 into %0 makes %3 equal to %2, which merges in turn.
// CHECK-LABEL: @cascade
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
func.func @cascade(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK-NEXT: %[[E:.*]] = "plait.exp"(%[[A]])
  // CHECK-NEXT: %[[N:.*]] = "plait.neg"(%[[E]])
  // CHECK-NEXT: return %[[N]], %[[N]]
  %0 = "plait.exp"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.neg"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "plait.neg"(%1) : (tensor<4xf32>) -> tensor<4xf32>
  return %2, %3 : tensor<4xf32>, tensor<4xf32>
}

// Operand order matters: plait-cse does not know that add commutes.
// CHECK-LABEL: @commuted_operands_stay
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
func.func @commuted_operands_stay(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK-NEXT: %[[X:.*]] = "plait.add"(%[[A]], %[[B]])
  // CHECK-NEXT: %[[Y:.*]] = "plait.add"(%[[B]], %[[A]])
  // CHECK-NEXT: return %[[X]], %[[Y]]
  %0 = "plait.add"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.add"(%b, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// Same op and operand, different attribute: two converts stay.
// CHECK-LABEL: @different_dtypes_stay
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
func.func @different_dtypes_stay(%a: tensor<4xf32>) -> (tensor<4xf16>, tensor<4xbf16>) {
  // CHECK-NEXT: %[[H:.*]] = "plait.convert"(%[[A]]) {new_dtype = f16}
  // CHECK-NEXT: %[[B:.*]] = "plait.convert"(%[[A]]) {new_dtype = bf16}
  // CHECK-NEXT: return %[[H]], %[[B]]
  %0 = "plait.convert"(%a) {new_dtype = f16} : (tensor<4xf32>) -> tensor<4xf16>
  %1 = "plait.convert"(%a) {new_dtype = bf16} : (tensor<4xf32>) -> tensor<4xbf16>
  return %0, %1 : tensor<4xf16>, tensor<4xbf16>
}

// Calls may have effects: only plait ops are merged.
// CHECK-LABEL: @calls_stay
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
func.func @calls_stay(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK-NEXT: %[[X:.*]] = call @duplicate_ops(%[[A]])
  // CHECK-NEXT: %[[Y:.*]] = call @duplicate_ops(%[[A]])
  // CHECK-NEXT: return %[[X]], %[[Y]]
  %0 = func.call @duplicate_ops(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = func.call @duplicate_ops(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}
