"""`plait.scipy.linalg`: jax.scipy.linalg's factorizations and solves, built on plait.lax.linalg.

Arguments SciPy takes for its own memory and checks (`overwrite_a`, `overwrite_b`,
`check_finite`) are accepted and ignored, as in jax. Stacks of matrices are batched over their
leading dimensions.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from plait import lax
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.lax import linalg as lax_linalg
from plait.numpy import linalg as np_linalg
from plait.numpy._core import (
    abs,
    asarray,
    is_array,
    numpy_function,
    promote_avals,
    where,
)
from plait.numpy._indexing import take_along_axis
from plait.numpy._linalg import matmul
from plait.numpy._reductions import max as _max
from plait.numpy._reductions import sum
from plait.numpy._shape import broadcast_to, concatenate, expand_dims, reshape, swapaxes

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "det", "eigh", "expm", "inv",
           "lu", "lu_factor", "lu_solve", "qr", "solve", "solve_triangular", "svd"]


def _inexact(*xs, name: str):
    """xs as arrays of one dtype LAPACK takes (integers promoted, float16 rejected)."""
    return np_linalg._inexact(*xs, name=name)


def _square(x, name: str):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise PlaitTypeError(f"scipy.linalg.{name}: needs a square matrix or a stack of them, "
                             f"got shape {x.shape}")
    return x


def _mH(x):
    return lax_linalg._conj(swapaxes(x, -1, -2))


def _as_matrix(b, n: int, name: str):
    """b as a stack of matrices with n rows, and whether it was a vector."""
    vector = b.ndim == 1
    b = reshape(b, (b.shape[0], 1)) if vector else b
    if b.shape[-2] != n:
        raise PlaitTypeError(f"scipy.linalg.{name}: b of shape {b.shape} needs {n} rows")
    return b, vector


def _from_matrix(x, vector: bool):
    return reshape(x, x.shape[:-1]) if vector else x


# --- Cholesky ------------------------------------------------------------------------------------

@numpy_function(static=("lower", "overwrite_a", "check_finite"))
def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """The Cholesky factor: upper (a = uᴴ u) by default, as SciPy's; lower with `lower`. Only
    that triangle of a is read."""
    (a,) = _inexact(a, name="cholesky")
    _square(a, "cholesky")
    l = lax_linalg.cholesky(a if lower else _mH(a), symmetrize_input=False)  # noqa: E741
    return l if lower else _mH(l)


@numpy_function(jit=False)  # `lower` comes back as given, a Python bool
def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """(c, lower) for cho_solve; c's other triangle is zero (SciPy leaves it arbitrary)."""
    return cholesky(a, lower=lower), lower


@numpy_function(jit=False)  # `lower` inside the pair decides the program
def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """x with a x = b, from cho_factor's (c, lower)."""
    c, lower = c_and_lower
    c, b = _inexact(c, b, name="cho_solve")
    b, vector = _as_matrix(b, _square(c, "cho_solve").shape[-1], "cho_solve")
    lower = bool(lower)
    # a = L Lᴴ: solve L y = b, then Lᴴ x = y (with an upper c = Lᴴ, the transposes swap)
    y = lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=not lower,
                                    conjugate_a=not lower)
    x = lax_linalg.triangular_solve(c, y, left_side=True, lower=lower, transpose_a=lower,
                                    conjugate_a=lower)
    return _from_matrix(x, vector)


# --- LU ----------------------------------------------------------------------------------------

@numpy_function(static=("overwrite_a", "check_finite"))
def lu_factor(a, overwrite_a=False, check_finite=True):
    """(lu, piv): L (unit, below the diagonal) and U packed, and LAPACK's row swaps (0-based)."""
    (a,) = _inexact(a, name="lu_factor")
    lu_, piv, _ = lax_linalg.lu(_square(a, "lu_factor"))
    return lu_, piv


@numpy_function(static=("trans", "overwrite_b", "check_finite"))
def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """x with a x = b (trans 0), aᵀ x = b (1) or aᴴ x = b (2), from lu_factor's (lu, piv)."""
    lu_, piv = lu_and_piv
    if trans not in (0, 1, 2):
        raise PlaitValueError(f"scipy.linalg.lu_solve: trans must be 0, 1 or 2, got {trans!r}")
    lu_, b = _inexact(lu_, b, name="lu_solve")
    n = _square(lu_, "lu_solve").shape[-1]
    b, vector = _as_matrix(b, n, "lu_solve")
    perm = lax_linalg.lu_pivots_to_permutation(piv, n)
    if trans == 0:
        idx = broadcast_to(expand_dims(perm, -1), perm.shape + (b.shape[-1],))
        pb = take_along_axis(b, idx, axis=-2, mode="promise_in_bounds")
        y = lax_linalg.triangular_solve(lu_, pb, left_side=True, lower=True, unit_diagonal=True)
        x = lax_linalg.triangular_solve(lu_, y, left_side=True, lower=False)
    else:
        # aᵀ = Uᵀ Lᵀ P: solve Uᵀ y = b, Lᵀ z = y, then undo the permutation
        conj = trans == 2
        y = lax_linalg.triangular_solve(lu_, b, left_side=True, lower=False, transpose_a=True,
                                        conjugate_a=conj)
        z = lax_linalg.triangular_solve(lu_, y, left_side=True, lower=True, transpose_a=True,
                                        conjugate_a=conj, unit_diagonal=True)
        x = matmul(swapaxes(_permutation_matrix(perm, z.dtype), -1, -2), z)
    return _from_matrix(x, vector)


def _permutation_matrix(perm, dtype):
    """P with (P a) = a[perm] along the rows."""
    n = perm.shape[-1]
    cols = lax.broadcasted_iota(perm.dtype, perm.shape + (n,), perm.ndim)
    return lax.convert_element_type(lax.eq(broadcast_to(expand_dims(perm, -1), cols.shape), cols),
                                    dtype)


@numpy_function(static=("permute_l", "overwrite_a", "check_finite"))
def lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    """(p, l, u) with a = p l u (l unit lower, u upper); (p l, u) with `permute_l`."""
    (a,) = _inexact(a, name="lu")
    if a.ndim < 2:
        raise PlaitTypeError(f"scipy.linalg.lu: needs a matrix or a stack of them, got shape "
                             f"{a.shape}")
    m, n = a.shape[-2:]
    k = min(m, n)
    lu_, _, perm = lax_linalg.lu(a)
    l = where(_mask(m, k, lax.gt), lu_[..., :, :k], 0) + _mask(m, k, lax.eq, a.dtype)  # noqa: E741
    u = where(_mask(k, n, lax.le), lu_[..., :k, :], 0)
    p = swapaxes(_permutation_matrix(perm, a.dtype), -1, -2)
    return (matmul(p, l), u) if permute_l else (p, l, u)


def _mask(m: int, n: int, compare, dtype=None):
    """compare(row, column) over an m×n matrix (as `dtype` if given)."""
    mask = compare(lax.broadcasted_iota(np.int32, (m, n), 0),
                   lax.broadcasted_iota(np.int32, (m, n), 1))
    return mask if dtype is None else lax.convert_element_type(mask, dtype)


# --- solves ------------------------------------------------------------------------------------

_TRANS = {0: 0, "N": 0, 1: 1, "T": 1, 2: 2, "C": 2}


@numpy_function(static=("trans", "lower", "unit_diagonal", "overwrite_b", "check_finite"))
def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """x with op(a) x = b for triangular a; op: identity (trans 0 or 'N'), transpose (1, 'T')
    or adjoint (2, 'C'). Only a's `lower` (or upper) triangle is read."""
    if trans not in _TRANS:
        raise PlaitValueError(f"scipy.linalg.solve_triangular: trans must be 0, 1, 2, 'N', 'T' "
                              f"or 'C', got {trans!r}")
    a, b = _inexact(a, b, name="solve_triangular")
    b, vector = _as_matrix(b, _square(a, "solve_triangular").shape[-1], "solve_triangular")
    t = _TRANS[trans]
    x = lax_linalg.triangular_solve(a, b, left_side=True, lower=bool(lower), transpose_a=t > 0,
                                    conjugate_a=t == 2, unit_diagonal=bool(unit_diagonal))
    return _from_matrix(x, vector)


_ASSUME = ("gen", "general", "sym", "symmetric", "her", "hermitian", "pos", "positive definite")


@numpy_function(static=("lower", "overwrite_a", "overwrite_b", "check_finite", "assume_a"))
def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a="gen"):
    """x with a x = b: by Cholesky for assume_a="pos" (reading a's `lower` or upper triangle),
    else by LU."""
    if assume_a not in _ASSUME:
        raise PlaitValueError(f"scipy.linalg.solve: assume_a must be one of {_ASSUME}, got "
                              f"{assume_a!r}")
    a, b = _inexact(a, b, name="solve")
    _square(a, "solve")
    if assume_a not in ("pos", "positive definite"):
        return np_linalg.solve(a, b)
    c = lax_linalg.cholesky(a if lower else _mH(a), symmetrize_input=False)
    return cho_solve((c, True), b)


# --- decompositions and functions of matrices ---------------------------------------------------

@numpy_function(static=("lower", "eigvals_only", "overwrite_a", "overwrite_b", "type",
                        "check_finite", "subset_by_index", "subset_by_value", "driver"))
def eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         type=1, check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    """Eigenvalues (ascending) and eigenvectors of Hermitian a, reading its `lower` (or upper)
    triangle; `subset_by_index=(lo, hi)` keeps eigenvalues lo..hi, both included (SciPy's).
    The generalized problem (b) is not supported, as in jax."""
    if b is not None or type != 1 or subset_by_value is not None or driver is not None:
        raise PlaitValueError("scipy.linalg.eigh: the generalized problem (b, type), "
                              "subset_by_value and driver are not supported, as in jax")
    (a,) = _inexact(a, name="eigh")
    if subset_by_index is not None:
        lo, hi = (int(i) for i in subset_by_index)
        subset_by_index = (lo, hi + 1)
    v, w = lax_linalg.eigh(_square(a, "eigh"), lower=bool(lower), symmetrize_input=False,
                           subset_by_index=subset_by_index)
    return w if eigvals_only else (w, v)


@numpy_function(static=("full_matrices", "compute_uv", "overwrite_a", "check_finite",
                        "lapack_driver"))
def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
        lapack_driver="gesdd"):
    """(u, s, vh) with a = u diag(s) vh, or s alone without `compute_uv`."""
    if lapack_driver not in ("gesdd", "gesvd"):
        raise PlaitValueError(f"scipy.linalg.svd: lapack_driver must be 'gesdd' or 'gesvd', "
                              f"got {lapack_driver!r}")
    (a,) = _inexact(a, name="svd")
    algorithm = lax_linalg.SvdAlgorithm.QR if lapack_driver == "gesvd" else None
    out = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                         algorithm=algorithm)
    return tuple(out) if compute_uv else out


@numpy_function(static=("overwrite_a", "lwork", "mode", "pivoting", "check_finite"))
def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    """mode "full" (q m×m, r m×n), "economic" (q m×k, r k×n): (q, r); "r": (r,) with r m×n;
    with `pivoting`, also p with a[:, p] = q r."""
    if mode not in ("full", "economic", "r"):
        raise PlaitValueError(f"scipy.linalg.qr: mode must be 'full', 'economic' or 'r', got "
                              f"{mode!r}")
    (a,) = _inexact(a, name="qr")
    out = lax_linalg.qr(a, full_matrices=mode != "economic", pivoting=bool(pivoting))
    return tuple(out[1:]) if mode == "r" else tuple(out)


@numpy_function(static=("overwrite_a", "check_finite"))
def det(a, overwrite_a=False, check_finite=True):
    """The determinant, from the LU decomposition."""
    return np_linalg.det(a)


@numpy_function(static=("overwrite_a", "check_finite"))
def inv(a, overwrite_a=False, check_finite=True):
    """The inverse (inf or NaN where a is singular)."""
    return np_linalg.inv(a)


def block_diag(*arrs):
    """The block-diagonal matrix of arrs (scalars and vectors are 1×1 and 1×n blocks), of
    their promoted dtype."""
    if not arrs:
        return asarray(np.zeros((1, 0)))
    arrs = [x if is_array(x) else asarray(x) for x in arrs]
    dt = promote_avals([x.aval for x in arrs])[0]
    blocks = [lax.convert_element_type(reshape(x, (1,) * (2 - x.ndim) + x.shape), dt)
              if x.ndim <= 2 else x for x in arrs]
    for x in blocks:
        if x.ndim != 2:
            raise PlaitTypeError(f"scipy.linalg.block_diag: blocks must have at most 2 "
                                 f"dimensions, got shape {x.shape}")
    width = builtins.sum(x.shape[1] for x in blocks)
    rows, left = [], 0
    for x in blocks:
        n = x.shape[1]
        rows.append(lax.pad(x, lax.full((), 0, dt), ((0, 0, 0), (left, width - left - n, 0))))
        left += n
    return concatenate(rows, axis=0)


# Padé approximant of degree 13 (Higham 2005, "The scaling and squaring method for the matrix
# exponential revisited"), and the 1-norm up to which it is accurate unscaled.
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


@numpy_function(static=("upper_triangular", "max_squarings"))
def expm(A, *, upper_triangular=False, max_squarings=16):
    """The matrix exponential by scaling and squaring with a degree-13 Padé approximant: A is
    scaled by 2⁻ˢ (s from its 1-norm, at most `max_squarings`) and the result squared s times
    (a fixed number of selects, so that it differentiates in both modes, as jax's)."""
    (A,) = _inexact(A, name="expm")
    n = _square(A, "expm").shape[-1]
    norm = _max(sum(abs(A), axis=-2), axis=-1)
    s = lax.max(lax.ceil(lax.div(lax.log(lax.div(norm, _THETA13)), math.log(2.0))), 0.0)
    s = where(lax.is_finite(s), lax.min(s, float(max_squarings)), 0.0)
    scale = lax.pow(lax.full(s.shape, 2.0, s.dtype), lax.neg(s))  # exact: s is an integer
    A = A * lax.convert_element_type(scale, A.dtype)[..., None, None]
    eye = lax.convert_element_type(np.eye(n), A.dtype)
    b = _PADE13
    A2 = matmul(A, A)
    A4 = matmul(A2, A2)
    A6 = matmul(A4, A2)
    U = matmul(A, matmul(A6, b[13] * A6 + b[11] * A4 + b[9] * A2)
               + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * eye)
    V = matmul(A6, b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 \
        + b[0] * eye
    R = np_linalg.solve(V - U, V + U)
    for i in range(max_squarings):
        R = where((s > i)[..., None, None], matmul(R, R), R)
    return R
