// RUN: plait-opt %s --verify-diagnostics
// RUN: not plait-opt %s 2>&1 | filecheck %s

// plait-verify reports every error of a module, as MLIR's verifier does, not only the first:
// here, in one chunk, bad ops in two functions and in a region, a transformation op whose
// callee signature does not match, and an op with two independent problems.

// CHECK: plait-verify_every_error_invalid.mlir:[[# @LINE + 3]]:8: error: plait.add operands must have equal shapes, got (4,) and (3,)
func.func @f(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.add operands must have equal shapes, got (4,) and (3,)}}
  %0 = "plait.add"(%x, %y) : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  // expected-error@+2 {{'plait.exp' has unknown attribute(s) fast}}
  // expected-error@+1 {{'plait.exp' result types (tensor<4xf64>) do not match the inferred (tensor<4xf32>)}}
  %1 = "plait.exp"(%0) {fast = true} : (tensor<4xf32>) -> tensor<4xf64>
  // CHECK-NEXT: plait-verify_every_error_invalid.mlir:[[# @LINE - 1]]:8: error: 'plait.exp' has unknown attribute(s) fast
  // CHECK-NEXT: plait-verify_every_error_invalid.mlir:[[# @LINE - 2]]:8: error: 'plait.exp' result types
  return %x : tensor<4xf32>
}

func.func @g(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<4xf32>):
    // expected-error@+1 {{unknown op 'plait.frobnicate'}}
    %b = "plait.frobnicate"(%a) : (tensor<4xf32>) -> tensor<4xf32>
    "plait.yield"(%b) : (tensor<4xf32>) -> ()
  }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  // expected-error@+2 {{'plait.jvp' operand types (tensor<4xf32>, tensor<4xf32>) do not match @sin: expected (tensor<f32>, tensor<f32>)}}
  // expected-error@+1 {{'plait.jvp' result types (tensor<4xf32>, tensor<4xf32>) do not match @sin: expected (tensor<f32>, tensor<f32>)}}
  %1:2 = "plait.jvp"(%x, %x) {callee = @sin, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  // expected-error@+1 {{plait.exp takes floating or complex operands, got int32}}
  %2 = "plait.exp"(%i) : (tensor<i32>) -> tensor<i32>
  return %0 : tensor<4xf32>
}

func.func private @sin(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.sin"(%x) : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}
