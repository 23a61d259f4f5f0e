"""`plait.numpy.linalg`: jax.numpy.linalg (NumPy's linalg with the array API's additions),
built on `plait.lax.linalg`.

Stacks of matrices are batched over their leading dimensions, which broadcast between
operands (solve, matmul). Integer and bool inputs are promoted to an inexact dtype (float32,
or float64 from 64-bit integers); float16 and bfloat16 are not supported (convert first).
Singular input gives what jax gives: inf or NaN (solve, inv, det's derivative), a zero
determinant, slogdet's (0, -inf); a matrix that is not positive definite gives a NaN Cholesky
factor. Eigenvectors of repeated eigenvalues have non-finite derivatives.
"""

from __future__ import annotations

import builtins
import math
from typing import NamedTuple

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.lax import linalg as lax_linalg
from plait.numpy._core import (
    abs,
    asarray,
    conj,
    is_array,
    isnan,
    log,
    multiply,
    numpy_function,
    promote_avals,
    real,
    sqrt,
    where,
)
from plait.numpy._indexing import take_along_axis
from plait.numpy._linalg import matmul, tensordot
from plait.numpy._reductions import max as _max
from plait.numpy._reductions import min as _min
from plait.numpy._reductions import prod, sum
from plait.numpy._shape import broadcast_to, canon_axes, expand_dims, moveaxis, reshape
from plait.numpy._shape import diagonal as _diagonal

__all__ = ["cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals",
           "eigvalsh", "inv", "lstsq", "matmul", "matrix_norm", "matrix_power", "matrix_rank",
           "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr", "slogdet", "solve",
           "svd", "svdvals", "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot",
           "vector_norm",
           "EigResult", "EighResult", "QRResult", "SlogdetResult", "SVDResult"]


class EigResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


# --- operands -----------------------------------------------------------------------------------

def _inexact(*xs, name: str):
    """xs as arrays of one inexact dtype LAPACK takes (integers and bools promoted)."""
    xs = [x if is_array(x) else asarray(x) for x in xs]
    dt = promote_avals([x.aval for x in xs])[0]
    if not dtypes.is_inexact(dt):
        dt = dtypes.float64 if dt.itemsize == 8 else dtypes.config.default_float
    if dt not in (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128):
        raise PlaitTypeError(f"linalg.{name}: {dt} is not supported; convert to float32 first")
    return [x if x.dtype == dt else lax.convert_element_type(x, dt) for x in xs]


def _matrices(x, name: str, square: bool = False):
    if x.ndim < 2:
        raise PlaitTypeError(f"linalg.{name}: needs a matrix or a stack of matrices (at least 2 "
                             f"dimensions), got shape {x.shape}")
    if square and x.shape[-1] != x.shape[-2]:
        raise PlaitTypeError(f"linalg.{name}: the last two dimensions must be square, got "
                             f"shape {x.shape}")
    return x


def _mT(x):
    return lax.transpose(x, tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2))


def _H(x):
    return conj(_mT(x))


def _broadcast_batch(a, b, a_core: int, b_core: int, name: str):
    """a and b with their leading (batch) dimensions broadcast together."""
    ba, bb = a.shape[:a.ndim - a_core], b.shape[:b.ndim - b_core]
    try:
        batch = tuple(np.broadcast_shapes(ba, bb))
    except ValueError:
        raise PlaitTypeError(f"linalg.{name}: batch dimensions {ba} of shape {a.shape} and "
                             f"{bb} of shape {b.shape} do not broadcast") from None
    return (broadcast_to(a, batch + a.shape[a.ndim - a_core:]),
            broadcast_to(b, batch + b.shape[b.ndim - b_core:]))


def _eye(n, dtype, batch=()):
    rows = lax.broadcasted_iota(dtypes.int32, (n, n), 0)
    cols = lax.broadcasted_iota(dtypes.int32, (n, n), 1)
    e = lax.convert_element_type(lax.eq(rows, cols), dtype)
    return broadcast_to(e, tuple(batch) + (n, n))


def _eps(dtype) -> float:
    return float(np.finfo(dtypes.real_dtype(dtype)).eps)


# --- factorizations ----------------------------------------------------------------------------

@numpy_function(static=("upper", "symmetrize_input"))
def cholesky(a, *, upper=False, symmetrize_input=True):
    """The lower (or, with `upper`, upper) Cholesky factor; NaN where a is not positive
    definite."""
    (a,) = _inexact(a, name="cholesky")
    l = lax_linalg.cholesky(_matrices(a, "cholesky", square=True),
                            symmetrize_input=symmetrize_input)
    return _H(l) if upper else l


@numpy_function(static=("mode",))
def qr(a, mode="reduced"):
    """Q and R of a = Q R; mode "reduced", "complete", "r" (R only) or "raw" (LAPACK's
    Householder form, transposed as NumPy returns it, and the taus)."""
    (a,) = _inexact(a, name="qr")
    _matrices(a, "qr")
    if mode == "raw":
        h, taus = lax_linalg.geqrf(a)
        return _mT(h), taus
    if mode not in ("reduced", "complete", "r"):
        raise PlaitValueError(f"linalg.qr: unknown mode {mode!r}; use 'reduced', 'complete', "
                              "'r' or 'raw'")
    q, r = lax_linalg.qr(a, full_matrices=mode == "complete")
    return r if mode == "r" else QRResult(q, r)


@numpy_function(static=("full_matrices", "compute_uv", "hermitian", "subset_by_index"))
def svd(a, full_matrices=True, compute_uv=True, hermitian=False, subset_by_index=None):
    """(U, S, Vh) with a = U diag(S) Vh, S descending; S alone without `compute_uv`.
    `hermitian` is accepted; the general algorithm is used."""
    (a,) = _inexact(a, name="svd")
    out = lax_linalg.svd(_matrices(a, "svd"), full_matrices=full_matrices,
                         compute_uv=compute_uv, subset_by_index=subset_by_index)
    return SVDResult(*out) if compute_uv else out


@numpy_function()
def svdvals(x):
    """The singular values, descending."""
    return svd(x, compute_uv=False)


def _uplo(uplo) -> bool:
    if uplo not in (None, "L", "U"):
        raise PlaitValueError(f"linalg: UPLO must be 'L' or 'U', got {uplo!r}")
    return uplo != "U"


@numpy_function(static=("UPLO", "symmetrize_input"))
def eigh(a, UPLO=None, symmetrize_input=True):
    """Ascending eigenvalues and eigenvectors (columns) of Hermitian matrices. With
    `symmetrize_input` a is replaced by (a + aᴴ)/2; else only its UPLO triangle is read."""
    (a,) = _inexact(a, name="eigh")
    v, w = lax_linalg.eigh(_matrices(a, "eigh", square=True), lower=_uplo(UPLO),
                           symmetrize_input=symmetrize_input)
    return EighResult(w, v)


@numpy_function(static=("UPLO", "symmetrize_input"))
def eigvalsh(a, UPLO="L", *, symmetrize_input=True):
    """Ascending eigenvalues of Hermitian matrices."""
    return eigh(a, UPLO, symmetrize_input).eigenvalues


@numpy_function()
def eig(a):
    """Eigenvalues and right eigenvectors (columns, unit norm) of general square matrices,
    complex (CPU only, as in jax)."""
    (a,) = _inexact(a, name="eig")
    w, v = lax_linalg.eig(_matrices(a, "eig", square=True), compute_left_eigenvectors=False)
    return EigResult(w, v)


@numpy_function()
def eigvals(a):
    """Eigenvalues of general square matrices, complex (CPU only)."""
    (a,) = _inexact(a, name="eigvals")
    return lax_linalg.eig(_matrices(a, "eigvals", square=True), compute_left_eigenvectors=False,
                          compute_right_eigenvectors=False)[0]


# --- solves and inverses ----------------------------------------------------------------------

def _lu_solve(lu, perm, b):
    """a⁻¹ b from a's LU factors, b a stack of matrices with a's batch dimensions."""
    idx = broadcast_to(expand_dims(perm, -1), perm.shape + (b.shape[-1],))
    pb = take_along_axis(b, idx, axis=-2, mode="promise_in_bounds")
    y = lax_linalg.triangular_solve(lu, pb, left_side=True, lower=True, unit_diagonal=True)
    return lax_linalg.triangular_solve(lu, y, left_side=True, lower=False)


@numpy_function()
def solve(a, b):
    """x with a x = b: b is a vector (1-D) or a stack of matrices (NumPy 2's rule); batch
    dimensions broadcast. Singular a gives inf or NaN."""
    a, b = _inexact(a, b, name="solve")
    n = _matrices(a, "solve", square=True).shape[-1]
    vector = b.ndim == 1
    if vector:
        b = reshape(b, (b.shape[0], 1))
    if b.ndim < 2 or b.shape[-2] != n:
        raise PlaitTypeError(f"linalg.solve: b of shape {b.shape} does not fit a of shape "
                             f"{a.shape}: it needs {n} rows")
    a, b = _broadcast_batch(a, b, 2, 2, "solve")
    lu, _, perm = lax_linalg.lu(a)
    x = _lu_solve(lu, perm, b)
    return reshape(x, x.shape[:-1]) if vector else x


@numpy_function()
def inv(a):
    """The inverse of square matrices (inf or NaN where singular)."""
    (a,) = _inexact(a, name="inv")
    _matrices(a, "inv", square=True)
    return solve(a, _eye(a.shape[-1], a.dtype, a.shape[:-2]))


def _lu_det_parts(a):
    lu, pivots, _ = lax_linalg.lu(a)
    d = _diagonal(lu, 0, -2, -1)
    swaps = sum(lax.convert_element_type(
        lax.ne(pivots, lax.broadcast_in_dim(lax.iota(dtypes.int32, pivots.shape[-1]),
                                            pivots.shape, (pivots.ndim - 1,))),
        dtypes.int32), axis=-1)
    parity = lax.convert_element_type(lax.sub(1, lax.mul(2, lax.rem(swaps, 2))), a.dtype)
    return d, parity


@numpy_function()
def det(a):
    """Determinants, from the LU decomposition (its derivative is inf or NaN at singular
    matrices)."""
    (a,) = _inexact(a, name="det")
    _matrices(a, "det", square=True)
    d, parity = _lu_det_parts(a)
    return multiply(parity, prod(d, axis=-1))


@numpy_function(static=("method",))
def slogdet(a, *, method=None):
    """(sign, log|det|): sign of modulus one (0 for singular matrices, whose log|det| is
    -inf)."""
    if method not in (None, "lu"):
        raise PlaitValueError(f"linalg.slogdet: method {method!r} is not supported; use 'lu'")
    (a,) = _inexact(a, name="slogdet")
    _matrices(a, "slogdet", square=True)
    d, parity = _lu_det_parts(a)
    mag = abs(d)
    logabsdet = sum(log(mag), axis=-1)
    zero = lax.eq(mag, lax.full(mag.shape, 0, mag.dtype))
    unit = where(zero, lax.full(d.shape, 1, d.dtype),
                 d / lax.convert_element_type(mag, d.dtype))
    sign = multiply(parity, prod(unit, axis=-1))
    singular = lax.reduce_or(zero, (zero.ndim - 1,))
    return SlogdetResult(where(singular, lax.full(sign.shape, 0, sign.dtype), sign), logabsdet)


def _pinv_cutoff(s, rtol, shape):
    if rtol is None:
        rtol = 10 * builtins.max(shape[-2:]) * _eps(s.dtype)
    return multiply(rtol, _max(s, axis=-1, keepdims=True))


@numpy_function(static=("hermitian",))
def pinv(a, rtol=None, hermitian=False):
    """The Moore–Penrose pseudo-inverse: singular values at or below rtol · the largest
    (default 10 · max(m, n) · eps) count as zero."""
    (a,) = _inexact(a, name="pinv")
    _matrices(a, "pinv")
    u, s, vh = lax_linalg.svd(a, full_matrices=False)
    cutoff = _pinv_cutoff(s, rtol, a.shape)
    s_inv = where(s > cutoff, 1 / where(s > cutoff, s, 1), 0)
    return matmul(_H(vh) * lax.convert_element_type(expand_dims(s_inv, -2), a.dtype), _H(u))


@numpy_function(static=("numpy_resid",))
def lstsq(a, b, rcond=None, *, numpy_resid=False):
    """(x, residuals, rank, s) minimising |a x - b| for a 2-D a, by SVD. Residuals are the
    squared norms of b - a x per column (with `numpy_resid`, as NumPy: empty unless a has full
    rank and more rows than columns)."""
    a, b = _inexact(a, b, name="lstsq")
    if a.ndim != 2 or b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise PlaitTypeError(f"linalg.lstsq: needs a 2-D a and a 1-D or 2-D b with as many "
                             f"rows, got shapes {a.shape} and {b.shape}")
    vector = b.ndim == 1
    b2 = reshape(b, (b.shape[0], 1)) if vector else b
    m, n = a.shape
    u, s, vh = lax_linalg.svd(a, full_matrices=False)
    if rcond is None:
        rcond = _eps(a.dtype) * builtins.max(m, n)
    cutoff = multiply(rcond, _max(s)) if s.shape[0] else 0
    keep = s > cutoff
    s_inv = where(keep, 1 / where(keep, s, 1), 0)
    x = matmul(_H(vh), lax.convert_element_type(expand_dims(s_inv, -1), a.dtype)
               * matmul(_H(u), b2))
    rank = sum(keep, dtype=dtypes.int32)
    resid = sum(abs(matmul(a, x) - b2) ** 2, axis=0)
    if numpy_resid:
        resid = resid if m > n else lax.full((0,), 0, resid.dtype)
    return (reshape(x, (n,)) if vector else x,
            reshape(resid, ()) if vector and not numpy_resid else resid, rank, s)


@numpy_function(static=("n",))
def matrix_power(a, n):
    """a to an integer power n (n < 0: of the inverse), by repeated squaring."""
    a = a if is_array(a) else asarray(a)
    _matrices(a, "matrix_power", square=True)
    if not isinstance(n, (int, np.integer)):
        raise PlaitTypeError(f"linalg.matrix_power: n must be an integer, got {n!r}")
    if n == 0:
        return _eye(a.shape[-1], a.dtype, a.shape[:-2])
    if n < 0:
        a, n = inv(a), -n
    result, base = None, a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


@numpy_function(static=("rtol", "tol"))
def matrix_rank(M, rtol=None, *, tol=None):
    """The number of singular values above tol (default rtol · the largest, rtol =
    max(m, n) · eps)."""
    (M,) = _inexact(M, name="matrix_rank")
    if M.ndim < 2:
        return lax.convert_element_type(lax.reduce_or(lax.ne(M, lax.full(M.shape, 0, M.dtype)),
                                                      tuple(range(M.ndim))), dtypes.int32)
    s = svdvals(M)
    if tol is None:
        r = builtins.max(M.shape[-2:]) * _eps(M.dtype) if rtol is None else rtol
        tol = multiply(r, _max(s, axis=-1, keepdims=True))
    return sum(s > tol, axis=-1, dtype=dtypes.int32)


@numpy_function(static=("p",))
def cond(x, p=None):
    """The condition number in norm p (default 2: largest over smallest singular value);
    inf for singular matrices."""
    (x,) = _inexact(x, name="cond")
    _matrices(x, "cond")
    if p in (None, 2, -2):
        s = svdvals(x)
        big, small = _max(s, axis=-1), _min(s, axis=-1)
        r = big / small if p != -2 else small / big
    else:
        _matrices(x, "cond", square=True)
        r = norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))
    return where(isnan(r), np.inf, r)


# --- norms ---------------------------------------------------------------------------------------

def _vector_norm(x, axes, ord, keepdims):
    a = abs(x)
    if ord is None or ord == 2:
        return sqrt(sum(real(x * conj(x)), axis=axes, keepdims=keepdims))
    if ord == np.inf:
        return _max(a, axis=axes, keepdims=keepdims)
    if ord == -np.inf:
        return _min(a, axis=axes, keepdims=keepdims)
    if ord == 0:
        return sum(lax.convert_element_type(a != 0, a.dtype), axis=axes, keepdims=keepdims)
    if ord == 1:
        return sum(a, axis=axes, keepdims=keepdims)
    if isinstance(ord, str):
        raise PlaitValueError(f"linalg.norm: ord {ord!r} is not a vector norm")
    return sum(a ** ord, axis=axes, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x, axes, ord, keepdims):
    r, c = axes
    if ord in (None, "fro"):
        out = sqrt(sum(real(x * conj(x)), axis=axes))
    elif ord in (1, -1, np.inf, -np.inf):
        sum_axis, pick_axis = (r, c) if ord in (1, -1) else (c, r)
        sums = sum(abs(x), axis=sum_axis, keepdims=True)
        out = (_max if ord > 0 else _min)(sums, axis=(sum_axis, pick_axis))
    elif ord in (2, -2, "nuc"):
        s = svdvals(moveaxis(x, (r, c), (-2, -1)))
        out = sum(s, axis=-1) if ord == "nuc" else (_max if ord == 2 else _min)(s, axis=-1)
    else:
        raise PlaitValueError(f"linalg.norm: ord {ord!r} is not a matrix norm")
    if keepdims:
        for ax in sorted(axes):
            out = expand_dims(out, ax)
    return out


@numpy_function(static=("ord", "axis", "keepdims"))
def norm(x, ord=None, axis=None, keepdims=False):
    """NumPy's norm: a vector norm over one axis, a matrix norm over two; with no axis, the
    Frobenius (2-) norm of everything (ord None) or of a 1-D or 2-D x."""
    (x,) = _inexact(x, name="norm")
    if axis is None:
        if ord is None:
            out = sqrt(sum(real(x * conj(x))))
            return reshape(out, (1,) * x.ndim) if keepdims else out
        if x.ndim not in (1, 2):
            raise PlaitValueError(f"linalg.norm: ord={ord!r} needs a 1-D or 2-D array or an "
                                  f"axis, got shape {x.shape}")
        axis = tuple(range(x.ndim))
    axes = canon_axes(axis, x.ndim)
    if len(axes) == 1:
        return _vector_norm(x, axes, ord, keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, axes, ord, keepdims)
    raise PlaitValueError(f"linalg.norm: axis {axis} must name one or two axes")


@numpy_function(static=("axis", "keepdims", "ord"))
def vector_norm(x, axis=None, keepdims=False, ord=2):
    """A vector norm over `axis` (all of x, flattened, by default)."""
    (x,) = _inexact(x, name="vector_norm")
    if axis is None:
        out = _vector_norm(reshape(x, (x.size,)), (0,), ord, False)
        return reshape(out, (1,) * x.ndim) if keepdims else out
    return _vector_norm(x, canon_axes(axis, x.ndim), ord, keepdims)


@numpy_function(static=("keepdims", "ord"))
def matrix_norm(x, keepdims=False, ord="fro"):
    """A matrix norm over the last two axes."""
    (x,) = _inexact(x, name="matrix_norm")
    _matrices(x, "matrix_norm")
    return _matrix_norm(x, (x.ndim - 2, x.ndim - 1), ord, keepdims)


# --- products and the array API's helpers ------------------------------------------------------

@numpy_function(static=("offset", "dtype"))
def trace(x, offset=0, dtype=None):
    """Sums of the diagonals of the last two axes."""
    x = x if is_array(x) else asarray(x)
    _matrices(x, "trace")
    return sum(_diagonal(x, offset, -2, -1), axis=-1, dtype=dtype)


@numpy_function(static=("offset",))
def diagonal(x, offset=0):
    """The diagonals of the last two axes."""
    x = x if is_array(x) else asarray(x)
    return _diagonal(_matrices(x, "diagonal"), offset, -2, -1)


@numpy_function()
def matrix_transpose(x):
    """Swap the last two axes."""
    x = x if is_array(x) else asarray(x)
    return _mT(_matrices(x, "matrix_transpose"))


@numpy_function()
def outer(x1, x2):
    """The outer product of two vectors."""
    x1 = x1 if is_array(x1) else asarray(x1)
    x2 = x2 if is_array(x2) else asarray(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise PlaitTypeError(f"linalg.outer: needs two vectors, got shapes {x1.shape} and "
                             f"{x2.shape}")
    return multiply(expand_dims(x1, 1), expand_dims(x2, 0))


@numpy_function(static=("axis",))
def vecdot(x1, x2, axis=-1):
    """Σ conj(x1) x2 over `axis`, batch dimensions broadcast."""
    x1 = x1 if is_array(x1) else asarray(x1)
    x2 = x2 if is_array(x2) else asarray(x2)
    if x1.shape[axis] != x2.shape[axis]:
        raise PlaitTypeError(f"linalg.vecdot: shapes {x1.shape} and {x2.shape} differ along "
                             f"axis {axis}")
    return sum(conj(x1) * x2, axis=axis)


@numpy_function(static=("axis",))
def cross(x1, x2, axis=-1):
    """The cross product of 3-vectors along `axis`, batch dimensions broadcast."""
    x1 = x1 if is_array(x1) else asarray(x1)
    x2 = x2 if is_array(x2) else asarray(x2)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise PlaitValueError(f"linalg.cross: needs vectors of 3 along axis {axis}, got shapes "
                              f"{x1.shape} and {x2.shape}")
    a, b = moveaxis(x1, axis, -1), moveaxis(x2, axis, -1)
    part = lambda v, i: lax.slice_in_dim(v, i, i + 1, axis=v.ndim - 1)  # noqa: E731
    a0, a1, a2 = (part(a, i) for i in range(3))
    b0, b1, b2 = (part(b, i) for i in range(3))
    c = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    shape = np.broadcast_shapes(*[v.shape for v in c])
    out = lax.concatenate([broadcast_to(v, shape) for v in c], len(shape) - 1)
    return moveaxis(out, -1, axis)


@numpy_function()
def multi_dot(arrays):
    """The product of a chain of matrices (the first and last may be vectors), in the order of
    fewest multiplications."""
    arrays = [x if is_array(x) else asarray(x) for x in arrays]
    if len(arrays) < 2:
        raise PlaitValueError("linalg.multi_dot: needs at least two arrays")
    first, last = arrays[0].ndim == 1, arrays[-1].ndim == 1
    if first:
        arrays[0] = expand_dims(arrays[0], 0)
    if last:
        arrays[-1] = expand_dims(arrays[-1], 1)
    if any(x.ndim != 2 for x in arrays):
        raise PlaitTypeError("linalg.multi_dot: needs 2-D arrays (the first and last may be "
                             "1-D)")
    dims = [arrays[0].shape[0]] + [x.shape[1] for x in arrays]
    out = _chain(arrays, _chain_order(dims), 0, len(arrays) - 1)
    if first:
        out = reshape(out, out.shape[1:])
    if last:
        out = reshape(out, out.shape[:-1])
    return out


def _chain_order(dims):
    """split[i][j]: where the cheapest product of arrays i..j splits (matrix-chain order)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(arrays, split, i, j):
    if i == j:
        return arrays[i]
    k = split[i][j]
    return matmul(_chain(arrays, split, i, k), _chain(arrays, split, k + 1, j))


@numpy_function(static=("ind",))
def tensorinv(a, ind=2):
    """The inverse of a as a linear map from its first `ind` axes to the rest."""
    a = a if is_array(a) else asarray(a)
    inner, outer_ = a.shape[:ind], a.shape[ind:]
    n = math.prod(inner)
    if n != math.prod(outer_):
        raise PlaitTypeError(f"linalg.tensorinv: shape {a.shape} split at {ind} is not square")
    return reshape(inv(reshape(a, (n, n))), outer_ + inner)


@numpy_function(static=("axes",))
def tensorsolve(a, b, axes=None):
    """x with tensordot(a, x, x.ndim) = b."""
    a = a if is_array(a) else asarray(a)
    b = b if is_array(b) else asarray(b)
    if axes is not None:
        axes = canon_axes(axes, a.ndim)
        a = moveaxis(a, axes, tuple(range(a.ndim - len(axes), a.ndim)))
    x_shape = a.shape[b.ndim:]
    n = math.prod(x_shape)
    if math.prod(a.shape[:b.ndim]) != n or a.shape[:b.ndim] != b.shape:
        raise PlaitTypeError(f"linalg.tensorsolve: a of shape {a.shape} does not fit b of "
                             f"shape {b.shape}")
    return reshape(solve(reshape(a, (n, n)), reshape(b, (n,))), x_shape)
