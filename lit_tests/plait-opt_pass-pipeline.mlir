// RUN: plait-opt %s --pass-pipeline="builtin.module(plait-simplify{max-iterations=0})" | filecheck %s --check-prefix=KEPT
// RUN: plait-opt %s --plait-simplify="max-iterations=0" | filecheck %s --check-prefix=KEPT
// RUN: plait-opt %s --pass-pipeline=" builtin.module( plait-simplify{ max-iterations=2  test-convergence }, plait-dce ) " | filecheck %s --check-prefix=FOLDED
// RUN: plait-opt %s --pass-pipeline="builtin.module(plait-simplify{test-convergence=true max-iterations='-1'})" | filecheck %s --check-prefix=FOLDED
// RUN: plait-opt %s --plait-simplify="max-iterations=2 test-convergence" --plait-dce --pass-pipeline="builtin.module()" | filecheck %s --check-prefix=FOLDED

// The two forms of a pipeline, mlir-opt's: `--pass-pipeline="builtin.module(name{opt=value})"`
// and `--name="opt=value"`. max-iterations=0 lets the greedy driver fold nothing.

// KEPT-LABEL: @add_zero
// KEPT: "plait.add"
// FOLDED-LABEL: @add_zero
// FOLDED-SAME: (%[[X:.*]]: tensor<4xf32>)
// FOLDED-NEXT: return %[[X]]
func.func @add_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = "plait.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.add"(%x, %zero) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Malformed pipelines, unknown passes and bad options: one message, the text, and a caret
// under the position (columns checked exactly). test/test_passes.py has the other errors.

// RUN: not plait-opt %s --pass-pipeline="builtin.module(plait-simplify" 2>&1 | filecheck %s --check-prefix=UNCLOSED
// UNCLOSED: plait-opt: expected ',' or ')' after a pass, found the end of the pipeline
// UNCLOSED-NEXT: {{^  builtin.module\(plait-simplify$}}
// UNCLOSED-NEXT: {{^ {31}\^$}}

// RUN: not plait-opt %s --pass-pipeline="builtin.module(plait-nope)" 2>&1 | filecheck %s --check-prefix=UNKNOWN
// UNKNOWN: plait-opt: unknown pass 'plait-nope'
// UNKNOWN-NEXT: {{^  builtin.module\(plait-nope\)$}}
// UNKNOWN-NEXT: {{^ {17}\^$}}

// A nested anchor is read, then rejected: plait passes run on the whole module.
// RUN: not plait-opt %s --pass-pipeline="builtin.module(plait-dce,func.func(plait-simplify))" 2>&1 | filecheck %s --check-prefix=NESTED
// NESTED: plait-opt: nested pipeline 'func.func(...)' is not supported: plait passes run on the whole module
// NESTED-NEXT: {{^  builtin.module\(plait-dce,func.func\(plait-simplify\)\)$}}
// NESTED-NEXT: {{^ {27}\^$}}
// RUN: not plait-opt %s --pass-pipeline="builtin.module(plait-simplify{max-iterations=many})" 2>&1 | filecheck %s --check-prefix=BADINT
// BADINT: plait-opt: option 'max-iterations' of 'plait-simplify' expects an integer, got 'many'
// BADINT-NEXT: {{^  builtin.module\(plait-simplify\{max-iterations=many\}\)$}}
// BADINT-NEXT: {{^ {47}\^$}}

// RUN: not plait-opt %s --plait-simplify="test-convergence=yes" 2>&1 | filecheck %s --check-prefix=BADBOOL
// BADBOOL: plait-opt: option 'test-convergence' of 'plait-simplify' expects true or false, got 'yes'
// BADBOOL-NEXT: {{^  --plait-simplify=test-convergence=yes$}}
// BADBOOL-NEXT: {{^ {36}\^$}}
