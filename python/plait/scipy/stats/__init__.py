"""`plait.scipy.stats`: jax.scipy.stats' distributions (log densities and distribution
functions)."""

from plait.scipy.stats import multivariate_normal, norm

__all__ = ["multivariate_normal", "norm"]
