"""plait-inline: inline `func.call`s of private functions, then drop functions left unused.

MLIR's `inline` pass inlines nothing in jaxlib's bundle (no inliner interfaces are
registered), so plait clones callee bodies itself.
"""

from __future__ import annotations

from plait._mlir import ir
from plait.transforms.base import Pass, fail
from plait.transforms.dce import DCEPass
from plait.transforms.irutil import clone_into, func_body, lookup_func, symbol_name


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


def _inlinable_callee(module, call):
    """The callee of `call` if it is a private function with a body, else None."""
    callee = lookup_func(module, ir.FlatSymbolRefAttr(call.attributes["callee"]).value)
    if "sym_visibility" in callee.attributes and len(callee.regions[0].blocks):
        return callee
    return None


def _enclosing_func(op):
    while op.name != "func.func":
        op = op.parent.operation
    return op


def _check_not_recursive(module, calls) -> None:
    """Fail at a call on a cycle of inlinable calls: inlining it would never end."""
    edges: dict = {}
    for call in calls:
        callee = _inlinable_callee(module, call)
        if callee is not None:
            caller = symbol_name(_enclosing_func(call))
            edges.setdefault(caller, []).append((symbol_name(callee), call))
    state: dict = {}  # 1: on the DFS stack, 2: done

    def visit(f):
        state[f] = 1
        for g, call in edges.get(f, ()):
            if state.get(g) == 1:
                raise fail(call, f"plait-inline: @{g} is recursive and cannot be inlined")
            if g not in state:
                visit(g)
        state[f] = 2

    for f in list(edges):
        if f not in state:
            visit(f)


class InlinePass(Pass):
    name = "plait-inline"
    summary = "Inline calls to private functions (innermost first) and erase dead functions."

    def run(self, module):
        _check_not_recursive(module, _calls(module))
        while True:
            done = False
            for call in _calls(module):
                callee = _inlinable_callee(module, call)
                if callee is not None:
                    inline_call(call, callee)
                    done = True
            if not done:
                break
        DCEPass().run(module)
