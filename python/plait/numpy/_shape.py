"""Shape manipulation and array creation for `plait.numpy`."""

from __future__ import annotations

import builtins
import itertools
import math

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.aval import canonicalize_shape
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy._core import (  # noqa: F401  (canon_axis, canon_axes, stack: re-exported)
    _aval,
    _inexact_dtype,
    _is_python_scalar,
    _promote_all,
    asarray,
    broadcast_to,
    canon_axes,
    canon_axis,
    is_array,
    multiply,
    numpy_function,
    promote_avals,
    reshape,
    stack,
    where,
)
from plait.staging.trace import tracing


def _arr(x):
    return x if is_array(x) else asarray(x)


# --- creation ---------------------------------------------------------------------------------

def _dtype_or(dtype, default):
    return dtypes.canonicalize(dtype) if dtype is not None else default


@numpy_function(jit=False)
def full(shape, fill_value, dtype=None):
    shape = canonicalize_shape(shape)
    if is_array(fill_value) and fill_value.ndim:
        return broadcast_to(fill_value if dtype is None else
                            lax.convert_element_type(fill_value, dtype), shape)
    if dtype is None and not is_array(fill_value) and not _is_python_scalar(fill_value):
        dtype = asarray(fill_value).dtype
    return lax.full(shape, fill_value, dtype)  # a Python scalar fill is weak, as in JAX


@numpy_function(jit=False)
def zeros(shape, dtype=None):
    return lax.full(canonicalize_shape(shape), 0, _dtype_or(dtype, dtypes.config.default_float))


@numpy_function(jit=False)
def ones(shape, dtype=None):
    return lax.full(canonicalize_shape(shape), 1, _dtype_or(dtype, dtypes.config.default_float))


empty = zeros


@numpy_function(jit=False)
def zeros_like(a, dtype=None, shape=None):
    a = _aval(a)
    return lax.full(a.shape if shape is None else canonicalize_shape(shape), 0, _dtype_or(dtype, a.dtype))


@numpy_function(jit=False)
def ones_like(a, dtype=None, shape=None):
    a = _aval(a)
    return lax.full(a.shape if shape is None else canonicalize_shape(shape), 1, _dtype_or(dtype, a.dtype))


@numpy_function(jit=False)
def full_like(a, fill_value, dtype=None, shape=None):
    a = _aval(a)
    return full(a.shape if shape is None else shape, fill_value, _dtype_or(dtype, a.dtype))


empty_like = zeros_like


@numpy_function(jit=False)
def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    for v in (start, stop, step):
        if is_array(v):
            raise PlaitTypeError("arange needs concrete (Python) bounds: its length must be "
                                 "static")
    host = np.arange(start, stop, step)
    dt = _dtype_or(dtype, dtypes.config.default_for_kind(dtypes.kind(host.dtype)))
    if not tracing():
        return asarray(host.astype(dt))
    if len(host) and step == 1 and float(start) == int(start) and dtypes.is_integer(dt):
        out = lax.iota(dt, len(host))
        return out if start == 0 else lax.add(out, int(start))
    return asarray(host.astype(dt))


@numpy_function(jit=False)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    num = int(num)
    # float64 bounds give float64 (dtypes are per array); Python numbers the default float
    dt = _dtype_or(dtype, _inexact_dtype(promote_avals([_aval(start), _aval(stop)])[0]))
    if not tracing() and not (is_array(start) or is_array(stop)):
        out = np.linspace(start, stop, num, endpoint, retstep, dt, axis)
        return (asarray(out[0].astype(dt)), out[1]) if retstep else asarray(out.astype(dt))
    work = _inexact_dtype(dt)
    shape = tuple(np.broadcast_shapes(_aval(start).shape, _aval(stop).shape))
    start_a, stop_a = (broadcast_to(asarray(v, work), shape) for v in (start, stop))
    div = (num - 1) if endpoint else num
    step = lax.div(lax.sub(stop_a, start_a), lax.full(stop_a.shape, builtins.max(div, 1), work))
    idx = lax.broadcasted_iota(work, (num,) + shape, 0)
    out = lax.add(broadcast_to(start_a, (num,) + shape),
                  lax.mul(idx, broadcast_to(step, (num,) + shape)))
    if endpoint and num > 1:
        out = lax.concatenate([lax.slice_in_dim(out, 0, num - 1),
                               lax.reshape(broadcast_to(stop_a, shape), (1,) + shape)], 0)
    out = moveaxis(out, 0, axis) if shape else out
    if dt != work:  # integers round toward -inf, as in NumPy and JAX
        out = lax.convert_element_type(lax.floor(out) if dtypes.is_integer(dt) else out, dt)
    return (out, step) if retstep else out


@numpy_function(jit=False)
def eye(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    dt = _dtype_or(dtype, dtypes.config.default_float)
    if not tracing():
        return asarray(np.eye(N, M, k, dtype=dt))
    rows = lax.broadcasted_iota(dtypes.int32, (N, M), 0)
    cols = lax.broadcasted_iota(dtypes.int32, (N, M), 1)
    return lax.convert_element_type(lax.eq(lax.add(rows, k), cols), dt)


@numpy_function(jit=False)
def identity(n, dtype=None):
    return eye(n, dtype=dtype)


@numpy_function(jit=False)
def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    if not tracing():
        return asarray(np.tri(N, M, k, dtype=_dtype_or(dtype, dtypes.config.default_float)))
    rows = lax.broadcasted_iota(dtypes.int32, (N, M), 0)
    cols = lax.broadcasted_iota(dtypes.int32, (N, M), 1)
    return lax.convert_element_type(lax.le(cols, lax.add(rows, k)),
                                    _dtype_or(dtype, dtypes.config.default_float))


@numpy_function(static=("k",))
def tril(m, k=0):
    m = _arr(m)
    mask = tri(m.shape[-2], m.shape[-1], k, dtypes.bool_)
    return where(broadcast_to(mask, m.shape), m, lax.full(m.shape, 0, m.dtype))


@numpy_function(static=("k",))
def triu(m, k=0):
    m = _arr(m)
    mask = tri(m.shape[-2], m.shape[-1], k - 1, dtypes.bool_)
    return where(broadcast_to(mask, m.shape), lax.full(m.shape, 0, m.dtype), m)


@numpy_function(static=("k",))
def diag(v, k=0):
    v = _arr(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise PlaitValueError("diag expects a 1-d or 2-d array")
    n = v.shape[0] + builtins.abs(k)
    vpad = lax.pad(v, 0, [(0, builtins.abs(k), 0)])
    src = lax.broadcast_in_dim(vpad, (n, n), (0,) if k >= 0 else (1,))
    rows = lax.broadcasted_iota(dtypes.int32, (n, n), 0)
    cols = lax.broadcasted_iota(dtypes.int32, (n, n), 1)
    return where(lax.eq(lax.add(rows, k), cols), src, lax.full((n, n), 0, v.dtype))


@numpy_function(static=("offset", "axis1", "axis2"))
def diagonal(a, offset=0, axis1=0, axis2=1):
    a = _arr(a)
    a = moveaxis(a, (canon_axis(axis1, a.ndim), canon_axis(axis2, a.ndim)), (-2, -1))
    n, m = a.shape[-2:]
    rows = lax.broadcasted_iota(dtypes.int32, (n, m), 0)
    cols = lax.broadcasted_iota(dtypes.int32, (n, m), 1)
    mask = broadcast_to(lax.eq(lax.add(rows, offset), cols), a.shape)
    picked = lax.reduce_sum(where(mask, a, lax.full(a.shape, 0, a.dtype)),
                            (a.ndim - 2 if offset >= 0 else a.ndim - 1,))
    length = builtins.max(0, builtins.min(n, m - offset) if offset >= 0 else builtins.min(n + offset, m))
    # the first row (offset < 0) or column holding the diagonal; an empty one may start past it
    start = builtins.min(builtins.abs(offset), picked.shape[-1])
    return lax.slice_in_dim(picked, start, start + length, axis=picked.ndim - 1)


# --- shape manipulation ----------------------------------------------------------------------

@numpy_function(static=("axes",))
def transpose(a, axes=None):
    a = _arr(a)
    axes = tuple(reversed(range(a.ndim))) if axes is None else canon_axes(axes, a.ndim)
    if len(axes) != a.ndim:
        raise PlaitValueError(f"axes {axes} don't match array of dimension {a.ndim}")
    return lax.transpose(a, axes)


@numpy_function(static=("source", "destination"))
def moveaxis(a, source, destination):
    a = _arr(a)
    src = canon_axes(source, a.ndim)
    dst = canon_axes(destination, a.ndim)
    if len(src) != len(dst):
        raise PlaitValueError("moveaxis: source and destination need as many axes")
    order = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return lax.transpose(a, order)


@numpy_function(static=("axis1", "axis2"))
def swapaxes(a, axis1, axis2):
    a = _arr(a)
    perm = list(range(a.ndim))
    i, j = canon_axis(axis1, a.ndim), canon_axis(axis2, a.ndim)
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, perm)


@numpy_function(static=("axis",))
def expand_dims(a, axis):
    a = _arr(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out_ndim = a.ndim + len(axes)
    axes = sorted(canon_axis(x, out_ndim) for x in axes)
    shape = list(a.shape)
    for ax in axes:
        shape.insert(ax, 1)
    return lax.reshape(a, shape)


@numpy_function(static=("axis",))
def squeeze(a, axis=None):
    a = _arr(a)
    if axis is None:
        axes = [i for i, d in enumerate(a.shape) if d == 1]
    else:
        axes = canon_axes(axis, a.ndim)
        for ax in axes:
            if a.shape[ax] != 1:
                raise PlaitValueError(f"cannot squeeze axis {ax} of size {a.shape[ax]}")
    return lax.reshape(a, [d for i, d in enumerate(a.shape) if i not in axes])


@numpy_function()
def ravel(a):
    a = _arr(a)
    return lax.reshape(a, (a.size,))


def _one_or_list(out):
    return out[0] if len(out) == 1 else out


@numpy_function(jit=False)
def atleast_1d(*arys):
    """Each array with at least 1 dimension (one array for one argument, else a list)."""
    return _one_or_list([reshape(a, (1,)) if a.ndim == 0 else a for a in map(_arr, arys)])


@numpy_function(jit=False)
def atleast_2d(*arys):
    """Each array with at least 2 dimensions: (n,) -> (1, n)."""
    return _one_or_list([reshape(a, (1,) * (2 - a.ndim) + a.shape) if a.ndim < 2 else a
                         for a in map(_arr, arys)])


@numpy_function(static=("axis",))
def concatenate(arrays, axis=0):
    arrays = _promote_all(arrays)
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    nd = arrays[0].ndim
    if nd == 0:
        raise PlaitValueError("zero-dimensional arrays cannot be concatenated")
    for a in arrays:
        if a.ndim != nd:
            raise PlaitValueError("all input arrays must have the same number of dimensions, "
                                  f"got {[x.ndim for x in arrays]}")
    axis = canon_axis(axis, nd)
    for a in arrays:
        if any(s != t for i, (s, t) in enumerate(zip(a.shape, arrays[0].shape)) if i != axis):
            raise PlaitValueError("concatenate: shapes " + ", ".join(str(x.shape) for x in arrays)
                                  + f" differ outside axis {axis}")
    return lax.concatenate(arrays, axis)


@numpy_function(jit=False)
def vstack(tup):
    return concatenate([atleast_2d(a) for a in tup], axis=0)


@numpy_function(jit=False)
def hstack(tup):
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, axis=0 if arrs[0].ndim == 1 else 1)


def _split(ary, indices_or_sections, axis, equal: bool):
    ary = _arr(ary)
    axis = canon_axis(axis, ary.ndim)
    n = ary.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if equal and n % k:
            raise PlaitValueError(f"array split does not result in an equal division: {n} "
                                  f"into {k}")
        q, r = divmod(n, k)  # array_split: the first r sections get one more element
        bounds = [0] + list(itertools.accumulate([q + 1] * r + [q] * (k - r)))
    else:  # split points index like slice bounds: negative ones count from the end
        bounds = [0] + [builtins.min(builtins.max(int(i) + n * (int(i) < 0), 0), n)
                        for i in indices_or_sections] + [n]
    return [lax.slice_in_dim(ary, lo, builtins.max(lo, hi), axis=axis)
            for lo, hi in zip(bounds[:-1], bounds[1:])]


@numpy_function(static=("indices_or_sections", "axis"))
def split(ary, indices_or_sections, axis=0):
    return _split(ary, indices_or_sections, axis, equal=True)


@numpy_function(static=("indices_or_sections", "axis"))
def array_split(ary, indices_or_sections, axis=0):
    """split, but n sections need not divide the axis evenly."""
    return _split(ary, indices_or_sections, axis, equal=False)


@numpy_function(static=("reps",))
def tile(A, reps):
    A = _arr(A)
    reps = canonicalize_shape(reps, "tile reps")
    nd = builtins.max(len(reps), A.ndim)
    reps = (1,) * (nd - len(reps)) + reps
    A = lax.reshape(A, (1,) * (nd - A.ndim) + A.shape)
    inter = []
    for r, d in zip(reps, A.shape):
        inter += [r, d]
    dims = [2 * i + 1 for i in range(nd)]
    out = lax.broadcast_in_dim(A, inter, dims)
    return lax.reshape(out, [r * d for r, d in zip(reps, A.shape)])


@numpy_function(static=("repeats", "axis"))
def repeat(a, repeats, axis=None):
    a = _arr(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = canon_axis(axis, a.ndim)
    if not isinstance(repeats, int):
        reps = list(repeats)
        if len(reps) != a.shape[axis]:
            raise PlaitValueError("repeats must be an int or have one entry per element")
        if builtins.any(r < 0 for r in reps):
            raise PlaitValueError(f"repeats may not contain negative values, got {reps}")
        parts = [lax.slice_in_dim(a, i, i + 1, axis=axis) for i, r in enumerate(reps)]
        return lax.concatenate([repeat(p, int(r), axis) for p, r in zip(parts, reps) if r], axis)
    if repeats < 0:
        raise PlaitValueError(f"repeats may not contain negative values, got {repeats}")
    shape = list(a.shape)
    expanded = shape[:axis + 1] + [repeats] + shape[axis + 1:]
    dims = [i if i <= axis else i + 1 for i in range(a.ndim)]
    out = lax.broadcast_in_dim(a, expanded, dims)
    shape[axis] *= repeats
    return lax.reshape(out, shape)


@numpy_function(static=("shift", "axis"))
def roll(a, shift, axis=None):
    a = _arr(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    shifts = (shift,) if isinstance(shift, int) else tuple(shift)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for s, ax in zip(shifts, axes):
        ax = canon_axis(ax, a.ndim)
        n = a.shape[ax]
        if n == 0:
            continue
        s %= n
        if s:
            a = lax.concatenate([lax.slice_in_dim(a, n - s, n, axis=ax),
                                 lax.slice_in_dim(a, 0, n - s, axis=ax)], ax)
    return a


@numpy_function(static=("axis",))
def flip(m, axis=None):
    m = _arr(m)
    return lax.rev(m, canon_axes(axis, m.ndim))


@numpy_function(jit=False)
def fliplr(m):
    return flip(m, 1)


@numpy_function(jit=False)
def flipud(m):
    return flip(m, 0)


@numpy_function()
def outer(a, b):
    a, b = ravel(a), ravel(b)
    return multiply(reshape(a, (a.shape[0], 1)), reshape(b, (1, b.shape[0])))


@numpy_function(jit=False)
def meshgrid(*xi, indexing="xy"):
    xs = [ravel(x) for x in xi]
    shape = [x.shape[0] for x in xs]
    if indexing == "xy" and len(xs) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, x in enumerate(xs):
        d = i
        if indexing == "xy" and len(xs) >= 2 and i < 2:
            d = 1 - i
        out.append(lax.broadcast_in_dim(x, shape, (d,)))
    return out


def size_of(shape) -> int:
    return math.prod(shape)
