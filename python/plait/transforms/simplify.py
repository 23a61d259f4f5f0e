"""plait-simplify: local algebraic folds over plait ops (`folds` table keyed by op name).

Each fold looks at one op and returns a value to replace it with, or None. The folds remove
what transformations leave behind: adds of zeros, multiplies by one, identity reshapes,
transposes, converts and broadcasts, double negations.
"""

from __future__ import annotations

import numpy as np

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


def _is(v: ir.Value, x) -> bool:
    s = splat_value(v)
    return s is not None and not isinstance(s, bool) and s == x


# op -> (identity element, whether it is also a left identity): x+0, 0+x, x-0, x*1, 1*x, x/1
_IDENTITIES = {P.add.name: (0, True), P.sub.name: (0, False), P.mul.name: (1, True),
               P.div.name: (1, False)}


@fold(P.add, P.sub, P.mul, P.div)
def _fold_identity(op, params):
    identity, commutes = _IDENTITIES[op.name]
    a, b = op.operands
    if _is(b, identity):
        return a
    if commutes and _is(a, identity):
        return b


@fold(P.neg)
def _fold_neg(op, params):
    inner = defining_op(op.operands[0])
    if inner is not None and inner.name == P.neg.name:
        return inner.operands[0]


def _same_type(op, params):
    x = op.operands[0]
    if x.type == op.results[0].type:
        return x


for _op in (P.reshape, P.convert, P.broadcast_in_dim, P.slice):
    folds[_op.name] = _same_type


@fold(P.pad)
def _fold_pad(op, params):
    # Not _same_type: low 1, high -1 keeps the shape but shifts the elements.
    if not any(params["edge_padding_low"] + params["edge_padding_high"] + params["interior_padding"]):
        return op.operands[0]


@fold(P.transpose)
def _fold_transpose(op, params):
    perm = params["permutation"]
    if list(perm) == sorted(perm):
        return op.operands[0]


@fold(P.rev, *[r for r in (P.reduce_sum, P.reduce_prod, P.reduce_max, P.reduce_min,
                           P.reduce_and, P.reduce_or)])
def _fold_no_axes(op, params):
    if not (params.get("axes") or params.get("dimensions")):
        return op.operands[0]


@fold(P.concatenate)
def _fold_concat(op, params):
    if len(op.operands) == 1:
        return op.operands[0]


@fold(P.select)
def _fold_select(op, params):
    p, a, b = op.operands
    s = splat_value(p)
    if isinstance(s, (bool, int, np.bool_)) and s in (0, 1):
        return a if s else b
    if a == b:
        return a


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
