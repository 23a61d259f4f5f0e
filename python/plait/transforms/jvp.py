"""plait-jvp: forward-mode differentiation, one JVP rule per op (`jvp_rules`).

`"plait.jvp"(%args, %tangents) {callee = @f, diff_args}` becomes a call of a generated
`@f_jvp(args..., tangents...) -> (outs..., tangent outs...)`, built by walking @f: an op no
tangent reaches is cloned; for the others the op's rule emits the primal op and the tangents:

    rule(ctx: JvpContext) -> [tangent of each result, or None]

`None` is a symbolic zero: rules never materialise zero tangents, so ops not touched by a
tangent are plain clones and the output has no adds of zeros. Integer and bool values have no
tangent. Tangent ops are linear in the tangents, which plait-linearize and plait-transpose
rely on. Most rules have the form `fn(primals, tangents, outs, **params)` and are registered
with `@defjvp(op)`, which emits the primal op first; rules that build the primal op themselves
(region ops, calls) take the context (`@jvp_rule(op)`). An op without a rule that is `Linear`
in the operands that carry tangents gets the derived rule `linear_jvp`: the op applied to the
tangents. The rules are in `plait/rules/`.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait._mlir import ir
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import REMAT_ATTR, rule_registrar
from plait.dialect.builders import zeros_like
from plait.dialect.traits import CustomRule, Linear
from plait.ir.funcs import (
    clone_into,
    finish_func,
    function_type,
    new_func,
    return_op,
)
from plait.transforms.base import Pass, fail, naming_rule
from plait.transforms.expand import (
    ModuleState,
    body_ops,
    callee_of,
    replace_with_call,
    require_body,
)

jvp_rules: dict = {}


class JvpContext:
    """What a JVP rule sees: the op, its primal operands and their tangents (None: zero), its
    parameters, and the module (`state`) for rules that generate functions."""

    __slots__ = ("state", "op", "_mapping", "_tangents", "_params")

    def __init__(self, state: ModuleState, op: ir.Operation, mapping: dict, tangents: dict):
        self.state, self.op = state, op
        self._mapping, self._tangents = mapping, tangents
        self._params = None

    @property
    def primals(self) -> list:
        return [self._mapping.get(v, v) for v in self.op.operands]

    @property
    def tangents(self) -> list:
        return [self._tangents.get(v) for v in self.op.operands]

    @property
    def params(self) -> dict:
        if self._params is None:
            self._params = op_params(self.op)
        return self._params

    @property
    def linearizing(self) -> bool:
        """Whether this JVP is being split into forward and linear halves (plait-linearize):
        region ops then emit a primal op that returns residuals and a linear tangent op."""
        return bool(self.state.memo.get("linearizing"))

    def emit_primal(self, ip: ir.InsertionPoint | None = None) -> list:
        """Clone the op for its primal value (at `ip`, else the insertion point)."""
        new = clone_into(self.op, self._mapping, ip or ir.InsertionPoint.current)
        return list(new.results)

    def set_primal(self, results) -> None:
        """The values standing for the op's results (a rule that built the primal op)."""
        for old, new in zip(self.op.results, results):
            self._mapping[old] = new


def op_params(op: ir.Operation) -> dict:
    """A plait op's parameters, the attributes it does not carry left out."""
    opdef = OPS.get(op.name)
    if opdef is None:
        return {}
    return {k: v for k, v in opdef.params_of(op).items() if v is not None}


jvp_rule = rule_registrar(jvp_rules)


def defjvp(*ops):
    """Register `fn(primals, tangents, outs, **params) -> tangents` for `ops`: the primal op is
    cloned first and `outs` are its results."""

    def deco(fn):
        def rule(ctx):
            return fn(ctx.primals, ctx.tangents, ctx.emit_primal(), **ctx.params)
        jvp_rule(*ops)(rule)
        return fn
    return deco


def zero_jvp(ctx):
    """The rule of an op whose derivative is zero (integer results, rounding, comparisons)."""
    ctx.emit_primal()
    return [None] * len(ctx.op.results)


def linear_jvp(ctx):
    """The JVP of an op linear in the operands that carry tangents (a `Linear` trait covers
    them): the op itself, applied to the tangents (zeros for the other operands the trait
    covers) and to the primals of the others."""
    opdef, params, tangents = OPS[ctx.op.name], ctx.params, ctx.tangents
    given = [i for i, t in enumerate(tangents) if t is not None]
    lin = next((t for t in opdef.traits if isinstance(t, Linear) and t.covers(given, params)),
               None)
    if lin is None:
        raise fail(ctx.op, f"'{opdef.name}' has no JVP rule and is not linear in operands "
                           f"{tuple(given)}")
    primals = ctx.primals
    ctx.emit_primal()
    operands = [t if t is not None else zeros_like(p) if lin.covers([i], params) else p
                for i, (p, t) in enumerate(zip(primals, tangents))]
    return opdef.build(operands, None, params)[0]


def _inexact(v) -> bool:
    return dtypes.is_inexact(aval_of(v).dtype)


def rule_for(name: str):
    """The JVP rule of an op: its own, else the one its `Linear` trait gives, else None (a
    custom_lin is linear but has no forward computation to apply to tangents, as in jax)."""
    rule = jvp_rules.get(name)
    if rule is None:
        opdef = OPS.get(name)
        if opdef is not None and opdef.has(Linear) and not opdef.has(CustomRule):
            return linear_jvp
    return rule


# --- building the JVP function ---------------------------------------------------------------

def jvp_function(state: ModuleState, callee: str, diff_args: tuple, remat=None) -> str:
    """Generate `@<callee>_jvp(args..., tangents of diff_args...) -> (outs..., tangent outs...)`.

    With a `remat` policy (a checkpointed call) the primal ops are marked for recomputation
    in the backward pass, except what the policy saves."""
    key = ("jvp", callee, tuple(diff_args), remat, bool(state.memo.get("linearizing")))
    if key in state.memo:
        return state.memo[key]
    f = require_body(state, callee)
    ftype = function_type(f)
    ins = list(ftype.inputs)
    name = state.unique_name(f"{callee}_jvp")
    g, block = new_func(state.module, name, ins + [ins[i] for i in diff_args], f.location)
    state.memo[key] = name
    old_args = list(f.regions[0].blocks[0].arguments)
    new_args = list(block.arguments)
    mapping = dict(zip(old_args, new_args))
    tangents = {old_args[i]: new_args[len(ins) + k] for k, i in enumerate(diff_args)
                if _inexact(old_args[i])}
    ip = ir.InsertionPoint(block)
    for op in body_ops(f):
        if not any(v in tangents for v in op.operands):
            clone_into(op, mapping, ip)
            continue
        with ip, op.location:
            t_outs = _jvp_op(state, op, mapping, tangents)
        for r, t in zip(op.results, t_outs):
            if t is not None and _inexact(r):
                tangents[r] = t
    ret = return_op(f)
    state.memo[("jvp_nonzero", name)] = tuple(v in tangents for v in ret.operands)
    with ip, ret.location:
        results = [mapping.get(v, v) for v in ret.operands]
        t_results = [tangents[v] if v in tangents else zeros_like(mapping.get(v, v))
                     for v in ret.operands]
    finish_func(g, block, results + t_results, ret.location)
    state.add(g)
    if remat is not None:
        _mark_remat(block, set(new_args[len(ins):]), remat, set(results))
    return name


def _mark_remat(block, tangent_args: set, policy: str, outputs: set) -> None:
    """Mark the primal ops of a checkpointed function's JVP for recomputation. Its outputs are
    not marked: as in JAX, the boundary values of a checkpoint are kept, so a chain of
    checkpointed layers recomputes one layer at a time, not the chain from its input."""

    if policy == "everything_saveable":
        return
    unknown = set(tangent_args)
    for op in list(block.operations)[:-1]:
        o = op.operation
        if any(v in unknown for v in o.operands):
            unknown.update(o.results)
        elif any(r in outputs for r in o.results):
            continue
        elif not (policy == "dots_saveable" and o.name == P.dot_general.name):
            o.attributes[REMAT_ATTR] = ir.StringAttr.get(policy)


def _jvp_op(state, op, mapping, tangents) -> list:
    """Emit the primal op and its tangents by the op's rule; returns the result tangents."""
    rule = rule_for(op.name)
    if rule is None:
        raise fail(op, f"'{op.name}' has no JVP rule")
    with naming_rule("JVP", op):
        t_outs = rule(JvpContext(state, op, mapping, tangents))
    if len(t_outs) != len(op.results):
        raise fail(op, f"the JVP rule of '{op.name}' returned {len(t_outs)} tangents for "
                       f"{len(op.results)} results")
    if not all(r in mapping for r in op.results):
        raise fail(op, f"the JVP rule of '{op.name}' emitted no primal op")
    return t_outs


@jvp_rule("func.call")
def _jvp_call(ctx):
    """A call of @f: a call of @f's JVP (generated once per set of differentiated args)."""
    op = ctx.op
    diff = tuple(i for i, t in enumerate(ctx.tangents) if t is not None)
    remat = ir.StringAttr(op.attributes[REMAT_ATTR]).value if REMAT_ATTR in op.attributes \
        else None
    name = jvp_function(ctx.state, callee_of(op), diff, remat)
    n = len(op.results)
    tangents = ctx.tangents
    call = ir.Operation.create(
        "func.call", results=[r.type for r in op.results] * 2,
        operands=ctx.primals + [tangents[i] for i in diff],
        attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
    ctx.set_primal(call.results[:n])
    return list(call.results[n:])


def expand_jvp_op(state: ModuleState, op: ir.Operation) -> None:
    params = OPS[op.name].params_of(op)
    name = jvp_function(state, params["callee"], tuple(params["diff_args"]))
    replace_with_call(op, name, list(op.operands), state)


@dataclass
class JvpPass(Pass):
    name = "plait-jvp"
    summary = "Expand plait.jvp ops (innermost first) into calls of generated JVP functions."

    def run(self, module):
        expand_all(module, {"plait.jvp": expand_jvp_op})


def expand_all(module, expansions: dict) -> bool:
    """Expand ready transformation ops (`{op name: expand(state, op)}`), innermost first,
    until none is ready; returns whether anything changed."""
    changed = False
    state = ModuleState(module)
    while True:
        ready = state.ready(expansions)
        if not ready:
            return changed
        for _, op in ready:
            expansions[op.name](state, op)
        state.rescan({name for name, _ in ready})
        changed = True

