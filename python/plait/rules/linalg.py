"""The rules of dot_general (`dialect/linalg.py`)."""

from __future__ import annotations

import numpy as np

from plait._mlir import hlo
from plait.core.aval import aval_of
from plait.dialect import ops as P
from plait.dialect.builders import add_any
from plait.lowering.raising import check_attrs
from plait.lowering.raising import register as raise_rule
from plait.lowering.stablehlo import create, register
from plait.transforms.batch import defbatch, shift_axes
from plait.transforms.jvp import defjvp
from plait.transforms.shard_propagate import forward_rule, once
from plait.transforms.transpose import deftranspose, is_linear


@defjvp(P.dot_general)
def _dot_general_jvp(primals, tangents, outs, **params):
    (a, b), (ta, tb) = primals, tangents
    return [add_any(None if ta is None else P.dot_general(ta, b, **params),
                    None if tb is None else P.dot_general(a, tb, **params))]


def _ranges_like(*xs):
    start = 0
    for x in xs:
        yield tuple(range(start, start + len(x)))
        start += len(x)


def _dot_transpose_lhs(ct, x_aval, y, y_ndim, dims, swap_ans=False):
    (x_contract, y_contract), (x_batch, y_batch) = dims
    x_kept = [d for d in range(x_aval.ndim) if d not in x_contract and d not in x_batch]
    y_kept = [d for d in range(y_ndim) if d not in y_contract and d not in y_batch]
    if swap_ans:
        ans_batch, ans_y, _ = _ranges_like(x_batch, y_kept, x_kept)
    else:
        ans_batch, _, ans_y = _ranges_like(x_batch, x_kept, y_kept)
    x_contract_by_y = [x_contract[i] for i in np.argsort(y_contract)]
    out_axes = np.argsort(list(x_batch) + x_kept + x_contract_by_y)
    d = P.dot_general(ct, y, lhs_batching_dimensions=ans_batch, rhs_batching_dimensions=y_batch,
                      lhs_contracting_dimensions=ans_y, rhs_contracting_dimensions=tuple(y_kept))
    perm = tuple(int(i) for i in out_axes)
    return d if perm == tuple(range(len(perm))) else P.transpose(d, permutation=perm)


@deftranspose(P.dot_general)
def _dot_general_t(cts, operands, lhs_batching_dimensions, rhs_batching_dimensions,
                   lhs_contracting_dimensions, rhs_contracting_dimensions):
    x, y = operands
    (ct,) = cts
    dims = ((lhs_contracting_dimensions, rhs_contracting_dimensions),
            (lhs_batching_dimensions, rhs_batching_dimensions))
    if is_linear(x):
        return [_dot_transpose_lhs(ct, x.aval, y, aval_of(y).ndim, dims), None]
    swapped = ((rhs_contracting_dimensions, lhs_contracting_dimensions),
               (rhs_batching_dimensions, lhs_batching_dimensions))
    return [None, _dot_transpose_lhs(ct, y.aval, x, aval_of(x).ndim, swapped, swap_ans=True)]


@defbatch(P.dot_general)
def _dot_general_b(operands, bdims, size, lhs_batching_dimensions, rhs_batching_dimensions,
                   lhs_contracting_dimensions, rhs_contracting_dimensions):
    (a, b), (ba, bb) = operands, bdims
    lb, rb = lhs_batching_dimensions, rhs_batching_dimensions
    lc, rc = lhs_contracting_dimensions, rhs_contracting_dimensions
    if ba is not None and bb is not None:
        out = P.dot_general(a, b, lhs_batching_dimensions=(ba,) + shift_axes(lb, ba),
                            rhs_batching_dimensions=(bb,) + shift_axes(rb, bb),
                            lhs_contracting_dimensions=shift_axes(lc, ba),
                            rhs_contracting_dimensions=shift_axes(rc, bb))
        return [out], [0]
    if ba is not None:
        lhs_free = [d for d in range(aval_of(a).ndim)
                    if d not in shift_axes(lb, ba) and d not in shift_axes(lc, ba)]
        out = P.dot_general(a, b, lhs_batching_dimensions=shift_axes(lb, ba),
                            rhs_batching_dimensions=rb, lhs_contracting_dimensions=shift_axes(lc, ba),
                            rhs_contracting_dimensions=rc)
        return [out], [len(lb) + lhs_free.index(ba)]
    rhs_free = [d for d in range(aval_of(b).ndim)
                if d not in shift_axes(rb, bb) and d not in shift_axes(rc, bb)]
    lhs_free = aval_of(a).ndim - len(lb) - len(lc)
    out = P.dot_general(a, b, lhs_batching_dimensions=lb, rhs_batching_dimensions=shift_axes(rb, bb),
                        lhs_contracting_dimensions=lc, rhs_contracting_dimensions=shift_axes(rc, bb))
    return [out], [len(lb) + lhs_free + rhs_free.index(bb)]


@forward_rule(P.dot_general)
def _dot_fwd(ctx):
    """Batch dims, then lhs free dims, then rhs free dims keep their operand's axes (the lhs
    wins a batch dimension both shard; an axis an earlier dimension took is dropped, as a
    sharding names each axis once); contracting axes are reduced over by Shardy."""
    lhs, rhs = ctx.dims
    if lhs is None and rhs is None:
        return None
    lr, rr = (len(s) for s in ctx.shapes)
    lhs = lhs or ((),) * lr
    rhs = rhs or ((),) * rr
    p = ctx.params
    lb, rb = p["lhs_batching_dimensions"], p["rhs_batching_dimensions"]
    lc, rc = p["lhs_contracting_dimensions"], p["rhs_contracting_dimensions"]
    dims = [lhs[i] or rhs[j] for i, j in zip(lb, rb)]
    dims += [lhs[i] for i in range(lr) if i not in lb and i not in lc]
    dims += [rhs[i] for i in range(rr) if i not in rb and i not in rc]
    return once(dims)


@register(P.dot_general)
def _lower_dot_general(op, params, operands, result_types):
    dn = hlo.DotDimensionNumbers.get(
        lhs_batching_dimensions=list(params["lhs_batching_dimensions"]),
        rhs_batching_dimensions=list(params["rhs_batching_dimensions"]),
        lhs_contracting_dimensions=list(params["lhs_contracting_dimensions"]),
        rhs_contracting_dimensions=list(params["rhs_contracting_dimensions"]))
    return list(create("stablehlo.dot_general", result_types, operands,
                        {"dot_dimension_numbers": dn}).results)


# --- raising (StableHLO -> plait) ----------------------------------------------------------------

@raise_rule("stablehlo.dot_general")
def _raise_dot_general(op):
    """Operands of another dtype than the result (int8 x int8 -> int32, a preferred element
    type) are converted to it first: plait's dot_general computes in its operands' dtype."""
    check_attrs(op, ("dot_dimension_numbers",))
    dn = hlo.DotDimensionNumbers(op.attributes["dot_dimension_numbers"])
    dt = aval_of(op.results[0]).dtype
    lhs, rhs = (v if aval_of(v).dtype == dt else P.convert(v, new_dtype=dt)
                for v in op.operands)
    return [P.dot_general(lhs, rhs,
                          lhs_batching_dimensions=tuple(dn.lhs_batching_dimensions),
                          rhs_batching_dimensions=tuple(dn.rhs_batching_dimensions),
                          lhs_contracting_dimensions=tuple(dn.lhs_contracting_dimensions),
                          rhs_contracting_dimensions=tuple(dn.rhs_contracting_dimensions))]
