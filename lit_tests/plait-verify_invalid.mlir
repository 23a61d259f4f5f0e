// RUN: plait-opt %s --split-input-file --verify-diagnostics

// Each case is one op that plait-verify must reject, with the error at that op's line.
// (Both spellings of the annotation are accepted, `expected-error@+1` and `expected-error @+1`.)

func.func @binary_shapes(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.add operands must have equal shapes, got (4,) and (3,)}}
  %0 = "plait.add"(%x, %y) : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @binary_dtypes(%x: tensor<4xf32>, %y: tensor<4xi32>) -> tensor<4xf32> {
  // expected-error @+1 {{plait.mul operands must have equal dtypes, got float32 and int32}}
  %0 = "plait.mul"(%x, %y) : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @binary_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{plait.and takes bool or integer operands, got float32}}
  %0 = "plait.and"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unary_kind(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{plait.exp takes floating or complex operands, got int32}}
  %0 = "plait.exp"(%x) : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @bad_result_type(%x: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error@+1 {{'plait.exp' result types (tensor<4xf64>) do not match the inferred (tensor<4xf32>)}}
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

func.func @bad_result_shape(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{'plait.reduce_sum' result types (tensor<3xf32>) do not match the inferred (tensor<2xf32>)}}
  %0 = "plait.reduce_sum"(%x) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @missing_attribute(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{'plait.reduce_sum' is missing attribute(s) axes}}
  %0 = "plait.reduce_sum"(%x) : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @unknown_attribute(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.exp' has unknown attribute(s) fast}}
  %0 = "plait.exp"(%x) {fast = true} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @attribute_kind(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{'plait.reduce_sum' attribute 'axes' expected array<i64: ...>, got 1 : i64}}
  %0 = "plait.reduce_sum"(%x) {axes = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @unknown_plait_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{unknown op 'plait.frobnicate'}}
  %0 = "plait.frobnicate"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unknown_other_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{unknown op 'foo.bar'}}
  %0 = "foo.bar"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @operand_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.exp takes 1 operands, got 2}}
  %0 = "plait.exp"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dynamic_shape(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error@+1 {{'plait.neg' expected a static shape, got tensor<?xf32>}}
  %0 = "plait.neg"(%x) : (tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @compare_direction(%x: tensor<4xf32>) -> tensor<4xi1> {
  // expected-error@+1 {{'plait.compare' attribute 'direction' expected one of EQ, NE, LT, LE, GT, GE, got 'LTE'}}
  %0 = "plait.compare"(%x, %x) {direction = "LTE"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @compare_complex_order(%x: tensor<4xcomplex<f32>>) -> tensor<4xi1> {
  // expected-error@+1 {{plait.compare LT is not defined for complex operands}}
  %0 = "plait.compare"(%x, %x) {direction = "LT"} : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @select_predicate(%p: tensor<4xi32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.select predicate must be bool, got int32}}
  %0 = "plait.select"(%p, %x, %x) : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @complex_of_f16(%x: tensor<4xf16>) -> tensor<4xcomplex<f32>> {
  // expected-error@+1 {{plait.complex takes float32 or float64 operands, got float16}}
  %0 = "plait.complex"(%x, %x) : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xcomplex<f32>>
  return %0 : tensor<4xcomplex<f32>>
}

// -----

func.func @convert_dtype(%x: tensor<4xf32>) -> tensor<4xi3> {
  // expected-error@+1 {{'plait.convert' attribute 'new_dtype' element type i3 has no plait dtype}}
  %0 = "plait.convert"(%x) {new_dtype = i3} : (tensor<4xf32>) -> tensor<4xi3>
  return %0 : tensor<4xi3>
}

// -----

func.func @constant_not_dense() -> tensor<f32> {
  // expected-error@+1 {{'plait.constant' attribute 'value' expected dense elements, got 1.000000e+00 : f32}}
  %0 = "plait.constant"() {value = 1.0 : f32} : () -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @iota_bool() -> tensor<4xi1> {
  // expected-error@+1 {{plait.iota: dtype must be numeric, got bool}}
  %0 = "plait.iota"() {shape = array<i64: 4>, dtype = i1, dimension = 0 : i64} : () -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @bad_permutation(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error@+1 {{plait.transpose: permutation (0, 0) is not a permutation of 2 dimensions}}
  %0 = "plait.transpose"(%x) {permutation = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @broadcast_dimensions_count(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{plait.broadcast_in_dim: broadcast_dimensions (0, 1) must have one entry per operand dimension (1)}}
  %0 = "plait.broadcast_in_dim"(%x) {shape = array<i64: 2, 3>, broadcast_dimensions = array<i64: 0, 1>} : (tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @broadcast_dimensions_size(%x: tensor<3xf32>) -> tensor<3x2xf32> {
  // expected-error@+1 {{plait.broadcast_in_dim: cannot broadcast operand shape (3,) to (3, 2)}}
  %0 = "plait.broadcast_in_dim"(%x) {shape = array<i64: 3, 2>, broadcast_dimensions = array<i64: 1>} : (tensor<3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @broadcast_dimensions_order(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error@+1 {{plait.broadcast_in_dim: broadcast_dimensions (1, 0) must be increasing}}
  %0 = "plait.broadcast_in_dim"(%x) {shape = array<i64: 3, 2>, broadcast_dimensions = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @reshape_size(%x: tensor<2x3xf32>) -> tensor<5xf32> {
  // expected-error@+1 {{plait.reshape: cannot reshape (2, 3) to (5,)}}
  %0 = "plait.reshape"(%x) {new_sizes = array<i64: 5>} : (tensor<2x3xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @slice_out_of_range(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{plait.slice: bad slice [2:5:1] of a dimension of size 4}}
  %0 = "plait.slice"(%x) {start_indices = array<i64: 2>, limit_indices = array<i64: 5>, strides = array<i64: 1>} : (tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @dynamic_slice_index(%x: tensor<4xf32>, %i: tensor<f32>) -> tensor<2xf32> {
  // expected-error@+1 {{plait.dynamic_slice: start indices must be integer scalars, got float32[]}}
  %0 = "plait.dynamic_slice"(%x, %i) {slice_sizes = array<i64: 2>} : (tensor<4xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @dynamic_slice_no_operands() -> tensor<2xf32> {
  // expected-error@+1 {{plait.dynamic_slice: needs an operand and its start indices}}
  %0 = "plait.dynamic_slice"() {slice_sizes = array<i64: 2>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @dynamic_update_slice_no_update(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.dynamic_update_slice: needs an operand, an update and its start indices}}
  %0 = "plait.dynamic_update_slice"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @concatenate_shapes(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error@+1 {{plait.concatenate: operands must agree in dtype and in every dimension but 0}}
  %0 = "plait.concatenate"(%a, %b) {dimension = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @pad_value(%x: tensor<4xf32>, %v: tensor<1xf32>) -> tensor<6xf32> {
  // expected-error@+1 {{plait.pad: padding value must be a scalar of dtype float32}}
  %0 = "plait.pad"(%x, %v) {edge_padding_low = array<i64: 1>, edge_padding_high = array<i64: 1>, interior_padding = array<i64: 0>} : (tensor<4xf32>, tensor<1xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @rev_dimensions(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{dimensions (1, 1) must be distinct axes of a rank-2 array}}
  %0 = "plait.rev"(%x) {dimensions = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reduce_axes(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{plait.reduce_max axes (2,) must be distinct axes of a rank-2 array}}
  %0 = "plait.reduce_max"(%x) {axes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @argmax_index_dtype(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{plait.argmax: index_dtype must be an integer, got float32}}
  %0 = "plait.argmax"(%x) {axis = 1 : i64, index_dtype = f32} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @cumsum_axis(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.cumsum: axis 1 out of range for rank 1}}
  %0 = "plait.cumsum"(%x) {axis = 1 : i64, reverse = false} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dot_general_contracting(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error@+1 {{plait.dot_general: contracting dimension sizes differ: lhs (2, 3) dim 1 vs rhs (4, 5) dim 0}}
  %0 = "plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @gather_start_index_map(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{plait.gather: start_index_map (0, 1) needs 1 entries}}
  %0 = "plait.gather"(%x, %idx) {offset_dims = array<i64: 1>, collapsed_slice_dims = array<i64: 0>, operand_batching_dims = array<i64>, start_indices_batching_dims = array<i64>, start_index_map = array<i64: 0, 1>, index_vector_dim = 1 : i64, slice_sizes = array<i64: 1, 3>} : (tensor<5x3xf32>, tensor<2x1xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gather_collapsed_slice_size(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{plait.gather: collapsed and batching dimensions need slice size <= 1}}
  %0 = "plait.gather"(%x, %idx) {offset_dims = array<i64: 1>, collapsed_slice_dims = array<i64: 0>, operand_batching_dims = array<i64>, start_indices_batching_dims = array<i64>, start_index_map = array<i64: 0>, index_vector_dim = 1 : i64, slice_sizes = array<i64: 2, 3>} : (tensor<5x3xf32>, tensor<2x1xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @scatter_update_window_dims(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>, %u: tensor<2x3xf32>) -> tensor<5x3xf32> {
  // expected-error@+1 {{plait.scatter: updates shape (2, 3) does not match indices (2, 1) and operand (5, 3)}}
  %0 = "plait.scatter"(%x, %idx, %u) {mode = "add", update_window_dims = array<i64: 0, 1>, inserted_window_dims = array<i64: 0>, input_batching_dims = array<i64>, scatter_indices_batching_dims = array<i64>, scatter_dims_to_operand_dims = array<i64: 0>, index_vector_dim = 1 : i64} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

func.func @scatter_mode(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>, %u: tensor<2x3xf32>) -> tensor<5x3xf32> {
  // expected-error@+1 {{'plait.scatter' attribute 'mode' expected one of set, add, got 'mul'}}
  %0 = "plait.scatter"(%x, %idx, %u) {mode = "mul", update_window_dims = array<i64: 1>, inserted_window_dims = array<i64: 0>, input_batching_dims = array<i64>, scatter_indices_batching_dims = array<i64>, scatter_dims_to_operand_dims = array<i64: 0>, index_vector_dim = 1 : i64} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

// Transformation ops: their operands and results must match what the callee takes and returns,
// their attributes must fit it, and the callee must exist. (A callee the pass itself cannot
// transform is the pass's error, in its own _invalid file.)

// A tangent must have its argument's type: @f takes tensor<4xf32>.
func.func @tangent_type(%x: tensor<4xf32>, %t: tensor<3xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{'plait.jvp' operand types (tensor<4xf32>, tensor<3xf32>) do not match @f: expected (tensor<4xf32>, tensor<4xf32>)}}
  %0:2 = "plait.jvp"(%x, %t) {callee = @f, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<3xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// One tangent per differentiated argument: @f has one argument, so no tangent for a second.
func.func @missing_tangent(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{'plait.jvp' operand types (tensor<4xf32>) do not match @f: expected (tensor<4xf32>, tensor<4xf32>)}}
  %0:2 = "plait.jvp"(%x) {callee = @f, diff_args = array<i64: 0>} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @diff_args_range(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{plait.jvp: diff_args (1,) must be distinct argument indices below 1}}
  %0:2 = "plait.jvp"(%x, %t) {callee = @f, diff_args = array<i64: 1>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @no_such_callee(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{'plait.jvp' attribute 'callee' refers to @nope, which is not a function of this module}}
  %0:2 = "plait.jvp"(%x, %t) {callee = @nope, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// in_axes needs one entry per argument of @f (it has one).
func.func @in_axes_length(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error@+1 {{plait.vmap: in_axes/out_axes need one entry per argument/result}}
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 0, 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A rank-1 argument can be mapped over axis 0 or 1 of the operand, not 2.
func.func @in_axis_range(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error@+1 {{plait.vmap: axis 2 out of range for tensor<4xf32>}}
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 2>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @no_such_callee(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error@+1 {{'plait.vmap' attribute 'callee' refers to @nope, which is not a function of this module}}
  %0 = "plait.vmap"(%x) {callee = @nope, in_axes = array<i64: 0>, out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// @f has one result: ct_outs can only name result 0.
func.func @ct_outs_range(%x: tensor<4xf32>, %ct: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error@+1 {{plait.vjp: ct_outs (1,) must be distinct result indices below 1}}
  %0:2 = "plait.vjp"(%x, %ct) {callee = @f, diff_args = array<i64: 0>, ct_outs = array<i64: 1>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The cotangent of x has x's type, not the result's.
func.func @cotangent_type(%x: tensor<4xf32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  // expected-error@+1 {{'plait.vjp' result types (tensor<f32>, tensor<f32>) do not match @total: expected (tensor<f32>, tensor<4xf32>)}}
  %0:2 = "plait.vjp"(%x, %ct) {callee = @total, diff_args = array<i64: 0>, ct_outs = array<i64: 0>} : (tensor<4xf32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

func.func private @total(%x: tensor<4xf32>) -> tensor<f32> {
  %0 = "plait.reduce_sum"(%x) {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// The operands are the constant arguments, then one cotangent per result of @lin.
func.func @cotangent_types(%c: tensor<4xf32>, %ct: tensor<f32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.linear_transpose' operand types (tensor<4xf32>, tensor<f32>) do not match @lin: expected (tensor<4xf32>, tensor<4xf32>)}}
  %0 = "plait.linear_transpose"(%c, %ct) {callee = @lin, linear_args = array<i64: 1>} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @lin(%c: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.mul"(%c, %t) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @debug_callback_with_results(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{plait.callback: a debug callback has no results}}
  %0 = "plait.callback"(%x) {callback = 0 : i64, kind = "debug", ordered = false, result_types = [tensor<3xf32>]} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @pure_callback_result_types(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{plait.pure_callback}}
  %0 = "plait.pure_callback"(%x) {callback = 0 : i64, result_types = [tensor<4xf32>]} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Linear algebra and FFT: the type rules of the decompositions.

func.func @cholesky_not_square(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error@+1 {{cholesky: its operand must be square matrices, got shape (3, 4)}}
  %0 = "plait.cholesky"(%a) : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @cholesky_of_integers(%a: tensor<3x3xi32>) -> tensor<3x3xi32> {
  // expected-error@+1 {{cholesky: its operand must be float32, float64, complex64 or complex128, got int32}}
  %0 = "plait.cholesky"(%a) : (tensor<3x3xi32>) -> tensor<3x3xi32>
  return %0 : tensor<3x3xi32>
}

// -----

func.func @triangular_solve_batch_mismatch(%a: tensor<2x3x3xf32>, %b: tensor<4x3x3xf32>) -> tensor<4x3x3xf32> {
  // expected-error@+1 {{a of shape (2, 3, 3) and b of shape (4, 3, 3) have different batch dimensions}}
  %0 = "plait.triangular_solve"(%a, %b) {conjugate_a = false, left_side = true, lower = true, transpose_a = false, unit_diagonal = false} : (tensor<2x3x3xf32>, tensor<4x3x3xf32>) -> tensor<4x3x3xf32>
  return %0 : tensor<4x3x3xf32>
}

// -----

func.func @lu_pivot_shape(%a: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<2xi32>, tensor<3xi32>) {
  // expected-error@+1 {{do not match the inferred (tensor<3x3xf32>, tensor<3xi32>, tensor<3xi32>)}}
  %0:3 = "plait.lu"(%a) : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<2xi32>, tensor<3xi32>)
  return %0#0, %0#1, %0#2 : tensor<3x3xf32>, tensor<2xi32>, tensor<3xi32>
}

// -----

func.func @fft_of_reals(%x: tensor<5x4xf32>) -> tensor<5x4xcomplex<f32>> {
  // expected-error@+1 {{FFT needs a complex64 or complex128 operand, got float32}}
  %0 = "plait.fft"(%x) {fft_lengths = array<i64: 4>, fft_type = "FFT"} : (tensor<5x4xf32>) -> tensor<5x4xcomplex<f32>>
  return %0 : tensor<5x4xcomplex<f32>>
}

// -----

func.func @rfft_keeps_half_the_spectrum(%x: tensor<5x4xf32>) -> tensor<5x4xcomplex<f32>> {
  // expected-error@+1 {{do not match the inferred (tensor<5x3xcomplex<f32>>)}}
  %0 = "plait.fft"(%x) {fft_lengths = array<i64: 4>, fft_type = "RFFT"} : (tensor<5x4xf32>) -> tensor<5x4xcomplex<f32>>
  return %0 : tensor<5x4xcomplex<f32>>
}

// -----

func.func @integer_pow_of_an_integer_to_a_negative_power(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{plait.integer_pow: integers cannot be raised to negative powers, got int32 to the power -1}}
  %0 = "plait.integer_pow"(%x) {y = -1 : i64} : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @integer_pow_needs_its_power(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'plait.integer_pow' is missing attribute(s) y}}
  %0 = "plait.integer_pow"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_precision_needs_an_exponent(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.reduce_precision: exponent_bits must be positive, got 0}}
  %0 = "plait.reduce_precision"(%x) {exponent_bits = 0 : i64, mantissa_bits = 10 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_precision_of_negative_mantissa_bits(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.reduce_precision: mantissa_bits must be non-negative, got -1}}
  %0 = "plait.reduce_precision"(%x) {exponent_bits = 5 : i64, mantissa_bits = -1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @cbrt_of_a_complex(%x: tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>> {
  // expected-error@+1 {{plait.cbrt takes floating operands, got complex64}}
  %0 = "plait.cbrt"(%x) : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  return %0 : tensor<4xcomplex<f32>>
}
