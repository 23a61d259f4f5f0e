"""plait-dce: erase plait ops whose results are unused, and private functions no one calls.

MLIR's own DCE keeps unregistered ops (their effects are unknown); plait ops are pure.
"""

from __future__ import annotations

from plait._mlir import passmanager
from plait.transforms.base import Pass
from plait.transforms.irutil import all_blocks, is_dead


def dce_block(block) -> bool:
    """Erase dead plait ops; True if one of them named a function (its `callee`)."""
    named_callee = False
    ops = list(block.operations)
    for op in reversed(ops):
        o = op.operation
        if o.name.startswith("plait.") and is_dead(o):
            named_callee |= "callee" in o.attributes
            o.erase()
    return named_callee


class DCEPass(Pass):
    name = "plait-dce"
    summary = "Erase unused plait ops and unreferenced private functions."

    def run(self, module):
        symbol_dce = passmanager.PassManager.parse("builtin.module(symbol-dce)")
        symbol_dce.run(module)  # first: no time goes into functions about to be erased
        if any([dce_block(block) for block in list(all_blocks(module))]):
            symbol_dce.run(module)  # an erased op held the last reference to a function
