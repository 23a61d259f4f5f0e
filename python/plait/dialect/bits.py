"""Integer bit ops: shifts, population count, count of leading zeros, and bitcast_convert.

The shifts, popcount and clz are Pure and Elementwise on integer operands (signed or unsigned)
and lower one-to-one to StableHLO; a shift by the bit width or more gives what StableHLO says
(0, or the sign for an arithmetic shift). bitcast_convert reinterprets the bits of each
element: between dtypes of one width it is elementwise; to a narrower dtype it adds a trailing
dimension (the parts, least significant first on a little-endian machine, as StableHLO), to a
wider one it consumes one. Their rules are in `rules/bits.py`.
"""

from __future__ import annotations

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import DType, OpDef
from plait.dialect.elementwise import INT, Binary, Unary
from plait.dialect.traits import Pure

shift_left = Binary("plait.shift_left", "Shift left: x << y (0 for y >= the bit width).",
                    kinds=INT, stablehlo="stablehlo.shift_left")
shift_right_logical = Binary(
    "plait.shift_right_logical", "Logical right shift, filling with zeros.", kinds=INT,
    stablehlo="stablehlo.shift_right_logical")
shift_right_arithmetic = Binary(
    "plait.shift_right_arithmetic", "Arithmetic right shift, filling with the sign bit.",
    kinds=INT, stablehlo="stablehlo.shift_right_arithmetic")
population_count = Unary("plait.population_count", "The number of bits set.", kinds=INT,
                         stablehlo="stablehlo.popcnt")
clz = Unary("plait.clz", "The number of leading zero bits.", kinds=INT,
            stablehlo="stablehlo.count_leading_zeros")


class BitcastConvert(OpDef):
    """`"plait.bitcast_convert"(%x) {new_dtype = ui8} : (tensor<3xui32>) -> tensor<3x4xui8>`

    Same width: same shape. To a narrower dtype: a trailing dimension of width ratio is
    added; to a wider one, the trailing dimension (which must be the ratio) is consumed.
    """

    arity = 1
    attrs = {"new_dtype": DType()}
    traits = (Pure(),)

    def infer(self, avals, new_dtype):
        (x,) = avals
        for dt in (x.dtype, new_dtype):
            if dt == dtypes.bool_ or dtypes.is_complex(dt):
                raise PlaitTypeError(f"{self.name} takes integer and floating dtypes, got {dt}")
        src, dst = x.dtype.itemsize, new_dtype.itemsize
        if src == dst:
            return [ShapedArray(x.shape, new_dtype)]
        if src > dst:
            return [ShapedArray(x.shape + (src // dst,), new_dtype)]
        if not x.shape or x.shape[-1] != dst // src:
            raise PlaitTypeError(f"{self.name} from {x.dtype} to {new_dtype} needs a trailing "
                                 f"dimension of {dst // src}, got shape {x.shape}")
        return [ShapedArray(x.shape[:-1], new_dtype)]


bitcast_convert = BitcastConvert("plait.bitcast_convert",
                                 "Reinterpret the bits of each element as another dtype.")
