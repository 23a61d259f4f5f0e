"""plait-simplify: local algebraic folds over plait ops (`folds` table keyed by op name).

Each fold, `fold(op, params) -> value or None`, looks at one op and returns a value to replace
it with. The folds remove what transformations leave behind: adds of zeros, multiplies by one,
identity reshapes, transposes, converts and broadcasts, double negations. They are registered
beside the op's other rules, in `plait/rules/`.
"""

from __future__ import annotations

from plait._mlir import ir
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import rule_registrar
from plait.ir.funcs import all_blocks
from plait.transforms.base import Pass
from plait.transforms.dce import dce_block

folds: dict = {}


fold = rule_registrar(folds)


def defining_op(v: ir.Value) -> ir.Operation | None:
    owner = v.owner
    return None if isinstance(owner, ir.Block) else owner.operation


def splat_value(v: ir.Value):
    """The scalar a value is filled with, if it is a splat constant (maybe broadcast)."""
    op = defining_op(v)
    while op is not None and op.name == P.broadcast_in_dim.name:
        op = defining_op(op.operands[0])
    if op is None or op.name != P.constant.name:
        return None
    attr = op.attributes["value"]
    if not attr.is_splat:
        return None
    s = attr.get_splat_value()
    if isinstance(s, (ir.IntegerAttr, ir.FloatAttr, ir.BoolAttr)):
        return s.value
    return None


def is_splat(v: ir.Value, x) -> bool:
    """Whether v is filled with the number x (a bool fill is no number)."""
    s = splat_value(v)
    return s is not None and not isinstance(s, bool) and s == x


def fold_same_type(op, params):
    """An op whose result has its operand's type is the identity (reshape, convert, ...)."""
    x = op.operands[0]
    if x.type == op.results[0].type:
        return x


def simplify_block(block) -> bool:
    changed = False
    for op in list(block.operations):
        o = op.operation
        rule = folds.get(o.name)
        if rule is None:
            continue
        new = rule(o, OPS[o.name].params_of(o))
        if new is not None:
            o.results[0].replace_all_uses_with(new)
            o.erase()
            changed = True
    return changed


class SimplifyPass(Pass):
    name = "plait-simplify"
    summary = "Fold identities (x+0, x*1, identity reshape/transpose/convert, -(-x)), then DCE."

    def run(self, module):
        for block in list(all_blocks(module)):
            simplify_block(block)
            dce_block(block)
