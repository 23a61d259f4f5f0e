"""plait-dce: erase plait ops whose results are unused, and private functions no one calls.

MLIR's own DCE keeps unregistered ops (their effects are unknown); plait erases the ops that
declare the `Pure` trait, unless their regions hold one that is not (a print in a scan). Its
`symbol-dce` refuses modules whose unregistered region ops might be symbol tables, so plait
finds the functions reachable from public ones itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait._mlir import ir
from plait.dialect import OPS
from plait.dialect.control import yield_
from plait.dialect.traits import Pure
from plait.ir.funcs import all_blocks, is_dead, symbol_name
from plait.transforms.base import Pass


def dce_block(block) -> bool:
    """Erase unused Pure plait ops; True if one of them named a function (its `callee`)."""
    named_callee = False
    ops = list(block.operations)
    for op in reversed(ops):
        o = op.operation
        opdef = OPS.get(o.name)
        if opdef is not None and opdef.has(Pure) and is_dead(o) and not _effect_inside(o):
            named_callee |= "callee" in o.attributes
            o.erase()
    return named_callee


def _effect_inside(op) -> bool:
    """Whether a region op (a scan, a cond) holds an op that is not Pure (a debug print)."""
    if not len(op.regions):
        return False
    found = []

    def visit(o):
        opdef = OPS.get(o.name)
        if o is not op and opdef is not None and not opdef.has(Pure) and o.name != yield_.name:
            found.append(o)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    op.walk(visit)
    return bool(found)


def _referenced(func_op) -> set:
    names = set()

    def visit(op):
        attrs = op.attributes
        for i in range(len(attrs)):
            a = attrs[i].attr
            if isinstance(a, ir.FlatSymbolRefAttr):
                names.add(a.value)
        return ir.WalkResult.ADVANCE

    func_op.walk(visit)
    return names


def symbol_dce(module: ir.Operation) -> None:
    """Erase private functions not reachable from a public one."""
    funcs = {symbol_name(op): op.operation for op in module.regions[0].blocks[0].operations
             if op.operation.name == "func.func"}
    live = [n for n, f in funcs.items() if "sym_visibility" not in f.attributes
            or ir.StringAttr(f.attributes["sym_visibility"]).value == "public"]
    seen = set(live)
    while live:
        for ref in _referenced(funcs[live.pop()]):
            if ref in funcs and ref not in seen:
                seen.add(ref)
                live.append(ref)
    for name, f in funcs.items():
        if name not in seen:
            f.erase()


@dataclass
class DCEPass(Pass):
    name = "plait-dce"
    summary = "Erase unused plait ops and unreferenced private functions."

    def run(self, module):
        symbol_dce(module)  # first: no time goes into functions about to be erased
        if any([dce_block(block) for block in list(all_blocks(module))]):
            symbol_dce(module)  # an erased op held the last reference to a function
