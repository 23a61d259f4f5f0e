"""dot_general: batched, contracted products (StableHLO's dimension numbers)."""

from __future__ import annotations

from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import Ints, OpDef, check_axes
from plait.dialect.elementwise import NUMERIC, _check_kind
from plait.dialect.traits import Linear, Pure


class DotGeneral(OpDef):
    """`"plait.dot_general"(%a, %b) {lhs_batching_dimensions = array<i64>,
    rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>,
    rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>`

    Result dimensions: batch, then lhs free, then rhs free (in operand order).
    """

    arity = 2
    attrs = {"lhs_batching_dimensions": Ints(), "rhs_batching_dimensions": Ints(),
             "lhs_contracting_dimensions": Ints(), "rhs_contracting_dimensions": Ints()}
    traits = (Pure(), Linear(0), Linear(1))

    def infer(self, avals, lhs_batching_dimensions, rhs_batching_dimensions,
              lhs_contracting_dimensions, rhs_contracting_dimensions):
        lhs, rhs = avals
        if lhs.dtype != rhs.dtype:
            raise PlaitTypeError(f"{self.name} operands must have equal dtypes, got "
                                 f"{lhs.dtype} and {rhs.dtype}")
        _check_kind(self, lhs.dtype, NUMERIC)
        lb, rb = lhs_batching_dimensions, rhs_batching_dimensions
        lc, rc = lhs_contracting_dimensions, rhs_contracting_dimensions
        check_axes(tuple(lb) + tuple(lc), lhs.ndim, "lhs batching + contracting dimensions")
        check_axes(tuple(rb) + tuple(rc), rhs.ndim, "rhs batching + contracting dimensions")
        if len(lb) != len(rb) or len(lc) != len(rc):
            raise PlaitTypeError(f"{self.name}: lhs and rhs need as many batching and "
                                 "contracting dimensions")
        for a, b, what in [(lb, rb, "batch"), (lc, rc, "contracting")]:
            for i, j in zip(a, b):
                if lhs.shape[i] != rhs.shape[j]:
                    raise PlaitTypeError(
                        f"{self.name}: {what} dimension sizes differ: lhs {lhs.shape} dim {i} "
                        f"vs rhs {rhs.shape} dim {j}")
        shape = [lhs.shape[i] for i in lb]
        shape += [d for i, d in enumerate(lhs.shape) if i not in lb and i not in lc]
        shape += [d for i, d in enumerate(rhs.shape) if i not in rb and i not in rc]
        return [ShapedArray(shape, lhs.dtype, lhs.weak_type and rhs.weak_type)]


dot_general = DotGeneral("plait.dot_general", "Generalized matrix product.")
