"""Transformation rules of the region ops (cond, while, scan): everything about their JVP,
transposition and batching, in one place.

Regions are transformed as functions: a region is *outlined* into a private function, the
function-level machinery (jvp_function, linearize_function, transpose_function,
batch_function) transforms it, and the new region op's regions call the results. In forward
mode a region op's JVP is one op of the same kind carrying primals and tangents together, so
it stores no residuals. Under linearization the rules emit the *split* form instead: a primal
op that also returns the residuals its tangent needs (stacked per iteration for scan), and a
tangent op that is linear in the tangents. Partial evaluation then separates them with no
special case, and plait-transpose transposes the linear one (a scan transposes into a scan
running the other way).
"""

from __future__ import annotations

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import control as C
from plait.dialect import ops as P
from plait.dialect.base import splat_attr
from plait.dialect.builders import full_like
from plait.dialect.sharding import axis_sizes, local_type, shard_map
from plait.ir.funcs import clone_into, function_type
from plait.ir.sharding import per_value_attr, per_value_dims
from plait.transforms.base import fail
from plait.transforms.batch import batch_function, move_bdim, region_batch_rules
from plait.transforms.expand import call, emit_yield, outline, region_block
from plait.transforms.jvp import jvp_call_rules, jvp_function
from plait.transforms.linearize import linearize_function
from plait.transforms.transpose import is_linear, region_transpose_rules, transpose_function


def zeros(t: ir.Type) -> ir.Value:
    a = _aval.aval_of_type(t)
    if dtypes.is_complex(a.dtype):
        re = P.constant(value=splat_attr(a.shape, dtypes.real_dtype(a.dtype), 0))
        return P.complex(re, re)
    return P.constant(value=splat_attr(a.shape, a.dtype, 0))


def _types(values) -> list:
    return [v.type for v in values]


def _stacked(t: ir.Type, n: int) -> ir.Type:
    a = _aval.aval_of_type(t)
    return _aval.ir_type(a.update(shape=(n,) + a.shape))


def _sliced(t: ir.Type) -> ir.Type:
    a = _aval.aval_of_type(t)
    return _aval.ir_type(a.update(shape=a.shape[1:]))


def _new_op(opdef, operands, result_types, n_regions, **params) -> ir.Operation:
    return opdef.create(list(operands), list(result_types), n_regions, **params)


def _params(op):
    return {k: v for k, v in OPS[op.name].params_of(op).items() if v is not None}


# --- JVP: fused in forward mode, split under linearization (state.memo["linearizing"]) ----------

def jvp_cond(state, op, mapping, tangents):
    """Forward mode: one cond whose branch k is branch k's JVP. Split form: the primal cond's
    branch k returns (outs, its residuals, zeros for the other branches'); the tangent cond's
    applies its linear function to its residuals and the tangents."""

    index, *args = [mapping.get(v, v) for v in op.operands]
    old_args = list(op.operands)[1:]
    diff = tuple(i for i, v in enumerate(old_args) if v in tangents)
    if not state.memo.get("linearizing"):
        return _jvp_cond_fused(state, op, mapping, tangents, diff)
    n_out = len(op.results)
    splits = []
    for region in op.regions:
        branch = outline(state, region, "branch")
        splits.append(linearize_function(state, branch, diff, tuple(range(n_out))))
    res_types = []
    for fwd, _, _n_res in splits:
        res_types.append(list(function_type(state.funcs[fwd]).results)[n_out:])
    all_res = [t for ts in res_types for t in ts]
    out_types = _types(op.results)
    primal = _new_op(C.cond, [index] + args, out_types + all_res, len(splits))
    loc = op.location
    for k, ((fwd, _, _), region) in enumerate(zip(splits, primal.regions)):
        block = region_block(region, _types(args), loc)
        with ir.InsertionPoint(block), loc:
            outs = call(state, fwd, block.arguments)
            res = []
            for j, ts in enumerate(res_types):
                res += outs[n_out:] if j == k else [zeros(t) for t in ts]
            emit_yield(outs[:n_out] + res)
    for old, new in zip(op.results, primal.results):
        mapping[old] = new
    residuals = list(primal.results)[n_out:]
    t_args = [tangents[old_args[i]] for i in diff]
    tangent = _new_op(C.cond, [index] + residuals + t_args, out_types, len(splits))
    for k, ((_, lin, _), region) in enumerate(zip(splits, tangent.regions)):
        block = region_block(region, _types(residuals + t_args), loc)
        b = list(block.arguments)
        start = sum(len(ts) for ts in res_types[:k])
        own = b[start:start + len(res_types[k])]
        with ir.InsertionPoint(block), loc:
            emit_yield(call(state, lin, own + b[len(residuals):]))
    return list(tangent.results)


def _jvp_cond_fused(state, op, mapping, tangents, diff):
    """One cond of the branches' JVPs; it returns the tangents some branch makes nonzero."""

    index, *args = [mapping.get(v, v) for v in op.operands]
    old_args = list(op.operands)[1:]
    t_args = [tangents[old_args[i]] for i in diff]
    branches = [jvp_function(state, outline(state, region, "branch"), diff)
                for region in op.regions]
    n_out = len(op.results)
    t_out = [i for i in range(n_out)
             if any(state.memo[("jvp_nonzero", b)][i] for b in branches)]
    out_types = _types(op.results)
    c = _new_op(C.cond, [index] + args + t_args, out_types + [out_types[i] for i in t_out],
                len(branches))
    loc = op.location
    for name, region in zip(branches, c.regions):
        block = region_block(region, _types(args + t_args), loc)
        with ir.InsertionPoint(block), loc:
            outs = call(state, name, block.arguments)
            emit_yield(outs[:n_out] + [outs[n_out + i] for i in t_out])
    res = list(c.results)
    for o, r in zip(op.results, res[:n_out]):
        mapping[o] = r
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


def jvp_scan(state, op, mapping, tangents):
    """Forward mode: one scan carrying (primal, tangent). For a linearization, the split form:
    a primal scan (the body's forward half, residuals stacked as extra ys, loop-invariant ones
    computed once before it) and a tangent scan (the body's linear half, with the stacked
    residuals as xs and the invariant ones as consts)."""

    p = _params(op)
    nc, nk, length, reverse = p["num_consts"], p["num_carry"], p["length"], bool(p["reverse"])
    old = list(op.operands)
    new = [mapping.get(v, v) for v in old]
    nx = len(old) - nc - nk
    body = outline(state, op.regions[0], "scan_body")
    const_diff = [i for i in range(nc) if old[i] in tangents]
    xs_diff = [i for i in range(nx) if old[nc + nk + i] in tangents]
    diff, carry_diff = _jvp_fixpoint(state, body, nc, nk, nx, const_diff,
                                     [i for i in range(nk) if old[nc + i] in tangents], xs_diff)
    if not state.memo.get("linearizing"):
        return _jvp_scan_fused(state, op, mapping, tangents, body, diff, carry_diff)
    n_out = len(op.results)
    ct_outs = tuple(carry_diff) + tuple(range(nk, n_out))
    fwd, lin, n_res = linearize_function(state, body, diff, ct_outs)
    fwd_results = list(function_type(state.funcs[fwd]).results)
    out_types = _types(op.results)
    invariant = _hoist_invariant(state.funcs[fwd], nc, n_out, new[:nc])
    per_step = [i for i in range(n_res) if i not in invariant]
    loc = op.location
    primal = _new_op(C.scan, new,
                     out_types + [_stacked(fwd_results[n_out + i], length) for i in per_step], 1,
                     num_consts=nc, num_carry=nk, length=length, reverse=reverse)
    block = region_block(primal.regions[0],
                         _types(new[:nc + nk]) + [_sliced(v.type) for v in new[nc + nk:]], loc)
    with ir.InsertionPoint(block), loc:
        outs = call(state, fwd, block.arguments)
        emit_yield(outs[:n_out] + [outs[n_out + i] for i in per_step])
    for o, r in zip(op.results, primal.results):
        mapping[o] = r
    stacked = list(primal.results)[n_out:]

    def tangent_of(i):
        v = old[i]
        return tangents[v] if v in tangents else zeros(new[i].type)

    t_consts = [tangents[old[i]] for i in const_diff]
    t_carry = [tangent_of(nc + i) for i in carry_diff]
    t_xs = [tangents[old[nc + nk + i]] for i in xs_diff]
    y_types = out_types[nk:]
    t_out_types = [out_types[i] for i in carry_diff] + y_types
    consts = t_consts + list(invariant.values())
    tangent = _new_op(C.scan, consts + t_carry + stacked + t_xs, t_out_types, 1,
                      num_consts=len(consts), num_carry=len(t_carry), length=length,
                      reverse=reverse)
    slices = [_sliced(v.type) for v in stacked + t_xs]
    block = region_block(tangent.regions[0], _types(consts + t_carry) + slices, loc)
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


def _jvp_scan_fused(state, op, mapping, tangents, body, diff, carry_diff):
    """One scan whose consts, carries and xs are followed by their tangents and whose body is
    the body's JVP: forward mode stores no per-step residuals, only the ys and their tangents
    (those not symbolically zero)."""

    p = _params(op)
    nc, nk = p["num_consts"], p["num_carry"]
    old = list(op.operands)
    new = [mapping.get(v, v) for v in old]
    n_out = len(op.results)
    body_jvp = jvp_function(state, body, diff)
    nonzero = state.memo[("jvp_nonzero", body_jvp)]
    ys_diff = [j for j in range(n_out - nk) if nonzero[nk + j]]

    def tangent_of(i):
        return tangents[old[i]] if old[i] in tangents else zeros(new[i].type)

    t_args = [tangent_of(i) for i in diff]
    nt_c = sum(i < nc for i in diff)
    nt_k = len(carry_diff)
    consts = new[:nc] + t_args[:nt_c]
    carry = new[nc:nc + nk] + t_args[nt_c:nt_c + nt_k]
    xs = new[nc + nk:] + t_args[nt_c + nt_k:]
    out_types = _types(op.results)
    result_types = (out_types[:nk] + [out_types[i] for i in carry_diff] + out_types[nk:]
                    + [out_types[nk + j] for j in ys_diff])
    s = _new_op(C.scan, consts + carry + xs, result_types, 1, num_consts=len(consts),
                num_carry=len(carry), length=p["length"], reverse=bool(p["reverse"]))
    loc = op.location
    block = region_block(s.regions[0], _types(consts + carry) + [_sliced(v.type) for v in xs],
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
    for o, r in zip(op.results, res[:nk] + res[nk + nt_k:nk + nt_k + n_out - nk]):
        mapping[o] = r
    out_tangents = [None] * n_out
    for j, i in enumerate(carry_diff):
        out_tangents[i] = res[nk + j]
    for j, i in enumerate(ys_diff):
        out_tangents[nk + i] = res[nk + nt_k + n_out - nk + j]
    return out_tangents


def jvp_while(state, op, mapping, tangents):
    """Tangents ride along as extra carries. For a linearization (partial evaluation follows)
    the primal results come from a primal-only copy of the loop, so the forward half needs
    nothing from the loop that carries tangents."""

    nc = _params(op)["num_consts"]
    old = list(op.operands)
    new = [mapping.get(v, v) for v in old]
    nk = len(old) - nc
    body = outline(state, op.regions[1], "while_body")
    const_diff = [i for i in range(nc) if old[i] in tangents]
    diff, carry_diff = _jvp_fixpoint(state, body, nc, nk, 0, const_diff,
                                     [i for i in range(nk) if old[nc + i] in tangents], [])
    if not carry_diff:
        # the tangents reach only the predicate: the loop takes no tangent, so partial
        # evaluation keeps it in the forward pass
        clone_into(op, mapping, ir.InsertionPoint.current)
        return [None] * nk
    cond = outline(state, op.regions[0], "while_cond")
    body_jvp = jvp_function(state, body, diff)
    t_consts = [tangents[old[i]] for i in const_diff]
    t_carry = [tangents[old[nc + i]] if old[nc + i] in tangents else zeros(new[nc + i].type)
               for i in carry_diff]
    consts, carry = new[:nc] + t_consts, new[nc:] + t_carry
    loc = op.location
    w = _new_op(C.while_, consts + carry, _types(carry), 2, num_consts=len(consts))
    types = _types(consts + carry)
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
    if state.memo.get("linearizing"):
        clone_into(op, mapping, ir.InsertionPoint(w))
    else:
        for o, r in zip(op.results, res[:nk]):
            mapping[o] = r
    out_tangents = [None] * nk
    for j, i in enumerate(carry_diff):
        out_tangents[i] = res[nk + j]
    return out_tangents


# --- transposition of linear region ops --------------------------------------------------------

def transpose_while(cts, operands, state, op):
    raise fail(op, "reverse-mode differentiation of while_loop needs a bound on its trip count: "
                   "pass max_trip_count=n to plait.lax.while_loop (or use fori_loop with "
                   "static bounds, or scan)")


def transpose_cond(cts, operands, state, op):
    """Each branch transposed; the index and the residuals are constants."""

    index, *args = operands
    if is_linear(index):
        raise fail(op, "plait.cond is not linear in its index")
    lin_idx = tuple(i for i, a in enumerate(args) if is_linear(a))
    consts = [a for a in args if not is_linear(a)]
    lin_types = [_aval.ir_type(args[i].aval) for i in lin_idx]
    t = _new_op(C.cond, [index] + consts + list(cts), lin_types, len(op.regions))
    loc = op.location
    for region, new_region in zip(op.regions, t.regions):
        branch = outline(state, region, "branch_lin")
        branch_t = transpose_function(state, branch, lin_idx)
        block = region_block(new_region, _types(consts + list(cts)), loc)
        with ir.InsertionPoint(block), loc:
            emit_yield(call(state, branch_t, block.arguments))
    res = iter(t.results)
    return [None] + [next(res) if is_linear(a) else None for a in args]


def transpose_scan(cts, operands, state, op):
    """A scan linear in some consts, all its carries and some xs transposes into a scan the
    other way: the carry cotangent flows back, const cotangents accumulate as carries, and the
    xs cotangents come out as ys."""

    p = _params(op)
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
    carry_types = _types(ct_carry) + acc_types
    t = _new_op(C.scan, nl_c + ct_carry + acc0 + nl_x + ct_ys,
                carry_types + [_aval.ir_type(xs[i].aval) for i in lin_x], 1,
                num_consts=len(nl_c), num_carry=len(carry_types), length=length,
                reverse=not reverse)
    slices = [_sliced(v.type) for v in nl_x + ct_ys]
    block = region_block(t.regions[0], _types(nl_c) + carry_types + slices, loc)
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

def batch_cond(state, op, operands, bdims, size, axis_name):
    """Unbatched index: one cond of batched branches. Batched index: every branch runs
    (batched) and a select picks each lane's result — no serial loop."""

    index, *args = operands
    b_index, *b_args = bdims
    branches = []
    for region in op.regions:
        name = outline(state, region, "branch")
        branches.append(batch_function(state, name, tuple(b_args), size, axis_name,
                                       force_out=True)[0])
    out_types = list(function_type(state.funcs[branches[0]]).results)
    loc = op.location
    if b_index is None:
        c = _new_op(C.cond, [index] + args, out_types, len(branches))
        for name, region in zip(branches, c.regions):
            block = region_block(region, _types(args), loc)
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


def batch_while(state, op, operands, bdims, size, axis_name):
    """Carries batched (dim 0) where needed, a fixpoint as for scan. An unbatched predicate
    stops every lane together. A batched one runs until every lane is done: every carry is
    batched, each lane's predicate rides along as an extra carry (computed once per step),
    and finished lanes keep their carry."""

    nc = _params(op)["num_consts"]
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
        w = _new_op(C.while_, consts + carry, _types(carry), 2, num_consts=nc)
        for region, fn in zip(w.regions, (cond_b, body_b)):
            block = region_block(region, _types(consts + carry), loc)
            with ir.InsertionPoint(block), loc:
                emit_yield(call(state, fn, block.arguments))
        return list(w.results), [0 if bt else None for bt in batched]
    (pred0,) = call(state, cond_b, consts + carry)
    state_types = _types(consts + carry) + [pred0.type]
    w = _new_op(C.while_, consts + carry + [pred0], _types(carry) + [pred0.type], 2,
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


def batch_scan(state, op, operands, bdims, size, axis_name):
    """Carries batched (dim 0) where needed (a fixpoint); xs batched at dim 1 so each slice
    has its batch at 0; the stacked ys come out batched at dim 1."""

    p = _params(op)
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
    out_types = f_types[:nk] + [_stacked(t, length) for t in f_types[nk:]]
    loc = op.location
    s = _new_op(C.scan, consts + carry + xs, out_types, 1, num_consts=nc, num_carry=nk,
                length=length, reverse=reverse)
    block = region_block(s.regions[0], _types(consts + carry) + [_sliced(x.type) for x in xs],
                         loc)
    with ir.InsertionPoint(block), loc:
        emit_yield(call(state, name, block.arguments))
    out_bdims = [0 if bt else None for bt in batched] + [1] * (len(op.results) - nk)
    return list(s.results), out_bdims


jvp_call_rules.update({C.cond.name: jvp_cond, C.scan.name: jvp_scan,
                       C.while_.name: jvp_while})
region_transpose_rules.update({C.cond.name: transpose_cond, C.scan.name: transpose_scan,
                               C.while_.name: transpose_while})
region_batch_rules.update({C.cond.name: batch_cond, C.scan.name: batch_scan,
                           C.while_.name: batch_while})


# --- shard_map ---------------------------------------------------------------------------------

def _sm(op):
    """(mesh axis sizes, in dims per operand, out dims per result) of a shard_map."""

    p = _params(op)
    return (axis_sizes(p["mesh_axes"]), per_value_dims(p["in_shardings"]),
            per_value_dims(p["out_shardings"]), p["mesh_axes"])


def _new_shard_map(operands, result_types, in_dims, out_dims, mesh_axes):

    return _new_op(shard_map, operands, result_types, 1, in_shardings=per_value_attr(in_dims),
                   out_shardings=per_value_attr(out_dims), mesh_axes=mesh_axes)


def _local_types(values_or_types, dims_list, sizes):

    return [local_type(t if isinstance(t, ir.Type) else t.type, d, sizes)
            for t, d in zip(values_or_types, dims_list)]


def _residual_dims(t: ir.Type, sizes) -> tuple:
    """Residuals leave a shard_map as one block per device along dimension 0."""
    rank = max(_aval.aval_of_type(t).ndim, 1)
    return (tuple(sizes),) + ((),) * (rank - 1)


def _as_rank1(v):
    a = aval_of(v)
    return P.reshape(v, new_sizes=(1,)) if a.ndim == 0 else v


def _global_residual_type(t: ir.Type, sizes) -> ir.Type:
    a = _aval.aval_of_type(t)
    shape = a.shape if a.ndim else (1,)
    n = 1
    for s in sizes.values():
        n *= s
    return _aval.ir_type(a.update(shape=(shape[0] * n,) + tuple(shape[1:])))


def jvp_shard_map(state, op, mapping, tangents):
    """Like cond. Forward mode: one shard_map of the body's JVP. Split form: a primal
    shard_map that also returns its residuals (one block per device) and a tangent shard_map
    applying the body's linear half to them."""

    sizes, in_dims, out_dims, mesh_axes = _sm(op)
    old = list(op.operands)
    new = [mapping.get(v, v) for v in old]
    diff = tuple(i for i, v in enumerate(old) if v in tangents)
    n_out = len(op.results)
    body = outline(state, op.regions[0], "shard_map_body")
    if not state.memo.get("linearizing"):
        return _jvp_shard_map_fused(state, op, mapping, tangents, body, diff)
    fwd, lin, n_res = linearize_function(state, body, diff, tuple(range(n_out)))
    res_local = list(function_type(state.funcs[fwd]).results)[n_out:]
    res_dims = [_residual_dims(t, sizes) for t in res_local]
    res_global = [_global_residual_type(t, sizes) for t in res_local]
    loc = op.location
    primal = _new_shard_map(new, _types(op.results) + res_global, in_dims, out_dims + res_dims,
                            mesh_axes)
    block = region_block(primal.regions[0], _local_types(new, in_dims, sizes), loc)
    with ir.InsertionPoint(block), loc:
        outs = call(state, fwd, block.arguments)
        emit_yield(outs[:n_out] + [_as_rank1(v) for v in outs[n_out:]])
    for o, r in zip(op.results, primal.results):
        mapping[o] = r
    residuals = list(primal.results)[n_out:]
    t_args = [tangents[old[i]] for i in diff]
    t_in_dims = res_dims + [in_dims[i] for i in diff]
    tangent = _new_shard_map(residuals + t_args, _types(op.results), t_in_dims, out_dims,
                             mesh_axes)
    block = region_block(tangent.regions[0], _local_types(residuals + t_args, t_in_dims, sizes),
                         loc)
    b = list(block.arguments)
    with ir.InsertionPoint(block), loc:
        res = [P.reshape(v, new_sizes=()) if _aval.aval_of_type(t).ndim == 0 else v
               for v, t in zip(b[:n_res], res_local)]
        emit_yield(call(state, lin, res + b[n_res:]))
    return list(tangent.results)


def _jvp_shard_map_fused(state, op, mapping, tangents, body, diff):
    """Tangents enter and leave sharded as their primals."""

    sizes, in_dims, out_dims, mesh_axes = _sm(op)
    old = list(op.operands)
    operands = [mapping.get(v, v) for v in old] + [tangents[old[i]] for i in diff]
    body_jvp = jvp_function(state, body, diff)
    nonzero = state.memo[("jvp_nonzero", body_jvp)]
    n_out = len(op.results)
    t_out = [i for i in range(n_out) if nonzero[i]]
    out_types = _types(op.results)
    t_in_dims = list(in_dims) + [in_dims[i] for i in diff]
    s = _new_shard_map(operands, out_types + [out_types[i] for i in t_out], t_in_dims,
                       list(out_dims) + [out_dims[i] for i in t_out], mesh_axes)
    loc = op.location
    block = region_block(s.regions[0], _local_types(operands, t_in_dims, sizes), loc)
    with ir.InsertionPoint(block), loc:
        outs = call(state, body_jvp, block.arguments)
        emit_yield(outs[:n_out] + [outs[n_out + i] for i in t_out])
    res = list(s.results)
    for o, r in zip(op.results, res[:n_out]):
        mapping[o] = r
    out_tangents = [None] * n_out
    for j, i in enumerate(t_out):
        out_tangents[i] = res[n_out + j]
    return out_tangents


def transpose_shard_map(cts, operands, state, op):
    """The body transposed per device. A cotangent arriving for a result replicated over some
    mesh axes reaches every device of those axes, so it is divided by their size; a
    cotangent leaving for an operand replicated over some axes is summed over them."""

    sizes, in_dims, out_dims, mesh_axes = _sm(op)
    lin_idx = tuple(i for i, x in enumerate(operands) if is_linear(x))
    consts = [x for x in operands if not is_linear(x)]
    const_dims = [d for x, d in zip(operands, in_dims) if not is_linear(x)]
    body = outline(state, op.regions[0], "shard_map_lin")
    body_t = transpose_function(state, body, lin_idx)
    lin_types = [_aval.ir_type(operands[i].aval) for i in lin_idx]
    lin_dims = [in_dims[i] for i in lin_idx]
    t_in = const_dims + out_dims
    t = _new_shard_map(consts + list(cts), lin_types, t_in, lin_dims, mesh_axes)
    loc = op.location
    block = region_block(t.regions[0], _local_types(consts + list(cts), t_in, sizes), loc)
    b = list(block.arguments)
    nc = len(consts)
    with ir.InsertionPoint(block), loc:
        scaled = []
        for v, dims in zip(b[nc:], out_dims):
            n = _replication(dims, sizes)
            scaled.append(P.div(v, _full_like(v, n)) if n > 1 else v)
        outs = call(state, body_t, b[:nc] + scaled)
        summed = []
        for v, dims in zip(outs, lin_dims):
            used = {a for d in dims for a in d}
            for axis in sizes:
                if axis not in used:
                    v = P.psum(v, axis_name=axis)
            summed.append(v)
        emit_yield(summed)
    res = iter(t.results)
    return [next(res) if is_linear(x) else None for x in operands]


def _replication(dims, sizes) -> int:
    used = {a for d in dims for a in d}
    n = 1
    for a, s in sizes.items():
        if a not in used:
            n *= s
    return n


def _full_like(v, value):

    return full_like(v, value)


def batch_shard_map(state, op, operands, bdims, size, axis_name):
    """The batch dimension leads every batched operand and result, unsharded."""

    sizes, in_dims, out_dims, mesh_axes = _sm(op)
    xs = [x if d is None else move_bdim(x, d, 0, size) for x, d in zip(operands, bdims)]
    new_in = [d if b is None else ((),) + tuple(d) for d, b in zip(in_dims, bdims)]
    body = outline(state, op.regions[0], "shard_map_body")
    in_b = tuple(None if b is None else 0 for b in bdims)
    inner_name = "" if axis_name in sizes else axis_name  # a mesh axis shadows the vmap's
    name, _ = batch_function(state, body, in_b, size, inner_name, force_out=True)
    new_out = [((),) + tuple(d) for d in out_dims]
    out_types = []
    for r in op.results:
        a = _aval.aval_of_type(r.type)
        out_types.append(_aval.ir_type(a.update(shape=(size,) + a.shape)))
    s = _new_shard_map(xs, out_types, new_in, new_out, mesh_axes)
    loc = op.location
    block = region_block(s.regions[0], _local_types(xs, new_in, sizes), loc)
    with ir.InsertionPoint(block), loc:
        emit_yield(call(state, name, block.arguments))
    return list(s.results), [0] * len(out_types)


jvp_call_rules[shard_map.name] = jvp_shard_map
region_transpose_rules[shard_map.name] = transpose_shard_map
region_batch_rules[shard_map.name] = batch_shard_map
