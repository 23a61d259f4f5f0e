"""plait-op-stats: count the ops of a module by name (MLIR's `print-op-stats`).

An analysis: it changes nothing, keeps the counts on the pass (`counts`) and prints them on
stderr as MLIR does,

    Operations encountered:
    -----------------------
       builtin.module , 1
         func.func    , 1
         plait.add    , 2

or, with `json`, as one JSON object.
"""

from __future__ import annotations

import json as jsonlib
import sys
from collections import Counter
from dataclasses import dataclass, field

from plait._mlir import ir
from plait.transforms.base import Pass, option


@dataclass
class OpStatsPass(Pass):
    name = "plait-op-stats"
    summary = "Print the number of ops of each name in the module (an analysis)."

    json: bool = option(False, "Print the counts as a JSON object")
    counts: dict[str, int] = field(default_factory=dict, init=False, compare=False)

    def run(self, module):
        counts = Counter()

        def visit(op):
            counts[op.name] += 1
            return ir.WalkResult.ADVANCE

        module.walk(visit)
        self.counts = dict(sorted(counts.items()))
        print(self.report(), file=sys.stderr)

    def report(self) -> str:
        if self.json:
            return jsonlib.dumps(self.counts, indent=2)
        names = [n.partition(".") for n in self.counts]
        width_dialect = max(len(d) for d, _, _ in names)
        width_op = max(len(o) for _, _, o in names)
        lines = ["Operations encountered:", "-----------------------"]
        for (dialect, _, op), count in zip(names, self.counts.values()):
            lines.append(f"{dialect:>{width_dialect + 2}}.{op:<{width_op}} , {count}")
        return "\n".join(lines)
