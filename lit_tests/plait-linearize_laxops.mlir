// RUN: plait-opt %s --plait-linearize | filecheck %s

// Reverse mode of a reduce with a region body, as jax: the forward half keeps the plait.reduce
// for the primal and computes a tree over halves of the reduced axis (slices, a pad by the
// init value, the body vmapped); the linear half is that tree's tangent, with no plait.reduce,
// so plait-transpose can transpose it.

// CHECK-LABEL: @reduce(
// CHECK-NEXT: %[[F:.*]]:5 = call @reduce_f_fwd(
// CHECK-NEXT: "plait.linear_transpose"(%[[F]]#1, %[[F]]#2, %[[F]]#3, %[[F]]#4, %{{.*}}) {callee = @reduce_f_lin, linear_args = array<i64: 4>}

// CHECK-LABEL: func.func private @reduce_f_fwd
// CHECK: %[[Y:.*]] = "plait.reduce"
// CHECK: "plait.pad"
// CHECK: "plait.mul"
// CHECK: return %[[Y]],

// CHECK-LABEL: func.func private @reduce_f_lin
// CHECK-SAME: %[[T:[^ ]+]]: tensor<2x3xf32>) -> tensor<2xf32>
// CHECK-NOT: plait.reduce
// CHECK: "plait.transpose"(%[[T]])
// CHECK: "plait.pad"
// CHECK: "plait.add"
// CHECK: "plait.add"
// CHECK: return

func.func @reduce(%x: tensor<2x3xf32>, %ct: tensor<2xf32>) -> (tensor<2xf32>, tensor<2x3xf32>) {
  %0:2 = "plait.vjp"(%x, %ct) {callee = @reduce_f, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<2x3xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2x3xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2x3xf32>
}
func.func private @reduce_f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %one = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %0 = "plait.reduce"(%x, %one) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %m = "plait.mul"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%m) : (tensor<f32>) -> ()
  }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
