// RUN: not plait-opt %s --split-input-file 2>&1 | filecheck %s
// RUN: python -c "import subprocess, sys; sys.exit(subprocess.run(['plait-opt', sys.argv[1]], capture_output=True).returncode != 1)" %s
// RUN: printf '\x80\xff' | not plait-opt 2>&1 | filecheck %s --check-prefix=BYTES
// RUN: not plait-opt %s.missing 2>&1 | filecheck %s --check-prefix=MISSING
// RUN: not plait-opt %s --pass-pipeline='builtin.module(plait-no-such-pass)' 2>&1 | filecheck %s --check-prefix=PASS
// RUN: not plait-opt %s -o %t.missing-dir/out.mlir 2>&1 | filecheck %s --check-prefix=WRITE

// Bad input to the plait-opt command line: every error is `file:line:col: error: message` on
// one line (no Python traceback), and plait-opt exits with status 1.

// BYTES: plait-opt: cannot read -: not UTF-8 text
// MISSING: plait-opt: cannot read {{.*}}plait-opt_invalid.mlir.missing: No such file or directory
// PASS: plait-opt: unknown pass 'plait-no-such-pass'
// WRITE: plait-opt: cannot write {{.*}}out.mlir: No such file or directory
// CHECK-NOT: Traceback

func.func @undeclared_value(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: plait-opt_invalid.mlir:[[# @LINE + 1]]:10: error: use of undeclared SSA value name
  return %y : tensor<4xf32>
}

// -----

func.func @malformed_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: plait-opt_invalid.mlir:[[# @LINE + 1]]:57: error: expected '>' in tensor type
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32
  return %0 : tensor<4xf32>
}

// -----

// MLIR's own verifier runs before plait-verify.
func.func @func_verifier(%x: tensor<4xf32>) -> tensor<4xf64> {
  // CHECK-NEXT: plait-opt_invalid.mlir:[[# @LINE + 1]]:3: error: type of return operand 0 ('tensor<4xf32>') doesn't match function result type ('tensor<4xf64>') in function @func_verifier
  return %x : tensor<4xf32>
}

// -----

func.func @plait_verifier(%x: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK-NEXT: plait-opt_invalid.mlir:[[# @LINE + 1]]:8: error: plait.exp takes floating or complex operands, got int32
  %0 = "plait.exp"(%x) : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// An op that carries its own source location (as traced IR does) is reported there.
func.func @source_location(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: model.py:12:5: error: 'plait.exp' result types (tensor<4xf16>) do not match the inferred (tensor<4xf32>)
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf16> loc("model.py":12:5)
  return %x : tensor<4xf32>
}

// -----

// Python exceptions inside a type rule are still located errors.
func.func @type_rule_exception() -> tensor<2xf32> {
  // CHECK-NEXT: plait-opt_invalid.mlir:[[# @LINE + 1]]:8: error: plait.dynamic_slice: needs an operand and its start indices
  %0 = "plait.dynamic_slice"() {slice_sizes = array<i64: 2>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// Nothing follows the last error.
// CHECK-NOT: {{.}}
