"""Array construction and rearrangement for `plait.numpy`: append/insert/delete, block and the
stacking/splitting family, index helpers (indices, tri*_indices, ravel_multi_index, ...), put
and choose, packbits, select, kron, cross, trace, vecdot/matvec/vecmat.

Positions that set a result's shape (insert's and delete's `obj`, trim_zeros' zeros) must be
known: they are read host-side (host data, eager arrays, values known inside eager
transformations), as in jax; a traced one is a ConcretizationError at the user's line.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import ConcretizationError, PlaitTypeError, PlaitValueError
from plait.numpy._core import (
    _aval,
    _promote_all,
    asarray,
    broadcast_shapes,
    broadcast_to,
    canon_axis,
    conj,
    equal,
    exp,
    is_array,
    log,
    multiply,
    numpy_function,
    power,
    promote_avals,
    promote_broadcast,
    promote_dtypes_inexact,
    where,
)
from plait.numpy._indexing import take, take_along_axis
from plait.numpy._linalg import matmul
from plait.numpy._reductions import all as _all
from plait.numpy._reductions import cumsum
from plait.numpy._reductions import sum as _sum
from plait.numpy._shape import (
    atleast_1d,
    concatenate,
    diag,
    diagonal,
    expand_dims,
    flip,
    linspace,
    moveaxis,
    ravel,
    reshape,
    split,
    stack,
    swapaxes,
    transpose,
)
from plait.staging.concrete import concrete_value
from plait.staging.trace import Tracer


def _arr(x):
    return x if is_array(x) else asarray(x)


def _clip_ints(i, lo: int, hi: int):
    return lax.clamp(lax.full(i.shape, lo, i.dtype), i, lax.full(i.shape, hi, i.dtype))


def host_value(x, what: str, why: str = "it sets the result's shape") -> np.ndarray:
    """x's value on the host, which must be known (not computed from an argument of a jit)."""
    if isinstance(x, Tracer):
        try:
            return concrete_value(x, what)
        except ConcretizationError:
            raise ConcretizationError(
                f"{what} needs a concrete value ({why}), got a traced "
                f"{x.aval.str_short()}; pass a Python or NumPy value, or call it outside jit"
            ) from None
    return np.asarray(x)


# --- growing and shrinking --------------------------------------------------------------------

@numpy_function(static=("axis",))
def append(arr, values, axis=None):
    """arr with values appended along axis (both flattened for axis=None)."""
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    return concatenate([_arr(arr), _arr(values)], axis)


def _index_arg(obj, n: int, what: str):
    """A static int, slice or sequence of ints along an axis of length n, as NumPy reads it."""
    if isinstance(obj, slice):
        return np.arange(n)[obj]
    out = host_value(obj, what)
    if out.dtype == np.bool_:
        raise PlaitTypeError(f"{what}: boolean indices are not supported; use nonzero first")
    if not np.issubdtype(out.dtype, np.integer) and out.size:
        raise PlaitTypeError(f"{what}: indices must be integers, got {out.dtype}")
    return out.astype(np.int64)


def _axis_arr(arr, axis):
    arr = _arr(arr)
    if axis is None:
        return ravel(arr), 0
    return arr, canon_axis(axis, arr.ndim)


@numpy_function(jit=False)
def insert(arr, obj, values, axis=None):
    """NumPy's insert: values before the positions `obj` (an int, a slice or a sequence, which
    must be concrete) along axis, cast to arr's dtype."""
    arr, axis = _axis_arr(arr, axis)
    n = arr.shape[axis]
    pos = _index_arg(obj, n, "insert")
    if np.any((pos < -n) | (pos > n)):
        raise PlaitValueError(f"insert: index {obj} is out of bounds for axis {axis} with "
                              f"size {n}")
    pos = np.where(pos < 0, pos + n, pos)
    values = _arr(values)
    if values.dtype != arr.dtype:
        values = lax.convert_element_type(values, arr.dtype)
    if pos.size == 1:  # one block (for an int, values' first axis runs along `axis`)
        values = reshape(values, (1,) * (arr.ndim - values.ndim) + values.shape)
        values = moveaxis(values, 0, axis) if pos.ndim == 0 else values
        count = values.shape[axis]
        pos = np.full(count, int(pos.reshape(())))
    else:
        count = pos.size
    shape = arr.shape[:axis] + (count,) + arr.shape[axis + 1:]
    values = broadcast_to(values, broadcast_shapes(values.shape, shape))
    if values.shape != shape:
        raise PlaitValueError(f"insert: values of shape {values.shape} do not fit {shape}")
    order = np.insert(np.arange(n), pos, np.arange(n, n + count))
    return take(concatenate([arr, values], axis), order, axis=axis)


@numpy_function(jit=False)
def delete(arr, obj, axis=None, *, assume_unique_indices=False):
    """arr without the entries `obj` (an int, a slice or a sequence, which must be concrete)
    along axis."""
    arr, axis = _axis_arr(arr, axis)
    n = arr.shape[axis]
    pos = _index_arg(obj, n, "delete")
    if np.any((pos < -n) | (pos >= n)):
        raise PlaitValueError(f"delete: index {obj} is out of bounds for axis {axis} with "
                              f"size {n}")
    keep = np.delete(np.arange(n), pos)
    return take(arr, keep, axis=axis)


@numpy_function(static=("new_shape",))
def resize(a, new_shape):
    """a's elements, repeated as needed, in new_shape."""
    a = ravel(a)
    shape = (new_shape,) if isinstance(new_shape, (int, np.integer)) else tuple(new_shape)
    if builtins.any(d < 0 for d in shape):
        raise PlaitValueError(f"resize: negative dimensions are not allowed, got {shape}")
    size = math.prod(shape)
    if a.size == 0 or size == 0:
        return lax.full(shape, 0, a.dtype)
    reps = -(-size // a.size)
    flat = lax.reshape(lax.broadcast_in_dim(a, (reps, a.size), (1,)), (reps * a.size,))
    return lax.reshape(lax.slice_in_dim(flat, 0, size), shape)


@numpy_function(jit=False)
def trim_zeros(filt, trim="fb", axis=None):
    """filt without its leading ('f') and trailing ('b') zeros, which must be concrete."""
    filt = _arr(filt)
    host = host_value(filt, "trim_zeros")
    trim = trim.lower()
    axes = range(filt.ndim) if axis is None else [
        canon_axis(a, filt.ndim) for a in ((axis,) if isinstance(axis, int) else axis)]
    out = filt
    for ax in axes:
        nz = np.nonzero(np.any(host != 0, axis=tuple(d for d in range(host.ndim) if d != ax)))[0]
        if not nz.size:  # all zeros: nothing is left
            lo = hi = 0
        else:
            lo = int(nz[0]) if "f" in trim else 0
            hi = int(nz[-1]) + 1 if "b" in trim else host.shape[ax]
        out = lax.slice_in_dim(out, lo, hi, axis=ax)
    return out


# --- stacking and splitting -------------------------------------------------------------------

def _atleast(arys, nd):
    out = []
    for a in arys:
        a = _arr(a)
        if a.ndim < nd:
            shape = {0: (1,) * nd, 1: (1,) + a.shape + (1,) * (nd - 2),
                     2: a.shape + (1,) * (nd - 2)}[a.ndim]
            a = lax.reshape(a, shape)
        out.append(a)
    return out[0] if len(out) == 1 else out


@numpy_function(jit=False)
def atleast_3d(*arys):
    """Each array with at least 3 dimensions: (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _atleast(arys, 3)


@numpy_function(jit=False)
def column_stack(tup):
    """1-d arrays as columns, 2-d ones as they are, concatenated along axis 1."""
    cols = [_arr(a) for a in tup]
    return concatenate([lax.reshape(a, (a.size, 1)) if a.ndim < 2 else a for a in cols], 1)


@numpy_function(jit=False)
def dstack(tup, dtype=None):
    """Arrays stacked along a third axis."""
    out = concatenate([atleast_3d(a) for a in tup], 2)
    return out if dtype is None else lax.convert_element_type(out, dtype)


@numpy_function(jit=False)
def block(arrays):
    """NumPy's block: nested lists concatenated, the innermost along the last axis."""
    depth = _block_depth(arrays)
    ndim = builtins.max([depth] + [a.ndim for a in _block_leaves(arrays)])
    return _block(arrays, depth, ndim)


def _block_depth(x) -> int:
    if isinstance(x, tuple):
        raise PlaitTypeError("block: use lists, not tuples, to nest arrays")
    if not isinstance(x, list):
        return 0
    if not x:
        raise PlaitValueError("block: lists cannot be empty")
    depths = {_block_depth(e) for e in x}
    if len(depths) > 1:
        raise PlaitValueError("block: list depths are mismatched")
    return depths.pop() + 1


def _block_leaves(x):
    if isinstance(x, list):
        return [leaf for e in x for leaf in _block_leaves(e)]
    return [_arr(x)]


def _block(x, depth, ndim):
    if depth == 0:
        a = _arr(x)
        return lax.reshape(a, (1,) * (ndim - a.ndim) + a.shape)
    return concatenate([_block(e, depth - 1, ndim) for e in x], axis=-depth)


def _split_along(ary, indices_or_sections, axis, name, min_ndim):
    ary = _arr(ary)
    if ary.ndim < min_ndim:
        raise PlaitValueError(f"{name} only works on arrays of {min_ndim} or more dimensions")
    from_numpy = not isinstance(indices_or_sections, (int, np.integer))
    ios = tuple(int(i) for i in host_value(indices_or_sections, name)) if from_numpy else int(
        indices_or_sections)
    return split(ary, ios, axis)


@numpy_function(jit=False)
def hsplit(ary, indices_or_sections):
    """split along axis 1 (axis 0 for 1-d arrays)."""
    axis = 1 if _aval(ary).ndim > 1 else 0
    return _split_along(ary, indices_or_sections, axis, "hsplit", 1)


@numpy_function(jit=False)
def vsplit(ary, indices_or_sections):
    """split along axis 0 of an array of 2 or more dimensions."""
    return _split_along(ary, indices_or_sections, 0, "vsplit", 2)


@numpy_function(jit=False)
def dsplit(ary, indices_or_sections):
    """split along axis 2 of an array of 3 or more dimensions."""
    return _split_along(ary, indices_or_sections, 2, "dsplit", 3)


@numpy_function(jit=False)
def broadcast_arrays(*args):
    """The arrays broadcast to their common shape."""
    shape = broadcast_shapes(*[_aval(a).shape for a in args])
    return [broadcast_to(_arr(a), shape) for a in args]


@numpy_function(static=("axis",))
def unstack(x, /, *, axis=0):
    """The slices of x along axis, as a tuple."""
    x = _arr(x)
    axis = canon_axis(axis, x.ndim)
    return tuple(lax.reshape(lax.slice_in_dim(x, i, i + 1, axis=axis),
                             x.shape[:axis] + x.shape[axis + 1:]) for i in range(x.shape[axis]))


@numpy_function(static=("axes",))
def permute_dims(a, /, axes):
    """The array API's transpose."""
    return transpose(a, axes)


@numpy_function()
def matrix_transpose(x, /):
    """x with its last two axes swapped."""
    x = _arr(x)
    if x.ndim < 2:
        raise PlaitValueError(f"matrix_transpose needs at least 2 dimensions, got {x.shape}")
    return swapaxes(x, -1, -2)


@numpy_function(static=("axis", "start"))
def rollaxis(a, axis, start=0):
    """NumPy's rollaxis: axis moved to before position start."""
    a = _arr(a)
    axis = canon_axis(axis, a.ndim)
    if not -a.ndim <= start <= a.ndim:
        raise PlaitValueError(f"rollaxis: start {start} is out of bounds for {a.ndim} "
                              "dimensions")
    start = start + a.ndim if start < 0 else start
    if axis < start:
        start -= 1
    return a if axis == start else moveaxis(a, axis, start)


@numpy_function(static=("k", "axes"))
def rot90(m, k=1, axes=(0, 1)):
    """m rotated by 90 degrees k times, from the first of axes towards the second."""
    m = _arr(m)
    if len(axes) != 2:
        raise PlaitValueError("rot90: axes must be two axes")
    a0, a1 = canon_axis(axes[0], m.ndim), canon_axis(axes[1], m.ndim)
    if a0 == a1:
        raise PlaitValueError("rot90: axes must be different")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(m, (a0, a1))
    perm = list(range(m.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return transpose(flip(m, a1), perm)
    return flip(transpose(m, perm), a1)


@numpy_function(jit=False)
def concat(arrays, /, *, axis=0):
    """The array API's concatenate."""
    return concatenate(arrays, axis)


@numpy_function(jit=False)
def copy(a, order=None):
    """a copy of a (plait arrays are immutable: the array itself)."""
    return asarray(a)


@numpy_function(static=("k",))
def diagflat(v, k=0):
    """A 2-d array with the flattened v on its k-th diagonal."""
    return diag(ravel(v), k)


def _no_inplace(name: str, inplace: bool) -> None:
    if inplace:
        raise PlaitValueError(f"plait.numpy.{name} cannot update arrays in place (they are "
                              f"immutable); pass inplace=False and use the returned array")


@numpy_function(static=("wrap", "inplace"))
def fill_diagonal(a, val, wrap=False, *, inplace=True):
    """a with val (repeated as needed) on its main diagonal; needs inplace=False, as in jax."""
    _no_inplace("fill_diagonal", inplace)
    a = _arr(a)
    if a.ndim < 2:
        raise PlaitValueError("fill_diagonal: array must be at least 2-d")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise PlaitValueError("fill_diagonal: all dimensions of an n-d array must be equal")
    if a.ndim == 2:
        step = a.shape[1] + 1
        end = a.size if wrap else builtins.min(a.size, a.shape[1] * a.shape[1])
    else:
        step = 1 + int(np.sum(np.cumprod(a.shape[:-1])))
        end = a.size
    pos = np.arange(0, end, step)
    vals = resize(_arr(val), pos.size)
    return reshape(ravel(a).at[pos].set(vals), a.shape)


@numpy_function(jit=False)
def choose(a, choices, out=None, mode="raise"):
    """choices[a] elementwise, all broadcast; mode 'raise' (checked where a is concrete),
    'wrap' or 'clip'."""
    if out is not None:
        raise PlaitValueError("choose: the 'out' argument is not supported (arrays are "
                              "immutable)")
    a = _arr(a)
    if not dtypes.is_integer(a.dtype):
        raise PlaitTypeError(f"choose: a must be integers, got {a.dtype}")
    choices = _promote_all(list(choices))
    n = len(choices)
    if mode == "raise":
        host = host_value(a, "choose with mode='raise'", "its indices are checked; use "
                          "mode='wrap' or 'clip' under jit")
        if np.any((host < 0) | (host >= n)):
            raise PlaitValueError("choose: invalid entry in choice array")
    elif mode == "wrap":
        a = a % n
    elif mode == "clip":
        a = _clip_ints(a, 0, n - 1)
    else:
        raise PlaitValueError(f"choose: invalid mode {mode!r}; use 'raise', 'wrap' or 'clip'")
    *choices, a = broadcast_arrays(*choices, a)
    return take_along_axis(stack(choices), expand_dims(a, 0), 0, mode="clip")[0]


@numpy_function(static=("mode", "inplace"))
def put(a, ind, v, mode=None, *, inplace=True):
    """a.ravel() with v (repeated as needed) at the flat positions ind; needs inplace=False,
    as in jax. mode: 'fill'/'drop' (the default: out-of-bounds dropped), 'clip' or 'wrap'."""
    _no_inplace("put", inplace)
    a, ind = _arr(a), ravel(ind)
    if mode == "raise":
        raise PlaitValueError("put: mode='raise' is not supported (it would need a run-time "
                              "check); use 'fill', 'clip' or 'wrap'")
    if mode == "wrap":
        ind, mode = ind % a.size, None
    vals = resize(_arr(v), ind.size)
    return reshape(ravel(a).at[ind].set(vals, mode=mode), a.shape)


@numpy_function(static=("axis", "inplace", "mode"))
def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """arr with values at indices along axis (the inverse of take_along_axis); needs
    inplace=False, as in jax."""
    _no_inplace("put_along_axis", inplace)
    arr, indices = _arr(arr), _arr(indices)
    shape = arr.shape
    if axis is None:
        arr, indices, axis = ravel(arr), ravel(indices), 0
    if indices.ndim != arr.ndim:
        raise PlaitValueError("put_along_axis: indices and arr must have the same number of "
                              "dimensions")
    axis = canon_axis(axis, arr.ndim)
    bshape = tuple(indices.shape[d] if d == axis else builtins.max(arr.shape[d],
                                                                   indices.shape[d])
                   for d in range(arr.ndim))
    indices = broadcast_to(indices, bshape)
    idx = tuple(indices if d == axis else lax.broadcasted_iota(indices.dtype, bshape, d)
                for d in range(arr.ndim))
    return reshape(arr.at[idx].set(broadcast_to(_arr(values), bshape), mode=mode), shape)


@numpy_function(static=("inplace",))
def place(arr, mask, vals, *, inplace=True):
    """arr with its masked entries replaced, in order, by vals (repeated as needed); needs
    inplace=False, as in jax."""
    _no_inplace("place", inplace)
    arr = _arr(arr)
    mask = broadcast_to(lax.ne(_arr(mask), lax.full((), 0, _arr(mask).dtype))
                        if _arr(mask).dtype != dtypes.bool_ else _arr(mask), arr.shape)
    vals = ravel(vals)
    if vals.size == 0:
        return arr
    k = cumsum(ravel(mask), dtype=dtypes.int32) - 1
    picked = take(vals, k % vals.size, mode="clip")
    return where(mask, reshape(picked, arr.shape), arr)


@numpy_function()
def array_equiv(a1, a2):
    """Whether a1 and a2 are equal after broadcasting (False if they do not broadcast)."""
    try:
        broadcast_shapes(_aval(a1).shape, _aval(a2).shape)
    except PlaitTypeError:
        return lax.full((), False, dtypes.bool_)
    return _all(equal(a1, a2))


# --- ranges -----------------------------------------------------------------------------------

@numpy_function(jit=False)
def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """base ** linspace(start, stop, num)."""
    dt = None if dtype is None or not dtypes.is_integer(np.dtype(dtype)) else dtype
    exps = linspace(start, stop, num, endpoint, dtype=None if dt else dtype, axis=axis)
    out = power(_arr(base).astype(exps.dtype) if is_array(base) else base, exps)
    return out if dt is None else lax.convert_element_type(out, dt)


@numpy_function(jit=False)
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """num points spaced evenly on a log scale from start to stop (which have one sign); the
    ends are exact."""
    start, stop = promote_dtypes_inexact(start, stop)
    sign = lax.sign(start)
    lo, hi = log(start * sign), log(stop * sign)
    out = exp(linspace(lo, hi, num, endpoint, axis=0))
    shape = (num,) + start.shape
    out = out * broadcast_to(sign, shape)
    if num:
        out = out.at[0].set(broadcast_to(start, start.shape))
        if endpoint and num > 1:
            out = out.at[-1].set(stop)
    out = moveaxis(out, 0, axis) if start.ndim else out
    return out if dtype is None else lax.convert_element_type(out, dtype)


# --- index arrays ------------------------------------------------------------------------------

def _int(dtype=None):
    return dtypes.canonicalize(dtype) if dtype is not None else dtypes.config.default_int


@numpy_function(static=("dimensions", "dtype", "sparse"))
def indices(dimensions, dtype=None, sparse=False):
    """The grid of indices of an array of shape dimensions: stacked, or sparse (one per axis,
    broadcastable)."""
    dims = tuple(int(d) for d in dimensions)
    dt = _int(dtype)
    if sparse:
        return tuple(lax.broadcasted_iota(dt, tuple(n if j == i else 1 for j, n in
                                                    enumerate(dims)), i)
                     for i in range(len(dims)))
    if not dims:
        return lax.full((0,), 0, dt)
    return stack([lax.broadcasted_iota(dt, dims, i) for i in range(len(dims))])


def _host_indices(arrays):
    return tuple(asarray(x.astype(np.int64), dtypes.config.default_int) for x in arrays)


@numpy_function(jit=False)
def tril_indices(n, k=0, m=None):
    """The indices of the lower triangle of an (n, m) array."""
    return _host_indices(np.tril_indices(n, k, m))


@numpy_function(jit=False)
def triu_indices(n, k=0, m=None):
    """The indices of the upper triangle of an (n, m) array."""
    return _host_indices(np.triu_indices(n, k, m))


def _shape2(arr, name):
    shape = arr.shape if hasattr(arr, "shape") else np.shape(arr)
    if len(shape) != 2:
        raise PlaitValueError(f"{name} needs a 2-d array, got shape {tuple(shape)}")
    return shape


@numpy_function(jit=False)
def tril_indices_from(arr, k=0):
    n, m = _shape2(arr, "tril_indices_from")
    return tril_indices(n, k, m)


@numpy_function(jit=False)
def triu_indices_from(arr, k=0):
    n, m = _shape2(arr, "triu_indices_from")
    return triu_indices(n, k, m)


@numpy_function(jit=False)
def diag_indices(n, ndim=2):
    """The indices of the main diagonal of an n x ... x n array of ndim dimensions."""
    if n < 0 or ndim < 0:
        raise PlaitValueError(f"diag_indices: n and ndim must be non-negative, got {n}, {ndim}")
    return (lax.iota(dtypes.config.default_int, n),) * ndim


@numpy_function(jit=False)
def diag_indices_from(arr):
    shape = _aval(arr).shape
    if len(shape) < 2 or len(set(shape)) != 1:
        raise PlaitValueError(f"diag_indices_from needs a square array of 2 or more "
                              f"dimensions, got shape {shape}")
    return diag_indices(shape[0], len(shape))


@numpy_function(jit=False)
def ix_(*args):
    """An open mesh from 1-d sequences (bool ones by their True positions), for indexing."""
    out = []
    for i, a in enumerate(args):
        if np.ndim(a) != 1 if not is_array(a) else a.ndim != 1:
            raise PlaitValueError(f"ix_: arguments must be 1-d, got shape {np.shape(a)}")
        if (a.dtype if is_array(a) else np.asarray(a).dtype) == np.bool_:
            a = np.nonzero(host_value(a, "ix_ of a boolean array"))[0]
            a = asarray(a.astype(np.int64), dtypes.config.default_int)
        a = _arr(a)
        out.append(lax.reshape(a, (1,) * i + a.shape + (1,) * (len(args) - i - 1)))
    return tuple(out)


@numpy_function(jit=False)
def mask_indices(n, mask_func, k=0, *, size=None):
    """The indices where mask_func(ones((n, n)), k) is nonzero (padded with 0 or cut to size)."""
    mask = host_value(_arr(mask_func(lax.full((n, n), 1, dtypes.int32), k)), "mask_indices")
    rows, cols = np.nonzero(mask)
    if size is not None:
        rows, cols = (np.pad(r[:size], (0, builtins.max(0, size - r.size))) for r in (rows, cols))
    return _host_indices((rows, cols))


@numpy_function(jit=False)
def ravel_multi_index(multi_index, dims, mode="raise", order="C", *, dtype=None):
    """Flat indices of the index arrays in multi_index into an array of shape dims; mode
    'raise' (checked where the indices are concrete), 'wrap' or 'clip'."""
    dims = tuple(int(d) for d in dims)
    if len(multi_index) != len(dims):
        raise PlaitValueError(f"ravel_multi_index: {len(multi_index)} index arrays for "
                              f"{len(dims)} dimensions")
    if order not in ("C", "F"):
        raise PlaitValueError(f"ravel_multi_index: order must be 'C' or 'F', got {order!r}")
    idx = _promote_all(list(multi_index))
    if builtins.any(not dtypes.is_integer(i.dtype) for i in idx):
        raise PlaitTypeError("ravel_multi_index: only integer indices are supported")
    idx = broadcast_arrays(*idx)
    if mode == "raise":
        for i, d in zip(idx, dims):
            host = host_value(i, "ravel_multi_index with mode='raise'", "its indices are "
                              "checked; use mode='wrap' or 'clip' under jit")
            if np.any((host < 0) | (host >= d)):
                raise PlaitValueError("ravel_multi_index: invalid entry in coordinates array")
    elif mode == "wrap":
        idx = [i % d for i, d in zip(idx, dims)]
    elif mode == "clip":
        idx = [_clip_ints(i, 0, d - 1) for i, d in zip(idx, dims)]
    else:
        raise PlaitValueError(f"ravel_multi_index: invalid mode {mode!r}")
    strides = np.cumprod((1,) + (dims[::-1] if order == "C" else dims)[:-1])
    strides = strides[::-1] if order == "C" else strides
    dt = _int(dtype)
    out = lax.full(idx[0].shape, 0, dt)
    for i, s in zip(idx, strides):
        out = out + lax.convert_element_type(i, dt) * int(s)
    return out


@numpy_function(static=("shape",))
def unravel_index(indices, shape):
    """The index arrays of the flat indices into an array of shape; out-of-bounds indices are
    clipped, as in jax (NumPy raises)."""
    indices = _arr(indices)
    if not dtypes.is_integer(indices.dtype):
        raise PlaitTypeError(f"unravel_index: indices must be integers, got {indices.dtype}")
    shape = tuple(int(d) for d in shape)
    size = math.prod(shape)
    flat = where(indices < 0, indices + size, indices)
    flat = _clip_ints(flat, 0, builtins.max(size - 1, 0))
    out = []
    for d in reversed(shape):
        out.append(flat % d)
        flat = flat // d
    return tuple(reversed(out))


# --- bits -----------------------------------------------------------------------------------

@numpy_function(static=("axis", "bitorder"))
def packbits(a, axis=None, bitorder="big"):
    """The nonzero-ness of a's elements packed 8 to a uint8, along axis (flattened for None)."""
    a = _arr(a)
    if not (dtypes.is_integer(a.dtype) or a.dtype == dtypes.bool_):
        raise PlaitTypeError(f"packbits expects an integer or bool array, got {a.dtype}")
    if bitorder not in ("big", "little"):
        raise PlaitValueError("packbits: bitorder must be 'big' or 'little'")
    a, axis = _axis_arr(a, axis)
    bits = lax.convert_element_type(a != 0, dtypes.uint8)
    n = a.shape[axis]
    pad = -n % 8
    cfg = [(0, pad if d == axis else 0, 0) for d in range(a.ndim)]
    bits = moveaxis(lax.pad(bits, lax.full((), 0, dtypes.uint8), cfg), axis, -1)
    bits = lax.reshape(bits, bits.shape[:-1] + ((n + pad) // 8, 8))
    shifts = np.arange(8, dtype=np.uint8)
    shifts = shifts[::-1].copy() if bitorder == "big" else shifts
    packed = _sum(lax.shift_left(bits, broadcast_to(asarray(shifts), bits.shape)), axis=-1,
                  dtype=dtypes.uint8)
    return moveaxis(packed, -1, axis)


@numpy_function(static=("axis", "count", "bitorder"))
def unpackbits(a, axis=None, count=None, bitorder="big"):
    """The bits of a uint8 array, 8 per element, along axis (flattened for None)."""
    a = _arr(a)
    if a.dtype != dtypes.uint8:
        raise PlaitTypeError(f"unpackbits expects a uint8 array, got {a.dtype}")
    if bitorder not in ("big", "little"):
        raise PlaitValueError("unpackbits: bitorder must be 'big' or 'little'")
    a, axis = _axis_arr(a, axis)
    shifts = np.arange(8, dtype=np.uint8)
    shifts = shifts[::-1].copy() if bitorder == "big" else shifts
    x = expand_dims(moveaxis(a, axis, -1), -1)
    shape = x.shape[:-1] + (8,)
    bits = lax.bitwise_and(lax.shift_right_logical(broadcast_to(x, shape),
                                                   broadcast_to(asarray(shifts), shape)),
                           lax.full(shape, 1, dtypes.uint8))
    bits = lax.reshape(bits, shape[:-2] + (shape[-2] * 8,))
    n = bits.shape[-1]
    if count is not None:
        stop = count if count >= 0 else builtins.max(n + count, 0)
        if stop > n:
            cfg = [(0, stop - n if d == bits.ndim - 1 else 0, 0) for d in range(bits.ndim)]
            bits = lax.pad(bits, lax.full((), 0, dtypes.uint8), cfg)
        bits = lax.slice_in_dim(bits, 0, stop, axis=bits.ndim - 1)
    return moveaxis(bits, -1, axis)


# --- selection and products --------------------------------------------------------------------

@numpy_function()
def select(condlist, choicelist, default=0):
    """The choice of the first true condition, elementwise (default where none is)."""
    if len(condlist) != len(choicelist):
        raise PlaitValueError(f"select: condlist and choicelist must have the same length, got "
                              f"{len(condlist)} and {len(choicelist)}")
    if not condlist:
        raise PlaitValueError("select: condlist must be non-empty")
    conds = [_arr(c) for c in condlist]
    for c in conds:
        if c.dtype != dtypes.bool_:
            raise PlaitTypeError(f"select: condlist entries must be bool, got {c.dtype}")
    *choices, out = promote_broadcast(*choicelist, default)
    shape = broadcast_shapes(out.shape, *[c.shape for c in conds])
    out = broadcast_to(out, shape)
    for c, x in zip(reversed(conds), reversed(choices)):
        out = lax.select(broadcast_to(c, shape), broadcast_to(x, shape), out)
    return out


@numpy_function()
def kron(a, b):
    """The Kronecker product: blocks a[i] * b."""
    a, b = _arr(a), _arr(b)
    nd = builtins.max(a.ndim, b.ndim)
    a = lax.reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = lax.reshape(b, (1,) * (nd - b.ndim) + b.shape)
    a = lax.reshape(a, tuple(d for n in a.shape for d in (n, 1)))
    b = lax.reshape(b, tuple(d for n in b.shape for d in (1, n)))
    return reshape(multiply(a, b), tuple(m * n for m, n in zip(a.shape[::2], b.shape[1::2])))


@numpy_function(static=("axisa", "axisb", "axisc", "axis"))
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 2- or 3-vectors along axisa and axisb (both `axis` if given); a
    pair of 2-vectors gives the z component."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = promote_broadcast_pair(a, b)
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise PlaitValueError(f"cross: incompatible dimensions for cross product (dimension "
                              f"must be 2 or 3), got {a.shape[-1]} and {b.shape[-1]}")
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    a2 = a[..., 2] if a.shape[-1] == 3 else None
    b2 = b[..., 2] if b.shape[-1] == 3 else None
    if a2 is None and b2 is None:
        return a0 * b1 - a1 * b0
    zero = lax.full((), 0, a.dtype)
    a2 = zero if a2 is None else a2
    b2 = zero if b2 is None else b2
    c = stack(broadcast_arrays(a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0), -1)
    return moveaxis(c, -1, axisc)


def promote_broadcast_pair(a, b):
    """a and b in their common dtype, each keeping its shape."""
    a, b = _arr(a), _arr(b)
    dt = promote_avals([a.aval, b.aval])[0]
    return [x if x.dtype == dt else lax.convert_element_type(x, dt) for x in (a, b)]


@numpy_function(static=("offset", "axis1", "axis2", "dtype"))
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """The sums of a's diagonals over axis1 and axis2."""
    if out is not None:
        raise PlaitValueError("trace: the 'out' argument is not supported (arrays are "
                              "immutable)")
    a = _arr(a)
    if a.ndim < 2:
        raise PlaitValueError(f"trace needs at least 2 dimensions, got shape {a.shape}")
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


@numpy_function(static=("axis", "precision", "preferred_element_type"))
def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    """Σ conj(x1) x2 over axis, the other axes broadcast."""
    x1, x2 = promote_broadcast_pair(x1, x2)
    if x1.shape[axis] != x2.shape[axis]:
        raise PlaitValueError(f"vecdot: shapes {x1.shape} and {x2.shape} differ along axis "
                              f"{axis}")
    out = _sum(multiply(conj(x1), x2), axis=axis)
    return out if preferred_element_type is None else lax.convert_element_type(
        out, preferred_element_type)


@numpy_function()
def matvec(x1, x2, /):
    """The matrix-vector product over the last axes, the others broadcast."""
    x1, x2 = _arr(x1), atleast_1d(x2)
    return matmul(x1, expand_dims(x2, -1))[..., 0]


@numpy_function()
def vecmat(x1, x2, /):
    """The vector-matrix product conj(x1) @ x2 over the last axes, the others broadcast."""
    x1, x2 = atleast_1d(x1), _arr(x2)
    return matmul(expand_dims(conj(x1), -2), x2)[..., 0, :]
