"""plait-batch: vectorizing map, one batching rule per op (`batch_rules`).

`"plait.vmap"(%args) {callee = @f, in_axes, out_axes, axis_size}` becomes a call of a
generated `@f_vmap` that computes @f for every index of a new axis at once. The pass tracks
where each value's batch dimension is (`bdim`, None when the value does not depend on a
batched input): unbatched ops are plain clones, and a rule moves batch dimensions only where
an op needs it:

    rule(ctx: BatchContext) -> (results, result bdims)

Most rules have the form `fn(operands, bdims, size, **params)` and are registered with
`@defbatch(op)`; rules that need the vmapped axis name or generate functions (collectives,
region ops, calls) take the context (`@batch_rule(op)`). An `Elementwise` op without a rule
gets `elementwise_batch`. A rule runs when some operand is batched, or for a `Collective`
naming the vmapped axis. The rules are in `plait/rules/`.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait._mlir import ir
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import rule_registrar
from plait.dialect.traits import Collective, Elementwise
from plait.dialect.transform import batched_type
from plait.ir.funcs import (
    clone_into,
    finish_func,
    function_type,
    new_func,
    return_op,
)
from plait.transforms.base import Pass, fail, naming_rule
from plait.transforms.expand import ModuleState, body_ops, callee_of, emit_call, require_body
from plait.transforms.jvp import expand_all, op_params

batch_rules: dict = {}


class BatchContext:
    """What a batching rule sees: the op, its operands with their batch dims (None:
    unbatched), the size and name of the vmapped axis, its parameters, and the module
    (`state`) for rules that generate functions."""

    __slots__ = ("state", "op", "operands", "bdims", "size", "axis_name", "_params")

    def __init__(self, state: ModuleState, op: ir.Operation, operands: list, bdims: list,
                 size: int, axis_name: str):
        self.state, self.op, self.operands, self.bdims = state, op, operands, bdims
        self.size, self.axis_name = size, axis_name
        self._params = None

    @property
    def params(self) -> dict:
        if self._params is None:
            self._params = op_params(self.op)
        return self._params


batch_rule = rule_registrar(batch_rules)


def defbatch(*ops):
    """Register `fn(operands, bdims, size, **params) -> (results, bdims)` for `ops`."""

    def deco(fn):
        def rule(ctx):
            return fn(ctx.operands, ctx.bdims, ctx.size, **ctx.params)
        batch_rule(*ops)(rule)
        return fn
    return deco


# --- moving batch dimensions ------------------------------------------------------------------

def move_bdim(x: ir.Value, src, dst: int, size: int) -> ir.Value:
    """x with its batch dim at `dst` (an unbatched x is broadcast along a new axis)."""
    a = aval_of(x)
    if src is None:
        shape = list(a.shape)
        shape.insert(dst, size)
        dims = [d if d < dst else d + 1 for d in range(a.ndim)]
        return P.broadcast_in_dim(x, shape=tuple(shape), broadcast_dimensions=tuple(dims))
    if src == dst:
        return x
    perm = [d for d in range(a.ndim) if d != src]
    perm.insert(dst, src)
    return P.transpose(x, permutation=tuple(perm))


def shift_axes(axes, bdim) -> tuple:
    """Operand axes of the unbatched op, as axes of the batched operand."""
    return tuple(a if a < bdim else a + 1 for a in axes)


def elementwise_batch(ctx):
    """An Elementwise op: all batched operands share one batch dim (the first's); unbatched
    ones are broadcast."""
    b = next(d for d in ctx.bdims if d is not None)
    xs = [move_bdim(x, d, b, ctx.size) for x, d in zip(ctx.operands, ctx.bdims)]
    opdef = OPS[ctx.op.name]
    results, _ = opdef.build(xs, None, ctx.params)
    return results, [b] * len(results)


def rule_for(name: str):
    """The batching rule of an op: its own, else the Elementwise one, else None."""
    rule = batch_rules.get(name)
    if rule is None:
        opdef = OPS.get(name)
        if opdef is not None and opdef.has(Elementwise):
            return elementwise_batch
    return rule


def _binds_axis(op, axis_name: str) -> bool:
    opdef = OPS.get(op.name)
    return opdef is not None and opdef.has(Collective) and \
        ir.StringAttr(op.attributes["axis_name"]).value == axis_name


# --- building the batched function ------------------------------------------------------------

def batch_function(state: ModuleState, callee: str, in_bdims: tuple, size: int,
                   axis_name: str = "", force_out=False) -> tuple:
    """Generate `@<callee>_vmap`; returns (name, batch dim of each result or None).

    `force_out` (True, or a bool per result) moves results to batch dim 0, broadcasting
    unbatched ones, so that several batched bodies (branches, loop steps) agree."""
    key = ("vmap", callee, tuple(in_bdims), size, axis_name, force_out)
    if key in state.memo:
        if state.memo[key] is None:
            raise fail(state.funcs[callee], f"@{callee} calls itself; a recursive function "
                                            "cannot be batched")
        return state.memo[key]
    state.memo[key] = None  # in progress: a call back into @callee is recursion
    f = require_body(state, callee)
    ftype = function_type(f)
    old_args = list(f.regions[0].blocks[0].arguments)
    arg_types = [t if d is None else batched_type(t, d, size, OPS["plait.vmap"])
                 for t, d in zip(ftype.inputs, in_bdims)]
    name = state.unique_name(f"{callee}_vmap")
    g, block = new_func(state.module, name, arg_types, f.location)
    if force_out is True:  # results known up front: a custom rule may name itself (custom.py)
        state.memo[key] = (name, (0,) * len(ftype.results))
    mapping = dict(zip(old_args, block.arguments))
    bdims = {v: d for v, d in zip(old_args, in_bdims) if d is not None}
    ip = ir.InsertionPoint(block)
    for op in body_ops(f):
        if not any(v in bdims for v in op.operands) and not _binds_axis(op, axis_name):
            clone_into(op, mapping, ip)
            continue
        with ip, op.location:
            outs, out_bdims = _batch_op(state, op, mapping, bdims, size, axis_name)
        for r, new, d in zip(op.results, outs, out_bdims):
            mapping[r] = new
            if d is not None:
                bdims[r] = d
    ret = return_op(f)
    results = [mapping.get(v, v) for v in ret.operands]
    out_bdims = tuple(bdims.get(v) for v in ret.operands)
    if force_out:
        force = [force_out] * len(results) if force_out is True else force_out
        with ip, ret.location:
            results = [move_bdim(v, d, 0, size) if fo else v
                       for v, d, fo in zip(results, out_bdims, force)]
        out_bdims = tuple(0 if fo else d for d, fo in zip(out_bdims, force))
    finish_func(g, block, results, ret.location)
    state.add(g)
    state.memo[key] = (name, out_bdims)
    return name, out_bdims


def _batch_op(state, op, mapping, bdims, size, axis_name):
    rule = rule_for(op.name)
    if rule is None:
        raise fail(op, f"'{op.name}' has no batching rule")
    operands = [mapping.get(v, v) for v in op.operands]
    in_bdims = [bdims.get(v) for v in op.operands]
    with naming_rule("batching", op):
        results, out_bdims = rule(BatchContext(state, op, operands, in_bdims, size, axis_name))
    n = len(op.results)
    if len(results) != n or len(out_bdims) != n:
        raise fail(op, f"the batching rule of '{op.name}' returned {len(results)} results and "
                       f"{len(out_bdims)} batch dims for {n} results")
    return results, out_bdims


@batch_rule("func.call")
def _batch_call(ctx):
    """A call of @f: a call of @f batched alike (generated once per batch dims)."""
    name, out_bdims = batch_function(ctx.state, callee_of(ctx.op), tuple(ctx.bdims), ctx.size,
                                     ctx.axis_name)
    ftype = function_type(ctx.state.funcs[name])
    call = ir.Operation.create("func.call", results=list(ftype.results), operands=ctx.operands,
                               attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
    return list(call.results), list(out_bdims)


def expand_vmap_op(state: ModuleState, op: ir.Operation) -> None:
    params = OPS[op.name].params_of(op)
    in_axes = tuple(None if a == -1 else a for a in params["in_axes"])
    size = params["axis_size"]
    name, out_bdims = batch_function(state, params["callee"], in_axes, size,
                                     params["axis_name"] or "")
    results = emit_call(state, op, name, list(op.operands),
                        function_type(state.funcs[name]).results)
    with ir.InsertionPoint(op), op.location:
        outs = []
        for k, (v, d, want) in enumerate(zip(results, out_bdims, params["out_axes"])):
            if want == -1:
                if d is not None:
                    raise fail(op, f"vmap output {k} depends on the mapped axis, but its "
                                   "out_axes is None; give it an integer out_axes")
                outs.append(v)
            else:
                outs.append(move_bdim(v, d, want, size))
    for old, new in zip(op.results, outs):
        old.replace_all_uses_with(new)
    op.erase()


@dataclass
class BatchPass(Pass):
    name = "plait-batch"
    summary = "Expand plait.vmap ops (innermost first) into calls of generated batched functions."

    def run(self, module):
        expand_all(module, {"plait.vmap": expand_vmap_op})

