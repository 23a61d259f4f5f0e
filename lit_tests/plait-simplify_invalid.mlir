// RUN: plait-opt %s --plait-simplify="max-iterations=1 test-convergence" --verify-diagnostics
// RUN: plait-opt %s --plait-simplify="max-iterations=2 test-convergence" | filecheck %s

// test-convergence (as canonicalize's): the greedy driver needs a second sweep to see that
// the folds of the first one changed nothing, so one iteration does not converge here; two do.

// CHECK-LABEL: @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
// expected-error@+1 {{plait-simplify: the folds did not converge within max-iterations=1}}
module {
  func.func @neg_neg(%x: tensor<4xf32>) -> tensor<4xf32> {
    %0 = "plait.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
    %1 = "plait.neg"(%0) : (tensor<4xf32>) -> tensor<4xf32>
    return %1 : tensor<4xf32>
  }
}
