// RUN: plait-opt %s --split-input-file --verify-diagnostics

// The type rules of the ops plait.random is built from (dialect/bits.py, special.py, sort.py,
// prng.py): each case is one op that plait-verify must reject.

func.func @shift_of_floats(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{plait.shift_left takes integer operands, got float32}}
  %0 = "plait.shift_left"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @bitcast_to_wider(%x: tensor<4x3xui8>) -> tensor<4xui32> {
  // expected-error @+1 {{plait.bitcast_convert from uint8 to uint32 needs a trailing dimension of 4, got shape (4, 3)}}
  %0 = "plait.bitcast_convert"(%x) {new_dtype = ui32} : (tensor<4x3xui8>) -> tensor<4xui32>
  return %0 : tensor<4xui32>
}

// -----

func.func @erf_inv_of_ints(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{plait.erf_inv takes floating operands, got int32}}
  %0 = "plait.erf_inv"(%x) : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @sort_shapes(%k: tensor<4xui32>, %v: tensor<3xf32>) -> (tensor<4xui32>, tensor<3xf32>) {
  // expected-error @+1 {{plait.sort: operands must have equal shapes, got (4,), (3,)}}
  %0:2 = "plait.sort"(%k, %v) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64} : (tensor<4xui32>, tensor<3xf32>) -> (tensor<4xui32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<4xui32>, tensor<3xf32>
}

// -----

func.func @top_k_too_many(%x: tensor<3xf32>) -> (tensor<4xf32>, tensor<4xi32>) {
  // expected-error @+1 {{plait.top_k: k = 4 is out of range for a last dimension of 3}}
  %0:2 = "plait.top_k"(%x) {k = 4 : i64} : (tensor<3xf32>) -> (tensor<4xf32>, tensor<4xi32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xi32>
}

// -----

func.func @threefry_of_signed(%x: tensor<4xi32>) -> (tensor<4xui32>, tensor<4xui32>) {
  // expected-error @+1 {{plait.threefry2x32 takes uint32 operands, got int32}}
  %0:2 = "plait.threefry2x32"(%x, %x, %x, %x) : (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) -> (tensor<4xui32>, tensor<4xui32>)
  return %0#0, %0#1 : tensor<4xui32>, tensor<4xui32>
}

// -----

func.func @rng_state(%s: tensor<4xui32>) -> (tensor<4xui32>, tensor<3xui32>) {
  // expected-error @+1 {{plait.rng_bit_generator DEFAULT takes a uint64 state of shape (2,)}}
  %0:2 = "plait.rng_bit_generator"(%s) {algorithm = "DEFAULT", dtype = ui32, shape = array<i64: 3>} : (tensor<4xui32>) -> (tensor<4xui32>, tensor<3xui32>)
  return %0#0, %0#1 : tensor<4xui32>, tensor<3xui32>
}
