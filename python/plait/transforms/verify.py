"""plait-verify: check every plait op against its declaration.

Unregistered ops get no C++ verifier, so this pass re-derives each plait op's result types
from its operands and attributes with the op's own type rule and compares them with the
IR; it also rejects unknown ops and attributes. Registered ops (func, stablehlo) are
checked by MLIR's verifier. Like MLIR's verifier it reports every error in the module (each
with `emit_error` at its op), then fails.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator
from dataclasses import dataclass

from plait._mlir import CONTEXT, ir
from plait.core import aval as _aval
from plait.core.errors import PlaitError
from plait.dialect import OPS
from plait.dialect.base import DISCARDABLE_ATTRS, REMAT_ATTR, Symbol
from plait.ir.funcs import function_type, symbol_name
from plait.transforms.base import Pass, plait_funcs


@functools.cache
def _required_params(opdef) -> frozenset:
    sig = inspect.signature(opdef.infer)
    return frozenset(n for n, p in sig.parameters.items()
                     if n != "avals" and p.default is inspect.Parameter.empty
                     and p.kind is p.POSITIONAL_OR_KEYWORD)


def _named(name: str, msg: str) -> str:
    return msg if name in msg else f"'{name}' {msg}"


def op_errors(op: ir.Operation, funcs: dict) -> Iterator[str]:
    """Every problem with a plait op. Independent checks all run; one that needs an earlier
    check to pass (the type rule needs the op's attributes) runs only when it did."""
    name = op.name
    opdef = OPS.get(name)
    if opdef is None:
        yield f"unknown op '{name}'"
        return
    regions_ok = opdef.region_count < 0 or len(op.regions) == opdef.region_count
    if not regions_ok:
        yield f"'{name}' expects {opdef.region_count} regions, got {len(op.regions)}"
    attrs = op.attributes
    names = {attrs[i].name for i in range(len(attrs))}
    unknown = names - set(opdef.attrs) - DISCARDABLE_ATTRS
    if unknown:
        yield f"'{name}' has unknown attribute(s) {', '.join(sorted(unknown))}"
    if getattr(opdef, "uses_callee", False):
        yield from _callee_errors(op, opdef, funcs)
        return
    if not regions_ok:
        return
    if hasattr(opdef, "verify_regions"):
        try:
            opdef.verify_regions(op, opdef.params_of(op))
        except PlaitError as e:
            yield _named(name, e.bare_message)
        return
    missing = _required_params(opdef) - names
    if missing:
        yield f"'{name}' is missing attribute(s) {', '.join(sorted(missing))}"
        return
    try:
        params = {k: v for k, v in opdef.params_of(op).items() if v is not None}
        in_avals = [_aval.aval_of(v) for v in op.operands]
        out_avals = opdef.type_check(in_avals, **params)
        expected = [_aval.ir_type(a) for a in out_avals]
    except (PlaitError, TypeError) as e:
        yield _named(name, str(getattr(e, "bare_message", e)))
        return
    actual = [r.type for r in op.results]
    if expected != actual:
        yield f"'{name}' result types {_fmt(actual)} do not match the inferred {_fmt(expected)}"


def _callee_errors(op, opdef, funcs: dict) -> Iterator[str]:
    name = op.name
    try:
        params = opdef.params_of(op)
    except PlaitError as e:
        yield f"'{name}' {e.bare_message}"
        return
    if params.get("callee") is None:
        yield f"'{name}' is missing attribute(s) callee"
        return
    missing = [(k, params[k]) for k, codec in opdef.attrs.items()
               if isinstance(codec, Symbol) and params.get(k) is not None
               and params[k] not in funcs]
    for k, f in missing:
        yield (f"'{name}' attribute '{k}' refers to @{f}, which is not a function of this "
               "module")
    if missing:
        return
    callee = funcs[params["callee"]]
    ftype = function_type(callee)
    try:
        operand_types, result_types = opdef.signature(list(ftype.inputs), list(ftype.results),
                                                      params)
    except PlaitError as e:
        yield _named(name, e.bare_message)
        return
    actual_in = [v.type for v in op.operands]
    actual_out = [r.type for r in op.results]
    if actual_in != operand_types:
        yield (f"'{name}' operand types {_fmt(actual_in)} do not match @{params['callee']}: "
               f"expected {_fmt(operand_types)}")
    if actual_out != result_types:
        yield (f"'{name}' result types {_fmt(actual_out)} do not match @{params['callee']}: "
               f"expected {_fmt(result_types)}")


def _fmt(types) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


@dataclass
class VerifyPass(Pass):
    name = "plait-verify"
    summary = "Check every plait op's operands, attributes and result types; report every error."

    def run(self, module):
        funcs = {symbol_name(f): f for f in plait_funcs(module)}

        def visit(op):
            name = op.name
            try:  # a shape XLA cannot hold aborts the process there
                for v in [*op.results, *(a for r in op.regions for b in r.blocks
                                         for a in b.arguments)]:
                    _aval.check_type(v.type)
            except PlaitError as e:
                self.emit_error(op, e.bare_message)
                return ir.WalkResult.ADVANCE
            if REMAT_ATTR in op.attributes and \
                    not isinstance(op.attributes[REMAT_ATTR], ir.StringAttr):
                self.emit_error(op, f"'{name}' attribute '{REMAT_ATTR}' must be a string (a "
                                    f"checkpoint policy), got {op.attributes[REMAT_ATTR]}")
            if name.startswith("plait."):
                try:
                    for msg in op_errors(op, funcs):
                        self.emit_error(op, msg)
                except PlaitError as e:
                    self.emit_error(op, _named(name, e.bare_message))
                except Exception as e:  # a type rule that crashes on bad IR still names the op
                    self.emit_error(op, f"'{name}' {type(e).__name__}: {e}")
            elif name == "func.func":
                self._check_terminator(op)
            elif not CONTEXT.is_registered_operation(name):
                self.emit_error(op, f"unknown op '{name}'")
            return ir.WalkResult.ADVANCE

        module.walk(visit)

    def _check_terminator(self, func_op) -> None:
        """MLIR takes an unregistered last op for a terminator; plait's passes need a return."""
        for block in func_op.regions[0].blocks:
            ops = block.operations
            if not len(ops) or ops[len(ops) - 1].operation.name != "func.return":
                self.emit_error(func_op, f"function @{symbol_name(func_op)}'s body must end "
                                         "with func.return")
