// RUN: plait-opt %s --split-input-file --verify-diagnostics

// Each case is one convolution or window op that plait-verify must reject, with the error at
// that op's line: groups that do not divide, a window larger than the padded input, unequal
// dtypes, a narrower preferred_element_type, specs that are no permutation, wrong attribute
// lengths, a body or init value of the wrong type, a select_and_scatter_add source that does
// not match the windows, a cumulative axis out of range.

func.func @conv_feature_groups(%x: tensor<2x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x3x3xf32> {
  // expected-error@+1 {{plait.conv_general_dilated: feature_group_count 3 does not divide the lhs feature dimension (4)}}
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 3 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<2x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x3x3xf32>
  return %0 : tensor<2x6x3x3xf32>
}

// -----

func.func @conv_batch_groups(%x: tensor<3x4x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32> {
  // expected-error@+1 {{plait.conv_general_dilated: batch_group_count 2 does not divide the lhs batch dimension (3)}}
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 2 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<3x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

func.func @conv_window(%x: tensor<2x4x5x2xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<2x6x3x1xf32> {
  // expected-error@+1 {{plait.conv_general_dilated: the window (3 with dilation) is larger than the padded lhs spatial (2)}}
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<2x4x5x2xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x3x1xf32>
  return %0 : tensor<2x6x3x1xf32>
}

// -----

func.func @conv_dtypes(%x: tensor<2x4x5x5xf32>, %w: tensor<6x4x3x3xf16>) -> tensor<2x6x3x3xf32> {
  // expected-error@+1 {{plait.conv_general_dilated: lhs and rhs must have equal dtypes, got float32 and float16}}
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<2x4x5x5xf32>, tensor<6x4x3x3xf16>) -> tensor<2x6x3x3xf32>
  return %0 : tensor<2x6x3x3xf32>
}

// -----

func.func @conv_preferred(%x: tensor<2x4x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<2x6x3x3xf16> {
  // expected-error@+1 {{plait.conv_general_dilated: preferred_element_type float16 is narrower than float32}}
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, preferred_element_type = f16, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<2x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x3x3xf16>
  return %0 : tensor<2x6x3x3xf16>
}

// -----

func.func @conv_spec(%x: tensor<2x4x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<2x6x3x3xf32> {
  // expected-error@+1 {{plait.conv_general_dilated: lhs_spec (0, 1, 2, 2) must be a permutation of the 4 dimensions of its array}}
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 2>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<2x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x3x3xf32>
  return %0 : tensor<2x6x3x3xf32>
}

// -----

func.func @conv_result(%x: tensor<2x4x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<2x6x5x5xf32> {
  // expected-error@+1 {{'plait.conv_general_dilated' result types (tensor<2x6x5x5xf32>) do not match the inferred (tensor<2x6x3x3xf32>)}}
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<2x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x5x5xf32>
  return %0 : tensor<2x6x5x5xf32>
}

// -----

func.func @pool_window(%x: tensor<4x5xf32>) -> tensor<1x4xf32> {
  // expected-error@+1 {{plait.reduce_window_max: the window (5 with dilation) is larger than the padded operand (4)}}
  %0 = "plait.reduce_window_max"(%x) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 5, 2>, window_strides = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @pool_stride(%x: tensor<4x5xf32>) -> tensor<3x4xf32> {
  // expected-error@+1 {{plait.reduce_window_sum: window_strides (0, 1) must be positive}}
  %0 = "plait.reduce_window_sum"(%x) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 0, 1>} : (tensor<4x5xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @pool_rank(%x: tensor<4x5xf32>) -> tensor<3x4xf32> {
  // expected-error@+1 {{plait.reduce_window_min: padding_low (0,) needs one entry per operand dimension (2)}}
  %0 = "plait.reduce_window_min"(%x) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @generic_body(%x: tensor<4x5xf32>) -> tensor<3x4xf32> {
  %one = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  // expected-error@+1 {{plait.reduce_window: the body yields (tensor<f64>) but must yield (tensor<f32>)}}
  %0 = "plait.reduce_window"(%x, %one) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %c = "plait.convert"(%a) {new_dtype = f64} : (tensor<f32>) -> tensor<f64>
    "plait.yield"(%c) : (tensor<f64>) -> ()
  }) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 1, 1>} : (tensor<4x5xf32>, tensor<f32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @generic_init(%x: tensor<4x5xf32>, %init: tensor<2xf32>) -> tensor<3x4xf32> {
  // expected-error@+1 {{plait.reduce_window: initial values must be scalars of their array's dtype, got float32[2] for float32[4,5]}}
  %0 = "plait.reduce_window"(%x, %init) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    "plait.yield"(%a) : (tensor<f32>) -> ()
  }) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 1, 1>} : (tensor<4x5xf32>, tensor<2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @scatter_source(%s: tensor<3x3xf32>, %x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error@+1 {{plait.select_and_scatter_add: source shape (3, 3) differs from the shape of x's windows (2, 2)}}
  %0 = "plait.select_and_scatter_add"(%s, %x) {direction = "GE", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 2, 2>} : (tensor<3x3xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @gather_direction(%t: tensor<4x4xf32>, %x: tensor<4x4xf32>) -> tensor<2x2xf32> {
  // expected-error@+1 {{'plait.select_and_gather_add' attribute 'direction' expected one of GE, LE, got 'GT'}}
  %0 = "plait.select_and_gather_add"(%t, %x) {base_dilation = array<i64: 1, 1>, direction = "GT", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 2, 2>} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @cumulative_axis(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  // expected-error@+1 {{plait.cumprod: axis 2 out of range for rank 2}}
  %0 = "plait.cumprod"(%x) {axis = 2 : i64, reverse = false} : (tensor<4x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @cumlogsumexp_int(%x: tensor<4x5xi32>) -> tensor<4x5xi32> {
  // expected-error@+1 {{plait.cumlogsumexp takes floating operands, got int32}}
  %0 = "plait.cumlogsumexp"(%x) {axis = 0 : i64, reverse = false} : (tensor<4x5xi32>) -> tensor<4x5xi32>
  return %0 : tensor<4x5xi32>
}
