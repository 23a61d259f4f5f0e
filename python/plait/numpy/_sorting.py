"""Sorting and searching for `plait.numpy`: sort, argsort, lexsort, partition, argpartition,
sort_complex, searchsorted, digitize (stable, NaNs last, as jax.numpy)."""

from __future__ import annotations

import math

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy._core import (
    asarray,
    canon_axis,
    is_array,
    numpy_function,
    promote_avals,
    promote_broadcast,
)


def _arr(x):
    return x if is_array(x) else asarray(x)


def _prepare(a, axis):
    a = _arr(a)
    if axis is None:
        return lax.reshape(a, (a.size,)), 0
    return a, canon_axis(axis, a.ndim)


def sort_along(a, ax, stable=True):
    """a sorted along ax; complex numbers by real part, then imaginary part (NumPy)."""
    if not dtypes.is_complex(a.dtype):
        return lax.sort(a, dimension=ax, is_stable=stable)
    return lax.sort((lax.real(a), lax.imag(a), a), dimension=ax, is_stable=stable,
                    num_keys=2)[2]


@numpy_function(static=("axis", "kind", "order", "stable", "descending"))
def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """a sorted along axis (flattened for axis=None)."""
    a, ax = _prepare(a, axis)
    out = sort_along(a, ax, stable)
    return lax.rev(out, (ax,)) if descending else out


def _keys(a):
    return [lax.real(a), lax.imag(a)] if dtypes.is_complex(a.dtype) else [a]


def _argsort(a, ax, stable, descending, dtype):
    if descending:
        a = lax.rev(a, (ax,))
    idx = lax.broadcasted_iota(dtype, a.shape, ax)
    keys = _keys(a)
    perm = lax.sort((*keys, idx), dimension=ax, is_stable=stable, num_keys=len(keys))[-1]
    if not descending:
        return perm
    last = lax.full(perm.shape, a.shape[ax] - 1, perm.dtype)
    return lax.sub(last, lax.rev(perm, (ax,)))


@numpy_function(static=("axis", "kind", "order", "stable", "descending", "dtype"))
def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False, dtype=None):
    """The indices that sort a along axis; equal elements keep their order (also when
    descending)."""
    a, ax = _prepare(a, axis)
    dt = dtypes.canonicalize(dtype) if dtype is not None else dtypes.config.default_int
    return _argsort(a, ax, stable, descending, dt)


@numpy_function(static=("axis",))
def lexsort(keys, axis=-1):
    """The indices that sort by the last key, then the one before it, ... (stable)."""
    keys = [_arr(k) for k in keys] if not is_array(keys) else [keys[i] for i in
                                                               range(keys.shape[0])]
    if not keys:
        raise PlaitTypeError("lexsort needs at least one key")
    keys = promote_broadcast(*keys) if len({k.shape for k in keys}) > 1 else keys
    shape = keys[0].shape
    if not shape:
        raise PlaitTypeError("lexsort keys must be at least one-dimensional")
    ax = canon_axis(axis, len(shape))
    idx = lax.broadcasted_iota(dtypes.config.default_int, shape, ax)
    keys = [part for k in keys[::-1] for part in _keys(k)]
    return lax.sort((*keys, idx), dimension=ax, is_stable=True, num_keys=len(keys))[-1]


def _check_kth(kth, n):
    if not isinstance(kth, (int, np.integer)):
        raise PlaitTypeError(f"kth must be a static int, got {type(kth).__name__}")
    if not -n <= kth < n:
        raise PlaitValueError(f"kth {kth} is out of bounds for an axis of size {n}")


@numpy_function(static=("kth", "axis"))
def partition(a, kth, axis=-1):
    """a with its kth element where it would be sorted, smaller ones before and larger after
    (here: sorted, which is one such arrangement; jax's order within the parts differs too)."""
    a, ax = _prepare(a, axis)
    _check_kth(kth, a.shape[ax])
    return sort_along(a, ax)


@numpy_function(static=("kth", "axis"))
def argpartition(a, kth, axis=-1):
    """The indices that partition a around its kth element (here: the stable argsort)."""
    a, ax = _prepare(a, axis)
    _check_kth(kth, a.shape[ax])
    return _argsort(a, ax, True, False, dtypes.config.default_int)


@numpy_function()
def sort_complex(a):
    """a flattened along its last axis, sorted by real part then imaginary part, as complex."""
    a = _arr(a)
    dt = a.dtype if dtypes.is_complex(a.dtype) else (
        dtypes.complex128 if a.dtype.itemsize == 8 else dtypes.complex64)
    return lax.convert_element_type(sort_along(a, a.ndim - 1) if a.ndim else a, dt)


# --- searchsorted -----------------------------------------------------------------------------

def sort_lt(x, y):
    """x < y in the order sort uses: NaNs last, complex numbers by real then imaginary part."""
    if dtypes.is_complex(x.dtype):
        xr, yr = lax.real(x), lax.real(y)
        return lax.bitwise_or(sort_lt(xr, yr), lax.bitwise_and(
            lax.eq(xr, yr), sort_lt(lax.imag(x), lax.imag(y))))
    if not dtypes.is_inexact(x.dtype):
        return lax.lt(x, y)
    x_nan, y_nan = lax.ne(x, x), lax.ne(y, y)
    return lax.bitwise_or(lax.lt(x, y), lax.bitwise_and(y_nan, lax.bitwise_not(x_nan)))


def search_sorted(a, v, side: str):
    """For each v, the number of a's elements before which it goes (a sorted, 1-D):
    a binary search, ceil(log2(n + 1)) steps of one gather each."""
    n = a.shape[0]
    idt = dtypes.config.default_int
    low, high = lax.full(v.shape, 0, idt), lax.full(v.shape, n, idt)
    if n == 0:
        return low
    for _ in range(math.ceil(math.log2(n + 1))):
        mid = lax.div(lax.add(low, high), lax.full(v.shape, 2, idt))
        am = _gather1d(a, lax.min(mid, lax.full(v.shape, n - 1, idt)))
        go_right = sort_lt(am, v) if side == "left" else lax.bitwise_not(sort_lt(v, am))
        active = lax.lt(low, high)
        low = lax.select(lax.bitwise_and(active, go_right), lax.add(mid, 1), low)
        high = lax.select(lax.bitwise_and(active, lax.bitwise_not(go_right)), mid, high)
    return low


def _gather1d(a, idx):
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,),
                                    start_index_map=(0,))
    return lax.gather(a, lax.reshape(idx, idx.shape + (1,)), dn, (1,),
                      mode="promise_in_bounds")


_METHODS = ("scan", "scan_unrolled", "sort", "compare_all")


@numpy_function(static=("side", "method"))
def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    """Where v's elements go in the sorted 1-D a (side="left": before equal ones). `method`
    is jax's choice of algorithm and does not change the result: all are a binary search."""
    if side not in ("left", "right"):
        raise PlaitValueError(f"side must be 'left' or 'right', got {side!r}")
    if method not in _METHODS:
        raise PlaitValueError(f"method must be one of {_METHODS}, got {method!r}")
    a = _arr(a)
    if a.ndim != 1:
        raise PlaitValueError(f"searchsorted: a must be one-dimensional, got shape {a.shape}")
    if sorter is not None:
        a = _gather1d(a, _arr(sorter))
    a, v = _promote_pair(a, _arr(v))
    return search_sorted(a, v, side)


def _promote_pair(a, v):
    """a and v in their promoted dtype, each keeping its shape."""
    dt = promote_avals([a.aval, v.aval])[0]
    return [x if x.dtype == dt else lax.convert_element_type(x, dt) for x in (a, v)]


@numpy_function(static=("right", "method"))
def digitize(x, bins, right=False, *, method=None):
    """The index of the bin each x falls in; bins increasing or decreasing (decided from
    their ends at run time, as jax)."""
    x, bins = _arr(x), _arr(bins)
    if bins.ndim != 1:
        raise PlaitValueError(f"digitize: bins must be one-dimensional, got shape {bins.shape}")
    if bins.shape[0] == 0:
        return lax.full(x.shape, 0, dtypes.config.default_int)
    bins, x = _promote_pair(bins, x)
    side = "left" if right else "right"
    up = search_sorted(bins, x, side)
    down = lax.sub(lax.full(x.shape, bins.shape[0], up.dtype),
                   search_sorted(lax.rev(bins, (0,)), x, side))
    n = bins.shape[0]
    increasing = lax.ge(lax.slice(bins, (n - 1,), (n,)), lax.slice(bins, (0,), (1,)))
    return lax.select(lax.broadcast_in_dim(lax.reshape(increasing, ()), x.shape, ()), up, down)
