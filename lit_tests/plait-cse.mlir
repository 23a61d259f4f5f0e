// RUN: plait-opt %s --plait-cse | filecheck %s

// CHECK-LABEL: @duplicate_ops
func.func @duplicate_ops(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: %[[M:.*]] = "plait.mul"(%arg0, %arg0)
  // CHECK-NEXT: %[[S:.*]] = "plait.add"(%[[M]], %[[M]])
  // CHECK-NEXT: return %[[S]]
  %0 = "plait.mul"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.add"(%0, %1) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// CHECK-LABEL: @different_attributes_stay
func.func @different_attributes_stay(%a: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<3xf32>) {
  // CHECK-NEXT: "plait.reduce_sum"(%arg0) {axes = array<i64: 1>}
  // CHECK-NEXT: "plait.reduce_sum"(%arg0) {axes = array<i64: 0>}
  %0 = "plait.reduce_sum"(%a) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = "plait.reduce_sum"(%a) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<2xf32>, tensor<3xf32>
}
