"""The rules of the structural ops (`dialect/structural.py`): constants, shape changes,
slicing, indexing, cumsum, optimization_barrier. Most JVPs follow from their Linear traits;
scatter_mul/min/max and optimization_barrier have their own (jax's)."""

from __future__ import annotations

import numpy as np

from plait._mlir import hlo, ir
from plait.core.aval import ShapedArray, aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import splat_attr
from plait.dialect.builders import add_any, full_like, zeros_like
from plait.dialect.structural import SCATTER_MODES
from plait.lowering.raising import check_attrs, complex_array, ints, lowers_to_region
from plait.lowering.raising import register as raise_rule
from plait.lowering.stablehlo import (
    binary_body,
    combine,
    create,
    i64,
    i64s,
    register,
    scalar_const,
    scalar_type,
)
from plait.transforms.base import fail
from plait.transforms.batch import batch_rule, defbatch, move_bdim, shift_axes
from plait.transforms.jvp import jvp_rule
from plait.transforms.shard_propagate import (
    backward_rule,
    forward_rule,
    once,
    same_backward,
    same_forward,
    unknown,
)
from plait.transforms.simplify import fold, fold_same_type
from plait.transforms.transpose import deftranspose, is_linear, zeros

# --- transposition ------------------------------------------------------------------------------

@deftranspose(P.broadcast_in_dim)
def _broadcast_t(cts, operands, shape, broadcast_dimensions):
    (x,) = operands
    (ct,) = cts
    new_dims = [d for d in range(len(shape)) if d not in broadcast_dimensions]
    stretched = [d for i, d in enumerate(broadcast_dimensions)
                 if x.aval.shape[i] == 1 and shape[d] != 1]
    summed = P.reduce_sum(ct, axes=tuple(sorted(new_dims + stretched)))
    return [P.reshape(summed, new_sizes=x.aval.shape)]


@deftranspose(P.reshape)
def _reshape_t(cts, operands, new_sizes):
    return [P.reshape(cts[0], new_sizes=operands[0].aval.shape)]


@deftranspose(P.transpose)
def _transpose_t(cts, operands, permutation):
    return [P.transpose(cts[0], permutation=tuple(int(i) for i in np.argsort(permutation)))]


@deftranspose(P.slice)
def _slice_t(cts, operands, start_indices, limit_indices, strides):
    (x,) = operands
    (ct,) = cts
    out_shape = aval_of(ct).shape
    lo, hi, interior = [], [], []
    for d, (s, st) in enumerate(zip(start_indices, strides)):
        n = out_shape[d]
        used = s + (n - 1) * st + 1 if n else s
        lo.append(s)
        hi.append(x.aval.shape[d] - used)
        interior.append(st - 1 if n else 0)
    return [P.pad(ct, zeros(ShapedArray((), x.aval.dtype)), edge_padding_low=tuple(lo),
                  edge_padding_high=tuple(hi), interior_padding=tuple(interior))]


@deftranspose(P.pad)
def _pad_t(cts, operands, edge_padding_low, edge_padding_high, interior_padding):
    x, v = operands
    (ct,) = cts
    out = [None, None]
    ct_x = None
    if is_linear(x) or is_linear(v):
        a = aval_of(ct)
        unpadded = P.pad(ct, zeros(ShapedArray((), a.dtype)),
                         edge_padding_low=tuple(-i for i in edge_padding_low),
                         edge_padding_high=tuple(-i for i in edge_padding_high),
                         interior_padding=(0,) * a.ndim)
        ua = aval_of(unpadded)
        ct_x = P.slice(unpadded, start_indices=(0,) * a.ndim, limit_indices=ua.shape,
                       strides=tuple(i + 1 for i in interior_padding))
    if is_linear(x):
        out[0] = ct_x
    if is_linear(v):
        all_axes = tuple(range(aval_of(ct).ndim))
        out[1] = P.sub(P.reduce_sum(ct, axes=all_axes), P.reduce_sum(ct_x, axes=all_axes))
    return out


@deftranspose(P.concatenate)
def _concatenate_t(cts, operands, dimension):
    (ct,) = cts
    a = aval_of(ct)
    out, start = [], 0
    for x in operands:
        n = (x.aval if is_linear(x) else aval_of(x)).shape[dimension]
        if is_linear(x):
            lo = [0] * a.ndim
            hi = list(a.shape)
            lo[dimension], hi[dimension] = start, start + n
            out.append(P.slice(ct, start_indices=tuple(lo), limit_indices=tuple(hi),
                               strides=(1,) * a.ndim))
        else:
            out.append(None)
        start += n
    return out


@deftranspose(P.rev)
def _rev_t(cts, operands, dimensions):
    return [P.rev(cts[0], dimensions=dimensions)]


@deftranspose(P.cumsum)
def _cumsum_t(cts, operands, axis, reverse=False):
    return [P.cumsum(cts[0], axis=axis, reverse=not reverse)]


@deftranspose(P.dynamic_slice)
def _dynamic_slice_t(cts, operands, slice_sizes):
    x, *idx = operands
    return [P.dynamic_update_slice(zeros(x.aval), cts[0], *idx)] + [None] * len(idx)


@deftranspose(P.dynamic_update_slice)
def _dus_t(cts, operands):
    x, u, *idx = operands
    (ct,) = cts
    ua = u.aval if is_linear(u) else aval_of(u)
    ct_x = P.dynamic_update_slice(ct, zeros(ua), *idx) if is_linear(x) else None
    ct_u = P.dynamic_slice(ct, *idx, slice_sizes=ua.shape) if is_linear(u) else None
    return [ct_x, ct_u] + [None] * len(idx)


def _start_bounds(idx, index_vector_dim, start_index_map, operand_shape, window):
    """The largest in-bounds start index, as an array shaped like `idx` (per index vector
    component k: operand size minus window size along start_index_map[k])."""
    a = aval_of(idx)
    his = [operand_shape[d] - window[d] for d in start_index_map]
    if index_vector_dim == a.ndim:
        return full_like(idx, his[0])
    return P.broadcast_in_dim(P.constant(value=np.asarray(his, a.dtype)), shape=a.shape,
                              broadcast_dimensions=(index_vector_dim,))


@deftranspose(P.gather)
def _gather_t(cts, operands, offset_dims, collapsed_slice_dims, operand_batching_dims,
              start_indices_batching_dims, start_index_map, index_vector_dim, slice_sizes,
              indices_are_sorted=False):
    x, idx = operands
    # gather clamps start indices into bounds but scatter drops what is out of bounds, so
    # scatter at the clamped indices: the slices the gather really read
    hi = _start_bounds(idx, index_vector_dim, start_index_map, x.aval.shape, slice_sizes)
    idx = P.clamp(full_like(idx, 0), idx, hi)
    ct = P.scatter(zeros(x.aval), idx, cts[0], mode="add", update_window_dims=offset_dims,
                   inserted_window_dims=collapsed_slice_dims,
                   input_batching_dims=operand_batching_dims,
                   scatter_indices_batching_dims=start_indices_batching_dims,
                   scatter_dims_to_operand_dims=start_index_map,
                   index_vector_dim=index_vector_dim, indices_are_sorted=indices_are_sorted)
    return [ct, None]


def _gather_like_scatter(ct, idx, upd_aval, p):
    """The gather reading back what a scatter with parameters `p` wrote: zero for updates the
    scatter dropped (a window not fully in bounds), which the gather would clamp instead."""
    window = iter(d for d in range(upd_aval.ndim) if d in p["update_window_dims"])
    operand_shape = aval_of(ct).shape
    dropped = set(p["inserted_window_dims"]) | set(p["input_batching_dims"])
    sizes = tuple(1 if d in dropped else upd_aval.shape[next(window)]
                  for d in range(len(operand_shape)))
    g = P.gather(ct, idx, offset_dims=p["update_window_dims"],
                 collapsed_slice_dims=p["inserted_window_dims"],
                 operand_batching_dims=p["input_batching_dims"],
                 start_indices_batching_dims=p["scatter_indices_batching_dims"],
                 start_index_map=p["scatter_dims_to_operand_dims"],
                 index_vector_dim=p["index_vector_dim"], slice_sizes=sizes,
                 indices_are_sorted=bool(p.get("indices_are_sorted")))
    ivd = p["index_vector_dim"]
    hi = _start_bounds(idx, ivd, p["scatter_dims_to_operand_dims"], operand_shape, sizes)
    ok = P.and_(P.compare(idx, full_like(idx, 0), direction="GE"),
                P.compare(idx, hi, direction="LE"))
    if ivd < aval_of(idx).ndim:
        ok = P.reduce_and(ok, axes=(ivd,))
    scatter_dims = tuple(d for d in range(upd_aval.ndim) if d not in p["update_window_dims"])
    ok = P.broadcast_in_dim(ok, shape=upd_aval.shape, broadcast_dimensions=scatter_dims)
    return P.select(ok, g, zeros(upd_aval))


@deftranspose(P.scatter)
def _scatter_t(cts, operands, **p):
    x, idx, u = operands
    (ct,) = cts
    ua = u.aval if is_linear(u) else aval_of(u)
    ct_u = _gather_like_scatter(ct, idx, ua, p) if is_linear(u) else None
    if not is_linear(x):
        return [None, None, ct_u]
    if p["mode"] == "add":
        return [ct, None, ct_u]
    # set: what the scatter overwrote gets no cotangent (indices assumed unique)
    return [P.scatter(ct, idx, zeros(ua), **p), None, ct_u]


@deftranspose(P.scatter_mul)
def _scatter_mul_t(cts, operands, **p):
    x, idx, u = operands
    return [P.scatter_mul(cts[0], idx, u, **p), None, None]


@deftranspose(P.optimization_barrier)
def _optimization_barrier_t(cts, operands):
    given = [i for i, ct in enumerate(cts) if ct is not None]
    out = [None] * len(cts)
    if given:
        barred = P.optimization_barrier(*[cts[i] for i in given])
        for i, v in zip(given, barred if len(given) > 1 else [barred]):
            out[i] = v
    return out


# --- JVP (the others follow from Linear traits) ------------------------------------------------

def _scatter_dims(p: dict) -> dict:
    return {k: v for k, v in p.items() if k != "mode"}


def _add_at(x, idx, u, p):
    """zeros like x, with u added at the scatter's positions."""
    return P.scatter(full_like(x, 0), idx, u, mode="add", **_scatter_dims(p))


@jvp_rule(P.scatter_mul)
def _scatter_mul_jvp(ctx):
    """Linear in the operand. The updates' tangent: jax's rule with unique indices (x * t_u
    where each update landed); with repeated ones (where jax has none) each update's tangent
    times the product of the others landing with it, found without dividing by zero."""
    (x, idx, u), (tx, _, tu) = ctx.primals, ctx.tangents
    p = ctx.params
    ctx.emit_primal()
    out = None if tx is None else P.scatter_mul(tx, idx, u, **p)
    if tu is None:
        return [out]
    if not p.get("unique_indices"):
        tu = P.mul(tu, _others_product(x, idx, u, p))
    return [add_any(out, P.mul(x, _add_at(x, idx, tu, p)))]


def _others_product(x, idx, u, p):
    """For each update, the product of the other updates landing where it lands: the product
    of the nonzero ones there over its own (if nonzero), or 0 if another one is 0."""
    ua = aval_of(u)
    one, zero = full_like(u, 1), full_like(u, 0)
    is_zero = P.compare(u, zero, direction="EQ")
    nonzero = P.select(is_zero, one, u)
    at = lambda v: _gather_like_scatter(v, idx, ua, p)  # noqa: E731
    nonzero_product = at(P.scatter_mul(full_like(x, 1), idx, nonzero, **p))
    zeros_here = at(_add_at(x, idx, P.select(is_zero, one, zero), p))
    other_zeros = P.sub(zeros_here, P.select(is_zero, one, zero))
    return P.select(P.compare(other_zeros, zero, direction="EQ"),
                    P.div(nonzero_product, nonzero), zero)


@jvp_rule(P.scatter_min, P.scatter_max)
def _scatter_extremal_jvp(ctx):
    """jax's: the tangent of the value that won at each position; ties share it equally
    (the operand's element and every update equal to the result)."""
    (x, idx, u), (tx, _, tu) = ctx.primals, ctx.tangents
    p = ctx.params
    (out,) = ctx.emit_primal()
    if tx is None and tu is None:
        return [None]
    tx = zeros_like(x) if tx is None else tx
    tu = zeros_like(u) if tu is None else tu
    ua = aval_of(u)
    at = lambda v: _gather_like_scatter(v, idx, ua, p)  # noqa: E731
    won = P.compare(u, at(out), direction="EQ")
    kept = P.compare(at(x), at(out), direction="EQ")
    one, zero = full_like(u, 1), full_like(u, 0)
    wins = at(_add_at(x, idx, P.select(won, one, zero), p))
    refs = at(_add_at(x, idx, one, p))
    inv = lambda v: P.div(one, v)  # noqa: E731
    share = P.select(kept, inv(P.add(wins, one)), inv(wins))
    u_coef = P.select(won, share, zero)
    x_coef = P.div(P.add(full_like(u, -1), P.select(kept, inv(P.add(wins, one)), zero)), refs)
    t_upd = P.add(P.mul(at(tx), x_coef), P.mul(tu, u_coef))
    return [P.scatter(tx, idx, t_upd, mode="add", **_scatter_dims(p))]


@jvp_rule(P.optimization_barrier)
def _optimization_barrier_jvp(ctx):
    """The primals through one barrier, the tangents given through another."""
    ctx.emit_primal()
    return _optimization_barrier_t(ctx.tangents, ctx.primals)


# --- batching -----------------------------------------------------------------------------------

@defbatch(P.broadcast_in_dim)
def _broadcast_b(operands, bdims, size, shape, broadcast_dimensions):
    """The batch dim goes right before the result dim of the operand dim that followed it
    (after the last one's, if it was last): no transpose, and the batch dim stays where the
    elementwise ops around the broadcast have it."""
    b, bd = bdims[0], tuple(broadcast_dimensions)
    ob = bd[b] if b < len(bd) else (bd[-1] + 1 if bd else 0)
    dims = tuple(d if d < ob else d + 1 for d in bd)
    out_shape = tuple(shape[:ob]) + (size,) + tuple(shape[ob:])
    return [P.broadcast_in_dim(operands[0], shape=out_shape,
                               broadcast_dimensions=dims[:b] + (ob,) + dims[b:])], [ob]


@defbatch(P.reshape)
def _reshape_b(operands, bdims, size, new_sizes):
    x = move_bdim(operands[0], bdims[0], 0, size)
    return [P.reshape(x, new_sizes=(size,) + tuple(new_sizes))], [0]


@defbatch(P.transpose)
def _transpose_b(operands, bdims, size, permutation):
    b = bdims[0]
    perm = (b,) + tuple(p if p < b else p + 1 for p in permutation)
    return [P.transpose(operands[0], permutation=perm)], [0]


@defbatch(P.cumsum)
def _cumsum_b(operands, bdims, size, axis, reverse=False):
    b = bdims[0]
    return [P.cumsum(operands[0], axis=axis if axis < b else axis + 1, reverse=reverse)], [b]


@defbatch(P.rev)
def _rev_b(operands, bdims, size, dimensions):
    return [P.rev(operands[0], dimensions=shift_axes(dimensions, bdims[0]))], [bdims[0]]


@defbatch(P.slice)
def _slice_b(operands, bdims, size, start_indices, limit_indices, strides):
    b = bdims[0]
    ins = lambda t, v: tuple(t[:b]) + (v,) + tuple(t[b:])
    return [P.slice(operands[0], start_indices=ins(start_indices, 0),
                    limit_indices=ins(limit_indices, size), strides=ins(strides, 1))], [b]


@defbatch(P.pad)
def _pad_b(operands, bdims, size, edge_padding_low, edge_padding_high, interior_padding):
    (x, v), (bx, bv) = operands, bdims
    b = bx if bx is not None else 0
    x = move_bdim(x, bx, b, size)
    ins = lambda t: tuple(t[:b]) + (0,) + tuple(t[b:])
    cfg = dict(edge_padding_low=ins(edge_padding_low), edge_padding_high=ins(edge_padding_high),
               interior_padding=ins(interior_padding))
    if bv is None:
        return [P.pad(x, v, **cfg)], [b]
    # a batched padding value: pad with zeros, then select the value where padding went
    zero = P.constant(value=splat_attr((), aval_of(x).dtype, 0))
    padded = P.pad(x, zero, **cfg)
    inside = P.pad(full_like(x, 1), zero, **cfg)
    is_pad = P.compare(inside, full_like(inside, 0), direction="EQ")
    vb = P.broadcast_in_dim(v, shape=aval_of(padded).shape, broadcast_dimensions=(b,))
    return [P.select(is_pad, vb, padded)], [b]


@defbatch(P.concatenate)
def _concatenate_b(operands, bdims, size, dimension):
    b = next(d for d in bdims if d is not None)
    xs = [move_bdim(x, d, b, size) for x, d in zip(operands, bdims)]
    return [P.concatenate(*xs, dimension=dimension if dimension < b else dimension + 1)], [b]


def _index_vector(indices, bdims, size):
    """Scalar start indices (some batched) as a batched index matrix (size, n)."""
    dt = aval_of(indices[0]).dtype
    cols = []
    for i, d in zip(indices, bdims):
        i = P.convert(i, new_dtype=dt) if aval_of(i).dtype != dt else i
        col = move_bdim(i, d, 0, size)
        cols.append(P.reshape(col, new_sizes=(size, 1)))
    return P.concatenate(*cols, dimension=1) if len(cols) > 1 else cols[0]


@defbatch(P.dynamic_slice)
def _dynamic_slice_b(operands, bdims, size, slice_sizes):
    (x, *idx), (bx, *bi) = operands, bdims
    if not idx:  # a rank-0 slice is its operand
        return [x], [bx]
    if all(d is None for d in bi):
        zero = _index_zero(idx)
        b = bx
        starts = idx[:b] + [zero] + idx[b:]
        sizes = tuple(slice_sizes[:b]) + (size,) + tuple(slice_sizes[b:])
        return [P.dynamic_slice(x, *starts, slice_sizes=sizes)], [b]
    x = move_bdim(x, bx, 0, size)
    n = len(idx)
    vec = _index_vector(idx, bi, size)
    out = P.gather(x, vec, offset_dims=tuple(range(1, n + 1)), collapsed_slice_dims=(),
                   operand_batching_dims=(0,), start_indices_batching_dims=(0,),
                   start_index_map=tuple(range(1, n + 1)), index_vector_dim=1,
                   slice_sizes=(1,) + tuple(slice_sizes))
    return [out], [0]


def _index_zero(idx):
    return full_like(idx[0], 0)


@defbatch(P.dynamic_update_slice)
def _dus_b(operands, bdims, size):
    (x, u, *idx), (bx, bu, *bi) = operands, bdims
    if not idx:  # a rank-0 update is the result
        return [u], [bu]
    if all(d is None for d in bi):
        b = bx if bx is not None else bu
        x, u = move_bdim(x, bx, b, size), move_bdim(u, bu, b, size)
        zero = _index_zero(idx)
        return [P.dynamic_update_slice(x, u, *(idx[:b] + [zero] + idx[b:]))], [b]
    x, u = move_bdim(x, bx, 0, size), move_bdim(u, bu, 0, size)
    xa, ua = aval_of(x), aval_of(u)
    # clamp starts so the update fits, as dynamic_update_slice does, then scatter
    clamped = []
    for k, i in enumerate(idx):
        hi = full_like(i, xa.shape[k + 1] - ua.shape[k + 1])
        clamped.append(P.clamp(full_like(i, 0), i, hi))
    vec = _index_vector(clamped, bi, size)
    n = len(idx)
    out = P.scatter(x, vec, u, mode="set", update_window_dims=tuple(range(1, n + 1)),
                    inserted_window_dims=(), input_batching_dims=(0,),
                    scatter_indices_batching_dims=(0,),
                    scatter_dims_to_operand_dims=tuple(range(1, n + 1)), index_vector_dim=1)
    return [out], [0]


@defbatch(P.gather)
def _gather_b(operands, bdims, size, offset_dims, collapsed_slice_dims, operand_batching_dims,
              start_indices_batching_dims, start_index_map, index_vector_dim, slice_sizes,
              indices_are_sorted=False):
    (x, idx), (bx, bi) = operands, bdims
    inc = lambda t: tuple(d + 1 for d in t)
    common = dict(offset_dims=inc(offset_dims), indices_are_sorted=indices_are_sorted)
    if bi is None:
        x = move_bdim(x, bx, 0, size)
        out = P.gather(x, idx, offset_dims=(0,) + inc(offset_dims),
                       collapsed_slice_dims=inc(collapsed_slice_dims),
                       operand_batching_dims=inc(operand_batching_dims),
                       start_indices_batching_dims=start_indices_batching_dims,
                       start_index_map=inc(start_index_map), index_vector_dim=index_vector_dim,
                       slice_sizes=(size,) + tuple(slice_sizes),
                       indices_are_sorted=indices_are_sorted)
        return [out], [0]
    idx = move_bdim(idx, bi, 0, size)
    if bx is None:
        out = P.gather(x, idx, collapsed_slice_dims=collapsed_slice_dims,
                       operand_batching_dims=operand_batching_dims,
                       start_indices_batching_dims=inc(start_indices_batching_dims),
                       start_index_map=start_index_map, index_vector_dim=index_vector_dim + 1,
                       slice_sizes=slice_sizes, **common)
        return [out], [0]
    x = move_bdim(x, bx, 0, size)
    out = P.gather(x, idx, collapsed_slice_dims=inc(collapsed_slice_dims),
                   operand_batching_dims=(0,) + inc(operand_batching_dims),
                   start_indices_batching_dims=(0,) + inc(start_indices_batching_dims),
                   start_index_map=inc(start_index_map), index_vector_dim=index_vector_dim + 1,
                   slice_sizes=(1,) + tuple(slice_sizes), **common)
    return [out], [0]


@batch_rule(P.scatter, P.scatter_mul, P.scatter_min, P.scatter_max)
def _scatter_b(ctx):
    (x, idx, u), (bx, bi, bu), size, p = ctx.operands, ctx.bdims, ctx.size, ctx.params
    scatter = OPS[ctx.op.name]
    inc = lambda t: tuple(d + 1 for d in t)
    x, u = move_bdim(x, bx, 0, size), move_bdim(u, bu, 0, size)
    mode = {"mode": p["mode"]} if "mode" in p else {}
    params = dict(mode, update_window_dims=inc(p["update_window_dims"]),
                  inserted_window_dims=inc(p["inserted_window_dims"]),
                  scatter_dims_to_operand_dims=inc(p["scatter_dims_to_operand_dims"]),
                  indices_are_sorted=p.get("indices_are_sorted"),
                  unique_indices=p.get("unique_indices"))
    if bi is None:
        # the batch dim is one more window dim of every update
        out = scatter(x, idx, u, update_window_dims=(0,) + params.pop("update_window_dims"),
                        input_batching_dims=inc(p["input_batching_dims"]),
                        scatter_indices_batching_dims=p["scatter_indices_batching_dims"],
                        index_vector_dim=p["index_vector_dim"], **params)
        return [out], [0]
    idx = move_bdim(idx, bi, 0, size)
    out = scatter(x, idx, u, input_batching_dims=(0,) + inc(p["input_batching_dims"]),
                    scatter_indices_batching_dims=(0,) + inc(p["scatter_indices_batching_dims"]),
                    index_vector_dim=p["index_vector_dim"] + 1, **params)
    return [out], [0]


@batch_rule(P.optimization_barrier)
def _optimization_barrier_b(ctx):
    out = P.optimization_barrier(*ctx.operands)
    return (out if len(ctx.operands) > 1 else [out]), list(ctx.bdims)


# --- sharding -----------------------------------------------------------------------------------

@forward_rule(P.constant, P.iota)
def _no_operands_fwd(ctx):
    return unknown(ctx)


@forward_rule(P.broadcast_in_dim)
def _broadcast_fwd(ctx):
    (x,) = ctx.dims
    if x is None:
        return None
    out = [()] * len(ctx.params["shape"])
    for i, d in enumerate(ctx.params["broadcast_dimensions"]):
        out[d] = x[i]
    return tuple(out)


@backward_rule(P.broadcast_in_dim)
def _broadcast_bwd(ctx):
    return [tuple(ctx.out[d] for d in ctx.params["broadcast_dimensions"])]


@forward_rule(P.transpose)
def _transpose_fwd(ctx):
    (x,) = ctx.dims
    return None if x is None else tuple(x[p] for p in ctx.params["permutation"])


@backward_rule(P.transpose)
def _transpose_bwd(ctx):
    permutation = ctx.params["permutation"]
    inv = [0] * len(permutation)
    for i, p in enumerate(permutation):
        inv[p] = ctx.out[i]
    return [tuple(inv)]


def _reshape_pairs(shape, new_sizes) -> list:
    """(operand dim, result dim) pairs that a reshape keeps whole: size-1 dimensions aside,
    dims are grouped into the fewest runs of equal product; a run of one dim on each side
    maps it to itself, the dims of merged or split runs map to nothing."""
    if 0 in shape:
        return []
    pairs, i, j = [], 0, 0
    while i < len(shape) and j < len(new_sizes):
        if shape[i] == 1 or new_sizes[j] == 1:
            i, j = i + (shape[i] == 1), j + (new_sizes[j] == 1)
        elif shape[i] == new_sizes[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        else:
            p, q, i, j = shape[i], new_sizes[j], i + 1, j + 1
            while p != q:
                if p < q:
                    p, i = p * shape[i], i + 1
                else:
                    q, j = q * new_sizes[j], j + 1
    return pairs


@forward_rule(P.reshape)
def _reshape_fwd(ctx):
    """Dimensions the reshape keeps whole keep their axes; the rest replicate."""
    (x,) = ctx.dims
    if x is None:
        return None
    new_sizes = ctx.params["new_sizes"]
    out = [()] * len(new_sizes)
    for i, j in _reshape_pairs(ctx.shapes[0], new_sizes):
        out[j] = x[i]
    return tuple(out)


@backward_rule(P.reshape)
def _reshape_bwd(ctx):
    shape = ctx.shapes[0]
    dims = [()] * len(shape)
    for i, j in _reshape_pairs(shape, ctx.params["new_sizes"]):
        dims[i] = ctx.out[j]
    return [tuple(dims)]


# slicing, padding, indexing: a dimension whose size is unchanged keeps its axes

def _keep_full(x, shape, out_shape) -> tuple:
    return tuple(d if n == m else () for d, n, m in zip(x, shape, out_shape))


@forward_rule(P.slice, P.dynamic_slice)
def _slice_fwd(ctx):
    x = ctx.dims[0]
    return None if x is None else _keep_full(x, ctx.shapes[0], ctx.out_shape)


@backward_rule(P.slice, P.dynamic_slice)
def _slice_bwd(ctx):
    n = len(ctx.operands)
    return [_keep_full(ctx.out, ctx.out_shape, ctx.shapes[0])] + [None] * (n - 1)


def _unpadded(dims, edge_padding_low, edge_padding_high, interior_padding) -> tuple:
    return tuple(d if lo == hi == it == 0 else ()
                 for d, lo, hi, it in zip(dims, edge_padding_low, edge_padding_high,
                                          interior_padding))


@forward_rule(P.pad)
def _pad_fwd(ctx):
    x = ctx.dims[0]
    return None if x is None else _unpadded(x, **ctx.params)


@backward_rule(P.pad)
def _pad_bwd(ctx):
    return [_unpadded(ctx.out, **ctx.params), None]


@forward_rule(P.concatenate)
def _concat_fwd(ctx):
    x, d = same_forward(ctx), ctx.params["dimension"]
    return None if x is None else x[:d] + ((),) + x[d + 1:]


@backward_rule(P.concatenate)
def _concat_bwd(ctx):
    d = ctx.params["dimension"]
    return [ctx.out[:d] + ((),) + ctx.out[d + 1:]] * len(ctx.operands)


@forward_rule(P.dynamic_update_slice)
def _update_slice_fwd(ctx):
    """The operand's layout; else the update's dimensions that span the whole operand."""
    x, upd = ctx.dims[:2]
    if x is None and upd is not None:
        return _keep_full(upd, ctx.shapes[1], ctx.out_shape)
    return x


@backward_rule(P.dynamic_update_slice)
def _update_slice_bwd(ctx):
    n = len(ctx.operands)
    return [ctx.out, _keep_full(ctx.out, ctx.out_shape, ctx.shapes[1])] + [None] * (n - 2)


@forward_rule(P.scatter, P.scatter_mul, P.scatter_min, P.scatter_max)
def _scatter_fwd(ctx):
    return ctx.dims[0]


@backward_rule(P.scatter, P.scatter_mul, P.scatter_min, P.scatter_max)
def _scatter_bwd(ctx):
    return [ctx.out, None, None]


@forward_rule(P.optimization_barrier)
def _optimization_barrier_fwd(ctx):
    """One sharding for all results (the pass's rule for several results): the operands'
    when they agree."""
    return ctx.dims[0] if all(d == ctx.dims[0] for d in ctx.dims) else None


backward_rule(P.optimization_barrier)(same_backward)


@forward_rule(P.gather)
def _gather_fwd(ctx):
    """Offset dims keep the operand's axes where the slice is whole; batch dims take the
    indices' axes, else those of the matching operand batching dim."""
    x, idx = ctx.dims
    if x is None and idx is None:
        return None
    p = ctx.params
    xshape, ishape = ctx.shapes
    x = x or ((),) * len(xshape)
    idx = idx or ((),) * len(ishape)
    operand_batching, start_batching = p["operand_batching_dims"], p["start_indices_batching_dims"]
    dropped = set(p["collapsed_slice_dims"]) | set(operand_batching)
    offsets = iter(x[d] if p["slice_sizes"][d] == xshape[d] else ()
                   for d in range(len(xshape)) if d not in dropped)
    batch = []
    for i in range(len(ishape)):
        if i == p["index_vector_dim"]:
            continue
        d = idx[i]
        if not d and i in start_batching:
            d = x[operand_batching[start_batching.index(i)]]
        batch.append(d)
    batch = iter(batch)
    return once(next(offsets) if k in p["offset_dims"] else next(batch)
                for k in range(len(ctx.out_shape)))


# --- lowering -----------------------------------------------------------------------------------

@register(P.constant)
def _lower_constant(op, params, operands, result_types):
    return list(create("stablehlo.constant", result_types, [],
                        {"value": op.attributes["value"]}).results)


@register(P.iota)
def _lower_iota(op, params, operands, result_types):
    return list(create("stablehlo.iota", result_types, [],
                        {"iota_dimension": i64(params["dimension"])}).results)


@register(P.broadcast_in_dim)
def _lower_broadcast(op, params, operands, result_types):
    return list(create("stablehlo.broadcast_in_dim", result_types, operands,
                        {"broadcast_dimensions": i64s(params["broadcast_dimensions"])}).results)


@register(P.reshape)
def _lower_reshape(op, params, operands, result_types):
    return list(create("stablehlo.reshape", result_types, operands).results)


@register(P.transpose)
def _lower_transpose(op, params, operands, result_types):
    return list(create("stablehlo.transpose", result_types, operands,
                        {"permutation": i64s(params["permutation"])}).results)


@register(P.slice)
def _lower_slice(op, params, operands, result_types):
    attrs = {k: i64s(params[k]) for k in ("start_indices", "limit_indices", "strides")}
    return list(create("stablehlo.slice", result_types, operands, attrs).results)


@register(P.dynamic_slice)
def _lower_dynamic_slice(op, params, operands, result_types):
    if not params["slice_sizes"]:  # rank 0: its operand (StableHLO prints `sizes = []`, which
        return [operands[0]]       # does not parse back)
    return list(create("stablehlo.dynamic_slice", result_types, operands,
                        {"slice_sizes": i64s(params["slice_sizes"])}).results)


@register(P.dynamic_update_slice)
def _lower_dus(op, params, operands, result_types):
    return list(create("stablehlo.dynamic_update_slice", result_types, operands).results)


@register(P.concatenate)
def _lower_concatenate(op, params, operands, result_types):
    return list(create("stablehlo.concatenate", result_types, operands,
                        {"dimension": i64(params["dimension"])}).results)


@register(P.pad)
def _lower_pad(op, params, operands, result_types):
    attrs = {k: i64s(params[k])
             for k in ("edge_padding_low", "edge_padding_high", "interior_padding")}
    return list(create("stablehlo.pad", result_types, operands, attrs).results)


@register(P.rev)
def _lower_rev(op, params, operands, result_types):
    return list(create("stablehlo.reverse", result_types, operands,
                        {"dimensions": i64s(params["dimensions"])}).results)


@register(P.gather)
def _lower_gather(op, params, operands, result_types):
    dn = hlo.GatherDimensionNumbers.get(
        offset_dims=list(params["offset_dims"]),
        collapsed_slice_dims=list(params["collapsed_slice_dims"]),
        operand_batching_dims=list(params["operand_batching_dims"]),
        start_indices_batching_dims=list(params["start_indices_batching_dims"]),
        start_index_map=list(params["start_index_map"]),
        index_vector_dim=params["index_vector_dim"])
    attrs = {"dimension_numbers": dn, "slice_sizes": i64s(params["slice_sizes"]),
             "indices_are_sorted": ir.BoolAttr.get(bool(params["indices_are_sorted"]))}
    return list(create("stablehlo.gather", result_types, operands, attrs).results)


_COMBINERS = {P.scatter_mul.name: "stablehlo.multiply", P.scatter_min.name: "stablehlo.minimum",
              P.scatter_max.name: "stablehlo.maximum"}


@register(P.scatter, P.scatter_mul, P.scatter_min, P.scatter_max)
def _lower_scatter(op, params, operands, result_types):
    dn = hlo.ScatterDimensionNumbers.get(
        update_window_dims=list(params["update_window_dims"]),
        inserted_window_dims=list(params["inserted_window_dims"]),
        input_batching_dims=list(params["input_batching_dims"]),
        scatter_indices_batching_dims=list(params["scatter_indices_batching_dims"]),
        scattered_dims_to_operand_dims=list(params["scatter_dims_to_operand_dims"]),
        index_vector_dim=params["index_vector_dim"])
    attrs = {"scatter_dimension_numbers": dn,
             "indices_are_sorted": ir.BoolAttr.get(bool(params["indices_are_sorted"])),
             "unique_indices": ir.BoolAttr.get(bool(params["unique_indices"]))}
    new = create("stablehlo.scatter", result_types, operands, attrs, regions=1)
    st = scalar_type(result_types[0])
    name = op.operation.name
    if name in _COMBINERS:
        binary_body(new.regions[0], st, lambda a, b: combine(_COMBINERS[name], a, b, st))
    elif params["mode"] == "set":
        binary_body(new.regions[0], st, lambda old, upd: upd)
    else:
        binary_body(new.regions[0], st,
                     lambda a, b: create("stablehlo.add", [st], [a, b]).results[0])
    return list(new.results)


@register(P.cumsum)
def _lower_cumsum(op, params, operands, result_types):
    (x,) = operands
    xa = aval_of(x)
    axis, n = params["axis"], xa.shape[params["axis"]]
    if n == 0:  # StableHLO windows cannot be empty; the sum of nothing is nothing
        return [x]
    window = [1] * xa.ndim
    window[axis] = n
    padding = np.zeros((xa.ndim, 2), np.int64)
    padding[axis] = (0, n - 1) if params["reverse"] else (n - 1, 0)
    attrs = {"window_dimensions": i64s(window),
             "padding": ir.DenseElementsAttr.get(padding)}
    init = scalar_const(xa.dtype, 0)
    new = create("stablehlo.reduce_window", result_types, [x, init], attrs, regions=1)
    st = init.type
    binary_body(new.regions[0], st,
                 lambda a, b: create("stablehlo.add", [st], [a, b]).results[0])
    return list(new.results)


# --- simplification ----------------------------------------------------------------------------

fold(P.reshape, P.broadcast_in_dim, P.slice)(fold_same_type)


@fold(P.pad)
def _fold_pad(op, params):
    # Not fold_same_type: low 1, high -1 keeps the shape but shifts the elements.
    if not any(params["edge_padding_low"] + params["edge_padding_high"] + params["interior_padding"]):
        return op.operands[0]


@fold(P.transpose)
def _fold_transpose(op, params):
    perm = params["permutation"]
    if list(perm) == sorted(perm):
        return op.operands[0]


@fold(P.rev)
def _fold_rev(op, params):
    if not params["dimensions"]:
        return op.operands[0]


@fold(P.concatenate)
def _fold_concat(op, params):
    if len(op.operands) == 1:
        return op.operands[0]


@register(P.optimization_barrier)
def _lower_optimization_barrier(op, params, operands, result_types):
    return list(create("stablehlo.optimization_barrier", result_types, operands).results)


# --- raising (StableHLO -> plait) ----------------------------------------------------------------

def _result_shape(op) -> tuple:
    return aval_of(op.results[0]).shape


@raise_rule("stablehlo.constant")
def _raise_constant(op):
    dt = aval_of(op.results[0]).dtype
    if dt.kind != "c":
        check_attrs(op, ("value",))
        return [P.constant(value=op.attributes["value"])]
    arr = complex_array(op, aval_of(op.results[0]).shape, dt)  # two real constants in plait
    return [P.complex(P.constant(value=np.array(arr.real)), P.constant(value=np.array(arr.imag)))]


@raise_rule("stablehlo.iota")
def _raise_iota(op):
    check_attrs(op, ("iota_dimension",))
    a = aval_of(op.results[0])
    return [P.iota(shape=a.shape, dtype=a.dtype,
                   dimension=ir.IntegerAttr(op.attributes["iota_dimension"]).value)]


@raise_rule("stablehlo.broadcast_in_dim")
def _raise_broadcast(op):
    check_attrs(op, ("broadcast_dimensions",))
    return [P.broadcast_in_dim(op.operands[0], shape=_result_shape(op),
                               broadcast_dimensions=ints(op.attributes["broadcast_dimensions"]))]


@raise_rule("stablehlo.reshape")
def _raise_reshape(op):
    check_attrs(op)
    return [P.reshape(op.operands[0], new_sizes=_result_shape(op))]


@raise_rule("stablehlo.transpose")
def _raise_transpose(op):
    check_attrs(op, ("permutation",))
    return [P.transpose(op.operands[0], permutation=ints(op.attributes["permutation"]))]


@raise_rule("stablehlo.slice")
def _raise_slice(op):
    names = ("start_indices", "limit_indices", "strides")
    check_attrs(op, names)
    return [P.slice(op.operands[0], **{k: ints(op.attributes[k]) for k in names})]


@raise_rule("stablehlo.dynamic_slice")
def _raise_dynamic_slice(op):
    check_attrs(op, ("slice_sizes",))
    return [P.dynamic_slice(*op.operands, slice_sizes=ints(op.attributes["slice_sizes"]))]


@raise_rule("stablehlo.dynamic_update_slice")
def _raise_dus(op):
    check_attrs(op)
    return [P.dynamic_update_slice(*op.operands)]


@raise_rule("stablehlo.concatenate")
def _raise_concatenate(op):
    check_attrs(op, ("dimension",))
    return [P.concatenate(*op.operands,
                          dimension=ir.IntegerAttr(op.attributes["dimension"]).value)]


@raise_rule("stablehlo.pad")
def _raise_pad(op):
    names = ("edge_padding_low", "edge_padding_high", "interior_padding")
    check_attrs(op, names)
    return [P.pad(*op.operands, **{k: ints(op.attributes[k]) for k in names})]


@raise_rule("stablehlo.reverse")
def _raise_reverse(op):
    check_attrs(op, ("dimensions",))
    return [P.rev(op.operands[0], dimensions=ints(op.attributes["dimensions"]))]


def _flag(op, name: str) -> bool:
    return name in op.attributes and ir.BoolAttr(op.attributes[name]).value


@raise_rule("stablehlo.gather")
def _raise_gather(op):
    check_attrs(op, ("dimension_numbers", "slice_sizes", "indices_are_sorted"))
    dn = hlo.GatherDimensionNumbers(op.attributes["dimension_numbers"])
    return [P.gather(*op.operands, offset_dims=tuple(dn.offset_dims),
                     collapsed_slice_dims=tuple(dn.collapsed_slice_dims),
                     operand_batching_dims=tuple(dn.operand_batching_dims),
                     start_indices_batching_dims=tuple(dn.start_indices_batching_dims),
                     start_index_map=tuple(dn.start_index_map),
                     index_vector_dim=dn.index_vector_dim,
                     slice_sizes=ints(op.attributes["slice_sizes"]),
                     indices_are_sorted=_flag(op, "indices_are_sorted"))]


@raise_rule("stablehlo.scatter")
def _raise_scatter(op):
    check_attrs(op, ("scatter_dimension_numbers", "indices_are_sorted", "unique_indices"))
    if len(op.operands) != 3:
        raise fail(op, "plait-raise-stablehlo: cannot raise a 'stablehlo.scatter' of "
                       f"{len(op.operands)} operands (plait.scatter takes one operand)")
    dn = hlo.ScatterDimensionNumbers(op.attributes["scatter_dimension_numbers"])
    params = dict(update_window_dims=tuple(dn.update_window_dims),
                  inserted_window_dims=tuple(dn.inserted_window_dims),
                  input_batching_dims=tuple(dn.input_batching_dims),
                  scatter_indices_batching_dims=tuple(dn.scatter_indices_batching_dims),
                  scatter_dims_to_operand_dims=tuple(dn.scattered_dims_to_operand_dims),
                  index_vector_dim=dn.index_vector_dim,
                  indices_are_sorted=_flag(op, "indices_are_sorted"),
                  unique_indices=_flag(op, "unique_indices"))
    for mode in SCATTER_MODES:
        if lowers_to_region(P.scatter, op.operands, dict(params, mode=mode), op):
            return [P.scatter(*op.operands, mode=mode, **params)]
    raise fail(op, "plait-raise-stablehlo: cannot raise a 'stablehlo.scatter' whose update "
                   "region is neither a replacement nor an addition")

