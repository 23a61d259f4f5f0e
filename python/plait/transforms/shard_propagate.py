"""plait-shard-propagate: give every value of a sharded program a sharding (`forward_rules`,
`backward_rules`, `region_rules`).

Seeds are the shardings the user asked for: `plait.sharding_constraint` ops, the results of
`plait.shard_map` ops (laid out as their out_specs say), and `sdy.sharding` on the public
functions' arguments and results. Rules carry shardings forward
(`forward_rules[op](ctx) -> result dims`) and backward (`backward_rules[op](ctx) -> dims per
operand`, None where nothing follows) until nothing changes; `ctx` is a `ShardingContext`. A
sharding is a tuple with the mesh axes of each dimension. Every op has a forward rule;
`unknown` says explicitly that nothing follows. An op with the `SameOperandsAndResultShape`
trait (every Elementwise op) and no rule of its own gets `same_forward` and `same_backward`.

Region ops (cond, while, scan) have `region_rules` instead: `rule(ctx) -> (edges into its
regions, edges out of them)`, along which a sharding flows unchanged or (un)stacked —
operands to block arguments, inits and yields to results — so propagation goes on inside
their regions. A shard_map body is per-device code: not entered. The rules are in
`plait/rules/`.

Priority when two shardings meet (documented in docs/architecture.md): a sharding_constraint
beats an argument/result annotation, which beats a propagated sharding; among operands of
equal priority the first one wins. The result is written as Shardy attributes — on each
plait op (`sdy.sharding = #sdy.sharding_per_value<[...]>`) and on results without one — which
plait-lower-to-stablehlo keeps, so Shardy partitions the program as plait decided.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait._mlir import ir
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import rule_registrar
from plait.dialect.sharding import shard_map
from plait.dialect.traits import SameOperandsAndResultShape
from plait.ir.sharding import dims_of, per_value_attr, per_value_dims, sharding_attr
from plait.transforms.base import Pass, fail, plait_funcs
from plait.transforms.jvp import op_params

forward_rules: dict = {}
backward_rules: dict = {}
region_rules: dict = {}

CONSTRAINT, ANNOTATION, PROPAGATED = 0, 1, 2  # priorities: lower wins

forward_rule = rule_registrar(forward_rules)
backward_rule = rule_registrar(backward_rules)
region_rule = rule_registrar(region_rules)


class ShardingContext:
    """What a sharding rule sees of one op: `dims` and `prios`, the sharding (mesh axes per
    dimension, None where unknown) and priority of each operand (forward); `out`, the result's
    sharding (backward); its parameters; the operand and result shapes."""

    __slots__ = ("op", "operands", "results", "dims", "prios", "out", "_params")

    def __init__(self, op: ir.Operation):
        self.op = op
        self.operands, self.results = list(op.operands), list(op.results)
        self.dims = self.prios = self.out = None
        self._params = None

    @property
    def params(self) -> dict:
        if self._params is None:
            self._params = op_params(self.op)
        return self._params

    @property
    def shapes(self) -> list:
        return [aval_of(v).shape for v in self.operands]

    @property
    def out_shape(self) -> tuple:
        return aval_of(self.results[0]).shape


def once(dims) -> tuple:
    """Drop the axes an earlier dimension already took: a sharding names each axis once."""
    out, used = [], set()
    for d in dims:
        out.append(tuple(a for a in d if a not in used))
        used.update(d)
    return tuple(out)


def unknown(ctx):
    """Nothing follows from the operands: no operands (constant, iota), or a seed."""
    return None


def same_forward(ctx):
    """Operands and result alike: the operand sharding of highest priority (the first one on
    a tie)."""
    k = min(range(len(ctx.dims)), key=lambda i: ctx.prios[i])
    return ctx.dims[k]


def same_backward(ctx):
    return [ctx.out] * len(ctx.operands)


def rule_for(table: dict, name: str):
    """An op's forward or backward rule: its own, else the one SameOperandsAndResultShape
    gives, else None."""
    rule = table.get(name)
    if rule is None and name not in region_rules:
        opdef = OPS.get(name)
        if opdef is not None and opdef.has(SameOperandsAndResultShape):
            return same_forward if table is forward_rules else same_backward
    return rule


# --- the pass ----------------------------------------------------------------------------------

class _OpStep:
    """One non-region op, with the context its rules see."""

    __slots__ = ("ctx", "ranks", "fwd", "bwd", "alike")

    def __init__(self, op):
        self.ctx = ShardingContext(op)
        self.ranks = None
        self.fwd, self.bwd = rule_for(forward_rules, op.name), rule_for(backward_rules, op.name)
        # rules give one sharding: an op of several results (sort, top_k, threefry2x32) gets
        # it for all of them when they have one shape
        shapes = {tuple(aval_of(r).shape) for r in self.ctx.results}
        self.alike = len(shapes) == 1

    def forward(self, known) -> bool:
        ctx = self.ctx
        if self.fwd is None or not self.alike:
            return False
        ins = [known.get(v) for v in ctx.operands]
        if all(i is None for i in ins):
            return False
        ctx.prios = [i[1] if i else len(ins) + PROPAGATED for i in ins]
        ctx.dims = [i[0] if i else None for i in ins]
        dims = self.fwd(ctx)
        prio = max(min(ctx.prios), PROPAGATED)
        changed = False
        for r in ctx.results:
            changed |= _set(known, r, dims, prio)
        return changed

    def backward(self, known) -> bool:
        ctx = self.ctx
        outs = [known[r] for r in ctx.results if r in known] if self.bwd and self.alike else []
        out = min(outs, key=lambda o: o[1]) if outs else None
        if out is None:
            return False
        if self.ranks is None:
            self.ranks = [aval_of(v).ndim for v in ctx.operands]
        ctx.out = out[0]
        dims = self.bwd(ctx)
        if len(dims) != len(ctx.operands):
            raise fail(ctx.op, f"the backward sharding rule of '{ctx.op.name}' returned "
                               f"{len(dims)} shardings for {len(ctx.operands)} operands")
        changed = False
        for v, r, d in zip(ctx.operands, self.ranks, dims):
            if d is not None and len(d) == r:
                changed |= _set(known, v, d, PROPAGATED + 1)
        return changed


class _EdgeStep:
    """Edges of a region op: into its regions (before them) or out of them (after them)."""

    __slots__ = ("edges",)

    def __init__(self, edges):
        self.edges = edges

    def forward(self, known) -> bool:
        changed = False
        for src, dst, (f, _) in self.edges:
            s = known.get(src)
            if s is not None:
                changed |= _set(known, dst, f(s[0]), max(s[1], PROPAGATED))
        return changed

    def backward(self, known) -> bool:
        changed = False
        for src, dst, (_, b) in self.edges:
            d = known.get(dst)
            if d is not None:
                changed |= _set(known, src, b(d[0]), PROPAGATED + 1)
        return changed


def _walk(block, steps: list, ops: list, known: dict) -> None:
    """Steps in program order, entering region ops; seeds the constraints and shard_maps."""
    for o in list(block.operations)[:-1]:
        op = o.operation
        ops.append(op)
        if op.name == P.sharding_constraint.name:
            known[op.results[0]] = (dims_of(op.attributes["sharding"]), CONSTRAINT)
        elif op.name == shard_map.name:  # its results are laid out as its out_specs say
            for r, d in zip(op.results, per_value_dims(op.attributes["out_shardings"])):
                _set(known, r, d, ANNOTATION)
        edges = region_rules.get(op.name)
        if edges is None:
            steps.append(_OpStep(op))
            continue
        ins, outs = edges(ShardingContext(op))
        steps.append(_EdgeStep(ins))
        for region in op.regions:
            _walk(region.blocks[0], steps, ops, known)
        steps.append(_EdgeStep(outs))


def propagate(func_op, seeds: dict) -> tuple[dict, list]:
    """value -> (dims, priority) for the values of one function's body (regions included),
    and the ops visited.

    Runs forward and backward sweeps to a fixpoint. It ends: `_set` only ever lowers a
    value's priority (unknown, then 3 ... 0), so each value changes at most four times and
    a sweep that changes nothing stops the loop. Most programs need two sweeps.
    """
    known = dict(seeds)
    steps, ops = [], []
    _walk(func_op.regions[0].blocks[0], steps, ops, known)
    changed = True
    while changed:
        changed = False
        for s in steps:
            changed |= s.forward(known)
        for s in reversed(steps):
            changed |= s.backward(known)
    return known, ops


def _set(known, value, dims, prio) -> bool:
    if dims is None:
        return False
    old = known.get(value)
    if old is not None and old[1] <= prio:
        return False
    known[value] = (tuple(dims), prio)
    return True


@dataclass
class ShardPropagatePass(Pass):
    name = "plait-shard-propagate"
    summary = "Propagate shardings from annotations to every value (a sharded program only)."

    def run(self, module):
        if not any(o.operation.name == "sdy.mesh" for o in module.regions[0].blocks[0].operations):
            return
        for func in plait_funcs(module):
            f = func.operation
            if "sym_visibility" in f.attributes:
                continue
            block = f.regions[0].blocks[0]
            seeds = {}
            for i, arg in enumerate(block.arguments):
                attr = _arg_attr(f, "arg_attrs", i)
                if attr is not None:
                    seeds[arg] = (dims_of(attr), ANNOTATION)
            ret = list(block.operations)[-1].operation
            for i, v in enumerate(ret.operands):
                attr = _arg_attr(f, "res_attrs", i)
                if attr is not None and v not in seeds:
                    seeds[v] = (dims_of(attr), ANNOTATION)
            known, ops = propagate(f, seeds)
            for o in ops:
                if o.name.startswith("plait.") and o.name != shard_map.name and o.results:
                    dims = _result_dims(o, known)
                    if None not in dims:
                        o.attributes["sdy.sharding"] = per_value_attr(dims)
            res = []
            for i, v in enumerate(ret.operands):
                attr = _arg_attr(f, "res_attrs", i)
                if attr is None:
                    dims = known[v][0] if v in known else ((),) * aval_of(v).ndim
                    attr = sharding_attr(dims)
                res.append(ir.DictAttr.get({"sdy.sharding": attr}))
            f.attributes["res_attrs"] = ir.ArrayAttr.get(res)


def _result_dims(op, known) -> list:
    """The shardings of op's results, None where unknown. A scalar result of a region op
    (a loop counter) is replicated, so the op can carry one sharding per result."""
    dims = [known[r][0] if r in known else None for r in op.results]
    if op.name in region_rules:
        dims = [() if d is None and aval_of(r).ndim == 0 else d for d, r in zip(dims, op.results)]
    return dims


def _arg_attr(func_op, key: str, i: int):
    if key not in func_op.attributes:
        return None
    d = ir.DictAttr(ir.ArrayAttr(func_op.attributes[key])[i])
    return d["sdy.sharding"] if "sdy.sharding" in d else None
