"""`plait.scipy.stats`: jax.scipy.stats' distributions (log densities and distribution
functions)."""

from plait.scipy.stats import bernoulli, beta, gamma, multivariate_normal, norm, poisson, t

__all__ = ["bernoulli", "beta", "gamma", "multivariate_normal", "norm", "poisson", "t"]
