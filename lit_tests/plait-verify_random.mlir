// RUN: %roundtrip
// RUN: plait-opt %s | filecheck %s

// Valid IR for the ops plait.random is built from: plait-verify accepts it, and it prints
// and parses back to the same text.

// CHECK-LABEL: @ops
// CHECK: "plait.shift_left"
// CHECK: "plait.bitcast_convert"(%{{.*}}) {new_dtype = ui8} : (tensor<4xui32>) -> tensor<4x4xui8>
// CHECK: "plait.erf_inv"
// CHECK: "plait.sort"(%{{.*}}, %{{.*}}) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64}
// CHECK: "plait.top_k"(%{{.*}}) {k = 2 : i64}
// CHECK: "plait.threefry2x32"
// CHECK: "plait.rng_bit_generator"(%{{.*}}) {algorithm = "PHILOX", dtype = ui8, shape = array<i64: 3>} : (tensor<3xui64>) -> (tensor<3xui64>, tensor<3xui8>)
func.func @ops(%x: tensor<4xui32>, %f: tensor<4xf32>, %s: tensor<3xui64>) -> (tensor<4x4xui8>, tensor<4xf32>, tensor<2xf32>, tensor<4xui32>, tensor<3xui8>) {
  %0 = "plait.shift_left"(%x, %x) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %1 = "plait.bitcast_convert"(%0) {new_dtype = ui8} : (tensor<4xui32>) -> tensor<4x4xui8>
  %2 = "plait.erf_inv"(%f) : (tensor<4xf32>) -> tensor<4xf32>
  %3:2 = "plait.sort"(%x, %2) {dimension = 0 : i64, is_stable = true, num_keys = 1 : i64} : (tensor<4xui32>, tensor<4xf32>) -> (tensor<4xui32>, tensor<4xf32>)
  %4:2 = "plait.top_k"(%3#1) {k = 2 : i64} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xi32>)
  %5:2 = "plait.threefry2x32"(%x, %x, %0, %3#0) : (tensor<4xui32>, tensor<4xui32>, tensor<4xui32>, tensor<4xui32>) -> (tensor<4xui32>, tensor<4xui32>)
  %6:2 = "plait.rng_bit_generator"(%s) {algorithm = "PHILOX", dtype = ui8, shape = array<i64: 3>} : (tensor<3xui64>) -> (tensor<3xui64>, tensor<3xui8>)
  return %1, %3#1, %4#0, %5#1, %6#1 : tensor<4x4xui8>, tensor<4xf32>, tensor<2xf32>, tensor<4xui32>, tensor<3xui8>
}
