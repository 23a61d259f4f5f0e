// RUN: plait-opt %s --plait-raise-stablehlo --split-input-file --verify-diagnostics

// An op plait has no op for is an error at that op, naming it (never a silent drop).
func.func @custom_call(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{plait-raise-stablehlo: cannot raise 'stablehlo.custom_call' @my_kernel: plait has no op for it}}
  %0 = stablehlo.custom_call @my_kernel(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Inside a region too.
func.func @in_a_branch(%p: tensor<i1>, %x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = "stablehlo.if"(%p) ({
    // expected-error@+1 {{cannot raise 'stablehlo.cholesky'}}
    %1 = stablehlo.cholesky %x, lower = true : tensor<4x4xf32>
    stablehlo.return %1 : tensor<4x4xf32>
  }, {
    stablehlo.return %x : tensor<4x4xf32>
  }) : (tensor<i1>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// A reduction whose body is no combiner plait reduces with.
func.func @reduce_subtract(%x: tensor<4xf32>) -> tensor<f32> {
  %zero = stablehlo.constant dense<0.000000e+00> : tensor<f32>
  // expected-error@+1 {{cannot raise this 'stablehlo.reduce': its body is not one plait reduces with}}
  %0 = stablehlo.reduce(%x init: %zero) across dimensions = [0] : (tensor<4xf32>, tensor<f32>) -> tensor<f32>
   reducer(%a: tensor<f32>, %b: tensor<f32>)  {
    %1 = stablehlo.subtract %a, %b : tensor<f32>
    stablehlo.return %1 : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

// A sort by a comparator other than plait's less-than (here: descending).
func.func @sort_descending(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{cannot raise this 'stablehlo.sort': its comparator is not a lexicographic less-than}}
  %0 = "stablehlo.sort"(%x) <{dimension = 0 : i64, is_stable = true}> ({
  ^bb0(%a: tensor<i32>, %b: tensor<i32>):
    %1 = stablehlo.compare GT, %a, %b, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
    stablehlo.return %1 : tensor<i1>
  }) : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// A scatter that multiplies: plait.scatter sets or adds.
func.func @scatter_mul(%x: tensor<5xf32>, %i: tensor<2x1xi32>, %u: tensor<2xf32>) -> tensor<5xf32> {
  // expected-error@+1 {{cannot raise a 'stablehlo.scatter' whose update region is neither a replacement nor an addition}}
  %0 = "stablehlo.scatter"(%x, %i, %u) <{indices_are_sorted = false, scatter_dimension_numbers = #stablehlo.scatter<inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>, unique_indices = false}> ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %1 = stablehlo.multiply %a, %b : tensor<f32>
    stablehlo.return %1 : tensor<f32>
  }) : (tensor<5xf32>, tensor<2x1xi32>, tensor<2xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// A window reduction padded with something other than its combiner's identity.
func.func @window_init(%x: tensor<4xf32>) -> tensor<3xf32> {
  %one = stablehlo.constant dense<1.000000e+00> : tensor<f32>
  // expected-error@+1 {{cannot raise this 'stablehlo.reduce_window'}}
  %0 = "stablehlo.reduce_window"(%x, %one) <{window_dimensions = array<i64: 2>}> ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %1 = stablehlo.add %a, %b : tensor<f32>
    stablehlo.return %1 : tensor<f32>
  }) : (tensor<4xf32>, tensor<f32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// An attribute the raised op would drop.
func.func @dropped_attribute(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{cannot raise 'stablehlo.sine' with attribute(s) my.flag}}
  %0 = stablehlo.sine %x {my.flag = true} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An upper Cholesky factor: plait.cholesky is lower.
func.func @upper_cholesky(%a: tensor<3x3xf32>) -> tensor<3x3xf32> {
  // expected-error@+1 {{only a lower Cholesky factor is raised}}
  %0:2 = stablehlo.custom_call @lapack_spotrf_ffi(%a) {mhlo.backend_config = {uplo = 85 : ui8}} : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<i32>)
  return %0#0 : tensor<3x3xf32>
}
