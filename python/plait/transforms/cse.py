"""plait-cse: merge plait ops with equal names, operands, attributes and result types.

MLIR's CSE skips unregistered ops (unknown effects); a plait op with the `Pure` trait equal to
an earlier one in the same block (or an enclosing block) is replaced by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait.dialect import OPS
from plait.dialect.traits import Pure
from plait.transforms.base import Pass


def _key(o):
    attrs = o.attributes
    return (o.name, tuple(o.operands), tuple((attrs[i].name, attrs[i].attr)
                                             for i in range(len(attrs))),
            tuple(r.type for r in o.results))


def cse_block(block) -> None:
    """CSE in `block` and, each on its own (plait regions are isolated from above), in the
    blocks nested in it; iterative, as nests may be deep."""
    blocks = [block]
    while blocks:
        seen: dict = {}
        for op in list(blocks.pop().operations):
            o = op.operation
            if o.regions:
                blocks.extend(b for r in o.regions for b in r.blocks)
                continue
            opdef = OPS.get(o.name)
            if opdef is None or not opdef.has(Pure) or not len(o.results):
                continue
            key = _key(o)
            prev = seen.get(key)
            if prev is None:
                seen[key] = o
                continue
            for old, new in zip(o.results, prev.results):
                old.replace_all_uses_with(new)
            o.erase()


@dataclass
class CSEPass(Pass):
    name = "plait-cse"
    summary = "Common-subexpression elimination for plait ops."

    def run(self, module):
        for func in module.regions[0].blocks[0].operations:
            for region in func.operation.regions:
                for block in region.blocks:
                    cse_block(block)
