// RUN: plait-opt %s --plait-raise-stablehlo --plait-autodiff --plait-batch --plait-inline --plait-simplify --plait-dce | filecheck %s

// A StableHLO function from another producer, differentiated and batched by plait's passes once
// raised: the plait.vjp and plait.vmap ops name it. The gradient of sum(sin(x)) is cos(x); the
// batched function is the same ops on a batch dimension.

// CHECK-LABEL: @grad_of_jax(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[COS:.*]] = "plait.cos"(%[[X]]) : (tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: return %[[COS]] : tensor<3xf32>
func.func @grad_of_jax(%x: tensor<3xf32>) -> tensor<3xf32> {
  %ct = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %0:2 = "plait.vjp"(%x, %ct) {callee = @loss, ct_outs = array<i64: 0>, diff_args = array<i64: 0>} : (tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
  return %0#1 : tensor<3xf32>
}

// CHECK-LABEL: @vmap_of_jax(
// CHECK-SAME: %[[XS:.*]]: tensor<8x3xf32>)
// CHECK-NEXT: %[[SIN:.*]] = "plait.sin"(%[[XS]]) : (tensor<8x3xf32>) -> tensor<8x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = "plait.reduce_sum"(%[[SIN]]) {axes = array<i64: 1>} : (tensor<8x3xf32>) -> tensor<8xf32>
// CHECK-NEXT: return %[[SUM]] : tensor<8xf32>
// CHECK-NOT: @loss
func.func @vmap_of_jax(%xs: tensor<8x3xf32>) -> tensor<8xf32> {
  %0 = "plait.vmap"(%xs) {callee = @loss, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x3xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

func.func private @loss(%x: tensor<3xf32>) -> tensor<f32> {
  %0 = stablehlo.sine %x : tensor<3xf32>
  %zero = stablehlo.constant dense<0.000000e+00> : tensor<f32>
  %1 = stablehlo.reduce(%0 init: %zero) applies stablehlo.add across dimensions = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<f32>
  return %1 : tensor<f32>
}
