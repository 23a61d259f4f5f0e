"""Matrix decompositions and solves: jax.lax.linalg's primitives.

Every op works on stacks of matrices: the trailing two dimensions are the matrix, the leading
ones batch dimensions that all operands share. The element type is float32, float64, complex64
or complex128 (the LAPACK and cuSOLVER kernels they lower to take no other). A factorization
that fails (a matrix that is not positive definite, an eigensolver that does not converge)
gives NaN for that matrix of the batch, never an error, as in jax.
"""

from __future__ import annotations

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import Bool, Int, OpDef, Str
from plait.dialect.traits import Linear, Pure

LAPACK_DTYPES = tuple(dtypes.canonicalize(t) for t in ("float32", "float64", "complex64",
                                                       "complex128"))
INT32 = dtypes.canonicalize("int32")
SVD_ALGORITHMS = ("default", "qr")


def _err(op, msg: str) -> PlaitTypeError:
    return PlaitTypeError(f"{op.short_name}: {msg}")


def check_matrix(op, x: ShapedArray, what: str = "its operand", square: bool = False) -> None:
    """x is a stack of matrices (square ones if `square`) of a LAPACK dtype."""
    if x.dtype not in LAPACK_DTYPES:
        raise _err(op, f"{what} must be float32, float64, complex64 or complex128, got "
                       f"{x.dtype} (convert it first)")
    if x.ndim < 2:
        raise _err(op, f"{what} must be a matrix or a stack of matrices, got shape {x.shape}")
    if square and x.shape[-1] != x.shape[-2]:
        raise _err(op, f"{what} must be square matrices, got shape {x.shape}")


def check_batch(op, avals, ranks, names) -> tuple:
    """The operands' leading (batch) dimensions agree; `ranks` are their non-batch ranks."""
    batches = [a.shape[:a.ndim - r] for a, r in zip(avals, ranks)]
    for b, a, name in zip(batches[1:], avals[1:], names[1:]):
        if b != batches[0]:
            raise _err(op, f"{names[0]} of shape {avals[0].shape} and {name} of shape {a.shape} "
                           "have different batch dimensions")
    return batches[0]


def _like(x: ShapedArray, shape, dtype=None) -> ShapedArray:
    return ShapedArray(tuple(shape), x.dtype if dtype is None else dtype)


class Decomposition(OpDef):
    """One stack of matrices in, its factors out."""

    arity = 1
    traits = (Pure(),)
    square = False

    def infer(self, avals, **params):
        (x,) = avals
        check_matrix(self, x, square=self.square)
        return self.results(x, *x.shape[-2:], **params)

    def results(self, x, m, n, **params) -> list:
        raise NotImplementedError


class Cholesky(Decomposition):
    """`"plait.cholesky"(%a) : (tensor<2x3x3xf32>) -> tensor<2x3x3xf32>`

    The lower factor L of A = L Lᴴ, zero above the diagonal. Reads the lower triangle of A
    (symmetrize before, as lax.linalg.cholesky does). NaN where A is not positive definite.
    """

    square = True

    def results(self, x, m, n):
        return [x.strip_weak()]


class TriangularSolve(OpDef):
    """`"plait.triangular_solve"(%a, %b) {left_side = true, lower = true, transpose_a = false,
    conjugate_a = false, unit_diagonal = false} : (tensor<3x3xf32>, tensor<3x2xf32>)
    -> tensor<3x2xf32>`

    X with op(A) X = B (left_side) or X op(A) = B, op(A) = A, Aᵀ or Aᴴ; A triangular (only its
    `lower` or upper triangle is read, and with `unit_diagonal` not its diagonal either).
    """

    arity = 2
    attrs = {"left_side": Bool(), "lower": Bool(), "transpose_a": Bool(),
             "conjugate_a": Bool(), "unit_diagonal": Bool()}
    traits = (Pure(), Linear(1))
    operand_names = ("matrix a", "right-hand side b")

    def infer(self, avals, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
        a, b = avals
        check_matrix(self, a, "a", square=True)
        check_matrix(self, b, "b")
        if a.dtype != b.dtype:
            raise _err(self, f"a and b must have one dtype, got {a.dtype} and {b.dtype}")
        if a.ndim != b.ndim:
            raise _err(self, f"a of shape {a.shape} and b of shape {b.shape} must have the same "
                             "rank")
        check_batch(self, avals, (2, 2), ("a", "b"))
        m = b.shape[-2] if left_side else b.shape[-1]
        if m != a.shape[-1]:
            side = "rows" if left_side else "columns"
            raise _err(self, f"b of shape {b.shape} must have {a.shape[-1]} {side} to solve "
                             f"with a of shape {a.shape}")
        return [b.strip_weak()]


class Lu(Decomposition):
    """`"plait.lu"(%a) : (tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<3xi32>, tensor<4xi32>)`

    LU with partial pivoting, P A = L U: L (unit diagonal, not stored) and U packed in one
    matrix; the 0-based row swaps of LAPACK's getrf (row i swapped with pivots[i]); the
    permutation they make (P A = A[permutation]). An exactly singular U is no failure.
    """

    def results(self, x, m, n):
        batch = x.shape[:-2]
        return [x.strip_weak(), _like(x, batch + (min(m, n),), INT32),
                _like(x, batch + (m,), INT32)]


class LuPivotsToPermutation(OpDef):
    """`"plait.lu_pivots_to_permutation"(%p) {permutation_size = 4 : i64}
    : (tensor<3xi32>) -> tensor<4xi32>`

    The permutation of 0..permutation_size-1 that the row swaps `pivots` (i with pivots[i],
    in order) make; leading dimensions are batch dimensions.
    """

    arity = 1
    attrs = {"permutation_size": Int()}
    traits = (Pure(),)

    def infer(self, avals, permutation_size):
        (p,) = avals
        if p.dtype != INT32 or p.ndim < 1:
            raise _err(self, f"pivots must be an int32 array of rank >= 1, got {p}")
        if permutation_size < p.shape[-1]:
            raise _err(self, f"permutation_size {permutation_size} is smaller than the "
                             f"{p.shape[-1]} pivots")
        return [ShapedArray(p.shape[:-1] + (permutation_size,), INT32)]


class Geqrf(Decomposition):
    """`"plait.geqrf"(%a) : (tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>)`

    LAPACK's geqrf: R on and above the diagonal, the Householder vectors below it, and their
    scale factors taus (Q = H(1) ... H(k), H(i) = I - taus[i] v vᴴ).
    """

    def results(self, x, m, n):
        return [x.strip_weak(), _like(x, x.shape[:-2] + (min(m, n),))]


class HouseholderProduct(OpDef):
    """`"plait.householder_product"(%a, %taus) : (tensor<4x3xf32>, tensor<3xf32>)
    -> tensor<4x3xf32>`

    The first n columns of the product of the Householder reflectors stored below the
    diagonal of a (m >= n) with scale factors taus (LAPACK's orgqr/ungqr).
    """

    arity = 2
    traits = (Pure(),)
    operand_names = ("reflectors a", "taus")

    def infer(self, avals):
        a, taus = avals
        check_matrix(self, a, "a")
        if taus.dtype != a.dtype or taus.ndim < 1:
            raise _err(self, f"taus must be a vector of a's dtype {a.dtype}, got {taus}")
        check_batch(self, avals, (2, 1), ("a", "taus"))
        m, n = a.shape[-2:]
        if not m >= n >= taus.shape[-1]:
            raise _err(self, f"needs rows >= columns >= taus, got a of shape {a.shape} and "
                             f"{taus.shape[-1]} taus")
        return [a.strip_weak()]


class Qr(Decomposition):
    """`"plait.qr"(%a) {full_matrices = false, pivoting = false}
    : (tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<3x3xf32>)`

    A = Q R (A P = Q R with `pivoting`, P given as the column indices p, A[:, p] = Q R): Q
    m×m (full_matrices) or m×k, R upper triangular m×n or k×n.
    """

    attrs = {"full_matrices": Bool(), "pivoting": Bool()}

    def results(self, x, m, n, full_matrices, pivoting=False):
        k = m if full_matrices else min(m, n)
        batch = x.shape[:-2]
        out = [_like(x, batch + (m, k)), _like(x, batch + (k, n))]
        return out + [_like(x, batch + (n,), INT32)] if pivoting else out


class Svd(Decomposition):
    """`"plait.svd"(%a) {full_matrices = false, compute_uv = true, algorithm = "default"}
    : (tensor<4x3xf32>) -> (tensor<3xf32>, tensor<4x3xf32>, tensor<3x3xf32>)`

    A = U diag(s) Vᴴ: s (real, descending), and with `compute_uv` U and Vᴴ (m×m and n×n with
    `full_matrices`, else m×k and k×n). `algorithm`: "default" (divide and conquer on CPU,
    Jacobi on GPU up to 1024) or "qr".
    """

    attrs = {"full_matrices": Bool(), "compute_uv": Bool(), "algorithm": Str(SVD_ALGORITHMS)}

    def results(self, x, m, n, full_matrices, compute_uv, algorithm="default"):
        k, batch = min(m, n), x.shape[:-2]
        s = _like(x, batch + (k,), dtypes.real_dtype(x.dtype))
        if not compute_uv:
            return [s]
        u, v = (m, n) if full_matrices else (k, k)
        return [s, _like(x, batch + (m, u)), _like(x, batch + (v, n))]


class Eigh(Decomposition):
    """`"plait.eigh"(%a) {lower = true, sort_eigenvalues = true}
    : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3xf32>)`

    A = V diag(w) Vᴴ for Hermitian A (only its `lower` or upper triangle is read): the
    eigenvectors (columns of V) and the real eigenvalues, ascending.
    """

    attrs = {"lower": Bool(), "sort_eigenvalues": Bool()}
    square = True

    def results(self, x, m, n, lower, sort_eigenvalues=True):
        return [x.strip_weak(), _like(x, x.shape[:-1], dtypes.real_dtype(x.dtype))]


class Eig(Decomposition):
    """`"plait.eig"(%a) {compute_left_eigenvectors = false, compute_right_eigenvectors = true,
    enable_eigvec_derivs = false} : (tensor<3x3xf32>) -> (tensor<3xcomplex<f32>>,
    tensor<3x3xcomplex<f32>>)`

    Eigenvalues w of a general square matrix (complex), then left eigenvectors (uᴴ A = w uᴴ)
    and right ones (A v = w v) if asked, each of unit norm with its largest component real
    (LAPACK's geev). CPU only. Eigenvector derivatives only with `enable_eigvec_derivs`.
    """

    attrs = {"compute_left_eigenvectors": Bool(), "compute_right_eigenvectors": Bool(),
             "enable_eigvec_derivs": Bool()}
    square = True

    def results(self, x, m, n, compute_left_eigenvectors, compute_right_eigenvectors,
                enable_eigvec_derivs=False):
        c = dtypes.complex_dtype(x.dtype)
        vec = _like(x, x.shape, c)
        return [_like(x, x.shape[:-1], c)] + [vec] * (compute_left_eigenvectors
                                                      + compute_right_eigenvectors)


class Schur(Decomposition):
    """`"plait.schur"(%a) {compute_schur_vectors = true}
    : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>)`

    A = Z T Zᴴ with T upper (quasi-, for real A) triangular and Z unitary (LAPACK's gees);
    Z only with `compute_schur_vectors`. CPU only.
    """

    attrs = {"compute_schur_vectors": Bool()}
    square = True

    def results(self, x, m, n, compute_schur_vectors):
        return [x.strip_weak()] * (1 + compute_schur_vectors)


class Tridiagonal(Decomposition):
    """`"plait.tridiagonal"(%a) {lower = true} : (tensor<4x4xf32>) -> (tensor<4x4xf32>,
    tensor<4xf32>, tensor<3xf32>, tensor<3xf32>)`

    Reduction of a Hermitian matrix to real symmetric tridiagonal form Qᴴ A Q = T (LAPACK's
    sytrd/hetrd, reading the `lower` or upper triangle): the Householder vectors in the other
    part of a, T's diagonal d and off-diagonal e, and the reflectors' taus.
    """

    attrs = {"lower": Bool()}
    square = True

    def results(self, x, m, n, lower):
        if n == 0:
            raise _err(self, "needs a non-empty matrix")
        batch, r = x.shape[:-2], dtypes.real_dtype(x.dtype)
        return [x.strip_weak(), _like(x, batch + (n,), r), _like(x, batch + (n - 1,), r),
                _like(x, batch + (n - 1,))]


class TridiagonalSolve(OpDef):
    """`"plait.tridiagonal_solve"(%dl, %d, %du, %b) {perturb_singular = false}
    : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>`

    X with T X = B for the tridiagonal T of sub-diagonal dl (dl[0] unused), diagonal d and
    super-diagonal du (du[-1] unused). `perturb_singular` perturbs zero pivots instead of
    giving NaN.
    """

    arity = 4
    attrs = {"perturb_singular": Bool()}
    traits = (Pure(), Linear(3))
    operand_names = ("dl", "d", "du", "b")

    def infer(self, avals, perturb_singular=False):
        dl, d, du, b = avals
        check_matrix(self, b, "b")
        for a, name in zip(avals[:3], self.operand_names):
            if a.dtype != b.dtype:
                raise _err(self, f"{name} must have b's dtype {b.dtype}, got {a.dtype}")
            if a.ndim != b.ndim - 1 or a.shape[-1] != b.shape[-2]:
                raise _err(self, f"{name} of shape {a.shape} does not fit b of shape {b.shape}: "
                                 f"it needs shape {b.shape[:-1]}")
        check_batch(self, avals, (1, 1, 1, 2), self.operand_names)
        return [b.strip_weak()]


cholesky = Cholesky("plait.cholesky", "Cholesky factor of Hermitian positive definite "
                                      "matrices.")
triangular_solve = TriangularSolve("plait.triangular_solve", "Solve a triangular system.")
lu = Lu("plait.lu", "LU decomposition with partial pivoting.")
lu_pivots_to_permutation = LuPivotsToPermutation(
    "plait.lu_pivots_to_permutation", "The permutation that LU's row swaps make.")
geqrf = Geqrf("plait.geqrf", "QR decomposition in LAPACK's compact (Householder) form.")
householder_product = HouseholderProduct("plait.householder_product",
                                         "Q from Householder reflectors.")
qr = Qr("plait.qr", "QR decomposition.")
svd = Svd("plait.svd", "Singular value decomposition.")
eigh = Eigh("plait.eigh", "Eigendecomposition of Hermitian matrices.")
eig = Eig("plait.eig", "Eigendecomposition of general square matrices.")
schur = Schur("plait.schur", "Schur decomposition.")
tridiagonal = Tridiagonal("plait.tridiagonal", "Reduction of Hermitian matrices to "
                                               "tridiagonal form.")
tridiagonal_solve = TridiagonalSolve("plait.tridiagonal_solve", "Solve a tridiagonal system.")

__all__ = ["cholesky", "triangular_solve", "lu", "lu_pivots_to_permutation", "geqrf",
           "householder_product", "qr", "svd", "eigh", "eig", "schur", "tridiagonal",
           "tridiagonal_solve"]
