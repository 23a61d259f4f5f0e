"""NumPy's polynomial functions for `plait.numpy` (coefficients highest power first): poly,
polyadd, polysub, polymul, polydiv, polyder, polyint, polyval, polyfit, roots, vander.

As in jax.numpy, polymul, polydiv, polyder, polyint, polyval, polyfit and roots compute in an
inexact dtype, and polydiv's remainder keeps its leading zeros unless trim_leading_zeros.
"""

from __future__ import annotations

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitValueError
from plait.numpy import linalg
from plait.numpy._calculus import convolve
from plait.numpy._construct import host_value
from plait.numpy._core import (
    _promote_all,
    asarray,
    is_array,
    numpy_function,
    promote_dtypes_inexact,
    sqrt,
)
from plait.numpy._reductions import sum as _sum
from plait.numpy._shape import concatenate, eye, ravel, stack


def _arr(x):
    return x if is_array(x) else asarray(x)


def _vector(p, name):
    p = _arr(p)
    if p.ndim != 1:
        raise PlaitValueError(f"{name}: coefficients must be 1-d, got shape {p.shape}")
    return p


@numpy_function(static=("N", "increasing"))
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of 1-d x: columns x**(N-1), ..., x, 1 (reversed if increasing)."""
    x = _vector(x, "vander")
    N = x.shape[0] if N is None else int(N)
    if N < 0:
        raise PlaitValueError(f"vander: N must be non-negative, got {N}")
    cols = [lax.full(x.shape, 1, x.dtype)]
    for _ in range(1, N):
        cols.append(cols[-1] * x)
    cols = cols[:N]
    if not increasing:
        cols = cols[::-1]
    return stack(cols, 1) if cols else lax.full(x.shape + (0,), 0, x.dtype)


@numpy_function()
def poly(seq_of_zeros):
    """The coefficients of the monic polynomial with the given roots (or a square matrix's
    eigenvalues)."""
    a = _arr(seq_of_zeros)
    if a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0]:
        a = linalg.eigvals(a)
    elif a.ndim != 1:
        raise PlaitValueError("poly: input must be a 1-d array or a non-empty square 2-d array")
    (a,) = promote_dtypes_inexact(a) if not dtypes.is_inexact(a.dtype) else (a,)
    c = lax.full((1,), 1, a.dtype)
    zero = lax.full((1,), 0, a.dtype)
    for k in range(a.shape[0]):
        c = concatenate([c, zero]) - a[k] * concatenate([zero, c])
    return c


def _pad_front(a, n):
    return lax.pad(a, lax.full((), 0, a.dtype), [(n - a.shape[0], 0, 0)])


@numpy_function()
def polyadd(a1, a2):
    """The sum of two polynomials."""
    a1, a2 = _promote_all([_vector(a1, "polyadd"), _vector(a2, "polyadd")])
    n = max(a1.shape[0], a2.shape[0])
    return _pad_front(a1, n) + _pad_front(a2, n)


@numpy_function()
def polysub(a1, a2):
    """The difference of two polynomials."""
    a1, a2 = _promote_all([_vector(a1, "polysub"), _vector(a2, "polysub")])
    n = max(a1.shape[0], a2.shape[0])
    return _pad_front(a1, n) - _pad_front(a2, n)


def _trim_leading(p, name):
    host = host_value(p, f"{name} with trim_leading_zeros=True")
    nz = np.nonzero(host)[0]
    return p[int(nz[0]):] if nz.size else p[-1:]


@numpy_function(jit=False)
def polymul(a1, a2, *, trim_leading_zeros=False):
    """The product of two polynomials."""
    a1, a2 = _vector(a1, "polymul"), _vector(a2, "polymul")
    if trim_leading_zeros:
        a1, a2 = _trim_leading(a1, "polymul"), _trim_leading(a2, "polymul")
    return convolve(a1, a2, mode="full")


@numpy_function(jit=False)
def polydiv(u, v, *, trim_leading_zeros=False):
    """The quotient and remainder of u / v (the remainder as long as u, unless trimmed)."""
    q, r = _polydiv(u, v)
    if trim_leading_zeros:
        r = _trim_leading(r, "polydiv")
    return q, r


@numpy_function()
def _polydiv(u, v):
    u, v = promote_dtypes_inexact(_vector(u, "polydiv"), _vector(v, "polydiv"))
    m, n = u.shape[0] - 1, v.shape[0] - 1
    scale = 1 / v[0]
    qs, r = [], u
    for k in range(m - n + 1):
        d = scale * r[k]
        qs.append(d)
        r = r.at[k:k + n + 1].add(-d * v)
    q = stack(qs) if qs else lax.full((1,), 0, u.dtype)
    return q, r


@numpy_function(static=("m",))
def polyder(p, m=1):
    """The m-th derivative of a polynomial."""
    (p,) = promote_dtypes_inexact(_vector(p, "polyder"))
    if m < 0:
        raise PlaitValueError(f"polyder: order of derivative must be non-negative, got {m}")
    for _ in range(m):
        n = p.shape[0] - 1
        if n <= 0:
            return lax.full((0,), 0, p.dtype)
        p = p[:-1] * asarray(np.arange(n, 0, -1), p.dtype)
    return p


@numpy_function(static=("m",))
def polyint(p, m=1, k=None):
    """The m-th antiderivative of a polynomial, with integration constants k."""
    (p,) = promote_dtypes_inexact(_vector(p, "polyint"))
    if m < 0:
        raise PlaitValueError(f"polyint: order of integral must be non-negative, got {m}")
    k = lax.full((m,), 0, p.dtype) if k is None else ravel(k)
    if k.shape[0] == 1 and m > 1:
        k = lax.broadcast_in_dim(k, (m,), (0,))
    if k.shape[0] != m:
        raise PlaitValueError(f"polyint: k must be a scalar or have length m={m}")
    k = lax.convert_element_type(k, p.dtype)
    for i in range(m):
        n = p.shape[0]
        p = concatenate([p / asarray(np.arange(n, 0, -1), p.dtype), k[i:i + 1]])
    return p


@numpy_function(static=("unroll",))
def polyval(p, x, *, unroll=16):
    """The polynomial p at x, by Horner's rule."""
    p, x = promote_dtypes_inexact(_vector(p, "polyval"), x)
    y = lax.full(x.shape, 0, x.dtype)
    for i in range(p.shape[0]):
        y = y * x + p[i]
    return y


@numpy_function(static=("deg", "rcond", "full", "cov"))
def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """The least-squares polynomial fit of degree deg to (x, y), as NumPy's: also the
    residuals, rank, singular values and rcond (full), or the covariance (cov)."""
    x, y = promote_dtypes_inexact(x, y)
    if deg < 0:
        raise PlaitValueError(f"polyfit: expected deg >= 0, got {deg}")
    if x.ndim != 1 or y.ndim not in (1, 2) or x.shape[0] != y.shape[0]:
        raise PlaitValueError(f"polyfit: expected 1-d x and 1-d or 2-d y of the same length, "
                              f"got {x.shape} and {y.shape}")
    order = deg + 1
    rcond = x.shape[0] * float(dtypes.finfo(x.dtype).eps) if rcond is None else rcond
    lhs, rhs = vander(x, order), y
    if w is not None:
        (w,) = promote_dtypes_inexact(w)
        lhs = lhs * w[:, None]
        rhs = rhs * (w if rhs.ndim == 1 else w[:, None])
    scale = sqrt(_sum(lhs * lhs, axis=0))
    lhs = lhs / scale
    c, resids, rank, s = linalg.lstsq(lhs, rhs, rcond)
    c = (c.T / scale).T
    if full:
        return c, resids, rank, s, lax.full((), rcond, x.dtype)
    if cov:
        vbase = linalg.inv(lhs.T @ lhs) / (scale[:, None] * scale[None, :])
        fac = 1 if cov == "unscaled" else resids / (x.shape[0] - order)
        if y.ndim == 1:
            return c, vbase * fac
        return c, vbase[:, :, None] * fac
    return c


@numpy_function(jit=False)
def roots(p, *, strip_zeros=True):
    """The roots of a polynomial: the eigenvalues of its companion matrix (complex). With
    strip_zeros, leading zeros are dropped and trailing ones give zero roots (they must be
    concrete); without, leading zeros give NaN roots, as in jax."""
    p = _vector(p, "roots")
    trailing = 0
    if strip_zeros:
        nz = np.nonzero(host_value(p, "roots with strip_zeros=True"))[0]
        if not nz.size:
            return lax.full((0,), 0, dtypes.complex_dtype(_inexact(p).dtype))
        trailing = p.shape[0] - 1 - int(nz[-1])
        p = p[int(nz[0]):int(nz[-1]) + 1]
    r = _roots(_inexact(p))
    if trailing:
        r = concatenate([r, lax.full((trailing,), 0, r.dtype)])
    return r


def _inexact(p):
    return promote_dtypes_inexact(p)[0]


@numpy_function()
def _roots(p):
    n = p.shape[0] - 1
    cdt = dtypes.complex_dtype(p.dtype)
    if n < 1:
        return lax.full((0,), 0, cdt)
    lead = lax.reshape(-p[1:] / p[0], (1, n))
    companion = concatenate([lead, eye(n - 1, n, dtype=p.dtype)]) if n > 1 else lead
    out = linalg.eigvals(companion)
    return out if out.dtype == cdt else lax.convert_element_type(out, cdt)
