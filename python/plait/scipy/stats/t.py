"""Student's t distribution with `df` degrees of freedom, shifted by `loc` and scaled by
`scale` (jax.scipy.stats.t)."""

from __future__ import annotations

import math

from plait import numpy as pnp
from plait.numpy._core import numpy_function, promote_inexact
from plait.scipy import special

__all__ = ["logpdf", "pdf"]


@numpy_function()
def logpdf(x, df, loc=0, scale=1):
    """log of the density: lgamma((df+1)/2) - lgamma(df/2) - log(pi df scale^2)/2
    - (df+1)/2 log1p(z^2/df)."""
    x, df, loc, scale = promote_inexact(x, df, loc, scale)
    z = (x - loc) / scale
    half = 0.5 * df
    norm = special.gammaln(half + 0.5) - special.gammaln(half) \
        - 0.5 * pnp.log(math.pi * df * scale * scale)
    return norm - (half + 0.5) * pnp.log1p(z * z / df)


@numpy_function()
def pdf(x, df, loc=0, scale=1):
    """The density."""
    return pnp.exp(logpdf(x, df, loc, scale))
