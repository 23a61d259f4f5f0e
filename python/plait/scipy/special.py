"""`plait.scipy.special`: jax.scipy.special's functions that compose from plait's ops (erf,
erfc, erfinv, expit, logit, xlogy, xlog1py, entr, logsumexp, ndtr, log_ndtr, softmax,
log_softmax, gammaln, betaln, digamma, polygamma).

Each follows jax's formulation (its branches for accuracy in the tails, its derivatives where
the naive composition would give NaN, e.g. xlogy at x = 0), so its values and derivatives are
jax's.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from plait import lax
from plait import numpy as pnp
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.custom import custom_jvp
from plait.numpy._core import numpy_function, promote_inexact

__all__ = ["betaln", "digamma", "entr", "erf", "erfc", "erfinv", "expit", "gammaln", "log_ndtr",
           "log_softmax", "logit", "logsumexp", "ndtr", "polygamma", "softmax", "xlog1py",
           "xlogy"]


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
