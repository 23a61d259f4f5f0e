"""The Poisson distribution of mean `mu`, shifted by `loc` (jax.scipy.stats.poisson)."""

from __future__ import annotations

import numpy as np

from plait import numpy as pnp
from plait.numpy._core import numpy_function, promote_inexact
from plait.scipy import special

__all__ = ["cdf", "logpmf", "pmf"]


@numpy_function()
def logpmf(k, mu, loc=0):
    """log P(K = k) = k log(mu) - mu - log(k!): -inf where k - loc is negative or not whole."""
    k, mu, loc = promote_inexact(k, mu, loc)
    n = k - loc
    out = special.xlogy(n, mu) - special.gammaln(n + 1.0) - mu
    return pnp.where((n < 0.0) | (pnp.round(k) != k), -np.inf, out)


@numpy_function()
def pmf(k, mu, loc=0):
    """P(K = k)."""
    return pnp.exp(logpmf(k, mu, loc))


@numpy_function()
def cdf(k, mu, loc=0):
    """P(K <= k) = Q(floor(k - loc) + 1, mu); 0 below loc."""
    k, mu, loc = promote_inexact(k, mu, loc)
    n = pnp.floor(k - loc)
    return pnp.where(n < 0.0, 0.0, special.gammaincc(pnp.maximum(n, 0.0) + 1.0, mu))

