"""plait-report-unused: a remark at each plait op whose results are never used.

An analysis: it changes nothing. The ops it names are the ones plait-dce erases first (pure
plait ops without uses); in traced IR their locations are the user's source lines, so each
remark points at a computation whose value the program drops.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait._mlir import ir
from plait.dialect import OPS
from plait.dialect.traits import Pure
from plait.ir.funcs import is_dead
from plait.transforms.base import Pass


@dataclass
class ReportUnusedPass(Pass):
    name = "plait-report-unused"
    summary = "Emit a remark at each pure plait op whose results are never used (an analysis)."

    def run(self, module):
        def visit(op):
            opdef = OPS.get(op.name)
            if opdef is not None and opdef.has(Pure) and is_dead(op):
                self.emit_remark(op, f"the result of '{op.name}' is never used")
            return ir.WalkResult.ADVANCE

        module.walk(visit)
