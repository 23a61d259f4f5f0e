// RUN: plait-opt %s --plait-expand --split-input-file --verify-diagnostics

// Forward mode through a custom_vjp_call leaves a custom_lin (a linear map known only through
// its transpose, the user's backward function) that nothing transposes.
func.func @jvp_of_custom_vjp(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @g, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{forward-mode differentiation (jvp, jacfwd) of a custom_vjp function is not supported; use reverse mode or define a custom_jvp}}
  %0 = "plait.custom_vjp_call"(%x) {callee = @f, fwd = @f_fwd_rule, bwd = @f_bwd_rule} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f_fwd_rule(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.cos"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f_bwd_rule(%c: tensor<4xf32>, %ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%ct, %c) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A vmap expanded inside a vjp: its errors surface from plait-expand too.
func.func @vjp_of_bad_vmap(%x: tensor<8x4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<8x4xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @g, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<8x4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<8x4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<8x4xf32>
}

func.func private @g(%x: tensor<8x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{vmap output 0 depends on the mapped axis}}
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 0>, out_axes = array<i64: -1>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
