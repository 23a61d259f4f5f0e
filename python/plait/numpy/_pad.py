"""`plait.numpy.pad` in every mode of jax.numpy.pad, built from slices, reversals,
concatenations and reductions (so differentiable). Axes are padded one after another, as NumPy
does: a later axis pads the corners that earlier ones added."""

from __future__ import annotations

import builtins

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitValueError
from plait.numpy import _reductions as R
from plait.numpy._core import asarray, broadcast_to, floor_divide, is_array, numpy_function
from plait.numpy._core import round as _round
from plait.numpy._statistics import median

_KWARGS = {"constant": ("constant_values",), "edge": (), "wrap": (), "empty": (),
           "reflect": ("reflect_type",), "symmetric": ("reflect_type",),
           "linear_ramp": ("end_values",), "maximum": ("stat_length",),
           "mean": ("stat_length",), "median": ("stat_length",), "minimum": ("stat_length",)}


def _as_pairs(x, ndim, name):
    """x (an int, a pair, or per-axis pairs) as ndim (before, after) pairs of ints >= 0."""
    arr = np.asarray(x)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise PlaitValueError(f"pad: {name} must be integers, got {x!r}")
    try:
        pairs = np.broadcast_to(np.round(arr).astype(np.int64), (ndim, 2))
    except ValueError:
        raise PlaitValueError(f"pad: {name} {x!r} cannot be broadcast to ({ndim}, 2)") from None
    if (pairs < 0).any():
        raise PlaitValueError(f"pad: {name} can't contain negative values, got {x!r}")
    return [(int(lo), int(hi)) for lo, hi in pairs]


def _values(x, dtype, name):
    """constant_values / end_values (an array or nested sequence) in dtype."""
    x = lax.convert_element_type(x if is_array(x) else asarray(x), dtype)
    if x.ndim > 2:
        raise PlaitValueError(f"pad: {name} must have at most 2 dimensions, got {x.ndim}")
    return x


def _value_pairs(x, ndim):
    """x (a scalar, a pair, or per-axis pairs) as ndim (before, after) pairs of scalars."""
    if x.ndim == 0:
        return [(x, x)] * ndim
    x = broadcast_to(x, (ndim, 2))
    return [tuple(lax.reshape(lax.slice(x, (i, j), (i + 1, j + 1)), ()) for j in (0, 1))
            for i in range(ndim)]


def _shape_with(x, axis, n):
    return x.shape[:axis] + (n,) + x.shape[axis + 1:]


def _fill(x, axis, n, value):
    """n slices of x along axis filled with value (a scalar, or one slice along axis)."""
    if value.ndim == 0:
        return lax.broadcast_in_dim(value, _shape_with(x, axis, n), ())
    return broadcast_to(value, _shape_with(x, axis, n))


def _join(before, x, after, axis):
    return lax.concatenate([p for p in (before, x, after) if p.shape[axis]], axis)


def _constant(x, widths, value):
    """One lax.pad for a scalar value; else one per side, axis after axis."""
    if value.ndim == 0:
        return lax.pad(x, value, [(lo, hi, 0) for lo, hi in widths])
    for ax, (lo, hi), pair in zip(range(x.ndim), widths, _value_pairs(value, x.ndim)):
        for side, v in enumerate(pair):
            config = [(0, 0, 0)] * x.ndim
            config[ax] = (0, hi, 0) if side else (lo, 0, 0)
            x = lax.pad(x, v, config)
    return x


def _edge(x, ax, lo, hi):
    n = x.shape[ax]
    return _join(_fill(x, ax, lo, lax.slice_in_dim(x, 0, 1, axis=ax)), x,
                 _fill(x, ax, hi, lax.slice_in_dim(x, n - 1, n, axis=ax)), ax)


def _wrap(x, ax, lo, hi):
    n = x.shape[ax]
    lo_reps, lo_rem = divmod(lo, n)
    hi_reps, hi_rem = divmod(hi, n)
    parts = [lax.slice_in_dim(x, n - lo_rem, n, axis=ax)] if lo_rem else []
    parts += [x] * (lo_reps + 1 + hi_reps)
    parts += [lax.slice_in_dim(x, 0, hi_rem, axis=ax)] if hi_rem else []
    return lax.concatenate(parts, ax)


def _reflect_side(x, ax, width, n, before, symmetric, odd):
    """x grown by `width` reflections on one side, at most n (less the edge) at a time: a
    reflection reflects what the previous one added, as NumPy does."""
    size = x.shape[ax]
    edge = lax.slice_in_dim(x, 0, 1, axis=ax) if before else \
        lax.slice_in_dim(x, size - 1, size, axis=ax)
    offset = 0 if symmetric or n == 1 else 1
    while width > 0:
        k = builtins.min(width, n - offset)
        width -= k
        size = x.shape[ax]
        part = lax.slice_in_dim(x, offset, offset + k, axis=ax) if before else \
            lax.slice_in_dim(x, size - k - offset, size - offset, axis=ax)
        part = lax.rev(part, (ax,))
        if odd:  # reflected through the edge value: 2 * edge - x
            part = lax.sub(lax.add(_fill(part, ax, k, edge), _fill(part, ax, k, edge)), part)
            if n > 1:
                edge = lax.slice_in_dim(part, 0, 1, axis=ax) if before else \
                    lax.slice_in_dim(part, k - 1, k, axis=ax)
        x = lax.concatenate([part, x] if before else [x, part], ax)
    return x


def _reflect(x, ax, lo, hi, symmetric, odd):
    n = x.shape[ax]
    x = _reflect_side(x, ax, lo, n, True, symmetric, odd)
    return _reflect_side(x, ax, hi, n, False, symmetric, odd)


def _linear_ramp(x, ax, lo, hi, end_lo, end_hi):
    """Ramps from the end values (first/last entry) toward the edges (excluded): NumPy's
    linspace(end, edge, width, endpoint=False), which floors for integers (computed exactly
    here, in integers: a float step rounds 0.5 below an integer)."""
    n = x.shape[ax]
    exact = not dtypes.is_inexact(x.dtype)
    dt = dtypes.canonicalize(np.int64) if exact else x.dtype

    def ramp(width, end, edge_at):
        if not width:
            return None
        shape = _shape_with(x, ax, width)
        edge = lax.convert_element_type(lax.slice_in_dim(x, edge_at, edge_at + 1, axis=ax), dt)
        end = _fill(x, ax, width, lax.convert_element_type(end, dt))
        delta = lax.sub(broadcast_to(edge, shape), end)
        k = lax.broadcast_in_dim(lax.convert_element_type(lax.iota(dtypes.int32, width), dt),
                                 shape, (ax,))
        w = lax.full(shape, width, dt)
        if exact:
            out = lax.add(floor_divide(lax.mul(k, delta), w), end)
        else:
            out = lax.add(lax.mul(k, lax.div(delta, w)), end)  # NumPy's k * step + start
        return lax.convert_element_type(out, x.dtype)

    before = ramp(lo, end_lo, 0)
    after = ramp(hi, end_hi, n - 1)
    after = lax.rev(after, (ax,)) if after is not None else None
    return lax.concatenate([p for p in (before, x, after) if p is not None], ax)


def _stat_value(chunk, ax, mode, dtype):
    if mode == "maximum":
        return R.max(chunk, ax, keepdims=True)
    if mode == "minimum":
        return R.min(chunk, ax, keepdims=True)
    s = (R.mean if mode == "mean" else median)(chunk, ax, keepdims=True)
    if not dtypes.is_inexact(dtype):  # NumPy rounds to even, then casts
        s = _round(s)
    return lax.convert_element_type(s, dtype)


def _stat(x, ax, lo, hi, lengths, mode):
    n = x.shape[ax]
    parts = []
    for width, length, before in ((lo, lengths[0], True), (hi, lengths[1], False)):
        if not width:
            continue
        length = n if length is None else builtins.min(length, n)
        if length == 0:
            raise PlaitValueError("pad: stat_length of 0 yields no value for padding")
        chunk = lax.slice_in_dim(x, 0, length, axis=ax) if before else \
            lax.slice_in_dim(x, n - length, n, axis=ax)
        parts.append((before, _fill(x, ax, width, _stat_value(chunk, ax, mode, x.dtype))))
    return lax.concatenate([p for b, p in parts if b] + [x] + [p for b, p in parts if not b],
                           ax)


def _check_kwargs(mode, given):
    if mode not in _KWARGS:
        raise PlaitValueError(f"pad: mode '{mode}' is not supported (one of "
                              f"{', '.join(repr(m) for m in _KWARGS)})")
    extra = sorted(k for k, v in given.items() if v is not None and k not in _KWARGS[mode])
    if extra:
        raise PlaitValueError(f"pad: unsupported keyword arguments for mode '{mode}': {extra}")


@numpy_function(static=("pad_width", "mode", "stat_length", "reflect_type"))
def pad(array, pad_width, mode="constant", *, constant_values=None, stat_length=None,
        reflect_type=None, end_values=None):
    """array padded by pad_width (an int, a pair, or per-axis pairs) in any of NumPy's modes."""
    array = array if is_array(array) else asarray(array)
    _check_kwargs(mode, {"constant_values": constant_values, "stat_length": stat_length,
                         "reflect_type": reflect_type, "end_values": end_values})
    widths = _as_pairs(pad_width, array.ndim, "pad_width")
    if mode == "constant":
        value = _values(0 if constant_values is None else constant_values, array.dtype,
                        "constant_values")
        return _constant(array, widths, value)
    if mode == "empty":  # undefined values: zeros
        return lax.pad(array, lax.full((), 0, array.dtype), [(lo, hi, 0) for lo, hi in widths])
    if reflect_type not in (None, "even", "odd"):
        raise PlaitValueError(f"pad: reflect_type must be 'even' or 'odd', got {reflect_type!r}")
    for ax, (lo, hi) in enumerate(widths):
        if array.shape[ax] == 0 and (lo or hi):
            raise PlaitValueError(f"pad: can't extend empty axis {ax} using modes other than "
                                  "'constant' or 'empty'")
    if mode == "linear_ramp":
        ends = _value_pairs(_values(0 if end_values is None else end_values, array.dtype,
                                    "end_values"), array.ndim)
    if mode in ("maximum", "mean", "median", "minimum"):
        lengths = [(None, None)] * array.ndim if stat_length is None else \
            _as_pairs(stat_length, array.ndim, "stat_length")
    out = array
    for ax, (lo, hi) in enumerate(widths):
        if not (lo or hi):
            continue
        if mode == "edge":
            out = _edge(out, ax, lo, hi)
        elif mode == "wrap":
            out = _wrap(out, ax, lo, hi)
        elif mode in ("reflect", "symmetric"):
            out = _reflect(out, ax, lo, hi, mode == "symmetric", reflect_type == "odd")
        elif mode == "linear_ramp":
            out = _linear_ramp(out, ax, lo, hi, *ends[ax])
        else:
            out = _stat(out, ax, lo, hi, lengths[ax], mode)
    return out
