// RUN: plait-opt %s --split-input-file --verify-diagnostics

// Each case is one op that plait-verify must reject, with the error at that op's line:
// select_n with a `which` of the wrong dtype or too many cases for a bool, a reduce whose
// body or init values do not match its arrays, a scatter_max of complex numbers, scatter
// updates that do not fit the operand, an all_to_all whose split axis does not divide by the
// axis size, a pmax of complex numbers.

func.func @select_n_which_dtype(%w: tensor<4xi64>, %a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.select_n `which` must be bool or int32, got int64}}
  %0 = "plait.select_n"(%w, %a, %a) : (tensor<4xi64>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_n_bool_cases(%w: tensor<4xi1>, %a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.select_n with a bool `which` takes at most 2 cases, got 3}}
  %0 = "plait.select_n"(%w, %a, %a, %a) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_n_shapes(%w: tensor<4xi32>, %a: tensor<4xf32>, %b: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait.select_n}}
  %0 = "plait.select_n"(%w, %a, %b) : (tensor<4xi32>, tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_body_types(%x: tensor<2x3xf32>, %x0: tensor<f32>) -> tensor<2xf32> {
  // expected-error@+1 {{plait.reduce: the body takes (tensor<f64>, tensor<f64>) but must take (tensor<f32>, tensor<f32>)}}
  %0 = "plait.reduce"(%x, %x0) ({
  ^bb0(%a: tensor<f64>, %b: tensor<f64>):
    %c = "plait.add"(%a, %b) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    "plait.yield"(%c) : (tensor<f64>) -> ()
  }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_init_shape(%x: tensor<2x3xf32>, %x0: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{plait.reduce: initial values must be scalars of their array's dtype, got float32[2] for float32[2,3]}}
  %0 = "plait.reduce"(%x, %x0) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %c = "plait.add"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%c) : (tensor<f32>) -> ()
  }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_dimensions(%x: tensor<2x3xf32>, %x0: tensor<f32>) -> tensor<2xf32> {
  // expected-error@+1 {{plait.reduce dimensions (2,) must be distinct axes of a rank-2 array}}
  %0 = "plait.reduce"(%x, %x0) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %c = "plait.add"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%c) : (tensor<f32>) -> ()
  }) {dimensions = array<i64: 2>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @scatter_max_complex(%x: tensor<5xcomplex<f32>>, %idx: tensor<2x1xi32>, %u: tensor<2xcomplex<f32>>) -> tensor<5xcomplex<f32>> {
  // expected-error@+1 {{plait.scatter_max: takes real operands, got complex64}}
  %0 = "plait.scatter_max"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64>} : (tensor<5xcomplex<f32>>, tensor<2x1xi32>, tensor<2xcomplex<f32>>) -> tensor<5xcomplex<f32>>
  return %0 : tensor<5xcomplex<f32>>
}

// -----

func.func @scatter_mul_updates(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>, %u: tensor<2x4xf32>) -> tensor<5x3xf32> {
  // expected-error@+1 {{plait.scatter_mul}}
  %0 = "plait.scatter_mul"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0, 1>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x4xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

func.func @all_to_all_split(%x: tensor<4x6xf32>) -> tensor<16x1xf32> {
  // expected-error@+1 {{plait.all_to_all: split_axis 1 of size 6 is not divisible by the axis size 4}}
  %0 = "plait.all_to_all"(%x) {axis_name = "i", axis_size = 4 : i64, concat_axis = 0 : i64, split_axis = 1 : i64} : (tensor<4x6xf32>) -> tensor<16x1xf32>
  return %0 : tensor<16x1xf32>
}

// -----

func.func @pmax_complex(%x: tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>> {
  // expected-error@+1 {{plait.pmax: takes real or bool operands, got complex64}}
  %0 = "plait.pmax"(%x) {axis_name = "i"} : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  return %0 : tensor<4xcomplex<f32>>
}

// -----

func.func @scatter_window_too_large(%x: tensor<5x3xf32>, %idx: tensor<2x1xi32>, %u: tensor<2x4xf32>) -> tensor<5x3xf32> {
  // expected-error@+1 {{plait.scatter_min: update window (4,) is larger than the operand's window dims (3,)}}
  %0 = "plait.scatter_min"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64: 1>} : (tensor<5x3xf32>, tensor<2x1xi32>, tensor<2x4xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}
