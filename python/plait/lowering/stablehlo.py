"""plait → StableHLO: one lowering rule per op, applied as MLIR rewrite patterns.

`lowerings[name](op, params, operands, result_types) -> list[ir.Value]` builds StableHLO
(or CHLO) at the rewriter's insertion point; the pattern replaces the plait op with the
results. Result types come from the plait op, so no StableHLO type inference is needed.
"""

from __future__ import annotations

import functools

import numpy as np

from plait._mlir import hlo, ir, rewrite
from plait.core import aval as _aval
from plait.core import dtypes
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import rule_registrar
from plait.transforms.base import Pass, fail

TRANSFORM_OPS = ("plait.jvp", "plait.vjp", "plait.vmap", "plait.linear_transpose",
                 "plait.custom_jvp_call", "plait.custom_vjp_call", "plait.custom_lin")

lowerings: dict = {}


def create(name: str, result_types, operands, attributes=None, regions: int = 0):
    return ir.Operation.create(name, results=list(result_types), operands=list(operands),
                               attributes=attributes or {}, regions=regions)


def _simple(hlo_name: str, op, params, operands, result_types):
    return list(create(hlo_name, result_types, operands).results)


_SIMPLE = {
    P.neg: "stablehlo.negate",
    P.exp: "stablehlo.exponential", P.log: "stablehlo.log", P.log1p: "stablehlo.log_plus_one",
    P.expm1: "stablehlo.exponential_minus_one", P.sqrt: "stablehlo.sqrt",
    P.rsqrt: "stablehlo.rsqrt", P.sin: "stablehlo.sine", P.cos: "stablehlo.cosine",
    P.tan: "stablehlo.tan", P.tanh: "stablehlo.tanh", P.logistic: "stablehlo.logistic",
    P.erf: "chlo.erf", P.floor: "stablehlo.floor", P.ceil: "stablehlo.ceil",
    P.round: "stablehlo.round_nearest_even", P.is_finite: "stablehlo.is_finite",
    P.not_: "stablehlo.not", P.real: "stablehlo.real", P.imag: "stablehlo.imag",
    P.add: "stablehlo.add", P.sub: "stablehlo.subtract", P.mul: "stablehlo.multiply",
    P.div: "stablehlo.divide", P.rem: "stablehlo.remainder", P.pow: "stablehlo.power",
    P.atan2: "stablehlo.atan2",
    P.and_: "stablehlo.and", P.or_: "stablehlo.or", P.xor: "stablehlo.xor",
    P.complex: "stablehlo.complex", P.select: "stablehlo.select", P.clamp: "stablehlo.clamp",
}
for _op, _name in _SIMPLE.items():
    lowerings[_op.name] = functools.partial(_simple, _name)


register = rule_registrar(lowerings)


def i64s(v) -> ir.Attribute:
    return ir.DenseI64ArrayAttr.get([int(i) for i in v])


def i64(v) -> ir.Attribute:
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(v))


def _dtype_of(v: ir.Value) -> np.dtype:
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


def _compare(lhs: ir.Value, rhs: ir.Value, direction: str, result_type) -> ir.Value:
    attrs = {"comparison_direction": hlo.ComparisonDirectionAttr.get(direction),
             "compare_type": hlo.ComparisonTypeAttr.get(_compare_type(_dtype_of(lhs)))}
    return create("stablehlo.compare", [result_type], [lhs, rhs], attrs).results[0]


@register(P.compare)
def _lower_compare(op, params, operands, result_types):
    return [_compare(*operands, params["direction"], result_types[0])]


_COMPLEX_ORDER = {"stablehlo.maximum": "GT", "stablehlo.minimum": "LT"}


def _combine(name: str, a: ir.Value, b: ir.Value, result_type) -> ir.Value:
    """`name`(a, b). Complex max/min order (real, imag) lexicographically, as NumPy and JAX do;
    StableHLO's maximum/minimum on complex do not."""
    dt = _dtype_of(a)
    if name not in _COMPLEX_ORDER or not dtypes.is_complex(dt):
        return create(name, [result_type], [a, b]).results[0]
    shape = _aval.aval_of(a).shape
    rt = _aval.ir_type(_aval.ShapedArray(shape, dtypes.real_dtype(dt)))
    bt = _aval.ir_type(_aval.ShapedArray(shape, dtypes.bool_))
    re_a, re_b, im_a, im_b = (create(part, [rt], [v]).results[0]
                              for part, v in (("stablehlo.real", a), ("stablehlo.real", b),
                                              ("stablehlo.imag", a), ("stablehlo.imag", b)))
    by_re = _compare(re_a, re_b, _COMPLEX_ORDER[name], bt)
    by_im = _compare(im_a, im_b, _COMPLEX_ORDER[name], bt)
    pick_a = create("stablehlo.select", [bt], [_compare(re_a, re_b, "EQ", bt), by_im,
                                                 by_re]).results[0]

    def nan(re, im):
        return create("stablehlo.or", [bt], [_compare(re, re, "NE", bt),
                                              _compare(im, im, "NE", bt)]).results[0]

    # NaN propagates: a NaN operand wins (a's first)
    nan_a, nan_b = nan(re_a, im_a), nan(re_b, im_b)
    not_nan_b = create("stablehlo.not", [bt], [nan_b]).results[0]
    pick_a = create("stablehlo.and", [bt], [pick_a, not_nan_b]).results[0]
    pick_a = create("stablehlo.or", [bt], [pick_a, nan_a]).results[0]
    return create("stablehlo.select", [result_type], [pick_a, a, b]).results[0]


def _lower_minmax(name: str, op, params, operands, result_types):
    return [_combine(name, *operands, result_types[0])]


lowerings[P.max.name] = functools.partial(_lower_minmax, "stablehlo.maximum")
lowerings[P.min.name] = functools.partial(_lower_minmax, "stablehlo.minimum")


@register(P.abs)
def _lower_abs(op, params, operands, result_types):
    (x,) = operands
    if dtypes.is_unsigned(_dtype_of(x)):  # StableHLO's abs is for signed types
        return [x]
    return [create("stablehlo.abs", result_types, [x]).results[0]]


@register(P.sign)
def _lower_sign(op, params, operands, result_types):
    (x,) = operands
    dt = _dtype_of(x)
    if not dtypes.is_unsigned(dt):
        return [create("stablehlo.sign", result_types, [x]).results[0]]
    zero = create("stablehlo.broadcast_in_dim", [x.type], [scalar_const(dt, 0)],
                   {"broadcast_dimensions": i64s([])}).results[0]
    bt = _aval.ir_type(_aval.aval_of(x).update(dtype=dtypes.bool_))
    return [create("stablehlo.convert", result_types, [_compare(x, zero, "NE", bt)]).results[0]]


@register(P.convert)
def _lower_convert(op, params, operands, result_types):
    (x,) = operands
    src, dst = _dtype_of(x), params["new_dtype"]
    if dst == dtypes.bool_ and src != dtypes.bool_:
        zero = create("stablehlo.broadcast_in_dim", [x.type],
                       [scalar_const(src, 0)], {"broadcast_dimensions": i64s([])}).results[0]
        return [_compare(x, zero, "NE", result_types[0])]
    if dtypes.is_complex(src) and not dtypes.is_complex(dst):
        x = create("stablehlo.real", [_aval.ir_type(_aval.aval_of(x).update(
            dtype=dtypes.real_dtype(src)))], [x]).results[0]
    return [create("stablehlo.convert", result_types, [x]).results[0]]


@register(P.constant)
def _lower_constant(op, params, operands, result_types):
    return list(create("stablehlo.constant", result_types, [],
                        {"value": op.attributes["value"]}).results)


@register(P.iota)
def _lower_iota(op, params, operands, result_types):
    return list(create("stablehlo.iota", result_types, [],
                        {"iota_dimension": i64(params["dimension"])}).results)


@register(P.broadcast_in_dim)
def _lower_broadcast(op, params, operands, result_types):
    return list(create("stablehlo.broadcast_in_dim", result_types, operands,
                        {"broadcast_dimensions": i64s(params["broadcast_dimensions"])}).results)


@register(P.reshape)
def _lower_reshape(op, params, operands, result_types):
    return list(create("stablehlo.reshape", result_types, operands).results)


@register(P.transpose)
def _lower_transpose(op, params, operands, result_types):
    return list(create("stablehlo.transpose", result_types, operands,
                        {"permutation": i64s(params["permutation"])}).results)


@register(P.slice)
def _lower_slice(op, params, operands, result_types):
    attrs = {k: i64s(params[k]) for k in ("start_indices", "limit_indices", "strides")}
    return list(create("stablehlo.slice", result_types, operands, attrs).results)


@register(P.dynamic_slice)
def _lower_dynamic_slice(op, params, operands, result_types):
    if not params["slice_sizes"]:  # rank 0: its operand (StableHLO prints `sizes = []`, which
        return [operands[0]]       # does not parse back)
    return list(create("stablehlo.dynamic_slice", result_types, operands,
                        {"slice_sizes": i64s(params["slice_sizes"])}).results)


@register(P.dynamic_update_slice)
def _lower_dus(op, params, operands, result_types):
    return list(create("stablehlo.dynamic_update_slice", result_types, operands).results)


@register(P.concatenate)
def _lower_concatenate(op, params, operands, result_types):
    return list(create("stablehlo.concatenate", result_types, operands,
                        {"dimension": i64(params["dimension"])}).results)


@register(P.pad)
def _lower_pad(op, params, operands, result_types):
    attrs = {k: i64s(params[k])
             for k in ("edge_padding_low", "edge_padding_high", "interior_padding")}
    return list(create("stablehlo.pad", result_types, operands, attrs).results)


@register(P.rev)
def _lower_rev(op, params, operands, result_types):
    return list(create("stablehlo.reverse", result_types, operands,
                        {"dimensions": i64s(params["dimensions"])}).results)


@register(P.gather)
def _lower_gather(op, params, operands, result_types):
    dn = hlo.GatherDimensionNumbers.get(
        offset_dims=list(params["offset_dims"]),
        collapsed_slice_dims=list(params["collapsed_slice_dims"]),
        operand_batching_dims=list(params["operand_batching_dims"]),
        start_indices_batching_dims=list(params["start_indices_batching_dims"]),
        start_index_map=list(params["start_index_map"]),
        index_vector_dim=params["index_vector_dim"])
    attrs = {"dimension_numbers": dn, "slice_sizes": i64s(params["slice_sizes"]),
             "indices_are_sorted": ir.BoolAttr.get(bool(params["indices_are_sorted"]))}
    return list(create("stablehlo.gather", result_types, operands, attrs).results)


def scalar_type(v_type) -> ir.Type:
    return ir.RankedTensorType.get([], ir.RankedTensorType(v_type).element_type)


def binary_body(region: ir.Region, scalar_type, combine) -> None:
    block = region.blocks.append(scalar_type, scalar_type)
    with ir.InsertionPoint(block):
        out = combine(*block.arguments)
        create("stablehlo.return", [], [out])


@register(P.scatter)
def _lower_scatter(op, params, operands, result_types):
    dn = hlo.ScatterDimensionNumbers.get(
        update_window_dims=list(params["update_window_dims"]),
        inserted_window_dims=list(params["inserted_window_dims"]),
        input_batching_dims=list(params["input_batching_dims"]),
        scatter_indices_batching_dims=list(params["scatter_indices_batching_dims"]),
        scattered_dims_to_operand_dims=list(params["scatter_dims_to_operand_dims"]),
        index_vector_dim=params["index_vector_dim"])
    attrs = {"scatter_dimension_numbers": dn,
             "indices_are_sorted": ir.BoolAttr.get(bool(params["indices_are_sorted"])),
             "unique_indices": ir.BoolAttr.get(bool(params["unique_indices"]))}
    new = create("stablehlo.scatter", result_types, operands, attrs, regions=1)
    st = scalar_type(result_types[0])
    if params["mode"] == "set":
        binary_body(new.regions[0], st, lambda old, upd: upd)
    else:
        binary_body(new.regions[0], st,
                     lambda a, b: create("stablehlo.add", [st], [a, b]).results[0])
    return list(new.results)


_REDUCERS = {
    P.reduce_sum: ("stablehlo.add", lambda dt: 0),
    P.reduce_prod: ("stablehlo.multiply", lambda dt: 1),
    P.reduce_max: ("stablehlo.maximum", lambda dt: _lowest(dt)),
    P.reduce_min: ("stablehlo.minimum", lambda dt: _highest(dt)),
    P.reduce_and: ("stablehlo.and", lambda dt: True if dt == dtypes.bool_ else np.array(-1).astype(dt)),
    P.reduce_or: ("stablehlo.or", lambda dt: 0),
}


def _lowest(dt: np.dtype):
    if dt == dtypes.bool_:
        return False
    if dtypes.is_complex(dt):  # complex max/min order (real, imag) lexicographically
        return complex(-np.inf, -np.inf)
    return -np.inf if dtypes.is_float(dt) else np.iinfo(dt).min


def _highest(dt: np.dtype):
    if dt == dtypes.bool_:
        return True
    if dtypes.is_complex(dt):
        return complex(np.inf, np.inf)
    return np.inf if dtypes.is_float(dt) else np.iinfo(dt).max


def _reduce(x: ir.Value, init: ir.Value, axes, combine_name: str, result_type) -> ir.Value:
    new = create("stablehlo.reduce", [result_type], [x, init],
                  {"dimensions": i64s(axes)}, regions=1)
    st = init.type
    binary_body(new.regions[0], st, lambda a, b: _combine(combine_name, a, b, st))
    return new.results[0]


def _lower_reduce(combine_name, init_of, op, params, operands, result_types):
    (x,) = operands
    dt = _dtype_of(x)
    init = scalar_const(dt, init_of(dt))
    return [_reduce(x, init, params["axes"], combine_name, result_types[0])]


for _op, (_name, _init) in _REDUCERS.items():
    lowerings[_op.name] = functools.partial(_lower_reduce, _name, _init)


def _lower_argreduce(direction: str, op, params, operands, result_types):
    """Reduce (value, index) pairs; NaN wins, then the smaller index, as NumPy."""
    (x,) = operands
    xa = _aval.aval_of(x)
    axis, idx_dt = params["axis"], params["index_dtype"]
    idx_type = _aval.ir_type(xa.update(dtype=idx_dt))
    iota = create("stablehlo.iota", [idx_type], [], {"iota_dimension": i64(axis)}).results[0]
    init_v = scalar_const(xa.dtype, _lowest(xa.dtype) if direction == "GT" else _highest(xa.dtype))
    init_i = scalar_const(idx_dt, 0)
    vt, it = init_v.type, init_i.type
    val_out = _aval.ir_type(_aval.aval_of_type(result_types[0]).update(dtype=xa.dtype))
    new = create("stablehlo.reduce", [val_out, result_types[0]], [x, iota, init_v, init_i],
                  {"dimensions": i64s([axis])}, regions=1)
    block = new.regions[0].blocks.append(vt, it, vt, it)
    bool_t = _aval.ir_type(_aval.ShapedArray((), dtypes.bool_))
    with ir.InsertionPoint(block):
        av, ai, bv, bi = block.arguments
        pick_a = _compare(av, bv, direction, bool_t)
        if dtypes.is_float(xa.dtype):
            a_nan = _compare(av, av, "NE", bool_t)
            pick_a = create("stablehlo.or", [bool_t], [pick_a, a_nan]).results[0]
        eq = _compare(av, bv, "EQ", bool_t)
        a_first = _compare(ai, bi, "LT", bool_t)
        tie = create("stablehlo.and", [bool_t], [eq, a_first]).results[0]
        pick_a = create("stablehlo.or", [bool_t], [pick_a, tie]).results[0]
        v = create("stablehlo.select", [vt], [pick_a, av, bv]).results[0]
        i = create("stablehlo.select", [it], [pick_a, ai, bi]).results[0]
        create("stablehlo.return", [], [v, i])
    return [new.results[1]]


lowerings[P.argmax.name] = functools.partial(_lower_argreduce, "GT")
lowerings[P.argmin.name] = functools.partial(_lower_argreduce, "LT")


@register(P.cumsum)
def _lower_cumsum(op, params, operands, result_types):
    (x,) = operands
    xa = _aval.aval_of(x)
    axis, n = params["axis"], xa.shape[params["axis"]]
    if n == 0:  # StableHLO windows cannot be empty; the sum of nothing is nothing
        return [x]
    window = [1] * xa.ndim
    window[axis] = n
    padding = np.zeros((xa.ndim, 2), np.int64)
    padding[axis] = (0, n - 1) if params["reverse"] else (n - 1, 0)
    attrs = {"window_dimensions": i64s(window),
             "padding": ir.DenseElementsAttr.get(padding)}
    init = scalar_const(xa.dtype, 0)
    new = create("stablehlo.reduce_window", result_types, [x, init], attrs, regions=1)
    st = init.type
    binary_body(new.regions[0], st,
                 lambda a, b: create("stablehlo.add", [st], [a, b]).results[0])
    return list(new.results)


@register(P.dot_general)
def _lower_dot_general(op, params, operands, result_types):
    dn = hlo.DotDimensionNumbers.get(
        lhs_batching_dimensions=list(params["lhs_batching_dimensions"]),
        rhs_batching_dimensions=list(params["rhs_batching_dimensions"]),
        lhs_contracting_dimensions=list(params["lhs_contracting_dimensions"]),
        rhs_contracting_dimensions=list(params["rhs_contracting_dimensions"]))
    return list(create("stablehlo.dot_general", result_types, operands,
                        {"dot_dimension_numbers": dn}).results)


# --- the pass ---------------------------------------------------------------------------------

def _pattern(op, rewriter):
    name = op.operation.name
    rule = lowerings[name]
    params = OPS[name].params_of(op.operation)
    with rewriter.ip, op.location:
        results = rule(op, params, list(op.operands), [r.type for r in op.results])
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
def _frozen_patterns():
    patterns = rewrite.RewritePatternSet()
    for name in lowerings:
        patterns.add(name, _pattern)
    return patterns.freeze()  # frozen once and kept: a second freeze segfaults


def lower_to_stablehlo(module_op: ir.Operation) -> None:
    """Rewrite every plait op into StableHLO in one walk (each rule emits only StableHLO)."""
    rewrite.walk_and_apply_patterns(module_op, _frozen_patterns())
    left = []

    def visit(op):
        if op.name.startswith("plait."):
            left.append(op)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module_op.walk(visit)
    if left:
        raise fail(left[0], f"'{left[0].name}' has no lowering to StableHLO"
                            + (" (expand transformations first)" if left[0].name in
                               TRANSFORM_OPS else ""))


class LowerToStableHLOPass(Pass):
    name = "plait-lower-to-stablehlo"
    summary = "Rewrite plait ops into StableHLO/CHLO with one rewrite pattern per op."

    def run(self, module):
        lower_to_stablehlo(module)
