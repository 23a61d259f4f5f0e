"""Structural ops: constants, iota, shape changes, slicing, indexing (gather/scatter and
scatter_mul/min/max), cumsum, optimization_barrier.

Attributes follow StableHLO's names and meaning, so each op lowers one-to-one. Their rules
are in `rules/structural.py`.
"""

from __future__ import annotations

import math

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import Bool, Dense, DType, Int, Ints, OpDef, Str, check_axes
from plait.dialect.traits import Linear, Pure, SameOperandsAndResultShape


def _err(op: OpDef, msg: str) -> PlaitTypeError:
    return PlaitTypeError(f"{op.name}: {msg}")


class Constant(OpDef):
    """`%c = "plait.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>`"""

    arity = 0
    attrs = {"value": Dense()}
    traits = (Pure(),)


    def infer(self, avals, value):
        if isinstance(value, ir.DenseElementsAttr):
            return [_aval.aval_of_type(value.type)]
        return [ShapedArray(value.shape, dtypes.canonicalize(value.dtype))]


constant = Constant("plait.constant", "A constant array.")


class Iota(OpDef):
    """`%i = "plait.iota"() {shape = array<i64: 2, 3>, dtype = i32, dimension = 1 : i64}`"""

    arity = 0
    attrs = {"shape": Ints(), "dtype": DType(), "dimension": Int()}
    traits = (Pure(),)


    def infer(self, avals, shape, dtype, dimension):
        if not 0 <= dimension < len(shape):
            raise _err(self, f"dimension {dimension} out of range for shape {shape}")
        if any(d < 0 for d in shape):
            raise _err(self, f"negative dimension in shape {shape}")
        if dtype == dtypes.bool_:
            raise _err(self, "dtype must be numeric, got bool")
        return [ShapedArray(shape, dtype)]


iota = Iota("plait.iota", "Indices 0..n-1 along `dimension`, broadcast to `shape`.")


class BroadcastInDim(OpDef):
    """`"plait.broadcast_in_dim"(%x) {shape = array<i64: 3, 4>, broadcast_dimensions = array<i64: 1>}`

    Operand dim i goes to result dim broadcast_dimensions[i]; its size is 1 or equal.
    """

    arity = 1
    attrs = {"shape": Ints(), "broadcast_dimensions": Ints()}
    traits = (Pure(), Linear(0))


    def infer(self, avals, shape, broadcast_dimensions):
        (x,) = avals
        if len(broadcast_dimensions) != x.ndim:
            raise _err(self, f"broadcast_dimensions {broadcast_dimensions} must have one entry "
                             f"per operand dimension ({x.ndim})")
        check_axes(broadcast_dimensions, len(shape), "broadcast_dimensions")
        if list(broadcast_dimensions) != sorted(broadcast_dimensions):
            raise _err(self, f"broadcast_dimensions {broadcast_dimensions} must be increasing")
        for i, d in enumerate(broadcast_dimensions):
            if x.shape[i] not in (1, shape[d]):
                raise _err(self, f"cannot broadcast operand shape {x.shape} to {tuple(shape)}")
        return [ShapedArray(shape, x.dtype, x.weak_type)]


broadcast_in_dim = BroadcastInDim("plait.broadcast_in_dim", "Broadcast to a larger shape.")


class Reshape(OpDef):
    """`"plait.reshape"(%x) {new_sizes = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>`"""

    arity = 1
    attrs = {"new_sizes": Ints()}
    traits = (Pure(), Linear(0))


    def infer(self, avals, new_sizes):
        (x,) = avals
        if math.prod(new_sizes) != x.size or any(d < 0 for d in new_sizes):
            raise _err(self, f"cannot reshape {x.shape} to {tuple(new_sizes)}")
        return [ShapedArray(new_sizes, x.dtype, x.weak_type)]


reshape = Reshape("plait.reshape", "Reshape in row-major order.")


class Transpose(OpDef):
    """`"plait.transpose"(%x) {permutation = array<i64: 1, 0>}`: result dim i = operand dim p[i]."""

    arity = 1
    attrs = {"permutation": Ints()}
    traits = (Pure(), Linear(0))


    def infer(self, avals, permutation):
        (x,) = avals
        if sorted(permutation) != list(range(x.ndim)):
            raise _err(self, f"permutation {permutation} is not a permutation of "
                             f"{x.ndim} dimensions")
        return [ShapedArray([x.shape[p] for p in permutation], x.dtype, x.weak_type)]


transpose = Transpose("plait.transpose", "Permute dimensions.")


class Slice(OpDef):
    """`"plait.slice"(%x) {start_indices = array<i64: 1>, limit_indices = array<i64: 3>,
    strides = array<i64: 1>}`"""

    arity = 1
    attrs = {"start_indices": Ints(), "limit_indices": Ints(), "strides": Ints()}
    traits = (Pure(), Linear(0))


    def infer(self, avals, start_indices, limit_indices, strides):
        (x,) = avals
        if not len(start_indices) == len(limit_indices) == len(strides) == x.ndim:
            raise _err(self, "start_indices, limit_indices and strides need one entry per "
                             f"dimension ({x.ndim})")
        shape = []
        for lo, hi, st, d in zip(start_indices, limit_indices, strides, x.shape):
            if not (0 <= lo <= hi <= d and st >= 1):
                raise _err(self, f"bad slice [{lo}:{hi}:{st}] of a dimension of size {d}")
            shape.append(-(-(hi - lo) // st))
        return [ShapedArray(shape, x.dtype, x.weak_type)]


slice = Slice("plait.slice", "Static strided slice.")


def _check_scalar_indices(op: OpDef, idx, n: int) -> None:
    if len(idx) != n:
        raise _err(op, f"needs {n} start indices, got {len(idx)}")
    for a in idx:
        if a.shape != () or not dtypes.is_integer(a.dtype):
            raise _err(op, f"start indices must be integer scalars, got {a}")


class DynamicSlice(OpDef):
    """`"plait.dynamic_slice"(%x, %i, %j) {slice_sizes = array<i64: 2, 2>}`; starts are clamped."""

    attrs = {"slice_sizes": Ints()}
    traits = (Pure(), Linear(0))


    def infer(self, avals, slice_sizes):
        if not avals:
            raise _err(self, "needs an operand and its start indices")
        x, *idx = avals
        _check_scalar_indices(self, idx, x.ndim)
        if len(slice_sizes) != x.ndim or any(not 0 <= s <= d for s, d in zip(slice_sizes, x.shape)):
            raise _err(self, f"slice_sizes {slice_sizes} do not fit operand shape {x.shape}")
        return [ShapedArray(slice_sizes, x.dtype, x.weak_type)]


dynamic_slice = DynamicSlice("plait.dynamic_slice", "Slice at traced start indices.")


class DynamicUpdateSlice(OpDef):
    """`"plait.dynamic_update_slice"(%x, %update, %i, %j)`: x with update written at (i, j)."""

    traits = (Pure(), Linear(0, 1))


    def infer(self, avals):
        if len(avals) < 2:
            raise _err(self, "needs an operand, an update and its start indices")
        x, upd, *idx = avals
        _check_scalar_indices(self, idx, x.ndim)
        if upd.dtype != x.dtype or upd.ndim != x.ndim or any(
                u > d for u, d in zip(upd.shape, x.shape)):
            raise _err(self, f"update {upd} does not fit operand {x}")
        return [x]


dynamic_update_slice = DynamicUpdateSlice("plait.dynamic_update_slice",
                                          "Overwrite a block at traced start indices.")


class Concatenate(OpDef):
    """`"plait.concatenate"(%a, %b) {dimension = 0 : i64}`"""

    attrs = {"dimension": Int()}
    traits = (Pure(), Linear(from_operand=0))


    def infer(self, avals, dimension):
        if not avals:
            raise _err(self, "needs at least one operand")
        a0 = avals[0]
        if not 0 <= dimension < a0.ndim:
            raise _err(self, f"dimension {dimension} out of range for rank {a0.ndim}")
        for a in avals[1:]:
            if a.dtype != a0.dtype or a.ndim != a0.ndim or any(
                    s != t for i, (s, t) in enumerate(zip(a.shape, a0.shape)) if i != dimension):
                raise _err(self, "operands must agree in dtype and in every dimension but "
                                 f"{dimension}: " + ", ".join(map(str, avals)))
        shape = list(a0.shape)
        shape[dimension] = sum(a.shape[dimension] for a in avals)
        return [ShapedArray(shape, a0.dtype, all(a.weak_type for a in avals))]


concatenate = Concatenate("plait.concatenate", "Join arrays along a dimension.")


class Pad(OpDef):
    """`"plait.pad"(%x, %v) {edge_padding_low, edge_padding_high, interior_padding}`

    Negative edge padding crops, as in StableHLO.
    """

    arity = 2
    attrs = {"edge_padding_low": Ints(), "edge_padding_high": Ints(), "interior_padding": Ints()}
    traits = (Pure(), Linear(0, 1))


    def infer(self, avals, edge_padding_low, edge_padding_high, interior_padding):
        x, v = avals
        if v.shape != () or v.dtype != x.dtype:
            raise _err(self, f"padding value must be a scalar of dtype {x.dtype}, got {v}")
        if not len(edge_padding_low) == len(edge_padding_high) == len(interior_padding) == x.ndim:
            raise _err(self, "padding needs one entry per dimension")
        shape = []
        for d, lo, hi, it in zip(x.shape, edge_padding_low, edge_padding_high, interior_padding):
            n = d + lo + hi + max(d - 1, 0) * it
            if it < 0 or n < 0:
                raise _err(self, f"bad padding ({lo}, {hi}, {it}) of a dimension of size {d}")
            shape.append(n)
        return [ShapedArray(shape, x.dtype, x.weak_type)]


pad = Pad("plait.pad", "Pad with a scalar at the edges and between elements.")


class Rev(OpDef):
    """`"plait.rev"(%x) {dimensions = array<i64: 0>}`"""

    arity = 1
    attrs = {"dimensions": Ints()}
    traits = (Pure(), SameOperandsAndResultShape(), Linear(0))


    def infer(self, avals, dimensions):
        (x,) = avals
        check_axes(dimensions, x.ndim, "dimensions")
        return [x]


rev = Rev("plait.rev", "Reverse the order of elements along dimensions.")


class Gather(OpDef):
    """`"plait.gather"(%x, %idx) {offset_dims, collapsed_slice_dims, operand_batching_dims,
    start_indices_batching_dims, start_index_map, index_vector_dim, slice_sizes}`

    StableHLO gather: start indices are clamped so every slice is in bounds.
    """

    arity = 2
    attrs = {"offset_dims": Ints(), "collapsed_slice_dims": Ints(),
             "operand_batching_dims": Ints(), "start_indices_batching_dims": Ints(),
             "start_index_map": Ints(), "index_vector_dim": Int(), "slice_sizes": Ints(),
             "indices_are_sorted": Bool()}
    traits = (Pure(), Linear(0))


    def infer(self, avals, offset_dims, collapsed_slice_dims, operand_batching_dims,
              start_indices_batching_dims, start_index_map, index_vector_dim, slice_sizes,
              indices_are_sorted=None):
        x, idx = avals
        if not dtypes.is_integer(idx.dtype):
            raise _err(self, f"indices must be integers, got {idx.dtype}")
        if len(slice_sizes) != x.ndim:
            raise _err(self, f"slice_sizes {slice_sizes} need one entry per operand dimension")
        if any(not 0 <= s <= d for s, d in zip(slice_sizes, x.shape)):
            raise _err(self, f"slice_sizes {slice_sizes} exceed operand shape {x.shape}")
        if not 0 <= index_vector_dim <= idx.ndim:
            raise _err(self, f"index_vector_dim {index_vector_dim} out of range")
        ivd = idx.shape[index_vector_dim] if index_vector_dim < idx.ndim else 1
        if len(start_index_map) != ivd:
            raise _err(self, f"start_index_map {start_index_map} needs {ivd} entries")
        dropped = set(collapsed_slice_dims) | set(operand_batching_dims)
        check_axes(tuple(collapsed_slice_dims) + tuple(operand_batching_dims), x.ndim,
                   "collapsed_slice_dims + operand_batching_dims")
        check_axes(start_index_map, x.ndim, "start_index_map")
        if set(start_index_map) & set(operand_batching_dims):
            raise _err(self, "start_index_map and operand_batching_dims overlap")
        if any(slice_sizes[d] > 1 for d in dropped):
            raise _err(self, "collapsed and batching dimensions need slice size <= 1")
        if len(operand_batching_dims) != len(start_indices_batching_dims):
            raise _err(self, "operand_batching_dims and start_indices_batching_dims differ "
                             "in length")
        offset_sizes = [s for d, s in enumerate(slice_sizes) if d not in dropped]
        batch_shape = [s for d, s in enumerate(idx.shape) if d != index_vector_dim]
        rank = len(batch_shape) + len(offset_sizes)
        check_axes(offset_dims, rank, "offset_dims")
        if len(offset_dims) != len(offset_sizes) or list(offset_dims) != sorted(offset_dims):
            raise _err(self, f"offset_dims {offset_dims} must be increasing, one per "
                             "non-collapsed slice dimension")
        shape, oi, bi = [], iter(offset_sizes), iter(batch_shape)
        for d in range(rank):
            shape.append(next(oi) if d in offset_dims else next(bi))
        return [ShapedArray(shape, x.dtype, x.weak_type)]


gather = Gather("plait.gather", "Gather slices at index vectors (StableHLO semantics).")

SCATTER_MODES = ("set", "add")


class Scatter(OpDef):
    """`"plait.scatter"(%x, %idx, %upd) {mode = "add", update_window_dims, inserted_window_dims,
    input_batching_dims, scatter_indices_batching_dims, scatter_dims_to_operand_dims,
    index_vector_dim}`

    StableHLO scatter with a fixed combiner: `set` overwrites, `add` accumulates.
    Out-of-bounds updates are dropped.
    """

    arity = 3
    attrs = {"mode": Str(SCATTER_MODES), "update_window_dims": Ints(),
             "inserted_window_dims": Ints(), "input_batching_dims": Ints(),
             "scatter_indices_batching_dims": Ints(), "scatter_dims_to_operand_dims": Ints(),
             "index_vector_dim": Int(), "indices_are_sorted": Bool(), "unique_indices": Bool()}
    traits = (Pure(), Linear(0, 2))


    def infer(self, avals, mode, **dims):
        if mode not in SCATTER_MODES:
            raise _err(self, f"mode must be one of {SCATTER_MODES}, got {mode}")
        return [scatter_type(self, avals, **dims)]


def scatter_type(op: OpDef, avals, update_window_dims, inserted_window_dims, input_batching_dims,
                 scatter_indices_batching_dims, scatter_dims_to_operand_dims, index_vector_dim,
                 indices_are_sorted=None, unique_indices=None) -> ShapedArray:
    """The type rule of the scatters: the operand's type, after the StableHLO checks."""
    x, idx, upd = avals
    if not dtypes.is_integer(idx.dtype):
        raise _err(op, f"indices must be integers, got {idx.dtype}")
    if upd.dtype != x.dtype:
        raise _err(op, f"updates dtype {upd.dtype} differs from operand dtype {x.dtype}")
    if not 0 <= index_vector_dim <= idx.ndim:
        raise _err(op, f"index_vector_dim {index_vector_dim} out of range")
    ivd = idx.shape[index_vector_dim] if index_vector_dim < idx.ndim else 1
    if len(scatter_dims_to_operand_dims) != ivd:
        raise _err(op, f"scatter_dims_to_operand_dims needs {ivd} entries")
    check_axes(tuple(inserted_window_dims) + tuple(input_batching_dims), x.ndim,
               "inserted_window_dims + input_batching_dims")
    if len(input_batching_dims) != len(scatter_indices_batching_dims):
        raise _err(op, "input_batching_dims and scatter_indices_batching_dims differ "
                       "in length")
    scatter_shape = [s for d, s in enumerate(idx.shape) if d != index_vector_dim]
    window_rank = x.ndim - len(inserted_window_dims) - len(input_batching_dims)
    if len(update_window_dims) != window_rank or upd.ndim != len(scatter_shape) + window_rank:
        raise _err(op, f"updates shape {upd.shape} does not match indices {idx.shape} "
                       f"and operand {x.shape}")
    upd_scatter = [s for d, s in enumerate(upd.shape) if d not in update_window_dims]
    if upd_scatter != scatter_shape:
        raise _err(op, f"updates scatter dims {upd_scatter} differ from index batch "
                       f"dims {scatter_shape}")
    dropped = set(inserted_window_dims) | set(input_batching_dims)
    window = [upd.shape[d] for d in update_window_dims]
    room = [n for d, n in enumerate(x.shape) if d not in dropped]
    if any(w > r for w, r in zip(window, room)):
        raise _err(op, f"update window {tuple(window)} is larger than the operand's window "
                       f"dims {tuple(room)}")
    return x


scatter = Scatter("plait.scatter", "Scatter updates into an operand (set or add).")

_SCATTER_DIMS = {k: v for k, v in Scatter.attrs.items() if k != "mode"}


class ScatterCombine(OpDef):
    """`"plait.scatter_mul"(%x, %idx, %upd) {update_window_dims, inserted_window_dims,
    input_batching_dims, scatter_indices_batching_dims, scatter_dims_to_operand_dims,
    index_vector_dim}`

    StableHLO scatter whose combiner multiplies (scatter_mul) or keeps the smaller
    (scatter_min) or larger (scatter_max) value. Out-of-bounds updates are dropped.
    """

    arity = 3
    attrs = _SCATTER_DIMS
    traits = (Pure(),)
    kinds = "ifc"

    def infer(self, avals, **dims):
        if dtypes.kind(avals[0].dtype) not in self.kinds:
            raise _err(self, f"takes {'numeric' if 'c' in self.kinds else 'real'} operands, "
                             f"got {avals[0].dtype}")
        return [scatter_type(self, avals, **dims)]


scatter_mul = ScatterCombine("plait.scatter_mul", "Multiply updates into an operand.",
                             traits=(Linear(0),))
scatter_min = ScatterCombine("plait.scatter_min", "Scatter the minimum of operand and updates.",
                             kinds="bif")
scatter_max = ScatterCombine("plait.scatter_max", "Scatter the maximum of operand and updates.",
                             kinds="bif")


class Cumsum(OpDef):
    """`"plait.cumsum"(%x) {axis = 0 : i64, reverse = false}`"""

    arity = 1
    attrs = {"axis": Int(), "reverse": Bool()}
    traits = (Pure(), SameOperandsAndResultShape(), Linear(0))


    def infer(self, avals, axis, reverse=False):
        (x,) = avals
        if not 0 <= axis < x.ndim:
            raise _err(self, f"axis {axis} out of range for rank {x.ndim}")
        if x.dtype == dtypes.bool_:
            raise _err(self, "takes numeric operands, got bool")
        return [x]


cumsum = Cumsum("plait.cumsum", "Inclusive prefix sum along an axis (reverse: suffix sum).")


class OptimizationBarrier(OpDef):
    """`%a, %b = "plait.optimization_barrier"(%x, %y) : (tensor<4xf32>, tensor<i32>) ->
    (tensor<4xf32>, tensor<i32>)`

    Its operands, unchanged; XLA moves no computation across it (jax's
    optimization_barrier)."""

    traits = (Pure(), Linear(from_operand=0))

    def infer(self, avals):
        return list(avals)


optimization_barrier = OptimizationBarrier(
    "plait.optimization_barrier", "The operands, unchanged; no computation moves across it.")
