"""`plait.scipy.special`: jax.scipy.special's functions that compose from plait's ops (erf,
erfc, erfinv, expit, logit, xlogy, xlog1py, entr, logsumexp, ndtr, ndtri, log_ndtr, softmax,
log_softmax, gammaln, betaln, betainc, digamma, polygamma, gammainc, gammaincc, zeta, i0, i0e,
i1, i1e).

Each follows jax's formulation (its branches for accuracy in the tails, its derivatives where
the naive composition would give NaN, e.g. xlogy at x = 0), so its values and derivatives are
jax's.
"""

from __future__ import annotations

import fractions
import functools
import math

import numpy as np

from plait import lax
from plait import numpy as pnp
from plait.ad import jvp as plait_jvp
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.custom import custom_jvp
from plait.numpy._core import numpy_function, promote_inexact

__all__ = ["betainc", "betaln", "digamma", "entr", "erf", "erfc", "erfinv", "expit", "gammainc",
           "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "log_ndtr", "log_softmax", "logit",
           "logsumexp", "ndtr", "ndtri", "polygamma", "softmax", "xlog1py", "xlogy", "zeta"]


@numpy_function()
def erf(x):
    """The error function."""
    (x,) = promote_inexact(x)
    return lax.erf(x)


# erfc(x) = exp(-x²) P(x) / Q(x) for 1 <= |x| < 8, exp(-x²) R(x) / S(x) beyond (Cephes'
# ndtr.c, double precision); below 1, 1 - erf(x) loses nothing.
_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
      4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
      9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_Q = (1.0, 1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
      9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
      1.65666309194161350182e3, 5.57535340817727675546e2)
_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
      6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_S = (1.0, 2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
      1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0)


def _polevl(x, coefs):
    y = pnp.zeros_like(x) + coefs[0]
    for c in coefs[1:]:
        y = y * x + c
    return y


@custom_jvp
def _erfc(x):
    a = pnp.abs(x)
    big = a >= 8.0
    num = pnp.where(big, _polevl(a, _R), _polevl(a, _P))
    den = pnp.where(big, _polevl(a, _S), _polevl(a, _Q))
    tail = pnp.exp(-a * a) * num / den
    tail = pnp.where(x < 0, 2.0 - tail, tail)
    return pnp.where(a < 1.0, 1.0 - lax.erf(x), tail)


@_erfc.defjvp
def _erfc_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _erfc(x), t * (-2.0 / math.sqrt(math.pi)) * pnp.exp(-x * x)


@numpy_function()
def erfc(x):
    """1 - erf(x), accurate in the right tail."""
    (x,) = promote_inexact(x)
    return _erfc(x)


@numpy_function()
def expit(x):
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    (x,) = promote_inexact(x)
    return lax.logistic(x)


@numpy_function()
def logit(x):
    """log(x / (1 - x)), the inverse of expit."""
    (x,) = promote_inexact(x)
    return pnp.log(x / (1.0 - x))


@custom_jvp
def _xlogy(x, y):
    return pnp.where(x != 0, x * pnp.log(y), 0.0)


@_xlogy.defjvp
def _xlogy_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    return _xlogy(x, y), tx * pnp.log(y) + ty * x / y


@numpy_function()
def xlogy(x, y):
    """x log(y), 0 where x = 0 (also for y = 0)."""
    return _xlogy(*promote_inexact(x, y))


@custom_jvp
def _xlog1py(x, y):
    return pnp.where(x != 0, x * pnp.log1p(y), 0.0)


@_xlog1py.defjvp
def _xlog1py_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    return _xlog1py(x, y), tx * pnp.log1p(y) + ty * x / (1.0 + y)


@numpy_function()
def xlog1py(x, y):
    """x log(1 + y), 0 where x = 0 (also for y = -1)."""
    return _xlog1py(*promote_inexact(x, y))


@custom_jvp
def _xlogx(x):
    return pnp.where(x != 0, x * pnp.log(x), 0.0)


@_xlogx.defjvp
def _xlogx_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _xlogx(x), t * (pnp.log(x) + 1.0)


@numpy_function()
def entr(x):
    """-x log(x) for x >= 0 (0 at 0), -inf below."""
    (x,) = promote_inexact(x)
    return pnp.where(x < 0, -np.inf, -_xlogx(x))


@numpy_function(static=("axis", "keepdims", "return_sign"))
def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(|sum(b exp(a))|), computed stably; with `return_sign`, (that, the sum's sign). A
    negative sum without `return_sign` is NaN."""
    if not return_sign:
        return pnp.logsumexp(a, axis=axis, b=b, keepdims=keepdims)
    (a,) = promote_inexact(a)
    m = pnp.max(a, axis=axis, keepdims=True)
    m = pnp.where(pnp.isfinite(m), m, 0.0)
    e = pnp.exp(a - m)
    if b is not None:
        e = e * b
    s = pnp.sum(e, axis=axis, keepdims=True)
    out, sign = pnp.log(pnp.abs(s)) + m, pnp.sign(s)
    if not keepdims:
        out, sign = pnp.squeeze(out, axis), pnp.squeeze(sign, axis)
    return out, sign


@numpy_function(static=("axis",))
def softmax(x, axis=None):
    """exp(x) / sum(exp(x)) over `axis` (all of x by default, as SciPy's)."""
    (x,) = promote_inexact(x)
    e = pnp.exp(x - pnp.max(x, axis=axis, keepdims=True))
    return e / pnp.sum(e, axis=axis, keepdims=True)


@numpy_function(static=("axis",))
def log_softmax(x, axis=None):
    """x - logsumexp(x) over `axis` (all of x by default, as SciPy's)."""
    (x,) = promote_inexact(x)
    shifted = x - pnp.max(x, axis=axis, keepdims=True)
    return shifted - pnp.log(pnp.sum(pnp.exp(shifted), axis=axis, keepdims=True))


def _real_float(x, name: str):
    (x,) = promote_inexact(x)
    if x.dtype not in (np.float32, np.float64):
        raise PlaitTypeError(f"scipy.special.{name}: needs float32 or float64, got {x.dtype}")
    return x


def _ndtr(x):
    """jax's: 1 + erf near 0, erfc in the tails."""
    half_sqrt_2 = 0.5 * math.sqrt(2.0)
    w = x * half_sqrt_2
    z = pnp.abs(w)
    y = pnp.where(z < half_sqrt_2, 1.0 + lax.erf(w),
                  pnp.where(w > 0, 2.0 - _erfc(z), _erfc(z)))
    return 0.5 * y


@numpy_function()
def ndtr(x):
    """The standard normal CDF."""
    return _ndtr(_real_float(x, "ndtr"))


def _log_ndtr_lower(x, series_order: int):
    """log Φ(x) for very negative x: the asymptotic series of Φ(x) φ(x)⁻¹ (-x)."""
    x2 = x * x
    log_scale = -0.5 * x2 - pnp.log(-x) - 0.5 * math.log(2.0 * math.pi)
    series, x2n = 1.0, x2
    for n in range(1, series_order + 1):
        term = float(np.prod(np.arange(2 * n - 1, 0, -2))) / x2n
        series = series - term if n % 2 else series + term
        x2n = x2n * x2
    return log_scale + pnp.log(series)


# below LOWER: the asymptotic series; above UPPER: log(1 - Φ(-x)) ≈ -Φ(-x) (jax's segments)
_LOG_NDTR_SEGMENTS = {np.dtype(np.float32): (-10.0, 5.0), np.dtype(np.float64): (-20.0, 8.0)}


@functools.cache
def _log_ndtr(series_order: int):
    """log_ndtr of one series order, with jax's JVP: φ(x) / Φ(x) from the log values."""

    @custom_jvp
    def log_ndtr(x):
        lower, upper = _LOG_NDTR_SEGMENTS[np.dtype(x.dtype)]
        return pnp.where(x > upper, -_ndtr(-x),
                         pnp.where(x > lower, pnp.log(_ndtr(pnp.maximum(x, lower))),
                                   _log_ndtr_lower(pnp.minimum(x, lower), series_order)))

    @log_ndtr.defjvp
    def _jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        ans = log_ndtr(x)
        return ans, t * pnp.exp(-0.5 * x * x - 0.5 * math.log(2.0 * math.pi) - ans)

    return log_ndtr


@numpy_function(static=("series_order",))
def log_ndtr(x, series_order=3):
    """log of the standard normal CDF, accurate far into both tails."""
    if not 0 <= series_order <= 30:
        raise PlaitValueError(f"scipy.special.log_ndtr: series_order must be in 0..30, got "
                              f"{series_order}")
    return _log_ndtr(int(series_order))(_real_float(x, "log_ndtr"))


@numpy_function()
def erfinv(x):
    """The inverse error function."""
    (x,) = promote_inexact(x)
    return lax.erf_inv(x)


@numpy_function()
def gammaln(x):
    """log |Gamma(x)|."""
    (x,) = promote_inexact(x)
    return lax.lgamma(x)


@numpy_function()
def betaln(a, b):
    """log |B(a, b)| = gammaln(a) + gammaln(b) - gammaln(a + b)."""
    a, b = promote_inexact(a, b)
    return lax.lgamma(a) + lax.lgamma(b) - lax.lgamma(a + b)


@numpy_function()
def digamma(x):
    """The logarithmic derivative of Gamma."""
    (x,) = promote_inexact(x)
    return lax.digamma(x)


@numpy_function()
def polygamma(n, x):
    """The n-th derivative of digamma (n a non-negative integer)."""
    n, x = promote_inexact(n, x)
    return lax.polygamma(n, x)


@numpy_function()
def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b) (differentiable in x)."""
    return lax.betainc(*promote_inexact(a, b, x))


@numpy_function()
def gammainc(a, x):
    """The regularized lower incomplete gamma function P(a, x)."""
    return lax.igamma(*promote_inexact(a, x))


@numpy_function()
def gammaincc(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return lax.igammac(*promote_inexact(a, x))


@numpy_function()
def i0e(x):
    """exp(-|x|) I0(x), the scaled modified Bessel function of order 0."""
    (x,) = promote_inexact(x)
    return lax.bessel_i0e(x)


@numpy_function()
def i0(x):
    """I0(x), the modified Bessel function of order 0."""
    (x,) = promote_inexact(x)
    return pnp.exp(pnp.abs(x)) * lax.bessel_i0e(x)


@numpy_function()
def i1e(x):
    """exp(-|x|) I1(x), the scaled modified Bessel function of order 1."""
    (x,) = promote_inexact(x)
    return lax.bessel_i1e(x)


@numpy_function()
def i1(x):
    """I1(x), the modified Bessel function of order 1."""
    (x,) = promote_inexact(x)
    return pnp.exp(pnp.abs(x)) * lax.bessel_i1e(x)


def _bernoulli_numbers(n: int) -> list:
    """B_0 ... B_n (B_1 = -1/2) by the recurrence sum_k C(m+1, k) B_k = 0."""
    b = [fractions.Fraction(1)]
    for m in range(1, n + 1):
        b.append(-sum(math.comb(m + 1, k) * b[k] for k in range(m)) / (m + 1))
    return b


# B_2j / (2j)!, j = 1..16: the Euler-Maclaurin coefficients
_EM = [float(b / math.factorial(2 * j)) for j, b in
       enumerate(_bernoulli_numbers(32)[2::2], start=1)]


def _zeta_euler_maclaurin(x, q):
    """zeta(x, q) = sum_{k<n} (q+k)^-x + (q+n)^(1-x) / (x-1) + (q+n)^-x (1/2 + sum_j
    B_2j / (2j)! x (x+1) ... (x+2j-2) / (q+n)^(2j-1)), n = m = 8 (float32) or 16 terms: a
    formula plait differentiates in both x and q."""
    n = 8 if x.dtype == np.float32 else 16
    head = sum((q + k) ** -x for k in range(n))
    qn = q + n
    tail, rising, power = 0.5, x, qn
    for j in range(n):
        tail = tail + _EM[j] * rising / power
        rising = rising * (x + 2 * j + 1) * (x + 2 * j + 2)
        power = power * qn * qn
    return head + qn ** (1.0 - x) / (x - 1.0) + qn ** -x * tail


@custom_jvp
def _zeta(x, q):
    return lax.zeta(x, q)


@_zeta.defjvp
def _zeta_jvp(primals, tangents):
    """The derivatives of the Euler-Maclaurin formula (jax's approach: lax.zeta has none)."""
    (x, q), (tx, tq) = primals, tangents
    return _zeta(x, q), plait_jvp(_zeta_euler_maclaurin, (x, q), (tx, tq))[1]


@numpy_function()
def zeta(x, q=None):
    """The Hurwitz zeta function, the sum over n >= 0 of (n + q)**-x, with SciPy's values at
    x = inf, q = inf and the poles q = 0, -1, ... (q is required: the Riemann zeta function,
    q = 1, is not implemented, as in jax)."""
    if q is None:
        raise PlaitValueError("scipy.special.zeta: the Riemann zeta function is not "
                              "implemented; pass q (the Hurwitz zeta function)")
    x, q = promote_inexact(x, q)
    out = _zeta(x, q)
    # where XLA's zeta gives NaN, SciPy's values: the poles at q = 0, -1, ..., x = inf (1 at
    # q = 1, inf below, NaN above, as SciPy), q = inf
    converges = x > 1.0
    pole = converges & (q <= 0.0) & (q == pnp.floor(q))
    at_x_inf = pnp.where(q == 1.0, 1.0, pnp.where(q < 1.0, np.inf, np.nan))
    out = pnp.where(pole, np.inf, pnp.where(x == np.inf, at_x_inf, out))
    return pnp.where(converges & (q == np.inf), 0.0, out)


# ndtri: rational approximations in w = p - 1/2 for exp(-2) < p < 1 - exp(-2) and in
# z = sqrt(-2 log p) in the tails, p < exp(-32) (z >= 8) apart (Cephes' ndtri.c).
_NDTRI_P0 = (-5.99633501014107895267e1, 9.80010754185999661536e1, -5.66762857469070293439e1,
             1.39312609387279679503e1, -1.23916583867381258016e0)
_NDTRI_Q0 = (1.0, 1.95448858338141759834e0, 4.67627912898881538453e0, 8.63602421390890590575e1,
             -2.25462687854119370527e2, 2.00260212380060660359e2, -8.20372256168333339912e1,
             1.59056225126211695515e1, -1.18331621121330003142e0)
_NDTRI_P1 = (4.05544892305962419923e0, 3.15251094599893866154e1, 5.71628192246421288162e1,
             4.40805073893200834700e1, 1.46849561928858024014e1, 2.18663306850790267539e0,
             -1.40256079171354495875e-1, -3.50424626827848203418e-2,
             -8.57456785154685413611e-4)
_NDTRI_Q1 = (1.0, 1.57799883256466749731e1, 4.53907635128879210584e1, 4.13172038254672030440e1,
             1.50425385692907503408e1, 2.50464946208309415979e0, -1.42182922854787788574e-1,
             -3.80806407691578277194e-2, -9.33259480895457427372e-4)
_NDTRI_P2 = (3.23774891776946035970e0, 6.91522889068984211695e0, 3.93881025292474443415e0,
             1.33303460815807542389e0, 2.01485389549179081538e-1, 1.23716634817820021358e-2,
             3.01581553508235416007e-4, 2.65806974686737550832e-6, 6.23974539184983293730e-9)
_NDTRI_Q2 = (1.0, 6.02427039364742014255e0, 3.67983563856160859403e0, 1.37702099489081330271e0,
             2.16236993594496635890e-1, 1.34204006088543189037e-2, 3.28014464682127739104e-4,
             2.89247864745380683936e-6, 6.79019408009981274425e-9)


@custom_jvp
def _ndtri(p):
    upper = p > 1.0 - math.exp(-2.0)
    tail = pnp.where(upper, 1.0 - p, p)  # the tail p lies in, as a probability below 1/2
    safe = pnp.where((tail > 0.0) & (tail < 1.0), tail, 0.5)  # no log(0) on unused branches
    w = safe - 0.5
    ww = w * w
    central = (w + w * ww * _polevl(ww, _NDTRI_P0) / _polevl(ww, _NDTRI_Q0)) \
        * math.sqrt(2.0 * math.pi)
    z = pnp.sqrt(-2.0 * pnp.log(safe))
    inv = 1.0 / z
    far = z >= 8.0
    rational = pnp.where(far, _polevl(inv, _NDTRI_P2) / _polevl(inv, _NDTRI_Q2),
                         _polevl(inv, _NDTRI_P1) / _polevl(inv, _NDTRI_Q1))
    tails = z - pnp.log(z) / z - rational / z  # -ndtri(tail)
    x = pnp.where(safe > math.exp(-2.0), central, pnp.where(upper, tails, -tails))
    x = pnp.where(p == 0.0, -np.inf, pnp.where(p == 1.0, np.inf, x))
    return pnp.where((p < 0.0) | (p > 1.0) | pnp.isnan(p), np.nan, x)


@_ndtri.defjvp
def _ndtri_jvp(primals, tangents):
    """d/dp ndtri(p) = 1 / phi(ndtri(p)) = sqrt(2 pi) exp(ndtri(p)**2 / 2)."""
    (p,), (t,) = primals, tangents
    x = _ndtri(p)
    return x, t * math.sqrt(2.0 * math.pi) * pnp.exp(0.5 * x * x)


@numpy_function()
def ndtri(p):
    """The inverse of the standard normal CDF (float32 and float64): -inf at 0, inf at 1,
    NaN outside [0, 1]."""
    return _ndtri(_real_float(p, "ndtri"))
