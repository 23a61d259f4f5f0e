"""plait-transpose: reverse mode, step 2 — transpose linear functions (`transpose_rules`).

`"plait.linear_transpose"(%consts..., %out_cts...) {callee = @lin, linear_args}` becomes a call of
a generated `@lin_T(consts..., out_cts...) -> linear arg cts...`. The ops of @lin that do not
depend on a linear argument are re-emitted forward; the linear ones are walked backwards,
each rule mapping its results' cotangents to its linear operands' cotangents:

    rule(ctx: TransposeContext) -> [cotangent per operand, or None]

where a linear operand is passed as `Undefined(aval)` and a constant one as its value.
`None` is a symbolic zero: an op whose results all have zero cotangents is skipped. Before
its rule runs, an op's `Linear` traits must cover its linear operands. Most rules have the
form `fn(cts, operands, **params)` and are registered with `@deftranspose(op)`; rules that
generate functions (region ops) take the context (`@transpose_rule(op)`). The rules are in
`plait/rules/`.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait._mlir import ir
from plait.core import dtypes
from plait.core.aval import ShapedArray, aval_of, aval_of_type
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import rule_registrar, splat_attr
from plait.dialect.builders import add_any
from plait.ir.funcs import (
    clone_into,
    finish_func,
    function_type,
    new_func,
    return_op,
)
from plait.transforms.base import Pass, fail, naming_rule
from plait.transforms.expand import ModuleState, body_ops, replace_with_call, require_body
from plait.transforms.inline import inline_calls_in
from plait.transforms.jvp import expand_all

transpose_rules: dict = {}


class Undefined:
    """A linear operand of the op being transposed (its value is what we solve for)."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval


def is_linear(x) -> bool:
    return isinstance(x, Undefined)


class TransposeContext:
    """What a transpose rule sees: the op, the cotangents of its results (zeros
    materialised), its operands (`Undefined` where linear), its parameters, and the module
    (`state`) for rules that generate functions."""

    __slots__ = ("state", "op", "cts", "operands", "params")

    def __init__(self, state: ModuleState, op: ir.Operation, cts: list, operands: list,
                 params: dict):
        self.state, self.op, self.cts, self.operands, self.params = \
            state, op, cts, operands, params


transpose_rule = rule_registrar(transpose_rules)


def deftranspose(*ops):
    """Register `fn(cts, operands, **params) -> cotangent per operand` for `ops`."""

    def deco(fn):
        def rule(ctx):
            return fn(ctx.cts, ctx.operands, **ctx.params)
        transpose_rule(*ops)(rule)
        return fn
    return deco


def zeros(aval: ShapedArray) -> ir.Value:
    if dtypes.is_complex(aval.dtype):
        re = P.constant(value=splat_attr(aval.shape, dtypes.real_dtype(aval.dtype), 0))
        return P.complex(re, re)
    return P.constant(value=splat_attr(aval.shape, aval.dtype, 0))


def _value_or_zeros(x, aval):
    return x if x is not None else zeros(aval)


# --- building the transposed function ---------------------------------------------------------

def transpose_function(state: ModuleState, lin: str, linear_args: tuple) -> str:
    """Generate `@<lin>_T(consts..., out cts...) -> cts of linear_args`."""
    key = ("transpose", lin, tuple(linear_args))
    if key in state.memo:
        return state.memo[key]
    f = require_body(state, lin)
    inline_calls_in(state.module, f, state.funcs)  # transposition walks one flat body
    ftype = function_type(f)
    ins, outs = list(ftype.inputs), list(ftype.results)
    old_args = list(f.regions[0].blocks[0].arguments)
    const_idx = [i for i in range(len(ins)) if i not in linear_args]
    name = state.unique_name(f"{lin}_T")
    g, block = new_func(state.module, name, [ins[i] for i in const_idx] + outs, f.location)
    state.memo[key] = name
    new_args = list(block.arguments)
    mapping = {old_args[i]: new_args[k] for k, i in enumerate(const_idx)}
    linear = {old_args[i] for i in linear_args}
    ops = body_ops(f)
    linear_ops = []
    ip = ir.InsertionPoint(block)
    for op in ops:
        if any(v in linear for v in op.operands):
            linear.update(op.results)
            linear_ops.append(op)
        else:
            clone_into(op, mapping, ip)
    cts: dict = {}
    ret = return_op(f)
    with ip, ret.location:
        for v, ct in zip(ret.operands, new_args[len(const_idx):]):
            if v in linear:
                cts[v] = add_any(cts.get(v), ct)
    for op in reversed(linear_ops):
        out_cts = [cts.pop(r, None) for r in op.results]
        if all(c is None for c in out_cts):
            continue
        with ip, op.location:
            _transpose_op(state, op, out_cts, mapping, linear, cts)
    with ip, ret.location:
        results = [_value_or_zeros(cts.get(old_args[i]), aval_of_type(ins[i]))
                   for i in linear_args]
    finish_func(g, block, results, f.location)
    state.add(g)
    return name


def _transpose_op(state, op, out_cts, mapping, linear, cts) -> None:
    operands = [Undefined(aval_of(v)) if v in linear else mapping.get(v, v) for v in op.operands]
    out_cts = [c if c is not None else zeros(aval_of(r)) for c, r in zip(out_cts, op.results)]
    rule = transpose_rules.get(op.name)
    if rule is None:
        raise fail(op, f"'{op.name}' is not linear (no transpose rule) but depends on a "
                       "linear input")
    opdef = OPS[op.name]
    params = {k: v for k, v in opdef.params_of(op).items() if v is not None}
    lin = [i for i, x in enumerate(operands) if is_linear(x)]
    if not opdef.linear_in(lin, params):
        raise fail(op, f"cannot transpose '{op.name}': {_not_linear(opdef, lin, params)}")
    with naming_rule("transpose", op):
        in_cts = rule(TransposeContext(state, op, out_cts, operands, params))
    if len(in_cts) != len(operands):
        raise fail(op, f"the transpose rule of '{op.name}' returned {len(in_cts)} cotangents "
                       f"for {len(operands)} operands")
    for v, ct in zip(op.operands, in_cts):
        if ct is not None and v in linear:
            cts[v] = add_any(cts.get(v), ct)


def _not_linear(opdef, lin: list, params: dict) -> str:
    """Why no Linear trait of the op covers the linear operands `lin`."""
    alone = [i for i in lin if not opdef.linear_in([i], params)]
    if not alone:
        count = "two" if len(lin) == 2 else str(len(lin))
        return f"{opdef.name} of {count} linear values is not linear"
    i = alone[0]
    names = opdef.operand_names
    return f"{opdef.name} is not linear in " + (f"its {names[i]}" if i < len(names)
                                                 else f"operand {i}")


def expand_transpose_op(state: ModuleState, op: ir.Operation) -> None:
    params = OPS[op.name].params_of(op)
    name = transpose_function(state, params["callee"], tuple(params["linear_args"]))
    replace_with_call(op, name, list(op.operands), state)


@dataclass
class TransposePass(Pass):
    name = "plait-transpose"
    summary = "Expand plait.transpose ops into calls of generated transposed functions."

    def run(self, module):
        expand_all(module, {"plait.linear_transpose": expand_transpose_op})
