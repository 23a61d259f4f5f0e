"""Control flow: region ops `plait.cond`, `plait.while`, `plait.scan`, ended by `plait.yield`.

Regions are isolated from above: a value a branch or body uses from outside is an explicit
operand (the front end lifts closures), so each region is a function of its block arguments.
Their result types are those the regions yield; `verify_regions` checks the blocks against
the operands and the results. Their rules are in `rules/control.py`.
"""

from __future__ import annotations

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.errors import PlaitTypeError
from plait.dialect.base import OPS, Bool, Int, OpDef
from plait.dialect.traits import HasRegions, Linear, Pure


def _types(values) -> list:
    return [v.type for v in values]


def _fmt(types) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


class RegionOp(OpDef):
    """Base of region ops: built with explicit result types, verified against their regions."""

    arity = None

    def infer(self, avals, **params):
        raise PlaitTypeError(f"{self.name} takes its result types from its regions")

    def create(self, operands, result_types, regions: int, **params) -> ir.Operation:
        return ir.Operation.create(self.name, results=list(result_types), operands=list(operands),
                                   attributes=self.encode_params(params), regions=regions)

    def verify_regions(self, op: ir.Operation, params: dict) -> None:
        missing = sorted(k for k in self.attrs if params.get(k) is None)
        if missing:
            raise PlaitTypeError(f"{self.name} is missing attribute(s) {', '.join(missing)}")
        _check_isolated(op)
        self.verify_blocks(op, params)

    def verify_blocks(self, op: ir.Operation, params: dict) -> None:
        raise NotImplementedError


def _check_isolated(op: ir.Operation) -> None:
    """Regions see only their block arguments (transformations outline them into functions):
    a value from outside must be passed as an operand. A nested plait region op checks its own
    regions, so only the ops of this op's blocks, and of other ops' regions, are looked at
    (linear in the nest's size, and no Python recursion)."""
    defined, used, blocks = set(), [], [b for r in op.regions for b in r.blocks]
    while blocks:
        block = blocks.pop()
        defined.update(block.arguments)
        for o in block.operations:
            o = o.operation
            defined.update(o.results)
            used.extend(o.operands)
            if not isinstance(OPS.get(o.name), RegionOp):
                blocks.extend(b for r in o.regions for b in r.blocks)
    for v in used:
        if v not in defined:
            raise PlaitTypeError(f"{op.name} regions are isolated from above, but one uses "
                                 f"{v.get_name()} from outside: pass it as an operand")


def block_of(region) -> ir.Block:
    if len(region.blocks) != 1:
        raise PlaitTypeError(f"regions must have exactly one block, got {len(region.blocks)}")
    return region.blocks[0]


def yielded(block: ir.Block) -> list:
    ops = block.operations
    last = ops[len(ops) - 1].operation if len(ops) else None
    if last is None or last.name != "plait.yield":
        raise PlaitTypeError("a region must end with plait.yield")
    return list(last.operands)


def _check_args(what: str, block, expected) -> None:
    got = _types(block.arguments)
    if got != list(expected):
        raise PlaitTypeError(f"{what} takes {_fmt(got)} but is given {_fmt(expected)}")


def _check_yield(what: str, block, expected) -> None:
    got = _types(yielded(block))
    if got != list(expected):
        raise PlaitTypeError(f"{what} yields {_fmt(got)} but must yield {_fmt(expected)}")


def _scalar_int32(v) -> bool:
    a = _aval.aval_of(v)
    return a.shape == () and a.dtype == dtypes.int32


class Cond(RegionOp):
    """`%r = "plait.cond"(%index, %x) ({ ^bb0(%a): ... "plait.yield"(%u) }, { ... })`

    Runs branch `index` (an int32 scalar, clamped by the front end) on the operands; every
    branch takes the operands and yields values of the result types."""

    traits = (Pure(), HasRegions(None), Linear(from_operand=1))
    operand_names = ("index",)

    def verify_blocks(self, op, params):
        if not len(op.operands):
            raise PlaitTypeError(f"{self.name} needs an index operand")
        index, *operands = op.operands
        if not _scalar_int32(index):
            raise PlaitTypeError(f"{self.name} index must be an int32 scalar, got {index.type}")
        if len(op.regions) < 1:
            raise PlaitTypeError(f"{self.name} needs at least one branch")
        for k, region in enumerate(op.regions):
            block = block_of(region)
            _check_args(f"branch {k}", block, _types(operands))
            _check_yield(f"branch {k}", block, _types(op.results))


class While(RegionOp):
    """`%c = "plait.while"(%consts..., %init...) {num_consts = 1} ({cond}, {body})`

    Both regions take (consts, carry); cond yields a bool scalar, body the next carry."""

    attrs = {"num_consts": Int()}
    traits = (Pure(), HasRegions(2), Linear(from_operand=0))

    def verify_blocks(self, op, params):
        n = params["num_consts"]
        operands = list(op.operands)
        if not 0 <= n <= len(operands):
            raise PlaitTypeError(f"{self.name} num_consts = {n} is out of range for "
                                 f"{len(operands)} operands")
        carry = operands[n:]
        if len(op.regions) != 2:
            raise PlaitTypeError(f"{self.name} has a cond and a body region")
        cond, body = block_of(op.regions[0]), block_of(op.regions[1])
        _check_args("the cond region", cond, _types(operands))
        _check_args("the body region", body, _types(operands))
        pred = yielded(cond)
        if len(pred) != 1 or pred[0].type != _aval.ir_type(_aval.ShapedArray((), dtypes.bool_)):
            raise PlaitTypeError(f"the cond region must yield one bool scalar, got "
                                 f"{_fmt(_types(pred))}")
        _check_yield("the body region", body, _types(carry))
        if _types(op.results) != _types(carry):
            raise PlaitTypeError(f"{self.name} results {_fmt(_types(op.results))} differ from "
                                 f"its carry {_fmt(_types(carry))}")


class Scan(RegionOp):
    """`%carry..., %ys... = "plait.scan"(%consts..., %init..., %xs...) {num_consts, num_carry,
    length, reverse} ({body})`: the body takes (consts, carry, one slice of each xs) and
    yields (next carry, one slice of each ys); ys stack the slices along a new axis 0."""

    attrs = {"num_consts": Int(), "num_carry": Int(), "length": Int(), "reverse": Bool()}
    traits = (Pure(), HasRegions(1), Linear(from_operand=0))

    def verify_blocks(self, op, params):
        nc, nk, length = params["num_consts"], params["num_carry"], params["length"]
        operands = list(op.operands)
        if min(nc, nk, length) < 0 or nc + nk > len(operands):
            raise PlaitTypeError(f"{self.name} num_consts = {nc}, num_carry = {nk} and length = "
                                 f"{length} do not fit its {len(operands)} operands")
        consts, carry, xs = operands[:nc], operands[nc:nc + nk], operands[nc + nk:]
        slices = []
        for x in xs:
            a = _aval.aval_of(x)
            if not a.shape or a.shape[0] != length:
                raise PlaitTypeError(f"{self.name} xs must have leading dimension {length}, got "
                                     f"{x.type}")
            slices.append(_aval.ir_type(a.update(shape=a.shape[1:])))
        if len(op.regions) != 1:
            raise PlaitTypeError(f"{self.name} has one body region")
        body = block_of(op.regions[0])
        _check_args("the scan body", body, _types(consts) + _types(carry) + slices)
        outs = yielded(body)
        if _types(outs[:nk]) != _types(carry):
            raise PlaitTypeError(f"the scan body yields carry {_fmt(_types(outs[:nk]))} but the "
                                 f"carry is {_fmt(_types(carry))}")
        results = list(op.results)
        if _types(results[:nk]) != _types(carry):
            raise PlaitTypeError(f"{self.name} carry results differ from its carry")
        for y, r in zip(outs[nk:], results[nk:]):
            a = _aval.aval_of(y)
            if r.type != _aval.ir_type(a.update(shape=(length,) + a.shape)):
                raise PlaitTypeError(f"{self.name} result {r.type} is not a stack of "
                                     f"{length} body outputs {y.type}")
        if len(results) != len(outs):
            raise PlaitTypeError(f"{self.name} has {len(results)} results but its body yields "
                                 f"{len(outs)} values")


class Yield(OpDef):
    """`"plait.yield"(%v...)`: ends a region of a plait region op with its values."""

    arity = None

    def infer(self, avals):
        return []

    def verify_regions(self, op, params):
        parent = op.parent
        if parent is None or not OPS.get(parent.name) or not OPS[parent.name].has(HasRegions):
            names = sorted(n for n, d in OPS.items() if d.has(HasRegions))
            raise PlaitTypeError(f"{self.name} must end a region of " + " / ".join(names))


cond = Cond("plait.cond", "Run one of several branches, chosen by an index.")
while_ = While("plait.while", "Loop while a condition holds.")
scan = Scan("plait.scan", "Loop over the leading axis of arrays, carrying state.")
yield_ = Yield("plait.yield", "Terminator of plait region ops.")
