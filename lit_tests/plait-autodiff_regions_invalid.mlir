// RUN: plait-opt %s --plait-autodiff --split-input-file --verify-diagnostics

// Reverse mode through a while loop whose carry has a tangent needs a bound on its trip
// count; the error is at the loop and says what to do.
func.func @vjp_unbounded_while(%x: tensor<f32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @square_until, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

func.func private @square_until(%x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{reverse-mode differentiation of while_loop needs a bound on its trip count: pass max_trip_count=n to plait.lax.while_loop}}
  %0 = "plait.while"(%x) ({
  ^bb0(%c: tensor<f32>):
    %ten = "plait.constant"() {value = dense<10.0> : tensor<f32>} : () -> tensor<f32>
    %p = "plait.compare"(%c, %ten) {direction = "LT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "plait.yield"(%p) : (tensor<i1>) -> ()
  }, {
  ^bb0(%c: tensor<f32>):
    %m = "plait.mul"(%c, %c) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%m) : (tensor<f32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A cond is not linear in its index: transposing one whose index depends on the linear input
// is an error at the cond.
func.func @linear_index(%ct: tensor<f32>) -> tensor<i32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @lin, linear_args = array<i64: 0>} : (tensor<f32>) -> tensor<i32>
  return %0 : tensor<i32>
}

func.func private @lin(%i: tensor<i32>) -> tensor<f32> {
  %x = "plait.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  // expected-error@+1 {{plait.cond is not linear in its index}}
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<f32>):
    "plait.yield"(%a) : (tensor<f32>) -> ()
  }) : (tensor<i32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}
