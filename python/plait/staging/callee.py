"""Tracing a Python function into a function of the module being traced: the callee of a
transformation op, or the body of a region op (cond, while, scan, shard_map)."""

from __future__ import annotations

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import pytree
from plait.core.location import user_location
from plait.dialect import control as C
from plait.runtime.array import Array
from plait.staging.leaves import leaf_aval
from plait.staging.trace import Trace, Tracer, current_trace


class Traced:
    """A user function traced into a callee: its name, output structure and captures."""

    def __init__(self, name, out_tree, out_avals, captures):
        self.name, self.out_tree, self.out_avals, self.captures = (
            name, out_tree, out_avals, captures)


def trace_callee(fun, leaves, in_tree, dynamic, name=None, in_avals=None) -> Traced:
    """Trace `fun` with tracers for the dynamic leaves (others are passed as they are);
    `in_avals` overrides the dynamic leaves' avals (vmap traces one example)."""
    parent = current_trace()
    override = in_avals is not None
    if not override:
        in_avals = [leaf_aval(x) for x, d in zip(leaves, dynamic) if d]
    sources = None if override else [x for x, d in zip(leaves, dynamic) if d]
    inner = Trace(parent.builder, name or getattr(fun, "__name__", "f"), in_avals,
                  concrete_args=sources)
    with inner:
        it = iter(inner.args)
        args = [next(it) if d else x for x, d in zip(leaves, dynamic)]
        a, k = pytree.tree_unflatten(in_tree, args)
        out = fun(*a, **k)
        out_flat, out_tree = pytree.tree_flatten(out)
        out_vals = [inner.to_value(o) for o in out_flat]
        inner.finish([Tracer(v, av, inner) for v, av in out_vals])
    return Traced(inner.name, out_tree, [av for _, av in out_vals], inner.captures)


def emit(opdef, operands, result_avals, **params) -> list[Tracer]:
    """Emit a transformation op into the current trace; returns result tracers."""
    trace = current_trace()
    values = [trace.to_value(x)[0] for x in operands]
    with trace.ip, user_location():
        results = opdef.create(values, [_aval.ir_type(a) for a in result_avals], **params)
    return [Tracer(v, a, trace) for v, a in zip(results, result_avals)]


def trace_body(fun, avals, in_tree, what):
    """Trace fun(*unflatten(in_tree, tracers of avals)) into a function of the module."""
    leaves = [None] * len(avals)
    return trace_callee(fun, leaves, in_tree, [True] * len(avals), name=what, in_avals=avals)


def union_captures(traced_list):
    union = []
    for t in traced_list:
        for c in t.captures:
            if not any(c is u for u in union):
                union.append(c)
    return union


def into_region(traced, region: ir.Region, arg_types, union, consts_first=False) -> None:
    """Move a traced function's body into `region`, whose block takes the traced arguments and
    the `union` of all regions' captures — (args, union) or, consts_first, (union, args);
    func.return becomes plait.yield and the function is erased."""
    funcs = current_trace().builder.funcs
    func = funcs[traced.name]
    old = func.regions[0].blocks[0]
    n, nu = len(arg_types), len(union)
    cap_types = [_aval.ir_type(capture_aval(c)) for c in union]
    types = cap_types + list(arg_types) if consts_first else list(arg_types) + cap_types
    block = region.blocks.append(*types, arg_locs=[func.location] * len(types))
    args_at, caps_at = (nu, 0) if consts_first else (0, n)
    old_args = list(old.arguments)
    for i in range(n):
        old_args[i].replace_all_uses_with(block.arguments[args_at + i])
    for j, c in enumerate(traced.captures):
        k = next(k for k, u in enumerate(union) if u is c)
        old_args[n + j].replace_all_uses_with(block.arguments[caps_at + k])
    for op in list(old.operations):
        block.append(op.operation)
    ret = block.operations[len(block.operations) - 1].operation
    with ir.InsertionPoint(ret), ret.location:
        C.yield_.build(list(ret.operands), None, {})
    ret.erase()
    funcs.erase(traced.name)


def capture_aval(c):
    return c.aval if isinstance(c, (Tracer, Array)) else leaf_aval(c)


def emit_region_op(opdef, operands, result_avals, n_regions, **params):
    trace = current_trace()
    values = [trace.to_value(x)[0] for x in operands]
    with trace.ip, user_location():
        op = opdef.create(values, [_aval.ir_type(a) for a in result_avals], n_regions, **params)
    return op, [Tracer(v, a, trace) for v, a in zip(op.results, result_avals)]


