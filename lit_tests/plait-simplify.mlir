// RUN: plait-opt %s --plait-simplify | filecheck %s

// Each fold in transforms/simplify.py, then a case that looks alike but must not fold.
// Constants left unused by a fold are erased too (plait-simplify runs DCE on what it touched).

// CHECK-LABEL: @add_zero_rhs
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @add_zero_rhs(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = "plait.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.add"(%x, %zero) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A splat zero seen through broadcast_in_dim counts as zero.
// CHECK-LABEL: @add_zero_lhs_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi32>)
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[X]] : tensor<2x3xi32>
func.func @add_zero_lhs_broadcast(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %zero = "plait.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
  %b = "plait.broadcast_in_dim"(%zero) {shape = array<i64: 2, 3>, broadcast_dimensions = array<i64>} : (tensor<i32>) -> tensor<2x3xi32>
  %0 = "plait.add"(%b, %x) : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// CHECK-LABEL: @add_nonzero_stays
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[ONE:.*]] = "plait.constant"() {value = dense<1.000000e+00> : tensor<4xf32>}
// CHECK-NEXT: %[[SUM:.*]] = "plait.add"(%[[X]], %[[ONE]])
// CHECK-NEXT: return %[[SUM]]
func.func @add_nonzero_stays(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = "plait.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.add"(%x, %one) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A non-splat constant is not zero even where some elements are.
// CHECK-LABEL: @add_dense_zeros_stays
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[C:.*]] = "plait.constant"() {value = dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>}
// CHECK-NEXT: %[[SUM:.*]] = "plait.add"(%[[X]], %[[C]])
// CHECK-NEXT: return %[[SUM]]
func.func @add_dense_zeros_stays(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = "plait.constant"() {value = dense<[0.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %0 = "plait.add"(%x, %c) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// CHECK-LABEL: @sub_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @sub_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = "plait.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.sub"(%x, %zero) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// 0 - x is -x, not x.
// CHECK-LABEL: @zero_sub_stays
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = "plait.constant"()
// CHECK-NEXT: %[[DIFF:.*]] = "plait.sub"(%[[ZERO]], %[[X]])
// CHECK-NEXT: return %[[DIFF]]
func.func @zero_sub_stays(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = "plait.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.sub"(%zero, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @mul_one_rhs
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @mul_one_rhs(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = "plait.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.mul"(%x, %one) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @mul_one_lhs
// CHECK-SAME: (%[[X:.*]]: tensor<4xi64>)
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[X]] : tensor<4xi64>
func.func @mul_one_lhs(%x: tensor<4xi64>) -> tensor<4xi64> {
  %one = "plait.constant"() {value = dense<1> : tensor<4xi64>} : () -> tensor<4xi64>
  %0 = "plait.mul"(%one, %x) : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// x * 0 is not folded: it is NaN for x = inf or NaN.
// CHECK-LABEL: @mul_zero_stays
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = "plait.constant"()
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[X]], %[[ZERO]])
// CHECK-NEXT: return %[[P]]
func.func @mul_zero_stays(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = "plait.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.mul"(%x, %zero) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @div_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @div_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = "plait.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.div"(%x, %one) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @one_div_stays
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[ONE:.*]] = "plait.constant"()
// CHECK-NEXT: %[[Q:.*]] = "plait.div"(%[[ONE]], %[[X]])
// CHECK-NEXT: return %[[Q]]
func.func @one_div_stays(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = "plait.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.div"(%one, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @double_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.neg
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @double_neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.neg"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// Three negations leave one.
// CHECK-LABEL: @triple_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[N:.*]] = "plait.neg"(%[[X]])
// CHECK-NEXT: return %[[N]] : tensor<4xf32>
func.func @triple_neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.neg"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.neg"(%1) : (tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// Folds feed folds: (x + 0) * 1 is x.
// CHECK-LABEL: @chain
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = "plait.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %one = "plait.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.add"(%x, %zero) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.mul"(%0, %one) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: @identity_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: plait.reshape
// CHECK-NEXT: return %[[X]] : tensor<2x3xf32>
func.func @identity_reshape(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.reshape"(%x) {new_sizes = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: @reshape_stays
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = "plait.reshape"(%[[X]]) {new_sizes = array<i64: 3, 2>}
// CHECK-NEXT: return %[[R]] : tensor<3x2xf32>
func.func @reshape_stays(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = "plait.reshape"(%x) {new_sizes = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK-LABEL: @identity_convert
// CHECK-SAME: (%[[X:.*]]: tensor<4xf16>)
// CHECK-NOT: plait.convert
// CHECK-NEXT: return %[[X]] : tensor<4xf16>
func.func @identity_convert(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = "plait.convert"(%x) {new_dtype = f16} : (tensor<4xf16>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// CHECK-LABEL: @identity_broadcast_in_dim
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: plait.broadcast_in_dim
// CHECK-NEXT: return %[[X]] : tensor<2x3xf32>
func.func @identity_broadcast_in_dim(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.broadcast_in_dim"(%x) {shape = array<i64: 2, 3>, broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: @identity_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: plait.transpose
// CHECK-NEXT: return %[[X]] : tensor<2x3xf32>
func.func @identity_transpose(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.transpose"(%x) {permutation = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A square transpose keeps the type but not the values.
// CHECK-LABEL: @square_transpose_stays
// CHECK-SAME: (%[[X:.*]]: tensor<3x3xf32>)
// CHECK-NEXT: %[[T:.*]] = "plait.transpose"(%[[X]]) {permutation = array<i64: 1, 0>}
// CHECK-NEXT: return %[[T]] : tensor<3x3xf32>
func.func @square_transpose_stays(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = "plait.transpose"(%x) {permutation = array<i64: 1, 0>} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// CHECK-LABEL: @identity_slice
// CHECK-SAME: (%[[X:.*]]: tensor<4x1xf32>)
// CHECK-NOT: plait.slice
// CHECK-NEXT: return %[[X]] : tensor<4x1xf32>
func.func @identity_slice(%x: tensor<4x1xf32>) -> tensor<4x1xf32> {
  %0 = "plait.slice"(%x) {start_indices = array<i64: 0, 0>, limit_indices = array<i64: 4, 1>, strides = array<i64: 1, 3>} : (tensor<4x1xf32>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// CHECK-LABEL: @identity_pad
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[V:.*]]: tensor<f32>)
// CHECK-NOT: plait.pad
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @identity_pad(%x: tensor<4xf32>, %v: tensor<f32>) -> tensor<4xf32> {
  %0 = "plait.pad"(%x, %v) {edge_padding_low = array<i64: 0>, edge_padding_high = array<i64: 0>, interior_padding = array<i64: 0>} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Padding one in front and cropping one at the back keeps the shape, but shifts the elements.
// CHECK-LABEL: @shifting_pad_stays
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[V:.*]]: tensor<f32>)
// CHECK-NEXT: %[[P:.*]] = "plait.pad"(%[[X]], %[[V]]) {edge_padding_high = array<i64: -1>, edge_padding_low = array<i64: 1>, interior_padding = array<i64: 0>}
// CHECK-NEXT: return %[[P]] : tensor<4xf32>
func.func @shifting_pad_stays(%x: tensor<4xf32>, %v: tensor<f32>) -> tensor<4xf32> {
  %0 = "plait.pad"(%x, %v) {edge_padding_low = array<i64: 1>, edge_padding_high = array<i64: -1>, interior_padding = array<i64: 0>} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @reduce_no_axes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[P:.*]]: tensor<2xi1>)
// CHECK-NOT: plait.reduce
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[P]], %[[P]]
func.func @reduce_no_axes(%x: tensor<2x3xf32>, %p: tensor<2xi1>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xi1>, tensor<2xi1>) {
  %0 = "plait.reduce_sum"(%x) {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "plait.reduce_prod"(%x) {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = "plait.reduce_max"(%x) {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = "plait.reduce_min"(%x) {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = "plait.reduce_and"(%p) {axes = array<i64>} : (tensor<2xi1>) -> tensor<2xi1>
  %5 = "plait.reduce_or"(%p) {axes = array<i64>} : (tensor<2xi1>) -> tensor<2xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xi1>, tensor<2xi1>
}

// CHECK-LABEL: @reduce_stays
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[S:.*]] = "plait.reduce_sum"(%[[X]]) {axes = array<i64: 1>}
// CHECK-NEXT: return %[[S]] : tensor<2xf32>
func.func @reduce_stays(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = "plait.reduce_sum"(%x) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// CHECK-LABEL: @rev_no_dimensions
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: plait.rev
// CHECK-NEXT: return %[[X]] : tensor<2x3xf32>
func.func @rev_no_dimensions(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.rev"(%x) {dimensions = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: @single_operand_concatenate
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: plait.concatenate
// CHECK-NEXT: return %[[X]] : tensor<2x3xf32>
func.func @single_operand_concatenate(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "plait.concatenate"(%x) {dimension = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: @select_true
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @select_true(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %p = "plait.constant"() {value = dense<true> : tensor<4xi1>} : () -> tensor<4xi1>
  %0 = "plait.select"(%p, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @select_false_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.
// CHECK-NEXT: return %[[Y]] : tensor<4xf32>
func.func @select_false_broadcast(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %p = "plait.constant"() {value = dense<false> : tensor<i1>} : () -> tensor<i1>
  %b = "plait.broadcast_in_dim"(%p) {shape = array<i64: 4>, broadcast_dimensions = array<i64>} : (tensor<i1>) -> tensor<4xi1>
  %0 = "plait.select"(%b, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @select_same_operands
// CHECK-SAME: (%[[P:.*]]: tensor<4xi1>, %[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: plait.select
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @select_same_operands(%p: tensor<4xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.select"(%p, %x, %x) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: @select_mixed_predicate_stays
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>, %[[Y:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[P:.*]] = "plait.constant"() {value = dense<[true, false]> : tensor<2xi1>}
// CHECK-NEXT: %[[S:.*]] = "plait.select"(%[[P]], %[[X]], %[[Y]])
// CHECK-NEXT: return %[[S]] : tensor<2xf32>
func.func @select_mixed_predicate_stays(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  %p = "plait.constant"() {value = dense<[true, false]> : tensor<2xi1>} : () -> tensor<2xi1>
  %0 = "plait.select"(%p, %x, %y) : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
