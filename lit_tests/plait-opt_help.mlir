// RUN: plait-opt --help | filecheck %s

// `plait-opt --help` lists every pass with its summary, and under it each option with its
// type, help and default.

// CHECK: usage: plait-opt [options] [--<pass>[="<options>"] ...] [input]
// CHECK: --pass-pipeline
// CHECK: --verify-diagnostics
// CHECK: passes (run in the order given, after those of --pass-pipeline):
// CHECK-NEXT: --plait-autodiff {{ +}}Expand all autodiff ops
// CHECK: --plait-dce {{ +}}Erase unused plait ops and unreferenced private functions.
// CHECK: --plait-op-stats {{ +}}Print the number of ops of each name in the module (an analysis).
// CHECK-NEXT: json=<bool> {{ +}}Print the counts as a JSON object (default: false)
// CHECK-NEXT: --plait-raise-stablehlo {{ +}}Raise StableHLO and CHLO into the plait dialect
// CHECK-NEXT: --plait-report-unused {{ +}}Emit a remark at each pure plait op whose results are never used
// CHECK: --plait-simplify {{ +}}Fold identities
// CHECK-NEXT: max-iterations=<int> {{ +}}Sweeps of the greedy rewrite driver before it stops (-1: no limit) (default: 10)
// CHECK-NEXT: test-convergence=<bool> {{ +}}Fail if the folds have not converged within max-iterations (default: false)
// CHECK-NEXT: --plait-transpose
// CHECK-NEXT: --plait-verify
// CHECK: --pass-pipeline="builtin.module(plait-expand,plait-simplify{max-iterations=4},plait-dce)"
