"""plait-inline: inline `func.call`s of private functions, then drop functions left unused.

MLIR's `inline` pass inlines nothing in jaxlib's bundle (no inliner interfaces are
registered), so plait clones callee bodies itself.
"""

from __future__ import annotations

from plait._mlir import ir
from plait.transforms.base import Pass
from plait.transforms.dce import DCEPass
from plait.transforms.irutil import clone_into, func_body, lookup_func


def inline_call(call: ir.Operation, callee: ir.Operation) -> None:
    body = func_body(callee)
    mapping = dict(zip(body.arguments, call.operands))
    ip = ir.InsertionPoint(call)
    ops = list(body.operations)
    for op in ops[:-1]:
        clone_into(op.operation, mapping, ip)
    ret = ops[-1].operation
    for old, v in zip(call.results, ret.operands):
        old.replace_all_uses_with(mapping.get(v, v))
    call.erase()


def inline_calls_in(module: ir.Operation, func_op) -> None:
    """Inline every call inside `func_op` (recursively), leaving the callees in place."""
    for _ in range(1000):
        calls = _calls(func_op)
        if not calls:
            return
        for call in calls:
            inline_call(call, lookup_func(module, ir.FlatSymbolRefAttr(call.attributes["callee"]).value))
    raise RecursionError("plait-inline: recursive calls cannot be inlined")


def _calls(module) -> list:
    calls = []

    def visit(op):
        if op.name == "func.call":
            calls.append(op)
        return ir.WalkResult.ADVANCE

    module.walk(visit)
    return calls


class InlinePass(Pass):
    name = "plait-inline"
    summary = "Inline calls to private functions (innermost first) and erase dead functions."

    def run(self, module):
        for _ in range(1000):
            calls = _calls(module)
            done = False
            for call in calls:
                callee = lookup_func(module, ir.FlatSymbolRefAttr(call.attributes["callee"]).value)
                if "sym_visibility" in callee.attributes:
                    inline_call(call, callee)
                    done = True
            if not done:
                break
        else:
            raise RecursionError("plait-inline: recursive calls cannot be inlined")
        DCEPass().run(module)
