"""Functions and values in the IR: cloning with a value map, use queries, func.func helpers."""

from __future__ import annotations

from plait._mlir import ir
from plait.core.errors import IRError
from plait.core.location import site_of


def clone_into(op: ir.Operation, mapping: dict, ip: ir.InsertionPoint) -> ir.Operation:
    """Clone `op` (with its regions) at `ip`, replacing operands found in `mapping`."""
    new = op.clone(ip=ip)
    operands = new.operands
    for i, v in enumerate(op.operands):
        m = mapping.get(v)
        if m is not None:
            operands[i] = m
    for old, res in zip(op.results, new.results):
        mapping[old] = res
    return new


def has_uses(v: ir.Value) -> bool:
    for _ in v.uses:
        return True
    return False


def is_dead(op: ir.Operation) -> bool:
    """A pure op whose results nobody uses (terminators have no results and never are)."""
    results = op.results
    return len(results) > 0 and not any(has_uses(r) for r in results)


def func_body(func_op) -> ir.Block:
    return func_op.regions[0].blocks[0]


def return_op(func_op) -> ir.Operation:
    ops = func_body(func_op).operations
    return ops[len(ops) - 1].operation


def function_type(func_op) -> ir.FunctionType:
    return ir.FunctionType(ir.TypeAttr(func_op.attributes["function_type"]).value)


def symbol_name(func_op) -> str:
    return ir.StringAttr(func_op.attributes["sym_name"]).value


def located_error(op: ir.Operation, message: str) -> IRError:
    """An IRError at `op`'s location (raise it)."""
    err = IRError(message, site=site_of(op.location))
    err.location = op.location
    return err


def symbol_attr(op: ir.Operation, name: str) -> str:
    """The function `op`'s attribute `name` refers to; an IRError at `op` naming the op and
    the attribute if that is not a symbol reference."""
    a = op.attributes[name]
    if not isinstance(a, ir.FlatSymbolRefAttr):
        raise located_error(op, f"'{op.name}' attribute '{name}' must be a symbol reference, "
                                f"got {a}")
    return a.value


def lookup_func(module: ir.Operation, name: str):
    """@name, found by a walk of the module's functions: for one-off lookups (a FuncTable
    answers repeated ones)."""
    for op in module.regions[0].blocks[0].operations:
        if op.operation.name == "func.func" and symbol_name(op) == name:
            return op.operation
    raise KeyError(name)


def set_function_type(func_op, inputs, results) -> None:
    func_op.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(inputs, results))


def all_blocks(op: ir.Operation):
    """Every block nested in `op` (pre-order; iterative, as nests may be deep)."""
    stack = [b for r in reversed(op.regions) for b in reversed(r.blocks)]
    while stack:
        block = stack.pop()
        yield block
        inner = [b for o in block.operations for r in o.operation.regions for b in r.blocks]
        stack.extend(reversed(inner))


def new_func(module: ir.Operation, name: str, arg_types, loc, attrs=None):
    """A private func.func appended to `module` (its body block is empty); returns
    (func op, entry block). `name` must be unused."""
    with ir.InsertionPoint(module.regions[0].blocks[0]), loc:
        f = ir.Operation.create(
            "func.func", regions=1,
            attributes={"sym_name": ir.StringAttr.get(name),
                        "function_type": ir.TypeAttr.get(ir.FunctionType.get(list(arg_types), [])),
                        "sym_visibility": ir.StringAttr.get("private"), **(attrs or {})})
    block = f.regions[0].blocks.append(*arg_types, arg_locs=[loc] * len(arg_types))
    return f, block


def finish_func(func_op, block, results, loc) -> None:
    with ir.InsertionPoint(block), loc:
        ir.Operation.create("func.return", operands=list(results))
    set_function_type(func_op, [a.type for a in block.arguments], [r.type for r in results])


def unique_symbol(module: ir.Operation, base: str) -> str:
    """A function name unused in `module` (one walk of it; a FuncTable hands out many)."""
    return FuncTable(module).unique_name(base)


class FuncTable:
    """A module's functions by name, kept up to date by whoever adds and erases functions
    through it, so that finding a callee or naming a new function costs a dict lookup, not a
    walk of the module (generating N functions is linear, not quadratic, in N).

    Like MLIR's SymbolTable, which renames a clash on `insert`; the bindings' renaming counts
    with one counter per table, so plait keeps one per base name: `base`, `base_1`, `base_2`.
    A name handed out stays taken, even before its function is added or after it is erased."""

    def __init__(self, module: ir.Operation):
        self.module = module
        self.funcs: dict[str, ir.Operation] = {
            symbol_name(op): op.operation for op in module.regions[0].blocks[0].operations
            if op.operation.name == "func.func"}
        self._taken = set(self.funcs)
        self._next: dict[str, int] = {}  # base -> the suffix to try first

    def __getitem__(self, name: str) -> ir.Operation:
        return self.funcs[name]

    def __contains__(self, name: str) -> bool:
        return name in self.funcs

    def unique_name(self, base: str) -> str:
        i = self._next.get(base, 0)
        name = f"{base}_{i}" if i else base
        while name in self._taken:
            i += 1
            name = f"{base}_{i}"
        self._next[base] = i + 1
        self._taken.add(name)
        return name

    def add(self, func_op) -> None:
        name = symbol_name(func_op)
        self.funcs[name] = func_op
        self._taken.add(name)

    def erase(self, name: str) -> None:
        self.funcs.pop(name).erase()
