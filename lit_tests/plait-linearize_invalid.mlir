// RUN: plait-opt %s --plait-linearize --split-input-file --verify-diagnostics

// @f has one result: ct_outs can only name result 0.
func.func @ct_outs_range(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{plait.vjp: ct_outs (1,) must be distinct result indices below 1}}
  %0:2 = "plait.vjp"(%x, %ct) {callee = @f, diff_args = array<i64: 0>, ct_outs = array<i64: 1>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The cotangent of x has x's type, not the result's.
func.func @cotangent_type(%x: tensor<4xf32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  // expected-error@+1 {{'plait.vjp' result types (tensor<f32>, tensor<f32>) do not match @total: expected (tensor<f32>, tensor<4xf32>)}}
  %0:2 = "plait.vjp"(%x, %ct) {callee = @total, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

func.func private @total(%x: tensor<4xf32>) -> tensor<f32> {
  %0 = "plait.reduce_sum"(%x) {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Partial evaluation inlines the calls of @f_jvp; a recursive @f would inline forever.
func.func @recursive(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @f, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait-inline: @f_jvp is recursive and cannot be inlined}}
  %0 = func.call @f(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
