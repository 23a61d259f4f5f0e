"""plait-verify: check every plait op against its declaration.

Unregistered ops get no C++ verifier, so this pass re-derives each plait op's result types
from its operands and attributes with the op's own type rule and compares them with the
IR; it also rejects unknown ops and attributes. Registered ops (func, stablehlo) are
checked by MLIR's verifier.
"""

from __future__ import annotations

import functools
import inspect

from plait._mlir import CONTEXT, ir
from plait.core import aval as _aval
from plait.core.errors import PlaitError
from plait.dialect import OPS
from plait.transforms.base import Pass, fail


@functools.cache
def _required_params(opdef) -> frozenset:
    sig = inspect.signature(opdef.infer)
    return frozenset(n for n, p in sig.parameters.items()
                     if n != "avals" and p.default is inspect.Parameter.empty
                     and p.kind is p.POSITIONAL_OR_KEYWORD)


def verify_op(op: ir.Operation) -> None:
    name = op.name
    opdef = OPS.get(name)
    if opdef is None:
        raise fail(op, f"unknown op '{name}'")
    if len(op.regions) != opdef.region_count:
        raise fail(op, f"'{name}' expects {opdef.region_count} regions, got {len(op.regions)}")
    attrs = op.attributes
    names = {attrs[i].name for i in range(len(attrs))}
    unknown = names - set(opdef.attrs) - {"plait.meta"}
    if unknown:
        raise fail(op, f"'{name}' has unknown attribute(s) {', '.join(sorted(unknown))}")
    missing = _required_params(opdef) - names
    if missing:
        raise fail(op, f"'{name}' is missing attribute(s) {', '.join(sorted(missing))}")
    try:
        params = {k: v for k, v in opdef.params_of(op).items() if v is not None}
        in_avals = [_aval.aval_of(v) for v in op.operands]
        opdef.check_arity(len(in_avals))
        out_avals = opdef.infer(in_avals, **params)
    except (PlaitError, TypeError) as e:
        msg = str(getattr(e, "bare_message", e))
        raise fail(op, msg if name in msg else f"'{name}' {msg}") from None
    expected = [_aval.ir_type(a) for a in out_avals]
    actual = [r.type for r in op.results]
    if expected != actual:
        raise fail(op, f"'{name}' result types {_fmt(actual)} do not match the inferred "
                       f"{_fmt(expected)}")


def _fmt(types) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


class VerifyPass(Pass):
    name = "plait-verify"
    summary = "Check every plait op's operands, attributes and result types."

    def run(self, module):
        errors = []

        def visit(op):
            name = op.name
            if name.startswith("plait."):
                try:
                    verify_op(op)
                except PlaitError as e:
                    errors.append(e)
            elif not CONTEXT.is_registered_operation(name):
                errors.append(fail(op, f"unknown op '{name}'"))
            return ir.WalkResult.ADVANCE

        module.walk(visit)
        if errors:
            raise errors[0]
