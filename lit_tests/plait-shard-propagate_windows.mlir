// RUN: plait-opt %s --plait-shard-propagate | filecheck %s

// Sharding propagation through the convolution and window ops.

module {
  sdy.mesh @mesh = <["x"=4, "y"=2]>

  // A convolution: the batch keeps the lhs batch's axes, the output features the kernel's
  // output features'; the spatial "y" of the lhs does not reach the result.
  // CHECK-LABEL: @conv
  // CHECK-SAME: -> (tensor<8x6x3x3xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}, {}, {}]>})
  // CHECK-NEXT: "plait.conv_general_dilated"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}, {}, {}]>]>
  func.func @conv(%x: tensor<8x2x4x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}, {"y"}, {}]>}, %w: tensor<6x2x2x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"y"}, {}, {}, {}]>}) -> tensor<8x6x3x3xf32> {
    %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<8x2x4x4xf32>, tensor<6x2x2x2xf32>) -> tensor<8x6x3x3xf32>
    return %0 : tensor<8x6x3x3xf32>
  }

  // From a sharded result back: the convolution takes the result's sharding.
  // CHECK-LABEL: @conv_backward
  // CHECK: "plait.conv_general_dilated"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}, {}, {}]>]>
  func.func @conv_backward(%x: tensor<8x2x4x4xf32>, %w: tensor<6x2x2x2xf32>) -> (tensor<8x6x3x3xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}, {}, {}]>}) {
    %0 = "plait.conv_general_dilated"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, rhs_dilation = array<i64: 1, 1>, rhs_spec = array<i64: 0, 1, 2, 3>, window_strides = array<i64: 1, 1>} : (tensor<8x2x4x4xf32>, tensor<6x2x2x2xf32>) -> tensor<8x6x3x3xf32>
    return %0 : tensor<8x6x3x3xf32>
  }

  // A window op keeps the axes of the dimensions it leaves alone (unit window, stride 1, no
  // padding or dilation), here the batch and, for the max pool, the rows.
  // CHECK-LABEL: @pool
  // CHECK-SAME: -> (tensor<8x4x3xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}, {}]>}, tensor<8x2x3xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}, {}]>})
  // CHECK-NEXT: "plait.reduce_window_max"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {"y"}, {}]>]>
  // CHECK-NEXT: "plait.reduce_window_sum"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}, {}]>]>
  func.func @pool(%x: tensor<8x4x6xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {"y"}, {}]>}) -> (tensor<8x4x3xf32>, tensor<8x2x3xf32>) {
    %0 = "plait.reduce_window_max"(%x) {base_dilation = array<i64: 1, 1, 1>, padding_high = array<i64: 0, 0, 0>, padding_low = array<i64: 0, 0, 0>, window_dilation = array<i64: 1, 1, 1>, window_dimensions = array<i64: 1, 1, 2>, window_strides = array<i64: 1, 1, 2>} : (tensor<8x4x6xf32>) -> tensor<8x4x3xf32>
    %1 = "plait.reduce_window_sum"(%x) {base_dilation = array<i64: 1, 1, 1>, padding_high = array<i64: 0, 0, 0>, padding_low = array<i64: 0, 0, 0>, window_dilation = array<i64: 1, 1, 1>, window_dimensions = array<i64: 1, 2, 2>, window_strides = array<i64: 1, 2, 2>} : (tensor<8x4x6xf32>) -> tensor<8x2x3xf32>
    return %0, %1 : tensor<8x4x3xf32>, tensor<8x2x3xf32>
  }

  // select_and_scatter_add's result is laid out as its operand x.
  // CHECK-LABEL: @scatter
  // CHECK-SAME: -> (tensor<8x4x6xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}, {}]>})
  // CHECK-NEXT: "plait.select_and_scatter_add"
  // CHECK-SAME: sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{"x"}, {}, {}]>]>
  func.func @scatter(%s: tensor<8x4x3xf32>, %x: tensor<8x4x6xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}, {}, {}]>}) -> tensor<8x4x6xf32> {
    %0 = "plait.select_and_scatter_add"(%s, %x) {direction = "GE", padding_high = array<i64: 0, 0, 0>, padding_low = array<i64: 0, 0, 0>, window_dimensions = array<i64: 1, 1, 2>, window_strides = array<i64: 1, 1, 2>} : (tensor<8x4x3xf32>, tensor<8x4x6xf32>) -> tensor<8x4x6xf32>
    return %0 : tensor<8x4x6xf32>
  }
}
