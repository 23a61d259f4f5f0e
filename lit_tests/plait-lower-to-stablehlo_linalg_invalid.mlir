// RUN: plait-opt %s --pass-pipeline='builtin.module(plait-lower-to-stablehlo{platform=cuda})' --split-input-file --verify-diagnostics
// RUN: not plait-opt %s --pass-pipeline='builtin.module(plait-lower-to-stablehlo{platform=tpu})' --split-input-file 2>&1 | filecheck %s --check-prefix=TPU
// RUN: not plait-opt %s --pass-pipeline='builtin.module(plait-lower-to-stablehlo{plat=cuda})' 2>&1 | filecheck %s --check-prefix=OPTION

// Schur, like jax's, has a LAPACK lowering only: it is an error on CUDA. No decomposition has a
// TPU lowering here. A pass rejects options it does not have.
// TPU: error: 'plait.schur' runs on CPU only (as in jax), not on 'tpu'
// TPU: error: 'plait.cholesky' has no lowering for platform 'tpu'
// OPTION: plait-opt: pass 'plait-lower-to-stablehlo' has no option 'plat' (its options: platform)

func.func @schur(%a: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>) {
  // expected-error@+1 {{'plait.schur' runs on CPU only (as in jax), not on 'cuda'}}
  %0:2 = "plait.schur"(%a) {compute_schur_vectors = true} : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>)
  return %0#0, %0#1 : tensor<3x3xf32>, tensor<3x3xf32>
}

// -----

func.func @cholesky(%a: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = "plait.cholesky"(%a) : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}
