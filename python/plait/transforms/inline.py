"""plait-inline: inline `func.call`s of private functions, then drop functions left unused.

MLIR's `inline` pass inlines nothing in jaxlib's bundle (no inliner interfaces are
registered), so plait clones callee bodies itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait._mlir import ir
from plait.ir.funcs import FuncTable, clone_into, func_body, symbol_attr, symbol_name
from plait.transforms.base import Pass, fail
from plait.transforms.dce import DCEPass


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


def inline_calls_in(module: ir.Operation, func_op, funcs=None) -> None:
    """Inline every call inside `func_op` (recursively), leaving the callees in place.
    `funcs` maps the module's function names to functions (a FuncTable; read from the
    module when not given).

    Unlike plait-inline this also inlines public functions (partial evaluation must see
    through every call with a body); calls of declarations stay calls."""
    _inline_all(funcs if funcs is not None else FuncTable(module), func_op, private_only=False)


def _inline_all(funcs, root, *, private_only: bool = True) -> None:
    """Inline the inlinable calls in `root` (a function or the module) until none is left;
    fails at a call on a recursive cycle, where inlining would never end. `funcs`: the
    functions by name."""
    _check_not_recursive(funcs, _reachable_calls(funcs, root, private_only), private_only)
    while True:
        done = False
        for call in _calls(root):
            callee = _inlinable_callee(funcs, call, private_only)
            if callee is not None:
                inline_call(call, callee)
                done = True
        if not done:
            return


def _calls(module) -> list:
    calls = []

    def visit(op):
        if op.name == "func.call":
            calls.append(op)
        return ir.WalkResult.ADVANCE

    module.walk(visit)
    return calls


def _reachable_calls(funcs, root, private_only: bool) -> list:
    """The calls in `root` and in every function inlining would bring into it."""
    calls, seen, todo = [], set(), [root]
    while todo:
        for call in _calls(todo.pop()):
            calls.append(call)
            callee = _inlinable_callee(funcs, call, private_only)
            if callee is not None and symbol_name(callee) not in seen:
                seen.add(symbol_name(callee))
                todo.append(callee)
    return calls


def _inlinable_callee(funcs, call, private_only: bool = True):
    """The callee of `call` if it has a body (and, with `private_only`, is private), else
    None."""
    callee = funcs[symbol_attr(call, "callee")]
    if not len(callee.regions[0].blocks):
        return None
    if private_only and "sym_visibility" not in callee.attributes:
        return None
    return callee


def _enclosing_func(op):
    while op.name != "func.func":
        op = op.parent.operation
    return op


def _check_not_recursive(funcs, calls, private_only: bool = True) -> None:
    """Fail at a call on a cycle of inlinable calls: inlining it would never end."""
    edges: dict = {}
    for call in calls:
        callee = _inlinable_callee(funcs, call, private_only)
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


@dataclass
class InlinePass(Pass):
    name = "plait-inline"
    summary = "Inline calls to private functions (innermost first) and erase dead functions."

    def run(self, module):
        _inline_all(FuncTable(module), module)
        DCEPass().run(module)
