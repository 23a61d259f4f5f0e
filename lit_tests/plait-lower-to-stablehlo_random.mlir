// RUN: plait-opt %s --plait-lower-to-stablehlo | filecheck %s

// The ops plait.random is built from: bit ops, special functions (CHLO, which XLA expands
// as it does for jax), sort and top_k, and the random bit generators.

// CHECK-LABEL: @bits
// CHECK-SAME: (%[[X:.*]]: tensor<4xui32>, %[[Y:.*]]: tensor<4xui32>)
// CHECK-NEXT: %[[SHL:.*]] = stablehlo.shift_left %[[X]], %[[Y]] : tensor<4xui32>
// CHECK-NEXT: %[[SHR:.*]] = stablehlo.shift_right_logical %[[SHL]], %[[Y]] : tensor<4xui32>
// CHECK-NEXT: %[[SAR:.*]] = stablehlo.shift_right_arithmetic %[[SHR]], %[[Y]] : tensor<4xui32>
// CHECK-NEXT: %[[POP:.*]] = stablehlo.popcnt %[[SAR]] : tensor<4xui32>
// CHECK-NEXT: %[[CLZ:.*]] = stablehlo.count_leading_zeros %[[POP]] : tensor<4xui32>
// CHECK-NEXT: %[[U8:.*]] = stablehlo.bitcast_convert %[[CLZ]] : (tensor<4xui32>) -> tensor<4x4xui8>
// CHECK-NEXT: %[[F32:.*]] = stablehlo.bitcast_convert %[[CLZ]] : (tensor<4xui32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[CLZ]], %[[U8]], %[[F32]]
func.func @bits(%x: tensor<4xui32>, %y: tensor<4xui32>) -> (tensor<4xui32>, tensor<4x4xui8>, tensor<4xf32>) {
  %0 = "plait.shift_left"(%x, %y) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %1 = "plait.shift_right_logical"(%0, %y) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %2 = "plait.shift_right_arithmetic"(%1, %y) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %3 = "plait.population_count"(%2) : (tensor<4xui32>) -> tensor<4xui32>
  %4 = "plait.clz"(%3) : (tensor<4xui32>) -> tensor<4xui32>
  %5 = "plait.bitcast_convert"(%4) {new_dtype = ui8} : (tensor<4xui32>) -> tensor<4x4xui8>
  %6 = "plait.bitcast_convert"(%4) {new_dtype = f32} : (tensor<4xui32>) -> tensor<4xf32>
  return %4, %5, %6 : tensor<4xui32>, tensor<4x4xui8>, tensor<4xf32>
}

// CHECK-LABEL: @special
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.*]] = chlo.erf_inv %[[X]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[B:.*]] = chlo.lgamma %[[A]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[C:.*]] = chlo.digamma %[[B]] : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[D:.*]] = chlo.polygamma %[[X]], %[[C]] : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[E:.*]] = chlo.next_after %[[D]], %[[X]] : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: return %[[E]]
func.func @special(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.erf_inv"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.lgamma"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "plait.digamma"(%1) : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "plait.polygamma"(%x, %2) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = "plait.next_after"(%3, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %4 : tensor<4xf32>
}

// Integer keys compare as they are; the values ride along.
// CHECK-LABEL: @sort_key_val
// CHECK-SAME: (%[[K:.*]]: tensor<2x3xui32>, %[[V:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[S:.*]]:2 = "stablehlo.sort"(%[[K]], %[[V]]) <{dimension = 1 : i64, is_stable = true}> ({
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<ui32>, %[[B:.*]]: tensor<ui32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>):
// CHECK-NEXT: %[[LT:.*]] = stablehlo.compare LT, %[[A]], %[[B]], UNSIGNED
// CHECK-NEXT: stablehlo.return %[[LT]] : tensor<i1>
// CHECK-NEXT: })
// CHECK-NEXT: return %[[S]]#0, %[[S]]#1
func.func @sort_key_val(%k: tensor<2x3xui32>, %v: tensor<2x3xf32>) -> (tensor<2x3xui32>, tensor<2x3xf32>) {
  %0:2 = "plait.sort"(%k, %v) {dimension = 1 : i64, is_stable = true, num_keys = 1 : i64} : (tensor<2x3xui32>, tensor<2x3xf32>) -> (tensor<2x3xui32>, tensor<2x3xf32>)
  return %0#0, %0#1 : tensor<2x3xui32>, tensor<2x3xf32>
}

// Float keys: -0.0 made 0.0 and NaNs one NaN, then compared in total order.
// CHECK-LABEL: @sort_floats
// CHECK: ^bb0(%[[A:.*]]: tensor<f32>, %[[B:.*]]: tensor<f32>):
// CHECK: %[[A0:.*]] = stablehlo.select %{{.*}}, %{{.*}}, %[[A]]
// CHECK: %[[A1:.*]] = stablehlo.select %{{.*}}, %{{.*}}, %[[A0]]
// CHECK: %[[B0:.*]] = stablehlo.select %{{.*}}, %{{.*}}, %[[B]]
// CHECK: %[[B1:.*]] = stablehlo.select %{{.*}}, %{{.*}}, %[[B0]]
// CHECK-NEXT: %[[LT:.*]] = stablehlo.compare LT, %[[A1]], %[[B1]], TOTALORDER
// CHECK-NEXT: stablehlo.return %[[LT]]
func.func @sort_floats(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "plait.sort"(%x) {dimension = 0 : i64, is_stable = false, num_keys = 1 : i64} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK-LABEL: @top_k
// CHECK-NEXT: %[[V:.*]], %[[I:.*]] = chlo.top_k(%{{.*}}, k = 3) : tensor<2x5xf32> -> (tensor<2x3xf32>, tensor<2x3xi32>)
// CHECK-NEXT: return %[[V]], %[[I]]
func.func @top_k(%x: tensor<2x5xf32>) -> (tensor<2x3xf32>, tensor<2x3xi32>) {
  %0:2 = "plait.top_k"(%x) {k = 3 : i64} : (tensor<2x5xf32>) -> (tensor<2x3xf32>, tensor<2x3xi32>)
  return %0#0, %0#1 : tensor<2x3xf32>, tensor<2x3xi32>
}

// 20 rounds of add, rotate (two shifts and an or) and xor; the key schedule's parity word is
// k0 ^ k1 ^ 0x1BD11BDA (466688986).
// CHECK-LABEL: @threefry2x32
// CHECK-SAME: (%[[K0:.*]]: tensor<4xui32>, %[[K1:.*]]: tensor<4xui32>, %[[X0:.*]]: tensor<4xui32>, %[[X1:.*]]: tensor<4xui32>)
// CHECK-NEXT: %[[KX:.*]] = stablehlo.xor %[[K0]], %[[K1]]
// CHECK-NEXT: %[[C:.*]] = stablehlo.constant dense<466688986> : tensor<4xui32>
// CHECK-NEXT: %[[KS2:.*]] = stablehlo.xor %[[KX]], %[[C]]
// CHECK-NEXT: %[[A0:.*]] = stablehlo.add %[[X0]], %[[K0]]
// CHECK-NEXT: %[[A1:.*]] = stablehlo.add %[[X1]], %[[K1]]
// CHECK-NEXT: %[[M0:.*]] = stablehlo.add %[[A0]], %[[A1]]
// CHECK-NEXT: %[[R13:.*]] = stablehlo.constant dense<13> : tensor<4xui32>
// CHECK-NEXT: %[[SHL:.*]] = stablehlo.shift_left %[[A1]], %[[R13]]
// CHECK-NEXT: %[[R19:.*]] = stablehlo.constant dense<19> : tensor<4xui32>
// CHECK-NEXT: %[[SHR:.*]] = stablehlo.shift_right_logical %[[A1]], %[[R19]]
// CHECK-NEXT: %[[ROT:.*]] = stablehlo.or %[[SHL]], %[[SHR]]
// CHECK-NEXT: %{{.*}} = stablehlo.xor %[[ROT]], %[[M0]]
// CHECK-COUNT-19: stablehlo.or
// CHECK: %[[Y0:.*]] = stablehlo.add %{{.*}}, %[[KS2]]
// CHECK-NEXT: %[[Y1A:.*]] = stablehlo.add %{{.*}}, %[[K0]]
// CHECK-NEXT: %[[C5:.*]] = stablehlo.constant dense<5> : tensor<4xui32>
// CHECK-NEXT: %[[Y1:.*]] = stablehlo.add %[[Y1A]], %[[C5]]
// CHECK-NEXT: return %[[Y0]], %[[Y1]]
func.func @threefry2x32(%k0: tensor<4xui32>, %k1: tensor<4xui32>, %x0: tensor<4xui32>, %x1: tensor<4xui32>) -> (tensor<4xui32>, tensor<4xui32>) {
  %0:2 = "plait.threefry2x32"(%k0, %k1, %x0, %x1) : (tensor<4xui32>, tensor<4xui32>, tensor<4xui32>, tensor<4xui32>) -> (tensor<4xui32>, tensor<4xui32>)
  return %0#0, %0#1 : tensor<4xui32>, tensor<4xui32>
}

// CHECK-LABEL: @rng_bit_generator
// CHECK-NEXT: %[[S:.*]], %[[B:.*]] = stablehlo.rng_bit_generator %{{.*}}, algorithm = DEFAULT : (tensor<2xui64>) -> (tensor<2xui64>, tensor<3x2xui8>)
// CHECK-NEXT: return %[[S]], %[[B]]
func.func @rng_bit_generator(%s: tensor<2xui64>) -> (tensor<2xui64>, tensor<3x2xui8>) {
  %0:2 = "plait.rng_bit_generator"(%s) {algorithm = "DEFAULT", dtype = ui8, shape = array<i64: 3, 2>} : (tensor<2xui64>) -> (tensor<2xui64>, tensor<3x2xui8>)
  return %0#0, %0#1 : tensor<2xui64>, tensor<3x2xui8>
}
