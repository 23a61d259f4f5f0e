"""Functions whose result's shape depends on values: nonzero, flatnonzero, argwhere, extract,
compress and `where(condition)`.

Each has a static `size=` (and `fill_value=` for the slots past the actual entries), as in
jax. Without `size=` the count is read from the data: eagerly (and in eager transformations)
it is known; under jit it is not, and the call is a ConcretizationError at the user's line
that names `size=`.
"""

from __future__ import annotations

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import ConcretizationError, PlaitValueError
from plait.numpy import _core
from plait.numpy._core import asarray, canon_axis, is_array, numpy_function
from plait.numpy._indexing import _take
from plait.numpy._reductions import count_nonzero
from plait.staging.concrete import concrete_value, has_concrete_value
from plait.staging.trace import Tracer


def _arr(x):
    return x if is_array(x) else asarray(x)


def concrete_count(count, name: str, arg: str = "size",
                   what: str = "the length of the result; slots past the actual entries "
                               "hold fill_value") -> int:
    """A scalar plait array's value as a Python int: known eagerly, a ConcretizationError
    naming `arg=` under jit."""
    if isinstance(count, Tracer):
        if not has_concrete_value(count):
            raise ConcretizationError(
                f"{name}: the shape of the result depends on the values of the input, which "
                f"are unknown under jit. Pass {arg}= (a static int: {what}).")
        return int(concrete_value(count, name))
    return int(np.asarray(count))


def check_size(size, name: str) -> None:
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 0:
        raise PlaitValueError(f"{name}: size must be a non-negative static int, got {size!r}")


def count_true(mask):
    """The number of True entries of a bool array, in the default int."""
    idt = dtypes.config.default_int
    flat = lax.reshape(lax.convert_element_type(mask, idt), (mask.size,))
    return lax.reduce_sum(flat, (0,)) if mask.size else lax.full((), 0, idt)


def flat_indices(mask, size: int):
    """(idx, valid) for a bool array: the flat indices of its first `size` True entries, in
    order (0 in the slots past them), and which slots hold one. One cumsum and a scatter."""
    idt = dtypes.config.default_int
    n = mask.size
    mask = lax.reshape(mask, (n,))
    valid = lax.lt(lax.iota(idt, size), lax.full((size,), count_true(mask), idt)
                   if size else lax.full((0,), 0, idt))
    if n == 0 or size == 0:
        return lax.full((size,), 0, idt), valid
    pos = lax.sub(lax.cumsum(lax.convert_element_type(mask, idt)), 1)
    pos = lax.select(mask, pos, lax.full((n,), size, idt))  # out of bounds: dropped
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                     scatter_dims_to_operand_dims=(0,))
    idx = lax.scatter(lax.full((size,), 0, idt), lax.reshape(pos, (n, 1)), lax.iota(idt, n),
                      dn, mode="drop")
    return idx, valid


def fill_where(valid, x, fill_value, default=0):
    """x where valid, else fill_value (`default` when None), in x's dtype."""
    fill = default if fill_value is None else fill_value
    fill = lax.convert_element_type(_arr(fill), x.dtype)
    if fill.ndim:
        raise PlaitValueError(f"fill_value must be a scalar, got shape {fill.shape}")
    valid = lax.broadcast_in_dim(valid, x.shape, (0,)) if x.ndim > 1 else valid
    return lax.select(valid, x, lax.broadcast_in_dim(fill, x.shape, ()))


def compact(x, keep, size: int, fill_value):
    """x's entries (1-D, not empty) where keep, in order, `size` of them; fill_value past
    them, by default the first of them (as jax's set functions)."""
    idx, valid = flat_indices(keep, size)
    out = _take.traced(x, idx, 0, "clip", None)
    if fill_value is None:
        if size == 0:
            return out
        fill_value = lax.reshape(lax.slice(out, (0,), (1,)), ())
    return fill_where(valid, out, fill_value)


# --- nonzero ----------------------------------------------------------------------------------

def _bool(a):
    a = _arr(a)
    return a if a.dtype == dtypes.bool_ else _core.not_equal(a, 0)


def _per_dim_fill(fill_value, nd):
    if fill_value is None or not isinstance(fill_value, (tuple, list)) and (
            not is_array(fill_value) or fill_value.ndim == 0):
        return [fill_value] * nd
    if len(fill_value) != nd:
        raise PlaitValueError(f"fill_value must be a scalar or a tuple of length {nd} (one per "
                              f"dimension), got length {len(fill_value)}")
    return [fill_value[d] for d in range(nd)]


@numpy_function(static=("size",))
def _nonzero_sized(a, size, fill_value):
    mask = _bool(a)
    if mask.ndim == 0:
        raise PlaitValueError("nonzero is not defined for 0-d arrays; use atleast_1d(a)")
    idx, valid = flat_indices(mask, size)
    fills = _per_dim_fill(fill_value, mask.ndim)
    out = []
    for d, n in enumerate(mask.shape):
        stride = max(int(np.prod(mask.shape[d + 1:])), 1)  # an empty mask: all slots fill
        n = max(n, 1)
        i = lax.div(idx, lax.full(idx.shape, stride, idx.dtype)) if stride != 1 else idx
        i = lax.rem(i, lax.full(idx.shape, n, idx.dtype)) if d else i
        out.append(fill_where(valid, i, fills[d]))
    return tuple(out)


def _size_of(a, size, name):
    """`size`, or eagerly the number of a's nonzero entries (one dispatch)."""
    if size is None:
        return concrete_count(count_nonzero(a), name)
    check_size(size, name)
    return int(size)


@numpy_function(jit=False)
def nonzero(a, *, size=None, fill_value=None):
    """The indices of a's nonzero entries, one array per dimension (row-major order)."""
    a = _arr(a)
    if a.ndim == 0:
        raise PlaitValueError("nonzero is not defined for 0-d arrays; use atleast_1d(a)")
    return _nonzero_sized(a, _size_of(a, size, "nonzero"), fill_value)


@numpy_function(jit=False)
def flatnonzero(a, *, size=None, fill_value=None):
    """The indices of the nonzero entries of ravel(a)."""
    a = _arr(a)
    return nonzero(lax.reshape(a, (a.size,)), size=size, fill_value=fill_value)[0]


@numpy_function(jit=False)
def argwhere(a, *, size=None, fill_value=None):
    """The indices of a's nonzero entries, one row each: shape (count, a.ndim)."""
    a = _arr(a)
    flat = a if a.ndim else lax.reshape(a, (1,))
    cols = nonzero(flat, size=size, fill_value=fill_value)
    out = lax.concatenate([lax.reshape(c, (c.shape[0], 1)) for c in cols], 1)
    return out if a.ndim else lax.slice(out, (0, 0), (out.shape[0], 0))


@numpy_function(jit=False)
def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """where(condition, x, y): x where condition, else y. where(condition): nonzero(condition),
    with `size=` and `fill_value=` as there."""
    if x is None and y is None:
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise PlaitValueError("where takes either one argument (condition) or three "
                              "(condition, x, y)")
    if size is not None or fill_value is not None:
        raise PlaitValueError("where: size and fill_value are only taken with one argument")
    return _core.where(condition, x, y)


@numpy_function(static=("axis", "size"))
def _compress_sized(condition, a, axis, size, fill_value):
    idx, valid = flat_indices(_bool(condition), size)
    out = _take.traced(a, idx, axis, "clip", None) if a.shape[axis] else \
        lax.full(a.shape[:axis] + (size,) + a.shape[axis + 1:], 0, a.dtype)
    out = lax.transpose(out, _front(axis, out.ndim))
    out = fill_where(valid, out, fill_value)
    return lax.transpose(out, _inverse(_front(axis, out.ndim)))


def _front(axis, nd):
    return (axis,) + tuple(d for d in range(nd) if d != axis)


def _inverse(perm):
    return tuple(int(i) for i in np.argsort(perm))


@numpy_function(jit=False)
def compress(condition, a, axis=None, *, size=None, fill_value=0):
    """The slices of a along axis (of ravel(a) for None) where the 1-D condition is True; a
    condition shorter than the axis leaves out the rest, as NumPy."""
    condition, a = _arr(condition), _arr(a)
    if condition.ndim != 1:
        raise PlaitValueError(f"compress: condition must be 1-D, got shape {condition.shape}")
    if axis is None:
        a, axis = lax.reshape(a, (a.size,)), 0
    axis = canon_axis(axis, a.ndim)
    if condition.shape[0] > a.shape[axis]:
        raise PlaitValueError(f"compress: condition has {condition.shape[0]} entries, more than "
                              f"axis {axis} of a (size {a.shape[axis]})")
    return _compress_sized(condition, a, axis, _size_of(condition, size, "compress"), fill_value)


@numpy_function(jit=False)
def extract(condition, arr, *, size=None, fill_value=0):
    """The entries of ravel(arr) where ravel(condition) is True."""
    condition = _arr(condition)
    return compress(lax.reshape(condition, (condition.size,)), arr, None, size=size,
                    fill_value=fill_value)
