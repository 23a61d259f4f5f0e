"""The multivariate normal distribution (jax.scipy.stats.multivariate_normal): a scalar `cov`
is a multiple of the identity; a matrix is factored by Cholesky."""

from __future__ import annotations

import math

import numpy as np

from plait import numpy as pnp
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.lax import linalg as lax_linalg
from plait.numpy._core import numpy_function, promote_dtypes_inexact

__all__ = ["logpdf", "pdf"]

_LOG_2PI = math.log(2.0 * math.pi)


@numpy_function(static=("allow_singular",))
def logpdf(x, mean, cov, allow_singular=None):
    """log of the density at x (one point per row of a stack) for mean and cov (batched over
    leading dimensions, broadcast with x's)."""
    if allow_singular:
        raise PlaitValueError("multivariate_normal.logpdf: allow_singular=True is not supported "
                              "(as in jax)")
    x, mean, cov = promote_dtypes_inexact(x, mean, cov)
    if mean.ndim == 0:
        return -0.5 * (x - mean) ** 2 / cov - 0.5 * (_LOG_2PI + pnp.log(cov))
    n = mean.shape[-1]
    y = x - mean
    if cov.ndim == 0:
        return -0.5 * pnp.sum(y * y, axis=-1) / cov - 0.5 * n * (_LOG_2PI + pnp.log(cov))
    if cov.ndim < 2 or cov.shape[-2:] != (n, n):
        raise PlaitTypeError(f"multivariate_normal.logpdf: cov of shape {cov.shape} does not "
                             f"fit mean of shape {mean.shape}")
    batch = tuple(np.broadcast_shapes(y.shape[:-1], cov.shape[:-2]))
    l = lax_linalg.cholesky(pnp.broadcast_to(cov, batch + (n, n)))  # noqa: E741
    z = lax_linalg.triangular_solve(l, pnp.broadcast_to(y, batch + (n,))[..., None],
                                    left_side=True, lower=True)[..., 0]
    log_det = pnp.sum(pnp.log(pnp.diagonal(l, axis1=-2, axis2=-1)), axis=-1)
    return -0.5 * pnp.sum(z * z, axis=-1) - 0.5 * n * _LOG_2PI - log_det


@numpy_function(static=("allow_singular",))
def pdf(x, mean, cov, allow_singular=None):
    """The density."""
    return pnp.exp(logpdf(x, mean, cov, allow_singular))
