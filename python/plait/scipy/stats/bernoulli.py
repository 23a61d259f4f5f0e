"""The Bernoulli distribution with success probability `p` (jax.scipy.stats.bernoulli)."""

from __future__ import annotations

import numpy as np

from plait import numpy as pnp
from plait.numpy._core import numpy_function, promote_inexact
from plait.scipy import special

__all__ = ["cdf", "logpmf", "pmf", "ppf"]


def _bad(p):
    return pnp.isnan(p) | (p < 0.0) | (p > 1.0)


@numpy_function()
def logpmf(k, p, loc=0):
    """log P(K = k): log(p) at k - loc = 1, log(1 - p) at 0, -inf elsewhere."""
    k, p, loc = promote_inexact(k, p, loc)
    x = k - loc
    out = special.xlogy(x, p) + special.xlog1py(1.0 - x, -p)
    return pnp.where((x == 0.0) | (x == 1.0), out, -np.inf)


@numpy_function()
def pmf(k, p, loc=0):
    """P(K = k)."""
    return pnp.exp(logpmf(k, p, loc))


@numpy_function()
def cdf(k, p):
    """P(K <= k): 0 below 0, 1 - p up to 1, then 1; NaN for p outside [0, 1]."""
    k, p = promote_inexact(k, p)
    out = pnp.where(k < 0.0, 0.0, pnp.where(k < 1.0, 1.0 - p, 1.0))
    return pnp.where(_bad(p) | pnp.isnan(k), np.nan, out)


@numpy_function()
def ppf(q, p):
    """The least k with P(K <= k) >= q: 0 for q <= 1 - p, else 1 (0 at q = 0, as jax); NaN
    for q or p outside [0, 1]."""
    q, p = promote_inexact(q, p)
    out = pnp.where(q <= 1.0 - p, pnp.zeros_like(q), pnp.ones_like(q))
    return pnp.where(_bad(p) | pnp.isnan(q) | (q < 0.0) | (q > 1.0), np.nan, out)
