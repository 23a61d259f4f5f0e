"""plait-dce: erase plait ops whose results are unused, and private functions no one calls.

MLIR's own DCE keeps unregistered ops (their effects are unknown); plait ops are pure.
"""

from __future__ import annotations

from plait._mlir import passmanager
from plait.transforms.base import Pass
from plait.transforms.irutil import all_blocks, is_dead


def dce_block(block) -> None:
    ops = list(block.operations)
    for op in reversed(ops):
        o = op.operation
        if o.name.startswith("plait.") and is_dead(o):
            o.erase()


class DCEPass(Pass):
    name = "plait-dce"
    summary = "Erase unused plait ops and unreferenced private functions."

    def run(self, module):
        passmanager.PassManager.parse("builtin.module(symbol-dce)").run(module)
        for block in list(all_blocks(module)):
            dce_block(block)
