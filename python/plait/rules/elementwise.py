"""The rules of the elementwise ops (`dialect/elementwise.py`): JVP, transpose of the linear
ones, lowering of those with no one-to-one StableHLO op, simplification folds.

Their batching and sharding rules, and the lowering of the others, follow from their traits
and declarations. A new elementwise op with a derivative is its declaration plus one
`defderivative` here.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from plait._mlir import hlo, ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.builders import add_any, full_like, zeros_like
from plait.dialect.traits import Commutative
from plait.lowering.raising import check_attrs, dtype_of_type, register_custom_call
from plait.lowering.raising import register as raise_rule
from plait.lowering.raising import simple as raise_simple
from plait.lowering.stablehlo import (
    combine,
    compare,
    create,
    dtype_of,
    i64s,
    register,
    scalar_const,
)
from plait.transforms.jvp import defjvp, jvp_rule, zero_jvp
from plait.transforms.simplify import (
    defining_op,
    fold,
    fold_same_type,
    is_splat,
    splat_value,
)
from plait.transforms.transpose import deftranspose, is_linear

# --- JVP ---------------------------------------------------------------------------------------

jvp_rule(P.sign, P.floor, P.ceil, P.round, P.is_finite, P.not_, P.and_, P.or_, P.xor,
         P.compare, P.stop_gradient)(zero_jvp)


@defjvp(P.add)
def _add_jvp(primals, tangents, outs):
    return [add_any(*tangents)]


@defjvp(P.sub)
def _sub_jvp(primals, tangents, outs):
    tx, ty = tangents
    if ty is None:
        return [tx]
    return [P.neg(ty) if tx is None else P.sub(tx, ty)]


def _scaled(t, factor):
    return None if t is None else P.mul(t, factor)


def defderivative(op):
    """Register the JVP rule of a unary op y = op(x) from its derivative, given as
    `fn(x, y) -> dy/dx` (y is the op's result, for derivatives that reuse it)."""

    def deco(fn):
        @defjvp(op)
        def rule(primals, tangents, outs):
            return [_scaled(tangents[0], fn(primals[0], outs[0]))]
        return fn
    return deco


defderivative(P.exp)(lambda x, y: y)
defderivative(P.log)(lambda x, y: P.div(full_like(x, 1), x))
defderivative(P.log1p)(lambda x, y: P.div(full_like(x, 1), P.add(x, full_like(x, 1))))
defderivative(P.expm1)(lambda x, y: P.add(y, full_like(y, 1)))
defderivative(P.sqrt)(lambda x, y: P.div(full_like(y, 0.5), y))
defderivative(P.rsqrt)(lambda x, y: P.div(P.mul(y, full_like(y, -0.5)), x))
defderivative(P.sin)(lambda x, y: P.cos(x))
defderivative(P.cos)(lambda x, y: P.neg(P.sin(x)))
defderivative(P.tan)(lambda x, y: P.add(full_like(y, 1), P.mul(y, y)))
defderivative(P.tanh)(lambda x, y: P.sub(full_like(y, 1), P.mul(y, y)))
defderivative(P.logistic)(lambda x, y: P.mul(y, P.sub(full_like(y, 1), y)))
defderivative(P.erf)(
    lambda x, y: P.mul(full_like(x, 2 / math.sqrt(math.pi)), P.exp(P.neg(P.mul(x, x)))))
defderivative(P.sinh)(lambda x, y: P.cosh(x))
defderivative(P.cosh)(lambda x, y: P.sinh(x))
# jax's forms: 1/sqrt(1 - x^2), -1/sqrt(1 - x^2), 1/(1 + x^2), 1/sqrt(x^2 + 1), 1/sqrt(x^2 - 1),
# 1/((1 + x)(1 - x))
defderivative(P.asin)(lambda x, y: P.rsqrt(P.sub(full_like(x, 1), P.mul(x, x))))
defderivative(P.acos)(lambda x, y: P.neg(P.rsqrt(P.sub(full_like(x, 1), P.mul(x, x)))))
defderivative(P.atan)(lambda x, y: P.div(full_like(x, 1), P.add(full_like(x, 1), P.mul(x, x))))
defderivative(P.asinh)(lambda x, y: P.rsqrt(P.add(P.mul(x, x), full_like(x, 1))))
defderivative(P.acosh)(lambda x, y: P.rsqrt(P.sub(P.mul(x, x), full_like(x, 1))))
defderivative(P.atanh)(lambda x, y: P.div(full_like(x, 1), P.mul(
    P.add(full_like(x, 1), x), P.sub(full_like(x, 1), x))))
defderivative(P.cbrt)(lambda x, y: P.div(full_like(y, 1 / 3), P.mul(y, y)))
defderivative(P.erfc)(
    lambda x, y: P.mul(full_like(x, -2 / math.sqrt(math.pi)), P.exp(P.neg(P.mul(x, x)))))
defderivative(P.exp2)(lambda x, y: P.mul(full_like(y, math.log(2)), y))


@defjvp(P.integer_pow)
def _integer_pow_jvp(primals, tangents, outs, y):
    (x,), (t,) = primals, tangents
    if t is None or y == 0:
        return [None]
    if y == 1:
        return [t]
    return [P.mul(t, P.mul(full_like(x, y), x if y == 2 else P.integer_pow(x, y=y - 1)))]


@defjvp(P.abs)
def _abs_jvp(primals, tangents, outs):
    (x,), (t,) = primals, tangents
    if t is None:
        return [None]
    if dtypes.is_complex(aval_of(x).dtype):
        y = outs[0]
        safe = P.select(P.compare(y, full_like(y, 0), direction="EQ"), full_like(y, 1), y)
        conj_x = P.complex(P.real(x), P.neg(P.imag(x)))
        return [P.div(P.real(P.mul(conj_x, t)), safe)]
    # select, not t * sign(x): the derivative at 0 is +1, as in jax
    return [P.select(P.compare(x, full_like(x, 0), direction="GE"), t, P.neg(t))]


@defjvp(P.mul)
def _mul_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    return [add_any(_scaled(tx, y), None if ty is None else P.mul(x, ty))]


@defjvp(P.div)
def _div_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    a = None if tx is None else P.div(tx, y)
    # -ty * x / y / y, all linear ops: the residuals are x and y (as in jax), where
    # ty * (out / y) would store out / y, one more array of out's size
    b = None if ty is None else P.neg(P.div(P.div(P.mul(ty, x), y), y))
    return [add_any(a, b)]


@defjvp(P.rem)
def _rem_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    if ty is None:
        return [tx]
    q = P.div(x, y)
    trunc = P.mul(P.sign(q), P.floor(P.abs(q)))
    return [add_any(tx, P.neg(P.mul(ty, trunc)))]


@defjvp(P.pow)
def _pow_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    out = outs[0]
    a = b = None
    if tx is not None:
        # d/dx x**y = y * x**(y-1): a select only at x == y == 0 (taken as 0, not 0 * inf),
        # with x replaced there too, so no nan reaches the derivatives of the other branch.
        # Elsewhere the formula is kept whole: its own derivatives in y are those of x**y.
        zero = full_like(y, 0)
        at_00 = P.and_(P.compare(x, zero, direction="EQ"), P.compare(y, zero, direction="EQ"))
        x_safe = P.select(at_00, full_like(x, 1), x)
        dx = P.select(at_00, zero, P.mul(y, P.pow(x_safe, P.sub(y, full_like(y, 1)))))
        a = P.mul(tx, dx)
    if ty is not None:
        is_zero = P.compare(x, full_like(x, 0), direction="EQ")
        dy = P.select(is_zero, full_like(x, 0), P.mul(out, P.log(P.select(
            is_zero, full_like(x, 1), x))))
        b = P.mul(ty, dy)
    return [add_any(a, b)]


def _balanced(x, y, out):
    """1 where x alone attains `out`, 1/2 on ties, else 0 (jax's max/min convention)."""
    one, half, zero = full_like(x, 1), full_like(x, 0.5), full_like(x, 0)
    x_hit = P.compare(x, out, direction="EQ")
    tie = P.compare(x, y, direction="EQ")
    return P.select(tie, half, P.select(x_hit, one, zero))


@defjvp(P.max, P.min)
def _minmax_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    out = outs[0]
    a = None if tx is None else P.mul(tx, _balanced(x, y, out))
    b = None if ty is None else P.mul(ty, _balanced(y, x, out))
    return [add_any(a, b)]


@defjvp(P.atan2)
def _atan2_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    denom = P.add(P.mul(x, x), P.mul(y, y))
    a = None if tx is None else P.div(P.mul(tx, y), denom)
    b = None if ty is None else P.neg(P.div(P.mul(ty, x), denom))
    return [add_any(a, b)]


@defjvp(P.clamp)
def _clamp_jvp(primals, tangents, outs):
    """jax's convention: at x == lo or x == hi no operand gets the tangent; lo's tangent
    passes where x < lo < hi, hi's where hi < x."""
    lo, x, hi = primals
    tlo, tx, thi = tangents
    lt = lambda a, b: P.compare(a, b, direction="LT")
    below = P.and_(lt(x, lo), lt(lo, hi))
    inside = P.and_(lt(lo, x), lt(x, hi))
    pick = lambda mask, t: None if t is None else P.select(mask, t, zeros_like(t))
    return [add_any(add_any(pick(inside, tx), pick(below, tlo)), pick(lt(hi, x), thi))]


@defjvp(P.convert)
def _convert_jvp(primals, tangents, outs, new_dtype):
    (t,) = tangents
    if t is None or not dtypes.is_inexact(new_dtype):
        return [None]
    return [P.convert(t, new_dtype=new_dtype)]


# --- transposition ------------------------------------------------------------------------------

@deftranspose(P.neg)
def _neg_t(cts, operands):
    return [P.neg(cts[0])]


@deftranspose(P.add)
def _add_t(cts, operands):
    return [cts[0] if is_linear(x) else None for x in operands]


@deftranspose(P.sub)
def _sub_t(cts, operands):
    x, y = operands
    return [cts[0] if is_linear(x) else None, P.neg(cts[0]) if is_linear(y) else None]


@deftranspose(P.mul)
def _mul_t(cts, operands):
    x, y = operands
    return [P.mul(cts[0], y) if is_linear(x) else None,
            P.mul(x, cts[0]) if is_linear(y) else None]


@deftranspose(P.div)
def _div_t(cts, operands):
    return [P.div(cts[0], operands[1]), None]


@deftranspose(P.convert)
def _convert_t(cts, operands, new_dtype):
    (x,) = operands
    ct = cts[0]
    src = x.aval.dtype
    if dtypes.is_complex(new_dtype) and not dtypes.is_complex(src):
        ct = P.real(ct)
        return [P.convert(ct, new_dtype=src) if aval_of(ct).dtype != src else ct]
    return [P.convert(ct, new_dtype=src)]


@deftranspose(P.reduce_precision)
def _reduce_precision_t(cts, operands, exponent_bits, mantissa_bits):
    return [P.reduce_precision(cts[0], exponent_bits=exponent_bits, mantissa_bits=mantissa_bits)]


@deftranspose(P.real)
def _real_t(cts, operands):
    (ct,) = cts
    return [P.complex(ct, full_like(ct, 0))]


@deftranspose(P.imag)
def _imag_t(cts, operands):
    (ct,) = cts
    return [P.complex(full_like(ct, 0), P.neg(ct))]


@deftranspose(P.complex)
def _complex_t(cts, operands):
    (ct,) = cts
    re, im = operands
    return [P.real(ct) if is_linear(re) else None, P.neg(P.imag(ct)) if is_linear(im) else None]


@deftranspose(P.select)
def _select_t(cts, operands):
    p, a, b = operands
    (ct,) = cts
    zeros = full_like(ct, 0)
    return [None, P.select(p, ct, zeros) if is_linear(a) else None,
            P.select(p, zeros, ct) if is_linear(b) else None]


@deftranspose(P.select_n)
def _select_n_t(cts, operands):
    which, *cases = operands
    (ct,) = cts
    zeros = full_like(ct, 0)
    return [None] + [P.select_n(which, *[ct if j == i else zeros for j in range(len(cases))])
                     if is_linear(c) else None for i, c in enumerate(cases)]


# --- lowering ---------------------------------------------------------------------------------

@register(P.select_n)
def _lower_select_n(op, params, operands, result_types):
    """A tree of stablehlo.select: `which < mid` picks from the lower half (as jax lowers it)."""
    which, *cases = operands
    t = result_types[0]
    wa = aval_of(which)
    if wa.dtype == dtypes.bool_:
        return [cases[0] if len(cases) == 1 else
                create("stablehlo.select", [t], [which, cases[1], cases[0]]).results[0]]
    bt = _aval.ir_type(wa.update(dtype=dtypes.bool_))

    def pick(offset, cs):
        if len(cs) == 1:
            return cs[0]
        mid = len(cs) // 2
        bound = create("stablehlo.broadcast_in_dim", [which.type],
                       [scalar_const(wa.dtype, offset + mid)],
                       {"broadcast_dimensions": i64s([])}).results[0]
        lower = compare(which, bound, "LT", bt)
        return create("stablehlo.select", [t], [lower, pick(offset, cs[:mid]),
                                                pick(offset + mid, cs[mid:])]).results[0]
    return [pick(0, cases)]


@register(P.compare)
def _lower_compare(op, params, operands, result_types):
    return [compare(*operands, params["direction"], result_types[0])]


def _lower_minmax(name: str, op, params, operands, result_types):
    return [combine(name, *operands, result_types[0])]


register(P.max)(functools.partial(_lower_minmax, "stablehlo.maximum"))
register(P.min)(functools.partial(_lower_minmax, "stablehlo.minimum"))


@register(P.abs)
def _lower_abs(op, params, operands, result_types):
    (x,) = operands
    if dtypes.is_unsigned(dtype_of(x)):  # StableHLO's abs is for signed types
        return [x]
    return [create("stablehlo.abs", result_types, [x]).results[0]]


@register(P.stop_gradient)
def _lower_stop_gradient(op, params, operands, result_types):
    return list(operands)  # only the derivative passes see it


@register(P.sign)
def _lower_sign(op, params, operands, result_types):
    (x,) = operands
    dt = dtype_of(x)
    if not dtypes.is_unsigned(dt):
        return [create("stablehlo.sign", result_types, [x]).results[0]]
    zero = _splat_like(x, 0)
    bt = _aval.ir_type(_aval.aval_of(x).update(dtype=dtypes.bool_))
    return [create("stablehlo.convert", result_types, [compare(x, zero, "NE", bt)]).results[0]]


def _splat_like(x, value):
    return create("stablehlo.broadcast_in_dim", [x.type], [scalar_const(dtype_of(x), value)],
                  {"broadcast_dimensions": i64s([])}).results[0]


@register(P.exp2)  # exp(log(2) x), as jax lowers it
def _lower_exp2(op, params, operands, result_types):
    (x,) = operands
    scaled = create("stablehlo.multiply", [x.type], [_splat_like(x, math.log(2)), x]).results[0]
    return [create("stablehlo.exponential", result_types, [scaled]).results[0]]


@register(P.integer_pow)  # repeated squaring, as jax lowers it; 1 / x**-y for y < 0
def _lower_integer_pow(op, params, operands, result_types):
    (x,), y = operands, params["y"]
    if y == 0:
        return [_splat_like(x, 1)]
    def mul(a, b):
        return create("stablehlo.multiply", [x.type], [a, b]).results[0]

    acc, base, n = None, x, abs(y)
    while n:
        if n & 1:
            acc = base if acc is None else mul(acc, base)
        n >>= 1
        if n:
            base = mul(base, base)
    if y < 0:
        acc = create("stablehlo.divide", [x.type], [_splat_like(x, 1), acc]).results[0]
    return [acc]


@register(P.reduce_precision)
def _lower_reduce_precision(op, params, operands, result_types):
    i32 = ir.IntegerType.get_signless(32)
    return [create("stablehlo.reduce_precision", result_types, operands, {
        "exponent_bits": ir.IntegerAttr.get(i32, params["exponent_bits"]),
        "mantissa_bits": ir.IntegerAttr.get(i32, params["mantissa_bits"])}).results[0]]


@register(P.convert)
def _lower_convert(op, params, operands, result_types):
    (x,) = operands
    src, dst = dtype_of(x), params["new_dtype"]
    if dst == dtypes.bool_ and src != dtypes.bool_:
        zero = create("stablehlo.broadcast_in_dim", [x.type],
                       [scalar_const(src, 0)], {"broadcast_dimensions": i64s([])}).results[0]
        return [compare(x, zero, "NE", result_types[0])]
    if dtypes.is_complex(src) and not dtypes.is_complex(dst):
        x = create("stablehlo.real", [_aval.ir_type(_aval.aval_of(x).update(
            dtype=dtypes.real_dtype(src)))], [x]).results[0]
    return [create("stablehlo.convert", result_types, [x]).results[0]]


# --- simplification ----------------------------------------------------------------------------

# x+0, x-0, x*1, x/1; and 0+x, 1*x, as the op is Commutative
_IDENTITIES = {P.add.name: 0, P.sub.name: 0, P.mul.name: 1, P.div.name: 1}


@fold(P.add, P.sub, P.mul, P.div)
def _fold_identity(op, params):
    identity = _IDENTITIES[op.name]
    a, b = op.operands
    if is_splat(b, identity):
        return a
    if OPS[op.name].has(Commutative) and is_splat(a, identity):
        return b


@fold(P.neg)
def _fold_neg(op, params):
    inner = defining_op(op.operands[0])
    if inner is not None and inner.name == P.neg.name:
        return inner.operands[0]


fold(P.convert)(fold_same_type)


@fold(P.select)
def _fold_select(op, params):
    p, a, b = op.operands
    s = splat_value(p)
    if isinstance(s, (bool, int, np.bool_)) and s in (0, 1):
        return a if s else b
    if a == b:
        return a


# --- raising (StableHLO -> plait) ----------------------------------------------------------------

@raise_rule("stablehlo.compare")
def _raise_compare(op):
    check_attrs(op, ("comparison_direction", "compare_type"))
    direction = hlo.ComparisonDirectionAttr(op.attributes["comparison_direction"]).value
    x, y = op.operands
    if ("compare_type" in op.attributes and dtypes.is_float(dtype_of(x))
            and hlo.ComparisonTypeAttr(op.attributes["compare_type"]).value == "TOTALORDER"):
        x, y = _total_order_key(x), _total_order_key(y)
    return [P.compare(x, y, direction=direction)]


def _total_order_key(x):
    """A signed integer whose order is IEEE totalOrder on the float x (-NaN < -inf < -0 < 0 <
    inf < NaN): its bits, with the magnitude bits flipped where the sign is set."""
    dt = dtype_of(x)
    idt = np.dtype(f"i{dt.itemsize}")
    i = P.bitcast_convert(x, new_dtype=idt)
    shape = _aval.aval_of(x).shape
    bits = 8 * dt.itemsize

    def full(v):
        return P.broadcast_in_dim(P.constant(value=np.array(v, idt)), shape=shape,
                                  broadcast_dimensions=())

    sign = P.shift_right_arithmetic(i, full(bits - 1))
    return P.xor(i, P.and_(sign, full(np.iinfo(idt).max)))


@raise_rule("chlo.square")
def _raise_square(op):
    check_attrs(op)
    (x,) = op.operands
    return [P.mul(x, x)]


@raise_rule("stablehlo.round_nearest_afz")
def _raise_round_afz(op):
    """Round half away from zero: half-even rounding, but at an exact half the truncation
    plus the sign (exact in floating point; x + 0.5 would round 0.49999997 up)."""
    check_attrs(op)
    (x,) = op.operands
    s = P.sign(x)
    t = P.mul(s, P.floor(P.abs(x)))
    half = P.compare(P.abs(P.sub(x, t)), full_like(x, 0.5), direction="EQ")
    return [P.select(half, P.add(t, s), P.round(x))]


@raise_rule("stablehlo.convert")
def _raise_convert(op):
    check_attrs(op)
    return [P.convert(op.operands[0], new_dtype=dtype_of_type(op.results[0].type))]


for _hlo, _op in (("stablehlo.maximum", P.max), ("stablehlo.minimum", P.min)):
    raise_rule(_hlo)(functools.partial(raise_simple, _op))
for _hlo, _op in (("stablehlo.abs", P.abs), ("stablehlo.sign", P.sign)):
    raise_rule(_hlo)(functools.partial(raise_simple, _op))


def _broadcast_to(v, shape):
    """A scalar operand StableHLO allows beside arrays (select's predicate, clamp's bounds)."""
    if _aval.aval_of(v).shape == tuple(shape):
        return v
    return P.broadcast_in_dim(v, shape=tuple(shape), broadcast_dimensions=())


@raise_rule("stablehlo.select")
def _raise_select(op):
    check_attrs(op)
    pred, x, y = op.operands
    return [P.select(_broadcast_to(pred, _aval.aval_of(x).shape), x, y)]


@raise_rule("stablehlo.clamp")
def _raise_clamp(op):
    check_attrs(op)
    lo, x, hi = op.operands
    shape = _aval.aval_of(x).shape
    return [P.clamp(_broadcast_to(lo, shape), x, _broadcast_to(hi, shape))]


@register_custom_call("plait.stop_gradient")  # how plait.from_jax has jax lower stop_gradient
def _raise_stop_gradient(op):
    return [P.stop_gradient(op.operands[0])]
