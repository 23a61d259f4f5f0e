"""What the transformation passes share: finding ops to expand, innermost first.

A transformation op is *ready* when its callee — and every function the callee calls — holds
no transformation op; expanding ready ops until none is left expands nests innermost first
(`grad(grad(f))` expands the inner vjp, whose output is plain plait ops, then the outer).
Generated functions are memoized per module so a callee transformed twice the same way is
generated once.
"""

from __future__ import annotations

import functools

from plait._mlir import ir
from plait.dialect import OPS
from plait.dialect import control as C
from plait.dialect.base import Symbol
from plait.dialect.traits import Transformation
from plait.ir.funcs import (
    FuncTable,
    clone_into,
    finish_func,
    func_body,
    new_func,
    symbol_attr,
    symbol_name,
)
from plait.transforms.base import fail


@functools.cache
def _symbol_attrs(name: str) -> tuple[str, ...]:
    """The attributes naming functions of ops called `name`: a func.call's callee, and a plait
    op's Symbol attributes (which plait-verify checks); other ops' attributes name none."""
    if name == "func.call":
        return ("callee",)
    opdef = OPS.get(name)
    if opdef is None:
        return ()
    return tuple(k for k, codec in opdef.attrs.items() if isinstance(codec, Symbol))


class ModuleState:
    """A module's functions by name (a FuncTable), their transformation ops and what they
    reference (one walk), readiness, and memoized generated functions."""

    def __init__(self, module: ir.Operation):
        self.module = module
        self.symbols = FuncTable(module)
        self.funcs = self.symbols.funcs
        self.memo: dict = {}
        self._ops: dict[str, list] = {}     # transformation ops per function
        self._refs: dict[str, set] = {}
        for name, f in self.funcs.items():
            self._scan(name, f)
        self._clean: dict[str, bool] = {}

    def _scan(self, name: str, func_op) -> None:
        refs, ops = set(), []
        for op in _walk_ops(func_op):
            if is_transformation(op.name):
                ops.append(op)
            refs.update(referenced_functions(op))
        self._ops[name], self._refs[name] = ops, refs

    def rescan(self, names) -> None:
        """Re-read functions whose transformation ops were expanded."""
        for name in names:
            self._scan(name, self.funcs[name])
        self._clean.clear()

    def unique_name(self, base: str) -> str:
        """A name for a function about to be generated (see FuncTable.unique_name)."""
        return self.symbols.unique_name(base)

    def add(self, func_op) -> None:
        self.symbols.add(func_op)
        self._scan(symbol_name(func_op), func_op)
        self._clean.clear()

    def is_clean(self, name: str, _seen=None) -> bool:
        """Whether @name holds no transformation op, directly or through calls."""
        if name in self._clean:
            return self._clean[name]
        seen = _seen if _seen is not None else set()
        if name in seen:
            return True
        seen.add(name)
        clean = not self._ops[name] and all(self.is_clean(g, seen) for g in self._refs[name])
        self._clean[name] = clean
        return clean

    def ready(self, op_names) -> list[tuple[str, ir.Operation]]:
        """(enclosing function, op) of the `op_names` ops whose callee is clean."""
        return [(name, op) for name, ops in self._ops.items() for op in ops
                if op.name in op_names and self.is_clean(callee_of(op))]


def is_transformation(name: str) -> bool:
    """Whether ops of this name are transformations (jvp, vjp, linear_transpose, vmap)."""
    opdef = OPS.get(name)
    return opdef is not None and opdef.has(Transformation)


def require_body(state, name: str):
    """@name, which a transformation is about to walk: it must have a body."""
    f = state.funcs[name]
    if not len(f.regions[0].blocks):
        raise fail(f, f"@{name} has no body to transform (it is only declared)")
    return f


def referenced_functions(op: ir.Operation) -> list[str]:
    """The functions an op names (a call's callee, a custom rule's functions)."""
    attrs = op.attributes
    return [symbol_attr(op, a) for a in _symbol_attrs(op.name) if a in attrs]


def callee_of(op: ir.Operation) -> str:
    return symbol_attr(op, "callee")


def _walk_ops(func_op):
    ops = []

    def visit(op):
        ops.append(op)
        return ir.WalkResult.ADVANCE

    func_op.walk(visit)
    return ops[:-1]  # the func itself comes last in post-order


def in_region(op: ir.Operation) -> bool:
    """Whether `op` sits in a region of a plait region op rather than in a function body."""
    return op.parent.name != "func.func"


def emit_call(state, op: ir.Operation, callee: str, operands, result_types) -> list:
    """`func.call @callee` before `op`; inside a plait region op, where MLIR cannot resolve a
    call's symbol, the callee's body is cloned in instead."""
    with ir.InsertionPoint(op), op.location:
        if in_region(op):
            return call(state, callee, list(operands))
        c = ir.Operation.create("func.call", results=list(result_types), operands=list(operands),
                                attributes={"callee": ir.FlatSymbolRefAttr.get(callee)})
        return list(c.results)


def replace_with_call(op: ir.Operation, callee: str, operands, state=None) -> None:
    """Replace `op` by a call of @callee (see emit_call) with the same result types."""
    results = emit_call(state, op, callee, operands, [r.type for r in op.results])
    for old, new in zip(op.results, results):
        old.replace_all_uses_with(new)
    op.erase()


def body_ops(func_op) -> list:
    """The ops of a function's body, without the terminator."""
    ops = list(func_body(func_op).operations)
    return [o.operation for o in ops[:-1]]


# --- outlining regions and calling functions from regions -------------------------------------

def outline(state, region: ir.Region, base: str) -> str:
    """A private function computing what `region` yields from its block arguments."""
    block = region.blocks[0]
    types = [a.type for a in block.arguments]
    name = state.unique_name(base)
    f, fblock = new_func(state.module, name, types, ir.Location.unknown())
    mapping = dict(zip(block.arguments, fblock.arguments))
    ip = ir.InsertionPoint(fblock)
    ops = list(block.operations)
    for op in ops[:-1]:
        clone_into(op.operation, mapping, ip)
    y = ops[-1].operation
    finish_func(f, fblock, [mapping.get(v, v) for v in y.operands], y.location)
    state.add(f)
    return name


def call(state, name: str, operands) -> list:
    """The body of @name cloned at the insertion point, applied to `operands` (calls inside it
    inlined too): MLIR cannot resolve a func.call's symbol inside an unregistered op's
    region, so regions hold plain ops."""
    f = state.funcs[name]
    block = f.regions[0].blocks[0]
    mapping = dict(zip(block.arguments, operands))
    ip = ir.InsertionPoint.current
    ops = list(block.operations)
    for op in ops[:-1]:
        o = op.operation
        if o.name == "func.call":
            callee = symbol_attr(o, "callee")
            for r, v in zip(o.results, call(state, callee, [mapping.get(a, a)
                                                            for a in o.operands])):
                mapping[r] = v
        else:
            clone_into(o, mapping, ip)
    return [mapping.get(v, v) for v in ops[-1].operation.operands]


def region_block(region: ir.Region, types, loc) -> ir.Block:
    return region.blocks.append(*types, arg_locs=[loc] * len(types))


def emit_yield(values) -> None:
    C.yield_.build(list(values), None, {})


