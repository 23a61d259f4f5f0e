"""Functions and values in the IR: cloning with a value map, use queries, func.func helpers."""

from __future__ import annotations

from plait._mlir import ir


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


def lookup_func(module: ir.Operation, name: str):
    for op in module.regions[0].blocks[0].operations:
        if op.operation.name == "func.func" and symbol_name(op) == name:
            return op.operation
    raise KeyError(name)


def set_function_type(func_op, inputs, results) -> None:
    func_op.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(inputs, results))


def all_blocks(op: ir.Operation):
    """Every block nested in `op` (pre-order)."""
    for region in op.regions:
        for block in region.blocks:
            yield block
            for inner in block.operations:
                yield from all_blocks(inner.operation)


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
    names = {symbol_name(op) for op in module.regions[0].blocks[0].operations
             if op.operation.name == "func.func"}
    name, i = base, 0
    while name in names:
        i += 1
        name = f"{base}_{i}"
    return name
