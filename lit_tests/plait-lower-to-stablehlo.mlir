// RUN: plait-opt %s --plait-lower-to-stablehlo | filecheck %s

// The custom calls the module makes, and the registry ids of the host callbacks it calls
// (@callbacks, below), by index.
// CHECK: module attributes {plait.custom_call_targets = ["xla_ffi_python_cpu_callback"], plait.host_callbacks = array<i64: 5, 6, 7, 5>}

// One function per op family: the StableHLO (and CHLO) each plait op becomes. Every plait op
// is rewritten; result types are taken from the plait op.

// Unary and binary elementwise ops map one to one (erf goes to CHLO).
// CHECK-LABEL: @unary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[NEGATE:.*]] = stablehlo.negate %[[X]] : tensor<4xf32>
// CHECK-NEXT: %[[ABS:.*]] = stablehlo.abs %[[NEGATE]] : tensor<4xf32>
// CHECK-NEXT: %[[SIGN:.*]] = stablehlo.sign %[[ABS]] : tensor<4xf32>
// CHECK-NEXT: %[[EXPONENTIAL:.*]] = stablehlo.exponential %[[SIGN]] : tensor<4xf32>
// CHECK-NEXT: %[[LOG:.*]] = stablehlo.log %[[EXPONENTIAL]] : tensor<4xf32>
// CHECK-NEXT: %[[LOG_PLUS_ONE:.*]] = stablehlo.log_plus_one %[[LOG]] : tensor<4xf32>
// CHECK-NEXT: %[[EXPONENTIAL_MINUS_ONE:.*]] = stablehlo.exponential_minus_one %[[LOG_PLUS_ONE]] : tensor<4xf32>
// CHECK-NEXT: %[[SQRT:.*]] = stablehlo.sqrt %[[EXPONENTIAL_MINUS_ONE]] : tensor<4xf32>
// CHECK-NEXT: %[[RSQRT:.*]] = stablehlo.rsqrt %[[SQRT]] : tensor<4xf32>
// CHECK-NEXT: %[[SINE:.*]] = stablehlo.sine %[[RSQRT]] : tensor<4xf32>
// CHECK-NEXT: %[[COSINE:.*]] = stablehlo.cosine %[[SINE]] : tensor<4xf32>
// CHECK-NEXT: %[[TAN:.*]] = stablehlo.tan %[[COSINE]] : tensor<4xf32>
// CHECK-NEXT: %[[TANH:.*]] = stablehlo.tanh %[[TAN]] : tensor<4xf32>
// CHECK-NEXT: %[[LOGISTIC:.*]] = stablehlo.logistic %[[TANH]] : tensor<4xf32>
// CHECK-NEXT: %[[ERF:.*]] = chlo.erf %[[LOGISTIC]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[FLOOR:.*]] = stablehlo.floor %[[ERF]] : tensor<4xf32>
// CHECK-NEXT: %[[CEIL:.*]] = stablehlo.ceil %[[FLOOR]] : tensor<4xf32>
// CHECK-NEXT: %[[ROUND_NEAREST_EVEN:.*]] = stablehlo.round_nearest_even %[[CEIL]] : tensor<4xf32>
// CHECK-NEXT: return %[[ROUND_NEAREST_EVEN]] : tensor<4xf32>
func.func @unary(%x: tensor<4xf32>) -> tensor<4xf32> {
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

// CHECK-LABEL: @unary_predicates
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xi32>)
// CHECK-DAG: %[[IS_FINITE:.*]] = stablehlo.is_finite %[[X]] : (tensor<4xf32>) -> tensor<4xi1>
// CHECK-DAG: %[[NOT:.*]] = stablehlo.not %[[I]] : tensor<4xi32>
// CHECK-NEXT: return %[[IS_FINITE]], %[[NOT]] : tensor<4xi1>, tensor<4xi32>
func.func @unary_predicates(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi32>) {
  %0 = "plait.is_finite"(%x) : (tensor<4xf32>) -> tensor<4xi1>
  %1 = "plait.not"(%i) : (tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xi1>, tensor<4xi32>
}

// CHECK-LABEL: @complex_parts
// CHECK-SAME: (%[[RE:.*]]: tensor<2xf32>, %[[IM:.*]]: tensor<2xf32>)
// CHECK-DAG: %[[COMPLEX:.*]] = stablehlo.complex %[[RE]], %[[IM]] : tensor<2xcomplex<f32>>
// CHECK-DAG: %[[REAL:.*]] = stablehlo.real %[[COMPLEX]] : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
// CHECK-DAG: %[[IMAG:.*]] = stablehlo.imag %[[COMPLEX]] : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
// CHECK-DAG: %[[ABS:.*]] = stablehlo.abs %[[COMPLEX]] : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
// CHECK-NEXT: return %[[REAL]], %[[IMAG]], %[[ABS]] : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
func.func @complex_parts(%re: tensor<2xf32>, %im: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %0 = "plait.complex"(%re, %im) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xcomplex<f32>>
  %1 = "plait.real"(%0) : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
  %2 = "plait.imag"(%0) : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
  %3 = "plait.abs"(%0) : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
  return %1, %2, %3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// CHECK-LABEL: @binary
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[ADD:.*]] = stablehlo.add %[[X]], %[[Y]] : tensor<2x3xf32>
// CHECK-NEXT: %[[SUBTRACT:.*]] = stablehlo.subtract %[[ADD]], %[[Y]] : tensor<2x3xf32>
// CHECK-NEXT: %[[MULTIPLY:.*]] = stablehlo.multiply %[[SUBTRACT]], %[[Y]] : tensor<2x3xf32>
// CHECK-NEXT: %[[DIVIDE:.*]] = stablehlo.divide %[[MULTIPLY]], %[[Y]] : tensor<2x3xf32>
// CHECK-NEXT: %[[REMAINDER:.*]] = stablehlo.remainder %[[DIVIDE]], %[[Y]] : tensor<2x3xf32>
// CHECK-NEXT: %[[POWER:.*]] = stablehlo.power %[[REMAINDER]], %[[Y]] : tensor<2x3xf32>
// CHECK-NEXT: %[[MAXIMUM:.*]] = stablehlo.maximum %[[POWER]], %[[Y]] : tensor<2x3xf32>
// CHECK-NEXT: %[[MINIMUM:.*]] = stablehlo.minimum %[[MAXIMUM]], %[[Y]] : tensor<2x3xf32>
// CHECK-NEXT: %[[ATAN2:.*]] = stablehlo.atan2 %[[MINIMUM]], %[[Y]] : tensor<2x3xf32>
// CHECK-NEXT: return %[[ATAN2]] : tensor<2x3xf32>
func.func @binary(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
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
// CHECK-SAME: (%[[P:.*]]: tensor<4xi1>, %[[Q:.*]]: tensor<4xi1>)
// CHECK-NEXT: %[[AND:.*]] = stablehlo.and %[[P]], %[[Q]] : tensor<4xi1>
// CHECK-NEXT: %[[OR:.*]] = stablehlo.or %[[AND]], %[[Q]] : tensor<4xi1>
// CHECK-NEXT: %[[XOR:.*]] = stablehlo.xor %[[OR]], %[[Q]] : tensor<4xi1>
// CHECK-NEXT: return %[[XOR]] : tensor<4xi1>
func.func @binary_logical(%p: tensor<4xi1>, %q: tensor<4xi1>) -> tensor<4xi1> {
  %0 = "plait.and"(%p, %q) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = "plait.or"(%0, %q) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %2 = "plait.xor"(%1, %q) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %2 : tensor<4xi1>
}

// StableHLO's maximum/minimum do not order complex numbers as NumPy and JAX do, so complex
// max/min compare (real, imag) lexicographically and select; a NaN operand wins.
// CHECK-LABEL: @complex_max
// CHECK-SAME: (%[[X:.*]]: tensor<2xcomplex<f32>>, %[[Y:.*]]: tensor<2xcomplex<f32>>)
// CHECK-DAG: %[[REAL:.*]] = stablehlo.real %[[X]] : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
// CHECK-DAG: %[[REAL2:.*]] = stablehlo.real %[[Y]] : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
// CHECK-DAG: %[[IMAG:.*]] = stablehlo.imag %[[X]] : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
// CHECK-DAG: %[[IMAG2:.*]] = stablehlo.imag %[[Y]] : (tensor<2xcomplex<f32>>) -> tensor<2xf32>
// CHECK-DAG: %[[COMPARE:.*]] = stablehlo.compare GT, %[[REAL]], %[[REAL2]], FLOAT : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
// CHECK-DAG: %[[COMPARE2:.*]] = stablehlo.compare GT, %[[IMAG]], %[[IMAG2]], FLOAT : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
// CHECK-DAG: %[[COMPARE3:.*]] = stablehlo.compare EQ, %[[REAL]], %[[REAL2]], FLOAT : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
// CHECK-DAG: %[[SELECT:.*]] = stablehlo.select %[[COMPARE3]], %[[COMPARE2]], %[[COMPARE]] : tensor<2xi1>, tensor<2xi1>
// CHECK-DAG: %[[NRE:.*]] = stablehlo.compare NE, %[[REAL]], %[[REAL]], FLOAT
// CHECK-DAG: %[[NIM:.*]] = stablehlo.compare NE, %[[IMAG]], %[[IMAG]], FLOAT
// CHECK-DAG: %[[NAN_X:.*]] = stablehlo.or %[[NRE]], %[[NIM]] : tensor<2xi1>
// CHECK-DAG: %[[NRE2:.*]] = stablehlo.compare NE, %[[REAL2]], %[[REAL2]], FLOAT
// CHECK-DAG: %[[NIM2:.*]] = stablehlo.compare NE, %[[IMAG2]], %[[IMAG2]], FLOAT
// CHECK-DAG: %[[NAN_Y:.*]] = stablehlo.or %[[NRE2]], %[[NIM2]] : tensor<2xi1>
// CHECK-DAG: %[[NOT:.*]] = stablehlo.not %[[NAN_Y]] : tensor<2xi1>
// CHECK-DAG: %[[AND:.*]] = stablehlo.and %[[SELECT]], %[[NOT]] : tensor<2xi1>
// CHECK-DAG: %[[PICK:.*]] = stablehlo.or %[[AND]], %[[NAN_X]] : tensor<2xi1>
// CHECK-DAG: %[[SELECT2:.*]] = stablehlo.select %[[PICK]], %[[X]], %[[Y]] : tensor<2xi1>, tensor<2xcomplex<f32>>
// CHECK-NEXT: return %[[SELECT2]] : tensor<2xcomplex<f32>>
func.func @complex_max(%x: tensor<2xcomplex<f32>>, %y: tensor<2xcomplex<f32>>) -> tensor<2xcomplex<f32>> {
  %0 = "plait.max"(%x, %y) : (tensor<2xcomplex<f32>>, tensor<2xcomplex<f32>>) -> tensor<2xcomplex<f32>>
  return %0 : tensor<2xcomplex<f32>>
}

// compare_type follows the operand dtype: FLOAT (also for complex), SIGNED, UNSIGNED (also bool).
// CHECK-LABEL: @compare
// CHECK-SAME: (%[[F:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xi32>, %[[U:.*]]: tensor<4xui8>, %[[B:.*]]: tensor<4xi1>, %[[C:.*]]: tensor<4xcomplex<f32>>)
// CHECK-DAG: %[[COMPARE:.*]] = stablehlo.compare LT, %[[F]], %[[F]], FLOAT : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK-DAG: %[[COMPARE2:.*]] = stablehlo.compare GE, %[[I]], %[[I]], SIGNED : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
// CHECK-DAG: %[[COMPARE3:.*]] = stablehlo.compare GT, %[[U]], %[[U]], UNSIGNED : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
// CHECK-DAG: %[[COMPARE4:.*]] = stablehlo.compare EQ, %[[B]], %[[B]], UNSIGNED : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK-DAG: %[[COMPARE5:.*]] = stablehlo.compare NE, %[[C]], %[[C]], FLOAT : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xi1>
// CHECK-NEXT: return %[[COMPARE]], %[[COMPARE2]], %[[COMPARE3]], %[[COMPARE4]], %[[COMPARE5]] : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
func.func @compare(%f: tensor<4xf32>, %i: tensor<4xi32>, %u: tensor<4xui8>, %b: tensor<4xi1>, %c: tensor<4xcomplex<f32>>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = "plait.compare"(%f, %f) {direction = "LT"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = "plait.compare"(%i, %i) {direction = "GE"} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %2 = "plait.compare"(%u, %u) {direction = "GT"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %3 = "plait.compare"(%b, %b) {direction = "EQ"} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %4 = "plait.compare"(%c, %c) {direction = "NE"} : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// CHECK-LABEL: @select_clamp
// CHECK-SAME: (%[[P:.*]]: tensor<4xi1>, %[[X:.*]]: tensor<4xf32>, %[[LO:.*]]: tensor<4xf32>, %[[HI:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[SELECT:.*]] = stablehlo.select %[[P]], %[[X]], %[[LO]] : tensor<4xi1>, tensor<4xf32>
// CHECK-NEXT: %[[CLAMP:.*]] = stablehlo.clamp %[[LO]], %[[SELECT]], %[[HI]] : tensor<4xf32>
// CHECK-NEXT: return %[[CLAMP]] : tensor<4xf32>
func.func @select_clamp(%p: tensor<4xi1>, %x: tensor<4xf32>, %lo: tensor<4xf32>, %hi: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.select"(%p, %x, %lo) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.clamp"(%lo, %0, %hi) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: @convert
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[CONVERT:.*]] = stablehlo.convert %[[X]] : (tensor<4xf32>) -> tensor<4xf16>
// CHECK-NEXT: return %[[CONVERT]] : tensor<4xf16>
func.func @convert(%x: tensor<4xf32>) -> tensor<4xf16> {
  %0 = "plait.convert"(%x) {new_dtype = f16} : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// Complex to real keeps the real part.
// CHECK-LABEL: @convert_complex_to_real
// CHECK-SAME: (%[[X:.*]]: tensor<4xcomplex<f32>>)
// CHECK-NEXT: %[[REAL:.*]] = stablehlo.real %[[X]] : (tensor<4xcomplex<f32>>) -> tensor<4xf32>
// CHECK-NEXT: %[[CONVERT:.*]] = stablehlo.convert %[[REAL]] : (tensor<4xf32>) -> tensor<4xf64>
// CHECK-NEXT: return %[[CONVERT]] : tensor<4xf64>
func.func @convert_complex_to_real(%x: tensor<4xcomplex<f32>>) -> tensor<4xf64> {
  %0 = "plait.convert"(%x) {new_dtype = f64} : (tensor<4xcomplex<f32>>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// To bool is a test for nonzero, not a truncating convert.
// CHECK-LABEL: @convert_float_to_bool
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[CONSTANT:.*]] = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[BROADCAST_IN_DIM:.*]] = stablehlo.broadcast_in_dim %[[CONSTANT]], dims = [] : (tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: %[[COMPARE:.*]] = stablehlo.compare NE, %[[X]], %[[BROADCAST_IN_DIM]], FLOAT : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK-NEXT: return %[[COMPARE]] : tensor<4xi1>
func.func @convert_float_to_bool(%x: tensor<4xf32>) -> tensor<4xi1> {
  %0 = "plait.convert"(%x) {new_dtype = i1} : (tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// A complex number is nonzero if either part is: compare the complex value itself.
// CHECK-LABEL: @convert_complex_to_bool
// CHECK-SAME: (%[[X:.*]]: tensor<4xcomplex<f32>>)
// CHECK-DAG: %[[CONSTANT:.*]] = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: %[[CONSTANT2:.*]] = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: %[[COMPLEX:.*]] = stablehlo.complex %[[CONSTANT]], %[[CONSTANT2]] : tensor<complex<f32>>
// CHECK-DAG: %[[BROADCAST_IN_DIM:.*]] = stablehlo.broadcast_in_dim %[[COMPLEX]], dims = [] : (tensor<complex<f32>>) -> tensor<4xcomplex<f32>>
// CHECK-DAG: %[[COMPARE:.*]] = stablehlo.compare NE, %[[X]], %[[BROADCAST_IN_DIM]], FLOAT : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xi1>
// CHECK-NEXT: return %[[COMPARE]] : tensor<4xi1>
func.func @convert_complex_to_bool(%x: tensor<4xcomplex<f32>>) -> tensor<4xi1> {
  %0 = "plait.convert"(%x) {new_dtype = i1} : (tensor<4xcomplex<f32>>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// CHECK-LABEL: @constant
// CHECK-DAG: %[[CONSTANT:.*]] = stablehlo.constant dense<1.500000e+00> : tensor<2xf32>
// CHECK-DAG: %[[CONSTANT2:.*]] = stablehlo.constant dense<[1, 2, 3]> : tensor<3xi32>
// CHECK-NEXT: return %[[CONSTANT]], %[[CONSTANT2]] : tensor<2xf32>, tensor<3xi32>
func.func @constant() -> (tensor<2xf32>, tensor<3xi32>) {
  %0 = "plait.constant"() {value = dense<1.5> : tensor<2xf32>} : () -> tensor<2xf32>
  %1 = "plait.constant"() {value = dense<[1, 2, 3]> : tensor<3xi32>} : () -> tensor<3xi32>
  return %0, %1 : tensor<2xf32>, tensor<3xi32>
}

// CHECK-LABEL: @iota
// CHECK-NEXT: %[[IOTA:.*]] = stablehlo.iota dim = 1 : tensor<2x3xi32>
// CHECK-NEXT: return %[[IOTA]] : tensor<2x3xi32>
func.func @iota() -> tensor<2x3xi32> {
  %0 = "plait.iota"() {shape = array<i64: 2, 3>, dtype = i32, dimension = 1 : i64} : () -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// CHECK-LABEL: @shape_ops
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[BROADCAST_IN_DIM:.*]] = stablehlo.broadcast_in_dim %[[X]], dims = [0] : (tensor<3xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %[[TRANSPOSE:.*]] = stablehlo.transpose %[[BROADCAST_IN_DIM]], dims = [1, 0] : (tensor<3x2xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[RESHAPE:.*]] = stablehlo.reshape %[[TRANSPOSE]] : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK-NEXT: %[[REVERSE:.*]] = stablehlo.reverse %[[RESHAPE]], dims = [0] : tensor<6xf32>
// CHECK-NEXT: %[[RESHAPE2:.*]] = stablehlo.reshape %[[REVERSE]] : (tensor<6xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[RESHAPE2]] : tensor<2x3xf32>
func.func @shape_ops(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.broadcast_in_dim"(%x) {shape = array<i64: 3, 2>, broadcast_dimensions = array<i64: 0>} : (tensor<3xf32>) -> tensor<3x2xf32>
  %1 = "plait.transpose"(%0) {permutation = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %2 = "plait.reshape"(%1) {new_sizes = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
  %3 = "plait.rev"(%2) {dimensions = array<i64: 0>} : (tensor<6xf32>) -> tensor<6xf32>
  %4 = "plait.reshape"(%3) {new_sizes = array<i64: 2, 3>} : (tensor<6xf32>) -> tensor<2x3xf32>
  return %4 : tensor<2x3xf32>
}

// CHECK-LABEL: @slice
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>)
// CHECK-NEXT: %[[SLICE:.*]] = stablehlo.slice %[[X]] [1:7:2, 0:4:2] : (tensor<8x4xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[SLICE]] : tensor<3x2xf32>
func.func @slice(%x: tensor<8x4xf32>) -> tensor<3x2xf32> {
  %0 = "plait.slice"(%x) {start_indices = array<i64: 1, 0>, limit_indices = array<i64: 7, 4>, strides = array<i64: 2, 2>} : (tensor<8x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK-LABEL: @dynamic_slices
// CHECK-SAME: (%[[X:.*]]: tensor<5x4xf32>, %[[I:.*]]: tensor<i32>, %[[J:.*]]: tensor<i32>)
// CHECK-NEXT: %[[DYNAMIC_SLICE:.*]] = stablehlo.dynamic_slice %[[X]], %[[I]], %[[J]], sizes = [2, 2] : (tensor<5x4xf32>, tensor<i32>, tensor<i32>) -> tensor<2x2xf32>
// CHECK-NEXT: %[[DYNAMIC_UPDATE_SLICE:.*]] = stablehlo.dynamic_update_slice %[[X]], %[[DYNAMIC_SLICE]], %[[J]], %[[I]] : (tensor<5x4xf32>, tensor<2x2xf32>, tensor<i32>, tensor<i32>) -> tensor<5x4xf32>
// CHECK-NEXT: return %[[DYNAMIC_UPDATE_SLICE]] : tensor<5x4xf32>
func.func @dynamic_slices(%x: tensor<5x4xf32>, %i: tensor<i32>, %j: tensor<i32>) -> tensor<5x4xf32> {
  %0 = "plait.dynamic_slice"(%x, %i, %j) {slice_sizes = array<i64: 2, 2>} : (tensor<5x4xf32>, tensor<i32>, tensor<i32>) -> tensor<2x2xf32>
  %1 = "plait.dynamic_update_slice"(%x, %0, %j, %i) : (tensor<5x4xf32>, tensor<2x2xf32>, tensor<i32>, tensor<i32>) -> tensor<5x4xf32>
  return %1 : tensor<5x4xf32>
}

// CHECK-LABEL: @concatenate_pad
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<1x3xf32>, %[[V:.*]]: tensor<f32>)
// CHECK-NEXT: %[[CONCATENATE:.*]] = stablehlo.concatenate %[[A]], %[[B]], dim = 0 : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
// CHECK-NEXT: %[[PAD:.*]] = stablehlo.pad %[[CONCATENATE]], %[[V]], low = [1, 0], high = [1, 2], interior = [0, 1] : (tensor<3x3xf32>, tensor<f32>) -> tensor<5x7xf32>
// CHECK-NEXT: return %[[PAD]] : tensor<5x7xf32>
func.func @concatenate_pad(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>, %v: tensor<f32>) -> tensor<5x7xf32> {
  %0 = "plait.concatenate"(%a, %b) {dimension = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
  %1 = "plait.pad"(%0, %v) {edge_padding_low = array<i64: 1, 0>, edge_padding_high = array<i64: 1, 2>, interior_padding = array<i64: 0, 1>} : (tensor<3x3xf32>, tensor<f32>) -> tensor<5x7xf32>
  return %1 : tensor<5x7xf32>
}

// CHECK-LABEL: @gather
// CHECK-SAME: (%[[X:.*]]: tensor<5x3xf32>, %[[IDX:.*]]: tensor<2x1xi32>)
// CHECK-NEXT: %[[GATHER:.*]] = "stablehlo.gather"(%[[X]], %[[IDX]]) <{dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, indices_are_sorted = true, slice_sizes = array<i64: 1, 3>}> : (tensor<5x3xf32>, tensor<2x1xi32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[GATHER]] : tensor<2x3xf32>
func.func @gather(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>) -> tensor<2x3xf32> {
  %0 = "plait.gather"(%x, %idx) {offset_dims = array<i64: 1>, collapsed_slice_dims = array<i64: 0>, operand_batching_dims = array<i64>, start_indices_batching_dims = array<i64>, start_index_map = array<i64: 0>, index_vector_dim = 1 : i64, slice_sizes = array<i64: 1, 3>, indices_are_sorted = true} : (tensor<5x3xf32>, tensor<2x1xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// The scatter combiner is a region: `set` returns the update, `add` adds it.
// CHECK-LABEL: @scatter_set
// CHECK-SAME: (%[[X:.*]]: tensor<5x3xf32>, %[[IDX:.*]]: tensor<2x1xi32>, %[[U:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[SCATTER:.*]] = "stablehlo.scatter"(%[[X]], %[[IDX]], %[[U]]) <{indices_are_sorted = false, scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>, unique_indices = false}> ({
// CHECK-NEXT: ^bb0(%[[ARG:.*]]: tensor<f32>, %[[ARG2:.*]]: tensor<f32>):
// CHECK-NEXT: stablehlo.return %[[ARG2]] : tensor<f32>
// CHECK-NEXT: }) : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
// CHECK-NEXT: return %[[SCATTER]] : tensor<5x3xf32>
func.func @scatter_set(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>, %u: tensor<2x3xf32>) -> tensor<5x3xf32> {
  %0 = "plait.scatter"(%x, %idx, %u) {mode = "set", update_window_dims = array<i64: 1>, inserted_window_dims = array<i64: 0>, input_batching_dims = array<i64>, scatter_indices_batching_dims = array<i64>, scatter_dims_to_operand_dims = array<i64: 0>, index_vector_dim = 1 : i64} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// CHECK-LABEL: @scatter_add
// CHECK-SAME: (%[[X:.*]]: tensor<5x3xf32>, %[[IDX:.*]]: tensor<2x1xi32>, %[[U:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[SCATTER:.*]] = "stablehlo.scatter"(%[[X]], %[[IDX]], %[[U]]) <{indices_are_sorted = false, scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>, unique_indices = true}> ({
// CHECK-NEXT: ^bb0(%[[ARG:.*]]: tensor<f32>, %[[ARG2:.*]]: tensor<f32>):
// CHECK-NEXT: %[[ADD:.*]] = stablehlo.add %[[ARG]], %[[ARG2]] : tensor<f32>
// CHECK-NEXT: stablehlo.return %[[ADD]] : tensor<f32>
// CHECK-NEXT: }) : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
// CHECK-NEXT: return %[[SCATTER]] : tensor<5x3xf32>
func.func @scatter_add(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>, %u: tensor<2x3xf32>) -> tensor<5x3xf32> {
  %0 = "plait.scatter"(%x, %idx, %u) {mode = "add", update_window_dims = array<i64: 1>, inserted_window_dims = array<i64: 0>, input_batching_dims = array<i64>, scatter_indices_batching_dims = array<i64>, scatter_dims_to_operand_dims = array<i64: 0>, index_vector_dim = 1 : i64, unique_indices = true} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// cumsum is a reduce_window over the whole axis, padded in front by n - 1 (behind if reverse).
// CHECK-LABEL: @cumsum
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[CONSTANT:.*]] = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[REDUCE_WINDOW:.*]] = "stablehlo.reduce_window"(%[[X]], %[[CONSTANT]]) <{padding = dense<{{\[\[}}0, 0], [2, 0]]> : tensor<2x2xi64>, window_dimensions = array<i64: 1, 3>}> ({
// CHECK-NEXT: ^bb0(%[[ARG:.*]]: tensor<f32>, %[[ARG2:.*]]: tensor<f32>):
// CHECK-NEXT: %[[ADD:.*]] = stablehlo.add %[[ARG]], %[[ARG2]] : tensor<f32>
// CHECK-NEXT: stablehlo.return %[[ADD]] : tensor<f32>
// CHECK-NEXT: }) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[REDUCE_WINDOW]] : tensor<2x3xf32>
func.func @cumsum(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.cumsum"(%x) {axis = 1 : i64, reverse = false} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: @cumsum_reverse
// CHECK-SAME: (%[[X:.*]]: tensor<4x2xi32>)
// CHECK-NEXT: %[[CONSTANT:.*]] = stablehlo.constant dense<0> : tensor<i32>
// CHECK-NEXT: %[[REDUCE_WINDOW:.*]] = "stablehlo.reduce_window"(%[[X]], %[[CONSTANT]]) <{padding = dense<{{\[\[}}0, 3], [0, 0]]> : tensor<2x2xi64>, window_dimensions = array<i64: 4, 1>}> ({
// CHECK-NEXT: ^bb0(%[[ARG:.*]]: tensor<i32>, %[[ARG2:.*]]: tensor<i32>):
// CHECK-NEXT: %[[ADD:.*]] = stablehlo.add %[[ARG]], %[[ARG2]] : tensor<i32>
// CHECK-NEXT: stablehlo.return %[[ADD]] : tensor<i32>
// CHECK-NEXT: }) : (tensor<4x2xi32>, tensor<i32>) -> tensor<4x2xi32>
// CHECK-NEXT: return %[[REDUCE_WINDOW]] : tensor<4x2xi32>
func.func @cumsum_reverse(%x: tensor<4x2xi32>) -> tensor<4x2xi32> {
  %0 = "plait.cumsum"(%x) {axis = 0 : i64, reverse = true} : (tensor<4x2xi32>) -> tensor<4x2xi32>
  return %0 : tensor<4x2xi32>
}

// Along an empty axis there is nothing to sum (and StableHLO windows cannot be empty).
// CHECK-LABEL: @cumsum_empty
// CHECK-SAME: (%[[X:.*]]: tensor<0x3xf32>)
// CHECK-NEXT: return %[[X]] : tensor<0x3xf32>
func.func @cumsum_empty(%x: tensor<0x3xf32>) -> tensor<0x3xf32> {
  %0 = "plait.cumsum"(%x) {axis = 0 : i64} : (tensor<0x3xf32>) -> tensor<0x3xf32>
  return %0 : tensor<0x3xf32>
}

// Reductions are stablehlo.reduce with the combiner as body (printed as `applies`) and the
// combiner's identity as init.
// CHECK-LABEL: @reduce_sum
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[CONSTANT:.*]] = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[REDUCE:.*]] = stablehlo.reduce(%[[X]] init: %[[CONSTANT]]) applies stablehlo.add across dimensions = [1] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
// CHECK-NEXT: return %[[REDUCE]] : tensor<2xf32>
func.func @reduce_sum(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = "plait.reduce_sum"(%x) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// Inits: 1 for prod, -inf / the largest int for max / min, all ones for and (255 for ui8),
// false for or.
// CHECK-LABEL: @reduce_inits
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[I:.*]]: tensor<2x3xi32>, %[[U:.*]]: tensor<4xui8>, %[[P:.*]]: tensor<4xi1>)
// CHECK-DAG: %[[CONSTANT:.*]] = stablehlo.constant dense<1.000000e+00> : tensor<f32>
// CHECK-DAG: %[[REDUCE:.*]] = stablehlo.reduce(%[[X]] init: %[[CONSTANT]]) applies stablehlo.multiply across dimensions = [0] : (tensor<2x3xf32>, tensor<f32>) -> tensor<3xf32>
// CHECK-DAG: %[[CONSTANT2:.*]] = stablehlo.constant dense<0xFF800000> : tensor<f32>
// CHECK-DAG: %[[REDUCE2:.*]] = stablehlo.reduce(%[[X]] init: %[[CONSTANT2]]) applies stablehlo.maximum across dimensions = [0, 1] : (tensor<2x3xf32>, tensor<f32>) -> tensor<f32>
// CHECK-DAG: %[[CONSTANT3:.*]] = stablehlo.constant dense<2147483647> : tensor<i32>
// CHECK-DAG: %[[REDUCE3:.*]] = stablehlo.reduce(%[[I]] init: %[[CONSTANT3]]) applies stablehlo.minimum across dimensions = [1] : (tensor<2x3xi32>, tensor<i32>) -> tensor<2xi32>
// CHECK-DAG: %[[CONSTANT4:.*]] = stablehlo.constant dense<255> : tensor<ui8>
// CHECK-DAG: %[[REDUCE4:.*]] = stablehlo.reduce(%[[U]] init: %[[CONSTANT4]]) applies stablehlo.and across dimensions = [0] : (tensor<4xui8>, tensor<ui8>) -> tensor<ui8>
// CHECK-DAG: %[[CONSTANT5:.*]] = stablehlo.constant dense<false> : tensor<i1>
// CHECK-DAG: %[[REDUCE5:.*]] = stablehlo.reduce(%[[P]] init: %[[CONSTANT5]]) applies stablehlo.or across dimensions = [0] : (tensor<4xi1>, tensor<i1>) -> tensor<i1>
// CHECK-NEXT: return %[[REDUCE]], %[[REDUCE2]], %[[REDUCE3]], %[[REDUCE4]], %[[REDUCE5]] : tensor<3xf32>, tensor<f32>, tensor<2xi32>, tensor<ui8>, tensor<i1>
func.func @reduce_inits(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>, %u: tensor<4xui8>, %p: tensor<4xi1>) -> (tensor<3xf32>, tensor<f32>, tensor<2xi32>, tensor<ui8>, tensor<i1>) {
  %0 = "plait.reduce_prod"(%x) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  %1 = "plait.reduce_max"(%x) {axes = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<f32>
  %2 = "plait.reduce_min"(%i) {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2xi32>
  %3 = "plait.reduce_and"(%u) {axes = array<i64: 0>} : (tensor<4xui8>) -> tensor<ui8>
  %4 = "plait.reduce_or"(%p) {axes = array<i64: 0>} : (tensor<4xi1>) -> tensor<i1>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<f32>, tensor<2xi32>, tensor<ui8>, tensor<i1>
}

// Complex max starts at (-inf, -inf) and orders lexicographically in the body (NaN wins).
// CHECK-LABEL: @reduce_max_complex
// CHECK-SAME: (%[[X:.*]]: tensor<4xcomplex<f32>>)
// CHECK-DAG: %[[CONSTANT:.*]] = stablehlo.constant dense<0xFF800000> : tensor<f32>
// CHECK-DAG: %[[CONSTANT2:.*]] = stablehlo.constant dense<0xFF800000> : tensor<f32>
// CHECK-DAG: %[[COMPLEX:.*]] = stablehlo.complex %[[CONSTANT]], %[[CONSTANT2]] : tensor<complex<f32>>
// CHECK-DAG: %[[REDUCE:.*]] = stablehlo.reduce(%[[X]] init: %[[COMPLEX]]) across dimensions = [0] : (tensor<4xcomplex<f32>>, tensor<complex<f32>>) -> tensor<complex<f32>>
// CHECK-DAG: reducer(%[[ARG:.*]]: tensor<complex<f32>>, %[[ARG2:.*]]: tensor<complex<f32>>)  {
// CHECK-DAG: %[[REAL:.*]] = stablehlo.real %[[ARG]] : (tensor<complex<f32>>) -> tensor<f32>
// CHECK-DAG: %[[REAL2:.*]] = stablehlo.real %[[ARG2]] : (tensor<complex<f32>>) -> tensor<f32>
// CHECK-DAG: %[[IMAG:.*]] = stablehlo.imag %[[ARG]] : (tensor<complex<f32>>) -> tensor<f32>
// CHECK-DAG: %[[IMAG2:.*]] = stablehlo.imag %[[ARG2]] : (tensor<complex<f32>>) -> tensor<f32>
// CHECK-DAG: %[[COMPARE:.*]] = stablehlo.compare GT, %[[REAL]], %[[REAL2]], FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK-DAG: %[[COMPARE2:.*]] = stablehlo.compare GT, %[[IMAG]], %[[IMAG2]], FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK-DAG: %[[COMPARE3:.*]] = stablehlo.compare EQ, %[[REAL]], %[[REAL2]], FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK-DAG: %[[SELECT:.*]] = stablehlo.select %[[COMPARE3]], %[[COMPARE2]], %[[COMPARE]] : tensor<i1>, tensor<i1>
// CHECK:      %[[NOT:.*]] = stablehlo.not %{{.*}} : tensor<i1>
// CHECK-NEXT: %[[AND:.*]] = stablehlo.and %[[SELECT]], %[[NOT]] : tensor<i1>
// CHECK-NEXT: %[[PICK:.*]] = stablehlo.or %[[AND]], %{{.*}} : tensor<i1>
// CHECK-NEXT: %[[SELECT2:.*]] = stablehlo.select %[[PICK]], %[[ARG]], %[[ARG2]] : tensor<i1>, tensor<complex<f32>>
// CHECK-NEXT: stablehlo.return %[[SELECT2]] : tensor<complex<f32>>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[REDUCE]] : tensor<complex<f32>>
func.func @reduce_max_complex(%x: tensor<4xcomplex<f32>>) -> tensor<complex<f32>> {
  %0 = "plait.reduce_max"(%x) {axes = array<i64: 0>} : (tensor<4xcomplex<f32>>) -> tensor<complex<f32>>
  return %0 : tensor<complex<f32>>
}

// argmax reduces (value, iota index) pairs in one two-operand reduce: the larger value wins,
// NaN wins, and among equals the smaller index wins.
// CHECK-LABEL: @argmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[IOTA:.*]] = stablehlo.iota dim = 1 : tensor<2x3xi32>
// CHECK-DAG: %[[CONSTANT:.*]] = stablehlo.constant dense<0xFF800000> : tensor<f32>
// CHECK-DAG: %[[CONSTANT2:.*]] = stablehlo.constant dense<0> : tensor<i32>
// CHECK-DAG: %[[REDUCE:.*]]:2 = stablehlo.reduce(%[[X]] init: %[[CONSTANT]]), (%[[IOTA]] init: %[[CONSTANT2]]) across dimensions = [1] : (tensor<2x3xf32>, tensor<2x3xi32>, tensor<f32>, tensor<i32>) -> (tensor<2xf32>, tensor<2xi32>)
// CHECK-DAG: reducer(%[[ARG:.*]]: tensor<f32>, %[[ARG2:.*]]: tensor<f32>) (%[[ARG3:.*]]: tensor<i32>, %[[ARG4:.*]]: tensor<i32>)  {
// CHECK-DAG: %[[COMPARE:.*]] = stablehlo.compare GT, %[[ARG]], %[[ARG2]], FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK-DAG: %[[COMPARE2:.*]] = stablehlo.compare NE, %[[ARG]], %[[ARG]], FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK-DAG: %[[OR:.*]] = stablehlo.or %[[COMPARE]], %[[COMPARE2]] : tensor<i1>
// CHECK-DAG: %[[COMPARE3:.*]] = stablehlo.compare EQ, %[[ARG]], %[[ARG2]], FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK-DAG: %[[COMPARE4:.*]] = stablehlo.compare LT, %[[ARG3]], %[[ARG4]], SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
// CHECK-DAG: %[[AND:.*]] = stablehlo.and %[[COMPARE3]], %[[COMPARE4]] : tensor<i1>
// CHECK-DAG: %[[OR2:.*]] = stablehlo.or %[[OR]], %[[AND]] : tensor<i1>
// CHECK-DAG: %[[SELECT:.*]] = stablehlo.select %[[OR2]], %[[ARG]], %[[ARG2]] : tensor<i1>, tensor<f32>
// CHECK-DAG: %[[SELECT2:.*]] = stablehlo.select %[[OR2]], %[[ARG3]], %[[ARG4]] : tensor<i1>, tensor<i32>
// CHECK-NEXT: stablehlo.return %[[SELECT]], %[[SELECT2]] : tensor<f32>, tensor<i32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[REDUCE]]#1 : tensor<2xi32>
func.func @argmax(%x: tensor<2x3xf32>) -> tensor<2xi32> {
  %0 = "plait.argmax"(%x) {axis = 1 : i64, index_dtype = i32} : (tensor<2x3xf32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// Integers have no NaN: no self-comparison.
// CHECK-LABEL: @argmin_int
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi8>)
// CHECK-DAG: %[[IOTA:.*]] = stablehlo.iota dim = 0 : tensor<2x3xi64>
// CHECK-DAG: %[[CONSTANT:.*]] = stablehlo.constant dense<127> : tensor<i8>
// CHECK-DAG: %[[CONSTANT2:.*]] = stablehlo.constant dense<0> : tensor<i64>
// CHECK-DAG: %[[REDUCE:.*]]:2 = stablehlo.reduce(%[[X]] init: %[[CONSTANT]]), (%[[IOTA]] init: %[[CONSTANT2]]) across dimensions = [0] : (tensor<2x3xi8>, tensor<2x3xi64>, tensor<i8>, tensor<i64>) -> (tensor<3xi8>, tensor<3xi64>)
// CHECK-DAG: reducer(%[[ARG:.*]]: tensor<i8>, %[[ARG2:.*]]: tensor<i8>) (%[[ARG3:.*]]: tensor<i64>, %[[ARG4:.*]]: tensor<i64>)  {
// CHECK-DAG: %[[COMPARE:.*]] = stablehlo.compare LT, %[[ARG]], %[[ARG2]], SIGNED : (tensor<i8>, tensor<i8>) -> tensor<i1>
// CHECK-DAG: %[[COMPARE2:.*]] = stablehlo.compare EQ, %[[ARG]], %[[ARG2]], SIGNED : (tensor<i8>, tensor<i8>) -> tensor<i1>
// CHECK-DAG: %[[COMPARE3:.*]] = stablehlo.compare LT, %[[ARG3]], %[[ARG4]], SIGNED : (tensor<i64>, tensor<i64>) -> tensor<i1>
// CHECK-DAG: %[[AND:.*]] = stablehlo.and %[[COMPARE2]], %[[COMPARE3]] : tensor<i1>
// CHECK-DAG: %[[OR:.*]] = stablehlo.or %[[COMPARE]], %[[AND]] : tensor<i1>
// CHECK-DAG: %[[SELECT:.*]] = stablehlo.select %[[OR]], %[[ARG]], %[[ARG2]] : tensor<i1>, tensor<i8>
// CHECK-DAG: %[[SELECT2:.*]] = stablehlo.select %[[OR]], %[[ARG3]], %[[ARG4]] : tensor<i1>, tensor<i64>
// CHECK-NEXT: stablehlo.return %[[SELECT]], %[[SELECT2]] : tensor<i8>, tensor<i64>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[REDUCE]]#1 : tensor<3xi64>
func.func @argmin_int(%x: tensor<2x3xi8>) -> tensor<3xi64> {
  %0 = "plait.argmin"(%x) {axis = 0 : i64, index_dtype = i64} : (tensor<2x3xi8>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// CHECK-LABEL: @dot_general
// CHECK-SAME: (%[[A:.*]]: tensor<5x2x3xf32>, %[[B:.*]]: tensor<3x5x4xf32>)
// CHECK-NEXT: %[[DOT_GENERAL:.*]] = stablehlo.dot_general %[[A]], %[[B]], batching_dims = [0] x [1], contracting_dims = [2] x [0] : (tensor<5x2x3xf32>, tensor<3x5x4xf32>) -> tensor<5x2x4xf32>
// CHECK-NEXT: return %[[DOT_GENERAL]] : tensor<5x2x4xf32>
func.func @dot_general(%a: tensor<5x2x3xf32>, %b: tensor<3x5x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 1>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<5x2x3xf32>, tensor<3x5x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// func.func and func.call are left for XLA, which inlines calls itself.
// CHECK-LABEL: @private_callee_and_call
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[CALL:.*]] = call @helper(%[[X]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[CALL]] : tensor<4xf32>
func.func @private_callee_and_call(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[EXPONENTIAL:.*]] = stablehlo.exponential %[[X]] : tensor<4xf32>
// CHECK-NEXT: return %[[EXPONENTIAL]] : tensor<4xf32>
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Callbacks become jaxlib's typed-FFI Python callback; `index` is the place of the function's
// registry id in the module's plait.host_callbacks. Ordered ones thread a token, in order.
// CHECK-LABEL: @callbacks
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: stablehlo.custom_call @xla_ffi_python_cpu_callback(%[[X]]) {api_version = 4 : i32, backend_config = {index = 0 : ui64}, has_side_effect = true
// CHECK-NEXT: %[[T0:.*]] = stablehlo.after_all : !stablehlo.token
// CHECK-NEXT: %[[T1:.*]] = stablehlo.custom_call @xla_ffi_python_cpu_callback(%[[T0]], %[[X]]) {api_version = 4 : i32, backend_config = {index = 1 : ui64}, has_side_effect = true
// CHECK-SAME: -> !stablehlo.token
// CHECK-NEXT: %[[IO:.*]]:2 = stablehlo.custom_call @xla_ffi_python_cpu_callback(%[[T1]], %[[X]]) {api_version = 4 : i32, backend_config = {index = 2 : ui64}, has_side_effect = true
// CHECK-SAME: -> (!stablehlo.token, tensor<f32>)
// CHECK-NEXT: %[[P:.*]] = stablehlo.custom_call @xla_ffi_python_cpu_callback(%[[X]], %[[IO]]#1) {api_version = 4 : i32, backend_config = {index = 3 : ui64}, operand_layouts
// CHECK-NEXT: return %[[P]] : tensor<3xf32>
func.func @callbacks(%x: tensor<3xf32>) -> tensor<3xf32> {
  "plait.callback"(%x) {callback = 5 : i64, kind = "debug", ordered = false, result_types = []} : (tensor<3xf32>) -> ()
  "plait.callback"(%x) {callback = 6 : i64, kind = "debug", ordered = true, result_types = []} : (tensor<3xf32>) -> ()
  %0 = "plait.callback"(%x) {callback = 7 : i64, kind = "io", ordered = true, result_types = [tensor<f32>]} : (tensor<3xf32>) -> tensor<f32>
  %1 = "plait.pure_callback"(%x, %0) {callback = 5 : i64, result_types = [tensor<3xf32>]} : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}

// stop_gradient only matters to the derivative passes: lowered, it is its operand.
// CHECK-LABEL: func.func @stop_gradient
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @stop_gradient(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.stop_gradient"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Hyperbolic and inverse trigonometric functions and erfc go to CHLO, cbrt and
// reduce_precision one to one; exp2 is exp(log(2) x), as jax lowers it.
// CHECK-LABEL: func.func @more_unary
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[SINH:.*]] = chlo.sinh %[[X]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[COSH:.*]] = chlo.cosh %[[SINH]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[ASIN:.*]] = chlo.asin %[[COSH]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[ACOS:.*]] = chlo.acos %[[ASIN]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[ATAN:.*]] = chlo.atan %[[ACOS]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[ASINH:.*]] = chlo.asinh %[[ATAN]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[ACOSH:.*]] = chlo.acosh %[[ASINH]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[ATANH:.*]] = chlo.atanh %[[ACOSH]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[CBRT:.*]] = stablehlo.cbrt %[[ATANH]] : tensor<4xf32>
// CHECK-NEXT: %[[ERFC:.*]] = chlo.erfc %[[CBRT]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[LN2:.*]] = stablehlo.constant dense<0.693147182> : tensor<f32>
// CHECK-NEXT: %[[LN2S:.*]] = stablehlo.broadcast_in_dim %[[LN2]], dims = [] : (tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: %[[SCALED:.*]] = stablehlo.multiply %[[LN2S]], %[[ERFC]] : tensor<4xf32>
// CHECK-NEXT: %[[EXP2:.*]] = stablehlo.exponential %[[SCALED]] : tensor<4xf32>
// CHECK-NEXT: %[[RP:.*]] = stablehlo.reduce_precision %[[EXP2]], format = e5m10 : tensor<4xf32>
// CHECK-NEXT: return %[[RP]]
func.func @more_unary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sinh"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.cosh"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.asin"(%1) : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "plait.acos"(%2) : (tensor<4xf32>) -> tensor<4xf32>
  %4 = "plait.atan"(%3) : (tensor<4xf32>) -> tensor<4xf32>
  %5 = "plait.asinh"(%4) : (tensor<4xf32>) -> tensor<4xf32>
  %6 = "plait.acosh"(%5) : (tensor<4xf32>) -> tensor<4xf32>
  %7 = "plait.atanh"(%6) : (tensor<4xf32>) -> tensor<4xf32>
  %8 = "plait.cbrt"(%7) : (tensor<4xf32>) -> tensor<4xf32>
  %9 = "plait.erfc"(%8) : (tensor<4xf32>) -> tensor<4xf32>
  %10 = "plait.exp2"(%9) : (tensor<4xf32>) -> tensor<4xf32>
  %11 = "plait.reduce_precision"(%10) {exponent_bits = 5 : i64, mantissa_bits = 10 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %11 : tensor<4xf32>
}

// integer_pow squares repeatedly (x**5 = x * (x**2)**2); a negative power divides 1 by the
// positive one; x**0 is ones, x**1 is x.
// CHECK-LABEL: func.func @integer_pow
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xi32>)
// CHECK-NEXT: %[[X2:.*]] = stablehlo.multiply %[[X]], %[[X]] : tensor<4xf32>
// CHECK-NEXT: %[[X4:.*]] = stablehlo.multiply %[[X2]], %[[X2]] : tensor<4xf32>
// CHECK-NEXT: %[[X5:.*]] = stablehlo.multiply %[[X]], %[[X4]] : tensor<4xf32>
// CHECK-NEXT: %[[SQ:.*]] = stablehlo.multiply %[[X]], %[[X]] : tensor<4xf32>
// CHECK-NEXT: %[[ONE:.*]] = stablehlo.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[ONES:.*]] = stablehlo.broadcast_in_dim %[[ONE]], dims = [] : (tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: %[[INV:.*]] = stablehlo.divide %[[ONES]], %[[SQ]] : tensor<4xf32>
// CHECK-NEXT: %[[IONE:.*]] = stablehlo.constant dense<1> : tensor<i32>
// CHECK-NEXT: %[[IONES:.*]] = stablehlo.broadcast_in_dim %[[IONE]], dims = [] : (tensor<i32>) -> tensor<4xi32>
// CHECK-NEXT: return %[[X5]], %[[INV]], %[[IONES]], %[[I]]
func.func @integer_pow(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi32>) {
  %0 = "plait.integer_pow"(%x) {y = 5 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.integer_pow"(%x) {y = -2 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.integer_pow"(%i) {y = 0 : i64} : (tensor<4xi32>) -> tensor<4xi32>
  %3 = "plait.integer_pow"(%i) {y = 1 : i64} : (tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi32>
}
