// RUN: plait-opt %s --plait-inline --split-input-file --verify-diagnostics

// Inlining a recursive private function would never end: plait-inline reports the call.

func.func private @self(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait-inline: @self is recursive and cannot be inlined}}
  %0 = func.call @self(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @self(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func private @even(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @odd(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = func.call @odd(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

func.func private @odd(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait-inline: @even is recursive and cannot be inlined}}
  %0 = func.call @even(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @even(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
