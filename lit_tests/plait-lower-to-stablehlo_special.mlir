// RUN: plait-opt %s --plait-lower-to-stablehlo | filecheck %s

// The special functions: zeta and bessel_i1e lower to their CHLO ops; the others have none
// and expand into StableHLO formulas (rules/special.py), computed in float32 for float16.

// CHECK-LABEL: @chlo
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Q:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[Z:.*]] = chlo.zeta %[[X]], %[[Q]] : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[I:.*]] = chlo.bessel_i1e %[[Z]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: return %[[I]]
func.func @chlo(%x: tensor<4xf32>, %q: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.zeta"(%x, %q) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.bessel_i1e"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// Two loops, the continued fraction's first, each running while any element is unconverged
// (a reduce of its flags), then a select between them.
// CHECK-LABEL: @igamma
// CHECK-SAME: (%[[A:.*]]: tensor<4xf64>, %[[X:.*]]: tensor<4xf64>)
// CHECK: chlo.lgamma %[[A]]
// CHECK: %[[CF:.*]]:10 = stablehlo.while
// CHECK: stablehlo.reduce({{.*}}) applies stablehlo.or across dimensions = [0]
// CHECK: %[[SERIES:.*]]:5 = stablehlo.while
// CHECK: stablehlo.select
// CHECK-NOT: plait.
// CHECK: return
func.func @igamma(%a: tensor<4xf64>, %x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = "plait.igamma"(%a, %x) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// The derivatives use digamma (of a + 1 in the series, of a in the continued fraction).
// CHECK-LABEL: @igamma_grad_a
// CHECK: stablehlo.while
// CHECK: chlo.digamma
// CHECK: stablehlo.while
// CHECK: chlo.digamma
// CHECK-NOT: plait.
// CHECK: return
func.func @igamma_grad_a(%a: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.igamma_grad_a"(%a, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @igammac_and_sample_grad
// CHECK-COUNT-4: stablehlo.while
// CHECK-NOT: plait.
// CHECK: return
func.func @igammac_and_sample_grad(%a: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.igammac"(%a, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.random_gamma_grad"(%a, %0) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// One Lentz loop, then the front factor x^a (1-x)^b / (a B(a, b)).
// CHECK-LABEL: @betainc
// CHECK: stablehlo.while
// CHECK: chlo.lgamma
// CHECK: stablehlo.log_plus_one
// CHECK-NOT: plait.
// CHECK: return
func.func @betainc(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.regularized_incomplete_beta"(%a, %b, %x) : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// float16 widens to float32 and back; no loop: two Chebyshev sums and a select.
// CHECK-LABEL: @bessel_i0e_f16
// CHECK-SAME: (%[[X:.*]]: tensor<4xf16>)
// CHECK-NEXT: %[[W:.*]] = stablehlo.convert %[[X]] : (tensor<4xf16>) -> tensor<4xf32>
// CHECK-NEXT: stablehlo.abs %[[W]]
// CHECK-NOT: stablehlo.while
// CHECK: %[[N:.*]] = stablehlo.convert %{{.*}} : (tensor<4xf32>) -> tensor<4xf16>
// CHECK-NEXT: return %[[N]]
func.func @bessel_i0e_f16(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = "plait.bessel_i0e"(%x) : (tensor<4xf16>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}
