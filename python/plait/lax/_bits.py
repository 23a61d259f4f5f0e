"""`plait.lax` bit ops and random bit generators, with jax.lax's names and signatures."""

from __future__ import annotations

import enum

from plait.core import dtypes
from plait.core.errors import PlaitTypeError
from plait.dialect import ops as P
from plait.lax._lax import _binary, _unary, reshape
from plait.staging.trace import bind

shift_left, shift_right_logical, shift_right_arithmetic = map(_binary, (
    P.shift_left, P.shift_right_logical, P.shift_right_arithmetic))
population_count, clz = map(_unary, (P.population_count, P.clz))


def bitcast_convert_type(operand, new_dtype):
    """The bits of each element as `new_dtype`: to a narrower dtype a trailing dimension of the
    parts is added, from a narrower one the trailing dimension is consumed (jax.lax's)."""
    return bind(P.bitcast_convert, operand, new_dtype=dtypes.canonicalize(new_dtype))


def threefry2x32(k0, k1, x0, x1):
    """Threefry-2x32 (20 rounds) of the counter words (x0, x1) under the key words (k0, k1),
    all uint32 of one shape: the two output words."""
    return bind(P.threefry2x32, k0, k1, x0, x1)


class RandomAlgorithm(enum.IntEnum):
    """jax.lax.RandomAlgorithm: the algorithm of rng_bit_generator."""

    RNG_DEFAULT = 0
    RNG_THREE_FRY = 1
    RNG_PHILOX = 2


_ALGORITHMS = {RandomAlgorithm.RNG_DEFAULT: "DEFAULT",
               RandomAlgorithm.RNG_THREE_FRY: "THREE_FRY", RandomAlgorithm.RNG_PHILOX: "PHILOX"}


def rng_bit_generator(key, shape, dtype=dtypes.uint32,
                      algorithm=RandomAlgorithm.RNG_DEFAULT):
    """(next key, random bits of `shape` and unsigned `dtype`) from a uint32[4] key, as
    jax.lax.rng_bit_generator: the key's words are XLA's uint64[2] state."""
    if key.dtype != dtypes.uint32 or key.shape != (4,):
        raise PlaitTypeError(f"rng_bit_generator takes a uint32[4] key, got {key.aval}")
    state = bind(P.bitcast_convert, reshape(key, (2, 2)), new_dtype=dtypes.uint64)
    new, bits = bind(P.rng_bit_generator, state, algorithm=_ALGORITHMS[RandomAlgorithm(algorithm)],
                     shape=tuple(int(d) for d in shape), dtype=dtypes.canonicalize(dtype))
    return reshape(bind(P.bitcast_convert, new, new_dtype=dtypes.uint32), (4,)), bits
