"""plait → StableHLO: one lowering rule per op, applied as MLIR rewrite patterns.

`lowerings[name](op, params, operands, result_types) -> list[ir.Value]` builds StableHLO
(or CHLO) at the rewriter's insertion point; the pattern replaces the plait op with the
results. Result types come from the plait op, so no StableHLO type inference is needed. An op
that declares its one-to-one StableHLO counterpart (`stablehlo="stablehlo.sine"`) and has no
rule of its own lowers to it; the rules of the others are in `plait/rules/`. This module keeps
the table, the pass and the helpers the rules share.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from plait._mlir import hlo, ir, rewrite
from plait.core import aval as _aval
from plait.core import dtypes
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import rule_registrar
from plait.dialect.traits import CustomRule, Transformation
from plait.transforms.base import Pass, fail, naming_rule, option

lowerings: dict = {}
register = rule_registrar(lowerings)

# While it is lowered, a module names the PJRT platform it is lowered for (rules read it).
PLATFORM_ATTR = "plait.platform"
# Where a lowered module lists the custom-call targets it calls (the runtime prepares them).
CUSTOM_CALLS_ATTR = "plait.custom_call_targets"


def create(name: str, result_types, operands, attributes=None, regions: int = 0):
    return ir.Operation.create(name, results=list(result_types), operands=list(operands),
                               attributes=attributes or {}, regions=regions)


def _simple(hlo_name: str, op, params, operands, result_types):
    return list(create(hlo_name, result_types, operands).results)


def lowering_for(name: str):
    """An op's lowering: its own, else to the StableHLO op it declares, else None."""
    rule = lowerings.get(name)
    if rule is None:
        opdef = OPS.get(name)
        if opdef is not None and opdef.stablehlo:
            return functools.partial(_simple, opdef.stablehlo)
    return rule


def i64s(v) -> ir.Attribute:
    return ir.DenseI64ArrayAttr.get([int(i) for i in v])


def i64(v) -> ir.Attribute:
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(v))


def dtype_of(v: ir.Value) -> np.dtype:
    return _aval.aval_of(v).dtype


def scalar_const(dtype: np.dtype, value) -> ir.Value:
    if dtypes.is_complex(dtype):
        rdt = dtypes.real_dtype(dtype)
        re, im = scalar_const(rdt, complex(value).real), scalar_const(rdt, complex(value).imag)
        t = _aval.ir_type(_aval.ShapedArray((), dtype))
        return create("stablehlo.complex", [t], [re, im]).results[0]
    return dense_const(np.array(value, dtype))


def dense_const(arr: np.ndarray) -> ir.Value:
    attr = P.constant.attrs["value"].encode(arr)
    return create("stablehlo.constant", [attr.type], [], {"value": attr}).results[0]


def _compare_type(dtype: np.dtype) -> str:
    if dtypes.is_inexact(dtype):
        return "FLOAT"
    return "SIGNED" if dtype.kind == "i" else "UNSIGNED"


def compare(lhs: ir.Value, rhs: ir.Value, direction: str, result_type) -> ir.Value:
    attrs = {"comparison_direction": hlo.ComparisonDirectionAttr.get(direction),
             "compare_type": hlo.ComparisonTypeAttr.get(_compare_type(dtype_of(lhs)))}
    return create("stablehlo.compare", [result_type], [lhs, rhs], attrs).results[0]


_COMPLEX_ORDER = {"stablehlo.maximum": "GT", "stablehlo.minimum": "LT"}


def combine(name: str, a: ir.Value, b: ir.Value, result_type) -> ir.Value:
    """`name`(a, b). Complex max/min order (real, imag) lexicographically, as NumPy and JAX do;
    StableHLO's maximum/minimum on complex do not."""
    dt = dtype_of(a)
    if name not in _COMPLEX_ORDER or not dtypes.is_complex(dt):
        return create(name, [result_type], [a, b]).results[0]
    shape = _aval.aval_of(a).shape
    rt = _aval.ir_type(_aval.ShapedArray(shape, dtypes.real_dtype(dt)))
    bt = _aval.ir_type(_aval.ShapedArray(shape, dtypes.bool_))
    re_a, re_b, im_a, im_b = (create(part, [rt], [v]).results[0]
                              for part, v in (("stablehlo.real", a), ("stablehlo.real", b),
                                              ("stablehlo.imag", a), ("stablehlo.imag", b)))
    by_re = compare(re_a, re_b, _COMPLEX_ORDER[name], bt)
    by_im = compare(im_a, im_b, _COMPLEX_ORDER[name], bt)
    pick_a = create("stablehlo.select", [bt], [compare(re_a, re_b, "EQ", bt), by_im,
                                                 by_re]).results[0]

    def nan(re, im):
        return create("stablehlo.or", [bt], [compare(re, re, "NE", bt),
                                              compare(im, im, "NE", bt)]).results[0]

    # NaN propagates: a NaN operand wins (a's first)
    nan_a, nan_b = nan(re_a, im_a), nan(re_b, im_b)
    not_nan_b = create("stablehlo.not", [bt], [nan_b]).results[0]
    pick_a = create("stablehlo.and", [bt], [pick_a, not_nan_b]).results[0]
    pick_a = create("stablehlo.or", [bt], [pick_a, nan_a]).results[0]
    return create("stablehlo.select", [result_type], [pick_a, a, b]).results[0]


def scalar_type(v_type) -> ir.Type:
    return ir.RankedTensorType.get([], ir.RankedTensorType(v_type).element_type)


def binary_body(region: ir.Region, scalar_type, combine) -> None:
    block = region.blocks.append(scalar_type, scalar_type)
    with ir.InsertionPoint(block):
        out = combine(*block.arguments)
        create("stablehlo.return", [], [out])


def lowest(dt: np.dtype):
    if dt == dtypes.bool_:
        return False
    if dtypes.is_complex(dt):  # complex max/min order (real, imag) lexicographically
        return complex(-np.inf, -np.inf)
    return -np.inf if dtypes.is_float(dt) else np.iinfo(dt).min


def highest(dt: np.dtype):
    if dt == dtypes.bool_:
        return True
    if dtypes.is_complex(dt):
        return complex(np.inf, np.inf)
    return np.inf if dtypes.is_float(dt) else np.iinfo(dt).max


def move_body(src: ir.Region, dst: ir.Region, arg_types, arg_values=None) -> list:
    """Move src's block into a new block of dst taking `arg_types`; the old block arguments
    are replaced by `arg_values` (outer values), else by the new block's arguments. Returns
    the new block and the values the plait.yield yielded (the yield is erased). The walk lowers
    nested ops first, so the block holds StableHLO by then."""
    old = src.blocks[0]
    block = dst.blocks.append(*arg_types)
    targets = arg_values if arg_values is not None else list(block.arguments)
    for a, v in zip(old.arguments, targets):
        a.replace_all_uses_with(v)
    for op in list(old.operations):
        block.append(op.operation)
    y = block.operations[len(block.operations) - 1].operation
    values = list(y.operands)
    y.erase()
    return block, values


def target_platform() -> str:
    """The PJRT platform the module is lowered for ("cpu", "cuda", "rocm", ...): the rules whose
    StableHLO differs by platform (LAPACK or cuSOLVER custom calls) read it."""
    op = ir.InsertionPoint.current.block.owner.operation  # (rules run at their op's place)
    while op is not None and op.name != "builtin.module":
        op = op.parent
    attrs = op.attributes if op is not None else {}
    return ir.StringAttr(attrs[PLATFORM_ATTR]).value if PLATFORM_ATTR in attrs else "cpu"


def _layout(rank: int, column_major: bool) -> ir.Attribute:
    """minor_to_major of a row-major array, or of a stack of column-major matrices."""
    order = list(range(rank - 1, -1, -1))
    if column_major and rank >= 2:
        order = [rank - 2, rank - 1] + order[2:]
    return ir.DenseIntElementsAttr.get(np.asarray(order, np.int64), type=ir.IndexType.get())


def custom_call(target: str, operands, result_types, config: dict, *, aliases=(),
                column_major: bool = True, batch_dims: int | None = None) -> list:
    """A typed-FFI `stablehlo.custom_call` (api_version 4, `config` as its backend_config
    dictionary), as jaxlib's LAPACK and cuSOLVER kernels take them: leading dimensions are batch
    dimensions, and the operands and results of the largest operand rank are column-major
    matrices (without these layouts a kernel silently reads the transpose). `aliases` pairs
    (operand, result) that share a buffer; `batch_dims` defaults to the matrix batch rank."""
    ranks = [ir.RankedTensorType(v.type).rank for v in operands]
    top = max(ranks)
    out_ranks = [ir.RankedTensorType(t).rank for t in result_types]
    attrs = {
        "call_target_name": ir.StringAttr.get(target),
        "api_version": ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 4),
        "backend_config": ir.DictAttr.get(config),
        "operand_layouts": ir.ArrayAttr.get([_layout(r, column_major and r == top)
                                             for r in ranks]),
        "result_layouts": ir.ArrayAttr.get([_layout(r, column_major and r == top)
                                            for r in out_ranks]),
        # the kernels are registered batch-partitionable: Shardy keeps the call per shard
        "mhlo.frontend_attributes": ir.DictAttr.get(
            {"num_batch_dims": ir.StringAttr.get(str(top - 2 if batch_dims is None
                                                     else batch_dims))}),
    }
    if aliases:
        attrs["output_operand_aliases"] = ir.ArrayAttr.get([
            hlo.OutputOperandAlias.get(output_tuple_indices=[r] if len(result_types) > 1 else [],
                                       operand_index=o, operand_tuple_indices=[])
            for o, r in aliases])
    return list(create("stablehlo.custom_call", result_types, operands, attrs).results)


# --- the pass ---------------------------------------------------------------------------------

def _pattern(op, rewriter):
    name = op.operation.name
    rule = lowering_for(name)
    params = OPS[name].params_of(op.operation)
    with rewriter.ip, op.location, naming_rule("lowering", op.operation):
        results = rule(op, params, list(op.operands), [r.type for r in op.results])
    if len(results) != len(op.results):
        raise fail(op, f"the lowering of '{name}' returned {len(results)} values for "
                       f"{len(op.results)} results")
    keep_sharding(op.operation, results)
    rewriter.replace_op(op, results)


def keep_sharding(op, results) -> None:
    """Carry a plait op's propagated `sdy.sharding` onto the StableHLO op that replaces it."""
    if "sdy.sharding" not in op.attributes or not results:
        return
    owner = results[0].owner
    if isinstance(owner, ir.Block):
        return
    owner = owner.operation
    if len(owner.results) == len(results) and all(r.owner == results[0].owner for r in results):
        owner.attributes["sdy.sharding"] = op.attributes["sdy.sharding"]


@functools.cache
def _frozen_patterns(names: frozenset):
    patterns = rewrite.RewritePatternSet()
    for name in names:
        patterns.add(name, _pattern)
    return patterns.freeze()  # frozen once and kept: a second freeze segfaults


def lower_to_stablehlo(module_op: ir.Operation, platform: str = "cpu") -> None:
    """Rewrite every plait op into StableHLO for `platform` in one walk (each rule emits only
    StableHLO); the custom-call targets emitted are listed in the module's CUSTOM_CALLS_ATTR."""
    names = frozenset(n for n in OPS if lowering_for(n) is not None)
    module_op.attributes[PLATFORM_ATTR] = ir.StringAttr.get(platform)
    try:
        rewrite.walk_and_apply_patterns(module_op, _frozen_patterns(names))
    finally:
        del module_op.attributes[PLATFORM_ATTR]
    targets, left = set(), []

    def visit(op):
        if op.name == "stablehlo.custom_call":
            targets.add(ir.StringAttr(op.attributes["call_target_name"]).value)
        elif op.name.startswith("plait."):
            left.append(op)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module_op.walk(visit)
    if targets:
        module_op.attributes[CUSTOM_CALLS_ATTR] = ir.ArrayAttr.get(
            [ir.StringAttr.get(t) for t in sorted(targets)])
    if left:
        opdef = OPS.get(left[0].name)
        expanded = opdef is not None and (opdef.has(Transformation) or opdef.has(CustomRule))
        raise fail(left[0], f"'{left[0].name}' has no lowering to StableHLO"
                            + (" (expand transformations first)" if expanded else ""))


@dataclass
class LowerToStableHLOPass(Pass):
    name = "plait-lower-to-stablehlo"
    summary = "Rewrite plait ops into StableHLO/CHLO with one rewrite pattern per op."

    platform: str = option("cpu", "The PJRT platform compiled for (cpu, cuda, rocm): the "
                                  "decompositions lower to its solver library's custom calls")

    def run(self, module):
        lower_to_stablehlo(module, self.platform)
