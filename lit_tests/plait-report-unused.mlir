// RUN: plait-opt %s --plait-report-unused --split-input-file --verify-diagnostics
// RUN: plait-opt %s --plait-report-unused --split-input-file 2>&1 >/dev/null | filecheck %s

// plait-report-unused is an analysis: a remark at each pure plait op whose results nobody
// uses (what plait-dce erases first), at the op's location. Ops used only by such ops are
// not reported (removing the unused one makes them unused).

// CHECK: plait-report-unused.mlir:[[# @LINE + 3]]:8: remark: the result of 'plait.exp' is never used
func.func @unused(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-remark@+1 {{the result of 'plait.exp' is never used}}
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

func.func @chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark@+1 {{the result of 'plait.neg' is never used}}
  %1 = "plait.neg"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

// Used results are not reported.
func.func @used(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
