// RUN: plait-opt %s --plait-lower-to-stablehlo | filecheck %s

// The StableHLO of the convolution and window ops, one function per kind.

// CHECK-LABEL: @conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>, %[[W:.*]]: tensor<3x2x2x2xf32>)
// CHECK-NEXT: %[[Y:.*]] = stablehlo.convolution(%[[X]], %[[W]]) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {stride = [2, 1], pad = {{\[}}[1, 0], [0, 1]], lhs_dilate = [1, 1], rhs_dilate = [1, 1]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @conv(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32> {
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 2, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x2x4xf32>
  return %0 : tensor<1x3x2x4xf32>
}

// Layouts become dimension numbers; preferred_element_type is the result type.
// CHECK-LABEL: @conv_nhwc_groups
// CHECK-NEXT: stablehlo.convolution(%{{.*}}, %{{.*}}) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, f, 0, 1], window = {stride = [1, 1], pad = {{\[}}[1, 1], [0, 0]], lhs_dilate = [1, 1], rhs_dilate = [1, 2]} {batch_group_count = 1 : i64, feature_group_count = 2 : i64} : (tensor<2x5x4x4xbf16>, tensor<2x2x2x6xbf16>) -> tensor<2x6x6x2xf32>
func.func @conv_nhwc_groups(%x: tensor<2x5x4x4xbf16>, %w: tensor<2x2x2x6xbf16>) -> tensor<2x6x6x2xf32> {
  %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 2 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 3, 1, 2>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 1, 0>, padding_low = array<i64: 1, 0>, rhs_dilation = array<i64: 1, 2>, rhs_spec = array<i64: 3, 2, 0, 1>, window_strides = array<i64: 1, 1>, preferred_element_type = f32} : (tensor<2x5x4x4xbf16>, tensor<2x2x2x6xbf16>) -> tensor<2x6x6x2xf32>
  return %0 : tensor<2x6x6x2xf32>
}

// The monoids are stablehlo.reduce_window with their identity as init value and body.
// CHECK-LABEL: @pools
// CHECK-NEXT: %[[ZERO:.*]] = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: "stablehlo.reduce_window"(%{{.*}}, %[[ZERO]]) <{base_dilations = array<i64: 1, 1>, padding = dense<{{\[}}[0, 0], [0, 1]]> : tensor<2x2xi64>, window_dilations = array<i64: 1, 1>, window_dimensions = array<i64: 1, 3>, window_strides = array<i64: 1, 2>}>
// CHECK: stablehlo.add
// CHECK: %[[NEG_INF:.*]] = stablehlo.constant dense<0xFF800000> : tensor<f32>
// CHECK-NEXT: "stablehlo.reduce_window"(%{{.*}}, %[[NEG_INF]])
// CHECK: stablehlo.maximum
// CHECK: %[[INF:.*]] = stablehlo.constant dense<0x7F800000> : tensor<f32>
// CHECK-NEXT: "stablehlo.reduce_window"(%{{.*}}, %[[INF]]) <{base_dilations = array<i64: 1, 2>, padding = dense<0> : tensor<2x2xi64>, window_dilations = array<i64: 1, 2>
// CHECK: stablehlo.minimum
// CHECK: -> tensor<3x3xf32>
func.func @pools(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x3xf32>) {
  %0 = "plait.reduce_window_sum"(%x) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 1>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 3>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x2xf32>
  %1 = "plait.reduce_window_max"(%x) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x2xf32>
  %2 = "plait.reduce_window_min"(%x) {base_dilation = array<i64: 1, 2>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 2>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x3xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x3xf32>
}

// A region body is moved into the stablehlo.reduce_window and lowered there.
// CHECK-LABEL: @generic
// CHECK-NEXT: %[[ONE:.*]] = stablehlo.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: "stablehlo.reduce_window"(%{{.*}}, %[[ONE]])
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<f32>, %[[B:.*]]: tensor<f32>):
// CHECK-NEXT: %[[M:.*]] = stablehlo.multiply %[[A]], %[[B]] : tensor<f32>
// CHECK-NEXT: stablehlo.return %[[M]]
func.func @generic(%x: tensor<3x4xf32>) -> tensor<3x3xf32> {
  %one = "plait.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %0 = "plait.reduce_window"(%x, %one) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %m = "plait.mul"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "plait.yield"(%m) : (tensor<f32>) -> ()
  }) {base_dilation = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 1>} : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// select_and_gather_add is a reduce_window over (x, t) pairs; select_and_scatter_add is
// XLA's select_and_scatter on x padded with the identity, cropped back after (no pad when
// there is no padding).
// CHECK-LABEL: @select
// CHECK-SAME: (%[[T:.*]]: tensor<3x4xf32>, %[[X:.*]]: tensor<3x4xf32>, %[[S:.*]]: tensor<3x2xf32>, %[[SP:.*]]: tensor<3x3xf32>)
// CHECK: %[[G:.*]]:2 = "stablehlo.reduce_window"(%[[X]], %[[T]], %{{.*}}, %{{.*}})
// CHECK: stablehlo.compare GE
// CHECK: %[[U:.*]] = "stablehlo.select_and_scatter"(%[[X]], %[[S]], %{{.*}})
// CHECK: stablehlo.compare LE
// CHECK: stablehlo.add
// CHECK: %[[P:.*]] = stablehlo.pad %[[X]], %{{.*}}, low = [0, 1], high = [0, 1], interior = [0, 0] : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x6xf32>
// CHECK: %[[V:.*]] = "stablehlo.select_and_scatter"(%[[P]], %[[SP]], %{{.*}})
// CHECK: %[[C:.*]] = stablehlo.pad %[[V]], %{{.*}}, low = [0, -1], high = [0, -1], interior = [0, 0] : (tensor<3x6xf32>, tensor<f32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[G]]#1, %[[U]], %[[C]]
func.func @select(%t: tensor<3x4xf32>, %x: tensor<3x4xf32>, %s: tensor<3x2xf32>, %sp: tensor<3x3xf32>) -> (tensor<3x2xf32>, tensor<3x4xf32>, tensor<3x4xf32>) {
  %0 = "plait.select_and_gather_add"(%t, %x) {base_dilation = array<i64: 1, 1>, direction = "GE", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dilation = array<i64: 1, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x2xf32>
  %1 = "plait.select_and_scatter_add"(%s, %x) {direction = "LE", padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %2 = "plait.select_and_scatter_add"(%sp, %x) {direction = "GE", padding_high = array<i64: 0, 1>, padding_low = array<i64: 0, 1>, window_dimensions = array<i64: 1, 2>, window_strides = array<i64: 1, 2>} : (tensor<3x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<3x4xf32>, tensor<3x4xf32>
}

// A cumulative reduction is a reduce_window over the whole axis, padded by n - 1 before it
// (after it when reversed).
// CHECK-LABEL: @cumulative
// CHECK: "stablehlo.reduce_window"{{.*}}padding = dense<{{\[}}[0, 0], [3, 0]]> : tensor<2x2xi64>{{.*}}window_dimensions = array<i64: 1, 4>
// CHECK: stablehlo.multiply
// CHECK: "stablehlo.reduce_window"{{.*}}padding = dense<{{\[}}[0, 2], [0, 0]]> : tensor<2x2xi64>{{.*}}window_dimensions = array<i64: 3, 1>
// CHECK: stablehlo.maximum
// CHECK: "stablehlo.reduce_window"{{.*}}window_dimensions = array<i64: 1, 4>
// CHECK: stablehlo.log_plus_one
func.func @cumulative(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) {
  %0 = "plait.cumprod"(%x) {axis = 1 : i64, reverse = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %1 = "plait.cummax"(%x) {axis = 0 : i64, reverse = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %2 = "plait.cumlogsumexp"(%x) {axis = 1 : i64, reverse = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0, %1, %2 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>
}
