"""NumPy's ufunc-style elementwise functions beyond `_core`'s: inverse and hyperbolic
trigonometry, logarithms and exponentials in other bases, floating-point manipulation
(copysign, frexp, ldexp, nextafter, spacing, signbit), integer functions (gcd, lcm, shifts,
bit counts) and predicates. Numerics follow jax.numpy's (logaddexp's stable form and its
derivative at infinities, sinc's derivatives at 0); promotion is plait.numpy's (JAX's).
"""

from __future__ import annotations

import math

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitTypeError
from plait.custom import custom_jvp
from plait.numpy._core import (
    _unary_inexact,
    arctan2,
    asarray,
    ceil,
    floor,
    floor_divide,
    imag,
    invert,
    is_array,
    isinf,
    isnan,
    logical_or,
    numpy_function,
    power,
    promote_broadcast,
    promote_inexact,
    remainder,
    where,
)
from plait.numpy._reductions import any as _any

arcsin = asin = _unary_inexact(lax.asin, "arcsin")
arccos = acos = _unary_inexact(lax.acos, "arccos")
arctan = atan = _unary_inexact(lax.atan, "arctan")
arcsinh = asinh = _unary_inexact(lax.asinh, "arcsinh")
arccosh = acosh = _unary_inexact(lax.acosh, "arccosh")
arctanh = atanh = _unary_inexact(lax.atanh, "arctanh")
sinh = _unary_inexact(lax.sinh, "sinh")
cosh = _unary_inexact(lax.cosh, "cosh")
cbrt = _unary_inexact(lax.cbrt, "cbrt")
exp2 = _unary_inexact(lax.exp2, "exp2")
atan2 = arctan2
bitwise_not = bitwise_invert = invert
pow = power


def _array(x):
    return x if is_array(x) else asarray(x)


def _like(x, value):
    return lax.full(x.shape, value, x.dtype)


def _no_complex(name, x):
    if dtypes.is_complex(x.dtype):
        raise PlaitTypeError(f"{name} is not defined for complex numbers, got {x.dtype}")


def _inexact(name, *args, real=False):
    """args promoted to one inexact dtype and broadcast; `real`: complex is an error."""
    out = promote_inexact(*args)
    if real:
        _no_complex(name, out[0])
    return out


# --- logarithms and exponentials ---------------------------------------------------------------

def _scaled_log(x, scale):
    """log(x) * scale, part by part for complex x (jax's log2 and log10)."""
    r = lax.log(x)
    if dtypes.is_complex(x.dtype):
        re, im = lax.real(r), lax.imag(r)
        return lax.complex(scale(re), scale(im))
    return scale(r)


@numpy_function()
def log2(x):
    (x,) = _inexact("log2", x)
    return _scaled_log(x, lambda r: lax.div(r, _like(r, math.log(2))))


@numpy_function()
def log10(x):
    (x,) = _inexact("log10", x)
    return _scaled_log(x, lambda r: lax.mul(r, _like(r, 1 / math.log(10))))


def _wrap_between(x, a):
    """x wrapped into [-a, a)."""
    r = lax.rem(lax.add(x, _like(x, a)), _like(x, 2 * a))
    r = lax.select(lax.lt(r, _like(r, 0)), lax.add(r, _like(r, 2 * a)), r)
    return lax.sub(r, _like(r, a))


def _replace_inf(x):
    """x with +inf (in the real part) replaced by 0: where the output is +inf, the slopes
    exp(x_i - out) are then exp(x_i) (0 or 1), not nan."""
    re = lax.real(x) if dtypes.is_complex(x.dtype) else x
    return lax.select(lax.eq(re, _like(re, np.inf)), _like(x, 0), x)


def _logaddexp_in(exp, log1p_exp_scale, period):
    """jax's logaddexp (exp = lax.exp) or logaddexp2 (lax.exp2): max + log1p(exp(-|x1 - x2|)),
    where a nan difference (nans, or infinities of one sign) gives x1 + x2; its JVP weighs each
    tangent by exp(x_i - out), infinities taken out."""

    @custom_jvp
    def f(x1, x2):
        amax = lax.max(x1, x2)
        if dtypes.is_float(x1.dtype):
            delta = lax.sub(x1, x2)
            soft = lax.mul(_like(amax, log1p_exp_scale), lax.log1p(exp(lax.neg(lax.abs(delta)))))
            return lax.select(lax.ne(delta, delta), lax.add(x1, x2), lax.add(amax, soft))
        delta = lax.sub(lax.add(x1, x2), lax.mul(amax, _like(amax, 2)))
        out = lax.add(amax, lax.mul(_like(amax, log1p_exp_scale), lax.log1p(exp(delta))))
        return lax.complex(lax.real(out), _wrap_between(lax.imag(out), period))

    @f.defjvp
    def f_jvp(primals, tangents):
        (x1, x2), (t1, t2) = primals, tangents
        out = f(x1, x2)

        def slope(x):
            return exp(lax.sub(_replace_inf(x), _replace_inf(out)))

        return out, lax.add(lax.mul(t1, slope(x1)), lax.mul(t2, slope(x2)))

    return f


_logaddexp = _logaddexp_in(lax.exp, 1.0, math.pi)
_logaddexp2 = _logaddexp_in(lax.exp2, 1 / math.log(2), math.pi / math.log(2))


@numpy_function()
def logaddexp(x1, x2):
    """log(exp(x1) + exp(x2)) without overflow."""
    return _logaddexp(*_inexact("logaddexp", x1, x2))


@numpy_function()
def logaddexp2(x1, x2):
    """log2(2**x1 + 2**x2) without overflow."""
    return _logaddexp2(*_inexact("logaddexp2", x1, x2))


@numpy_function()
def float_power(x1, x2):
    """x1 ** x2 in an inexact dtype (JAX's: not widened to float64 as NumPy's)."""
    return lax.pow(*_inexact("float_power", x1, x2))


# --- angles --------------------------------------------------------------------------------------

@numpy_function()
def deg2rad(x):
    (x,) = _inexact("deg2rad", x)
    return lax.mul(x, _like(x, math.pi / 180))


@numpy_function()
def rad2deg(x):
    (x,) = _inexact("rad2deg", x)
    return lax.mul(x, _like(x, 180 / math.pi))


radians, degrees = deg2rad, rad2deg


@numpy_function()
def hypot(x1, x2):
    """sqrt(x1**2 + x2**2) without overflow: max * sqrt(1 + (min/max)**2); inf if either is."""
    x1, x2 = _inexact("hypot", x1, x2, real=True)
    x1, x2 = lax.abs(x1), lax.abs(x2)
    inf = logical_or(lax.eq(x1, _like(x1, np.inf)), lax.eq(x2, _like(x2, np.inf)))
    hi, lo = lax.max(x1, x2), lax.min(x1, x2)
    zero = lax.eq(hi, _like(hi, 0))
    ratio = lax.div(lo, lax.select(zero, _like(hi, 1), hi))
    out = lax.mul(hi, lax.sqrt(lax.add(_like(hi, 1), lax.mul(ratio, ratio))))
    return lax.select(inf, _like(out, np.inf), lax.select(zero, hi, out))


# sin(y)/y = sum_n (-1)^n y^(2n) / (2n+1)!: taken where y = 0, its derivatives there are exact
# to the 9th order (jax's custom rule gives every order)
_SINC_TAYLOR = tuple((-1) ** n / math.factorial(2 * n + 1) for n in range(5))


def _sinc_taylor(y):
    y2 = lax.mul(y, y)
    acc = _like(y, _SINC_TAYLOR[-1])
    for c in reversed(_SINC_TAYLOR[:-1]):
        acc = lax.add(lax.mul(acc, y2), _like(y, c))
    return acc


@numpy_function()
def sinc(x):
    """sin(pi x) / (pi x), 1 at 0, where its derivatives are those of the function."""
    (x,) = _inexact("sinc", x)
    at_zero = lax.eq(x, _like(x, 0))
    pi_x = lax.mul(_like(x, math.pi), x)
    safe = lax.select(at_zero, _like(x, 1), pi_x)
    return lax.select(at_zero, _sinc_taylor(pi_x), lax.div(lax.sin(safe), safe))


@numpy_function(static=("deg",))
def angle(z, deg=False):
    """The argument of z (radians, or degrees with `deg`); real z gives 0 or pi."""
    z = _array(z)
    if dtypes.is_complex(z.dtype):
        re, im = lax.real(z), lax.imag(z)
    else:
        (re,) = promote_inexact(z)
        im = _like(re, 0)
    out = lax.atan2(im, re)
    return rad2deg(out) if deg else out


# --- floating-point manipulation -----------------------------------------------------------------

@numpy_function()
def fabs(x):
    (x,) = _inexact("fabs", x, real=True)
    return lax.abs(x)


def _bits_type(dt):
    return {2: dtypes.int16, 4: dtypes.int32, 8: dtypes.int64}[dt.itemsize]


@numpy_function()
def signbit(x):
    """Whether the sign bit is set (True for -0.0 and nans with the bit set)."""
    x = _array(x)
    if x.dtype == dtypes.bool_ or dtypes.is_unsigned(x.dtype):
        return lax.full(x.shape, False, dtypes.bool_)
    if dtypes.is_integer(x.dtype):
        return lax.lt(x, _like(x, 0))
    _no_complex("signbit", x)
    bits = lax.bitcast_convert_type(x, _bits_type(x.dtype))
    return lax.lt(bits, _like(bits, 0))


def _copysign(x1, x2):
    return lax.select(signbit(x2), lax.neg(lax.abs(x1)), lax.abs(x1))


@numpy_function()
def copysign(x1, x2):
    """|x1| with the sign bit of x2."""
    return _copysign(*_inexact("copysign", x1, x2, real=True))


@numpy_function()
def nextafter(x1, x2):
    return lax.nextafter(*_inexact("nextafter", x1, x2, real=True))


@numpy_function()
def spacing(x):
    """The distance from x to the next float away from zero (NumPy's: toward +inf in
    float16; the smallest subnormal, signed, where that distance rounds to 0)."""
    (x,) = _inexact("spacing", x, real=True)
    inf = _like(x, np.inf)
    if x.dtype == dtypes.float16:
        return lax.select(isinf(x), _like(x, np.nan), lax.sub(lax.nextafter(x, inf), x))
    out = lax.sub(lax.nextafter(x, _copysign(inf, x)), x)
    tiny = _copysign(_like(x, dtypes.finfo(x.dtype).smallest_subnormal), x)
    return lax.select(lax.eq(out, _like(out, 0)), tiny, out)


def _frexp_parts(x):
    """(mantissa in [0.5, 1), int exponent) from the bits of x (subnormals scaled up first);
    0, inf and nan are their own mantissa, with exponent 0."""
    info = dtypes.finfo(x.dtype)
    it = _bits_type(x.dtype)
    mask, bias = (1 << info.nexp) - 1, 1 - info.minexp
    sub = lax.lt(lax.abs(x), _like(x, info.tiny))
    x1 = lax.select(sub, lax.mul(x, _like(x, 2.0 ** info.nmant)), x)
    e = lax.select(sub, lax.full(x.shape, -info.nmant, it), lax.full(x.shape, 0, it))
    bits = lax.bitcast_convert_type(x1, it)
    biased = lax.bitwise_and(lax.shift_right_logical(bits, lax.full(x.shape, info.nmant, it)),
                             lax.full(x.shape, mask, it))
    e = lax.add(e, lax.sub(biased, lax.full(x.shape, bias - 1, it)))
    bits = lax.bitwise_and(bits, lax.full(x.shape, ~(mask << info.nmant), it))
    bits = lax.bitwise_or(bits, lax.full(x.shape, (bias - 1) << info.nmant, it))
    m = lax.bitcast_convert_type(bits, x.dtype)
    special = logical_or(logical_or(isinf(x), isnan(x)), lax.eq(x, _like(x, 0)))
    e = lax.select(special, lax.full(x.shape, 0, it), e)
    return lax.select(special, x, m), lax.convert_element_type(e, dtypes.int32)


@custom_jvp
def _frexp_mantissa(x):
    return _frexp_parts(x)[0]


@_frexp_mantissa.defjvp
def _frexp_mantissa_jvp(primals, tangents):
    """m = x * 2**-e with e piecewise constant: the slope is 2**-e (jax's)."""
    (x,), (t,) = primals, tangents
    m, e = _frexp_parts(x)
    return m, lax.mul(t, lax.exp2(lax.neg(lax.convert_element_type(e, x.dtype))))


@numpy_function()
def frexp(x):
    """(m, e) with x = m * 2**e, 0.5 <= |m| < 1 and e an int32."""
    (x,) = _inexact("frexp", x, real=True)
    return _frexp_mantissa(x), _frexp_parts(x)[1]


@numpy_function()
def ldexp(x1, x2):
    """x1 * 2**x2 for an integer x2, scaled in two steps so a small x1 and a large x2 do not
    overflow on the way (jax's)."""
    x1, x2 = _array(x1), _array(x2)
    if dtypes.is_complex(x1.dtype) or dtypes.is_inexact(x2.dtype):
        raise PlaitTypeError(f"ldexp takes a real x1 and an integer x2, got {x1.dtype} and "
                             f"{x2.dtype}")
    (x1,) = promote_inexact(x1)
    x1, x2 = promote_broadcast(x1, lax.convert_element_type(x2, x1.dtype))
    m, e = frexp(x1)
    e = lax.add(lax.convert_element_type(e, x1.dtype), x2)
    up = lax.gt(e, _like(e, 0))  # the exponent may overflow by one and the product not
    m = lax.select(up, lax.mul(m, _like(m, 2)), m)
    e = lax.select(up, lax.sub(e, _like(e, 1)), e)
    out = lax.mul(m, lax.pow(_like(e, 2), e))
    return lax.select(logical_or(isinf(x1), lax.eq(x1, _like(x1, 0))), x1, out)


@numpy_function()
def modf(x):
    """(fractional part, integral part), both with the sign of x (C's modf: modf(-2.0) is
    (-0.0, -2.0), modf(inf) is (0.0, inf))."""
    (x,) = _inexact("modf", x, real=True)
    whole = lax.select(lax.ge(x, _like(x, 0)), floor(x), ceil(x))
    frac = lax.select(isinf(x), _like(x, 0), lax.sub(x, whole))
    return _copysign(frac, x), whole


@numpy_function()
def rint(x):
    """Round to the nearest integer, halves to even; integers become floats (jax's)."""
    x = _array(x)
    if dtypes.is_complex(x.dtype):
        return lax.complex(lax.round(lax.real(x)), lax.round(lax.imag(x)))
    (x,) = promote_inexact(x)
    return lax.round(x)


@numpy_function()
def fix(x):
    """Round toward zero; integers are kept (NumPy's)."""
    x = _array(x)
    if not dtypes.is_float(x.dtype):
        _no_complex("fix", x)
        return x
    return lax.select(lax.lt(x, _like(x, 0)), ceil(x), floor(x))


# --- comparisons and predicates ------------------------------------------------------------------

@numpy_function()
def fmax(x1, x2):
    """Elementwise maximum that ignores a nan (nan only where both are)."""
    x1, x2 = promote_broadcast(x1, x2)
    return where(logical_or(lax.gt(x1, x2), isnan(x2)), x1, x2)


@numpy_function()
def fmin(x1, x2):
    """Elementwise minimum that ignores a nan (nan only where both are)."""
    x1, x2 = promote_broadcast(x1, x2)
    return where(logical_or(lax.lt(x1, x2), isnan(x2)), x1, x2)


@numpy_function()
def heaviside(x1, x2):
    """0 where x1 < 0, 1 where x1 > 0, x2 where x1 == 0, nan where x1 is nan."""
    x1, x2 = _inexact("heaviside", x1, x2, real=True)
    zero, one = _like(x1, 0), _like(x1, 1)
    return lax.select(lax.lt(x1, zero), zero, lax.select(lax.gt(x1, zero), one, lax.select(
        isnan(x1), x1, x2)))


def _isinf_of_sign(name, x, value):
    x = _array(x)
    _no_complex(name, x)
    if not dtypes.is_float(x.dtype):
        return lax.full(x.shape, False, dtypes.bool_)
    return lax.eq(x, _like(x, value))


@numpy_function()
def isposinf(x):
    return _isinf_of_sign("isposinf", x, np.inf)


@numpy_function()
def isneginf(x):
    return _isinf_of_sign("isneginf", x, -np.inf)


@numpy_function()
def isreal(x):
    """Whether each imaginary part is 0 (True for every real element)."""
    i = imag(x)
    return lax.eq(i, _like(i, 0))


@numpy_function()
def iscomplex(x):
    """Whether each imaginary part is nonzero."""
    i = imag(x)
    return lax.ne(i, _like(i, 0))


@numpy_function(jit=False)
def iscomplexobj(x) -> bool:
    """Whether x has a complex dtype (a Python bool, from its type alone)."""
    if isinstance(x, (complex, np.complexfloating)):
        return True
    if x is None or isinstance(x, (bool, int, float, str, np.generic)):
        return False
    dt = x.dtype if hasattr(x, "dtype") else np.asarray(x).dtype
    return dtypes.is_complex(np.dtype(dt))


@numpy_function(jit=False)
def isrealobj(x) -> bool:
    return not iscomplexobj(x)


@numpy_function()
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """nan -> `nan`, inf -> `posinf`, -inf -> `neginf` (default: the dtype's largest and
    lowest finite values); complex parts separately; integers unchanged."""
    x = _array(x)
    if not dtypes.is_inexact(x.dtype):
        return x
    if dtypes.is_complex(x.dtype):
        return lax.complex(nan_to_num(lax.real(x), nan=nan, posinf=posinf, neginf=neginf),
                           nan_to_num(lax.imag(x), nan=nan, posinf=posinf, neginf=neginf))
    info = dtypes.finfo(x.dtype)

    def fill(v, default):
        return _like(x, default) if v is None else lax.convert_element_type(_array(v), x.dtype)

    out = where(isnan(x), fill(nan, 0), x)
    out = where(lax.eq(out, _like(out, np.inf)), fill(posinf, float(info.max)), out)
    return where(lax.eq(out, _like(out, -np.inf)), fill(neginf, float(info.min)), out)


# --- integers -------------------------------------------------------------------------------------

def _integers(name, *args):
    out = promote_broadcast(*args)
    if not dtypes.is_integer(out[0].dtype):
        raise PlaitTypeError(f"{name} takes integer operands, got {out[0].dtype}")
    return out


@numpy_function()
def left_shift(x1, x2):
    return lax.shift_left(*_integers("left_shift", x1, x2))


@numpy_function()
def right_shift(x1, x2):
    """x1 >> x2: arithmetic for signed integers, logical for unsigned."""
    x1, x2 = _integers("right_shift", x1, x2)
    shift = lax.shift_right_logical if dtypes.is_unsigned(x1.dtype) else \
        lax.shift_right_arithmetic
    return shift(x1, x2)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


@numpy_function()
def bitwise_count(x):
    """The number of 1 bits in |x|, as uint8 (NumPy's)."""
    x = _array(x)
    if x.dtype == dtypes.bool_:
        x = lax.convert_element_type(x, dtypes.uint8)
    (x,) = _integers("bitwise_count", x)
    if not dtypes.is_unsigned(x.dtype):
        x = lax.abs(x)
    return lax.convert_element_type(lax.population_count(x), dtypes.uint8)


def _gcd_step(xs):
    """One Euclid step on every element, the larger first; a finished pair stays."""
    a, b = xs
    zero = _like(b, 0)
    done = lax.eq(b, zero)
    a, b = lax.select(done, a, b), lax.select(done, zero, lax.rem(a, b))
    swap = lax.lt(a, b)
    return lax.select(swap, b, a), lax.select(swap, a, b)


@numpy_function()
def gcd(x1, x2):
    """The greatest common divisor of |x1| and |x2| (0 for two zeros)."""
    x1, x2 = _integers("gcd", x1, x2)
    if not dtypes.is_unsigned(x1.dtype):
        x1, x2 = lax.abs(x1), lax.abs(x2)
    return lax.while_loop(lambda xs: _any(lax.ne(xs[1], _like(xs[1], 0))), _gcd_step,
                          (x1, x2))[0]


@numpy_function()
def lcm(x1, x2):
    """The least common multiple of |x1| and |x2| (0 if either is 0)."""
    x1, x2 = _integers("lcm", x1, x2)
    if not dtypes.is_unsigned(x1.dtype):
        x1, x2 = lax.abs(x1), lax.abs(x2)
    d = gcd(x1, x2)
    zero = lax.eq(d, _like(d, 0))
    return lax.select(zero, _like(d, 0), lax.mul(x1, lax.div(x2, lax.select(
        zero, _like(d, 1), d))))


@numpy_function()
def divmod(x1, x2):
    """(floor_divide(x1, x2), remainder(x1, x2)); for floats CPython's float_divmod, whose
    quotient is rounded to the integer it is up to rounding error."""
    x1, x2 = promote_broadcast(x1, x2)
    _no_complex("divmod", x1)
    if not dtypes.is_float(x1.dtype):
        return floor_divide(x1, x2), remainder(x1, x2)
    mod = lax.rem(x1, x2)
    div = lax.div(lax.select(lax.eq(x2, _like(x2, 0)), x1, lax.sub(x1, mod)), x2)
    fix_ = lax.bitwise_and(lax.ne(mod, _like(mod, 0)), lax.ne(lax.sign(x2), lax.sign(mod)))
    mod = lax.select(fix_, lax.add(mod, x2), mod)
    div = lax.select(fix_, lax.sub(div, _like(div, 1)), div)
    return lax.round(div), mod


# --- Bessel ---------------------------------------------------------------------------------------

# Chebyshev coefficients of exp(-x) I0(x) on [0, 8] and of exp(-x) sqrt(x) I0(x) on (8, inf),
# from Cephes, as NumPy's i0
_I0A = (-4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16,
        1.715391285555133e-15, -1.1685332877993451e-14, 7.676185498604936e-14,
        -4.856446783111929e-13, 2.95505266312964e-12, -1.726826291441556e-11,
        9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-09,
        -1.300025009986248e-08, 6.046995022541919e-08, -2.670793853940612e-07,
        1.1173875391201037e-06, -4.4167383584587505e-06, 1.6448448070728896e-05,
        -5.754195010082104e-05, 0.00018850288509584165, -0.0005763755745385824,
        0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
        -0.02373741480589947, 0.04930528423967071, -0.09490109704804764, 0.17162090152220877,
        -0.3046826723431984, 0.6767952744094761)
_I0B = (-7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17,
        3.461222867697461e-17, -2.8276239805165836e-16, -3.425485619677219e-16,
        1.7725601330565263e-15, 3.8116806693526224e-15, -9.554846698828307e-15,
        -4.150569347287222e-14, 1.54008621752141e-14, 3.8527783827421426e-13,
        7.180124451383666e-13, -1.7941785315068062e-12, -1.3215811840447713e-11,
        -3.1499165279632416e-11, 1.1889147107846439e-11, 4.94060238822497e-10,
        3.3962320257083865e-09, 2.266668990498178e-08, 2.0489185894690638e-07,
        2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943,
        0.8044904110141088)


def _chbevl(x, coefs):
    b0, b1, b2 = _like(x, coefs[0]), _like(x, 0), _like(x, 0)
    for c in coefs[1:]:
        b2, b1 = b1, b0
        b0 = lax.add(lax.sub(lax.mul(x, b1), b2), _like(x, c))
    return lax.mul(_like(x, 0.5), lax.sub(b0, b2))


@numpy_function()
def i0(x):
    """The modified Bessel function of the first kind of order 0 (NumPy's Chebyshev series)."""
    (x,) = _inexact("i0", x, real=True)
    a = lax.abs(x)
    small = lax.le(a, _like(a, 8))
    safe = lax.select(small, _like(a, 8), a)  # keeps 32/a finite where it is not used
    near = _chbevl(lax.sub(lax.mul(a, _like(a, 0.5)), _like(a, 2)), _I0A)
    far = lax.div(_chbevl(lax.sub(lax.div(_like(a, 32), safe), _like(a, 2)), _I0B),
                  lax.sqrt(safe))
    return lax.mul(lax.exp(a), lax.select(small, near, far))
