"""NumPy indexing for plait arrays: `x[idx]`, `x.at[idx].set/add/get`, take, take_along_axis.

An index is first normalised host-side into a static *spec* (slices, Nones, which entries
are integers or arrays) plus dynamic operands (index arrays; eagerly, also Python ints so
that `x[i]` in a loop does not compile once per `i`). Basic indexing becomes slice /
dynamic_slice / reshape; integer-array indexing becomes one gather; `.at[]` updates become
dynamic_update_slice or a point-wise scatter. Boolean masks must be concrete: their number
of `True`s sets the result shape.
"""

from __future__ import annotations

import functools

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.concrete import concrete_value
from plait.core.errors import ConcretizationError, PlaitTypeError, PlaitValueError
from plait.core.trace import Tracer, tracing
from plait.numpy._core import (
    asarray,
    broadcast_shapes,
    broadcast_to,
    is_array,
    numpy_function,
)
from plait.runtime.array import Array

# spec entries: ("slice", start, stop, step) | ("none",) | ("int", k) | ("int", None, value)
#               | ("array", k)   where k indexes the dynamic operands


def _is_int_like(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _concrete_mask(mask: Tracer) -> np.ndarray:
    """A traced mask's value where it is known (outside jit, or computed under jit from the
    arrays the function reads alone)."""
    try:
        return concrete_value(mask, "boolean indexing")
    except ConcretizationError:
        raise ConcretizationError(
            "boolean indexing with a traced mask: the result's shape would depend on the "
            "mask's values. Use plait.numpy.where(mask, x, 0) instead, or index outside "
            "jit.") from None


def _split(shape, idx):
    """(spec, dynamic operands) for an index on an array of `shape` (host-side)."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    entries = []
    for i in idx:
        if isinstance(i, list):
            i = np.asarray(i)
        if isinstance(i, (np.ndarray, Array)) and i.dtype == np.bool_ or isinstance(
                i, (bool, np.bool_)):
            entries.extend(_mask_to_indices(i))
        elif isinstance(i, Tracer) and i.dtype == np.bool_:
            entries.extend(_mask_to_indices(_concrete_mask(i)))
        else:
            entries.append(i)
    n_ellipsis = sum(e is Ellipsis for e in entries)
    if n_ellipsis > 1:
        raise PlaitValueError("an index can only have a single ellipsis ('...')")
    consumed = sum(1 for e in entries if e is not None and e is not Ellipsis)
    if consumed > len(shape):
        raise PlaitValueError(f"too many indices for array: array is {len(shape)}-dimensional, "
                              f"but {consumed} were indexed")
    if n_ellipsis:
        k = entries.index(Ellipsis)
        entries[k:k + 1] = [slice(None)] * (len(shape) - consumed)
    else:
        entries += [slice(None)] * (len(shape) - consumed)
    spec, dyn, dim = [], [], 0
    for e in entries:
        if e is None:
            spec.append(("none",))
            continue
        n = shape[dim]
        if isinstance(e, slice):
            spec.append(("slice",) + e.indices(n))
        elif _is_int_like(e):
            e = int(e)
            if not -n <= e < n:
                raise PlaitValueError(f"index {e} is out of bounds for axis {dim} with size {n}")
            spec.append(("int", None, e % n))
        elif is_array(e) or isinstance(e, np.ndarray):
            if not dtypes.is_integer(np.dtype(e.dtype)):
                raise PlaitTypeError(f"indices must be integers, got {e.dtype}")
            if isinstance(e, np.ndarray):
                e = np.where(e < 0, e + n, e)
            spec.append(("array", len(dyn)))
            dyn.append(e)
        else:
            raise PlaitTypeError(f"invalid index of type {type(e).__name__}; use ints, slices, "
                                 "None, ..., or integer / boolean arrays")
        dim += 1
    return tuple(spec), dyn


def _mask_to_indices(mask):
    if isinstance(mask, (bool, np.bool_)):
        raise PlaitTypeError("a scalar bool index is not supported")
    return [np.asarray(i, np.int32) for i in np.nonzero(np.asarray(mask))]


def _eager_ints(spec, dyn):
    """Eagerly, pass static ints as dynamic scalars so new values reuse the program."""
    spec2, dyn2 = [], list(dyn)
    for s in spec:
        if s[0] == "int":
            spec2.append(("int", len(dyn2)))
            dyn2.append(np.int32(s[2]))
        else:
            spec2.append(s)
    return tuple(spec2), dyn2


# --- x[idx] ------------------------------------------------------------------------------------

def getitem(x, idx):
    spec, dyn = _split(x.shape, idx)
    if tracing() or isinstance(x, Tracer):
        return _take_spec(x, spec, dyn)
    spec, dyn = _eager_ints(spec, dyn)
    return _eager_take()(x, spec, *dyn)


@functools.cache
def _eager_take():
    from plait.jitting import new_jitted

    def take(x, spec, *dyn):
        return _take_spec(x, spec, list(dyn))
    return new_jitted(take, static_argnums=(1,))


def _insert_nones(x, spec):
    """Replace `None` entries by new size-1 axes of x (then indexed by `:`)."""
    if not any(s[0] == "none" for s in spec):
        return x, spec
    shape, dim, new_spec = [], 0, []
    for s in spec:
        if s[0] == "none":
            shape.append(1)
            new_spec.append(("slice", 0, 1, 1))
        else:
            shape.append(x.shape[dim])
            dim += 1
            new_spec.append(s)
    return lax.reshape(x, shape), tuple(new_spec)


def _apply_slices(x, spec):
    """Apply every slice entry with static slice / rev ops."""
    starts, limits, strides, rev_dims = [], [], [], []
    for d, s in enumerate(spec):
        n = x.shape[d]
        if s[0] != "slice":
            starts.append(0)
            limits.append(n)
            strides.append(1)
            continue
        start, stop, step = s[1:]
        if step < 0:
            rev_dims.append(d)
            length = len(range(start, stop, step))
            start = n - 1 - start
            stop, step = start + (length - 1) * (-step) + 1 if length else start, -step
        stop = max(stop, start)
        starts.append(start)
        limits.append(stop)
        strides.append(step)
    if rev_dims:
        x = lax.rev(x, rev_dims)
    if (starts, limits) != ([0] * x.ndim, list(x.shape)) or any(st != 1 for st in strides):
        x = lax.slice(x, starts, limits, strides)
    return x


def _int_value(s, dyn):
    return s[2] if s[1] is None else dyn[s[1]]


def _take_spec(x, spec, dyn):
    x = x if is_array(x) else asarray(x)
    x, spec = _insert_nones(x, spec)
    x = _apply_slices(x, spec)
    if not any(s[0] == "array" for s in spec):
        return _take_ints(x, spec, dyn)
    return _take_advanced(x, spec, dyn)


def _take_ints(x, spec, dyn):
    int_dims = [d for d, s in enumerate(spec) if s[0] == "int"]
    if not int_dims:
        return x
    if all(spec[d][1] is None for d in int_dims):
        starts = [spec[d][2] if d in int_dims else 0 for d in range(x.ndim)]
        limits = [spec[d][2] + 1 if d in int_dims else x.shape[d] for d in range(x.ndim)]
        x = lax.slice(x, starts, limits)
    else:
        starts = [_int_value(spec[d], dyn) if d in int_dims else 0 for d in range(x.ndim)]
        sizes = [1 if d in int_dims else x.shape[d] for d in range(x.ndim)]
        x = lax.dynamic_slice(x, starts, sizes)
    return lax.reshape(x, [n for d, n in enumerate(x.shape) if d not in int_dims])


def _index_array(i, n):
    """An index operand as an int array with negatives wrapped (once, in the graph)."""
    if isinstance(i, np.ndarray):
        return asarray(i.astype(np.int32) if i.dtype.itemsize <= 4 else i)
    if not is_array(i):
        return asarray(np.int32(i))
    if dtypes.is_unsigned(i.dtype):
        return i
    return lax.select(lax.lt(i, 0), lax.add(i, lax.full(i.shape, n, i.dtype)), i)


def _advanced_parts(x, spec, dyn):
    adv = [d for d, s in enumerate(spec) if s[0] in ("array", "int")]
    arrays = []
    for d in adv:
        s = spec[d]
        if s[0] == "int":
            arrays.append(_index_array(_int_value(s, dyn), x.shape[d]))
        else:
            arrays.append(_index_array(dyn[s[1]], x.shape[d]))
    dt = np.result_type(*[a.dtype for a in arrays])
    arrays = [a if a.dtype == dt else lax.convert_element_type(a, dt) for a in arrays]
    bshape = broadcast_shapes(*[a.shape for a in arrays])
    arrays = [broadcast_to(a, bshape) for a in arrays]
    contiguous = adv == list(range(adv[0], adv[0] + len(adv)))
    return adv, arrays, bshape, contiguous


def _take_advanced(x, spec, dyn):
    adv, arrays, bshape, contiguous = _advanced_parts(x, spec, dyn)
    rest = [d for d in range(x.ndim) if d not in adv]
    x = lax.transpose(x, adv + rest)
    k, nb = len(adv), len(bshape)
    idx = lax.concatenate([lax.reshape(a, bshape + (1,)) for a in arrays], nb)
    dn = lax.GatherDimensionNumbers(offset_dims=tuple(range(nb, nb + len(rest))),
                                    collapsed_slice_dims=tuple(range(k)),
                                    start_index_map=tuple(range(k)))
    out = lax.gather(x, idx, dn, (1,) * k + tuple(x.shape[k:]))
    first = adv[0]
    if contiguous and first:
        perm = list(range(nb, nb + first)) + list(range(nb)) + list(range(nb + first, out.ndim))
        out = lax.transpose(out, perm)
    return out


# --- x.at[idx] ---------------------------------------------------------------------------------

class _IndexUpdateHelper:
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, idx):
        return _IndexUpdateRef(self.array, idx)


class _IndexUpdateRef:
    """`x.at[idx]`: functional updates returning a new array."""

    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array, self.index = array, index

    def get(self):
        return getitem(self.array, self.index)

    def set(self, values):
        return _update(self.array, self.index, values, "set")

    def add(self, values):
        return _update(self.array, self.index, values, "add")


def _update(x, idx, values, mode):
    spec, dyn = _split(x.shape, idx)
    if any(s[0] == "none" for s in spec):
        raise PlaitValueError("None (newaxis) is not supported in .at[] updates")
    if tracing() or isinstance(x, Tracer) or isinstance(values, Tracer):
        return _update_spec(x, values, spec, dyn, mode)
    spec, dyn = _eager_ints(spec, dyn)
    return _eager_update()(x, values, spec, mode, *dyn)


@functools.cache
def _eager_update():
    from plait.jitting import new_jitted

    def update(x, values, spec, mode, *dyn):
        return _update_spec(x, values, spec, list(dyn), mode)
    return new_jitted(update, static_argnums=(2, 3))


def _update_spec(x, values, spec, dyn, mode):
    x = x if is_array(x) else asarray(x)
    values = values if is_array(values) else asarray(values)
    if values.dtype != x.dtype:
        values = lax.convert_element_type(values, x.dtype)
    block = all(s[0] == "int" or (s[0] == "slice" and s[3] == 1) for s in spec)
    if block:
        return _update_block(x, values, spec, dyn, mode)
    return _update_points(x, values, spec, dyn, mode)


def _update_block(x, values, spec, dyn, mode):
    starts, sizes, out_shape = [], [], []
    for s in spec:
        if s[0] == "int":
            starts.append(_int_value(s, dyn))
            sizes.append(1)
        else:
            starts.append(s[1])
            n = max(s[2] - s[1], 0)
            sizes.append(n)
            out_shape.append(n)
    upd = lax.reshape(broadcast_to(values, tuple(out_shape)), sizes)
    if mode == "add":
        upd = lax.add(lax.dynamic_slice(x, starts, sizes), upd)
    return lax.dynamic_update_slice(x, upd, starts)


def _update_points(x, values, spec, dyn, mode):
    """Scatter with one full index vector per updated element."""
    has_adv = any(s[0] == "array" for s in spec)
    grids, result_shape = _index_grid(x, spec, dyn, has_adv)
    nr = len(result_shape)
    idx = lax.concatenate([lax.reshape(g, result_shape + (1,)) for g in grids], nr)
    upd = broadcast_to(values, result_shape)
    dn = lax.ScatterDimensionNumbers(update_window_dims=(),
                                     inserted_window_dims=tuple(range(x.ndim)),
                                     scatter_dims_to_operand_dims=tuple(range(x.ndim)))
    fn = lax.scatter if mode == "set" else lax.scatter_add
    return fn(x, idx, upd, dn)


def _index_grid(x, spec, dyn, has_adv):
    """Per operand dim, an int array broadcast to the shape of `x[idx]`."""
    slice_dims = [d for d, s in enumerate(spec) if s[0] == "slice"]
    lengths = {d: len(range(*spec[d][1:])) for d in slice_dims}
    if has_adv:
        adv, arrays, bshape, contiguous = _advanced_parts(x, spec, dyn)
        if contiguous:
            before = [d for d in slice_dims if d < adv[0]]
            after = [d for d in slice_dims if d > adv[0]]
            layout = [("s", d) for d in before] + [("b", None)] + [("s", d) for d in after]
        else:
            layout = [("b", None)] + [("s", d) for d in slice_dims]
    else:
        adv, arrays, bshape = [], [], ()
        layout = [("s", d) for d in slice_dims]
    shape, pos = [], {}
    b_pos = []
    for kind, d in layout:
        if kind == "b":
            b_pos = list(range(len(shape), len(shape) + len(bshape)))
            shape.extend(bshape)
        else:
            pos[d] = len(shape)
            shape.append(lengths[d])
    shape = tuple(shape)
    dt = arrays[0].dtype if arrays else dtypes.int32
    grids = []
    for d in range(x.ndim):
        s = spec[d]
        if d in adv:
            grids.append(lax.broadcast_in_dim(arrays[adv.index(d)], shape, b_pos))
        elif s[0] == "slice":
            start, _, step = s[1:]
            io = lax.broadcasted_iota(dt, shape, pos[d])
            grids.append(lax.add(lax.mul(io, step), start))
        else:
            grids.append(lax.full(shape, _int_value(s, dyn), dt)
                         if s[1] is None else lax.broadcast_in_dim(
                             lax.convert_element_type(dyn[s[1]], dt), shape, ()))
    return grids, shape


# --- take / take_along_axis ------------------------------------------------------------------

@numpy_function(jit=False)
def take(a, indices, axis=None):
    a = a if is_array(a) else asarray(a)
    if axis is None:
        a, axis = lax.reshape(a, (a.size,)), 0
    from plait.numpy._shape import canon_axis

    axis = canon_axis(axis, a.ndim)
    return getitem(a, (slice(None),) * axis + (indices,))


@numpy_function(static=("axis",))
def take_along_axis(arr, indices, axis):
    from plait.numpy._shape import canon_axis

    arr = arr if is_array(arr) else asarray(arr)
    indices = indices if is_array(indices) else asarray(indices)
    if axis is None:
        arr, axis = lax.reshape(arr, (arr.size,)), 0
        indices = lax.reshape(indices, (indices.size,))
    if indices.ndim != arr.ndim:
        raise PlaitValueError("take_along_axis: indices and arr must have the same number of "
                              "dimensions")
    axis = canon_axis(axis, arr.ndim)
    others = [d for d in range(arr.ndim) if d != axis]
    bshape = [arr.shape[d] if d != axis else indices.shape[d] for d in range(arr.ndim)]
    bshape = [max(b, indices.shape[d]) if d != axis else b for d, b in enumerate(bshape)]
    indices = broadcast_to(indices, tuple(bshape))
    arr = broadcast_to(arr, tuple(b if d != axis else arr.shape[d] for d, b in enumerate(bshape)))
    idx = lax.reshape(_index_array(indices, arr.shape[axis]), tuple(bshape) + (1,))
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(axis,),
                                    start_index_map=(axis,), operand_batching_dims=tuple(others),
                                    start_indices_batching_dims=tuple(others))
    return lax.gather(arr, idx, dn, (1,) * arr.ndim)
