// RUN: plait-opt %s --plait-lower-to-stablehlo | filecheck %s
// RUN: plait-opt %s --pass-pipeline='builtin.module(plait-lower-to-stablehlo{platform=cuda})' | filecheck %s --check-prefix=CUDA

// Decompositions become the custom calls jaxlib registers: LAPACK's typed FFI kernels on CPU
// (target by dtype: s/d/c/z), cuSOLVER's on CUDA. Matrices are column-major (minor_to_major
// [r-2, r-1, r-3, ..., 0]), other operands row-major; leading dimensions are batch dimensions.
// The module lists the targets it calls (the runtime prepares LAPACK before running it).

// CHECK: module attributes {plait.custom_call_targets = ["lapack_cheevd_ffi", "lapack_dgesdd_ffi", "lapack_dgetrf_ffi", "lapack_spotrf_ffi", "lapack_ztrsm_ffi"]}
// CUDA: module attributes {plait.custom_call_targets = ["cu_lu_pivots_to_permutation", "cusolver_gesvdj_ffi", "cusolver_getrf_ffi", "cusolver_potrf_ffi", "cusolver_syevd_ffi"]}

// Cholesky: potrf ('L' = 76), then NaN where info != 0, then the lower triangle.
// CHECK-LABEL: @cholesky
// CHECK-NEXT: %[[F:.*]]:2 = stablehlo.custom_call @lapack_spotrf_ffi(%arg0) {api_version = 4 : i32, backend_config = {uplo = 76 : ui8}, mhlo.frontend_attributes = {num_batch_dims = "1"}, operand_layouts = [dense<[1, 2, 0]> : tensor<3xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [0], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[1, 2, 0]> : tensor<3xindex>, dense<0> : tensor<1xindex>]} : (tensor<2x3x3xf32>) -> (tensor<2x3x3xf32>, tensor<2xi32>)
// CHECK: %[[OK:.*]] = stablehlo.compare EQ, %[[F]]#1, %{{.*}}, SIGNED : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi1>
// CHECK: %[[MASK:.*]] = stablehlo.broadcast_in_dim %[[OK]], dims = [0] : (tensor<2xi1>) -> tensor<2x3x3xi1>
// CHECK: %[[NAN:.*]] = stablehlo.constant dense<0x7FC00000> : tensor<2x3x3xf32>
// CHECK: %[[L:.*]] = stablehlo.select %[[MASK]], %[[F]]#0, %[[NAN]]
// CHECK: stablehlo.compare GE
// CHECK: %[[TRIL:.*]] = stablehlo.select %{{.*}}, %[[L]], %{{.*}} : tensor<2x3x3xi1>, tensor<2x3x3xf32>
// CHECK: return %[[TRIL]]
// CUDA-LABEL: @cholesky
// CUDA-NEXT: stablehlo.custom_call @cusolver_potrf_ffi(%arg0) {api_version = 4 : i32, backend_config = {lower = true}, mhlo.frontend_attributes = {num_batch_dims = "1"}, operand_layouts = [dense<[1, 2, 0]> : tensor<3xindex>]
func.func @cholesky(%a: tensor<2x3x3xf32>) -> tensor<2x3x3xf32> {
  %0 = "plait.cholesky"(%a) : (tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}

// A left solve with the adjoint ('C' = 67) of a lower matrix; b is aliased to the result. On
// CUDA, stablehlo.triangular_solve.
// CHECK-LABEL: @triangular_solve
// CHECK-NEXT: %[[X:.*]] = stablehlo.custom_call @lapack_ztrsm_ffi(%arg0, %arg1) {api_version = 4 : i32, backend_config = {diag = 78 : ui8, side = 76 : ui8, trans_x = 67 : ui8, uplo = 76 : ui8}, mhlo.frontend_attributes = {num_batch_dims = "1"}, operand_layouts = [dense<[1, 2, 0]> : tensor<3xindex>, dense<[1, 2, 0]> : tensor<3xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [], operand_index = 1, operand_tuple_indices = []>], result_layouts = [dense<[1, 2, 0]> : tensor<3xindex>]} : (tensor<2x3x3xcomplex<f64>>, tensor<2x3x4xcomplex<f64>>) -> tensor<2x3x4xcomplex<f64>>
// CHECK-NEXT: return %[[X]]
// CUDA-LABEL: @triangular_solve
// CUDA-NEXT: "stablehlo.triangular_solve"(%arg0, %arg1) <{left_side = true, lower = true, transpose_a = #stablehlo<transpose ADJOINT>, unit_diagonal = false}>
func.func @triangular_solve(%a: tensor<2x3x3xcomplex<f64>>, %b: tensor<2x3x4xcomplex<f64>>) -> tensor<2x3x4xcomplex<f64>> {
  %0 = "plait.triangular_solve"(%a, %b) {conjugate_a = true, left_side = true, lower = true, transpose_a = true, unit_diagonal = false} : (tensor<2x3x3xcomplex<f64>>, tensor<2x3x4xcomplex<f64>>) -> tensor<2x3x4xcomplex<f64>>
  return %0 : tensor<2x3x4xcomplex<f64>>
}

// LU of a wide matrix: getrf's 1-based pivots become 0-based; NaN only where info < 0; the
// permutation is a while loop of swaps on CPU, a custom call on CUDA.
// CHECK-LABEL: @lu
// CHECK-NEXT: %[[F:.*]]:3 = stablehlo.custom_call @lapack_dgetrf_ffi(%arg0) {api_version = 4 : i32, backend_config = {}, mhlo.frontend_attributes = {num_batch_dims = "0"}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [0], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<0> : tensor<1xindex>, dense<> : tensor<0xindex>]} : (tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3xi32>, tensor<i32>)
// CHECK: %[[PIV:.*]] = stablehlo.subtract %[[F]]#1, %{{.*}} : tensor<3xi32>
// CHECK: stablehlo.compare GE, %[[F]]#2
// CHECK: %[[LU:.*]] = stablehlo.select
// CHECK: %[[PERM:.*]]:3 = stablehlo.while
// CHECK: return %[[LU]], %[[PIV]], %[[PERM]]#1
// CUDA-LABEL: @lu
// CUDA-NEXT: stablehlo.custom_call @cusolver_getrf_ffi(%arg0)
// CUDA: stablehlo.custom_call @cu_lu_pivots_to_permutation(%{{.*}}) {api_version = 4 : i32, backend_config = {}, mhlo.frontend_attributes = {num_batch_dims = "0"}, operand_layouts = [dense<0> : tensor<1xindex>], result_layouts = [dense<0> : tensor<1xindex>]} : (tensor<3xi32>) -> tensor<3xi32>
func.func @lu(%a: tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3xi32>, tensor<3xi32>) {
  %0:3 = "plait.lu"(%a) : (tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3xi32>, tensor<3xi32>)
  return %0#0, %0#1, %0#2 : tensor<3x4xf64>, tensor<3xi32>, tensor<3xi32>
}

// Hermitian eigendecomposition: heevd with vectors ('V' = 86); a failure is a complex NaN.
// CHECK-LABEL: @eigh
// CHECK-NEXT: %[[F:.*]]:3 = stablehlo.custom_call @lapack_cheevd_ffi(%arg0) {api_version = 4 : i32, backend_config = {mode = 86 : ui8, uplo = 76 : ui8}, mhlo.frontend_attributes = {num_batch_dims = "0"}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [0], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<0> : tensor<1xindex>, dense<> : tensor<0xindex>]} : (tensor<4x4xcomplex<f32>>) -> (tensor<4x4xcomplex<f32>>, tensor<4xf32>, tensor<i32>)
// CHECK: stablehlo.complex %{{.*}}, %{{.*}} : tensor<4x4xcomplex<f32>>
// CUDA-LABEL: @eigh
// CUDA-NEXT: stablehlo.custom_call @cusolver_syevd_ffi(%arg0) {api_version = 4 : i32, backend_config = {algorithm = 0 : ui8, lower = true}
func.func @eigh(%a: tensor<4x4xcomplex<f32>>) -> (tensor<4x4xcomplex<f32>>, tensor<4xf32>) {
  %0:2 = "plait.eigh"(%a) {lower = true, sort_eigenvalues = true} : (tensor<4x4xcomplex<f32>>) -> (tensor<4x4xcomplex<f32>>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4x4xcomplex<f32>>, tensor<4xf32>
}

// Singular values only: gesdd without vectors ('N' = 78); gesvdj on CUDA.
// CHECK-LABEL: @svd
// CHECK-NEXT: %[[F:.*]]:5 = stablehlo.custom_call @lapack_dgesdd_ffi(%arg0) {api_version = 4 : i32, backend_config = {mode = 78 : ui8}, mhlo.frontend_attributes = {num_batch_dims = "1"}
// CHECK-SAME: result_layouts = [dense<[1, 2, 0]> : tensor<3xindex>, dense<[1, 0]> : tensor<2xindex>, dense<[1, 2, 0]> : tensor<3xindex>, dense<[1, 2, 0]> : tensor<3xindex>, dense<0> : tensor<1xindex>]
// CHECK: stablehlo.select %{{.*}}, %[[F]]#1, %{{.*}} : tensor<2x3xi1>, tensor<2x3xf64>
// CUDA-LABEL: @svd
// CUDA-NEXT: stablehlo.custom_call @cusolver_gesvdj_ffi(%arg0) {api_version = 4 : i32, backend_config = {compute_uv = false, full_matrices = true}
func.func @svd(%a: tensor<2x5x3xf64>) -> tensor<2x3xf64> {
  %0 = "plait.svd"(%a) {algorithm = "default", compute_uv = false, full_matrices = true} : (tensor<2x5x3xf64>) -> tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// FFTs are stablehlo.fft on every platform.
// CHECK-LABEL: @fft
// CHECK-NEXT: %[[Y:.*]] = stablehlo.fft %arg0, type = RFFT, length = [4] : (tensor<5x4xf32>) -> tensor<5x3xcomplex<f32>>
// CHECK-NEXT: return %[[Y]]
// CUDA-LABEL: @fft
// CUDA-NEXT: stablehlo.fft %arg0, type = RFFT, length = [4]
func.func @fft(%x: tensor<5x4xf32>) -> tensor<5x3xcomplex<f32>> {
  %0 = "plait.fft"(%x) {fft_lengths = array<i64: 4>, fft_type = "RFFT"} : (tensor<5x4xf32>) -> tensor<5x3xcomplex<f32>>
  return %0 : tensor<5x3xcomplex<f32>>
}
