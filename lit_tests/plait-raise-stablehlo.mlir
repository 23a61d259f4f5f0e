// RUN: plait-opt %s --plait-raise-stablehlo | filecheck %s
// RUN: plait-opt %s --plait-raise-stablehlo --plait-lower-to-stablehlo | filecheck %s --check-prefix=ROUND

// StableHLO (as jax's `jit(f).lower(...).as_text()` prints it) raised into the plait dialect.
// Ops whose plait op declares them as its one-to-one lowering are raised by that declaration;
// the others by a rule (dot_general, reduce, gather, scatter, while, case, if, ...). Functions
// and calls stay; regions become plait region ops, with the values they use from outside as
// operands. Raising then lowering gives StableHLO again, with no plait op left:
// ROUND-NOT: "plait.

// CHECK-LABEL: @elementwise(
// CHECK-SAME: %[[A0:.*]]: tensor<4xf32>, %[[A1:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[SIN:.*]] = "plait.sin"(%[[A0]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[ADD:.*]] = "plait.add"(%[[SIN]], %[[A1]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[MAX:.*]] = "plait.max"(%[[ADD]], %[[A0]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[ERF:.*]] = "plait.erf"(%[[MAX]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[COMPARE:.*]] = "plait.compare"(%[[ERF]], %[[A1]]) {direction = "GT"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK-NEXT: %[[SELECT:.*]] = "plait.select"(%[[COMPARE]], %[[ERF]], %[[A1]]) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[CONVERT:.*]] = "plait.convert"(%[[SELECT]]) {new_dtype = i32} : (tensor<4xf32>) -> tensor<4xi32>
// CHECK-NEXT: return %[[SELECT]], %[[CONVERT]] : tensor<4xf32>, tensor<4xi32>
func.func @elementwise(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = stablehlo.sine %x : tensor<4xf32>
  %1 = stablehlo.add %0, %y : tensor<4xf32>
  %2 = stablehlo.maximum %1, %x : tensor<4xf32>
  %3 = chlo.erf %2 : tensor<4xf32> -> tensor<4xf32>
  %4 = stablehlo.compare GT, %3, %y, FLOAT : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %5 = stablehlo.select %4, %3, %y : tensor<4xi1>, tensor<4xf32>
  %6 = stablehlo.convert %5 : (tensor<4xf32>) -> tensor<4xi32>
  return %5, %6 : tensor<4xf32>, tensor<4xi32>
}

// CHECK-LABEL: @shapes(
// CHECK-SAME: %[[A0:.*]]: tensor<2x3xf32>, %[[A1:.*]]: tensor<i32>)
// CHECK-NEXT: %[[CONSTANT:.*]] = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
// CHECK-NEXT: %[[BROADCAST_IN_DIM:.*]] = "plait.broadcast_in_dim"(%[[CONSTANT]]) {broadcast_dimensions = array<i64>, shape = array<i64: 2, 3>} : (tensor<f32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[CONCATENATE:.*]] = "plait.concatenate"(%[[A0]], %[[BROADCAST_IN_DIM]]) {dimension = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[TRANSPOSE:.*]] = "plait.transpose"(%[[CONCATENATE]]) {permutation = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[REV:.*]] = "plait.rev"(%[[TRANSPOSE]]) {dimensions = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[IOTA:.*]] = "plait.iota"() {dimension = 1 : i64, dtype = i32, shape = array<i64: 2, 3>} : () -> tensor<2x3xi32>
// CHECK-NEXT: %[[SLICE:.*]] = "plait.slice"(%[[A0]]) {limit_indices = array<i64: 2, 3>, start_indices = array<i64: 0, 1>, strides = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: %[[PAD:.*]] = "plait.pad"(%[[SLICE]], %[[CONSTANT]]) {edge_padding_high = array<i64: 0, 0>, edge_padding_low = array<i64: 0, 1>, interior_padding = array<i64: 0, 0>} : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[RESHAPE:.*]] = "plait.reshape"(%[[PAD]]) {new_sizes = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK-NEXT: %[[DYNAMIC_SLICE:.*]] = "plait.dynamic_slice"(%[[RESHAPE]], %[[A1]]) {slice_sizes = array<i64: 2>} : (tensor<6xf32>, tensor<i32>) -> tensor<2xf32>
// CHECK-NEXT: %[[DYNAMIC_UPDATE_SLICE:.*]] = "plait.dynamic_update_slice"(%[[RESHAPE]], %[[DYNAMIC_SLICE]], %[[A1]]) : (tensor<6xf32>, tensor<2xf32>, tensor<i32>) -> tensor<6xf32>
// CHECK-NEXT: %[[RESHAPE2:.*]] = "plait.reshape"(%[[DYNAMIC_UPDATE_SLICE]]) {new_sizes = array<i64: 2, 3>} : (tensor<6xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[REV]], %[[IOTA]], %[[SLICE]], %[[RESHAPE2]] : tensor<3x4xf32>, tensor<2x3xi32>, tensor<2x2xf32>, tensor<2x3xf32>
func.func @shapes(%x: tensor<2x3xf32>, %i: tensor<i32>) -> (tensor<3x4xf32>, tensor<2x3xi32>, tensor<2x2xf32>, tensor<2x3xf32>) {
  %c = stablehlo.constant dense<1.000000e+00> : tensor<f32>
  %0 = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<f32>) -> tensor<2x3xf32>
  %1 = stablehlo.concatenate %x, %0, dim = 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %2 = stablehlo.transpose %1, dims = [1, 0] : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %3 = stablehlo.reverse %2, dims = [1] : tensor<3x4xf32>
  %4 = stablehlo.iota dim = 1 : tensor<2x3xi32>
  %5 = stablehlo.slice %x [0:2, 1:3] : (tensor<2x3xf32>) -> tensor<2x2xf32>
  %6 = stablehlo.pad %5, %c, low = [0, 1], high = [0, 0], interior = [0, 0] : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x3xf32>
  %7 = stablehlo.reshape %6 : (tensor<2x3xf32>) -> tensor<6xf32>
  %8 = stablehlo.dynamic_slice %7, %i, sizes = [2] : (tensor<6xf32>, tensor<i32>) -> tensor<2xf32>
  %9 = stablehlo.dynamic_update_slice %7, %8, %i : (tensor<6xf32>, tensor<2xf32>, tensor<i32>) -> tensor<6xf32>
  %10 = stablehlo.reshape %9 : (tensor<6xf32>) -> tensor<2x3xf32>
  return %3, %4, %5, %10 : tensor<3x4xf32>, tensor<2x3xi32>, tensor<2x2xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: @dot(
// CHECK-SAME: %[[A0:.*]]: tensor<5x2x3xf32>, %[[A1:.*]]: tensor<5x3x4xf32>, %[[A2:.*]]: tensor<2x3xi8>, %[[A3:.*]]: tensor<3xi8>)
// CHECK-NEXT: %[[DOT_GENERAL:.*]] = "plait.dot_general"(%[[A0]], %[[A1]]) {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
// CHECK-NEXT: %[[CONVERT:.*]] = "plait.convert"(%[[A2]]) {new_dtype = i32} : (tensor<2x3xi8>) -> tensor<2x3xi32>
// CHECK-NEXT: %[[CONVERT2:.*]] = "plait.convert"(%[[A3]]) {new_dtype = i32} : (tensor<3xi8>) -> tensor<3xi32>
// CHECK-NEXT: %[[DOT_GENERAL2:.*]] = "plait.dot_general"(%[[CONVERT]], %[[CONVERT2]]) {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2xi32>
// CHECK-NEXT: return %[[DOT_GENERAL]], %[[DOT_GENERAL2]] : tensor<5x2x4xf32>, tensor<2xi32>
func.func @dot(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>, %p: tensor<2x3xi8>, %q: tensor<3xi8>) -> (tensor<5x2x4xf32>, tensor<2xi32>) {
  %0 = stablehlo.dot_general %a, %b, batching_dims = [0] x [0], contracting_dims = [2] x [1], precision = [DEFAULT, DEFAULT] : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  %1 = stablehlo.dot_general %p, %q, contracting_dims = [1] x [0] : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<2xi32>
  return %0, %1 : tensor<5x2x4xf32>, tensor<2xi32>
}

// CHECK-LABEL: @reduce(
// CHECK-SAME: %[[A0:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[CONSTANT:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<f32>} : () -> tensor<f32>
// CHECK-NEXT: %[[CONSTANT2:.*]] = "plait.constant"() {value = dense<2.000000e+00> : tensor<f32>} : () -> tensor<f32>
// CHECK-NEXT: %[[CONSTANT3:.*]] = "plait.constant"() {value = dense<0xFF800000> : tensor<f32>} : () -> tensor<f32>
// CHECK-NEXT: %[[CONSTANT4:.*]] = "plait.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
// CHECK-NEXT: %[[REDUCE_SUM:.*]] = "plait.reduce_sum"(%[[A0]]) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[REDUCE_PROD:.*]] = "plait.reduce_prod"(%[[A0]]) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[BROADCAST_IN_DIM:.*]] = "plait.broadcast_in_dim"(%[[CONSTANT2]]) {broadcast_dimensions = array<i64>, shape = array<i64: 2>} : (tensor<f32>) -> tensor<2xf32>
// CHECK-NEXT: %[[MUL:.*]] = "plait.mul"(%[[REDUCE_PROD]], %[[BROADCAST_IN_DIM]]) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[IOTA:.*]] = "plait.iota"() {dimension = 1 : i64, dtype = i32, shape = array<i64: 2, 3>} : () -> tensor<2x3xi32>
// CHECK-NEXT: %[[REDUCE_MAX:.*]] = "plait.reduce_max"(%[[A0]]) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[ARGMAX:.*]] = "plait.argmax"(%[[A0]]) {axis = 1 : i64, index_dtype = i32} : (tensor<2x3xf32>) -> tensor<2xi32>
// CHECK-NEXT: return %[[REDUCE_SUM]], %[[MUL]], %[[ARGMAX]] : tensor<3xf32>, tensor<2xf32>, tensor<2xi32>
func.func @reduce(%x: tensor<2x3xf32>) -> (tensor<3xf32>, tensor<2xf32>, tensor<2xi32>) {
  %zero = stablehlo.constant dense<0.000000e+00> : tensor<f32>
  %two = stablehlo.constant dense<2.000000e+00> : tensor<f32>
  %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>
  %c0 = stablehlo.constant dense<0> : tensor<i32>
  %0 = stablehlo.reduce(%x init: %zero) applies stablehlo.add across dimensions = [0] : (tensor<2x3xf32>, tensor<f32>) -> tensor<3xf32>
  %1 = stablehlo.reduce(%x init: %two) applies stablehlo.multiply across dimensions = [1] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
  %iota = stablehlo.iota dim = 1 : tensor<2x3xi32>
  %2:2 = stablehlo.reduce(%x init: %ninf), (%iota init: %c0) across dimensions = [1] : (tensor<2x3xf32>, tensor<2x3xi32>, tensor<f32>, tensor<i32>) -> (tensor<2xf32>, tensor<2xi32>)
   reducer(%a: tensor<f32>, %b: tensor<f32>) (%ai: tensor<i32>, %bi: tensor<i32>)  {
    %3 = stablehlo.compare GT, %a, %b, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %4 = stablehlo.compare NE, %a, %a, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %5 = stablehlo.or %3, %4 : tensor<i1>
    %6 = stablehlo.compare EQ, %a, %b, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %7 = stablehlo.compare LT, %ai, %bi, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
    %8 = stablehlo.and %6, %7 : tensor<i1>
    %9 = stablehlo.or %5, %8 : tensor<i1>
    %10 = stablehlo.select %5, %a, %b : tensor<i1>, tensor<f32>
    %11 = stablehlo.select %9, %ai, %bi : tensor<i1>, tensor<i32>
    stablehlo.return %10, %11 : tensor<f32>, tensor<i32>
  }
  return %0, %1, %2#1 : tensor<3xf32>, tensor<2xf32>, tensor<2xi32>
}

// CHECK-LABEL: @indexing(
// CHECK-SAME: %[[A0:.*]]: tensor<5x3xf32>, %[[A1:.*]]: tensor<2x1xi32>, %[[A2:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[GATHER:.*]] = "plait.gather"(%[[A0]], %[[A1]]) {collapsed_slice_dims = array<i64: 0>, index_vector_dim = 1 : i64, indices_are_sorted = false, offset_dims = array<i64: 1>, operand_batching_dims = array<i64>, slice_sizes = array<i64: 1, 3>, start_index_map = array<i64: 0>, start_indices_batching_dims = array<i64>} : (tensor<5x3xf32>, tensor<2x1xi32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[SCATTER:.*]] = "plait.scatter"(%[[A0]], %[[A1]], %[[A2]]) {index_vector_dim = 1 : i64, indices_are_sorted = false, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, mode = "add", scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, unique_indices = false, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
// CHECK-NEXT: return %[[GATHER]], %[[SCATTER]] : tensor<2x3xf32>, tensor<5x3xf32>
func.func @indexing(%x: tensor<5x3xf32>, %i: tensor<2x1xi32>, %u: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<5x3xf32>) {
  %0 = "stablehlo.gather"(%x, %i) <{dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, indices_are_sorted = false, slice_sizes = array<i64: 1, 3>}> : (tensor<5x3xf32>, tensor<2x1xi32>) -> tensor<2x3xf32>
  %1 = "stablehlo.scatter"(%x, %i, %u) <{indices_are_sorted = false, scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>, unique_indices = false}> ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %2 = stablehlo.add %a, %b : tensor<f32>
    stablehlo.return %2 : tensor<f32>
  }) : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<5x3xf32>
}

// CHECK-LABEL: @counted_loop(
// CHECK-SAME: %[[A0:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[CONSTANT:.*]] = "plait.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
// CHECK-NEXT: %[[SCAN:.*]]:2 = "plait.scan"(%[[A0]], %[[CONSTANT]], %[[A0]]) ({
// CHECK-NEXT: ^bb0(%[[B:.*]]: tensor<3xf32>, %[[B2:.*]]: tensor<i32>, %[[B3:.*]]: tensor<3xf32>):
// CHECK-NEXT: %[[CONSTANT2:.*]] = "plait.constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32>
// CHECK-NEXT: %[[ADD:.*]] = "plait.add"(%[[B2]], %[[CONSTANT2]]) : (tensor<i32>, tensor<i32>) -> tensor<i32>
// CHECK-NEXT: %[[MUL:.*]] = "plait.mul"(%[[B3]], %[[B]]) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: "plait.yield"(%[[ADD]], %[[MUL]]) : (tensor<i32>, tensor<3xf32>) -> ()
// CHECK-NEXT: }) {length = 4 : i64, num_carry = 2 : i64, num_consts = 1 : i64, reverse = false} : (tensor<3xf32>, tensor<i32>, tensor<3xf32>) -> (tensor<i32>, tensor<3xf32>)
// CHECK-NEXT: return %[[SCAN]]#1 : tensor<3xf32>
func.func @counted_loop(%x: tensor<3xf32>) -> tensor<3xf32> {
  %c0 = stablehlo.constant dense<0> : tensor<i32>
  %0:2 = stablehlo.while(%i = %c0, %c = %x) : tensor<i32>, tensor<3xf32>
  cond {
    %n = stablehlo.constant dense<4> : tensor<i32>
    %1 = stablehlo.compare LT, %i, %n, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
    stablehlo.return %1 : tensor<i1>
  } do {
    %one = stablehlo.constant dense<1> : tensor<i32>
    %1 = stablehlo.add %i, %one : tensor<i32>
    %2 = stablehlo.multiply %c, %x : tensor<3xf32>
    stablehlo.return %1, %2 : tensor<i32>, tensor<3xf32>
  }
  return %0#1 : tensor<3xf32>
}

// CHECK-LABEL: @while_loop(
// CHECK-SAME: %[[A0:.*]]: tensor<f32>, %[[A1:.*]]: tensor<f32>)
// CHECK-NEXT: %[[WHILE:.*]] = "plait.while"(%[[A1]], %[[A0]]) ({
// CHECK-NEXT: ^bb0(%[[B:.*]]: tensor<f32>, %[[B2:.*]]: tensor<f32>):
// CHECK-NEXT: %[[COMPARE:.*]] = "plait.compare"(%[[B2]], %[[B]]) {direction = "LT"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK-NEXT: "plait.yield"(%[[COMPARE]]) : (tensor<i1>) -> ()
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%[[B3:.*]]: tensor<f32>, %[[B4:.*]]: tensor<f32>):
// CHECK-NEXT: %[[ADD:.*]] = "plait.add"(%[[B4]], %[[B4]]) : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: "plait.yield"(%[[ADD]]) : (tensor<f32>) -> ()
// CHECK-NEXT: }) {num_consts = 1 : i64} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: return %[[WHILE]] : tensor<f32>
func.func @while_loop(%x: tensor<f32>, %limit: tensor<f32>) -> tensor<f32> {
  %0 = stablehlo.while(%c = %x) : tensor<f32>
  cond {
    %1 = stablehlo.compare LT, %c, %limit, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
    stablehlo.return %1 : tensor<i1>
  } do {
    %1 = stablehlo.add %c, %c : tensor<f32>
    stablehlo.return %1 : tensor<f32>
  }
  return %0 : tensor<f32>
}

// CHECK-LABEL: @branches(
// CHECK-SAME: %[[A0:.*]]: tensor<i1>, %[[A1:.*]]: tensor<i32>, %[[A2:.*]]: tensor<f32>)
// CHECK-NEXT: %[[CONVERT:.*]] = "plait.convert"(%[[A0]]) {new_dtype = i32} : (tensor<i1>) -> tensor<i32>
// CHECK-NEXT: %[[COND:.*]] = "plait.cond"(%[[CONVERT]], %[[A2]]) ({
// CHECK-NEXT: ^bb0(%[[B:.*]]: tensor<f32>):
// CHECK-NEXT: %[[COS:.*]] = "plait.cos"(%[[B]]) : (tensor<f32>) -> tensor<f32>
// CHECK-NEXT: "plait.yield"(%[[COS]]) : (tensor<f32>) -> ()
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%[[B2:.*]]: tensor<f32>):
// CHECK-NEXT: %[[SIN:.*]] = "plait.sin"(%[[B2]]) : (tensor<f32>) -> tensor<f32>
// CHECK-NEXT: "plait.yield"(%[[SIN]]) : (tensor<f32>) -> ()
// CHECK-NEXT: }) : (tensor<i32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[CONSTANT:.*]] = "plait.constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32>
// CHECK-NEXT: %[[CONSTANT2:.*]] = "plait.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
// CHECK-NEXT: %[[COMPARE:.*]] = "plait.compare"(%[[A1]], %[[CONSTANT2]]) {direction = "LT"} : (tensor<i32>, tensor<i32>) -> tensor<i1>
// CHECK-NEXT: %[[COMPARE2:.*]] = "plait.compare"(%[[A1]], %[[CONSTANT]]) {direction = "GT"} : (tensor<i32>, tensor<i32>) -> tensor<i1>
// CHECK-NEXT: %[[OR:.*]] = "plait.or"(%[[COMPARE]], %[[COMPARE2]]) : (tensor<i1>, tensor<i1>) -> tensor<i1>
// CHECK-NEXT: %[[SELECT:.*]] = "plait.select"(%[[OR]], %[[CONSTANT]], %[[A1]]) : (tensor<i1>, tensor<i32>, tensor<i32>) -> tensor<i32>
// CHECK-NEXT: %[[COND2:.*]] = "plait.cond"(%[[SELECT]], %[[A2]], %[[COND]]) ({
// CHECK-NEXT: ^bb0(%[[B3:.*]]: tensor<f32>, %[[B4:.*]]: tensor<f32>):
// CHECK-NEXT: "plait.yield"(%[[B3]]) : (tensor<f32>) -> ()
// CHECK-NEXT: }, {
// CHECK-NEXT: ^bb0(%[[B5:.*]]: tensor<f32>, %[[B6:.*]]: tensor<f32>):
// CHECK-NEXT: %[[NEG:.*]] = "plait.neg"(%[[B6]]) : (tensor<f32>) -> tensor<f32>
// CHECK-NEXT: "plait.yield"(%[[NEG]]) : (tensor<f32>) -> ()
// CHECK-NEXT: }) : (tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: return %[[COND]], %[[COND2]] : tensor<f32>, tensor<f32>
func.func @branches(%p: tensor<i1>, %k: tensor<i32>, %x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0 = "stablehlo.if"(%p) ({
    %1 = stablehlo.sine %x : tensor<f32>
    stablehlo.return %1 : tensor<f32>
  }, {
    %1 = stablehlo.cosine %x : tensor<f32>
    stablehlo.return %1 : tensor<f32>
  }) : (tensor<i1>) -> tensor<f32>
  %2 = "stablehlo.case"(%k) ({
    stablehlo.return %x : tensor<f32>
  }, {
    %1 = stablehlo.negate %0 : tensor<f32>
    stablehlo.return %1 : tensor<f32>
  }) : (tensor<i32>) -> tensor<f32>
  return %0, %2 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: @calls(
// CHECK-SAME: %[[A0:.*]]: tensor<f32>)
// CHECK-NEXT: %[[CALL:.*]] = call @square(%[[A0]]) : (tensor<f32>) -> tensor<f32>
// CHECK-NEXT: return %[[CALL]] : tensor<f32>
func.func @calls(%x: tensor<f32>) -> tensor<f32> {
  %0 = call @square(%x) : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func private @square(
// CHECK-SAME: %[[A0:.*]]: tensor<f32>)
// CHECK-NEXT: %[[MUL:.*]] = "plait.mul"(%[[A0]], %[[A0]]) : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: return %[[MUL]] : tensor<f32>
func.func private @square(%x: tensor<f32>) -> tensor<f32> {
  %0 = stablehlo.multiply %x, %x : tensor<f32>
  return %0 : tensor<f32>
}

// Ops with no plait op of their own, built from plait ops: rounding half away from zero is
// half-even rounding except at exact halves; a total-order comparison of floats compares
// integer keys of their bits; chlo.square is a product.
// CHECK-LABEL: @built_from_plait_ops(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK: %[[RNE:.*]] = "plait.round"(%[[X]])
// CHECK-NEXT: %[[AFZ:.*]] = "plait.select"(%{{.*}}, %{{.*}}, %[[RNE]])
// CHECK: %[[XI:.*]] = "plait.bitcast_convert"(%[[X]]) {new_dtype = i32}
// CHECK: %[[XK:.*]] = "plait.xor"(%[[XI]], %{{.*}})
// CHECK: %[[YI:.*]] = "plait.bitcast_convert"(%[[Y]]) {new_dtype = i32}
// CHECK: %[[YK:.*]] = "plait.xor"(%[[YI]], %{{.*}})
// CHECK-NEXT: %[[LT:.*]] = "plait.compare"(%[[XK]], %[[YK]]) {direction = "LT"}
// CHECK-NEXT: %[[SQ:.*]] = "plait.mul"(%[[X]], %[[X]])
// CHECK-NEXT: return %[[AFZ]], %[[LT]], %[[SQ]]
func.func @built_from_plait_ops(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>, tensor<4xf32>) {
  %0 = stablehlo.round_nearest_afz %x : tensor<4xf32>
  %1 = stablehlo.compare LT, %x, %y, TOTALORDER : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = chlo.square %x : tensor<4xf32> -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xi1>, tensor<4xf32>
}

// The LAPACK kernels plait's decompositions lower to on CPU (as jax calls them) are raised to
// the decompositions: potrf's status is nonzero where plait's factor is not finite.
// CHECK-LABEL: @lapack(
// CHECK-SAME: %[[A:.*]]: tensor<3x3xf32>, %[[B:.*]]: tensor<3x2xf32>)
// CHECK-NEXT: %[[L:.*]] = "plait.cholesky"(%[[A]])
// CHECK-NEXT: %[[FIN:.*]] = "plait.is_finite"(%[[L]])
// CHECK-NEXT: %[[ALL:.*]] = "plait.reduce_and"(%[[FIN]]) {axes = array<i64: 0, 1>}
// CHECK: %[[INFO:.*]] = "plait.select"(%[[ALL]], %{{.*}}, %{{.*}}) : (tensor<i1>, tensor<i32>, tensor<i32>) -> tensor<i32>
// CHECK-NEXT: %[[X:.*]] = "plait.triangular_solve"(%[[L]], %[[B]]) {conjugate_a = false, left_side = true, lower = true, transpose_a = true, unit_diagonal = false}
// CHECK-NEXT: return %[[X]], %[[INFO]]
func.func @lapack(%a: tensor<3x3xf32>, %b: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<i32>) {
  %0:2 = stablehlo.custom_call @lapack_spotrf_ffi(%a) {mhlo.backend_config = {uplo = 76 : ui8}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [0], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<> : tensor<0xindex>]} : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<i32>)
  %1 = stablehlo.custom_call @lapack_strsm_ffi(%0#0, %b) {mhlo.backend_config = {diag = 78 : ui8, side = 76 : ui8, trans_x = 84 : ui8, uplo = 76 : ui8}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<[0, 1]> : tensor<2xindex>], result_layouts = [dense<[0, 1]> : tensor<2xindex>]} : (tensor<3x3xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %1, %0#1 : tensor<3x2xf32>, tensor<i32>
}

// jax lowers stop_gradient to nothing; plait.from_jax has it lower to this marker instead.
// CHECK-LABEL: @stop_gradient(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[S:.*]] = "plait.stop_gradient"(%[[X]])
// CHECK-NEXT: return %[[S]]
func.func @stop_gradient(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = stablehlo.custom_call @plait.stop_gradient(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
