// RUN: plait-opt %s --split-input-file --plait-jvp | filecheck %s

// JVPs of select_n (linear in its cases: select_n of the tangents), optimization_barrier (the
// tangents through a barrier of their own), scatter_mul with unique indices (jax's rule),
// reduce with a region body (one reduce over (primal, tangent) pairs, the body's JVP as its
// body) and pmax (the tangent where the maximum is, averaged over ties by two psums).

func.func @select_n(%w: tensor<4xi32>, %a: tensor<4xf32>, %b: tensor<4xf32>, %ta: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%w, %a, %b, %ta) {callee = @select_n_f, diff_args = array<i64: 1>} : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}
func.func private @select_n_f(%w: tensor<4xi32>, %a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.select_n"(%w, %a, %b) : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @select_n_f_jvp
// CHECK-SAME: (%[[W:.*]]: tensor<4xi32>, %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[TA:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[Y:.*]] = "plait.select_n"(%[[W]], %[[A]], %[[B]])
// CHECK-NEXT: %[[Z:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<4xf32>}
// CHECK-NEXT: %[[T:.*]] = "plait.select_n"(%[[W]], %[[TA]], %[[Z]])
// CHECK-NEXT: return %[[Y]], %[[T]]

// -----

func.func @optimization_barrier(%x: tensor<4xf32>, %i: tensor<i32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %i, %t) {callee = @optimization_barrier_f, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<i32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}
func.func private @optimization_barrier_f(%x: tensor<4xf32>, %i: tensor<i32>) -> tensor<4xf32> {
  %0:2 = "plait.optimization_barrier"(%x, %i) : (tensor<4xf32>, tensor<i32>) -> (tensor<4xf32>, tensor<i32>)
  return %0#0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @optimization_barrier_f_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<i32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[Y:.*]]:2 = "plait.optimization_barrier"(%[[X]], %[[I]])
// CHECK-NEXT: %[[TY:.*]] = "plait.optimization_barrier"(%[[T]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[Y]]#0, %[[TY]]

// -----

func.func @scatter_mul(%x: tensor<5xf32>, %idx: tensor<2x1xi32>, %u: tensor<2xf32>, %tx: tensor<5xf32>, %tu: tensor<2xf32>) -> (tensor<5xf32>, tensor<5xf32>) {
  %0:2 = "plait.jvp"(%x, %idx, %u, %tx, %tu) {callee = @scatter_mul_f, diff_args = array<i64: 0, 2>} : (tensor<5xf32>, tensor<2x1xi32>, tensor<2xf32>, tensor<5xf32>, tensor<2xf32>) -> (tensor<5xf32>, tensor<5xf32>)
  return %0#0, %0#1 : tensor<5xf32>, tensor<5xf32>
}
func.func private @scatter_mul_f(%x: tensor<5xf32>, %idx: tensor<2x1xi32>, %u: tensor<2xf32>) -> tensor<5xf32> {
  %0 = "plait.scatter_mul"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, unique_indices = true, update_window_dims = array<i64>} : (tensor<5xf32>, tensor<2x1xi32>, tensor<2xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// CHECK-LABEL: func.func private @scatter_mul_f_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<5xf32>, %[[I:.*]]: tensor<2x1xi32>, %[[U:.*]]: tensor<2xf32>, %[[TX:.*]]: tensor<5xf32>, %[[TU:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[Y:.*]] = "plait.scatter_mul"(%[[X]], %[[I]], %[[U]])
// CHECK-NEXT: %[[DX:.*]] = "plait.scatter_mul"(%[[TX]], %[[I]], %[[U]])
// CHECK-NEXT: %[[Z:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<5xf32>}
// CHECK-NEXT: %[[S:.*]] = "plait.scatter"(%[[Z]], %[[I]], %[[TU]]) {{{.*}}mode = "add"
// CHECK-NEXT: %[[DU:.*]] = "plait.mul"(%[[X]], %[[S]])
// CHECK-NEXT: %[[T:.*]] = "plait.add"(%[[DX]], %[[DU]])
// CHECK-NEXT: return %[[Y]], %[[T]]

// -----

func.func @reduce(%x: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @reduce_f, diff_args = array<i64: 0>} : (tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2xf32>
}
func.func private @reduce_f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %one = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %0 = "plait.reduce"(%x, %one) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %m = "plait.mul"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%m) : (tensor<f32>) -> ()
  }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// CHECK-LABEL: func.func private @reduce_f_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[T:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[ONE:.*]] = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>}
// CHECK-NEXT: %[[ZERO:.*]] = "plait.constant"() {value = dense<0.000000e+00> : tensor<f32>}
// CHECK-NEXT: %[[R:.*]]:2 = "plait.reduce"(%[[X]], %[[T]], %[[ONE]], %[[ZERO]]) ({
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<f32>, %[[TA:.*]]: tensor<f32>, %[[B:.*]]: tensor<f32>, %[[TB:.*]]: tensor<f32>):
// CHECK-NEXT: %[[P:.*]] = "plait.mul"(%[[A]], %[[B]])
// CHECK-NEXT: %[[L:.*]] = "plait.mul"(%[[TA]], %[[B]])
// CHECK-NEXT: %[[M:.*]] = "plait.mul"(%[[A]], %[[TB]])
// CHECK-NEXT: %[[S:.*]] = "plait.add"(%[[L]], %[[M]])
// CHECK-NEXT: "plait.yield"(%[[P]], %[[S]])
// CHECK-NEXT: }) {dimensions = array<i64: 1>}
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1

// -----

func.func @pmax(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @pmax_f, diff_args = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}
func.func private @pmax_f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.pmax"(%x) {axis_name = "i"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @pmax_f_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[Y:.*]] = "plait.pmax"(%[[X]]) {axis_name = "i"}
// CHECK-NEXT: %[[EQ:.*]] = "plait.compare"(%[[X]], %[[Y]]) {direction = "EQ"}
// CHECK-NEXT: %[[HIT:.*]] = "plait.convert"(%[[EQ]]) {new_dtype = f32}
// CHECK-NEXT: %[[TH:.*]] = "plait.mul"(%[[T]], %[[HIT]])
// CHECK-NEXT: %[[NUM:.*]] = "plait.psum"(%[[TH]]) {axis_name = "i"}
// CHECK-NEXT: %[[DEN:.*]] = "plait.psum"(%[[HIT]]) {axis_name = "i"}
// CHECK-NEXT: %[[DY:.*]] = "plait.div"(%[[NUM]], %[[DEN]])
// CHECK-NEXT: return %[[Y]], %[[DY]]
