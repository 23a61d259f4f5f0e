// RUN: %roundtrip
// RUN: plait-opt %s | filecheck %s

// Valid IR for the incomplete gamma and beta functions, zeta and the Bessel functions:
// plait-verify accepts it, and it prints and parses back to the same text.

// CHECK-LABEL: @ops
// CHECK: "plait.igamma"
// CHECK: "plait.igammac"
// CHECK: "plait.igamma_grad_a"
// CHECK: "plait.random_gamma_grad"
// CHECK: "plait.regularized_incomplete_beta"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
// CHECK: "plait.zeta"
// CHECK: "plait.bessel_i0e"
// CHECK: "plait.bessel_i1e"(%{{.*}}) : (tensor<4xbf16>) -> tensor<4xbf16>
func.func @ops(%a: tensor<4xf64>, %x: tensor<4xf64>, %h: tensor<4xbf16>) -> (tensor<4xf64>, tensor<4xbf16>) {
  %0 = "plait.igamma"(%a, %x) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %1 = "plait.igammac"(%a, %0) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %2 = "plait.igamma_grad_a"(%a, %1) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %3 = "plait.random_gamma_grad"(%a, %2) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %4 = "plait.regularized_incomplete_beta"(%a, %x, %3) : (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %5 = "plait.zeta"(%4, %x) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %6 = "plait.bessel_i0e"(%5) : (tensor<4xf64>) -> tensor<4xf64>
  %7 = "plait.bessel_i1e"(%h) : (tensor<4xbf16>) -> tensor<4xbf16>
  return %6, %7 : tensor<4xf64>, tensor<4xbf16>
}
