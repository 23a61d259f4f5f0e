"""Random bit generators: the Threefry-2x32 block function and XLA's rng_bit_generator.

`plait.threefry2x32` is the counter-based hash of Salmon et al., "Parallel random numbers: as
easy as 1, 2, 3" (SC 2011), Threefry-2x32 with 20 rounds as in the Random123 reference: key
words (k0, k1) and counter words (x0, x1), all uint32 of one shape, to two uint32 words. It
is Elementwise, so vmap and sharding treat it like an add; its lowering spells the rounds out
in StableHLO adds, rotations and xors. plait.random builds every threefry key and sample from
it. `plait.rng_bit_generator` is StableHLO's stateful-looking generator (the state is an
operand and a result). Their rules are in `rules/prng.py`.
"""

from __future__ import annotations

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import DType, Ints, OpDef, Str
from plait.dialect.traits import Elementwise, Pure


class Threefry2x32(OpDef):
    """`%y0, %y1 = "plait.threefry2x32"(%k0, %k1, %x0, %x1) : (tensor<4xui32>, ...) ->
    (tensor<4xui32>, tensor<4xui32>)`"""

    arity = 4
    traits = (Pure(), Elementwise())
    operand_names = ("k0", "k1", "x0", "x1")

    def infer(self, avals):
        for a in avals:
            if a.dtype != dtypes.uint32:
                raise PlaitTypeError(f"{self.name} takes uint32 operands, got {a.dtype}")
        return [ShapedArray(avals[0].shape, dtypes.uint32)] * 2


threefry2x32 = Threefry2x32("plait.threefry2x32",
                            "Threefry-2x32 (20 rounds) of counters (x0, x1) under key (k0, k1).")

RNG_ALGORITHMS = ("DEFAULT", "THREE_FRY", "PHILOX")


class RngBitGenerator(OpDef):
    """`%state, %bits = "plait.rng_bit_generator"(%s) {algorithm = "DEFAULT", shape =
    array<i64: 3>, dtype = ui32} : (tensor<2xui64>) -> (tensor<2xui64>, tensor<3xui32>)`

    StableHLO's rng_bit_generator: the next state and random bits of `shape` and `dtype`
    (an unsigned integer). The state is uint64[2] (PHILOX also takes uint64[3]); the bits a
    DEFAULT algorithm gives are the backend's to choose.
    """

    arity = 1
    attrs = {"algorithm": Str(RNG_ALGORITHMS), "shape": Ints(), "dtype": DType()}
    traits = (Pure(),)

    def infer(self, avals, algorithm, shape, dtype):
        (s,) = avals
        sizes = (2, 3) if algorithm == "PHILOX" else (2,)
        if s.dtype != dtypes.uint64 or s.ndim != 1 or s.shape[0] not in sizes:
            raise PlaitTypeError(f"{self.name} {algorithm} takes a uint64 state of shape "
                                 + " or ".join(f"({n},)" for n in sizes) + f", got {s}")
        if not dtypes.is_unsigned(dtype):
            raise PlaitTypeError(f"{self.name} makes unsigned integers, not {dtype}")
        if any(d < 0 for d in shape):
            raise PlaitTypeError(f"{self.name}: bad shape {tuple(shape)}")
        return [s, ShapedArray(shape, dtype)]


rng_bit_generator = RngBitGenerator("plait.rng_bit_generator",
                                    "Random bits and the next generator state (StableHLO's).")
