"""Convolutions with jax.lax's names and conventions: conv_general_dilated and its wrappers
conv, conv_with_general_padding and conv_transpose; dimension numbers and padding helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.dialect import ops as P
from plait.lax._lax import aval_of, rev
from plait.staging.trace import bind


class ConvDimensionNumbers(NamedTuple):
    """`lhs_spec`: (batch, feature, spatial...) dimensions of the input; `rhs_spec`: (output
    feature, input feature, spatial...) of the kernel; `out_spec`: (batch, feature,
    spatial...) of the result."""

    lhs_spec: Sequence[int]
    rhs_spec: Sequence[int]
    out_spec: Sequence[int]


def conv_general_permutations(dimension_numbers) -> tuple:
    """The (lhs, rhs, out) specs of layout strings such as ('NCHW', 'OIHW', 'NCHW'); spatial
    dimensions go in the order of the kernel's string."""
    lhs, rhs, out = dimension_numbers
    pairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (spec, (a, b)) in enumerate(zip(dimension_numbers, pairs)):
        if spec.count(a) != 1 or spec.count(b) != 1:
            raise PlaitTypeError(f"convolution dimension_numbers[{i}] must contain '{a}' and "
                                 f"'{b}' exactly once, got {spec!r}")
        if len(set(spec)) != len(spec):
            raise PlaitTypeError(f"convolution dimension_numbers[{i}] has a repeated "
                                 f"character: {spec!r}")
    if not set(lhs) - {"N", "C"} == set(rhs) - {"O", "I"} == set(out) - {"N", "C"}:
        raise PlaitTypeError("convolution dimension_numbers must name the same spatial "
                             f"dimensions in each string, got {tuple(dimension_numbers)}")

    def perm(spec, pair):
        spatial = [i for i, c in enumerate(spec) if c not in pair]
        if spec is not rhs:
            spatial.sort(key=lambda i: rhs.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)

    return tuple(perm(s, p) for s, p in zip(dimension_numbers, pairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers) -> ConvDimensionNumbers:
    """`dimension_numbers` (None: NCHW / OIHW / NCHW, layout strings, or a
    ConvDimensionNumbers) as a ConvDimensionNumbers."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise PlaitTypeError(f"convolution needs lhs and rhs of one rank, got shapes "
                             f"{tuple(lhs_shape)} and {tuple(rhs_shape)}")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if not isinstance(dimension_numbers, (list, tuple)) or len(dimension_numbers) != 3 or \
            not all(isinstance(s, str) for s in dimension_numbers):
        raise PlaitTypeError("convolution dimension_numbers must be None, a "
                             "ConvDimensionNumbers or three layout strings, got "
                             f"{dimension_numbers!r}")
    for i, spec in enumerate(dimension_numbers):
        if len(spec) != len(lhs_shape):
            raise PlaitTypeError(f"convolution dimension_numbers[{i}] {spec!r} needs one "
                                 f"character per dimension of lhs and rhs {tuple(lhs_shape)}, "
                                 f"{tuple(rhs_shape)}")
    return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))


def padtype_to_pads(in_shape, window_shape, window_strides, padding) -> list:
    """(low, high) pairs for 'VALID', 'SAME' (odd padding's extra element at the end) or
    'SAME_LOWER' (at the start)."""
    kind = padding.upper() if isinstance(padding, str) else padding
    if kind == "VALID":
        return [(0, 0)] * len(in_shape)
    if kind not in ("SAME", "SAME_LOWER"):
        raise PlaitValueError(f"unknown padding {padding!r}: use 'VALID', 'SAME', 'SAME_LOWER' "
                              "or (low, high) pairs")
    if any(s < 1 for s in window_strides):
        raise PlaitValueError(f"window_strides {tuple(window_strides)} must be positive")
    pads = []
    for n, k, s in zip(in_shape, window_shape, window_strides):
        total = max((-(-n // s) - 1) * s + k - n, 0)
        small, big = total // 2, total - total // 2
        pads.append((small, big) if kind == "SAME" else (big, small))
    return pads


def _pairs(padding, n: int, what: str) -> list:
    try:
        pads = [(int(lo), int(hi)) for lo, hi in padding]
    except (TypeError, ValueError):
        raise PlaitValueError(f"{what}: padding must be 'VALID', 'SAME', 'SAME_LOWER' or a "
                              f"sequence of (low, high) pairs, got {padding!r}") from None
    if len(pads) != n:
        raise PlaitValueError(f"{what}: padding {padding!r} needs one (low, high) pair per "
                              f"spatial dimension ({n})")
    return pads


def _ints(v, n: int, what: str, name: str) -> tuple:
    v = (1,) * n if v is None else tuple(int(d) for d in v)
    if len(v) != n:
        raise PlaitValueError(f"{what}: {name} {v} needs one entry per spatial dimension ({n})")
    return v


def conv_general_dilated(lhs, rhs, window_strides: Sequence[int], padding,
                         lhs_dilation: Sequence[int] | None = None,
                         rhs_dilation: Sequence[int] | None = None, dimension_numbers=None,
                         feature_group_count: int = 1, batch_group_count: int = 1,
                         precision=None, preferred_element_type=None):
    """jax.lax.conv_general_dilated: an n-d convolution with window strides, padding (pairs,
    or 'VALID' / 'SAME' / 'SAME_LOWER'), lhs (transposed convolution) and rhs (atrous)
    dilation, feature and batch groups. `precision` is accepted for jax compatibility; XLA
    on CPU computes at full precision."""
    del precision
    what = "conv_general_dilated"
    la, ra = aval_of(lhs), aval_of(rhs)
    dn = conv_dimension_numbers(la.shape, ra.shape, dimension_numbers)
    n = la.ndim - 2
    window_strides = _ints(window_strides, n, what, "window_strides")
    lhs_dilation = _ints(lhs_dilation, n, what, "lhs_dilation")
    rhs_dilation = _ints(rhs_dilation, n, what, "rhs_dilation")
    if isinstance(padding, str):
        if any(d != 1 for d in lhs_dilation):
            raise PlaitValueError(f"{what}: string padding is not defined with lhs_dilation "
                                  f"{lhs_dilation}; give (low, high) pairs or use "
                                  "conv_transpose")
        kernel = [(ra.shape[d] - 1) * r + 1 for d, r in zip(dn.rhs_spec[2:], rhs_dilation)]
        pads = padtype_to_pads([la.shape[d] for d in dn.lhs_spec[2:]], kernel, window_strides,
                               padding)
    else:
        pads = _pairs(padding, n, what)
    preferred = None if preferred_element_type is None else \
        dtypes.canonicalize(preferred_element_type)
    return bind(P.conv_general_dilated, lhs, rhs, window_strides=window_strides,
                padding_low=tuple(lo for lo, _ in pads), padding_high=tuple(hi for _, hi in pads),
                lhs_dilation=lhs_dilation, rhs_dilation=rhs_dilation,
                lhs_spec=tuple(dn.lhs_spec), rhs_spec=tuple(dn.rhs_spec),
                out_spec=tuple(dn.out_spec), feature_group_count=int(feature_group_count),
                batch_group_count=int(batch_group_count), preferred_element_type=preferred)


def conv(lhs, rhs, window_strides: Sequence[int], padding, precision=None,
         preferred_element_type=None):
    """conv_general_dilated with NCHW / OIHW / NCHW layouts and no dilation."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides: Sequence[int], padding,
                              lhs_dilation: Sequence[int] | None,
                              rhs_dilation: Sequence[int] | None, precision=None,
                              preferred_element_type=None):
    """conv_general_dilated with NCHW / OIHW / NCHW layouts."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


def _transpose_padding(k: int, s: int, padding) -> tuple:
    """(low, high) padding of the fractionally strided convolution that undoes a forward
    convolution of kernel size k, stride s and the given padding."""
    if padding == "SAME":
        total = k + s - 2
        low = k - 1 if s > k - 1 else -(-total // 2)
    elif padding == "VALID":
        total = k + s - 2 + max(k - s, 0)
        low = k - 1
    else:
        lo, hi = padding
        low, total = k - lo - 1, 2 * k - lo - hi - 2
    return low, total - low


_TRANSPOSE_LAYOUTS = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"),
                      4: ("NHWC", "HWIO", "NHWC"), 5: ("NHWDC", "HWDIO", "NHWDC")}


def conv_transpose(lhs, rhs, strides: Sequence[int], padding,
                   rhs_dilation: Sequence[int] | None = None, dimension_numbers=None,
                   transpose_kernel: bool = False, precision=None, preferred_element_type=None,
                   use_consistent_padding: bool = False):
    """jax.lax.conv_transpose: a fractionally strided convolution (lhs dilated by `strides`).
    'SAME' and 'VALID' (and, with `use_consistent_padding`, pairs) describe the forward
    convolution's padding; otherwise pairs pad the transposed convolution itself.
    `transpose_kernel` flips the kernel spatially and swaps its feature dimensions, making
    this the gradient of a forward convolution (TensorFlow's convention)."""
    la, ra = aval_of(lhs), aval_of(rhs)
    if la.ndim != ra.ndim or la.ndim < 2:
        raise PlaitTypeError(f"conv_transpose needs lhs and rhs of one rank, at least 2, got "
                             f"shapes {la.shape} and {ra.shape}")
    if dimension_numbers is None:
        if la.ndim not in _TRANSPOSE_LAYOUTS:
            raise PlaitValueError(f"conv_transpose has no default layout for rank {la.ndim}: "
                                  "give dimension_numbers")
        dimension_numbers = _TRANSPOSE_LAYOUTS[la.ndim]
    dn = conv_dimension_numbers(la.shape, ra.shape, dimension_numbers)
    n = la.ndim - 2
    rhs_dilation = _ints(rhs_dilation, n, "conv_transpose", "rhs_dilation")
    strides = _ints(strides, n, "conv_transpose", "strides")
    kernel = [(ra.shape[d] - 1) * r + 1 for d, r in zip(dn.rhs_spec[2:], rhs_dilation)]
    if use_consistent_padding or padding in ("SAME", "VALID"):
        per_dim = [padding] * n if isinstance(padding, str) else \
            _pairs(padding, n, "conv_transpose")
        pads = [_transpose_padding(k, s, p) for k, s, p in zip(kernel, strides, per_dim)]
    else:
        pads = padding
    if transpose_kernel:
        rhs = rev(rhs, tuple(dn.rhs_spec[2:]))
        perm = list(range(ra.ndim))
        perm[dn.rhs_spec[0]], perm[dn.rhs_spec[1]] = dn.rhs_spec[1], dn.rhs_spec[0]
        rhs = bind(P.transpose, rhs, permutation=tuple(perm))
    return conv_general_dilated(lhs, rhs, (1,) * n, pads, strides, rhs_dilation, dn,
                                precision=precision,
                                preferred_element_type=preferred_element_type)

