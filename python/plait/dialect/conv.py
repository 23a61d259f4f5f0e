"""conv_general_dilated: StableHLO's convolution, with jax's dimension numbers.

`lhs_spec` is (batch, feature, spatial...) of the input, `rhs_spec` (output feature, input
feature, spatial...) of the kernel, `out_spec` (batch, feature, spatial...) of the result,
spatial dimensions in the kernel's order. Its rules are in `rules/conv.py`.
"""

from __future__ import annotations

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import DType, Int, Ints, OpDef
from plait.dialect.elementwise import NUMERIC, _check_kind
from plait.dialect.traits import Linear, Pure
from plait.dialect.windows import window_shape

SPECS = ("lhs_spec", "rhs_spec", "out_spec")
_NAMES = ("kernel spatial dimensions", "window_strides", "padding_low", "padding_high",
          "lhs_dilation", "rhs_dilation")


def _err(op: OpDef, msg: str) -> PlaitTypeError:
    return PlaitTypeError(f"{op.name}: {msg}")


def _check_specs(op: OpDef, ndim: int, specs) -> None:
    for name, spec in zip(SPECS, specs):
        if sorted(spec) != list(range(ndim)):
            raise _err(op, f"{name} {tuple(spec)} must be a permutation of the {ndim} "
                           "dimensions of its array")


def _check_groups(op: OpDef, lhs, rhs, lhs_spec, rhs_spec, feature_group_count,
                  batch_group_count) -> None:
    fgc, bgc = feature_group_count, batch_group_count
    if fgc < 1 or bgc < 1:
        raise _err(op, f"feature_group_count ({fgc}) and batch_group_count ({bgc}) must be "
                       "positive")
    if fgc > 1 and bgc > 1:
        raise _err(op, f"at most one of feature_group_count ({fgc}) and batch_group_count "
                       f"({bgc}) may exceed 1")
    batch, features = lhs.shape[lhs_spec[0]], lhs.shape[lhs_spec[1]]
    out_features, in_features = rhs.shape[rhs_spec[0]], rhs.shape[rhs_spec[1]]
    if features % fgc:
        raise _err(op, f"feature_group_count {fgc} does not divide the lhs feature dimension "
                       f"({features})")
    if features // fgc != in_features:
        raise _err(op, f"the lhs feature dimension ({features}) divided by "
                       f"feature_group_count ({fgc}) must equal the rhs input feature "
                       f"dimension ({in_features})")
    for count, what in ((fgc, "feature_group_count"), (bgc, "batch_group_count")):
        if out_features % count:
            raise _err(op, f"{what} {count} does not divide the rhs output feature dimension "
                           f"({out_features})")
    if batch % bgc:
        raise _err(op, f"batch_group_count {bgc} does not divide the lhs batch dimension "
                       f"({batch})")


def check_preferred(op: OpDef, dt, preferred) -> None:
    """jax's rule for a preferred element type: integer to floating, or the same kind (signed
    integers to signed ones), never narrower."""
    if preferred is None:
        return
    kind, pkind = dtypes.kind(dt), dtypes.kind(preferred)
    if not (kind == pkind or (kind, pkind) == ("i", "f")):
        raise _err(op, f"preferred_element_type {preferred} does not suit {dt} operands: "
                       "the combinations are (integer, integer), (integer, floating), "
                       "(floating, floating) and (complex, complex)")
    if kind == pkind == "i" and not dtypes.is_unsigned(dt) and dtypes.is_unsigned(preferred):
        raise _err(op, f"preferred_element_type {preferred} must be signed, as {dt} is")
    if preferred.itemsize < dt.itemsize:
        raise _err(op, f"preferred_element_type {preferred} is narrower than {dt}")


class ConvGeneralDilated(OpDef):
    """`"plait.conv_general_dilated"(%lhs, %rhs) {window_strides = array<i64: 1, 1>,
    padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, lhs_dilation =
    array<i64: 1, 1>, rhs_dilation = array<i64: 1, 1>, lhs_spec = array<i64: 0, 1, 2, 3>,
    rhs_spec = array<i64: 0, 1, 2, 3>, out_spec = array<i64: 0, 1, 2, 3>, feature_group_count
    = 1 : i64, batch_group_count = 1 : i64} : (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>) ->
    tensor<2x4x5x5xf32>`

    Optional `preferred_element_type` is the result dtype (accumulation type)."""

    arity = 2
    attrs = {"window_strides": Ints(), "padding_low": Ints(), "padding_high": Ints(),
             "lhs_dilation": Ints(), "rhs_dilation": Ints(), "lhs_spec": Ints(),
             "rhs_spec": Ints(), "out_spec": Ints(), "feature_group_count": Int(),
             "batch_group_count": Int(), "preferred_element_type": DType()}
    traits = (Pure(), Linear(0), Linear(1))

    def infer(self, avals, window_strides, padding_low, padding_high, lhs_dilation, rhs_dilation,
              lhs_spec, rhs_spec, out_spec, feature_group_count, batch_group_count,
              preferred_element_type=None):
        lhs, rhs = avals
        if lhs.dtype != rhs.dtype:
            raise _err(self, f"lhs and rhs must have equal dtypes, got {lhs.dtype} and "
                             f"{rhs.dtype}")
        _check_kind(self, lhs.dtype, NUMERIC)
        if lhs.ndim != rhs.ndim or lhs.ndim < 2:
            raise _err(self, f"lhs and rhs must have one rank, at least 2, got {lhs.shape} and "
                             f"{rhs.shape}")
        _check_specs(self, lhs.ndim, (lhs_spec, rhs_spec, out_spec))
        _check_groups(self, lhs, rhs, lhs_spec, rhs_spec, feature_group_count, batch_group_count)
        check_preferred(self, lhs.dtype, preferred_element_type)
        spatial = [lhs.shape[d] for d in lhs_spec[2:]]
        kernel = [rhs.shape[d] for d in rhs_spec[2:]]
        sizes = window_shape(self, spatial, kernel, window_strides, padding_low, padding_high,
                             lhs_dilation, rhs_dilation, "lhs spatial", _NAMES)
        shape = [0] * lhs.ndim
        shape[out_spec[0]] = lhs.shape[lhs_spec[0]] // batch_group_count
        shape[out_spec[1]] = rhs.shape[rhs_spec[0]]
        for d, size in zip(out_spec[2:], sizes):
            shape[d] = size
        dt = lhs.dtype if preferred_element_type is None else preferred_element_type
        return [ShapedArray(shape, dt, lhs.weak_type and rhs.weak_type)]


conv_general_dilated = ConvGeneralDilated(
    "plait.conv_general_dilated", "Convolution with strides, padding, dilations and groups.")
