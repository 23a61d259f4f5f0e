// RUN: plait-opt %s --split-input-file --plait-jvp | filecheck %s

// The derivatives of the incomplete gamma function (jax's): in a, igamma_grad_a; in x, the
// Gamma(a) density x^(a-1) exp(-x) / Gamma(a).

// CHECK-LABEL: func.func private @f_jvp
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<4xf32>, %[[TA:.*]]: tensor<4xf32>, %[[TX:.*]]: tensor<4xf32>)
// CHECK: %[[Y:.*]] = "plait.igamma"(%[[A]], %[[X]])
// CHECK: %[[GA:.*]] = "plait.igamma_grad_a"(%[[A]], %[[X]])
// CHECK: %[[DA:.*]] = "plait.mul"(%[[TA]], %[[GA]])
// CHECK: "plait.lgamma"(%[[A]])
// CHECK: %[[DENS:.*]] = "plait.exp"
// CHECK: %[[DX:.*]] = "plait.mul"(%[[TX]], %[[DENS]])
// CHECK: %[[T:.*]] = "plait.add"(%[[DA]], %[[DX]])
// CHECK: return %[[Y]], %[[T]]
func.func @igamma(%a: tensor<4xf32>, %x: tensor<4xf32>, %ta: tensor<4xf32>, %tx: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%a, %x, %ta, %tx) {callee = @f, diff_args = array<i64: 0, 1>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%a: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.igamma"(%a, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// zeta(x, q) in q: -x zeta(x + 1, q).
// CHECK-LABEL: func.func private @g_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Q:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK: %[[Y:.*]] = "plait.zeta"(%[[X]], %[[Q]])
// CHECK: %[[X1:.*]] = "plait.add"(%[[X]]
// CHECK: %[[Z1:.*]] = "plait.zeta"(%[[X1]], %[[Q]])
// CHECK: %[[M:.*]] = "plait.mul"(%[[X]], %[[Z1]])
// CHECK: %[[N:.*]] = "plait.neg"(%[[M]])
// CHECK: %[[D:.*]] = "plait.mul"(%[[T]], %[[N]])
// CHECK: return %[[Y]], %[[D]]
func.func @zeta(%x: tensor<4xf32>, %q: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %q, %t) {callee = @g, diff_args = array<i64: 1>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @g(%x: tensor<4xf32>, %q: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.zeta"(%x, %q) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
