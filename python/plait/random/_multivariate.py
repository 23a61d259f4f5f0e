"""Samplers that need a matrix factorisation: multivariate_normal (Cholesky, eigh or SVD of
the covariance) and orthogonal (QR), through plait.numpy.linalg, as jax.random computes
them."""

from __future__ import annotations

import numpy as np

from plait import numpy as pnp
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.random._keys import _canonical_shape, check_key
from plait.random._samplers import _asarray, _check_shape, _float_dtype, _normal


def _factor(cov, method: str):
    """F with F F^T = cov, as jax.random.multivariate_normal computes it."""
    if method == "svd":
        u, sv, _ = pnp.linalg.svd(cov)
        return u * pnp.sqrt(sv[..., None, :])
    if method == "eigh":
        w, v = pnp.linalg.eigh(cov)
        return v * pnp.sqrt(w[..., None, :])
    return pnp.linalg.cholesky(cov)


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Samples of N(mean, cov): mean + F @ normal, F F^T = cov by `method` ("cholesky",
    "eigh" or "svd")."""
    k, _ = check_key("multivariate_normal", key)
    if method not in ("cholesky", "eigh", "svd"):
        raise PlaitValueError(f"multivariate_normal: method must be 'cholesky', 'eigh' or "
                              f"'svd', got {method!r}")
    mean, cov = _asarray(mean), _asarray(cov)
    dt = _float_dtype("multivariate_normal", dtype if dtype is not None else (
        mean.dtype if dtypes.is_float(mean.dtype) else None))
    if mean.ndim < 1 or cov.ndim < 2 or cov.shape[-2:] != mean.shape[-1:] * 2:
        raise PlaitValueError(f"multivariate_normal: mean of shape (..., n) and cov of shape "
                              f"(..., n, n) expected, got {tuple(mean.shape)} and "
                              f"{tuple(cov.shape)}")
    batch = np.broadcast_shapes(mean.shape[:-1], cov.shape[:-2])
    shape = tuple(batch) if shape is None else _canonical_shape("multivariate_normal", shape)
    _check_shape("multivariate_normal", shape, tuple(mean.shape[:-1]), tuple(cov.shape[:-2]))
    mean, cov = pnp.astype(mean, dt), pnp.astype(cov, dt)
    z = _normal(k, shape + tuple(mean.shape[-1:]), dt)
    return mean + pnp.einsum("...ij,...j->...i", _factor(cov, method), z)


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """Haar-random orthogonal (semi-orthogonal for m != n) matrices: Q of the QR factors of
    a normal matrix with R's diagonal made positive."""
    k, _ = check_key("orthogonal", key)
    dt = _float_dtype("orthogonal", dtype)
    shape = _canonical_shape("orthogonal", shape)
    if not isinstance(n, (int, np.integer)) or (m is not None
                                               and not isinstance(m, (int, np.integer))):
        raise PlaitTypeError("orthogonal: n and m must be ints")
    m = n if m is None else m
    z = _normal(k, (*shape, max(n, m), min(n, m)), dt)
    q, r = pnp.linalg.qr(z)
    q = q * pnp.sign(pnp.diagonal(r, 0, -2, -1))[..., None, :]  # R's diagonal made positive
    return pnp.swapaxes(q, -1, -2) if n < m else q
