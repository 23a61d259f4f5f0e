// RUN: plait-opt %s --split-input-file --verify-diagnostics

// The type rules of the incomplete gamma and beta functions, zeta and the Bessel functions
// (dialect/special.py): each case is one op that plait-verify must reject.

func.func @igamma_of_ints(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{plait.igamma takes floating operands, got int32}}
  %0 = "plait.igamma"(%x, %x) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @zeta_of_mixed_dtypes(%x: tensor<4xf32>, %q: tensor<4xf64>) -> tensor<4xf32> {
  // expected-error @+1 {{plait.zeta operands must have equal dtypes, got float32 and float64}}
  %0 = "plait.zeta"(%x, %q) : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @betainc_of_two(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{plait.regularized_incomplete_beta takes 3 operands, got 2}}
  %0 = "plait.regularized_incomplete_beta"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @betainc_shapes(%a: tensor<4xf32>, %x: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{plait.regularized_incomplete_beta operands must have equal shapes, got (4,) and (4,) and (3,)}}
  %0 = "plait.regularized_incomplete_beta"(%a, %a, %x) : (tensor<4xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @bessel_i0e_of_complex(%x: tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>> {
  // expected-error @+1 {{plait.bessel_i0e takes floating operands, got complex64}}
  %0 = "plait.bessel_i0e"(%x) : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  return %0 : tensor<4xcomplex<f32>>
}
