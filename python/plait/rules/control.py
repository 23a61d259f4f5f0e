"""The rules of the region ops cond, while and scan (`dialect/control.py`): JVP, transposition,
batching, sharding edges, lowering.

Regions are transformed as functions: a region is *outlined* into a private function, the
function-level machinery (jvp_function, linearize_function, transpose_function,
batch_function) transforms it, and the new region op's regions call the results. In forward
mode a region op's JVP is one op of the same kind carrying primals and tangents together, so
it stores no residuals. Under linearization the rules emit the *split* form instead: a primal
op that also returns the residuals its tangent needs (stacked per iteration for scan), and a
tangent op that is linear in the tangents. Partial evaluation then separates them with no
special case, and plait-transpose transposes the linear one (a scan transposes into a scan
running the other way).

Lowering: cond → stablehlo.case, while → stablehlo.while, scan → stablehlo.while with an
induction variable, slicing xs and updating ys in place (a scan of length 0 is its carry and
empty ys). The walk lowers nested ops first, so by the time a region op is rewritten its
regions hold StableHLO; their blocks are moved (not cloned) into the new op, and plait.yield
becomes stablehlo.return.
"""

from __future__ import annotations

import numpy as np

from plait._mlir import hlo, ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import control as C
from plait.dialect import ops as P
from plait.dialect.base import splat_attr
from plait.dialect.control import yielded
from plait.ir.funcs import clone_into, function_type
from plait.lowering.raising import check_attrs, free_values, move_region, raise_block
from plait.lowering.raising import register as raise_rule
from plait.lowering.stablehlo import create, dense_const, i64s, move_body, register, scalar_const
from plait.transforms.base import fail
from plait.transforms.batch import batch_function, batch_rule, move_bdim
from plait.transforms.expand import call, emit_yield, outline, region_block
from plait.transforms.jvp import jvp_function, jvp_rule
from plait.transforms.linearize import linearize_function
from plait.transforms.shard_propagate import region_rule
from plait.transforms.simplify import defining_op, splat_value
from plait.transforms.transpose import is_linear, transpose_function, transpose_rule


def zeros(t: ir.Type) -> ir.Value:
    a = _aval.aval_of_type(t)
    if dtypes.is_complex(a.dtype):
        re = P.constant(value=splat_attr(a.shape, dtypes.real_dtype(a.dtype), 0))
        return P.complex(re, re)
    return P.constant(value=splat_attr(a.shape, a.dtype, 0))


def types_of(values) -> list:
    return [v.type for v in values]


def stacked_type(t: ir.Type, n: int) -> ir.Type:
    a = _aval.aval_of_type(t)
    return _aval.ir_type(a.update(shape=(n,) + a.shape))


def sliced_type(t: ir.Type) -> ir.Type:
    a = _aval.aval_of_type(t)
    return _aval.ir_type(a.update(shape=a.shape[1:]))


def new_op(opdef, operands, result_types, n_regions, **params) -> ir.Operation:
    return opdef.create(list(operands), list(result_types), n_regions, **params)


# --- JVP: fused in forward mode, split under linearization (ctx.linearizing) ----------

@jvp_rule(C.cond)
def _jvp_cond(ctx):
    """Forward mode: one cond whose branch k is branch k's JVP. Split form: the primal cond's
    branch k returns (outs, its residuals, zeros for the other branches'); the tangent cond's
    applies its linear function to its residuals and the tangents."""

    state, op = ctx.state, ctx.op
    index, *args = ctx.primals
    t_args = ctx.tangents[1:]
    diff = tuple(i for i, t in enumerate(t_args) if t is not None)
    t_args = [t_args[i] for i in diff]
    if not ctx.linearizing:
        return _jvp_cond_fused(ctx, diff, t_args)
    n_out = len(op.results)
    splits = []
    for region in op.regions:
        branch = outline(state, region, "branch")
        splits.append(linearize_function(state, branch, diff, tuple(range(n_out))))
    res_types = []
    for fwd, _, _n_res in splits:
        res_types.append(list(function_type(state.funcs[fwd]).results)[n_out:])
    all_res = [t for ts in res_types for t in ts]
    out_types = types_of(op.results)
    primal = new_op(C.cond, [index] + args, out_types + all_res, len(splits))
    loc = op.location
    for k, ((fwd, _, _), region) in enumerate(zip(splits, primal.regions)):
        block = region_block(region, types_of(args), loc)
        with ir.InsertionPoint(block), loc:
            outs = call(state, fwd, block.arguments)
            res = []
            for j, ts in enumerate(res_types):
                res += outs[n_out:] if j == k else [zeros(t) for t in ts]
            emit_yield(outs[:n_out] + res)
    ctx.set_primal(primal.results)
    residuals = list(primal.results)[n_out:]
    tangent = new_op(C.cond, [index] + residuals + t_args, out_types, len(splits))
    for k, ((_, lin, _), region) in enumerate(zip(splits, tangent.regions)):
        block = region_block(region, types_of(residuals + t_args), loc)
        b = list(block.arguments)
        start = sum(len(ts) for ts in res_types[:k])
        own = b[start:start + len(res_types[k])]
        with ir.InsertionPoint(block), loc:
            emit_yield(call(state, lin, own + b[len(residuals):]))
    return list(tangent.results)


def _jvp_cond_fused(ctx, diff, t_args):
    """One cond of the branches' JVPs; it returns the tangents some branch makes nonzero."""

    state, op = ctx.state, ctx.op
    index, *args = ctx.primals
    branches = [jvp_function(state, outline(state, region, "branch"), diff)
                for region in op.regions]
    n_out = len(op.results)
    t_out = [i for i in range(n_out)
             if any(state.memo[("jvp_nonzero", b)][i] for b in branches)]
    out_types = types_of(op.results)
    c = new_op(C.cond, [index] + args + t_args, out_types + [out_types[i] for i in t_out],
                len(branches))
    loc = op.location
    for name, region in zip(branches, c.regions):
        block = region_block(region, types_of(args + t_args), loc)
        with ir.InsertionPoint(block), loc:
            outs = call(state, name, block.arguments)
            emit_yield(outs[:n_out] + [outs[n_out + i] for i in t_out])
    res = list(c.results)
    ctx.set_primal(res[:n_out])
    out_tangents = [None] * n_out
    for j, i in enumerate(t_out):
        out_tangents[i] = res[n_out + j]
    return out_tangents


def _jvp_fixpoint(state, body: str, n_consts, n_carry, n_xs, const_diff, carry_diff, xs_diff):
    """Carries with a nonzero tangent: those given one, and those the body gives one."""

    carry_diff = set(carry_diff)
    while True:
        diff = tuple(sorted(const_diff) + [n_consts + i for i in sorted(carry_diff)]
                     + [n_consts + n_carry + i for i in sorted(xs_diff)])
        name = jvp_function(state, body, diff)
        nonzero = state.memo[("jvp_nonzero", name)]
        grown = carry_diff | {i for i in range(n_carry) if nonzero[i]}
        if grown == carry_diff:
            return diff, sorted(carry_diff)
        carry_diff = grown


def _hoist_invariant(fwd, n_consts: int, n_out: int, consts) -> dict:
    """{index: value} of the residuals of a scan body's forward half computed from its consts
    alone, computed once at the insertion point (outside the loop) from `consts`: stacked per
    iteration, an RNN's weight matrix would be saved once per step."""
    block = fwd.regions[0].blocks[0]
    ops = [o.operation for o in block.operations]
    invariant = set(list(block.arguments)[:n_consts])
    for o in ops[:-1]:
        if all(v in invariant for v in o.operands):
            invariant.update(o.results)
    hoisted = {i: v for i, v in enumerate(list(ops[-1].operands)[n_out:]) if v in invariant}
    needed, chosen = set(hoisted.values()), []
    for o in reversed(ops[:-1]):
        if any(r in needed for r in o.results):
            chosen.append(o)
            needed.update(o.operands)
    mapping = dict(zip(list(block.arguments)[:n_consts], consts))
    ip = ir.InsertionPoint.current
    for o in reversed(chosen):
        clone_into(o, mapping, ip)
    return {i: mapping[v] for i, v in hoisted.items()}


@jvp_rule(C.scan)
def _jvp_scan(ctx):
    """Forward mode: one scan carrying (primal, tangent). For a linearization, the split form:
    a primal scan (the body's forward half, residuals stacked as extra ys, loop-invariant ones
    computed once before it) and a tangent scan (the body's linear half, with the stacked
    residuals as xs and the invariant ones as consts)."""

    state, op, p = ctx.state, ctx.op, ctx.params
    nc, nk, length, reverse = p["num_consts"], p["num_carry"], p["length"], bool(p["reverse"])
    new, tangents = ctx.primals, ctx.tangents
    nx = len(new) - nc - nk
    body = outline(state, op.regions[0], "scan_body")
    const_diff = [i for i in range(nc) if tangents[i] is not None]
    xs_diff = [i for i in range(nx) if tangents[nc + nk + i] is not None]
    diff, carry_diff = _jvp_fixpoint(
        state, body, nc, nk, nx, const_diff,
        [i for i in range(nk) if tangents[nc + i] is not None], xs_diff)
    if not ctx.linearizing:
        return _jvp_scan_fused(ctx, body, diff, carry_diff)
    n_out = len(op.results)
    ct_outs = tuple(carry_diff) + tuple(range(nk, n_out))
    fwd, lin, n_res = linearize_function(state, body, diff, ct_outs)
    fwd_results = list(function_type(state.funcs[fwd]).results)
    out_types = types_of(op.results)
    invariant = _hoist_invariant(state.funcs[fwd], nc, n_out, new[:nc])
    per_step = [i for i in range(n_res) if i not in invariant]
    loc = op.location
    primal = new_op(C.scan, new,
                     out_types + [stacked_type(fwd_results[n_out + i], length) for i in per_step], 1,
                     num_consts=nc, num_carry=nk, length=length, reverse=reverse)
    block = region_block(primal.regions[0],
                         types_of(new[:nc + nk]) + [sliced_type(v.type) for v in new[nc + nk:]], loc)
    with ir.InsertionPoint(block), loc:
        outs = call(state, fwd, block.arguments)
        emit_yield(outs[:n_out] + [outs[n_out + i] for i in per_step])
    ctx.set_primal(primal.results)
    stacked = list(primal.results)[n_out:]

    def tangent_of(i):
        return tangents[i] if tangents[i] is not None else zeros(new[i].type)

    t_consts = [tangents[i] for i in const_diff]
    t_carry = [tangent_of(nc + i) for i in carry_diff]
    t_xs = [tangents[nc + nk + i] for i in xs_diff]
    y_types = out_types[nk:]
    t_out_types = [out_types[i] for i in carry_diff] + y_types
    consts = t_consts + list(invariant.values())
    tangent = new_op(C.scan, consts + t_carry + stacked + t_xs, t_out_types, 1,
                      num_consts=len(consts), num_carry=len(t_carry), length=length,
                      reverse=reverse)
    slices = [sliced_type(v.type) for v in stacked + t_xs]
    block = region_block(tangent.regions[0], types_of(consts + t_carry) + slices, loc)
    b = list(block.arguments)
    nt, nc2, nk2, ns = len(t_consts), len(consts), len(consts) + len(t_carry), len(stacked)
    with ir.InsertionPoint(block), loc:
        # lin takes (residuals in order, tangents in body-argument order: consts, carry, xs)
        b_inv, b_step = iter(b[nt:nc2]), iter(b[nk2:nk2 + ns])
        res = [next(b_inv) if i in invariant else next(b_step) for i in range(n_res)]
        emit_yield(call(state, lin, res + b[:nt] + b[nc2:nk2] + b[nk2 + ns:]))
    t_res = list(tangent.results)
    out_tangents = [None] * n_out
    for j, i in enumerate(carry_diff):
        out_tangents[i] = t_res[j]
    for j in range(n_out - nk):
        out_tangents[nk + j] = t_res[len(carry_diff) + j]
    return out_tangents


def _jvp_scan_fused(ctx, body, diff, carry_diff):
    """One scan whose consts, carries and xs are followed by their tangents and whose body is
    the body's JVP: forward mode stores no per-step residuals, only the ys and their tangents
    (those not symbolically zero)."""

    state, op, p = ctx.state, ctx.op, ctx.params
    nc, nk = p["num_consts"], p["num_carry"]
    new, tangents = ctx.primals, ctx.tangents
    n_out = len(op.results)
    body_jvp = jvp_function(state, body, diff)
    nonzero = state.memo[("jvp_nonzero", body_jvp)]
    ys_diff = [j for j in range(n_out - nk) if nonzero[nk + j]]

    def tangent_of(i):
        return tangents[i] if tangents[i] is not None else zeros(new[i].type)

    t_args = [tangent_of(i) for i in diff]
    nt_c = sum(i < nc for i in diff)
    nt_k = len(carry_diff)
    consts = new[:nc] + t_args[:nt_c]
    carry = new[nc:nc + nk] + t_args[nt_c:nt_c + nt_k]
    xs = new[nc + nk:] + t_args[nt_c + nt_k:]
    out_types = types_of(op.results)
    result_types = (out_types[:nk] + [out_types[i] for i in carry_diff] + out_types[nk:]
                    + [out_types[nk + j] for j in ys_diff])
    s = new_op(C.scan, consts + carry + xs, result_types, 1, num_consts=len(consts),
                num_carry=len(carry), length=p["length"], reverse=bool(p["reverse"]))
    loc = op.location
    block = region_block(s.regions[0], types_of(consts + carry) + [sliced_type(v.type) for v in xs],
                         loc)
    a = list(block.arguments)
    n1, n2 = len(consts), len(consts) + len(carry)
    primal_args = a[:nc] + a[n1:n1 + nk] + a[n2:n2 + len(new) - nc - nk]
    tangent_args = a[nc:n1] + a[n1 + nk:n2] + a[n2 + len(new) - nc - nk:]
    with ir.InsertionPoint(block), loc:
        outs = call(state, body_jvp, primal_args + tangent_args)
        emit_yield(outs[:nk] + [outs[n_out + i] for i in carry_diff] + outs[nk:n_out]
                   + [outs[n_out + nk + j] for j in ys_diff])
    res = list(s.results)
    ctx.set_primal(res[:nk] + res[nk + nt_k:nk + nt_k + n_out - nk])
    out_tangents = [None] * n_out
    for j, i in enumerate(carry_diff):
        out_tangents[i] = res[nk + j]
    for j, i in enumerate(ys_diff):
        out_tangents[nk + i] = res[nk + nt_k + n_out - nk + j]
    return out_tangents


@jvp_rule(C.while_)
def _jvp_while(ctx):
    """Tangents ride along as extra carries. For a linearization (partial evaluation follows)
    the primal results come from a primal-only copy of the loop, so the forward half needs
    nothing from the loop that carries tangents."""

    state, op = ctx.state, ctx.op
    nc = ctx.params["num_consts"]
    new, tangents = ctx.primals, ctx.tangents
    nk = len(new) - nc
    body = outline(state, op.regions[1], "while_body")
    const_diff = [i for i in range(nc) if tangents[i] is not None]
    diff, carry_diff = _jvp_fixpoint(state, body, nc, nk, 0, const_diff,
                                     [i for i in range(nk) if tangents[nc + i] is not None], [])
    if not carry_diff:
        # the tangents reach only the predicate: the loop takes no tangent, so partial
        # evaluation keeps it in the forward pass
        ctx.emit_primal()
        return [None] * nk
    cond = outline(state, op.regions[0], "while_cond")
    body_jvp = jvp_function(state, body, diff)
    t_consts = [tangents[i] for i in const_diff]
    t_carry = [tangents[nc + i] if tangents[nc + i] is not None else zeros(new[nc + i].type)
               for i in carry_diff]
    consts, carry = new[:nc] + t_consts, new[nc:] + t_carry
    loc = op.location
    w = new_op(C.while_, consts + carry, types_of(carry), 2, num_consts=len(consts))
    types = types_of(consts + carry)
    nt = len(t_consts)
    cb = region_block(w.regions[0], types, loc)
    with ir.InsertionPoint(cb), loc:
        a = list(cb.arguments)
        emit_yield(call(state, cond, a[:nc] + a[nc + nt:nc + nt + nk]))
    bb = region_block(w.regions[1], types, loc)
    with ir.InsertionPoint(bb), loc:
        a = list(bb.arguments)
        primal_args = a[:nc] + a[nc + nt:nc + nt + nk]
        outs = call(state, body_jvp, primal_args + a[nc:nc + nt] + a[nc + nt + nk:])
        emit_yield(outs[:nk] + [outs[nk + i] for i in carry_diff])
    res = list(w.results)
    if ctx.linearizing:
        ctx.emit_primal(ir.InsertionPoint(w))
    else:
        ctx.set_primal(res[:nk])
    out_tangents = [None] * nk
    for j, i in enumerate(carry_diff):
        out_tangents[i] = res[nk + j]
    return out_tangents


# --- transposition of linear region ops --------------------------------------------------------

@transpose_rule(C.while_)
def _transpose_while(ctx):
    raise fail(ctx.op, "reverse-mode differentiation of while_loop needs a bound on its trip count: "
                   "pass max_trip_count=n to plait.lax.while_loop (or use fori_loop with "
                   "static bounds, or scan)")


@transpose_rule(C.cond)
def _transpose_cond(ctx):
    """Each branch transposed; the index and the residuals are constants."""

    state, op, cts = ctx.state, ctx.op, ctx.cts
    index, *args = ctx.operands
    lin_idx = tuple(i for i, a in enumerate(args) if is_linear(a))
    consts = [a for a in args if not is_linear(a)]
    lin_types = [_aval.ir_type(args[i].aval) for i in lin_idx]
    t = new_op(C.cond, [index] + consts + list(cts), lin_types, len(op.regions))
    loc = op.location
    for region, new_region in zip(op.regions, t.regions):
        branch = outline(state, region, "branch_lin")
        branch_t = transpose_function(state, branch, lin_idx)
        block = region_block(new_region, types_of(consts + list(cts)), loc)
        with ir.InsertionPoint(block), loc:
            emit_yield(call(state, branch_t, block.arguments))
    res = iter(t.results)
    return [None] + [next(res) if is_linear(a) else None for a in args]


@transpose_rule(C.scan)
def _transpose_scan(ctx):
    """A scan linear in some consts, all its carries and some xs transposes into a scan the
    other way: the carry cotangent flows back, const cotangents accumulate as carries, and the
    xs cotangents come out as ys."""

    state, op, cts, operands, p = ctx.state, ctx.op, ctx.cts, ctx.operands, ctx.params
    nc, nk, length, reverse = p["num_consts"], p["num_carry"], p["length"], bool(p["reverse"])
    # Every carry is taken as linear: one that is not is a zero tangent the JVP rule
    # materialized (for a carry given none), and gets no cotangent.
    consts, xs = operands[:nc], operands[nc + nk:]
    lin_c = [i for i, c in enumerate(consts) if is_linear(c)]
    lin_x = [i for i, x in enumerate(xs) if is_linear(x)]
    nl_c = [c for c in consts if not is_linear(c)]
    nl_x = [x for x in xs if not is_linear(x)]
    body = outline(state, op.regions[0], "scan_lin")
    linear_args = tuple(lin_c) + tuple(range(nc, nc + nk)) + tuple(nc + nk + i for i in lin_x)
    body_t = transpose_function(state, body, linear_args)
    ct_carry, ct_ys = list(cts[:nk]), list(cts[nk:])
    acc_types = [_aval.ir_type(consts[i].aval) for i in lin_c]
    loc = op.location
    acc0 = [zeros(t) for t in acc_types]
    carry_types = types_of(ct_carry) + acc_types
    t = new_op(C.scan, nl_c + ct_carry + acc0 + nl_x + ct_ys,
                carry_types + [_aval.ir_type(xs[i].aval) for i in lin_x], 1,
                num_consts=len(nl_c), num_carry=len(carry_types), length=length,
                reverse=not reverse)
    slices = [sliced_type(v.type) for v in nl_x + ct_ys]
    block = region_block(t.regions[0], types_of(nl_c) + carry_types + slices, loc)
    b = list(block.arguments)
    n1, n2 = len(nl_c), len(nl_c) + nk
    n3 = n2 + len(acc_types)
    n4 = n3 + len(nl_x)
    with ir.InsertionPoint(block), loc:
        # body_t takes the body's non-linear args (consts, xs) then cts of (carry, ys)
        outs = call(state, body_t, b[:n1] + b[n3:n4] + b[n1:n2] + b[n4:])
        ct_consts = outs[:len(lin_c)]
        new_acc = [P.add(a, c) for a, c in zip(b[n2:n3], ct_consts)]
        emit_yield(outs[len(lin_c):len(lin_c) + nk] + new_acc + outs[len(lin_c) + nk:])
    r = list(t.results)
    ct_carry_in, ct_acc, ct_xs = r[:nk], r[nk:nk + len(lin_c)], r[nk + len(lin_c):]
    out = [None] * len(operands)
    for j, i in enumerate(lin_c):
        out[i] = ct_acc[j]
    for i in range(nk):
        out[nc + i] = ct_carry_in[i] if is_linear(operands[nc + i]) else None
    for j, i in enumerate(lin_x):
        out[nc + nk + i] = ct_xs[j]
    return out


# --- batching ----------------------------------------------------------------------------------

@batch_rule(C.cond)
def _batch_cond(ctx):
    """Unbatched index: one cond of batched branches. Batched index: every branch runs
    (batched) and a select picks each lane's result — no serial loop."""

    state, op, size, axis_name = ctx.state, ctx.op, ctx.size, ctx.axis_name
    index, *args = ctx.operands
    b_index, *b_args = ctx.bdims
    branches = []
    for region in op.regions:
        name = outline(state, region, "branch")
        branches.append(batch_function(state, name, tuple(b_args), size, axis_name,
                                       force_out=True)[0])
    out_types = list(function_type(state.funcs[branches[0]]).results)
    loc = op.location
    if b_index is None:
        c = new_op(C.cond, [index] + args, out_types, len(branches))
        for name, region in zip(branches, c.regions):
            block = region_block(region, types_of(args), loc)
            with ir.InsertionPoint(block), loc:
                emit_yield(call(state, name, block.arguments))
        return list(c.results), [0] * len(out_types)
    idx = move_bdim(index, b_index, 0, size)
    results = [call(state, name, args) for name in branches]
    outs = results[-1]
    for k in range(len(branches) - 2, -1, -1):
        kk = P.constant(value=splat_attr((size,), dtypes.int32, k))
        hit = P.compare(idx, kk, direction="EQ")
        new = []
        for v, cur in zip(results[k], outs):
            shape = aval_of(v).shape
            mask = P.broadcast_in_dim(hit, shape=shape, broadcast_dimensions=(0,))
            new.append(P.select(mask, v, cur))
        outs = new
    return outs, [0] * len(outs)


@batch_rule(C.while_)
def _batch_while(ctx):
    """Carries batched (dim 0) where needed, a fixpoint as for scan. An unbatched predicate
    stops every lane together. A batched one runs until every lane is done: every carry is
    batched, each lane's predicate rides along as an extra carry (computed once per step),
    and finished lanes keep their carry."""

    state, op, size, axis_name = ctx.state, ctx.op, ctx.size, ctx.axis_name
    operands, bdims = ctx.operands, ctx.bdims
    nc = ctx.params["num_consts"]
    consts, b_consts, b_carry = operands[:nc], tuple(bdims[:nc]), bdims[nc:]
    cond = outline(state, op.regions[0], "while_cond")
    body = outline(state, op.regions[1], "while_body")
    batched = [d is not None for d in b_carry]
    while True:
        in_b = b_consts + tuple(0 if bt else None for bt in batched)
        _, out_b = batch_function(state, body, in_b, size, axis_name)
        grown = [bt or d is not None for bt, d in zip(batched, out_b)]
        if grown == batched:
            break
        batched = grown
    cond_b, (pred_b,) = batch_function(state, cond, in_b, size, axis_name)
    if pred_b is not None:
        batched = [True] * len(batched)
        in_b = b_consts + (0,) * len(batched)
        cond_b, _ = batch_function(state, cond, in_b, size, axis_name)
    body_b, _ = batch_function(state, body, in_b, size, axis_name, force_out=tuple(batched))
    carry = [move_bdim(c, d, 0, size) if bt else c
             for c, d, bt in zip(operands[nc:], b_carry, batched)]
    loc = op.location
    if pred_b is None:  # every lane stops together
        w = new_op(C.while_, consts + carry, types_of(carry), 2, num_consts=nc)
        for region, fn in zip(w.regions, (cond_b, body_b)):
            block = region_block(region, types_of(consts + carry), loc)
            with ir.InsertionPoint(block), loc:
                emit_yield(call(state, fn, block.arguments))
        return list(w.results), [0 if bt else None for bt in batched]
    (pred0,) = call(state, cond_b, consts + carry)
    state_types = types_of(consts + carry) + [pred0.type]
    w = new_op(C.while_, consts + carry + [pred0], types_of(carry) + [pred0.type], 2,
                num_consts=nc)
    cb = region_block(w.regions[0], state_types, loc)
    with ir.InsertionPoint(cb), loc:
        emit_yield([P.reduce_or(cb.arguments[len(state_types) - 1], axes=(0,))])
    bb = region_block(w.regions[1], state_types, loc)
    with ir.InsertionPoint(bb), loc:
        a = list(bb.arguments)
        old, pred = a[nc:-1], a[-1]
        new = call(state, body_b, a[:-1])
        masked = []
        for n, o in zip(new, old):
            m = P.broadcast_in_dim(pred, shape=aval_of(n).shape, broadcast_dimensions=(0,))
            masked.append(P.select(m, n, o))
        (next_pred,) = call(state, cond_b, a[:nc] + masked)
        emit_yield(masked + [P.and_(pred, next_pred)])
    return list(w.results)[:-1], [0] * len(carry)


@batch_rule(C.scan)
def _batch_scan(ctx):
    """Carries batched (dim 0) where needed (a fixpoint); xs batched at dim 1 so each slice
    has its batch at 0; the stacked ys come out batched at dim 1."""

    state, op, size, axis_name, p = ctx.state, ctx.op, ctx.size, ctx.axis_name, ctx.params
    operands, bdims = ctx.operands, ctx.bdims
    nc, nk, length, reverse = p["num_consts"], p["num_carry"], p["length"], bool(p["reverse"])
    consts, carry, xs = operands[:nc], operands[nc:nc + nk], operands[nc + nk:]
    b_consts, b_carry, b_xs = bdims[:nc], bdims[nc:nc + nk], bdims[nc + nk:]
    body = outline(state, op.regions[0], "scan_body")
    batched = [d is not None for d in b_carry]
    xs = [x if d is None else move_bdim(x, d, 1, size) for x, d in zip(xs, b_xs)]
    x_bdims = tuple(None if d is None else 0 for d in b_xs)
    while True:
        in_b = tuple(b_consts) + tuple(0 if bt else None for bt in batched) + x_bdims
        name, out_b = batch_function(state, body, in_b, size, axis_name)
        grown = [bt or out_b[i] is not None for i, bt in enumerate(batched)]
        if grown == batched:
            break
        batched = grown
    force = tuple(batched) + (True,) * (len(op.results) - nk)
    name, _ = batch_function(state, body, in_b, size, axis_name, force_out=force)
    carry = [move_bdim(c, d, 0, size) if bt else c
             for c, d, bt in zip(carry, b_carry, batched)]
    f_types = list(function_type(state.funcs[name]).results)
    out_types = f_types[:nk] + [stacked_type(t, length) for t in f_types[nk:]]
    loc = op.location
    s = new_op(C.scan, consts + carry + xs, out_types, 1, num_consts=nc, num_carry=nk,
                length=length, reverse=reverse)
    block = region_block(s.regions[0], types_of(consts + carry) + [sliced_type(x.type) for x in xs],
                         loc)
    with ir.InsertionPoint(block), loc:
        emit_yield(call(state, name, block.arguments))
    out_bdims = [0 if bt else None for bt in batched] + [1] * (len(op.results) - nk)
    return list(s.results), out_bdims


# --- sharding: edges (source, target, (forward map, backward map)) ---------------------------

_ID = (lambda d: d, lambda d: d)
_UNSTACK = (lambda d: d[1:], lambda d: ((),) + d)  # xs -> one slice: the scanned dim goes
_STACK = (lambda d: ((),) + d, lambda d: d[1:])  # one slice -> ys: a new, unsharded dim 0


def _args(region) -> list:
    return list(region.blocks[0].arguments)


@region_rule(C.cond)
def _cond_edges(ctx):
    """Each branch takes the operands; a result, the first branch's yield that has one."""
    op = ctx.op
    operands, results = list(op.operands)[1:], list(op.results)
    ins = [(v, a, _ID) for r in op.regions for v, a in zip(operands, _args(r))]
    outs = [(y, res, _ID) for r in op.regions
            for y, res in zip(yielded(r.blocks[0]), results)]
    return ins, outs


@region_rule(C.while_)
def _while_edges(ctx):
    """Both regions take (consts, carry); a result, its init's sharding, else the body's."""
    op = ctx.op
    operands, results = list(op.operands), list(op.results)
    ins = [(v, a, _ID) for r in op.regions for v, a in zip(operands, _args(r))]
    outs = [(v, res, _ID) for v, res in zip(operands[ctx.params["num_consts"]:], results)]
    outs += [(y, res, _ID) for y, res in zip(yielded(op.regions[1].blocks[0]), results)]
    return ins, outs


@region_rule(C.scan)
def _scan_edges(ctx):
    """The body takes (consts, carry, one slice of each xs); carry results take the inits'
    shardings (else the body's), ys stack the body's along a new dimension 0."""
    op = ctx.op
    nc, nk = ctx.params["num_consts"], ctx.params["num_carry"]
    operands, results, args = list(op.operands), list(op.results), _args(op.regions[0])
    ys = yielded(op.regions[0].blocks[0])
    ins = [(v, a, _ID) for v, a in zip(operands[:nc + nk], args)]
    ins += [(v, a, _UNSTACK) for v, a in zip(operands[nc + nk:], args[nc + nk:])]
    outs = [(v, res, _ID) for v, res in zip(operands[nc:nc + nk], results)]
    outs += [(y, res, _ID) for y, res in zip(ys[:nk], results)]
    outs += [(y, res, _STACK) for y, res in zip(ys[nk:], results[nk:])]
    return ins, outs


# --- lowering -----------------------------------------------------------------------------------

_I32 = np.dtype(np.int32)


def _return(block, values) -> None:
    with ir.InsertionPoint(block):
        create("stablehlo.return", [], values)


@register(C.cond)
def _lower_cond(op, params, operands, result_types):
    index, *args = operands
    new = create("stablehlo.case", result_types, [index], regions=len(op.regions))
    for src, dst in zip(op.regions, new.regions):
        block, values = move_body(src, dst, [], args)
        _return(block, values)
    return list(new.results)


@register(C.while_)
def _lower_while(op, params, operands, result_types):
    n = params["num_consts"]
    types = [v.type for v in operands]
    new = create("stablehlo.while", types, operands, regions=2)
    cond_block, pred = move_body(op.regions[0], new.regions[0], types)
    _return(cond_block, pred)
    body_block, carry = move_body(op.regions[1], new.regions[1], types)
    _return(body_block, list(body_block.arguments)[:n] + carry)
    return list(new.results)[n:]


def _i32(value) -> ir.Value:
    return dense_const(np.array(value, _I32))


def _scalar_type(dtype) -> ir.Type:
    return _aval.ir_type(_aval.ShapedArray((), dtype))


@register(C.scan)
def _lower_scan(op, params, operands, result_types):
    nc, nk, length, reverse = (params["num_consts"], params["num_carry"], params["length"],
                               bool(params["reverse"]))
    consts, carry, xs = operands[:nc], operands[nc:nc + nk], operands[nc + nk:]
    ys_types = list(result_types)[nk:]
    ys_init = [_lower_zeros(t) for t in ys_types]
    if length == 0:  # the body never runs (and xs[0] does not exist): carry in, empty ys
        return list(carry) + ys_init
    state = [_i32(0)] + consts + carry + xs + ys_init
    types = [v.type for v in state]
    new = create("stablehlo.while", types, state, regions=2)
    i32 = _scalar_type(_I32)
    bool_t = _scalar_type(dtypes.bool_)

    cond = new.regions[0].blocks.append(*types)
    with ir.InsertionPoint(cond):
        lt = create("stablehlo.compare", [bool_t], [cond.arguments[0], _i32(length)],
                     {"comparison_direction": _direction("LT")}).results[0]
        create("stablehlo.return", [], [lt])

    body = new.regions[1].blocks.append(*types)
    b = list(body.arguments)
    i, b_consts = b[0], b[1:1 + nc]
    b_carry, b_xs, b_ys = b[1 + nc:1 + nc + nk], b[1 + nc + nk:1 + nc + nk + len(xs)], \
        b[1 + nc + nk + len(xs):]
    with ir.InsertionPoint(body):
        idx = create("stablehlo.subtract", [i32], [_i32(length - 1), i]).results[0] \
            if reverse else i
        slices = [_slice_at(x, idx) for x in b_xs]
    old = op.regions[0].blocks[0]
    for a, v in zip(old.arguments, b_consts + b_carry + slices):
        a.replace_all_uses_with(v)
    for o in list(old.operations):
        body.append(o.operation)
    y = body.operations[len(body.operations) - 1].operation
    outs = list(y.operands)
    y.erase()
    with ir.InsertionPoint(body):
        ys = [_update_at(acc, v, idx) for acc, v in zip(b_ys, outs[nk:])]
        nxt = create("stablehlo.add", [i32], [i, _i32(1)]).results[0]
        create("stablehlo.return", [], [nxt] + b_consts + outs[:nk] + b_xs + ys)
    res = list(new.results)
    return res[1 + nc:1 + nc + nk] + res[1 + nc + nk + len(xs):]


def _direction(d: str):

    return hlo.ComparisonDirectionAttr.get(d)


def _lower_zeros(t: ir.Type) -> ir.Value:
    a = _aval.aval_of_type(t)

    z = scalar_const(a.dtype, 0)
    return create("stablehlo.broadcast_in_dim", [t], [z],
                   {"broadcast_dimensions": i64s([])}).results[0]


def _slice_at(x: ir.Value, i: ir.Value) -> ir.Value:
    """x[i] along the leading axis."""
    a = _aval.aval_of(x)
    sl = create("stablehlo.dynamic_slice", [_aval.ir_type(a.update(shape=(1,) + a.shape[1:]))],
                 [x, i] + _zero_indices(a.ndim - 1), {"slice_sizes": i64s((1,) + a.shape[1:])})
    return create("stablehlo.reshape", [_aval.ir_type(a.update(shape=a.shape[1:]))],
                   [sl.results[0]]).results[0]


def _update_at(acc: ir.Value, v: ir.Value, i: ir.Value) -> ir.Value:
    """acc with acc[i] = v along the leading axis."""
    a = _aval.aval_of(v)
    upd = create("stablehlo.reshape", [_aval.ir_type(a.update(shape=(1,) + a.shape))],
                  [v]).results[0]
    return create("stablehlo.dynamic_update_slice", [acc.type],
                   [acc, upd, i] + _zero_indices(a.ndim)).results[0]


def _zero_indices(n: int) -> list:
    """n zero start indices: one constant, made only if needed (no dead ops in the output)."""
    return [_i32(0)] * n if n else []


# --- raising (StableHLO -> plait) ----------------------------------------------------------------
# StableHLO regions may use values from outside; plait's are isolated, so those values become
# operands (the consts of a while, the operands of a cond) and block arguments.

def _raise_regions(op) -> list:
    for region in op.regions:
        raise_block(region.blocks[0])
    return free_values(op.regions)


@raise_rule("stablehlo.while")
def _raise_while(op):
    """A while with a counter from a constant to a constant bound, stepping by one, is a scan
    of that many steps (so reverse mode differentiates it); any other is a plait.while."""
    check_attrs(op)
    consts = _raise_regions(op)
    nc, carry = len(consts), list(op.operands)
    types = types_of(consts + carry)
    length = _trip_count(op)
    positions = list(range(nc, nc + len(carry)))
    if length is not None:
        new = C.scan.create(consts + carry, types_of(carry), 1, num_consts=nc,
                            num_carry=len(carry), length=length, reverse=False)
        move_region(op.regions[1], new.regions[0], types, op.regions[1].blocks[0].arguments,
                    positions, consts, range(nc))
        return list(new.results)
    new = C.while_.create(consts + carry, types_of(carry), 2, num_consts=nc)
    for src, dst in zip(op.regions, new.regions):
        move_region(src, dst, types, src.blocks[0].arguments, positions, consts, range(nc))
    return list(new.results)


def _int_splat(v):
    s = splat_value(v)
    return s if isinstance(s, int) and not isinstance(s, bool) else None


def _trip_count(op) -> int | None:
    """The trip count of a raised while whose cond is `arg_k < bound` (both constants known)
    and whose body yields `arg_k + 1`; None for any other loop."""
    cond, body = op.regions[0].blocks[0], op.regions[1].blocks[0]
    pred = cond.operations[len(cond.operations) - 1].operation.operands[0]
    lt = defining_op(pred)
    if lt is None or lt.name != P.compare.name or P.compare.params_of(lt)["direction"] != "LT":
        return None
    counter, bound = lt.operands
    if not isinstance(counter.owner, ir.Block) or counter.owner != cond:
        return None
    k = counter.arg_number
    start, stop = _int_splat(op.operands[k]), _int_splat(bound)
    if start is None or stop is None or aval_of(counter).shape != ():
        return None
    nxt = defining_op(body.operations[len(body.operations) - 1].operation.operands[k])
    if nxt is None or nxt.name != P.add.name:
        return None
    arg = body.arguments[k]
    a, b = nxt.operands
    if not ((a == arg and _int_splat(b) == 1) or (b == arg and _int_splat(a) == 1)):
        return None
    return max(stop - start, 0)


def _raise_branches(op, index, regions) -> list:
    operands = _raise_regions(op)
    new = C.cond.create([index] + operands, [r.type for r in op.results], len(regions))
    for src, dst in zip(regions, new.regions):
        move_region(src, dst, types_of(operands), [], [], operands, range(len(operands)))
    return list(new.results)


@raise_rule("stablehlo.case")
def _raise_case(op):
    """An index out of [0, n) runs the last branch, as StableHLO's case does."""
    check_attrs(op)
    (index,) = op.operands
    n = len(op.regions)
    last = P.constant(value=np.array(n - 1, _I32))
    out = P.or_(P.compare(index, P.constant(value=np.array(0, _I32)), direction="LT"),
                P.compare(index, last, direction="GT"))
    return _raise_branches(op, P.select(out, last, index), list(op.regions))


@raise_rule("stablehlo.if")
def _raise_if(op):
    check_attrs(op)
    index = P.convert(op.operands[0], new_dtype=_I32)
    return _raise_branches(op, index, [op.regions[1], op.regions[0]])  # false, then true
