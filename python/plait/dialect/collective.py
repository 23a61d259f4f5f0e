"""Collectives over a named axis: psum, pmax, pmin, all_gather, psum_scatter, ppermute,
all_to_all, axis_index.

The axis is a `vmap` axis (plait-batch turns them into reductions and reshapes over the
batch dimension) or a mesh axis of a `shard_map` (lowered to StableHLO collectives).
Their rules are in `rules/collective.py`.
"""

from __future__ import annotations

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import Bool, Int, Ints, OpDef, Str
from plait.dialect.traits import Collective, Linear, Pure, SameOperandsAndResultShape


def _err(op, msg):
    return PlaitTypeError(f"{op.name}: {msg}")


class Psum(OpDef):
    """`%s = "plait.psum"(%x) {axis_name = "i"}`: the sum of x over every member of the axis."""

    arity = 1
    attrs = {"axis_name": Str()}
    traits = (Pure(), Collective(), SameOperandsAndResultShape(), Linear(0))

    def infer(self, avals, axis_name):
        (x,) = avals
        if x.dtype == dtypes.bool_:
            raise _err(self, "takes numeric operands, got bool")
        return [x.strip_weak()]


class Pextreme(OpDef):
    """`%m = "plait.pmax"(%x) {axis_name = "i"}`: the maximum (pmin: minimum) of x over every
    member of the axis, element by element."""

    arity = 1
    attrs = {"axis_name": Str()}
    traits = (Pure(), Collective(), SameOperandsAndResultShape())

    def infer(self, avals, axis_name):
        (x,) = avals
        if dtypes.is_complex(x.dtype):
            raise _err(self, f"takes real or bool operands, got {x.dtype}")
        return [x.strip_weak()]


class AllGather(OpDef):
    """`"plait.all_gather"(%x) {axis_name = "i", axis = 0 : i64, axis_size = 4 : i64,
    tiled = false}`: every member's x stacked along a new `axis` (tiled: concatenated)."""

    arity = 1
    attrs = {"axis_name": Str(), "axis": Int(), "axis_size": Int(), "tiled": Bool()}
    traits = (Pure(), Collective(), Linear(0))

    def infer(self, avals, axis_name, axis, axis_size, tiled=False):
        (x,) = avals
        shape = list(x.shape)
        if tiled:
            if not 0 <= axis < x.ndim:
                raise _err(self, f"axis {axis} out of range for rank {x.ndim}")
            shape[axis] *= axis_size
        else:
            if not 0 <= axis <= x.ndim:
                raise _err(self, f"axis {axis} out of range for rank {x.ndim}")
            shape.insert(axis, axis_size)
        return [ShapedArray(shape, x.dtype)]


class PsumScatter(OpDef):
    """`"plait.psum_scatter"(%x) {axis_name = "i", scatter_dimension = 0 : i64,
    axis_size = 4 : i64, tiled = false}`: the psum of x, with member k keeping block k of
    `scatter_dimension` (tiled: a block of size n / axis_size; else the dimension, of size
    axis_size, is dropped)."""

    arity = 1
    attrs = {"axis_name": Str(), "scatter_dimension": Int(), "axis_size": Int(),
             "tiled": Bool()}
    traits = (Pure(), Collective(), Linear(0))

    def infer(self, avals, axis_name, scatter_dimension, axis_size, tiled=False):
        (x,) = avals
        d = scatter_dimension
        if not 0 <= d < x.ndim:
            raise _err(self, f"scatter_dimension {d} out of range for rank {x.ndim}")
        shape = list(x.shape)
        if tiled:
            if shape[d] % axis_size:
                raise _err(self, f"dimension {d} of size {shape[d]} is not divisible by the "
                                 f"axis size {axis_size}")
            shape[d] //= axis_size
        else:
            if shape[d] != axis_size:
                raise _err(self, f"dimension {d} has size {shape[d]}, not the axis size "
                                 f"{axis_size}")
            del shape[d]
        return [ShapedArray(shape, x.dtype)]


class Ppermute(OpDef):
    """`"plait.ppermute"(%x) {axis_name = "i", perm = array<i64: 0, 1, 1, 2>}`: member
    perm[2k+1] receives member perm[2k]'s x (pairs flattened); others receive zeros."""

    arity = 1
    attrs = {"axis_name": Str(), "perm": Ints()}
    traits = (Pure(), Collective(), SameOperandsAndResultShape(), Linear(0))

    def infer(self, avals, axis_name, perm):
        if len(perm) % 2:
            raise _err(self, "perm must hold (source, destination) pairs")
        srcs, dsts = perm[0::2], perm[1::2]
        if len(set(srcs)) != len(srcs) or len(set(dsts)) != len(dsts):
            raise _err(self, f"perm {perm} sends from or to a member twice")
        return [avals[0]]


class AllToAll(OpDef):
    """`"plait.all_to_all"(%x) {axis_name = "i", split_axis = 0 : i64, concat_axis = 1 : i64,
    axis_size = 4 : i64}`: `split_axis` cut into axis_size blocks, block k sent to member k;
    the blocks received concatenated along `concat_axis` in the senders' order (jax's
    all_to_all with tiled=True)."""

    arity = 1
    attrs = {"axis_name": Str(), "split_axis": Int(), "concat_axis": Int(), "axis_size": Int()}
    traits = (Pure(), Collective(), Linear(0))

    def infer(self, avals, axis_name, split_axis, concat_axis, axis_size):
        (x,) = avals
        for name, d in (("split_axis", split_axis), ("concat_axis", concat_axis)):
            if not 0 <= d < x.ndim:
                raise _err(self, f"{name} {d} out of range for rank {x.ndim}")
        shape = list(x.shape)
        if axis_size < 1 or shape[split_axis] % axis_size:
            raise _err(self, f"split_axis {split_axis} of size {shape[split_axis]} is not "
                             f"divisible by the axis size {axis_size}")
        shape[split_axis] //= axis_size
        shape[concat_axis] *= axis_size
        return [ShapedArray(shape, x.dtype)]


class AxisIndex(OpDef):
    """`%i = "plait.axis_index"() {axis_name = "i"} : () -> tensor<i32>`: this member's index."""

    arity = 0
    attrs = {"axis_name": Str()}
    traits = (Pure(), Collective())

    def infer(self, avals, axis_name):
        return [ShapedArray((), dtypes.int32)]


psum = Psum("plait.psum", "Sum over a named axis.")
all_gather = AllGather("plait.all_gather", "Gather over a named axis.")
psum_scatter = PsumScatter("plait.psum_scatter", "Sum over a named axis, then scatter blocks.")
ppermute = Ppermute("plait.ppermute", "Send values between members of a named axis.")
axis_index = AxisIndex("plait.axis_index", "Index of this member along a named axis.")
pmax = Pextreme("plait.pmax", "Maximum over a named axis.")
pmin = Pextreme("plait.pmin", "Minimum over a named axis.")
all_to_all = AllToAll("plait.all_to_all", "Exchange blocks between the members of a named axis.")
