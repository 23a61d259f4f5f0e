"""StableHLO (+ CHLO) → plait: the inverse of `plait-lower-to-stablehlo`.

`raise_rules[name](op) -> list[ir.Value]` builds plait ops for the StableHLO op `name` at the
insertion point (before `op`, at its location); the driver replaces `op`'s results with them
and erases it. An op whose declaration names its one-to-one StableHLO counterpart
(`stablehlo="stablehlo.sine"`) is raised to it with no rule of its own (the lowering table read
backwards), so a new op is raised for free; the rules of the others are in `plait/rules/`,
beside their lowerings. An op with no rule is an error at its location naming it.

The driver walks each function's top-level ops in order and never enters a region by itself:
a control-flow rule (while, case, if) raises its regions' ops with `raise_block` before it
moves them into a plait region op, while a rule whose region is a combiner (reduce, sort,
scatter) reads that region as StableHLO and checks it against the one its plait op lowers to
(`lowered_region`). `func.func`, `func.call` and `func.return` stay; a call inside a region is
inlined first (plait regions hold plain ops).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core.errors import PlaitError
from plait.dialect import OPS
from plait.dialect import control as C
from plait.dialect.base import rule_registrar
from plait.ir.funcs import FuncTable, clone_into, finish_func, new_func, symbol_attr
from plait.lowering.stablehlo import lower_to_stablehlo
from plait.transforms.base import Pass, fail, naming_rule
from plait.transforms.inline import inline_call

raise_rules: dict = {}
register = rule_registrar(raise_rules)
# `stablehlo.custom_call`s by target name (the kernels plait's own lowerings call)
custom_call_rules: dict = {}
register_custom_call = rule_registrar(custom_call_rules)

# Attributes a raised op may carry that change nothing plait computes.
IGNORED_ATTRS = frozenset({"mhlo.frontend_attributes", "mhlo.sharding", "result_accuracy",
                           "precision_config", "algorithm"})
# Ops that stay as they are (functions), or that their parent op's rule consumes.
KEPT = frozenset({"func.func", "func.call", "func.return", "stablehlo.return"})


def one_to_one() -> dict:
    """StableHLO op name -> the plait OpDef that declares it as its one-to-one lowering."""
    return _one_to_one(len(OPS))


@functools.lru_cache(maxsize=4)
def _one_to_one(n_ops: int) -> dict:  # (recomputed when an op is declared or forgotten)
    table: dict = {}
    for opdef in OPS.values():
        if opdef.stablehlo:
            table.setdefault(opdef.stablehlo, []).append(opdef)
    return {k: v[0] for k, v in table.items() if len(v) == 1}


def rule_for(name: str):
    """The raise rule of StableHLO op `name`: its own, else the plait op declaring it, else None."""
    rule = raise_rules.get(name)
    if rule is None:
        opdef = one_to_one().get(name)
        if opdef is not None:
            return functools.partial(simple, opdef)
    return rule


def attrs_of(op: ir.Operation) -> dict:
    a = op.attributes
    return {a[i].name: a[i].attr for i in range(len(a))}


def check_attrs(op: ir.Operation, known=()) -> None:
    """An attribute the rule does not read would be dropped silently: refuse it instead."""
    extra = sorted(set(attrs_of(op)) - IGNORED_ATTRS - set(known))
    if extra:
        raise fail(op, f"plait-raise-stablehlo: cannot raise '{op.name}' with attribute(s) "
                       f"{', '.join(extra)}")


def simple(opdef, op: ir.Operation, **params) -> list:
    """`op` as `opdef` on the same operands (its attributes none but `params`' sources)."""
    check_attrs(op)
    out = opdef(*op.operands, **params)
    return out if isinstance(out, list) else [out]


def ints(attr) -> tuple:
    """A DenseI64ArrayAttr or DenseIntElementsAttr as a tuple of ints."""
    return tuple(int(i) for i in np.array(attr).reshape(-1)) \
        if isinstance(attr, ir.DenseElementsAttr) else tuple(int(attr[i])
                                                            for i in range(len(attr)))


def dtype_of_type(t: ir.Type) -> np.dtype:
    return _aval.aval_of_type(t).dtype


@register("stablehlo.custom_call")
def _raise_custom_call(op: ir.Operation) -> list:
    target = ir.StringAttr(op.attributes["call_target_name"]).value
    rule = custom_call_rules.get(target)
    if rule is None:
        raise fail(op, f"plait-raise-stablehlo: cannot raise 'stablehlo.custom_call' @{target}: "
                       "plait has no op for it")
    return rule(op)


def backend_config(op: ir.Operation) -> dict:
    """A typed-FFI custom call's configuration (`mhlo.backend_config`), as Python ints."""
    if "mhlo.backend_config" not in op.attributes:
        return {}
    d = ir.DictAttr(op.attributes["mhlo.backend_config"])
    return {d[i].name: ir.IntegerAttr(d[i].attr).value for i in range(len(d))}


# --- regions --------------------------------------------------------------------------------

def raise_block(block: ir.Block) -> None:
    """Raise every op of `block`, in order (the terminator stays for the parent's rule)."""
    for o in list(block.operations):
        op = o.operation
        name = op.name
        if name in KEPT or name.startswith("plait."):
            continue
        rule = rule_for(name)
        if rule is None:
            raise fail(op, f"plait-raise-stablehlo: cannot raise '{name}': plait has no op "
                           "for it")
        try:
            with ir.InsertionPoint(op), op.location, naming_rule("raise", op):
                results = rule(op)
        except PlaitError as e:
            if getattr(e, "location", None) is not None:
                raise
            raise fail(op, f"plait-raise-stablehlo: '{name}': {e.bare_message}") from None
        if [v.type for v in results] != [r.type for r in op.results]:
            raise fail(op, f"plait-raise-stablehlo: '{name}' raised to values of types "
                           f"{[str(v.type) for v in results]}, not "
                           f"{[str(r.type) for r in op.results]}")
        for old, new in zip(op.results, results):
            old.replace_all_uses_with(new)
        op.erase()


def free_values(regions) -> list:
    """The values the ops of `regions` use but do not define, in order of first use."""
    defined, free = set(), []

    def visit(o):
        for r in o.regions:
            for b in r.blocks:
                defined.update(b.arguments)
        defined.update(o.results)
        return ir.WalkResult.ADVANCE

    uses = []

    def collect(o):
        uses.extend(o.operands)
        return ir.WalkResult.ADVANCE

    for region in regions:
        for b in region.blocks:
            defined.update(b.arguments)
            for o in b.operations:
                o.operation.walk(visit)
                o.operation.walk(collect)
    for v in uses:
        if v not in defined and v not in free:
            free.append(v)
    return free


def move_region(src: ir.Region, dst: ir.Region, arg_types, old_args, new_args_at,
                free, free_at) -> ir.Block:
    """Move `src`'s block into a new block of `dst` taking `arg_types`: its own arguments
    become the new arguments at `new_args_at`, the `free` values those at `free_at`, and its
    `stablehlo.return` a `plait.yield`."""
    old = src.blocks[0]
    block = dst.blocks.append(*arg_types, arg_locs=[ir.Location.unknown()] * len(arg_types))
    new_args = list(block.arguments)
    for a, i in zip(old_args, new_args_at):
        a.replace_all_uses_with(new_args[i])
    mapping = {v: new_args[i] for v, i in zip(free, free_at)}
    for o in list(old.operations):
        block.append(o.operation)

    def substitute(o):
        operands = o.operands
        for i, v in enumerate(list(operands)):
            if v in mapping:
                operands[i] = mapping[v]
        return ir.WalkResult.ADVANCE

    for o in block.operations:
        o.operation.walk(substitute)
    ret = block.operations[len(block.operations) - 1].operation
    with ir.InsertionPoint(ret), ret.location:
        C.yield_.build(list(ret.operands), None, {})
    ret.erase()
    return block


# --- combiner regions, compared with the ones plait lowers to -----------------------------

def region_signature(region: ir.Region, outputs=None) -> tuple:
    """What a single-block region computes, as a tuple: each op's name, attributes and operands
    (block arguments by position, results by op, constants by value); only the ops that the
    terminator's operands at `outputs` depend on, if given."""
    block = region.blocks[0]
    ops = [o.operation for o in block.operations]
    if outputs is not None:
        needed = {ops[-1].operands[i] for i in outputs}
        kept = []
        for op in reversed(ops[:-1]):
            if any(r in needed for r in op.results):
                kept.append(op)
                needed.update(op.operands)
        ops = kept[::-1] + [ops[-1]]
    names: dict = {a: f"arg{i}" for i, a in enumerate(block.arguments)}
    sig = []
    for op in ops:
        if op.name == "stablehlo.constant":
            names[op.results[0]] = op.get_asm().split("=", 1)[1].strip()
            continue
        operands = list(op.operands)
        if op is ops[-1] and outputs is not None:
            operands = [operands[i] for i in outputs]
        attrs = tuple(sorted((k, str(v)) for k, v in attrs_of(op).items()))
        sig.append((op.name, attrs, tuple(names.get(v, "?") for v in operands)))
        for k, r in enumerate(op.results):
            names[r] = f"{len(sig)}#{k}"
    return tuple(sig)


_CONSTANTS = frozenset({"stablehlo.constant", "plait.constant"})
_BROADCASTS = frozenset({"stablehlo.broadcast_in_dim", "plait.broadcast_in_dim"})


def constant_key(v: ir.Value) -> str:
    """A splat constant's value (through broadcasts) as text, else "value"."""
    owner = v.owner
    while not isinstance(owner, ir.Block) and owner.operation.name in _BROADCASTS:
        owner = owner.operation.operands[0].owner
    if isinstance(owner, ir.Block) or owner.operation.name not in _CONSTANTS:
        return "value"
    if isinstance(ir.ShapedType(v.type).element_type, ir.ComplexType):
        return "value"  # (the bindings cannot read complex elements)
    attr = ir.DenseElementsAttr(owner.operation.attributes["value"])
    return str(attr.get_splat_value()) if attr.is_splat else "value"


def _number(text: str, dtype: np.dtype) -> float:
    """A float as MLIR prints it: decimal, or the hex of its bits (NaN, inf)."""
    if text.startswith("0x"):
        bits = np.array(int(text, 16), np.uint32 if dtype.itemsize == 4 else np.uint64)
        return float(bits.view(dtype))
    return float(text)


def complex_array(op: ir.Operation, shape, dtype: np.dtype) -> np.ndarray:
    """The data of a complex constant op, read from its text: the bindings can neither read
    complex elements nor hand out the attribute."""
    text = op.get_asm(large_elements_limit=None)
    blob = re.search(r'dense<"0x([0-9A-Fa-f]*)">', text)
    if blob:
        return np.frombuffer(bytes.fromhex(blob.group(1)), dtype).reshape(shape).copy()
    part = np.dtype(f"f{dtype.itemsize // 2}")
    pairs = re.findall(r"\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)", text)
    values = np.array([complex(_number(a, part), _number(b, part)) for a, b in pairs], dtype)
    return np.full(shape, values[0], dtype) if len(values) == 1 else values.reshape(shape)


def op_signature(op: ir.Operation, outputs=None) -> tuple:
    """An op with one region as what `lowers_to_region` compares: its name, attributes, the
    constants among its operands, and its region's signature."""
    attrs = tuple(sorted((k, str(v)) for k, v in attrs_of(op).items() if k not in IGNORED_ATTRS))
    return (op.name, attrs, tuple(constant_key(v) for v in op.operands),
            region_signature(op.regions[0], outputs))


@functools.lru_cache(maxsize=256)
def _lowered_signature(opname: str, operand_types: tuple, params: tuple, hlo_name: str,
                       outputs):
    with ir.Location.unknown():
        module = ir.Module.create()
        types = [ir.Type.parse(t) for t in operand_types]
        f, block = new_func(module.operation, "template", types, ir.Location.unknown())
        with ir.InsertionPoint(block):
            results = OPS[opname](*block.arguments, **dict(params))
        results = results if isinstance(results, list) else [results]
        finish_func(f, block, results, ir.Location.unknown())
        lower_to_stablehlo(module.operation)
    found = []

    def visit(o):
        if o.name == hlo_name:
            found.append(op_signature(o, outputs))
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return found[0] if len(found) == 1 else None


def lowers_to_region(opdef, operands, params: dict, op: ir.Operation, outputs=None,
                     inits: bool = True) -> bool:
    """Whether `opdef`(operands, **params) lowers to one op like `op`: same name and
    attributes, the same constants where the lowering passes constants (its inits; unless not
    `inits`), and a region computing what `op`'s does (the region's results at `outputs`, if
    given)."""
    key = tuple(sorted((k, v) for k, v in params.items()))
    try:
        sig = _lowered_signature(opdef.name, tuple(str(v.type) for v in operands), key, op.name,
                                 outputs)
    except PlaitError:
        return False
    if sig is None:
        return False
    mine = op_signature(op, outputs)
    consts = tuple(m if s != "value" else s for s, m in zip(sig[2], mine[2]))
    mine = mine[:2] + (consts,) + mine[3:]
    if not inits:
        sig, mine = sig[:2] + sig[3:], mine[:2] + mine[3:]
    return sig == mine


# --- the pass -----------------------------------------------------------------------------

def _region_calls(module_op: ir.Operation) -> list:
    calls = []

    def visit(o):
        if o.name == "func.call" and o.parent.name != "func.func":
            calls.append(o)
        return ir.WalkResult.ADVANCE

    module_op.walk(visit)
    return calls


def _inline_region_calls(module_op: ir.Operation) -> None:
    """Inline the func.calls that sit in regions of ops (plait region ops hold plain ops)."""
    funcs = FuncTable(module_op)
    while calls := _region_calls(module_op):
        for c in calls:
            callee = funcs.funcs.get(symbol_attr(c, "callee"))
            if callee is None or not len(callee.regions[0].blocks):
                raise fail(c, "plait-raise-stablehlo: a call in a region needs the callee's body")
            inline_call(c, callee)


def raise_stablehlo(module_op: ir.Operation) -> None:
    """Raise every function of the module, in place."""
    _inline_region_calls(module_op)
    for f in list(module_op.regions[0].blocks[0].operations):
        if f.operation.name == "func.func" and len(f.operation.regions[0].blocks):
            raise_block(f.operation.regions[0].blocks[0])


def inline_into(module_op: ir.Operation, name: str, args, ip: ir.InsertionPoint) -> list:
    """Clone function @name's body at `ip` applied to `args`, calls inlined; its results."""
    funcs = FuncTable(module_op)

    def body(fname, values):
        block = funcs.funcs[fname].regions[0].blocks[0]
        mapping = dict(zip(block.arguments, values))
        ops = list(block.operations)
        for o in ops[:-1]:
            o = o.operation
            if o.name == "func.call":
                outs = body(symbol_attr(o, "callee"), [mapping.get(a, a) for a in o.operands])
                mapping.update(zip(o.results, outs))
            else:
                clone_into(o, mapping, ip)
        return [mapping.get(v, v) for v in ops[-1].operation.operands]

    return body(name, list(args))


@dataclass
class RaiseStableHLOPass(Pass):
    name = "plait-raise-stablehlo"
    summary = ("Raise StableHLO and CHLO into the plait dialect (the inverse of "
               "plait-lower-to-stablehlo).")

    def run(self, module):
        raise_stablehlo(module)
