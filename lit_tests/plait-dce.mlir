// RUN: plait-opt %s --plait-dce | filecheck %s

// plait ops are pure: unused ones are erased, chains of them too. Private functions that no
// one references are erased; public ones stay.

// CHECK-LABEL: @dead_chain
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[E:.*]] = "plait.exp"(%[[X]])
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[E]] : tensor<4xf32>
func.func @dead_chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.log"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.mul"(%1, %1) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = "plait.reduce_sum"(%2) {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @dead_constant
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.constant
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @dead_constant(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  return %x : tensor<4xf32>
}

// An op stays while one of its results or users is live.
// CHECK-LABEL: @live_through_use
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[N:.*]] = "plait.neg"(%[[X]])
// CHECK-NEXT: %[[A:.*]] = "plait.add"(%[[N]], %[[X]])
// CHECK-NEXT: return %[[A]], %[[N]] : tensor<4xf32>, tensor<4xf32>
func.func @live_through_use(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.add"(%0, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1, %0 : tensor<4xf32>, tensor<4xf32>
}

// A func.call may have effects: it stays even when its result is unused.
// CHECK-LABEL: @unused_call_stays
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %{{.*}} = call @callee(%[[X]])
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @unused_call_stays(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @callee(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %x : tensor<4xf32>
}

// Called, so kept.
// CHECK-LABEL: func.func private @callee
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func private @callee(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %x : tensor<4xf32>
}

// CHECK-NOT: @unreferenced
func.func private @unreferenced(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// Referenced only from a function that is itself erased.
// CHECK-NOT: @only_called_by_dead
func.func private @only_called_by_dead(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// CHECK-NOT: @dead_caller
func.func private @dead_caller(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @only_called_by_dead(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A public function stays though no one calls it.
// CHECK-LABEL: func.func @public_uncalled
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @public_uncalled(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// A transformation op keeps its callee alive through the symbol in its attributes.
// CHECK-LABEL: func.func private @square
// CHECK-SAME: (%[[X:.*]]: tensor<f32>)
// CHECK-NEXT: %[[S:.*]] = "plait.mul"(%[[X]], %[[X]])
// CHECK-NEXT: return %[[S]] : tensor<f32>
func.func private @square(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.mul"(%x, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: @live_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK-NEXT: %[[J:.*]]:2 = "plait.jvp"(%[[X]], %[[T]]) {callee = @square, diff_args = array<i64: 0>}
// CHECK-NEXT: return %[[J]]#1 : tensor<f32>
func.func @live_jvp(%x: tensor<f32>, %t: tensor<f32>) -> tensor<f32> {
  %0:2 = "plait.jvp"(%x, %t) {callee = @square, diff_args = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#1 : tensor<f32>
}

// Once the dead jvp is erased, nothing refers to @cube.
// CHECK-NOT: @cube
func.func private @cube(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.mul"(%x, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %1 = "plait.mul"(%0, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// CHECK-LABEL: @dead_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK-NOT: plait.jvp
// CHECK-NEXT: return %[[X]] : tensor<f32>
func.func @dead_jvp(%x: tensor<f32>, %t: tensor<f32>) -> tensor<f32> {
  %0:2 = "plait.jvp"(%x, %t) {callee = @cube, diff_args = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %x : tensor<f32>
}

// A callback with side effects (a debug print) stays though nothing uses it; an unused
// pure_callback goes.
// CHECK-LABEL: @callbacks
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: "plait.callback"(%[[X]]) {{.*}}kind = "debug"
// CHECK-NEXT: "plait.callback"(%[[X]]) {{.*}}kind = "io"
// CHECK-NOT: plait.pure_callback
// CHECK-NEXT: return %[[X]] : tensor<3xf32>
func.func @callbacks(%x: tensor<3xf32>) -> tensor<3xf32> {
  "plait.callback"(%x) {callback = 0 : i64, kind = "debug", ordered = false, result_types = []} : (tensor<3xf32>) -> ()
  %0 = "plait.callback"(%x) {callback = 1 : i64, kind = "io", ordered = false, result_types = [tensor<f32>]} : (tensor<3xf32>) -> tensor<f32>
  %1 = "plait.pure_callback"(%x) {callback = 2 : i64, result_types = [tensor<3xf32>]} : (tensor<3xf32>) -> tensor<3xf32>
  return %x : tensor<3xf32>
}

// A region op is kept, though its results are unused, when its body has a side effect.
// CHECK-LABEL: @scan_with_print
// CHECK-SAME: (%[[XS:.*]]: tensor<3xf32>)
// CHECK: "plait.scan"
// CHECK: "plait.callback"
// CHECK-NOT: "plait.scan"
// CHECK: return %[[XS]] : tensor<3xf32>
func.func @scan_with_print(%xs: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "plait.constant"() {value = dense<0.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %1:2 = "plait.scan"(%0, %xs) ({
  ^bb0(%c: tensor<f32>, %x: tensor<f32>):
    "plait.callback"(%x) {callback = 0 : i64, kind = "debug", ordered = false, result_types = []} : (tensor<f32>) -> ()
    "plait.yield"(%c, %c) : (tensor<f32>, tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %2:2 = "plait.scan"(%0, %xs) ({
  ^bb0(%c: tensor<f32>, %x: tensor<f32>):
    "plait.yield"(%c, %c) : (tensor<f32>, tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %xs : tensor<3xf32>
}
