// RUN: plait-opt %s --split-input-file --verify-diagnostics

// Each case is one region op that plait-verify must reject, with the error at that op's line.

func.func @branch_yield_types(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.cond' branch 1 yields (tensor<4xf16>) but must yield (tensor<4xf32>)}}
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<4xf32>):
    "plait.yield"(%a) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>):
    %c = "plait.convert"(%a) {new_dtype = f16} : (tensor<4xf32>) -> tensor<4xf16>
    "plait.yield"(%c) : (tensor<4xf16>) -> ()
  }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @branch_arguments(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.cond' branch 0 takes (tensor<4xf32>, tensor<4xf32>) but is given (tensor<4xf32>)}}
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    "plait.yield"(%a) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>):
    "plait.yield"(%a) : (tensor<4xf32>) -> ()
  }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @cond_index_type(%p: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.cond index must be an int32 scalar, got tensor<i1>}}
  %0 = "plait.cond"(%p, %x) ({
  ^bb0(%a: tensor<4xf32>):
    "plait.yield"(%a) : (tensor<4xf32>) -> ()
  }) : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @region_uses_outer_value(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.cond regions are isolated from above, but one uses %arg1 from outside: pass it as an operand}}
  %0 = "plait.cond"(%i) ({
    "plait.yield"(%x) : (tensor<4xf32>) -> ()
  }) : (tensor<i32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @missing_yield(%i: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.cond' a region must end with plait.yield}}
  %0 = "plait.cond"(%i, %x) ({
  ^bb0(%a: tensor<4xf32>):
    %n = "plait.neg"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  }) : (tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @yield_outside_region(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.yield must end a region of plait.cond}}
  "plait.yield"(%x) : (tensor<4xf32>) -> ()
  return %x : tensor<4xf32>
}

// -----

func.func @while_body_changes_carry(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.while' the body region yields (tensor<4xf64>) but must yield (tensor<4xf32>)}}
  %0 = "plait.while"(%x) ({
  ^bb0(%a: tensor<4xf32>):
    %t = "plait.constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
    "plait.yield"(%t) : (tensor<i1>) -> ()
  }, {
  ^bb0(%a: tensor<4xf32>):
    %c = "plait.convert"(%a) {new_dtype = f64} : (tensor<4xf32>) -> tensor<4xf64>
    "plait.yield"(%c) : (tensor<4xf64>) -> ()
  }) {num_consts = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @while_cond_not_bool(%x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{'plait.while' the cond region must yield one bool scalar, got (tensor<f32>)}}
  %0 = "plait.while"(%x) ({
  ^bb0(%a: tensor<f32>):
    "plait.yield"(%a) : (tensor<f32>) -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    "plait.yield"(%a) : (tensor<f32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @while_cond_not_scalar(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{'plait.while' the cond region must yield one bool scalar, got (tensor<2xi1>)}}
  %0 = "plait.while"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    %z = "plait.constant"() {value = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
    %p = "plait.compare"(%a, %z) {direction = "GT"} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
    "plait.yield"(%p) : (tensor<2xi1>) -> ()
  }, {
  ^bb0(%a: tensor<2xf32>):
    "plait.yield"(%a) : (tensor<2xf32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @while_missing_num_consts(%x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{plait.while is missing attribute(s) num_consts}}
  %0 = "plait.while"(%x) ({
  ^bb0(%a: tensor<f32>):
    %t = "plait.constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
    "plait.yield"(%t) : (tensor<i1>) -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    "plait.yield"(%a) : (tensor<f32>) -> ()
  }) : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @scan_xs_length(%c: tensor<f32>, %xs: tensor<4xf32>) -> tensor<f32> {
  // expected-error@+1 {{plait.scan xs must have leading dimension 3, got tensor<4xf32>}}
  %0 = "plait.scan"(%c, %xs) ({
  ^bb0(%a: tensor<f32>, %x: tensor<f32>):
    "plait.yield"(%a) : (tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @scan_body_changes_carry(%c: tensor<f32>, %xs: tensor<3xf32>) -> tensor<f32> {
  // expected-error@+1 {{'plait.scan' the scan body yields carry (tensor<i32>) but the carry is (tensor<f32>)}}
  %0 = "plait.scan"(%c, %xs) ({
  ^bb0(%a: tensor<f32>, %x: tensor<f32>):
    %i = "plait.convert"(%a) {new_dtype = i32} : (tensor<f32>) -> tensor<i32>
    "plait.yield"(%i) : (tensor<i32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @scan_ys_not_stacked(%c: tensor<f32>, %xs: tensor<3xf32>) -> (tensor<f32>, tensor<f32>) {
  // expected-error@+1 {{plait.scan result tensor<f32> is not a stack of 3 body outputs tensor<f32>}}
  %0:2 = "plait.scan"(%c, %xs) ({
  ^bb0(%a: tensor<f32>, %x: tensor<f32>):
    "plait.yield"(%a, %x) : (tensor<f32>, tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

// -----

func.func @scan_counts(%c: tensor<f32>, %xs: tensor<3xf32>) -> tensor<f32> {
  // expected-error@+1 {{plait.scan num_consts = 0, num_carry = 5 and length = 3 do not fit its 2 operands}}
  %0 = "plait.scan"(%c, %xs) ({
  ^bb0(%a: tensor<f32>, %x: tensor<f32>):
    "plait.yield"(%a) : (tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 5 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
