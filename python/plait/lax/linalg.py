"""`plait.lax.linalg`: jax.lax.linalg's decompositions and solves, one plait op each.

Inputs are matrices or stacks of them (leading dimensions are batch dimensions) of float32,
float64, complex64 or complex128. A factorization that fails for a matrix of the batch (not
positive definite, no convergence) gives NaN for that matrix, never an error, as in jax; an
exactly singular matrix gives LU factors with a zero pivot and inf/NaN in what solves with it.
"""

from __future__ import annotations

import enum

import numpy as np

from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.dialect import ops as P
from plait.lax import _lax
from plait.runtime.device import is_jax_array
from plait.staging.trace import bind


class SvdAlgorithm(enum.Enum):
    """jax's SVD algorithms; DEFAULT is divide and conquer on CPU, Jacobi on GPU."""

    DEFAULT = "default"
    QR = "qr"
    JACOBI = "jacobi"
    DIVIDE_AND_CONQUER = "divide_and_conquer"
    POLAR = "polar"


def _array(x):
    """x as an array: host data becomes one of its own dtype; plait and jax arrays stay."""
    if _lax._is_array(x) or is_jax_array(x):
        return x
    host = np.asarray(x)
    return _lax.convert_element_type(host, host.dtype)


def _matrix_t(x):
    n = np.ndim(x)
    return _lax.transpose(x, tuple(range(n - 2)) + (n - 1, n - 2))


def _conj(x):
    if not dtypes.is_complex(x.dtype):
        return x
    return _lax.complex(_lax.real(x), _lax.neg(_lax.imag(x)))


def symmetrize(x):
    """(x + xᴴ) / 2: the Hermitian part of a stack of square matrices."""
    return _lax.div(_lax.add(x, _conj(_matrix_t(x))), 2)


def _square(name, x):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise PlaitTypeError(f"{name}: needs a square matrix or a stack of them, got shape "
                             f"{x.shape}")


def cholesky(x, *, symmetrize_input: bool = True):
    """The lower Cholesky factor L of x = L Lᴴ (NaN where x is not positive definite). With
    `symmetrize_input` x is replaced by (x + xᴴ)/2 first; else only its lower triangle is read."""
    x = _array(x)
    _square("cholesky", x)
    return bind(P.cholesky, symmetrize(x) if symmetrize_input else x)


def triangular_solve(a, b, *, left_side: bool = False, lower: bool = False,
                     transpose_a: bool = False, conjugate_a: bool = False,
                     unit_diagonal: bool = False):
    """X with op(a) X = b (left_side) or X op(a) = b, op = identity, transpose or (with
    conjugate_a) adjoint. b may be a stack of vectors (one dimension fewer than a)."""
    a, b = _array(a), _array(b)
    vector = b.ndim == a.ndim - 1
    if vector:
        b = _lax.reshape(b, b.shape + (1,) if left_side else b.shape[:-1] + (1, b.shape[-1]))
    x = bind(P.triangular_solve, a, b, left_side=bool(left_side), lower=bool(lower),
             transpose_a=bool(transpose_a), conjugate_a=bool(conjugate_a),
             unit_diagonal=bool(unit_diagonal))
    if vector:
        x = _lax.reshape(x, x.shape[:-1] if left_side else x.shape[:-2] + x.shape[-1:])
    return x


def lu(x):
    """LU with partial pivoting: (lu, pivots, permutation) with x[..., permutation, :] = L U, L
    unit lower (below lu's diagonal) and U upper (on and above it)."""
    return tuple(bind(P.lu, _array(x)))


def lu_pivots_to_permutation(pivots, permutation_size: int):
    """The permutation that swapping row i with pivots[i], in order, makes of 0..size-1."""
    return bind(P.lu_pivots_to_permutation, _array(pivots),
                permutation_size=int(permutation_size))


def geqrf(x):
    """LAPACK's geqrf: (R above the Householder vectors, their taus)."""
    return tuple(bind(P.geqrf, _array(x)))


def householder_product(a, taus):
    """Q from the Householder reflectors below a's diagonal and their taus (orgqr)."""
    return bind(P.householder_product, _array(a), _array(taus))


def qr(x, *, pivoting: bool = False, full_matrices: bool = True):
    """(q, r) with x = q r (with `pivoting`, (q, r, p) with x[..., p] = q r); q is m×m if
    `full_matrices`, else m×min(m, n)."""
    return tuple(bind(P.qr, _array(x), full_matrices=bool(full_matrices),
                      pivoting=bool(pivoting)))


def _svd_algorithm(algorithm) -> str:
    if algorithm is None:
        return "default"
    name = algorithm.name if isinstance(algorithm, enum.Enum) else str(algorithm).upper()
    if name in ("DEFAULT", "DIVIDE_AND_CONQUER"):
        return "default"
    if name == "QR":
        return "qr"
    raise PlaitValueError(f"svd: algorithm {algorithm} is not available here; use "
                          "SvdAlgorithm.DEFAULT or SvdAlgorithm.QR")


def _subset(name, subset_by_index, k):
    if subset_by_index is None:
        return 0, k
    lo, hi = (int(i) for i in subset_by_index)
    if not 0 <= lo <= hi <= k:
        raise PlaitValueError(f"{name}: subset_by_index {tuple(subset_by_index)} must be a "
                              f"range within 0..{k}")
    return lo, hi


def _take_last(x, lo, hi, axis=-1):
    axis = axis % x.ndim
    return _lax.slice_in_dim(x, lo, hi, axis=axis) if (lo, hi) != (0, x.shape[axis]) else x


def svd(x, *, full_matrices: bool = True, compute_uv: bool = True, subset_by_index=None,
        algorithm=None):
    """Singular values s (descending) and, with `compute_uv`, (u, s, vh) with x = u diag(s) vh.
    `subset_by_index=(lo, hi)` keeps singular values lo..hi-1 (and their vectors)."""
    x = _array(x)
    if x.ndim < 2:
        raise PlaitTypeError(f"svd: needs a matrix or a stack of them, got shape {x.shape}")
    k = min(x.shape[-2:])
    lo, hi = _subset("svd", subset_by_index, k)
    full = bool(full_matrices) and (lo, hi) == (0, k)
    out = bind(P.svd, x, full_matrices=full, compute_uv=bool(compute_uv),
               algorithm=_svd_algorithm(algorithm))
    if not compute_uv:
        return _take_last(out, lo, hi)
    s, u, vt = out
    return (_take_last(u, lo, hi) if not full else u, _take_last(s, lo, hi),
            _take_last(vt, lo, hi, -2) if not full else vt)


def eigh(x, *, lower: bool = True, symmetrize_input: bool = True,
         sort_eigenvalues: bool = True, subset_by_index=None):
    """(v, w): eigenvectors (columns of v) and ascending real eigenvalues of Hermitian x. With
    `symmetrize_input` x is replaced by (x + xᴴ)/2; else only its `lower` (or upper) triangle
    is read. `subset_by_index=(lo, hi)` keeps eigenvalues lo..hi-1 and their vectors."""
    x = _array(x)
    _square("eigh", x)
    lo, hi = _subset("eigh", subset_by_index, x.shape[-1])
    v, w = bind(P.eigh, symmetrize(x) if symmetrize_input else x, lower=bool(lower),
                sort_eigenvalues=bool(sort_eigenvalues))
    return _take_last(v, lo, hi), _take_last(w, lo, hi)


def eig(x, *, compute_left_eigenvectors: bool = True, compute_right_eigenvectors: bool = True,
        enable_eigvec_derivs: bool = False):
    """[w, vl, vr]: complex eigenvalues, then left and right eigenvectors if asked (CPU only).
    Eigenvectors are differentiable only with `enable_eigvec_derivs`."""
    x = _array(x)
    _square("eig", x)
    out = bind(P.eig, x, compute_left_eigenvectors=bool(compute_left_eigenvectors),
               compute_right_eigenvectors=bool(compute_right_eigenvectors),
               enable_eigvec_derivs=bool(enable_eigvec_derivs))
    return list(out) if isinstance(out, list) else [out]


def schur(x, *, compute_schur_vectors: bool = True, sort_eig_vals: bool = False,
          select_callable=None):
    """(t, z) with x = z t zᴴ, t upper (quasi-)triangular; only t without
    `compute_schur_vectors` (CPU only). Sorting is not supported, as in jax."""
    if sort_eig_vals or select_callable is not None:
        raise PlaitValueError("schur: sorting eigenvalues is not supported (as in jax)")
    x = _array(x)
    _square("schur", x)
    out = bind(P.schur, x, compute_schur_vectors=bool(compute_schur_vectors))
    return tuple(out) if isinstance(out, list) else out


def tridiagonal(a, *, lower: bool = True):
    """(a, d, e, taus): Hermitian a reduced to real tridiagonal form (diagonal d,
    off-diagonal e), the Householder vectors in a and their taus."""
    a = _array(a)
    _square("tridiagonal", a)
    return tuple(bind(P.tridiagonal, a, lower=bool(lower)))


def tridiagonal_solve(dl, d, du, b, *, perturb_singular: bool = False):
    """X with T X = b for the tridiagonal T of sub-diagonal dl (dl[0] is ignored), diagonal d and
    super-diagonal du (du[-1] is ignored)."""
    return bind(P.tridiagonal_solve, *map(_array, (dl, d, du, b)),
                perturb_singular=bool(perturb_singular))
