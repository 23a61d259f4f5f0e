"""Reductions over static axes (a fixed monoid, or `plait.reduce` with a region body), and
argmax / argmin."""

from __future__ import annotations

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import DType, Int, Ints, OpDef, check_axes
from plait.dialect.control import RegionOp, block_of, yielded
from plait.dialect.elementwise import ANY, LOGICAL, NUMERIC, REAL, _check_kind
from plait.dialect.traits import HasRegions, Linear, Pure


class Reduce(OpDef):
    """`%s = "plait.reduce_sum"(%x) {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>`"""

    arity = 1
    attrs = {"axes": Ints()}
    traits = (Pure(),)
    kinds = NUMERIC

    def infer(self, avals, axes):
        (x,) = avals
        _check_kind(self, x.dtype, self.kinds)
        check_axes(axes, x.ndim, f"{self.name} axes")
        shape = [d for i, d in enumerate(x.shape) if i not in axes]
        return [ShapedArray(shape, x.dtype, x.weak_type)]


reduce_sum = Reduce("plait.reduce_sum", "Sum over axes.", traits=(Linear(0),))
reduce_prod = Reduce("plait.reduce_prod", "Product over axes.")
reduce_max = Reduce("plait.reduce_max", "Maximum over axes (NaN-propagating).", kinds=ANY)
reduce_min = Reduce("plait.reduce_min", "Minimum over axes (NaN-propagating).", kinds=ANY)
reduce_and = Reduce("plait.reduce_and", "Logical/bitwise and over axes.", kinds=LOGICAL)
reduce_or = Reduce("plait.reduce_or", "Logical/bitwise or over axes.", kinds=LOGICAL)
reduce_xor = Reduce("plait.reduce_xor", "Logical/bitwise exclusive or over axes.", kinds=LOGICAL)


class ArgReduce(OpDef):
    """`%i = "plait.argmax"(%x) {axis = 1 : i64, index_dtype = i32} : (tensor<2x3xf32>) -> tensor<2xi32>`

    The first index of the extreme value; NaN counts as the extreme, as in NumPy.
    """

    arity = 1
    attrs = {"axis": Int(), "index_dtype": DType()}
    traits = (Pure(),)

    def infer(self, avals, axis, index_dtype):
        (x,) = avals
        _check_kind(self, x.dtype, REAL + "b")
        if not 0 <= axis < x.ndim:
            raise PlaitTypeError(f"{self.name}: axis {axis} out of range for rank {x.ndim}")
        if not dtypes.is_integer(index_dtype):
            raise PlaitTypeError(f"{self.name}: index_dtype must be an integer, got {index_dtype}")
        shape = [d for i, d in enumerate(x.shape) if i != axis]
        return [ShapedArray(shape, index_dtype)]


argmax = ArgReduce("plait.argmax", "Index of the maximum along an axis.")
argmin = ArgReduce("plait.argmin", "Index of the minimum along an axis.")


class ReduceRegion(RegionOp):
    """`%r = "plait.reduce"(%x, %init) {dimensions = array<i64: 1>} ({ ^bb0(%a: tensor<f32>,
    %b: tensor<f32>): ... "plait.yield"(%c) })`

    n arrays of one shape and n scalar initial values; the body takes (a_1..a_n, b_1..b_n)
    scalars and yields n; results are the arrays reduced over `dimensions` (jax.lax.reduce
    with a computation that is no monoid)."""

    attrs = {"dimensions": Ints()}
    traits = (Pure(), HasRegions(1))

    def verify_blocks(self, op: ir.Operation, params: dict) -> None:
        operands = list(op.operands)
        n = len(operands) // 2
        if not operands or len(operands) % 2:
            raise PlaitTypeError(f"{self.name}: takes n arrays and n initial values, got "
                                 f"{len(operands)} operands")
        avals = [_aval.aval_of(v) for v in operands]
        xs, inits = avals[:n], avals[n:]
        for x, init in zip(xs, inits):
            if x.shape != xs[0].shape:
                raise PlaitTypeError(f"{self.name}: its arrays must have one shape, got "
                                     + " and ".join(str(a.shape) for a in xs))
            if init.shape != () or init.dtype != x.dtype:
                raise PlaitTypeError(f"{self.name}: initial values must be scalars of their "
                                     f"array's dtype, got {init.str_short()} for "
                                     f"{x.str_short()}")
        dims = params["dimensions"]
        check_axes(dims, xs[0].ndim, f"{self.name} dimensions")
        scalars = [_aval.ir_type(a.update(shape=(), weak_type=False)) for a in xs] * 2
        block = block_of(op.regions[0])
        got = [a.type for a in block.arguments]
        if got != scalars:
            raise PlaitTypeError(f"{self.name}: the body takes {_fmt(got)} but must take "
                                 f"{_fmt(scalars)}")
        outs = [v.type for v in yielded(block)]
        if outs != scalars[:n]:
            raise PlaitTypeError(f"{self.name}: the body yields {_fmt(outs)} but must yield "
                                 f"{_fmt(scalars[:n])}")
        shape = [d for i, d in enumerate(xs[0].shape) if i not in dims]
        want = [_aval.ir_type(ShapedArray(shape, x.dtype)) for x in xs]
        results = [r.type for r in op.results]
        if results != want:
            raise PlaitTypeError(f"{self.name}: result types {_fmt(results)} differ from "
                                 f"{_fmt(want)}")


def _fmt(types) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


reduce = ReduceRegion("plait.reduce", "Reduce n arrays over dimensions with a region body.")
