// RUN: %roundtrip
// RUN: plait-opt %s | filecheck %s

// Valid IR for the convolution and window ops: plait-verify (which plait-opt runs first)
// accepts it, and it prints in generic form, attributes sorted, and parses back to the same
// text.

// CHECK-LABEL: @conv
// CHECK: "plait.conv_general_dilated"(%{{[^ ]+}}, %{{[^ ]+}}) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 2, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32>
func.func @conv(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32> {
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 2, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32>
  return %0 : tensor<1x3x2x4xf32>
}

// CHECK-LABEL: @conv_nhwc_groups
// CHECK: "plait.conv_general_dilated"(%{{[^ ]+}}, %{{[^ ]+}}) {batch_group_count = 1 : i64, feature_group_count = 2 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 3, 1, 2>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 1, 0>, padding_low = array<i64: 1, 0>, preferred_element_type = f32, rhs_dilation = array<i64: 1, 2>, rhs_spec = array<i64: 3, 2, 0, 1>, window_strides = array<i64: 1, 1>} : (tensor<2x5x4x4xbf16>, tensor<2x2x2x6xbf16>) -> tensor<2x6x6x2xf32>
func.func @conv_nhwc_groups(%x: tensor<2x5x4x4xbf16>, %w: tensor<2x2x2x6xbf16>) -> tensor<2x6x6x2xf32> {
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 2 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 3, 1, 2>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 1, 0>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 2>, rhs_spec = array<i64: 3, 2, 0, 1>, window_strides = array<i64: 1, 1>, preferred_element_type = f32} : (tensor<2x5x4x4xbf16>, tensor<2x2x2x6xbf16>) -> tensor<2x6x6x2xf32>
  return %0 : tensor<2x6x6x2xf32>
}

// CHECK-LABEL: @pools
// CHECK: "plait.reduce_window_sum"(%{{[^ ]+}}) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 3>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x2xf32>
// CHECK: "plait.reduce_window_max"(%{{[^ ]+}}) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x2xf32>
// CHECK: "plait.reduce_window_min"(%{{[^ ]+}}) {base_dilation = array<i64: 1, 2>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 2>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x3xf32>
func.func @pools(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x3xf32>) {
  %0 = "plait.reduce_window_sum"(%x) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 3>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x2xf32>
  %1 = "plait.reduce_window_max"(%x) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x2xf32>
  %2 = "plait.reduce_window_min"(%x) {base_dilation = array<i64: 1, 2>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 2>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x3xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x3xf32>
}

// CHECK-LABEL: @generic
// CHECK: "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
// CHECK: "plait.reduce_window"(%{{[^ ]+}}, %{{[^ ]+}}) ({
// CHECK: "plait.mul"(%{{[^ ]+}}, %{{[^ ]+}}) : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK: "plait.yield"(%{{[^ ]+}}) : (tensor<f32>) -> ()
func.func @generic(%x: tensor<3x4xf32>) -> tensor<3x3xf32> {
  %one = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %0 = "plait.reduce_window"(%x, %one) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %m = "plait.mul"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%m) : (tensor<f32>) -> ()
  }) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 1>} : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// CHECK-LABEL: @select
// CHECK: "plait.select_and_gather_add"(%{{[^ ]+}}, %{{[^ ]+}}) {base_dilation = array<i64: 1, 1>, direction = "GE", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x2xf32>
// CHECK: "plait.select_and_scatter_add"(%{{[^ ]+}}, %{{[^ ]+}}) {direction = "LE", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK: "plait.select_and_scatter_add"(%{{[^ ]+}}, %{{[^ ]+}}) {direction = "GE", padding_high = array<i64: 0, 1>, padding_low = array<i64: 0, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
func.func @select(%t: tensor<3x4xf32>, %x: tensor<3x4xf32>, %s: tensor<3x2xf32>, %sp: tensor<3x3xf32>) -> (tensor<3x2xf32>, tensor<3x4xf32>, tensor<3x4xf32>) {
  %0 = "plait.select_and_gather_add"(%t, %x) {base_dilation = array<i64: 1, 1>, direction = "GE", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x2xf32>
  %1 = "plait.select_and_scatter_add"(%s, %x) {direction = "LE", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %2 = "plait.select_and_scatter_add"(%sp, %x) {direction = "GE", padding_high = array<i64: 0, 1>, padding_low = array<i64: 0, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<3x4xf32>, tensor<3x4xf32>
}

// CHECK-LABEL: @cumulative
// CHECK: "plait.cumprod"(%{{[^ ]+}}) {axis = 1 : i64, reverse = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK: "plait.cummax"(%{{[^ ]+}}) {axis = 0 : i64, reverse = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK: "plait.cumlogsumexp"(%{{[^ ]+}}) {axis = 1 : i64, reverse = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
func.func @cumulative(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) {
  %0 = "plait.cumprod"(%x) {axis = 1 : i64, reverse = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %1 = "plait.cummax"(%x) {axis = 0 : i64, reverse = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %2 = "plait.cumlogsumexp"(%x) {axis = 1 : i64, reverse = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0, %1, %2 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>
}

// CHECK-LABEL: @variadic
// CHECK: "plait.constant"() {value = dense<0xFF800000> : tensor<f32>} : () -> tensor<f32>
// CHECK: "plait.constant"() {value = dense<-1> : tensor<i32>} : () -> tensor<i32>
// CHECK: "plait.reduce_window"(%{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}) ({
// CHECK: "plait.compare"(%{{[^ ]+}}, %{{[^ ]+}}) {direction = "GE"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK: "plait.select"(%{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}) : (tensor<i1>, tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK: "plait.select"(%{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}) : (tensor<i1>, tensor<i32>, tensor<i32>) -> tensor<i32>
// CHECK: "plait.yield"(%{{[^ ]+}}, %{{[^ ]+}}) : (tensor<f32>, tensor<i32>) -> ()
func.func @variadic(%x: tensor<4x4xf32>, %i: tensor<4x4xi32>) -> (tensor<2x2xf32>, tensor<2x2xi32>) {
  %ninf = "plait.constant"() {value = dense<0xFF800000> : tensor<f32>} : () -> tensor<f32>
  %none = "plait.constant"() {value = dense<-1> : tensor<i32>} : () -> tensor<i32>
  %0:2 = "plait.reduce_window"(%x, %i, %ninf, %none) ({
  ^bb0(%a: tensor<f32>, %ai: tensor<i32>, %b: tensor<f32>, %bi: tensor<i32>):
    %p = "plait.compare"(%a, %b) {direction = "GE"} : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %v = "plait.select"(%p, %a, %b) : (tensor<i1>, tensor<f32>, tensor<f32>) -> tensor<f32>
    %j = "plait.select"(%p, %ai, %bi) : (tensor<i1>, tensor<i32>, tensor<i32>) -> tensor<i32>
    "plait.yield"(%v, %j) : (tensor<f32>, tensor<i32>) -> ()
  }) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 2, 2>} : (tensor<4x4xf32>, tensor<4x4xi32>, tensor<f32>, tensor<i32>) -> (tensor<2x2xf32>, tensor<2x2xi32>)
  return %0#0, %0#1 : tensor<2x2xf32>, tensor<2x2xi32>
}

// CHECK-LABEL: @integer
// CHECK: "plait.conv_general_dilated"(%{{[^ ]+}}, %{{[^ ]+}}) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1>, lhs_spec = array<i64: 0, 1, 2>, out_spec = array<i64: 0, 1, 2>, padding_high = array<i64: 0>, padding_low = array<i64: 0>, preferred_element_type = i32, rhs_dilation = array<i64: 1>, rhs_spec = array<i64: 0, 1, 2>, window_strides = array<i64: 1>} : (tensor<2x3x5xi8>, tensor<4x3x2xi8>) -> tensor<2x4x4xi32>
// CHECK: "plait.cummin"(%{{[^ ]+}}) {axis = 0 : i64, reverse = true} : (tensor<5xi32>) -> tensor<5xi32>
func.func @integer(%x: tensor<2x3x5xi8>, %w: tensor<4x3x2xi8>, %y: tensor<5xi32>) -> (tensor<2x4x4xi32>, tensor<5xi32>) {
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1>, lhs_spec = array<i64: 0, 1, 2>, out_spec = array<i64: 0, 1, 2>, padding_high = array<i64: 0>, padding_low = array<i64: 0>, rhs_dilation = array<i64: 1>, rhs_spec = array<i64: 0, 1, 2>, window_strides = array<i64: 1>, preferred_element_type = i32} : (tensor<2x3x5xi8>, tensor<4x3x2xi8>) -> tensor<2x4x4xi32>
  %1 = "plait.cummin"(%y) {axis = 0 : i64, reverse = true} : (tensor<5xi32>) -> tensor<5xi32>
  return %0, %1 : tensor<2x4x4xi32>, tensor<5xi32>
}
