"""The rules of the random bit generators (`dialect/prng.py`). Their results are integers, so no
tangent goes through them. threefry2x32 is Elementwise (its batching and sharding rules
follow); its lowering spells out the 20 rounds."""

from __future__ import annotations

from plait._mlir import hlo
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import ops as P
from plait.dialect.base import splat_attr
from plait.lowering.stablehlo import create, register
from plait.transforms.batch import defbatch
from plait.transforms.jvp import jvp_rule, zero_jvp
from plait.transforms.shard_propagate import forward_rule, unknown

jvp_rule(P.threefry2x32, P.rng_bit_generator)(zero_jvp)

# Threefry-2x32 (Random123): rotation amounts of the even and odd groups of four rounds, and
# the parity constant of the key schedule
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA


@register(P.threefry2x32)
def _lower_threefry2x32(op, params, operands, result_types):
    """20 rounds in 5 groups of 4, each round x0 += x1; x1 = rotl(x1, r) ^ x0, and a key
    injection after each group: uint32 adds, shifts, ors and xors (wrapping)."""
    t = result_types[0]
    shape = aval_of(operands[0]).shape

    def const(v):
        attr = splat_attr(shape, dtypes.uint32, v)
        return create("stablehlo.constant", [t], [], {"value": attr}).results[0]

    def binary(name, a, b):
        return create(name, [t], [a, b]).results[0]

    def add(a, b):
        return binary("stablehlo.add", a, b)

    def rotl(x, r):
        return binary("stablehlo.or", binary("stablehlo.shift_left", x, const(r)),
                      binary("stablehlo.shift_right_logical", x, const(32 - r)))

    k0, k1, x0, x1 = operands
    ks = (k0, k1, binary("stablehlo.xor", binary("stablehlo.xor", k0, k1), const(_PARITY)))
    x0, x1 = add(x0, ks[0]), add(x1, ks[1])
    for g in range(5):
        for r in _ROTATIONS[g % 2]:
            x0 = add(x0, x1)
            x1 = binary("stablehlo.xor", rotl(x1, r), x0)
        x0 = add(x0, ks[(g + 1) % 3])
        x1 = add(add(x1, ks[(g + 2) % 3]), const(g + 1))
    return [x0, x1]


@defbatch(P.rng_bit_generator)
def _rng_bit_generator_b(operands, bdims, size, algorithm, shape, dtype):
    """One generator per state: the batch is unrolled (its size is static) and stacked."""
    (state,), (b,) = operands, bdims
    n = aval_of(state).shape[1 - b]
    states, bits = [], []
    for i in range(size):
        start, limit = [0, 0], [n, n]
        start[b], limit[b] = i, i + 1
        s = P.reshape(P.slice(state, start_indices=tuple(start), limit_indices=tuple(limit),
                              strides=(1, 1)), new_sizes=(n,))
        s2, r = P.rng_bit_generator(s, algorithm=algorithm, shape=shape, dtype=dtype)
        states.append(P.reshape(s2, new_sizes=(1, n)))
        bits.append(P.reshape(r, new_sizes=(1,) + tuple(shape)))
    return [P.concatenate(*states, dimension=0), P.concatenate(*bits, dimension=0)], [0, 0]


forward_rule(P.rng_bit_generator)(unknown)  # its bits depend on the whole state


@register(P.rng_bit_generator)
def _lower_rng_bit_generator(op, params, operands, result_types):
    attr = hlo.RngAlgorithmAttr.get(params["algorithm"])
    return list(create("stablehlo.rng_bit_generator", result_types, operands,
                       {"rng_algorithm": attr}).results)
