"""The gamma distribution of shape `a`, shifted by `loc` and scaled by `scale`
(jax.scipy.stats.gamma)."""

from __future__ import annotations

import numpy as np

from plait import numpy as pnp
from plait.numpy._core import numpy_function, promote_inexact
from plait.scipy import special

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]


def _standard(x, a, loc, scale):
    x, a, loc, scale = promote_inexact(x, a, loc, scale)
    return (x - loc) / scale, a, scale


@numpy_function()
def logpdf(x, a, loc=0, scale=1):
    """log of the density: -inf below loc."""
    y, a, scale = _standard(x, a, loc, scale)
    inside = y >= 0.0
    y = pnp.where(inside, y, 1.0)  # no log of a negative number on the unused branch
    out = special.xlogy(a - 1.0, y) - y - special.gammaln(a) - pnp.log(scale)
    return pnp.where(inside, out, -np.inf)


@numpy_function()
def pdf(x, a, loc=0, scale=1):
    """The density."""
    return pnp.exp(logpdf(x, a, loc, scale))


@numpy_function()
def cdf(x, a, loc=0, scale=1):
    """P(X <= x) = P(a, y), the regularized lower incomplete gamma function."""
    y, a, _ = _standard(x, a, loc, scale)
    return special.gammainc(a, pnp.maximum(y, 0.0))


@numpy_function()
def logcdf(x, a, loc=0, scale=1):
    """log P(X <= x)."""
    return pnp.log(cdf(x, a, loc, scale))


@numpy_function()
def sf(x, a, loc=0, scale=1):
    """P(X > x) = Q(a, y), accurate where the CDF is near 1."""
    y, a, _ = _standard(x, a, loc, scale)
    return special.gammaincc(a, pnp.maximum(y, 0.0))


@numpy_function()
def logsf(x, a, loc=0, scale=1):
    """log P(X > x)."""
    return pnp.log(sf(x, a, loc, scale))
