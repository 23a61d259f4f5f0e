"""plait-linearize: reverse mode, step 1 — JVP, then partial evaluation.

`"plait.vjp"(%args, %cts) {callee = @f, diff_args, ct_outs}` becomes

    %outs..., %residuals... = func.call @f_fwd(%args...)
    %arg_cts... = "plait.linear_transpose"(%residuals..., %cts...) {callee = @f_lin, linear_args}

@f_jvp (from plait-jvp) is split by partial evaluation: ops that depend on no tangent are
*known* and go to @f_fwd; the others (linear in the tangents) go to @f_lin. Known values the
linear ops use become residuals: @f_fwd returns them and @f_lin takes them, so the backward
pass never recomputes the forward. Operand-free known ops (constants, iotas) are cloned into
@f_lin rather than stored. plait-transpose then expands the transpose op.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait._mlir import ir
from plait.dialect import OPS
from plait.dialect import transform as T
from plait.dialect.base import REMAT_ATTR
from plait.dialect.traits import Pure
from plait.ir.funcs import (
    clone_into,
    finish_func,
    function_type,
    new_func,
    return_op,
)
from plait.transforms.base import Pass
from plait.transforms.expand import ModuleState, body_ops, emit_call
from plait.transforms.inline import inline_calls_in
from plait.transforms.jvp import expand_all, jvp_function


def partial_eval(state: ModuleState, jvp_name: str, n_args: int, n_outs: int, ct_outs):
    """Split @jvp_name(args, tangents) -> (outs, tangent outs) into
    @fwd(args) -> (outs, residuals) and @lin(residuals, tangents) -> tangent outs[ct_outs].
    Returns (fwd name, lin name, number of residuals)."""
    f = state.funcs[jvp_name]
    args = list(f.regions[0].blocks[0].arguments)
    primal_args, tangent_args = args[:n_args], args[n_args:]
    ret = return_op(f)
    outs = list(ret.operands)[:n_outs]
    t_outs = [list(ret.operands)[n_outs + i] for i in ct_outs]
    ops = _live(body_ops(f), outs + t_outs)  # tangents of outputs not kept need no residuals
    unknown = set(tangent_args)
    for op in ops:
        if any(v in unknown for v in op.operands):
            unknown.update(op.results)

    recompute = _recomputed(ops, unknown, t_outs)
    residuals: list = []
    seen: set = set()

    def need(v):
        if v in unknown or v in seen or v in recompute:
            return
        seen.add(v)
        residuals.append(v)

    for op in ops:
        if op.results and op.results[0] in unknown:
            for v in op.operands:
                need(v)
    for op in recompute_order(ops, recompute):
        for v in op.operands:
            if v not in recompute:
                need(v)
    for v in t_outs:
        need(v)

    loc = f.location
    base = jvp_name[:-4] if jvp_name.endswith("_jvp") else jvp_name
    fwd_name = state.unique_name(f"{base}_fwd")
    fwd, fblock = new_func(state.module, fwd_name, [a.type for a in primal_args], loc)
    fmap = dict(zip(primal_args, fblock.arguments))
    fip = ir.InsertionPoint(fblock)
    for op in ops:
        if op.results[0] not in unknown if op.results else \
                not any(v in unknown for v in op.operands):  # (a debug print of primals)
            clone_into(op, fmap, fip)
    finish_func(fwd, fblock, [fmap.get(v, v) for v in outs + residuals], loc)
    state.add(fwd)

    lin_name = state.unique_name(f"{base}_lin")
    lin, lblock = new_func(state.module, lin_name,
                           [v.type for v in residuals] + [a.type for a in tangent_args], loc)
    largs = list(lblock.arguments)
    lmap = dict(zip(residuals + tangent_args, largs))
    lip = ir.InsertionPoint(lblock)
    for op in ops:
        if op.results and (op.results[0] in unknown or op.results[0] in recompute):
            clone_into(op, lmap, lip)
    finish_func(lin, lblock, [lmap[v] for v in t_outs], loc)
    state.add(lin)
    return fwd_name, lin_name, len(residuals)


def _live(ops, roots) -> list:
    """The ops some root value depends on, and those with side effects, in order."""
    needed = set(roots)
    live = []
    for op in reversed(ops):
        if any(r in needed for r in op.results) or _has_effect(op):
            live.append(op)
            needed.update(op.operands)
    return live[::-1]


def _has_effect(op) -> bool:
    opdef = OPS.get(op.name)
    return opdef is not None and not opdef.has(Pure)


def _recomputed(ops, unknown, t_outs) -> set:
    """Known values the linear function recomputes instead of taking as residuals: results of
    operand-free ops (constants) and of ops marked for rematerialisation that the linear ops
    use, directly or through other recomputed values (recomputing the rest would only make
    their operands residuals)."""
    wanted = set(t_outs)
    for op in ops:
        if op.results and op.results[0] in unknown:
            wanted.update(op.operands)
    out = set()
    for op in reversed(ops):
        if not op.results or op.results[0] in unknown:
            continue
        if (not list(op.operands) or REMAT_ATTR in op.attributes) and \
                any(r in wanted for r in op.results):
            out.update(op.results)
            wanted.update(op.operands)
    return out


def recompute_order(ops, recompute):
    return [op for op in ops if op.results and op.results[0] in recompute]


def linearize_function(state: ModuleState, callee: str, diff_args: tuple, ct_outs: tuple):
    """(@fwd, @lin, number of residuals) of @callee: JVP along `diff_args`, then partial
    evaluation keeping the tangent outputs `ct_outs` (memoized)."""
    key = ("vjp", callee, tuple(diff_args), tuple(ct_outs))
    if key not in state.memo:
        ftype = function_type(state.funcs[callee])
        n_args, n_outs = len(ftype.inputs), len(ftype.results)
        outer, state.memo["linearizing"] = state.memo.get("linearizing"), True
        try:
            jvp_name = jvp_function(state, callee, tuple(diff_args))
        finally:
            state.memo["linearizing"] = outer
        inline_calls_in(state.module, state.funcs[jvp_name], state.funcs)
        state.memo[key] = partial_eval(state, jvp_name, n_args, n_outs, tuple(ct_outs))
    return state.memo[key]


def expand_vjp_op(state: ModuleState, op: ir.Operation) -> None:
    params = OPS[op.name].params_of(op)
    diff_args = tuple(params["diff_args"])
    fwd, lin, n_res = linearize_function(state, params["callee"], diff_args,
                                         tuple(params["ct_outs"]))
    fwd_type = function_type(state.funcs[fwd])
    n_args = len(fwd_type.inputs)
    n_outs = len(fwd_type.results) - n_res
    operands = list(op.operands)
    fwd_outs = emit_call(state, op, fwd, operands[:n_args], fwd_type.results)
    with ir.InsertionPoint(op), op.location:
        lin_type = function_type(state.funcs[lin])
        arg_cts = T.linear_transpose.create(fwd_outs[n_outs:] + operands[n_args:],
                                            list(lin_type.inputs)[n_res:], callee=lin,
                                            linear_args=tuple(range(n_res, n_res + len(diff_args))))
    results = fwd_outs[:n_outs] + arg_cts
    for old, new in zip(op.results, results):
        old.replace_all_uses_with(new)
    op.erase()


@dataclass
class LinearizePass(Pass):
    name = "plait-linearize"
    summary = ("Expand plait.vjp ops into a forward function returning residuals and a "
               "plait.linear_transpose of the linear (tangent) function.")

    def run(self, module):
        expand_all(module, {"plait.vjp": expand_vjp_op})
