// RUN: plait-opt %s --plait-op-stats -o /dev/null 2>&1 | filecheck %s
// RUN: plait-opt %s --pass-pipeline="builtin.module(plait-op-stats{json})" -o /dev/null 2>&1 | filecheck %s --check-prefix=JSON
// RUN: plait-opt %s --plait-op-stats | filecheck %s --check-prefix=IR

// plait-op-stats counts the ops of the module by name, as MLIR's print-op-stats prints them
// (names aligned on the dialect), on stderr; the IR is unchanged.

// CHECK: Operations encountered:
// CHECK-NEXT: -----------------------
// CHECK-NEXT: {{^  builtin.module   , 1$}}
// CHECK-NEXT: {{^     func.func     , 2$}}
// CHECK-NEXT: {{^     func.return   , 2$}}
// CHECK-NEXT: {{^    plait.add      , 3$}}
// CHECK-NEXT: {{^    plait.constant , 1$}}
// CHECK-NEXT: {{^    plait.exp      , 1$}}

// JSON: {
// JSON-NEXT: "builtin.module": 1,
// JSON-NEXT: "func.func": 2,
// JSON-NEXT: "func.return": 2,
// JSON-NEXT: "plait.add": 3,
// JSON-NEXT: "plait.constant": 1,
// JSON-NEXT: "plait.exp": 1
// JSON-NEXT: }

// IR-LABEL: @f
// IR-COUNT-2: "plait.add"
// IR-LABEL: @g
// IR: "plait.exp"
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.add"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.add"(%0, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

func.func @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = "plait.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.add"(%x, %c) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
