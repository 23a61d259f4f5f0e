"""The functions of `plait.lax` (one per plait op, with JAX's names and conventions), apart from
control flow.

Operands must agree in shape and dtype (no promotion, no broadcasting) except Python
scalars, which take the dtype of the array operand and are broadcast, as in `jax.lax`.
"""

from __future__ import annotations

import builtins
import enum
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from jaxlib import _jax

from plait.core import aval as _aval
from plait.core import dtypes, pytree
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.dialect import ops as P
from plait.dialect.base import splat_attr
from plait.runtime import device as _device
from plait.runtime.array import Array
from plait.staging.trace import Tracer, axis_size, bind, current_trace, tracing


def _is_array(x) -> bool:
    return isinstance(x, (Tracer, Array))


def aval_of(x):
    if _is_array(x):
        return x.aval
    if type(x) is _jax.ArrayImpl:  # a jax array: lifted like a plait Array where traced
        return _device.aval_of_buffer(x)
    dt, weak = dtypes.dtype_of_value(x)
    return _aval.ShapedArray(np.shape(x), dt, weak)


def full(shape, fill_value, dtype=None, weak_type=None):
    """An array of `shape` filled with a scalar (a splat constant when traced)."""
    shape = _aval.canonicalize_shape(shape)
    if _is_array(fill_value):
        if fill_value.shape != ():
            raise PlaitTypeError(f"full: fill_value must be a scalar, got shape {fill_value.shape}")
        x = fill_value if dtype is None else convert_element_type(fill_value, dtype)
        return broadcast_in_dim(x, shape, ())
    dt, weak = dtypes.dtype_of_value(fill_value)
    if dtype is not None:
        dt, weak = dtypes.canonicalize(dtype), False
    aval = _aval.ShapedArray(shape, dt, weak if weak_type is None else weak_type)
    if not tracing():
        _aval.check_shape(shape, dt)
        return Array(_device.device_put(np.full(shape, fill_value, dt), aval))
    if dtypes.is_complex(dt):
        rdt = dtypes.real_dtype(dt)
        v = builtins.complex(fill_value)  # `complex` below is the plait.complex op
        out = bind(P.complex, full(shape, v.real, rdt), full(shape, v.imag, rdt))
    else:
        out = bind(P.constant, value=splat_attr(shape, dt, fill_value))
    out.aval = aval
    return out


def _scalar_like(x, ref_aval):
    """A Python scalar as an array matching `ref_aval` (dtype and shape)."""
    if _is_array(x):
        return x
    if isinstance(x, (np.ndarray, np.generic)) and np.shape(x) == ref_aval.shape:
        return x
    return full(ref_aval.shape, x, ref_aval.dtype)


def _elementwise(op, *args):
    ref = next((a for a in args if _is_array(a)), None)
    if ref is not None:
        args = [_scalar_like(a, ref.aval) for a in args]
    return bind(op, *args)


def _unary(op):
    def f(x):
        return bind(op, x)
    f.__name__ = op.short_name
    f.__doc__ = op.__doc__
    return f


def _binary(op):
    def f(x, y):
        return _elementwise(op, x, y)
    f.__name__ = op.short_name
    f.__doc__ = op.__doc__
    return f


neg, abs, sign, exp, log, log1p, expm1, sqrt, rsqrt = map(_unary, (
    P.neg, P.abs, P.sign, P.exp, P.log, P.log1p, P.expm1, P.sqrt, P.rsqrt))
sin, cos, tan, tanh, logistic, erf, floor, ceil = map(_unary, (
    P.sin, P.cos, P.tan, P.tanh, P.logistic, P.erf, P.floor, P.ceil))
round, is_finite, bitwise_not, real, imag = map(_unary, (
    P.round, P.is_finite, P.not_, P.real, P.imag))
def stop_gradient(x):
    """x, as a constant to differentiation: each inexact array of the pytree x goes through
    `plait.stop_gradient` (the AD passes give it a zero derivative); others are returned."""
    def stop(leaf):
        if dtypes.is_inexact(dtypes.canonicalize(_aval_dtype(leaf))):
            return bind(P.stop_gradient, leaf)
        return leaf
    return pytree.tree_map(stop, x)


def _aval_dtype(x):
    return x.dtype if hasattr(x, "dtype") else np.result_type(x)


add, sub, mul, div, rem, pow, max, min, atan2 = map(_binary, (
    P.add, P.sub, P.mul, P.div, P.rem, P.pow, P.max, P.min, P.atan2))
bitwise_and, bitwise_or, bitwise_xor, complex = map(_binary, (P.and_, P.or_, P.xor, P.complex))


def _compare(direction):
    def f(x, y):
        ref = next((a for a in (x, y) if _is_array(a)), None)
        if ref is not None:
            x, y = _scalar_like(x, ref.aval), _scalar_like(y, ref.aval)
        return bind(P.compare, x, y, direction=direction)
    f.__name__ = direction.lower()
    return f


eq, ne, lt, le, gt, ge = map(_compare, ("EQ", "NE", "LT", "LE", "GT", "GE"))


def select(pred, on_true, on_false):
    return _elementwise(P.select, pred, on_true, on_false) if _is_array(pred) else \
        bind(P.select, pred, on_true, on_false)


def select_n(which, *cases):
    """jax.lax.select_n: element by element, case `which` (a bool or int32 array of the cases'
    shape, or a scalar) of the cases."""
    if not cases:
        raise PlaitValueError("select_n needs at least one case")
    ref = next((c for c in cases if _is_array(c)), None)
    if ref is not None:
        cases = [_scalar_like(c, ref.aval) for c in cases]
    shape = aval_of(cases[0]).shape
    if isinstance(which, (bool, int)):  # a Python scalar: bool or int32, as jax
        which = full((), which, np.bool_ if isinstance(which, bool) else np.int32)
    if np.shape(which) == () and shape != ():
        which = broadcast_in_dim(which, shape, ())
    return bind(P.select_n, which, *cases)


def clamp(min, x, max):
    return _elementwise(P.clamp, min, x, max)


def convert_element_type(x, new_dtype, weak_type=False):
    """Convert to `new_dtype`; `weak_type` marks the result weak (an array promoted with a
    Python scalar to a weak dtype, as `x_int32 + 1.5` is in JAX)."""
    new_dtype = dtypes.canonicalize(new_dtype)
    if _is_array(x) and x.dtype == new_dtype and x.aval.weak_type == weak_type:
        return x
    if not _is_array(x):
        if np.ndim(x) == 0:
            return full((), x, new_dtype, weak_type)
        host = np.asarray(x, new_dtype)  # the trace builds complex constants from two real ones
        return current_trace().to_tracer(host) if tracing() else \
            Array(_device.device_put(host, _aval.ShapedArray(host.shape, new_dtype)))
    out = bind(P.convert, x, new_dtype=new_dtype)
    if weak_type:  # weak types live on avals, not in the IR
        aval = out.aval.update(weak_type=True)
        if isinstance(out, Tracer):
            out.aval = aval
        else:
            out = Array(_device.device_put(np.asarray(out), aval))
    return out


def iota(dtype, size: int):
    return broadcasted_iota(dtype, (size,), 0)


def broadcasted_iota(dtype, shape, dimension: int):
    return bind(P.iota, shape=_aval.canonicalize_shape(shape), dtype=dtypes.canonicalize(dtype),
                dimension=dimension)


def broadcast_in_dim(x, shape, broadcast_dimensions):
    shape, dims = _aval.canonicalize_shape(shape), tuple(broadcast_dimensions)
    if _is_array(x) and x.shape == shape and dims == tuple(range(len(shape))):
        return x
    return bind(P.broadcast_in_dim, x, shape=shape, broadcast_dimensions=dims)


def broadcast(x, sizes):
    """Add leading dimensions of `sizes`."""
    shape = tuple(sizes) + tuple(np.shape(x))
    n = len(sizes)
    return broadcast_in_dim(x, shape, tuple(range(n, len(shape))))


def reshape(x, new_sizes, dimensions=None):
    if dimensions is not None:
        x = transpose(x, dimensions)
    new_sizes = _aval.canonicalize_shape(new_sizes, "new_sizes")
    if _is_array(x) and x.shape == new_sizes:
        return x
    return bind(P.reshape, x, new_sizes=new_sizes)


def transpose(x, permutation):
    permutation = tuple(int(p) for p in permutation)
    if permutation == tuple(range(len(permutation))):
        return x
    return bind(P.transpose, x, permutation=permutation)


def slice(x, start_indices, limit_indices, strides=None):
    strides = tuple(strides) if strides is not None else (1,) * len(start_indices)
    return bind(P.slice, x, start_indices=tuple(start_indices),
                limit_indices=tuple(limit_indices), strides=strides)


def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    """`operand[..., start_index:limit_index:stride]` along `axis` (None: the ends; negative
    indices count from the end), as jax.lax.slice_in_dim."""
    shape = aval_of(operand).shape
    axis = int(axis)
    n = shape[axis]
    start = 0 if start_index is None else int(start_index)
    limit = n if limit_index is None else int(limit_index)
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[axis] = start + n if start < 0 else start
    limits[axis] = limit + n if limit < 0 else limit
    strides[axis] = int(stride)
    return slice(operand, starts, limits, strides)


def _index_scalars(start_indices, shape):
    """Start indices as integer scalars of one dtype, negative ones wrapped (`i + dim`), as
    jax's lax does before the op clamps them into bounds."""
    if len(start_indices) != len(shape):
        raise PlaitTypeError(f"need {len(shape)} start indices for an operand of shape {shape}, "
                             f"got {len(start_indices)}")
    out = []
    for i, n in zip(start_indices, shape):
        if _is_array(i):
            if not dtypes.is_integer(i.dtype) or i.shape != ():
                raise PlaitTypeError(f"start indices must be integer scalars, got {i.aval}")
            if not dtypes.is_unsigned(i.dtype):
                i = select(lt(i, 0), add(i, n), i)
            out.append(i)
        else:
            i = int(i)
            out.append(full((), i + n if i < 0 else i, dtypes.int32))
    dts = {i.dtype for i in out}
    if len(dts) > 1:
        out = [convert_element_type(i, dtypes.int32) for i in out]
    return out


def dynamic_slice(x, start_indices, slice_sizes):
    """`x[i:i + size, ...]`: a negative start counts from the end; starts are then clamped so
    the slice fits, as in jax."""
    return bind(P.dynamic_slice, x, *_index_scalars(start_indices, x.shape),
                slice_sizes=tuple(slice_sizes))


def dynamic_update_slice(x, update, start_indices):
    """`x` with `update` written at the starts: a negative start counts from the end; starts
    are then clamped so the update fits, as in jax."""
    return bind(P.dynamic_update_slice, x, update, *_index_scalars(start_indices, x.shape))


def concatenate(operands: Sequence, dimension: int):
    if len(operands) == 1:
        return operands[0]
    return bind(P.concatenate, *operands, dimension=dimension)


def pad(x, padding_value, padding_config):
    lo, hi, interior = zip(*padding_config) if padding_config else ((), (), ())
    if not _is_array(padding_value):
        padding_value = full((), padding_value, x.dtype)
    return bind(P.pad, x, padding_value, edge_padding_low=tuple(lo), edge_padding_high=tuple(hi),
                interior_padding=tuple(interior))


def rev(x, dimensions):
    dimensions = tuple(dimensions)
    return bind(P.rev, x, dimensions=dimensions) if dimensions else x


class GatherDimensionNumbers(NamedTuple):
    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class GatherScatterMode(enum.Enum):
    """jax's out-of-bounds modes of gather and scatter. CLIP: each start is clamped so its
    window fits. FILL_OR_DROP: a gathered window not wholly in bounds is filled, a scattered
    one dropped. PROMISE_IN_BOUNDS: in practice gathers clamp and scatters drop."""

    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()

    @staticmethod
    def from_any(s, default=None) -> GatherScatterMode:
        """A mode from its jax name ("clip", "fill", "drop", "promise_in_bounds"), a member
        (of this enum or jax's), or None (`default`: FILL_OR_DROP, as in jax)."""
        if s is None:
            return GatherScatterMode.FILL_OR_DROP if default is None else \
                GatherScatterMode.from_any(default)
        if isinstance(s, enum.Enum) and s.name in GatherScatterMode.__members__:
            return GatherScatterMode[s.name]
        names = {"clip": "CLIP", "fill": "FILL_OR_DROP", "drop": "FILL_OR_DROP",
                 "promise_in_bounds": "PROMISE_IN_BOUNDS"}
        if not isinstance(s, str) or s not in names:
            raise PlaitValueError(f"unknown gather/scatter mode {s!r}; use one of "
                                  f"{', '.join(map(repr, names))}")
        return GatherScatterMode[names[s]]


def _default_fill(dt: np.dtype):
    """jax's fill for out-of-bounds gathers: NaN, the most negative signed integer, the
    largest unsigned one, True."""
    if dtypes.is_inexact(dt):
        return np.nan
    if dt == dtypes.bool_:
        return True
    return np.iinfo(dt).min if not dtypes.is_unsigned(dt) else np.iinfo(dt).max


def _index_upper_bounds(idx, operand_shape, window, dims):
    """The largest in-bounds start along each of `dims`, shaped like `idx` (whose last
    dimension is the index vector)."""
    col = idx.shape[:-1] + (1,)
    return concatenate([full(col, operand_shape[d] - window[d], idx.dtype) for d in dims],
                       idx.ndim - 1)


def gather(operand, start_indices, dimension_numbers: GatherDimensionNumbers, slice_sizes, *,
           indices_are_sorted: bool = False, unique_indices: bool = False, mode=None,
           fill_value=None):
    """StableHLO gather, with jax's out-of-bounds `mode`: "promise_in_bounds" (the default) and
    "clip" clamp each start so its slice fits; "fill" (alias "drop") returns `fill_value`
    (default: NaN, or the extreme integer, or True) for a slice not wholly in bounds.
    `unique_indices` is jax's hint, accepted and not needed."""
    dn = dimension_numbers
    mode = GatherScatterMode.from_any(mode, "promise_in_bounds")
    out = bind(P.gather, operand, start_indices, offset_dims=tuple(dn.offset_dims),
               collapsed_slice_dims=tuple(dn.collapsed_slice_dims),
               operand_batching_dims=tuple(dn.operand_batching_dims),
               start_indices_batching_dims=tuple(dn.start_indices_batching_dims),
               start_index_map=tuple(dn.start_index_map),
               index_vector_dim=len(np.shape(start_indices)) - 1,
               slice_sizes=tuple(slice_sizes), indices_are_sorted=bool(indices_are_sorted))
    if mode is not GatherScatterMode.FILL_OR_DROP:
        return out
    idx = start_indices
    hi = _index_upper_bounds(idx, operand.shape, slice_sizes, dn.start_index_map)
    ok = bitwise_and(ge(idx, 0), le(idx, hi))
    ok = reduce_and(ok, (idx.ndim - 1,))
    batch = tuple(d for d in range(out.ndim) if d not in dn.offset_dims)
    fill = _default_fill(out.dtype) if fill_value is None else fill_value
    return select(broadcast_in_dim(ok, out.shape, batch), out, full(out.shape, fill, out.dtype))


class ScatterDimensionNumbers(NamedTuple):
    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


def _clamp_scatter_indices(operand, idx, updates, dn):
    """jax's mode="clip" for scatter: each start clamped so its update window fits."""
    windows = iter(updates.shape[d] for d in dn.update_window_dims)
    unit = set(dn.inserted_window_dims) | set(dn.operand_batching_dims)
    window = [1 if d in unit else next(windows) for d in range(operand.ndim)]
    hi = _index_upper_bounds(idx, operand.shape, window, dn.scatter_dims_to_operand_dims)
    return clamp(full(idx.shape, 0, idx.dtype), idx, hi)


_COMBINED_SCATTERS = {"mul": P.scatter_mul, "min": P.scatter_min, "max": P.scatter_max}


def _scatter(kind, operand, scatter_indices, updates, dimension_numbers,
             indices_are_sorted=False, unique_indices=False, mode=None):
    """StableHLO scatter: an update whose window is not wholly in bounds is dropped (modes
    "promise_in_bounds", "fill", "drop"); mode="clip" clamps the starts instead."""
    dn = dimension_numbers
    if GatherScatterMode.from_any(mode) is GatherScatterMode.CLIP:
        scatter_indices = _clamp_scatter_indices(operand, scatter_indices, updates, dn)
    op, params = (_COMBINED_SCATTERS[kind], {}) if kind in _COMBINED_SCATTERS else \
        (P.scatter, {"mode": kind})
    return bind(op, operand, scatter_indices, updates, **params,
                update_window_dims=tuple(dn.update_window_dims),
                inserted_window_dims=tuple(dn.inserted_window_dims),
                input_batching_dims=tuple(dn.operand_batching_dims),
                scatter_indices_batching_dims=tuple(dn.scatter_indices_batching_dims),
                scatter_dims_to_operand_dims=tuple(dn.scatter_dims_to_operand_dims),
                index_vector_dim=len(np.shape(scatter_indices)) - 1,
                indices_are_sorted=bool(indices_are_sorted), unique_indices=bool(unique_indices))


def scatter(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
            unique_indices=False, mode=None):
    return _scatter("set", operand, scatter_indices, updates, dimension_numbers,
                    indices_are_sorted, unique_indices, mode)


def scatter_add(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    return _scatter("add", operand, scatter_indices, updates, dimension_numbers,
                    indices_are_sorted, unique_indices, mode)


def scatter_mul(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    """Multiply the updates into `operand` (jax.lax.scatter_mul)."""
    return _scatter("mul", operand, scatter_indices, updates, dimension_numbers,
                    indices_are_sorted, unique_indices, mode)


def scatter_min(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    """The minimum of `operand` and every update landing on each element (jax.lax.scatter_min)."""
    return _scatter("min", operand, scatter_indices, updates, dimension_numbers,
                    indices_are_sorted, unique_indices, mode)


def scatter_max(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    """The maximum of `operand` and every update landing on each element (jax.lax.scatter_max)."""
    return _scatter("max", operand, scatter_indices, updates, dimension_numbers,
                    indices_are_sorted, unique_indices, mode)


def optimization_barrier(operand):
    """jax.lax.optimization_barrier: the pytree `operand`, unchanged, with no computation moved
    across it by XLA."""
    leaves, tree = pytree.tree_flatten(operand)
    if not leaves:
        return operand
    out = bind(P.optimization_barrier, *leaves)
    return pytree.tree_unflatten(tree, out if len(leaves) > 1 else [out])


def _reducer(op):
    def f(x, axes):
        axes = tuple(axes)
        return bind(op, x, axes=axes) if axes else x
    f.__name__ = op.short_name
    return f


reduce_sum, reduce_prod, reduce_max, reduce_min, reduce_and, reduce_or, reduce_xor = map(
    _reducer, (P.reduce_sum, P.reduce_prod, P.reduce_max, P.reduce_min, P.reduce_and,
               P.reduce_or, P.reduce_xor))


def argmax(x, axis: int, index_dtype=dtypes.int32):
    return bind(P.argmax, x, axis=axis, index_dtype=dtypes.canonicalize(index_dtype))


def argmin(x, axis: int, index_dtype=dtypes.int32):
    return bind(P.argmin, x, axis=axis, index_dtype=dtypes.canonicalize(index_dtype))


def cumsum(x, axis: int = 0, reverse: bool = False):
    return bind(P.cumsum, x, axis=axis, reverse=bool(reverse))


def dot_general(lhs, rhs, dimension_numbers):
    """`dimension_numbers = ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch))`."""
    (lc, rc), (lb, rb) = dimension_numbers
    return bind(P.dot_general, lhs, rhs, lhs_batching_dimensions=tuple(lb),
                rhs_batching_dimensions=tuple(rb), lhs_contracting_dimensions=tuple(lc),
                rhs_contracting_dimensions=tuple(rc))


def square(x):
    return mul(x, x)


# --- collectives over a named axis (vmap axis_name, shard_map mesh axes) ---------------------

def _axis_names(axis_name) -> tuple:
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def psum(x, axis_name):
    """Sum of x over every member of the named axis (or axes, given a tuple)."""
    for name in _axis_names(axis_name):
        axis_size(name)
        x = bind(P.psum, x, axis_name=name)
    return x


def _no_groups(what: str, axis_index_groups) -> None:
    if axis_index_groups is not None:
        raise PlaitValueError(f"{what}: axis_index_groups is not supported (use a mesh axis of "
                              "the group's size)")


def pmax(x, axis_name, *, axis_index_groups=None):
    """Elementwise maximum of x over every member of the named axis (or axes)."""
    _no_groups("pmax", axis_index_groups)
    for name in _axis_names(axis_name):
        axis_size(name)
        x = bind(P.pmax, x, axis_name=name)
    return x


def pmin(x, axis_name, *, axis_index_groups=None):
    """Elementwise minimum of x over every member of the named axis (or axes)."""
    _no_groups("pmin", axis_index_groups)
    for name in _axis_names(axis_name):
        axis_size(name)
        x = bind(P.pmin, x, axis_name=name)
    return x


def pmean(x, axis_name):
    """Mean of x over the members of the named axis (or axes)."""
    n = 1
    for name in _axis_names(axis_name):
        n *= axis_size(name)
    s = psum(x, axis_name)
    return div(s, full(s.shape, n, s.dtype))


def all_gather(x, axis_name, *, axis: int = 0, tiled: bool = False):
    """Every member's x, stacked (or, tiled, concatenated) along `axis`."""
    n = axis_size(axis_name)
    return bind(P.all_gather, x, axis_name=axis_name, axis=axis, axis_size=n, tiled=bool(tiled))


def psum_scatter(x, axis_name, *, scatter_dimension: int = 0, tiled: bool = False):
    """psum(x), of which member k keeps block k along `scatter_dimension`."""
    n = axis_size(axis_name)
    return bind(P.psum_scatter, x, axis_name=axis_name, scatter_dimension=scatter_dimension,
                axis_size=n, tiled=bool(tiled))


def all_to_all(x, axis_name, split_axis: int, concat_axis: int, *, axis_index_groups=None,
               tiled: bool = False):
    """jax.lax.all_to_all: `split_axis` cut into one block per member, block k sent to member
    k, the blocks received concatenated along `concat_axis`. Untiled, split_axis has the
    axis' size and is replaced by a new axis of the senders at concat_axis."""
    _no_groups("all_to_all", axis_index_groups)
    n = axis_size(axis_name)
    shape = aval_of(x).shape
    for name, d in (("split_axis", split_axis), ("concat_axis", concat_axis)):
        if not 0 <= d < len(shape):
            raise PlaitValueError(f"all_to_all: {name} {d} out of range for rank {len(shape)}")
    if tiled and shape[split_axis] % n:
        raise PlaitValueError(f"all_to_all: split_axis {split_axis} of size "
                              f"{shape[split_axis]} is not divisible by the size {n} of axis "
                              f"{axis_name!r}")
    if not tiled:
        if shape[split_axis] != n:
            raise PlaitValueError(f"all_to_all: split_axis {split_axis} has size "
                                  f"{shape[split_axis]}, not the size {n} of axis "
                                  f"{axis_name!r}")
        if split_axis != concat_axis:  # as jax: a new unit axis to concatenate into
            concat_axis += split_axis < concat_axis
            new = list(shape)
            new.insert(concat_axis, 1)
            x = reshape(x, tuple(new))
            split_axis += concat_axis <= split_axis
    out = bind(P.all_to_all, x, axis_name=axis_name, split_axis=int(split_axis),
               concat_axis=int(concat_axis), axis_size=n)
    if not tiled and split_axis != concat_axis:
        out = reshape(out, tuple(d for i, d in enumerate(out.shape) if i != split_axis))
    return out


def ppermute(x, axis_name, perm):
    """Member `dst` receives member `src`'s x for each (src, dst) in perm; others get zeros."""
    n = axis_size(axis_name)
    flat = []
    for src, dst in perm:
        if not (0 <= src < n and 0 <= dst < n):
            raise PlaitTypeError(f"ppermute pair ({src}, {dst}) is outside an axis of size {n}")
        flat += [int(src), int(dst)]
    return bind(P.ppermute, x, axis_name=axis_name, perm=tuple(flat))


def axis_index(axis_name):
    """This member's index along the named axis (int32)."""
    axis_size(axis_name)
    return bind(P.axis_index, axis_name=axis_name)
