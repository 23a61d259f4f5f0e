"""Sorting: `plait.sort` (several operands ordered by the first `num_keys`) and `plait.top_k`.

Both are Pure. sort is linear in the operands after its keys (they ride along), which gives its
transpose; its rules, and top_k's, are in `rules/sort.py`.
"""

from __future__ import annotations

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import Bool, Int, OpDef
from plait.dialect.traits import Linear, Pure


def _err(op: OpDef, msg: str) -> PlaitTypeError:
    return PlaitTypeError(f"{op.name}: {msg}")


class Sort(OpDef):
    """`%k, %v = "plait.sort"(%keys, %values) {dimension = 0 : i64, is_stable = true,
    num_keys = 1 : i64} : (tensor<5xui32>, tensor<5xf32>) -> (tensor<5xui32>, tensor<5xf32>)`

    Sorts along `dimension`, ascending in the first `num_keys` operands lexicographically
    (floats in jax's total order: -NaN < -inf < ... < -0.0 == 0.0 < ... < inf < NaN), and
    permutes every operand the same way; `is_stable` keeps equal keys in their order.
    """

    attrs = {"dimension": Int(), "is_stable": Bool(), "num_keys": Int()}
    traits = (Pure(), Linear(from_operand="num_keys"))

    def infer(self, avals, dimension, is_stable, num_keys):
        if not avals:
            raise _err(self, "needs at least one operand")
        shape = avals[0].shape
        if any(a.shape != shape for a in avals):
            raise _err(self, "operands must have equal shapes, got "
                             + ", ".join(str(a.shape) for a in avals))
        if not 0 <= dimension < len(shape):
            raise _err(self, f"dimension {dimension} out of range for rank {len(shape)}")
        if not 1 <= num_keys <= len(avals):
            raise _err(self, f"num_keys {num_keys} must be between 1 and {len(avals)}")
        for a in avals[:num_keys]:
            if dtypes.is_complex(a.dtype):
                raise _err(self, f"cannot sort by complex keys ({a.dtype})")
        return list(avals)


sort = Sort("plait.sort", "Sort operands along a dimension by their first num_keys operands.")


class TopK(OpDef):
    """`%v, %i = "plait.top_k"(%x) {k = 2 : i64} : (tensor<3x5xf32>) -> (tensor<3x2xf32>,
    tensor<3x2xi32>)`

    The k largest entries along the last dimension, largest first (the lower index first among
    equal ones), and their int32 indices.
    """

    arity = 1
    attrs = {"k": Int()}
    traits = (Pure(),)

    def infer(self, avals, k):
        (x,) = avals
        if x.ndim < 1:
            raise _err(self, "takes an operand of rank 1 or more")
        if not 0 <= k <= x.shape[-1]:
            raise _err(self, f"k = {k} is out of range for a last dimension of {x.shape[-1]}")
        if x.dtype == dtypes.bool_ or dtypes.is_complex(x.dtype):
            raise _err(self, f"takes integer or floating operands, got {x.dtype}")
        shape = x.shape[:-1] + (k,)
        return [ShapedArray(shape, x.dtype), ShapedArray(shape, dtypes.int32)]


top_k = TopK("plait.top_k", "The k largest entries along the last dimension and their indices.")
