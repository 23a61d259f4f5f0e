// RUN: %roundtrip
// RUN: plait-opt %s | filecheck %s

// Valid IR for every plait op: plait-verify (which plait-opt runs first) accepts it, and it
// prints in generic form, attributes sorted, and parses back to the same text.

// CHECK-LABEL: @unary_float
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[NEG:.*]] = "plait.neg"(%[[X]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[ABS:.*]] = "plait.abs"(%[[NEG]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[SIGN:.*]] = "plait.sign"(%[[ABS]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[EXP:.*]] = "plait.exp"(%[[SIGN]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[LOG:.*]] = "plait.log"(%[[EXP]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[LOG1P:.*]] = "plait.log1p"(%[[LOG]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[EXPM1:.*]] = "plait.expm1"(%[[LOG1P]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[SQRT:.*]] = "plait.sqrt"(%[[EXPM1]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[RSQRT:.*]] = "plait.rsqrt"(%[[SQRT]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[SIN:.*]] = "plait.sin"(%[[RSQRT]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[COS:.*]] = "plait.cos"(%[[SIN]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[TAN:.*]] = "plait.tan"(%[[COS]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[TANH:.*]] = "plait.tanh"(%[[TAN]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[LOGISTIC:.*]] = "plait.logistic"(%[[TANH]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[ERF:.*]] = "plait.erf"(%[[LOGISTIC]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[FLOOR:.*]] = "plait.floor"(%[[ERF]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[CEIL:.*]] = "plait.ceil"(%[[FLOOR]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[ROUND:.*]] = "plait.round"(%[[CEIL]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[ROUND]] : tensor<4xf32>
func.func @unary_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.abs"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.sign"(%1) : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "plait.exp"(%2) : (tensor<4xf32>) -> tensor<4xf32>
  %4 = "plait.log"(%3) : (tensor<4xf32>) -> tensor<4xf32>
  %5 = "plait.log1p"(%4) : (tensor<4xf32>) -> tensor<4xf32>
  %6 = "plait.expm1"(%5) : (tensor<4xf32>) -> tensor<4xf32>
  %7 = "plait.sqrt"(%6) : (tensor<4xf32>) -> tensor<4xf32>
  %8 = "plait.rsqrt"(%7) : (tensor<4xf32>) -> tensor<4xf32>
  %9 = "plait.sin"(%8) : (tensor<4xf32>) -> tensor<4xf32>
  %10 = "plait.cos"(%9) : (tensor<4xf32>) -> tensor<4xf32>
  %11 = "plait.tan"(%10) : (tensor<4xf32>) -> tensor<4xf32>
  %12 = "plait.tanh"(%11) : (tensor<4xf32>) -> tensor<4xf32>
  %13 = "plait.logistic"(%12) : (tensor<4xf32>) -> tensor<4xf32>
  %14 = "plait.erf"(%13) : (tensor<4xf32>) -> tensor<4xf32>
  %15 = "plait.floor"(%14) : (tensor<4xf32>) -> tensor<4xf32>
  %16 = "plait.ceil"(%15) : (tensor<4xf32>) -> tensor<4xf32>
  %17 = "plait.round"(%16) : (tensor<4xf32>) -> tensor<4xf32>
  return %17 : tensor<4xf32>
}

// CHECK-LABEL: @unary_to_bool
// CHECK-SAME: (%[[X:.*]]: tensor<4xf64>, %[[P:.*]]: tensor<4xi1>, %[[I:.*]]: tensor<4xi32>)
// CHECK-NEXT: %[[IS_FINITE:.*]] = "plait.is_finite"(%[[X]]) : (tensor<4xf64>) -> tensor<4xi1>
// CHECK-NEXT: %[[NOT:.*]] = "plait.not"(%[[P]]) : (tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT: %[[NOT2:.*]] = "plait.not"(%[[I]]) : (tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT: return %[[IS_FINITE]], %[[NOT]], %[[NOT2]] : tensor<4xi1>, tensor<4xi1>, tensor<4xi32>
func.func @unary_to_bool(%x: tensor<4xf64>, %p: tensor<4xi1>, %i: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi32>) {
  %0 = "plait.is_finite"(%x) : (tensor<4xf64>) -> tensor<4xi1>
  %1 = "plait.not"(%p) : (tensor<4xi1>) -> tensor<4xi1>
  %2 = "plait.not"(%i) : (tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi32>
}

// CHECK-LABEL: @unary_int
// CHECK-SAME: (%[[X:.*]]: tensor<3xi8>)
// CHECK-NEXT: %[[NEG:.*]] = "plait.neg"(%[[X]]) : (tensor<3xi8>) -> tensor<3xi8>
// CHECK-NEXT: %[[ABS:.*]] = "plait.abs"(%[[NEG]]) : (tensor<3xi8>) -> tensor<3xi8>
// CHECK-NEXT: %[[SIGN:.*]] = "plait.sign"(%[[ABS]]) : (tensor<3xi8>) -> tensor<3xi8>
// CHECK-NEXT: return %[[SIGN]] : tensor<3xi8>
func.func @unary_int(%x: tensor<3xi8>) -> tensor<3xi8> {
  %0 = "plait.neg"(%x) : (tensor<3xi8>) -> tensor<3xi8>
  %1 = "plait.abs"(%0) : (tensor<3xi8>) -> tensor<3xi8>
  %2 = "plait.sign"(%1) : (tensor<3xi8>) -> tensor<3xi8>
  return %2 : tensor<3xi8>
}

// CHECK-LABEL: @complex_parts
// CHECK-SAME: (%[[RE:.*]]: tensor<2xf64>, %[[IM:.*]]: tensor<2xf64>)
// CHECK-NEXT: %[[COMPLEX:.*]] = "plait.complex"(%[[RE]], %[[IM]]) : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xcomplex<f64>>
// CHECK-NEXT: %[[REAL:.*]] = "plait.real"(%[[COMPLEX]]) : (tensor<2xcomplex<f64>>) -> tensor<2xf64>
// CHECK-NEXT: %[[IMAG:.*]] = "plait.imag"(%[[COMPLEX]]) : (tensor<2xcomplex<f64>>) -> tensor<2xf64>
// CHECK-NEXT: %[[ABS:.*]] = "plait.abs"(%[[COMPLEX]]) : (tensor<2xcomplex<f64>>) -> tensor<2xf64>
// CHECK-NEXT: %[[EXP:.*]] = "plait.exp"(%[[COMPLEX]]) : (tensor<2xcomplex<f64>>) -> tensor<2xcomplex<f64>>
// CHECK-NEXT: return %[[REAL]], %[[IMAG]], %[[ABS]], %[[EXP]] : tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xcomplex<f64>>
func.func @complex_parts(%re: tensor<2xf64>, %im: tensor<2xf64>) -> (tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xcomplex<f64>>) {
  %0 = "plait.complex"(%re, %im) : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xcomplex<f64>>
  %1 = "plait.real"(%0) : (tensor<2xcomplex<f64>>) -> tensor<2xf64>
  %2 = "plait.imag"(%0) : (tensor<2xcomplex<f64>>) -> tensor<2xf64>
  %3 = "plait.abs"(%0) : (tensor<2xcomplex<f64>>) -> tensor<2xf64>
  %4 = "plait.exp"(%0) : (tensor<2xcomplex<f64>>) -> tensor<2xcomplex<f64>>
  return %1, %2, %3, %4 : tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xcomplex<f64>>
}

// CHECK-LABEL: @binary_float
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[ADD:.*]] = "plait.add"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[SUB:.*]] = "plait.sub"(%[[ADD]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[MUL:.*]] = "plait.mul"(%[[SUB]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[DIV:.*]] = "plait.div"(%[[MUL]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[REM:.*]] = "plait.rem"(%[[DIV]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[POW:.*]] = "plait.pow"(%[[REM]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[MAX:.*]] = "plait.max"(%[[POW]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[MIN:.*]] = "plait.min"(%[[MAX]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[ATAN2:.*]] = "plait.atan2"(%[[MIN]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[ATAN2]] : tensor<2x3xf32>
func.func @binary_float(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.add"(%x, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "plait.sub"(%0, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = "plait.mul"(%1, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = "plait.div"(%2, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = "plait.rem"(%3, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = "plait.pow"(%4, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = "plait.max"(%5, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = "plait.min"(%6, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %8 = "plait.atan2"(%7, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %8 : tensor<2x3xf32>
}

// CHECK-LABEL: @binary_logical
// CHECK-SAME: (%[[P:.*]]: tensor<4xi1>, %[[Q:.*]]: tensor<4xi1>, %[[I:.*]]: tensor<4xui32>, %[[J:.*]]: tensor<4xui32>)
// CHECK-NEXT: %[[AND:.*]] = "plait.and"(%[[P]], %[[Q]]) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT: %[[OR:.*]] = "plait.or"(%[[AND]], %[[Q]]) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT: %[[XOR:.*]] = "plait.xor"(%[[OR]], %[[Q]]) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT: %[[AND2:.*]] = "plait.and"(%[[I]], %[[J]]) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
// CHECK-NEXT: %[[OR2:.*]] = "plait.or"(%[[AND2]], %[[J]]) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
// CHECK-NEXT: %[[XOR2:.*]] = "plait.xor"(%[[OR2]], %[[J]]) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
// CHECK-NEXT: return %[[XOR]], %[[XOR2]] : tensor<4xi1>, tensor<4xui32>
func.func @binary_logical(%p: tensor<4xi1>, %q: tensor<4xi1>, %i: tensor<4xui32>, %j: tensor<4xui32>) -> (tensor<4xi1>, tensor<4xui32>) {
  %0 = "plait.and"(%p, %q) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = "plait.or"(%0, %q) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %2 = "plait.xor"(%1, %q) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %3 = "plait.and"(%i, %j) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %4 = "plait.or"(%3, %j) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %5 = "plait.xor"(%4, %j) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  return %2, %5 : tensor<4xi1>, tensor<4xui32>
}

// CHECK-LABEL: @compare
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>, %[[Y:.*]]: tensor<4xi32>, %[[C:.*]]: tensor<4xcomplex<f32>>)
// CHECK-NEXT: %[[COMPARE:.*]] = "plait.compare"(%[[X]], %[[Y]]) {direction = "LT"} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
// CHECK-NEXT: %[[COMPARE2:.*]] = "plait.compare"(%[[X]], %[[Y]]) {direction = "GE"} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
// CHECK-NEXT: %[[COMPARE3:.*]] = "plait.compare"(%[[C]], %[[C]]) {direction = "EQ"} : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xi1>
// CHECK-NEXT: %[[COMPARE4:.*]] = "plait.compare"(%[[C]], %[[C]]) {direction = "NE"} : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xi1>
// CHECK-NEXT: return %[[COMPARE]], %[[COMPARE2]], %[[COMPARE3]], %[[COMPARE4]] : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
func.func @compare(%x: tensor<4xi32>, %y: tensor<4xi32>, %c: tensor<4xcomplex<f32>>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = "plait.compare"(%x, %y) {direction = "LT"} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %1 = "plait.compare"(%x, %y) {direction = "GE"} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %2 = "plait.compare"(%c, %c) {direction = "EQ"} : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xi1>
  %3 = "plait.compare"(%c, %c) {direction = "NE"} : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// CHECK-LABEL: @select_clamp
// CHECK-SAME: (%[[P:.*]]: tensor<4xi1>, %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[SELECT:.*]] = "plait.select"(%[[P]], %[[X]], %[[Y]]) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[CLAMP:.*]] = "plait.clamp"(%[[X]], %[[SELECT]], %[[Y]]) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[CLAMP]] : tensor<4xf32>
func.func @select_clamp(%p: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.select"(%p, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.clamp"(%x, %0, %y) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: @convert
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[C:.*]]: tensor<4xcomplex<f32>>)
// CHECK-NEXT: %[[CONVERT:.*]] = "plait.convert"(%[[X]]) {new_dtype = f16} : (tensor<4xf32>) -> tensor<4xf16>
// CHECK-NEXT: %[[CONVERT2:.*]] = "plait.convert"(%[[X]]) {new_dtype = i1} : (tensor<4xf32>) -> tensor<4xi1>
// CHECK-NEXT: %[[CONVERT3:.*]] = "plait.convert"(%[[C]]) {new_dtype = f32} : (tensor<4xcomplex<f32>>) -> tensor<4xf32>
// CHECK-NEXT: %[[CONVERT4:.*]] = "plait.convert"(%[[CONVERT2]]) {new_dtype = bf16} : (tensor<4xi1>) -> tensor<4xbf16>
// CHECK-NEXT: %[[CONVERT5:.*]] = "plait.convert"(%[[X]]) {new_dtype = complex<f64>} : (tensor<4xf32>) -> tensor<4xcomplex<f64>>
// CHECK-NEXT: return %[[CONVERT]], %[[CONVERT2]], %[[CONVERT3]], %[[CONVERT4]], %[[CONVERT5]] : tensor<4xf16>, tensor<4xi1>, tensor<4xf32>, tensor<4xbf16>, tensor<4xcomplex<f64>>
func.func @convert(%x: tensor<4xf32>, %c: tensor<4xcomplex<f32>>) -> (tensor<4xf16>, tensor<4xi1>, tensor<4xf32>, tensor<4xbf16>, tensor<4xcomplex<f64>>) {
  %0 = "plait.convert"(%x) {new_dtype = f16} : (tensor<4xf32>) -> tensor<4xf16>
  %1 = "plait.convert"(%x) {new_dtype = i1} : (tensor<4xf32>) -> tensor<4xi1>
  %2 = "plait.convert"(%c) {new_dtype = f32} : (tensor<4xcomplex<f32>>) -> tensor<4xf32>
  %3 = "plait.convert"(%1) {new_dtype = bf16} : (tensor<4xi1>) -> tensor<4xbf16>
  %4 = "plait.convert"(%x) {new_dtype = complex<f64>} : (tensor<4xf32>) -> tensor<4xcomplex<f64>>
  return %0, %1, %2, %3, %4 : tensor<4xf16>, tensor<4xi1>, tensor<4xf32>, tensor<4xbf16>, tensor<4xcomplex<f64>>
}

// CHECK-LABEL: @constant
// CHECK-NEXT: %[[CONSTANT:.*]] = "plait.constant"() {value = dense<1.500000e+00> : tensor<2xf32>} : () -> tensor<2xf32>
// CHECK-NEXT: %[[CONSTANT2:.*]] = "plait.constant"() {value = dense<[1, 2, 3]> : tensor<3xi32>} : () -> tensor<3xi32>
// CHECK-NEXT: %[[CONSTANT3:.*]] = "plait.constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
// CHECK-NEXT: %[[CONSTANT4:.*]] = "plait.constant"() {value = dense<{{\[\[}}0, 1], [254, 255]]> : tensor<2x2xui8>} : () -> tensor<2x2xui8>
// CHECK-NEXT: return %[[CONSTANT]], %[[CONSTANT2]], %[[CONSTANT3]], %[[CONSTANT4]] : tensor<2xf32>, tensor<3xi32>, tensor<i1>, tensor<2x2xui8>
func.func @constant() -> (tensor<2xf32>, tensor<3xi32>, tensor<i1>, tensor<2x2xui8>) {
  %0 = "plait.constant"() {value = dense<1.5> : tensor<2xf32>} : () -> tensor<2xf32>
  %1 = "plait.constant"() {value = dense<[1, 2, 3]> : tensor<3xi32>} : () -> tensor<3xi32>
  %2 = "plait.constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
  %3 = "plait.constant"() {value = dense<[[0, 1], [254, 255]]> : tensor<2x2xui8>} : () -> tensor<2x2xui8>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<3xi32>, tensor<i1>, tensor<2x2xui8>
}

// CHECK-LABEL: @iota
// CHECK-NEXT: %[[IOTA:.*]] = "plait.iota"() {dimension = 1 : i64, dtype = i32, shape = array<i64: 2, 3>} : () -> tensor<2x3xi32>
// CHECK-NEXT: return %[[IOTA]] : tensor<2x3xi32>
func.func @iota() -> tensor<2x3xi32> {
  %0 = "plait.iota"() {shape = array<i64: 2, 3>, dtype = i32, dimension = 1 : i64} : () -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// CHECK-LABEL: @broadcast_in_dim
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[S:.*]]: tensor<f32>)
// CHECK-NEXT: %[[BROADCAST_IN_DIM:.*]] = "plait.broadcast_in_dim"(%[[X]]) {broadcast_dimensions = array<i64: 1>, shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[BROADCAST_IN_DIM2:.*]] = "plait.broadcast_in_dim"(%[[S]]) {broadcast_dimensions = array<i64>, shape = array<i64: 2, 3>} : (tensor<f32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[BROADCAST_IN_DIM]], %[[BROADCAST_IN_DIM2]] : tensor<2x3xf32>, tensor<2x3xf32>
func.func @broadcast_in_dim(%x: tensor<3xf32>, %s: tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = "plait.broadcast_in_dim"(%x) {shape = array<i64: 2, 3>, broadcast_dimensions = array<i64: 1>} : (tensor<3xf32>) -> tensor<2x3xf32>
  %1 = "plait.broadcast_in_dim"(%s) {shape = array<i64: 2, 3>, broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[RESHAPE:.*]] = "plait.reshape"(%[[X]]) {new_sizes = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK-NEXT: %[[RESHAPE2:.*]] = "plait.reshape"(%[[RESHAPE]]) {new_sizes = array<i64: 3, 1, 2>} : (tensor<6xf32>) -> tensor<3x1x2xf32>
// CHECK-NEXT: return %[[RESHAPE2]] : tensor<3x1x2xf32>
func.func @reshape(%x: tensor<2x3xf32>) -> tensor<3x1x2xf32> {
  %0 = "plait.reshape"(%x) {new_sizes = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = "plait.reshape"(%0) {new_sizes = array<i64: 3, 1, 2>} : (tensor<6xf32>) -> tensor<3x1x2xf32>
  return %1 : tensor<3x1x2xf32>
}

// CHECK-LABEL: @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[TRANSPOSE:.*]] = "plait.transpose"(%[[X]]) {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[TRANSPOSE]] : tensor<4x2x3xf32>
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = "plait.transpose"(%x) {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// CHECK-LABEL: @slice
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>)
// CHECK-NEXT: %[[SLICE:.*]] = "plait.slice"(%[[X]]) {limit_indices = array<i64: 7, 4>, start_indices = array<i64: 1, 0>, strides = array<i64: 2, 2>} : (tensor<8x4xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[SLICE]] : tensor<3x2xf32>
func.func @slice(%x: tensor<8x4xf32>) -> tensor<3x2xf32> {
  %0 = "plait.slice"(%x) {start_indices = array<i64: 1, 0>, limit_indices = array<i64: 7, 4>, strides = array<i64: 2, 2>} : (tensor<8x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK-LABEL: @dynamic_slice
// CHECK-SAME: (%[[X:.*]]: tensor<5x4xf32>, %[[I:.*]]: tensor<i32>, %[[J:.*]]: tensor<i32>)
// CHECK-NEXT: %[[DYNAMIC_SLICE:.*]] = "plait.dynamic_slice"(%[[X]], %[[I]], %[[J]]) {slice_sizes = array<i64: 2, 2>} : (tensor<5x4xf32>, tensor<i32>, tensor<i32>) -> tensor<2x2xf32>
// CHECK-NEXT: return %[[DYNAMIC_SLICE]] : tensor<2x2xf32>
func.func @dynamic_slice(%x: tensor<5x4xf32>, %i: tensor<i32>, %j: tensor<i32>) -> tensor<2x2xf32> {
  %0 = "plait.dynamic_slice"(%x, %i, %j) {slice_sizes = array<i64: 2, 2>} : (tensor<5x4xf32>, tensor<i32>, tensor<i32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// CHECK-LABEL: @dynamic_update_slice
// CHECK-SAME: (%[[X:.*]]: tensor<5x4xf32>, %[[U:.*]]: tensor<2x2xf32>, %[[I:.*]]: tensor<i64>, %[[J:.*]]: tensor<i64>)
// CHECK-NEXT: %[[DYNAMIC_UPDATE_SLICE:.*]] = "plait.dynamic_update_slice"(%[[X]], %[[U]], %[[I]], %[[J]]) : (tensor<5x4xf32>, tensor<2x2xf32>, tensor<i64>, tensor<i64>) -> tensor<5x4xf32>
// CHECK-NEXT: return %[[DYNAMIC_UPDATE_SLICE]] : tensor<5x4xf32>
func.func @dynamic_update_slice(%x: tensor<5x4xf32>, %u: tensor<2x2xf32>, %i: tensor<i64>, %j: tensor<i64>) -> tensor<5x4xf32> {
  %0 = "plait.dynamic_update_slice"(%x, %u, %i, %j) : (tensor<5x4xf32>, tensor<2x2xf32>, tensor<i64>, tensor<i64>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// CHECK-LABEL: @concatenate
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<1x3xf32>)
// CHECK-NEXT: %[[CONCATENATE:.*]] = "plait.concatenate"(%[[A]], %[[B]], %[[A]]) {dimension = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<5x3xf32>
// CHECK-NEXT: return %[[CONCATENATE]] : tensor<5x3xf32>
func.func @concatenate(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<5x3xf32> {
  %0 = "plait.concatenate"(%a, %b, %a) {dimension = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// CHECK-LABEL: @pad
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[V:.*]]: tensor<f32>)
// CHECK-NEXT: %[[PAD:.*]] = "plait.pad"(%[[X]], %[[V]]) {edge_padding_high = array<i64: 0, 1>, edge_padding_low = array<i64: 1, -1>, interior_padding = array<i64: 1, 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<4x5xf32>
// CHECK-NEXT: return %[[PAD]] : tensor<4x5xf32>
func.func @pad(%x: tensor<2x3xf32>, %v: tensor<f32>) -> tensor<4x5xf32> {
  %0 = "plait.pad"(%x, %v) {edge_padding_low = array<i64: 1, -1>, edge_padding_high = array<i64: 0, 1>, interior_padding = array<i64: 1, 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// CHECK-LABEL: @rev
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[REV:.*]] = "plait.rev"(%[[X]]) {dimensions = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[REV]] : tensor<2x3xf32>
func.func @rev(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.rev"(%x) {dimensions = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: @gather
// CHECK-SAME: (%[[X:.*]]: tensor<5x3xf32>, %[[IDX:.*]]: tensor<2x1xi32>)
// CHECK-NEXT: %[[GATHER:.*]] = "plait.gather"(%[[X]], %[[IDX]]) {collapsed_slice_dims = array<i64: 0>, index_vector_dim = 1 : i64, indices_are_sorted = true, offset_dims = array<i64: 1>, operand_batching_dims = array<i64>, slice_sizes = array<i64: 1, 3>, start_index_map = array<i64: 0>, start_indices_batching_dims = array<i64>} : (tensor<5x3xf32>, tensor<2x1xi32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[GATHER]] : tensor<2x3xf32>
func.func @gather(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>) -> tensor<2x3xf32> {
  %0 = "plait.gather"(%x, %idx) {offset_dims = array<i64: 1>, collapsed_slice_dims = array<i64: 0>, operand_batching_dims = array<i64>, start_indices_batching_dims = array<i64>, start_index_map = array<i64: 0>, index_vector_dim = 1 : i64, slice_sizes = array<i64: 1, 3>, indices_are_sorted = true} : (tensor<5x3xf32>, tensor<2x1xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: @gather_batching
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x3xf32>, %[[IDX:.*]]: tensor<2x4x1xi32>)
// CHECK-NEXT: %[[GATHER:.*]] = "plait.gather"(%[[X]], %[[IDX]]) {collapsed_slice_dims = array<i64: 1>, index_vector_dim = 2 : i64, offset_dims = array<i64: 2>, operand_batching_dims = array<i64: 0>, slice_sizes = array<i64: 1, 1, 3>, start_index_map = array<i64: 1>, start_indices_batching_dims = array<i64: 0>} : (tensor<2x5x3xf32>, tensor<2x4x1xi32>) -> tensor<2x4x3xf32>
// CHECK-NEXT: return %[[GATHER]] : tensor<2x4x3xf32>
func.func @gather_batching(%x: tensor<2x5x3xf32>, %idx: tensor<2x4x1xi32>) -> tensor<2x4x3xf32> {
  %0 = "plait.gather"(%x, %idx) {offset_dims = array<i64: 2>, collapsed_slice_dims = array<i64: 1>, operand_batching_dims = array<i64: 0>, start_indices_batching_dims = array<i64: 0>, start_index_map = array<i64: 1>, index_vector_dim = 2 : i64, slice_sizes = array<i64: 1, 1, 3>} : (tensor<2x5x3xf32>, tensor<2x4x1xi32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// CHECK-LABEL: @scatter
// CHECK-SAME: (%[[X:.*]]: tensor<5x3xf32>, %[[IDX:.*]]: tensor<2x1xi32>, %[[U:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[SCATTER:.*]] = "plait.scatter"(%[[X]], %[[IDX]], %[[U]]) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, mode = "set", scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
// CHECK-NEXT: %[[SCATTER2:.*]] = "plait.scatter"(%[[X]], %[[IDX]], %[[U]]) {index_vector_dim = 1 : i64, indices_are_sorted = false, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, mode = "add", scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, unique_indices = true, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
// CHECK-NEXT: return %[[SCATTER]], %[[SCATTER2]] : tensor<5x3xf32>, tensor<5x3xf32>
func.func @scatter(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>, %u: tensor<2x3xf32>) -> (tensor<5x3xf32>, tensor<5x3xf32>) {
  %0 = "plait.scatter"(%x, %idx, %u) {mode = "set", update_window_dims = array<i64: 1>, inserted_window_dims = array<i64: 0>, input_batching_dims = array<i64>, scatter_indices_batching_dims = array<i64>, scatter_dims_to_operand_dims = array<i64: 0>, index_vector_dim = 1 : i64} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  %1 = "plait.scatter"(%x, %idx, %u) {mode = "add", update_window_dims = array<i64: 1>, inserted_window_dims = array<i64: 0>, input_batching_dims = array<i64>, scatter_indices_batching_dims = array<i64>, scatter_dims_to_operand_dims = array<i64: 0>, index_vector_dim = 1 : i64, indices_are_sorted = false, unique_indices = true} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0, %1 : tensor<5x3xf32>, tensor<5x3xf32>
}

// CHECK-LABEL: @cumsum
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi32>)
// CHECK-NEXT: %[[CUMSUM:.*]] = "plait.cumsum"(%[[X]]) {axis = 1 : i64, reverse = false} : (tensor<2x3xi32>) -> tensor<2x3xi32>
// CHECK-NEXT: %[[CUMSUM2:.*]] = "plait.cumsum"(%[[X]]) {axis = 0 : i64, reverse = true} : (tensor<2x3xi32>) -> tensor<2x3xi32>
// CHECK-NEXT: return %[[CUMSUM]], %[[CUMSUM2]] : tensor<2x3xi32>, tensor<2x3xi32>
func.func @cumsum(%x: tensor<2x3xi32>) -> (tensor<2x3xi32>, tensor<2x3xi32>) {
  %0 = "plait.cumsum"(%x) {axis = 1 : i64, reverse = false} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  %1 = "plait.cumsum"(%x) {axis = 0 : i64, reverse = true} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0, %1 : tensor<2x3xi32>, tensor<2x3xi32>
}

// CHECK-LABEL: @reduce
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[P:.*]]: tensor<2x3xi1>)
// CHECK-NEXT: %[[REDUCE_SUM:.*]] = "plait.reduce_sum"(%[[X]]) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[REDUCE_PROD:.*]] = "plait.reduce_prod"(%[[X]]) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[REDUCE_MAX:.*]] = "plait.reduce_max"(%[[X]]) {axes = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCE_MIN:.*]] = "plait.reduce_min"(%[[X]]) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[REDUCE_AND:.*]] = "plait.reduce_and"(%[[P]]) {axes = array<i64: 1>} : (tensor<2x3xi1>) -> tensor<2xi1>
// CHECK-NEXT: %[[REDUCE_OR:.*]] = "plait.reduce_or"(%[[P]]) {axes = array<i64: 0>} : (tensor<2x3xi1>) -> tensor<3xi1>
// CHECK-NEXT: return %[[REDUCE_SUM]], %[[REDUCE_PROD]], %[[REDUCE_MAX]], %[[REDUCE_MIN]], %[[REDUCE_AND]], %[[REDUCE_OR]] : tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2xf32>, tensor<2xi1>, tensor<3xi1>
func.func @reduce(%x: tensor<2x3xf32>, %p: tensor<2x3xi1>) -> (tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2xf32>, tensor<2xi1>, tensor<3xi1>) {
  %0 = "plait.reduce_sum"(%x) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = "plait.reduce_prod"(%x) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  %2 = "plait.reduce_max"(%x) {axes = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<f32>
  %3 = "plait.reduce_min"(%x) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %4 = "plait.reduce_and"(%p) {axes = array<i64: 1>} : (tensor<2x3xi1>) -> tensor<2xi1>
  %5 = "plait.reduce_or"(%p) {axes = array<i64: 0>} : (tensor<2x3xi1>) -> tensor<3xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2xf32>, tensor<2xi1>, tensor<3xi1>
}

// CHECK-LABEL: @argmax_argmin
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[ARGMAX:.*]] = "plait.argmax"(%[[X]]) {axis = 1 : i64, index_dtype = i32} : (tensor<2x3xf32>) -> tensor<2xi32>
// CHECK-NEXT: %[[ARGMIN:.*]] = "plait.argmin"(%[[X]]) {axis = 0 : i64, index_dtype = i64} : (tensor<2x3xf32>) -> tensor<3xi64>
// CHECK-NEXT: return %[[ARGMAX]], %[[ARGMIN]] : tensor<2xi32>, tensor<3xi64>
func.func @argmax_argmin(%x: tensor<2x3xf32>) -> (tensor<2xi32>, tensor<3xi64>) {
  %0 = "plait.argmax"(%x) {axis = 1 : i64, index_dtype = i32} : (tensor<2x3xf32>) -> tensor<2xi32>
  %1 = "plait.argmin"(%x) {axis = 0 : i64, index_dtype = i64} : (tensor<2x3xf32>) -> tensor<3xi64>
  return %0, %1 : tensor<2xi32>, tensor<3xi64>
}

// CHECK-LABEL: @dot_general
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[DOT_GENERAL:.*]] = "plait.dot_general"(%[[A]], %[[B]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: return %[[DOT_GENERAL]] : tensor<2x4xf32>
func.func @dot_general(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: @dot_general_batched
// CHECK-SAME: (%[[A:.*]]: tensor<5x2x3xf32>, %[[B:.*]]: tensor<3x5x4xf32>)
// CHECK-NEXT: %[[DOT_GENERAL:.*]] = "plait.dot_general"(%[[A]], %[[B]]) {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<5x2x3xf32>, tensor<3x5x4xf32>) -> tensor<5x2x4xf32>
// CHECK-NEXT: return %[[DOT_GENERAL]] : tensor<5x2x4xf32>
func.func @dot_general_batched(%a: tensor<5x2x3xf32>, %b: tensor<3x5x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 1>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<5x2x3xf32>, tensor<3x5x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// CHECK-LABEL: @more_unary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xi32>, %[[C:.*]]: tensor<4xcomplex<f32>>)
// CHECK-NEXT: %[[SINH:.*]] = "plait.sinh"(%[[C]]) : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
// CHECK-NEXT: %[[ASIN:.*]] = "plait.asin"(%[[X]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[CBRT:.*]] = "plait.cbrt"(%[[ASIN]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[EXP2:.*]] = "plait.exp2"(%[[CBRT]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[POW:.*]] = "plait.integer_pow"(%[[EXP2]]) {y = -3 : i64} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[IPOW:.*]] = "plait.integer_pow"(%[[I]]) {y = 3 : i64} : (tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT: %[[RP:.*]] = "plait.reduce_precision"(%[[POW]]) {exponent_bits = 8 : i64, mantissa_bits = 7 : i64} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[SINH]], %[[IPOW]], %[[RP]]
func.func @more_unary(%x: tensor<4xf32>, %i: tensor<4xi32>, %c: tensor<4xcomplex<f32>>) -> (tensor<4xcomplex<f32>>, tensor<4xi32>, tensor<4xf32>) {
  %0 = "plait.sinh"(%c) : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  %1 = "plait.asin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.cbrt"(%1) : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "plait.exp2"(%2) : (tensor<4xf32>) -> tensor<4xf32>
  %4 = "plait.integer_pow"(%3) {y = -3 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %5 = "plait.integer_pow"(%i) {y = 3 : i64} : (tensor<4xi32>) -> tensor<4xi32>
  %6 = "plait.reduce_precision"(%4) {exponent_bits = 8 : i64, mantissa_bits = 7 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %5, %6 : tensor<4xcomplex<f32>>, tensor<4xi32>, tensor<4xf32>
}
