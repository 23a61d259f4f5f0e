"""The rules of the bit ops (`dialect/bits.py`). Their results are integers or a
reinterpretation of bits, so no tangent goes through them; the shifts, popcount and clz get
their batching, sharding and lowering from their traits and declarations."""

from __future__ import annotations

from plait.core.aval import aval_of
from plait.dialect import ops as P
from plait.lowering.raising import check_attrs
from plait.lowering.raising import register as raise_rule
from plait.lowering.stablehlo import create, register
from plait.transforms.batch import defbatch, move_bdim
from plait.transforms.jvp import jvp_rule, zero_jvp
from plait.transforms.shard_propagate import backward_rule, forward_rule

jvp_rule(P.shift_left, P.shift_right_logical, P.shift_right_arithmetic, P.population_count,
         P.clz, P.bitcast_convert)(zero_jvp)


@defbatch(P.bitcast_convert)
def _bitcast_convert_b(operands, bdims, size, new_dtype):
    """The trailing dimension is the op's: the batch dim goes in front of it."""
    (x,), (b,) = operands, bdims
    if b == aval_of(x).ndim - 1:
        x, b = move_bdim(x, b, 0, size), 0
    return [P.bitcast_convert(x, new_dtype=new_dtype)], [b]


@forward_rule(P.bitcast_convert)
def _bitcast_convert_fwd(ctx):
    (x,) = ctx.dims
    if x is None:
        return None
    # to a narrower dtype a trailing dimension is added, to a wider one it is consumed
    change = len(ctx.out_shape) - len(ctx.shapes[0])
    return x + ((),) if change > 0 else x[:-1] if change < 0 else x


@backward_rule(P.bitcast_convert)
def _bitcast_convert_bwd(ctx):
    change = len(ctx.out) - len(ctx.shapes[0])
    return [ctx.out[:-1] if change > 0 else ctx.out + ((),) if change < 0 else ctx.out]


@register(P.bitcast_convert)
def _lower_bitcast_convert(op, params, operands, result_types):
    return list(create("stablehlo.bitcast_convert", result_types, operands).results)


# --- raising (StableHLO -> plait) ----------------------------------------------------------------

@raise_rule("stablehlo.bitcast_convert")
def _raise_bitcast_convert(op):
    check_attrs(op)
    return [P.bitcast_convert(op.operands[0], new_dtype=aval_of(op.results[0]).dtype)]
