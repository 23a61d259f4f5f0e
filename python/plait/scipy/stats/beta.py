"""The beta distribution on [loc, loc + scale] (jax.scipy.stats.beta)."""

from __future__ import annotations

import numpy as np

from plait import numpy as pnp
from plait.numpy._core import numpy_function, promote_inexact
from plait.scipy import special

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]


@numpy_function()
def logpdf(x, a, b, loc=0, scale=1):
    """log of the density: -inf outside [loc, loc + scale], NaN for a, b or scale <= 0."""
    x, a, b, loc, scale = promote_inexact(x, a, b, loc, scale)
    y = (x - loc) / scale
    out = special.xlogy(a - 1.0, y) + special.xlog1py(b - 1.0, -y) - special.betaln(a, b) \
        - pnp.log(scale)
    out = pnp.where((y < 0.0) | (y > 1.0), -np.inf, out)
    return pnp.where((a <= 0.0) | (b <= 0.0) | (scale <= 0.0), np.nan, out)


@numpy_function()
def pdf(x, a, b, loc=0, scale=1):
    """The density."""
    return pnp.exp(logpdf(x, a, b, loc, scale))


@numpy_function()
def cdf(x, a, b, loc=0, scale=1):
    """P(X <= x) = I_y(a, b), y the standardized x clipped to [0, 1]."""
    x, a, b, loc, scale = promote_inexact(x, a, b, loc, scale)
    return special.betainc(a, b, pnp.clip((x - loc) / scale, 0.0, 1.0))


@numpy_function()
def logcdf(x, a, b, loc=0, scale=1):
    """log P(X <= x)."""
    return pnp.log(cdf(x, a, b, loc, scale))


@numpy_function()
def sf(x, a, b, loc=0, scale=1):
    """P(X > x) = I_{1-y}(b, a), accurate where the CDF is near 1."""
    x, a, b, loc, scale = promote_inexact(x, a, b, loc, scale)
    return special.betainc(b, a, 1.0 - pnp.clip((x - loc) / scale, 0.0, 1.0))


@numpy_function()
def logsf(x, a, b, loc=0, scale=1):
    """log P(X > x)."""
    return pnp.log(sf(x, a, b, loc, scale))
