"""The normal distribution of mean `loc` and standard deviation `scale` (jax.scipy.stats.norm)."""

from __future__ import annotations

import math

from plait import numpy as pnp
from plait.numpy._core import numpy_function, promote_inexact
from plait.scipy import special

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _standard(x, loc, scale):
    x, loc, scale = promote_inexact(x, loc, scale)
    return (x - loc) / scale, scale


@numpy_function()
def logpdf(x, loc=0, scale=1):
    """log of the density."""
    z, scale = _standard(x, loc, scale)
    return -0.5 * z * z - _LOG_SQRT_2PI - pnp.log(scale)


@numpy_function()
def pdf(x, loc=0, scale=1):
    """The density."""
    return pnp.exp(logpdf(x, loc, scale))


@numpy_function()
def cdf(x, loc=0, scale=1):
    """P(X <= x)."""
    return special.ndtr(_standard(x, loc, scale)[0])


@numpy_function()
def logcdf(x, loc=0, scale=1):
    """log P(X <= x), accurate far into the left tail."""
    return special.log_ndtr(_standard(x, loc, scale)[0])


@numpy_function()
def sf(x, loc=0, scale=1):
    """P(X > x)."""
    return special.ndtr(-_standard(x, loc, scale)[0])


@numpy_function()
def logsf(x, loc=0, scale=1):
    """log P(X > x)."""
    return special.log_ndtr(-_standard(x, loc, scale)[0])
