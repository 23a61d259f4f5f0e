"""The rules of the special functions (`dialect/special.py`): their derivatives (jax's), and
the lowerings of those without a CHLO op: the incomplete gamma family (a power series below
x = a and the continued fraction of Q above it, with their derivatives in a), the regularized
incomplete beta function (a continued fraction) and bessel_i0e (Chebyshev expansions).
Batching and sharding follow from their Elementwise trait."""

from __future__ import annotations

import math

import numpy as np

from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import ops as P
from plait.dialect.builders import add_any, full_like
from plait.lowering import expr as X
from plait.lowering.stablehlo import dtype_of, register
from plait.rules.elementwise import defderivative
from plait.transforms.base import fail
from plait.transforms.jvp import defjvp, jvp_rule

# d/dx erf_inv(x) = sqrt(pi)/2 * exp(erf_inv(x)**2)
defderivative(P.erf_inv)(
    lambda x, y: P.mul(full_like(y, math.sqrt(math.pi) / 2), P.exp(P.mul(y, y))))
defderivative(P.lgamma)(lambda x, y: P.digamma(x))
defderivative(P.digamma)(lambda x, y: P.polygamma(full_like(x, 1), x))


@jvp_rule(P.polygamma)
def _polygamma_jvp(ctx):
    """d/dx polygamma(m, x) = polygamma(m + 1, x); m is an order, not differentiable (jax)."""
    (m, x), (tm, tx) = ctx.primals, ctx.tangents
    if tm is not None:
        raise fail(ctx.op, "polygamma(m, x) is not differentiable in m")
    ctx.emit_primal()
    return [None if tx is None else P.mul(tx, P.polygamma(P.add(m, full_like(m, 1)), x))]


@defjvp(P.next_after)
def _next_after_jvp(primals, tangents, outs):
    """next_after(x, y) moves x by one ulp: slope 1 in x, 0 in y."""
    return [tangents[0]]


# --- derivatives of the gamma, beta, zeta and Bessel families ----------------------------------

def _partials(op, *partials):
    """The JVP of an elementwise op from its partial derivatives, one per operand:
    `fn(primals, out) -> d out / d operand`, or a string: why that operand has none."""

    @jvp_rule(op)
    def rule(ctx):
        out = ctx.emit_primal()
        terms = []
        for i, (t, d) in enumerate(zip(ctx.tangents, partials)):
            if t is None:
                continue
            if isinstance(d, str):
                raise fail(ctx.op, f"'{ctx.op.name}' is not differentiable in operand {i} ({d})")
            terms.append(P.mul(t, d(ctx.primals, out[0])))
        total = None
        for term in terms:
            total = add_any(total, term)
        return [total]
    return rule


def _gamma_density(a, x):
    """d/dx igamma(a, x) = x**(a-1) exp(-x) / Gamma(a)."""
    one = full_like(a, 1)
    return P.exp(P.sub(P.sub(P.mul(P.sub(a, one), P.log(x)), x), P.lgamma(a)))


_partials(P.igamma, lambda p, y: P.igamma_grad_a(*p), lambda p, y: _gamma_density(*p))
_partials(P.igammac, lambda p, y: P.neg(P.igamma_grad_a(*p)),
          lambda p, y: P.neg(_gamma_density(*p)))
# d/dx d/da P(a, x) = d/da density = density (log x - digamma(a)); in a, none (as jax)
_partials(P.igamma_grad_a, "a second derivative in a, as in jax",
          lambda p, y: P.mul(_gamma_density(*p), P.sub(P.log(p[1]), P.digamma(p[0]))))
_partials(P.random_gamma_grad, "a derivative of a derivative", "a derivative of a derivative")
# d/dq zeta(x, q) = -x zeta(x + 1, q); in x, none (as jax.lax.zeta)
_partials(P.zeta, "as jax.lax.zeta; plait.scipy.special.zeta has one",
          lambda p, y: P.neg(P.mul(p[0], P.zeta(P.add(p[0], full_like(p[0], 1)), p[1]))))


def _beta_density(a, b, x):
    """d/dx I_x(a, b) = x**(a-1) (1-x)**(b-1) / B(a, b)."""
    one = full_like(a, 1)
    lbeta = P.sub(P.add(P.lgamma(a), P.lgamma(b)), P.lgamma(P.add(a, b)))
    return P.exp(P.sub(P.add(P.mul(P.sub(b, one), P.log1p(P.neg(x))),
                             P.mul(P.sub(a, one), P.log(x))), lbeta))


_partials(P.regularized_incomplete_beta, "as in jax", "as in jax",
          lambda p, y: _beta_density(*p))
defderivative(P.bessel_i0e)(lambda x, y: P.sub(P.bessel_i1e(x), P.mul(P.sign(x), y)))


@defderivative(P.bessel_i1e)
def _bessel_i1e_derivative(x, y):
    """i0e(x) - i1e(x) (sign(x) + 1/x), 1/2 at |x| <= eps (where 1/x overflows)."""
    eps = full_like(x, float(np.finfo(aval_of(x).dtype).eps))
    big = P.compare(P.abs(x), eps, direction="GT")
    safe = P.select(big, x, eps)
    d = P.sub(P.bessel_i0e(safe), P.mul(y, P.add(P.sign(safe), P.div(full_like(x, 1), safe))))
    return P.select(big, d, full_like(x, 0.5))


# --- lowerings: the functions without a StableHLO op, as StableHLO formulas --------------------

def _widened(fn):
    """The lowering of an elementwise op computed by fn(*operands as E) -> E, in float32 for
    float16 and bfloat16 operands (whose eps would stop the series too early), as jax."""

    def lower(op, params, operands, result_types):
        dt = dtype_of(operands[0])
        xs = [X.E(v) for v in operands]
        narrow = dt.itemsize < 4
        if narrow:
            xs = [X.convert(x, dtypes.float32) for x in xs]
        out = fn(*xs)
        return [(X.convert(out, dt) if narrow else out).v]
    return lower


def _finfo(x: X.E):
    return np.finfo(x.aval.dtype)


# What the incomplete gamma loops compute: the value, d/da, or d/da of a sample at fixed CDF.
_VALUE, _GRAD_A, _SAMPLE_GRAD = "value", "grad_a", "sample_grad"


def _igamma_series(ax, x, a, on, mode):
    """P(a, x) = ax/a * sum_k x**k / ((a+1)...(a+k)) (for x < a + 1), with d/da of the sum when
    a derivative is asked; ax = x**a exp(-x) / Gamma(a). Elements not `on` keep their start."""
    eps = float(_finfo(x).eps)
    deriv = mode != _VALUE

    def body(vs):
        go, x, r, c, total, *d = vs
        r1 = r + 1
        c1 = c * (x / r1)
        new = [r1, c1, total + c1]
        test = c1 / new[2]
        if deriv:
            dc1 = d[0] * (x / r1) - c * x / (r1 * r1)
            new += [dc1, d[1] + dc1]
            test = X.absolute(dc1 / new[4])
        return [go & (test > eps), x] + [X.where(go, n, o) for n, o in zip(new, vs[2:])]

    zero, one = a.like(0), a.like(1)
    init = [on, x, a, one, one] + [zero, zero] * deriv
    out = X.while_loop(lambda vs: X.any_(vs[0]), body, init)
    total = out[4]
    if not deriv:
        return total * ax / a
    dtotal, dlogax = out[6], X.log(x) - X.digamma(a + 1)
    if mode == _GRAD_A:
        return ax * (total * dlogax + dtotal) / a
    return -(dtotal + total * dlogax) * x / a


def _igammac_fraction(ax, x, a, on, mode):
    """Q(a, x) = ax * (the continued fraction of Q, Legendre's, for x > a + 1) by its
    convergents p/q, rescaled when they grow; d/da of p and q when a derivative is asked.
    At most 2000 steps."""
    eps = float(_finfo(x).eps)
    deriv = mode != _VALUE

    def body(vs):
        go, x, c, frac, y, z, p1, q1, p2, q2, *d = vs
        c, y, z = c + 1, y + 1, z + 2
        yc = y * c
        p, q = p1 * z - p2 * yc, q1 * z - q2 * yc
        ok = q.ne(0)
        safe_q = X.where(ok, q, 1)
        r = p / safe_q
        test = X.where(ok, X.absolute((frac - r) / r), 1)
        frac1 = X.where(ok, r, frac)
        big = X.absolute(p) > 1 / eps  # rescale the recurrences before they overflow
        shifted = [p, q, p1, q1]  # the new p1, q1, p2, q2
        if deriv:
            dp2, dq2, dp1, dq1, dfrac = d
            dp = dp1 * z - p1 - dp2 * yc + p2 * c
            dq = dq1 * z - q1 - dq2 * yc + q2 * c
            dfrac1 = X.where(ok, (dp - frac1 * dq) / safe_q, dfrac)
            test = X.where(ok, X.absolute(dfrac1 - dfrac), 1)
            shifted += [dp1, dq1, dp, dq]  # the new dp2, dq2, dp1, dq1
        new = [frac1, y, z] + [X.where(big, v * eps, v) for v in shifted] \
            + ([dfrac1] if deriv else [])
        kept = [X.where(go, n, o) for n, o in zip(new, vs[3:])]
        return [go & (test > eps), x, c] + kept

    y = 1 - a
    z = x + y + 1
    p1, q1 = x + 1, z * x
    frac = p1 / q1
    zero, one = x.like(0), x.like(1)
    init = [on, x, zero, frac, y, z, p1, q1, one, x]
    if deriv:  # d/da of p2, q2, p1 = x + 1, q1 = (x + 2 - a) x, and of frac = p1 / q1
        init += [zero, zero, zero, -x, frac * x / q1]
    out = X.while_loop(lambda vs: X.any_(vs[0] & (vs[2] < 2000)), body, init)
    frac = out[3]
    if not deriv:
        return frac * ax
    dfrac, dlogax = out[14], X.log(x) - X.digamma(a)
    if mode == _GRAD_A:
        return ax * (frac * dlogax + dfrac)
    return -(dfrac + frac * dlogax) * x


def _log_ax(a, x):
    """(x**a exp(-x) / Gamma(a), whether it underflows)."""
    log_ax = a * X.log(x) - x - X.lgamma(a)
    return X.exp(log_ax), log_ax < -float(np.log(_finfo(x).max))


def _domain(a, x):
    """(where P and Q are undefined, x == 0, x == inf, a == 0, a == inf)."""
    inf = float("inf")
    x0, x_inf, a0, a_inf = x.eq(0), x.eq(inf), a.eq(0), a.eq(inf)
    bad = (x < 0) | (a < 0) | (a0 & x0) | (a_inf & x_inf) | X.isnan(a) | X.isnan(x)
    return bad, x0, x_inf, a0, a_inf


@register(P.igamma)
@_widened
def _lower_igamma(a, x):
    """The series below x = max(a, 1), 1 - the continued fraction of Q above."""
    bad, x0, x_inf, a0, a_inf = _domain(a, x)
    ax, underflow = _log_ax(a, x)
    use_cf = (x >= 1) & (x > a)
    on = ~(bad | x0 | x_inf | a0 | a_inf | underflow)
    out = X.where(use_cf, 1 - _igammac_fraction(ax, x, a, on & use_cf, _VALUE),
                  _igamma_series(ax, x, a, on & ~use_cf, _VALUE))
    out = X.where(a0 | x_inf, 1, X.where(x0 | a_inf, 0, out))
    return X.where(bad, float("nan"), out)


@register(P.igammac)
@_widened
def _lower_igammac(a, x):
    """1 - the series below x = max(a, 1), the continued fraction above."""
    bad, x0, x_inf, a0, a_inf = _domain(a, x)
    ax, underflow = _log_ax(a, x)
    use_series = (x < 1) | (x < a)
    on = ~(bad | x0 | x_inf | a0 | a_inf | underflow)
    out = X.where(use_series, 1 - _igamma_series(ax, x, a, on & use_series, _VALUE),
                  _igammac_fraction(ax, x, a, on & ~use_series, _VALUE))
    out = X.where(a0 | x_inf, 0, X.where(x0 | a_inf, 1, out))
    return X.where(bad, float("nan"), out)


def _igamma_derivative(mode):
    """d/da P(a, x) (or a sample's dx/da) from the loops' derivatives: 0 at x = 0, NaN where
    x < 0 or a <= 0."""

    def fn(a, x):
        bad = (x < 0) | (a <= 0) | X.isnan(a) | X.isnan(x)
        x0 = x.eq(0)
        ax, underflow = _log_ax(a, x)
        use_cf = (x > 1) & (x > a)
        on = ~(bad | x0 | underflow)
        out = X.where(use_cf, -_igammac_fraction(ax, x, a, on & use_cf, mode),
                      _igamma_series(ax, x, a, on & ~use_cf, mode))
        return X.where(bad, float("nan"), X.where(x0, 0, out))
    return fn


register(P.igamma_grad_a)(_widened(_igamma_derivative(_GRAD_A)))
register(P.random_gamma_grad)(_widened(_igamma_derivative(_SAMPLE_GRAD)))


@register(P.regularized_incomplete_beta)
@_widened
def _lower_betainc(a, b, x):
    """x**a (1-x)**b / (a B(a, b)) times the continued fraction of DLMF 8.17.22, evaluated by
    Lentz's method two terms a step; for x above the mean (a+1)/(a+b+2), 1 - I_{1-x}(b, a)."""
    inf, nan = float("inf"), float("nan")
    a_zero, b_zero = a.eq(0) | b.eq(inf), b.eq(0) | a.eq(inf)
    x0, x1 = x.eq(0), x.eq(1)
    bad = (a < 0) | (b < 0) | (x < 0) | (x > 1) | (a_zero & b_zero) | X.isnan(a) | X.isnan(b) \
        | X.isnan(x)
    zero = (b_zero & ~x1) | (a_zero & x0)
    one = (a_zero & ~x0) | (b_zero & x1)
    flip = x > (a + 1) / (a + b + 2)
    a, b, x = X.where(flip, b, a), X.where(flip, a, b), X.where(flip, 1 - x, x)
    f32 = x.aval.dtype == np.float32
    eps = float(_finfo(x).eps)
    tiny = float(_finfo(x).tiny) * 16

    def guard(v):  # Lentz: never divide by (nearly) zero
        return X.where(X.absolute(v) < tiny, tiny, v)

    def lentz(c, d, h, coef):
        d = 1 / guard(1 + coef * d)
        c = guard(1 + coef / c)
        return c, d, h * c * d, c * d

    def body(vs):
        m, go, c, d, h, a, b, x = vs
        m2 = m * 2
        c, d, h1, _ = lentz(c, d, h, m * (b - m) * x / ((a + m2 - 1) * (a + m2)))
        c, d, h1, delta = lentz(c, d, h1, -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1)))
        h = X.where(go, h1, h)
        return [m + 1, go & (X.absolute(delta - 1) > eps), c, d, h, a, b, x]

    d0 = 1 / guard(1 - (a + b) * x / (a + 1))
    steps = 200 if f32 else 600
    init = [a.like(1), ~(bad | zero | one), a.like(1), d0, d0, a, b, x]
    out = X.while_loop(lambda vs: X.any_(vs[1] & (vs[0] <= steps)), body, init)
    lbeta = X.lgamma(a) + X.lgamma(b) - X.lgamma(a + b)
    front = X.exp(a * X.log(x) + b * X.log1p(-x) - lbeta) / a
    value = front * out[4]
    value = X.where(flip, 1 - value, value)
    return X.where(bad, nan, X.where(one, 1, X.where(zero, 0, value)))


# Chebyshev coefficients (T_0's halved) of i0e(x) on [0, 8] in t = x/4 - 1, and of
# sqrt(x) i0e(x) on [8, inf) in t = 16/x - 1: computed with mpmath at 40 digits by a discrete
# cosine transform at 48 Chebyshev nodes, kept down to 1e-18.
_I0E_SMALL = (
    0.33839763720473803, -0.3046826723431984, 0.17162090152220877, -0.09490109704804764,
    0.04930528423967071, -0.02373741480589947, 0.010546460394594998, -0.004324309995050576,
    0.0016394756169413357, -0.0005763755745385824, 0.00018850288509584165,
    -5.754195010082104e-05, 1.6448448070728896e-05, -4.4167383584587505e-06,
    1.1173875391201037e-06, -2.670793853940612e-07, 6.046995022541919e-08,
    -1.300025009986248e-08, 2.6598237246823866e-09, -5.189795601635263e-10,
    9.675809035373237e-11, -1.726826291441556e-11, 2.95505266312964e-12,
    -4.856446783111929e-13, 7.676185498604936e-14, -1.1685332877993451e-14,
    1.715391285555133e-15, -2.431279846547955e-16, 3.3307945188222384e-17,
    -4.4153416464793395e-18)
_I0E_LARGE = (
    0.4022452055070544, 0.0033691164782556943, 6.889758346916825e-05, 2.8913705208347567e-06,
    2.0489185894690638e-07, 2.266668990498178e-08, 3.3962320257083865e-09,
    4.94060238822497e-10, 1.1889147107846439e-11, -3.1499165279632416e-11,
    -1.3215811840447713e-11, -1.7941785315068062e-12, 7.180124451383666e-13,
    3.8527783827421426e-13, 1.54008621752141e-14, -4.150569347287222e-14,
    -9.554846698828307e-15, 3.8116806693526224e-15, 1.7725601330565263e-15,
    -3.425485619677219e-16, -2.8276239805165836e-16, 3.461222867697461e-17,
    4.46562142029676e-17, -4.830504485944178e-18, -7.23318048787476e-18)


def _chebyshev(coefficients, t, eps):
    """sum_k c_k T_k(t) by Clenshaw's recurrence, without the terms below eps/100."""
    cs = [c for c in coefficients if abs(c) > eps / 100]
    b1, b2 = t.like(0), t.like(0)
    for c in reversed(cs[1:]):
        b1, b2 = 2 * t * b1 - b2 + c, b1
    return t * b1 - b2 + cs[0]


@register(P.bessel_i0e)
@_widened
def _lower_bessel_i0e(x):
    eps = float(_finfo(x).eps)
    ax = X.absolute(x)
    large = ax > 8
    small = _chebyshev(_I0E_SMALL, X.where(large, 8, ax) / 4 - 1, eps)
    safe = X.where(large, ax, 8)
    return X.where(large, _chebyshev(_I0E_LARGE, 16 / safe - 1, eps) / X.sqrt(safe), small)
