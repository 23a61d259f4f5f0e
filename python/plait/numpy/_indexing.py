"""NumPy indexing for plait arrays: `x[idx]`, `x.at[idx].set/add/multiply/min/max/apply/get`,
take, take_along_axis.

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
from plait.core.errors import ConcretizationError, PlaitTypeError, PlaitValueError
from plait.jitting import new_jitted
from plait.numpy._core import (
    asarray,
    broadcast_shapes,
    broadcast_to,
    canon_axis,
    is_array,
    numpy_function,
)
from plait.runtime.array import Array
from plait.staging.concrete import concrete_value
from plait.staging.trace import Tracer, tracing

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
            "mask's values. Use plait.numpy.where(mask, x, 0), or a static size=: "
            "x[plait.numpy.nonzero(mask, size=n)] or plait.numpy.extract(mask, x, size=n), "
            "or index outside jit.") from None


def _split(shape, idx, strict=True):
    """(spec, dynamic operands) for an index on an array of `shape` (host-side). A static int
    out of bounds is an error when `strict`, else an index array left to the indexing mode."""
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
        elif _is_int_like(e) and (strict or -n <= e < n):
            e = int(e)
            if not -n <= e < n:
                raise PlaitValueError(f"index {e} is out of bounds for axis {dim} with size {n}")
            spec.append(("int", None, e % n))
        elif _is_int_like(e):
            spec.append(("array", len(dyn)))
            dyn.append(np.asarray(e, np.int32 if -2**31 <= e < 2**31 else np.int64))
        elif is_array(e) or isinstance(e, np.ndarray):
            if not dtypes.is_integer(np.dtype(e.dtype)):
                raise PlaitTypeError(f"indices must be integers, got {e.dtype}")
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

def _static_fill(fill_value):
    """fill_value as a hashable host scalar (it is a static argument, as in jax)."""
    if fill_value is None:
        return None
    if isinstance(fill_value, Tracer):
        raise ConcretizationError("fill_value must be a concrete scalar, got a traced value")
    if np.ndim(fill_value) != 0:
        raise PlaitValueError(f"fill_value must be a scalar, got shape {np.shape(fill_value)}")
    return np.asarray(fill_value).item()


def _strict(mode) -> bool:
    """Static ints out of bounds raise unless an out-of-bounds mode is asked for."""
    return mode is None or \
        lax.GatherScatterMode.from_any(mode) is lax.GatherScatterMode.PROMISE_IN_BOUNDS


def getitem(x, idx, mode=None, fill_value=None):
    spec, dyn = _split(x.shape, idx, _strict(mode))
    fill_value = _static_fill(fill_value)
    if tracing() or isinstance(x, Tracer):
        return _take_spec(x, spec, dyn, mode, fill_value)
    spec, dyn = _eager_ints(spec, dyn)
    return _eager_take()(x, spec, mode, fill_value, *dyn)


@functools.cache
def _eager_take():
    def take(x, spec, mode, fill_value, *dyn):
        return _take_spec(x, spec, list(dyn), mode, fill_value)
    return new_jitted(take, static_argnums=(1, 2, 3))


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


def _take_spec(x, spec, dyn, mode=None, fill_value=None):
    x = x if is_array(x) else asarray(x)
    x, spec = _insert_nones(x, spec)
    x = _apply_slices(x, spec)
    if not any(s[0] == "array" for s in spec):
        return _take_ints(x, spec, dyn)
    return _take_advanced(x, spec, dyn, mode, fill_value)


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
    """An index operand as an int array with negatives wrapped, once (on the host for NumPy
    arrays, else in the graph)."""
    if isinstance(i, np.ndarray):
        if i.dtype.kind == "i":
            i = np.where(i < 0, i + n, i)
        return asarray(i.astype(np.int32) if i.dtype.itemsize <= 4 else i)
    if not is_array(i):
        return asarray(np.int32(i))
    return _wrap_negative(i, n)


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


def _take_advanced(x, spec, dyn, mode, fill_value):
    adv, arrays, bshape, contiguous = _advanced_parts(x, spec, dyn)
    rest = [d for d in range(x.ndim) if d not in adv]
    x = lax.transpose(x, adv + rest)
    k, nb = len(adv), len(bshape)
    idx = lax.concatenate([lax.reshape(a, bshape + (1,)) for a in arrays], nb)
    dn = lax.GatherDimensionNumbers(offset_dims=tuple(range(nb, nb + len(rest))),
                                    collapsed_slice_dims=tuple(range(k)),
                                    start_index_map=tuple(range(k)))
    out = lax.gather(x, idx, dn, (1,) * k + tuple(x.shape[k:]), mode=mode,
                     fill_value=fill_value)
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

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None,
            fill_value=None):
        """`x[idx]`; out-of-bounds indices follow `mode` as in jax: clamped by default
        ("promise_in_bounds", "clip"), or `fill_value` ("fill", "drop"; default NaN, the
        extreme integer, or True). `indices_are_sorted` and `unique_indices` are jax's
        hints, accepted and not needed."""
        return getitem(self.array, self.index, mode, fill_value)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x[idx] = values`; out-of-bounds updates are dropped, or clamped into bounds with
        mode="clip", as in jax."""
        return _update(self.array, self.index, values, "set", mode)

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x[idx] += values`; out-of-bounds updates follow `mode` as in `set`."""
        return _update(self.array, self.index, values, "add", mode)

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x[idx] *= values` (repeated indices multiply every value in); out-of-bounds updates
        follow `mode` as in `set`."""
        return _update(self.array, self.index, values, "mul", mode, unique_indices)

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x[idx] = minimum(x[idx], values)` (over repeated indices too); out-of-bounds
        updates follow `mode` as in `set`."""
        return _update(self.array, self.index, values, "min", mode, unique_indices)

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x[idx] = maximum(x[idx], values)` (over repeated indices too); out-of-bounds
        updates follow `mode` as in `set`."""
        return _update(self.array, self.index, values, "max", mode, unique_indices)

    def apply(self, func, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x[idx] = func(x[idx])`, applied once per repetition of an index, as in jax;
        out-of-bounds updates follow `mode` as in `set`."""
        return _update(self.array, self.index, None, ("apply", func), mode, unique_indices)


def _update(x, idx, values, kind, mode, unique_indices=False):
    """`kind`: "set", "add", "mul", "min", "max", or ("apply", func)."""
    spec, dyn = _split(x.shape, idx, _strict(mode))
    if any(s[0] == "none" for s in spec):
        raise PlaitValueError("None (newaxis) is not supported in .at[] updates")
    if tracing() or isinstance(x, Tracer) or isinstance(values, Tracer):
        return _update_spec(x, values, spec, dyn, kind, mode, unique_indices)
    spec, dyn = _eager_ints(spec, dyn)
    return _eager_update()(x, values, spec, kind, mode, bool(unique_indices), *dyn)


@functools.cache
def _eager_update():
    def update(x, values, spec, kind, mode, unique_indices, *dyn):
        return _update_spec(x, values, spec, list(dyn), kind, mode, unique_indices)
    return new_jitted(update, static_argnums=(2, 3, 4, 5))


def _update_spec(x, values, spec, dyn, kind, mode=None, unique_indices=False):
    x = x if is_array(x) else asarray(x)
    if kind[0] != "apply":
        values = values if is_array(values) else asarray(values)
        if values.dtype != x.dtype:
            values = lax.convert_element_type(values, x.dtype)
    block = all(s[0] == "int" or (s[0] == "slice" and s[3] == 1) for s in spec)
    if block:  # every index in bounds: ints are checked, slices clipped
        return _update_block(x, values, spec, dyn, kind)
    return _update_points(x, values, spec, dyn, kind, mode, unique_indices)


# how an update combines with the element it lands on, in a block (no repeated indices)
_COMBINE = {"add": lax.add, "mul": lax.mul, "min": lax.min, "max": lax.max}


def _update_block(x, values, spec, dyn, kind):
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
    if kind[0] == "apply":
        return lax.dynamic_update_slice(x, kind[1](lax.dynamic_slice(x, starts, sizes)), starts)
    upd = lax.reshape(broadcast_to(values, tuple(out_shape)), sizes)
    if kind in _COMBINE:
        upd = _COMBINE[kind](lax.dynamic_slice(x, starts, sizes), upd)
    return lax.dynamic_update_slice(x, upd, starts)


_SCATTERS = {"set": lax.scatter, "add": lax.scatter_add, "mul": lax.scatter_mul,
             "min": lax.scatter_min, "max": lax.scatter_max}


def _update_points(x, values, spec, dyn, kind, mode, unique_indices=False):
    """Scatter with one full index vector per updated element."""
    has_adv = any(s[0] == "array" for s in spec)
    grids, result_shape = _index_grid(x, spec, dyn, has_adv)
    nr = len(result_shape)
    idx = lax.concatenate([lax.reshape(g, result_shape + (1,)) for g in grids], nr)
    dn = lax.ScatterDimensionNumbers(update_window_dims=(),
                                     inserted_window_dims=tuple(range(x.ndim)),
                                     scatter_dims_to_operand_dims=tuple(range(x.ndim)))
    if kind[0] == "apply":
        return lax.scatter_apply(x, idx, kind[1], dn, update_shape=result_shape,
                                 unique_indices=unique_indices, mode=mode)
    upd = broadcast_to(values, result_shape)
    return _SCATTERS[kind](x, idx, upd, dn, unique_indices=unique_indices, mode=mode)


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
def take(a, indices, axis=None, out=None, mode=None, unique_indices=False,
         indices_are_sorted=False, fill_value=None):
    """jnp.take: out-of-bounds indices follow `mode`: "fill" (the default: `fill_value`, which
    defaults to NaN, the extreme integer, or True), "clip" (clamped; negative indices too),
    "wrap" (taken modulo the axis size). Negative indices count from the end under "fill"."""
    if out is not None:
        raise PlaitValueError("take: the 'out' argument is not supported (arrays are immutable)")
    if isinstance(indices, (list, tuple, int, np.integer)):
        indices = np.asarray(indices)
    return _take(a, indices, axis, mode, _static_fill(fill_value))


@numpy_function(static=("axis", "mode", "fill_value"), name="take")
def _take(a, indices, axis, mode, fill_value):
    a = a if is_array(a) else asarray(a)
    indices = indices if is_array(indices) else asarray(indices)
    if not dtypes.is_integer(indices.dtype):
        raise PlaitTypeError(f"take: indices must be integers, got {indices.dtype}")
    if axis is None:
        a, axis = lax.reshape(a, (a.size,)), 0
    axis = canon_axis(axis, a.ndim)
    n = a.shape[axis]
    if mode is None or mode == "fill":
        indices, gather_mode = _wrap_negative(indices, n), "fill"
    elif mode == "wrap":
        indices, gather_mode = _mod(indices, n), "promise_in_bounds"
    elif mode == "clip":
        gather_mode = "clip"
    elif mode == "raise":
        raise PlaitValueError("take: mode='raise' is not supported (it would need a run-time "
                              "check); use 'fill', 'clip' or 'wrap'")
    else:
        raise PlaitValueError(f"take: invalid mode {mode!r}; use 'fill', 'clip' or 'wrap'")
    out_shape = a.shape[:axis] + indices.shape + a.shape[axis + 1:]
    if n == 0 and indices.size:
        raise PlaitValueError("take: cannot take a non-empty selection from an empty axis")
    if 0 in out_shape:
        return lax.full(out_shape, 0, a.dtype)
    dn = lax.GatherDimensionNumbers(
        offset_dims=tuple(range(axis)) + tuple(range(axis + indices.ndim, len(out_shape))),
        collapsed_slice_dims=(axis,), start_index_map=(axis,))
    sizes = a.shape[:axis] + (1,) + a.shape[axis + 1:]
    return lax.gather(a, lax.reshape(indices, indices.shape + (1,)), dn, sizes,
                      mode=gather_mode, fill_value=fill_value)


def _wrap_negative(i, n):
    """Indices in [-n, 0) counted from the end (once: smaller ones stay out of bounds)."""
    if dtypes.is_unsigned(i.dtype):
        return i
    return lax.select(lax.lt(i, 0), lax.add(i, lax.full(i.shape, n, i.dtype)), i)


def _mod(i, n):
    """i mod n, in [0, n) for negative i too."""
    nn = lax.full(i.shape, n, i.dtype)
    return lax.rem(lax.add(lax.rem(i, nn), nn), nn)


@numpy_function(jit=False)
def take_along_axis(arr, indices, axis, mode=None, fill_value=None):
    """jnp.take_along_axis: negative indices count from the end (except under
    mode="promise_in_bounds", as in jax); out-of-bounds ones follow `mode`, "fill" by
    default (`fill_value`, defaulting to NaN, the extreme integer, or True)."""
    if isinstance(indices, (list, tuple)):
        indices = np.asarray(indices)
    return _take_along_axis(arr, indices, axis, mode, _static_fill(fill_value))


@numpy_function(static=("axis", "mode", "fill_value"), name="take_along_axis")
def _take_along_axis(arr, indices, axis, mode, fill_value):
    arr = arr if is_array(arr) else asarray(arr)
    indices = indices if is_array(indices) else asarray(indices)
    if axis is None:
        arr, axis = lax.reshape(arr, (arr.size,)), 0
        indices = lax.reshape(indices, (indices.size,))
    if indices.ndim != arr.ndim:
        raise PlaitValueError("take_along_axis: indices and arr must have the same number of "
                              "dimensions")
    if not dtypes.is_integer(indices.dtype):
        raise PlaitTypeError(f"take_along_axis: indices must be integers, got {indices.dtype}")
    gather_mode = lax.GatherScatterMode.from_any(mode, "fill")
    axis = canon_axis(axis, arr.ndim)
    others = [d for d in range(arr.ndim) if d != axis]
    bshape = [arr.shape[d] if d != axis else indices.shape[d] for d in range(arr.ndim)]
    bshape = [max(b, indices.shape[d]) if d != axis else b for d, b in enumerate(bshape)]
    indices = broadcast_to(indices, tuple(bshape))
    arr = broadcast_to(arr, tuple(b if d != axis else arr.shape[d] for d, b in enumerate(bshape)))
    if gather_mode is not lax.GatherScatterMode.PROMISE_IN_BOUNDS:
        indices = _wrap_negative(indices, arr.shape[axis])
    idx = lax.reshape(indices, tuple(bshape) + (1,))
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(axis,),
                                    start_index_map=(axis,), operand_batching_dims=tuple(others),
                                    start_indices_batching_dims=tuple(others))
    return lax.gather(arr, idx, dn, (1,) * arr.ndim, mode=gather_mode, fill_value=fill_value)
