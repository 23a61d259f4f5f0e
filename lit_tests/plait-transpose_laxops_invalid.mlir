// RUN: plait-opt %s --plait-transpose --split-input-file --verify-diagnostics

// scatter_mul is linear in its operand alone: transposing it with respect to its updates is
// an error at the op.

func.func @scatter_mul_updates(%x: tensor<5xf32>, %idx: tensor<2x1xi32>, %ct: tensor<5xf32>) -> tensor<2xf32> {
  %0 = "plait.linear_transpose"(%x, %idx, %ct) {callee = @scatter_mul_lin, linear_args = array<i64: 2>} : (tensor<5xf32>, tensor<2x1xi32>, tensor<5xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func private @scatter_mul_lin(%x: tensor<5xf32>, %idx: tensor<2x1xi32>, %u: tensor<2xf32>) -> tensor<5xf32> {
  // expected-error@+1 {{cannot transpose 'plait.scatter_mul': plait.scatter_mul is not linear in operand 2}}
  %0 = "plait.scatter_mul"(%x, %idx, %u) {index_vector_dim = 1 : i64, input_batching_dims = array<i64>, inserted_window_dims = array<i64: 0>, scatter_dims_to_operand_dims = array<i64: 0>, scatter_indices_batching_dims = array<i64>, update_window_dims = array<i64>} : (tensor<5xf32>, tensor<2x1xi32>, tensor<2xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
