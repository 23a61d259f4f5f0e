"""The rules of sort and top_k (`dialect/sort.py`).

sort permutes every operand as its keys order them, so a tangent or cotangent rides along:
its JVP sorts the tangents with the primal keys, its transpose sorts the cotangents back by
the permutation (sorting by a permutation inverts it). top_k's JVP gathers the tangents at
its indices.
"""

from __future__ import annotations

import numpy as np

from plait._mlir import hlo, ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import ShapedArray, aval_of
from plait.dialect import ops as P
from plait.lowering.raising import check_attrs, lowers_to_region
from plait.lowering.raising import register as raise_rule
from plait.lowering.stablehlo import create, dtype_of, register, scalar_const
from plait.transforms.base import fail
from plait.transforms.batch import defbatch, move_bdim
from plait.transforms.jvp import jvp_rule
from plait.transforms.shard_propagate import backward_rule, forward_rule
from plait.transforms.transpose import deftranspose, is_linear

# --- sort ---------------------------------------------------------------------------------------

def _sort(*xs, **params) -> list:
    return P.sort.build(xs, None, params)[0]


@jvp_rule(P.sort)
def _sort_jvp(ctx):
    """Tangents sorted along with the primal keys (a sort linear in them)."""
    p = ctx.params
    primals, tangents = ctx.primals, ctx.tangents
    ctx.emit_primal()
    carried = [t for t in tangents if t is not None]
    if not carried:
        return [None] * len(tangents)
    keys = primals[:p["num_keys"]]
    out = iter(_sort(*keys, *carried, **p)[len(keys):])
    return [None if t is None else next(out) for t in tangents]


def _permutation(keys, dimension, num_keys):
    """Where each sorted element came from, along `dimension`."""
    a = aval_of(keys[0])
    idx = P.iota(shape=a.shape, dtype=dtypes.int32, dimension=dimension)
    return _sort(*keys, idx, dimension=dimension, is_stable=True, num_keys=num_keys)[-1]


@deftranspose(P.sort)
def _sort_t(cts, operands, dimension, is_stable, num_keys):
    """Each cotangent goes back where its element came from: sorted by the permutation."""
    keys = operands[:num_keys]
    carried = [ct for x, ct in zip(operands[num_keys:], cts[num_keys:])
               if is_linear(x) and ct is not None]
    out = [None] * len(operands)
    if not carried:
        return out
    perm = _permutation(keys, dimension, num_keys)
    back = iter(_sort(perm, *carried, dimension=dimension, is_stable=True, num_keys=1)[1:])
    for i, (x, ct) in enumerate(zip(operands, cts)):
        if i >= num_keys and is_linear(x) and ct is not None:
            out[i] = next(back)
    return out


@defbatch(P.sort)
def _sort_b(operands, bdims, size, dimension, is_stable, num_keys):
    xs = [move_bdim(x, b, 0, size) for x, b in zip(operands, bdims)]
    out = _sort(*xs, dimension=dimension + 1, is_stable=is_stable, num_keys=num_keys)
    return out, [0] * len(out)


@forward_rule(P.sort)
def _sort_fwd(ctx):
    """The sorted dimension is whole on every device; the others keep their sharding."""
    dims = next((d for d in ctx.dims if d is not None), None)
    if dims is None:
        return None
    return tuple(() if i == ctx.params["dimension"] else d for i, d in enumerate(dims))


@backward_rule(P.sort)
def _sort_bwd(ctx):
    dims = tuple(() if i == ctx.params["dimension"] else d for i, d in enumerate(ctx.out))
    return [dims] * len(ctx.operands)


def _compare(a, b, direction: str):
    """A scalar comparison in the comparator: floats in total order, as jax's sort."""
    dt = dtype_of(a)
    kind = "TOTALORDER" if dtypes.is_float(dt) else "UNSIGNED" if dt.kind in "ub" else "SIGNED"
    t = _aval.ir_type(ShapedArray((), dtypes.bool_))
    return create("stablehlo.compare", [t], [a, b], {
        "comparison_direction": hlo.ComparisonDirectionAttr.get(direction),
        "compare_type": hlo.ComparisonTypeAttr.get(kind)}).results[0]


def _canonical(x):
    """-0.0 as 0.0 and every NaN as one NaN, so that they compare equal."""
    dt = dtype_of(x)
    if not dtypes.is_float(dt):
        return x
    zero, nan = scalar_const(dt, 0), scalar_const(dt, np.nan)
    t = _aval.ir_type(ShapedArray((), dtypes.bool_))

    def cmp(a, b, direction):
        return create("stablehlo.compare", [t], [a, b], {
            "comparison_direction": hlo.ComparisonDirectionAttr.get(direction),
            "compare_type": hlo.ComparisonTypeAttr.get("FLOAT")}).results[0]

    # the NaN test reads x itself, as jax's comparator does (plait-raise-stablehlo matches it)
    y = create("stablehlo.select", [x.type], [cmp(x, zero, "EQ"), zero, x]).results[0]
    return create("stablehlo.select", [x.type], [cmp(x, x, "NE"), nan, y]).results[0]


def _comparator(region, scalar_types, num_keys: int) -> None:
    """lhs < rhs lexicographically in the first num_keys operands (block arguments come in
    pairs, lhs and rhs of each operand)."""
    block = region.blocks.append(*[t for s in scalar_types for t in (s, s)])
    with ir.InsertionPoint(block):
        args = list(block.arguments)
        # every key canonical first, in order, as jax's comparator (plait-raise-stablehlo
        # matches it)
        keys = [_canonical(a) for a in args[:2 * num_keys]]
        lt = None
        for k in reversed(range(num_keys)):
            a, b = keys[2 * k], keys[2 * k + 1]
            less = _compare(a, b, "LT")
            if lt is not None:
                tie = create("stablehlo.and", [less.type], [_compare(a, b, "EQ"), lt]).results[0]
                less = create("stablehlo.or", [less.type], [less, tie]).results[0]
            lt = less
        create("stablehlo.return", [], [lt])


@register(P.sort)
def _lower_sort(op, params, operands, result_types):
    sort = create("stablehlo.sort", result_types, operands, {
        "dimension": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), params["dimension"]),
        "is_stable": ir.BoolAttr.get(bool(params["is_stable"]))}, regions=1)
    scalars = [ir.RankedTensorType.get([], ir.RankedTensorType(t).element_type)
               for t in result_types]
    _comparator(sort.regions[0], scalars, params["num_keys"])
    return list(sort.results)


# --- top_k --------------------------------------------------------------------------------------

def take_along_last(x, idx):
    """x[..., idx] along the last dimension, idx shaped like x but for its last dimension."""
    a = aval_of(x)
    batch = tuple(range(a.ndim - 1))
    idx_shape = aval_of(idx).shape
    return P.gather(x, P.reshape(idx, new_sizes=idx_shape + (1,)), offset_dims=(),
                    collapsed_slice_dims=(a.ndim - 1,), operand_batching_dims=batch,
                    start_indices_batching_dims=batch, start_index_map=(a.ndim - 1,),
                    index_vector_dim=len(idx_shape), slice_sizes=(1,) * a.ndim,
                    indices_are_sorted=False)


@jvp_rule(P.top_k)
def _top_k_jvp(ctx):
    (t,) = ctx.tangents
    _, idx = ctx.emit_primal()
    return [take_along_last(t, idx), None]


@defbatch(P.top_k)
def _top_k_b(operands, bdims, size, k):
    (x,), (b,) = operands, bdims
    if b == aval_of(x).ndim - 1:  # the last dimension is the op's
        x, b = move_bdim(x, b, 0, size), 0
    return P.top_k(x, k=k), [b, b]


@forward_rule(P.top_k)
def _top_k_fwd(ctx):
    (x,) = ctx.dims
    return None if x is None else x[:-1] + ((),)


@backward_rule(P.top_k)
def _top_k_bwd(ctx):
    return [ctx.out[:-1] + ((),)]


@register(P.top_k)
def _lower_top_k(op, params, operands, result_types):
    return list(create("chlo.top_k", result_types, operands,
                       {"k": ir.IntegerAttr.get(ir.IntegerType.get_signless(64),
                                                params["k"])}).results)


# --- raising (StableHLO -> plait) ----------------------------------------------------------------

@raise_rule("stablehlo.sort")
def _raise_sort(op):
    """A sort whose comparator is the one plait lowers to: `<` on the first num_keys operands,
    lexicographically, with -0.0 = 0.0 and NaNs last (jax's)."""
    check_attrs(op, ("dimension", "is_stable"))
    params = {"dimension": ir.IntegerAttr(op.attributes["dimension"]).value,
              "is_stable": "is_stable" in op.attributes
              and ir.BoolAttr(op.attributes["is_stable"]).value}
    for k in range(1, len(op.operands) + 1):
        if lowers_to_region(P.sort, op.operands, dict(params, num_keys=k), op):
            return P.sort(*op.operands, num_keys=k, **params) if len(op.operands) > 1 else \
                [P.sort(*op.operands, num_keys=k, **params)]
    raise fail(op, "plait-raise-stablehlo: cannot raise this 'stablehlo.sort': its comparator "
                   "is not a lexicographic less-than on its leading operands")


@raise_rule("chlo.top_k")
def _raise_top_k(op):
    check_attrs(op, ("k",))
    return P.top_k(op.operands[0], k=ir.IntegerAttr(op.attributes["k"]).value)
