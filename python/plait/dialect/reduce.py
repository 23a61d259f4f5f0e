"""Reductions over static axes, and argmax / argmin."""

from __future__ import annotations

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import DType, Int, Ints, OpDef, check_axes
from plait.dialect.elementwise import ANY, LOGICAL, NUMERIC, REAL, _check_kind
from plait.dialect.traits import Linear, Pure


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
