"""jax.lax's indexing helpers along one dimension, and expand_dims, squeeze, split, tile,
collapse: front ends over slice, dynamic_slice, dynamic_update_slice, reshape and broadcast;
and scatter_apply."""

from __future__ import annotations

import math
from collections.abc import Sequence

from plait import vmapping
from plait.core import dtypes
from plait.core.errors import PlaitValueError
from plait.lax._lax import (
    add,
    aval_of,
    broadcast_in_dim,
    dynamic_slice,
    dynamic_update_slice,
    full,
    gt,
    lt,
    max,
    reduce_max,
    reshape,
    scatter_add,
    select,
    slice_in_dim,
)
from plait.lax.control_flow import while_loop


def _axis(axis: int, ndim: int, what: str) -> int:
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise PlaitValueError(f"{what}: axis {axis} is out of bounds for rank {ndim}")
    return axis % ndim


def _start(index, allow_negative_indices: bool, what: str):
    """A start index: dynamic_slice counts a negative one from the end; when that is not
    allowed a known one is an error and a traced one is clamped to 0 first, as in jax."""
    if allow_negative_indices:
        return index
    if not hasattr(index, "aval"):
        if int(index) < 0:
            raise PlaitValueError(f"{what}: index {int(index)} is negative and "
                                  "allow_negative_indices=False")
        return int(index)
    return max(index, full((), 0, index.dtype))


def dynamic_slice_in_dim(operand, start_index, slice_size: int, axis: int = 0, *,
                         allow_negative_indices: bool = True):
    """`slice_size` elements from `start_index` along `axis` (clamped to fit)."""
    shape = aval_of(operand).shape
    axis = _axis(axis, len(shape), "dynamic_slice_in_dim")
    starts = [0] * len(shape)
    starts[axis] = _start(start_index, allow_negative_indices, "dynamic_slice_in_dim")
    sizes = list(shape)
    sizes[axis] = int(slice_size)
    return dynamic_slice(operand, starts, sizes)


def dynamic_index_in_dim(operand, index, axis: int = 0, keepdims: bool = True, *,
                         allow_negative_indices: bool = True):
    """The element at `index` along `axis` (kept as a dimension of size 1 if keepdims)."""
    shape = aval_of(operand).shape
    axis = _axis(axis, len(shape), "dynamic_index_in_dim")
    out = dynamic_slice_in_dim(operand, index, 1, axis,
                               allow_negative_indices=allow_negative_indices)
    return out if keepdims else squeeze(out, (axis,))


def dynamic_update_slice_in_dim(operand, update, start_index, axis: int, *,
                                allow_negative_indices: bool = True):
    """`operand` with `update` written from `start_index` along `axis` (clamped to fit)."""
    shape = aval_of(operand).shape
    axis = _axis(axis, len(shape), "dynamic_update_slice_in_dim")
    starts = [0] * len(shape)
    starts[axis] = _start(start_index, allow_negative_indices, "dynamic_update_slice_in_dim")
    return dynamic_update_slice(operand, update, starts)


def dynamic_update_index_in_dim(operand, update, index, axis: int, *,
                                allow_negative_indices: bool = True):
    """`operand` with `update` written at `index` along `axis` (update may lack that axis)."""
    shape = aval_of(operand).shape
    axis = _axis(axis, len(shape), "dynamic_update_index_in_dim")
    if aval_of(update).ndim == len(shape) - 1:
        update = expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis,
                                       allow_negative_indices=allow_negative_indices)


def index_in_dim(operand, index: int, axis: int = 0, keepdims: bool = True):
    """The element at the static `index` along `axis` (negative counts from the end)."""
    shape = aval_of(operand).shape
    axis = _axis(axis, len(shape), "index_in_dim")
    n, i = shape[axis], int(index)
    if not -n <= i < n:
        raise PlaitValueError(f"index_in_dim: index {i} is out of bounds for axis {axis} of "
                              f"size {n}")
    i %= n
    out = slice_in_dim(operand, i, i + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


def expand_dims(array, dimensions: Sequence[int]):
    """`array` with dimensions of size 1 inserted at `dimensions` (of the result)."""
    shape = aval_of(array).shape
    ndim = len(shape) + len(dimensions)
    dims = sorted(_axis(d, ndim, "expand_dims") for d in dimensions)
    if len(set(dims)) != len(dims):
        raise PlaitValueError(f"expand_dims: repeated dimensions {tuple(dimensions)}")
    kept = [d for d in range(ndim) if d not in dims]
    out_shape = [1] * ndim
    for d, s in zip(kept, shape):
        out_shape[d] = s
    return broadcast_in_dim(array, tuple(out_shape), tuple(kept))


def squeeze(array, dimensions: Sequence[int]):
    """`array` without the dimensions of size 1 at `dimensions`."""
    shape = aval_of(array).shape
    dims = {_axis(d, len(shape), "squeeze") for d in dimensions}
    bad = [d for d in sorted(dims) if shape[d] != 1]
    if bad:
        raise PlaitValueError(f"squeeze: dimensions {tuple(bad)} of shape {shape} are not of "
                              "size 1")
    return reshape(array, tuple(s for d, s in enumerate(shape) if d not in dims))


def split(operand, sizes: Sequence[int], axis: int = 0):
    """Pieces of `operand` along `axis` of the given sizes (which sum to its length)."""
    shape = aval_of(operand).shape
    axis = _axis(axis, len(shape), "split")
    sizes = [int(s) for s in sizes]
    if any(s < 0 for s in sizes) or sum(sizes) != shape[axis]:
        raise PlaitValueError(f"split: sizes {tuple(sizes)} must be non-negative and sum to "
                              f"{shape[axis]}, the size of axis {axis}")
    out, start = [], 0
    for s in sizes:
        out.append(slice_in_dim(operand, start, start + s, 1, axis))
        start += s
    return out


def tile(operand, reps: Sequence[int]):
    """`operand` repeated reps[d] times along each dimension d."""
    shape = aval_of(operand).shape
    reps = tuple(int(r) for r in reps)
    if len(reps) != len(shape):
        raise PlaitValueError(f"tile: reps {reps} needs one entry per dimension of shape "
                              f"{shape}")
    wide = tuple(v for r, s in zip(reps, shape) for v in (r, s))
    out = broadcast_in_dim(operand, wide, tuple(range(1, 2 * len(shape), 2)))
    return reshape(out, tuple(r * s for r, s in zip(reps, shape)))


def collapse(operand, start_dimension: int, stop_dimension: int | None = None):
    """`operand` with dimensions [start_dimension, stop_dimension) merged into one."""
    shape = aval_of(operand).shape
    n = len(shape)
    lo = start_dimension + n if start_dimension < 0 else start_dimension
    hi = n if stop_dimension is None else \
        stop_dimension + n if stop_dimension < 0 else stop_dimension
    if not 0 <= lo <= hi <= n:
        raise PlaitValueError(f"collapse: dimensions [{start_dimension}, {stop_dimension}) "
                              f"are not a range of a rank-{n} operand")
    return reshape(operand, shape[:lo] + (math.prod(shape[lo:hi]),) + shape[hi:])


def scatter_apply(operand, scatter_indices, func, dimension_numbers, *, update_shape=(),
                  indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """jax.lax.scatter_apply: `func` applied to each element of `operand` a scatter with
    updates of `update_shape` would reach, once per update reaching it (duplicates apply it
    again). The counts come from a scatter_add of ones; `func` is mapped over the elements
    (traced on scalars, as jax does) and selected where the count is not yet used up."""
    shape = aval_of(operand).shape
    ones = full(tuple(update_shape), 1, dtypes.int32)
    count = scatter_add(full(shape, 0, dtypes.int32), scatter_indices, ones, dimension_numbers,
                        indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                        mode=mode)
    flat = (math.prod(shape),)
    mapped = vmapping.vmap(func)

    def apply(x, i):
        fx = reshape(mapped(reshape(x, flat)), shape) if flat[0] else x
        return select(gt(count, full(shape, i, dtypes.int32)), fx, x)

    if unique_indices:
        return apply(operand, 0)
    most = reduce_max(count, tuple(range(len(shape))))
    return while_loop(lambda c: lt(c[1], most), lambda c: (apply(c[0], c[1]), add(c[1], 1)),
                      (operand, full((), 0, dtypes.int32)))[0]


__all__ = ["collapse", "dynamic_index_in_dim", "dynamic_slice_in_dim",
           "dynamic_update_index_in_dim", "dynamic_update_slice_in_dim", "expand_dims",
           "index_in_dim", "scatter_apply", "split", "squeeze", "tile"]
