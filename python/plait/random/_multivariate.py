"""Samplers that need a matrix factorisation: multivariate_normal (Cholesky) and orthogonal
(QR). plait has no factorisation op yet, so both are spelled out column by column in plait
ops for the (static, small) matrix size: the normal draws are jax's bits, the factors agree
with jax's LAPACK ones to float rounding."""

from __future__ import annotations

import numpy as np

from plait import numpy as pnp
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.random._keys import _canonical_shape, check_key
from plait.random._samplers import _asarray, _check_shape, _float_dtype, _normal


def _cholesky(a):
    """The lower Cholesky factor of the symmetrised a (jax.numpy.linalg.cholesky's input)."""
    a = (a + pnp.swapaxes(a, -1, -2)) / 2
    n = a.shape[-1]
    cols = []
    for j in range(n):
        col = a[..., :, j]
        if cols:
            done = pnp.stack(cols, axis=-1)  # (..., n, j)
            col = col - pnp.einsum("...ik,...k->...i", done, done[..., j, :])
        pivot = pnp.sqrt(col[..., j])
        below = (pnp.arange(n) > j)
        col = pnp.where(below, col / pivot[..., None], pnp.zeros_like(col))
        col = pnp.where(pnp.arange(n) == j, pivot[..., None], col)
        cols.append(col)
    return pnp.stack(cols, axis=-1)


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Samples of N(mean, cov) (mean + cholesky(cov) @ normal)."""
    k, _ = check_key("multivariate_normal", key)
    if method != "cholesky":
        raise PlaitValueError(f"multivariate_normal: method {method!r} needs an eigh/svd op "
                              "plait does not have yet; use method='cholesky'")
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
    return mean + pnp.einsum("...ij,...j->...i", _cholesky(cov), z)


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """Haar-random orthogonal (semi-orthogonal for m != n) matrices: Q of the QR factors of
    a normal matrix with R's diagonal made positive (modified Gram-Schmidt)."""
    k, _ = check_key("orthogonal", key)
    dt = _float_dtype("orthogonal", dtype)
    shape = _canonical_shape("orthogonal", shape)
    if not isinstance(n, (int, np.integer)) or (m is not None
                                               and not isinstance(m, (int, np.integer))):
        raise PlaitTypeError("orthogonal: n and m must be ints")
    m = n if m is None else m
    z = _normal(k, (*shape, max(n, m), min(n, m)), dt)
    qs = []
    for j in range(min(n, m)):
        v = z[..., :, j]
        for q in qs:
            v = v - pnp.sum(q * v, axis=-1, keepdims=True) * q
        qs.append(v / pnp.sqrt(pnp.sum(v * v, axis=-1, keepdims=True)))
    q = pnp.stack(qs, axis=-1)
    return pnp.swapaxes(q, -1, -2) if n < m else q
