"""plait-simplify: local algebraic folds over plait ops (`folds` table keyed by op name).

Each fold, `fold(op, params) -> value or None`, looks at one op and returns a value to replace
it with. The folds remove what transformations leave behind: adds of zeros, multiplies by one,
identity reshapes, transposes, converts and broadcasts, double negations. They are registered
beside the op's other rules, in `plait/rules/`.

Each fold is a rewrite pattern run by MLIR's greedy rewrite driver (as `canonicalize` runs
its patterns, with the same `max-iterations` and `test-convergence` options); the ops a fold
leaves unused are then erased (plait ops are unregistered, so the driver keeps them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from plait._mlir import ir, rewrite
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import rule_registrar
from plait.ir.funcs import all_blocks
from plait.transforms.base import Pass, fail, option
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


def _apply_fold(op, rewriter):
    """The rewrite pattern of every fold: match (the fold returns a value), then replace."""
    o = op.operation
    new = folds[o.name](o, OPS[o.name].params_of(o))
    if new is None:
        return True  # no match
    rewriter.replace_op(o, [new])


@functools.cache
def _fold_patterns(names: frozenset) -> rewrite.FrozenRewritePatternSet:
    patterns = rewrite.RewritePatternSet()
    for name in names:
        patterns.add(name, _apply_fold)
    return patterns.freeze()  # frozen once and kept: a second freeze segfaults


_NOT_CONVERGED = "pattern application failed to converge"


@dataclass
class SimplifyPass(Pass):
    name = "plait-simplify"
    summary = "Fold identities (x+0, x*1, identity reshape/transpose/convert, -(-x)), then DCE."

    max_iterations: int = option(10, "Sweeps of the greedy rewrite driver before it stops "
                                     "(-1: no limit)")
    test_convergence: bool = option(False, "Fail if the folds have not converged within "
                                           "max-iterations")

    def __post_init__(self):
        if self.max_iterations < -1:
            raise ValueError(f"max-iterations must be -1 (no limit) or more, got "
                             f"{self.max_iterations}")

    def run(self, module):
        config = rewrite.GreedyRewriteConfig()
        config.max_iterations = self.max_iterations
        config.use_top_down_traversal = True
        config.enable_folding = False  # plait ops have no MLIR folders: the patterns fold
        config.enable_constant_cse = False
        config.region_simplification_level = rewrite.GreedySimplifyRegionLevel.DISABLED
        try:
            rewrite.apply_patterns_and_fold_greedily(module, _fold_patterns(frozenset(folds)),
                                                     config)
        except RuntimeError as e:
            if str(e) != _NOT_CONVERGED:
                raise
            if self.test_convergence:
                raise fail(module, f"plait-simplify: the folds did not converge within "
                                   f"max-iterations={self.max_iterations}") from None
        for block in list(all_blocks(module)):
            dce_block(block)
