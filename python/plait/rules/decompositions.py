"""The rules of the decompositions and solves (`dialect/decompositions.py`).

Derivatives are jax's (in math, `notes/linalg-lowering.md` §4): the JVPs of cholesky (Murray
2016), triangular_solve (and its transpose in b), lu, qr (Townsend; full Q of a tall matrix as
arXiv 2409.13374), svd, eigh, eig (eigenvalues; eigenvectors with enable_eigvec_derivs) and
tridiagonal_solve (and its transpose in b). Exactly repeated eigenvalues or singular values give
non-finite eigenvector tangents, as in jax. geqrf, householder_product, schur and tridiagonal
have no derivative in jax and none here.

Batching moves batch dimensions to the front (the kernels loop over leading dimensions);
sharding keeps the batch dimensions' axes and replicates the matrix dimensions. Lowerings call
jaxlib's LAPACK kernels on CPU and cuSOLVER / hipSOLVER ones on GPU (`lowering/solvers.py`).
"""

from __future__ import annotations

from plait._mlir import hlo, ir
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import splat_attr
from plait.dialect.builders import add_any, full_like, zeros_like
from plait.lowering import solvers as S
from plait.lowering.raising import backend_config, register_custom_call
from plait.lowering.stablehlo import binary_body, create, custom_call, i64, i64s, register
from plait.transforms.base import fail
from plait.transforms.batch import batch_rule, move_bdim
from plait.transforms.jvp import defjvp, jvp_rule, zero_jvp
from plait.transforms.shard_propagate import backward_rule, forward_rule
from plait.transforms.transpose import deftranspose

_DECOMPOSITIONS = (P.cholesky, P.lu, P.lu_pivots_to_permutation, P.geqrf,
                   P.householder_product, P.qr, P.svd, P.eigh, P.eig, P.schur, P.tridiagonal,
                   P.tridiagonal_solve)

# --- plait-op helpers for the derivative rules ---------------------------------------------------


def _shape(x) -> tuple:
    return aval_of(x).shape


def _dtype(x):
    return aval_of(x).dtype


def _mT(x):
    n = len(_shape(x))
    return P.transpose(x, permutation=tuple(range(n - 2)) + (n - 1, n - 2))


def _conj(x):
    if not dtypes.is_complex(_dtype(x)):
        return x
    return P.complex(P.real(x), P.neg(P.imag(x)))


def _H(x):
    return _conj(_mT(x))


def _matmul(a, b):
    """Batched a @ b over the same leading dimensions."""
    nb = len(_shape(a)) - 2
    batch = tuple(range(nb))
    return P.dot_general(a, b, lhs_batching_dimensions=batch, rhs_batching_dimensions=batch,
                         lhs_contracting_dimensions=(nb + 1,), rhs_contracting_dimensions=(nb,))


def _mask(shape, compare):
    """A bool mask over the trailing two dimensions of `shape`: compare(row - col, 0)."""
    m, n = shape[-2:]
    i32 = dtypes.int32
    diff = P.sub(P.iota(shape=(m, n), dtype=i32, dimension=0),
                 P.iota(shape=(m, n), dtype=i32, dimension=1))
    mask = compare(diff)
    nd = len(shape)
    return P.broadcast_in_dim(mask, shape=tuple(shape), broadcast_dimensions=(nd - 2, nd - 1))


def _where_diff(direction: str, k: int):
    def compare(diff):
        return P.compare(diff, P.constant(value=splat_attr(_shape(diff), dtypes.int32, k)),
                         direction=direction)
    return compare


def _tril(x, k: int = 0):
    return P.select(_mask(_shape(x), _where_diff("GE", -k)), x, zeros_like(x))


def _triu(x, k: int = 0):
    return P.select(_mask(_shape(x), _where_diff("LE", -k)), x, zeros_like(x))


def _eye_like(x):
    return P.select(_mask(_shape(x), _where_diff("EQ", 0)), full_like(x, 1), zeros_like(x))


def _diag(x):
    """The main diagonals of a stack of square matrices."""
    nd = len(_shape(x))
    return P.reduce_sum(P.select(_mask(_shape(x), _where_diff("EQ", 0)), x, zeros_like(x)),
                        axes=(nd - 1,))


def _diag_embed(v):
    """Stack of diagonal matrices with diagonals v."""
    shape = _shape(v) + (_shape(v)[-1],)
    nd = len(shape)
    full = P.broadcast_in_dim(v, shape=shape, broadcast_dimensions=tuple(range(nd - 1)))
    return P.select(_mask(shape, _where_diff("EQ", 0)), full, zeros_like(full))


def _cols(v, like):
    """v (a vector per matrix) broadcast along the rows of `like`: v[..., None, :]."""
    nd = len(_shape(like))
    return P.broadcast_in_dim(v, shape=_shape(like),
                              broadcast_dimensions=tuple(range(nd - 2)) + (nd - 1,))


def _rows(v, like):
    """v broadcast along the columns of `like`: v[..., :, None]."""
    nd = len(_shape(like))
    return P.broadcast_in_dim(v, shape=_shape(like), broadcast_dimensions=tuple(range(nd - 1)))


def _slice(x, starts, limits):
    """x[..., r0:r1, c0:c1] (trailing len(starts) dimensions)."""
    shape = _shape(x)
    lead = len(shape) - len(starts)
    return P.slice(x, start_indices=(0,) * lead + tuple(starts),
                   limit_indices=shape[:lead] + tuple(limits), strides=(1,) * len(shape))


def _pad(x, lows, highs):
    """x with zeros added before (lows) and after (highs) its trailing dimensions."""
    shape = _shape(x)
    lead = (0,) * (len(shape) - len(lows))
    return P.pad(x, _scalar(x, 0), edge_padding_low=lead + tuple(lows), edge_padding_high=lead + tuple(highs),
                 interior_padding=(0,) * len(shape))


def _scalar(x, value):
    dt = _dtype(x)
    if dtypes.is_complex(dt):
        r = P.constant(value=splat_attr((), dtypes.real_dtype(dt), value))
        return P.complex(r, P.constant(value=splat_attr((), dtypes.real_dtype(dt), 0)))
    return P.constant(value=splat_attr((), dt, value))


def _as(x, dtype):
    return x if _dtype(x) == dtype else P.convert(x, new_dtype=dtype)


def _permutation_matrix(perm, dtype):
    """P with (P A)[i] = A[perm[i]], from a stack of permutations."""
    shape = _shape(perm) + (_shape(perm)[-1],)
    nd = len(shape)
    rows = P.broadcast_in_dim(perm, shape=shape, broadcast_dimensions=tuple(range(nd - 1)))
    cols = P.iota(shape=shape, dtype=dtypes.int32, dimension=nd - 1)
    return P.convert(P.compare(rows, cols, direction="EQ"), new_dtype=dtype)


def _solve(a, b):
    """a⁻¹ b for a stack of square a, by LU (the primal part of a rule)."""
    lu, _, perm = P.lu(a)
    pb = _matmul(_permutation_matrix(perm, _dtype(a)), b)
    y = P.triangular_solve(lu, pb, left_side=True, lower=True, transpose_a=False,
                           conjugate_a=False, unit_diagonal=True)
    return P.triangular_solve(lu, y, left_side=True, lower=False, transpose_a=False,
                              conjugate_a=False, unit_diagonal=False)


def _not_differentiable(why: str):
    def rule(ctx):
        raise fail(ctx.op, f"'{ctx.op.name}' is not differentiable ({why})")
    return rule


# --- JVPs --------------------------------------------------------------------------------------

@defjvp(P.cholesky)
def _cholesky_jvp(primals, tangents, outs):
    """L̇ = L Φ(L⁻¹ Ȧ L⁻ᴴ), Φ: the lower triangle with the diagonal halved."""
    (a_dot,), (l,) = tangents, outs
    right = P.triangular_solve(l, a_dot, left_side=False, lower=True, transpose_a=True,
                               conjugate_a=True, unit_diagonal=False)
    w = P.triangular_solve(l, right, left_side=True, lower=True, transpose_a=False,
                           conjugate_a=False, unit_diagonal=False)
    half = P.select(_mask(_shape(w), _where_diff("EQ", 0)), full_like(w, 0.5), full_like(w, 1))
    return [_matmul(l, P.mul(_tril(w), half))]


def _op_a(x, transpose_a, conjugate_a):
    x = _mT(x) if transpose_a else x
    return _conj(x) if conjugate_a else x


@defjvp(P.triangular_solve)
def _triangular_solve_jvp(primals, tangents, outs, left_side, lower, transpose_a, conjugate_a,
                          unit_diagonal):
    (a, _), (a_dot, b_dot), (x,) = primals, tangents, outs
    params = dict(left_side=left_side, lower=lower, transpose_a=transpose_a,
                  conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    out = None if b_dot is None else P.triangular_solve(a, b_dot, **params)
    if a_dot is None:
        return [out]
    k = -1 if unit_diagonal else 0
    g = _op_a(_tril(a_dot, k) if lower else _triu(a_dot, -k), transpose_a, conjugate_a)
    rows, cols = _shape(x)[-2:]
    if left_side:  # Ẋ = -op(A)⁻¹ op(Ȧ) X, the cheaper way round
        dx = P.triangular_solve(a, _matmul(g, x), **params) if rows > cols else \
            _matmul(P.triangular_solve(a, g, **params), x)
    else:  # Ẋ = -X op(Ȧ) op(A)⁻¹
        dx = P.triangular_solve(a, _matmul(x, g), **params) if cols > rows else \
            _matmul(x, P.triangular_solve(a, g, **params))
    return [add_any(out, P.neg(dx))]


@deftranspose(P.triangular_solve)
def _triangular_solve_t(cts, operands, left_side, lower, transpose_a, conjugate_a,
                        unit_diagonal):
    """The transpose of b ↦ op(A)⁻¹ b is the solve with op(A) transposed."""
    a, _ = operands
    return [None, P.triangular_solve(a, cts[0], left_side=left_side, lower=lower,
                                     transpose_a=not transpose_a, conjugate_a=conjugate_a,
                                     unit_diagonal=unit_diagonal)]


@defjvp(P.lu)
def _lu_jvp(primals, tangents, outs):
    """With L̃ (m×m) and Ũ (n×n) L and U completed to square triangular matrices,
    X = L̃⁻¹ P Ȧ Ũ⁻¹: L̇ = L̃ tril(X, -1), U̇ = triu(X) Ũ (De Hoog, Anderssen and Lukas)."""
    (a_dot,), (lu, _, perm) = tangents, outs
    m, n = _shape(lu)[-2:]
    k = min(m, n)
    pa = _matmul(_permutation_matrix(perm, _dtype(lu)), a_dot)
    lu_m = _slice(lu, (0, 0), (m, m)) if n >= m else _pad(lu, (0, 0), (0, m - n))
    lu_n = _slice(lu, (0, 0), (n, n)) if m >= n else _pad(lu, (0, 0), (n - m, 0))
    u_n = _triu(lu_n)
    if m < n:  # ones on the diagonal of the rows U lacks
        u_n = P.add(u_n, P.select(_mask(_shape(u_n), _where_diff("EQ", 0)),
                                  P.select(_row_at_least(_shape(u_n), m), full_like(u_n, 1),
                                           zeros_like(u_n)), zeros_like(u_n)))
    la = P.triangular_solve(lu_m, pa, left_side=True, lower=True, transpose_a=False,
                            conjugate_a=False, unit_diagonal=True)
    x = P.triangular_solve(u_n, la, left_side=False, lower=False, transpose_a=False,
                           conjugate_a=False, unit_diagonal=False)
    l_full = P.add(_tril(lu_m, -1), _eye_like(lu_m))
    l_dot = _matmul(l_full, _slice(_tril(x, -1), (0, 0), (m, k)))
    u_dot = _matmul(_slice(_triu(x), (0, 0), (k, n)), u_n)
    return [P.add(_pad(l_dot, (0, 0), (0, n - k)), _pad(u_dot, (0, 0), (m - k, 0))), None,
            None]


def _row_at_least(shape, m):
    rows = P.iota(shape=tuple(shape), dtype=dtypes.int32, dimension=len(shape) - 2)
    return P.compare(rows, P.constant(value=splat_attr(tuple(shape), dtypes.int32, m)),
                     direction="GE")


jvp_rule(P.lu_pivots_to_permutation)(zero_jvp)
jvp_rule(P.geqrf)(_not_differentiable("as in jax: differentiate lax.linalg.qr"))
jvp_rule(P.householder_product)(_not_differentiable("as in jax"))
jvp_rule(P.schur)(_not_differentiable("as in jax"))
jvp_rule(P.tridiagonal)(_not_differentiable("as in jax"))


def _qr_thin_jvp(q, r, x_dot):
    """(Q̇, Ṙ) of X = Q R with Q m×n, R n×n upper (Townsend): C = Qᴴ Ẋ R⁻¹,
    Ω = tril(C, -1) - tril(C, -1)ᴴ (+ i Im diag C), Q̇ = Q (Ω - C) + Ẋ R⁻¹, Ṙ = (C - Ω) R."""
    tri = dict(left_side=False, lower=False, transpose_a=False, conjugate_a=False,
               unit_diagonal=False)
    x_rinv = P.triangular_solve(r, x_dot, **tri)
    c = _matmul(_H(q), x_rinv)
    low = _tril(c, -1)
    omega = P.sub(low, _H(low))
    if dtypes.is_complex(_dtype(c)):
        im = P.imag(_diag(c))
        omega = P.add(omega, _diag_embed(P.complex(zeros_like(im), im)))
    q_dot = P.add(_matmul(q, P.sub(omega, c)), x_rinv)
    return q_dot, _matmul(P.sub(c, omega), r)


@defjvp(P.qr)
def _qr_jvp(primals, tangents, outs, full_matrices, pivoting=False):
    (x,), (x_dot,) = primals, tangents
    q, r = outs[:2]
    m, n = _shape(x)[-2:]
    if pivoting:  # A P = Q R: the same rule for the permuted columns
        p_mat = _mT(_permutation_matrix(outs[2], _dtype(x)))
        x, x_dot = _matmul(x, p_mat), _matmul(x_dot, p_mat)
    extra = [None] if pivoting else []
    if m < n:  # X = [X₁ X₂]: Q̇ and Ṙ₁ from X₁ = Q R₁; Ṙ₂ = Q̇ᴴ X₂ + Qᴴ Ẋ₂
        q_dot, r1_dot = _qr_thin_jvp(q, _slice(r, (0, 0), (m, m)), _slice(x_dot, (0, 0), (m, m)))
        r2_dot = P.add(_matmul(_H(q_dot), _slice(x, (0, m), (m, n))),
                       _matmul(_H(q), _slice(x_dot, (0, m), (m, n))))
        return [q_dot, P.concatenate(r1_dot, r2_dot, dimension=len(_shape(x)) - 1)] + extra
    if not full_matrices or m == n:
        return list(_qr_thin_jvp(q, r, x_dot)) + extra
    # full Q of a tall X: Q = [Q₁ Q₂], Q₁ = [Q_nn; Q_pn]; Z = Q_pn (Q_nn - I)⁻¹ (2409.13374)
    q1 = _slice(q, (0, 0), (m, n))
    q1_dot, r_dot = _qr_thin_jvp(q1, _slice(r, (0, 0), (n, n)), x_dot)
    q2 = _slice(q, (0, n), (m, m))
    q_nn, q_pn = _slice(q1, (0, 0), (n, n)), _slice(q1, (n, 0), (m, n))
    z = _H(_solve(_H(P.sub(q_nn, _eye_like(q_nn))), _H(q_pn)))
    dq_nn, dq_pn = _slice(q1_dot, (0, 0), (n, n)), _slice(q1_dot, (n, 0), (m, n))
    q2_dot = P.sub(_matmul(q1_dot, _H(z)),
                   _matmul(P.add(q1, _matmul(q2, z)), _H(P.sub(dq_pn, _matmul(z, dq_nn)))))
    nd = len(_shape(x))
    return [P.concatenate(q1_dot, q2_dot, dimension=nd - 1),
            _pad(r_dot, (0, 0), (m - n, 0))] + extra


def _gap_inverse(w):
    """F with F[i, j] = 1 / (w[j] - w[i]) off the diagonal and 0 on it (inf where two are equal,
    as in jax)."""
    wj = _cols(w, _diag_embed(w))
    wi = _rows(w, wj)
    eye = _eye_like(wj)
    return P.sub(P.div(full_like(wj, 1), P.add(eye, P.sub(wj, wi))), eye)


@defjvp(P.eigh)
def _eigh_jvp(primals, tangents, outs, lower, sort_eigenvalues=True):
    """M = Vᴴ Ȧ V: ẇ = Re diag(M), V̇ = V (F ∘ M) with F the inverse eigenvalue gaps."""
    (a_dot,), (v, w) = tangents, outs
    mm = _matmul(_H(v), _matmul(a_dot, v))
    w_dot = _diag(mm)
    if dtypes.is_complex(_dtype(mm)):
        w_dot = P.real(w_dot)
    v_dot = _matmul(v, P.mul(_as(_gap_inverse(w), _dtype(v)), mm))
    return [v_dot, w_dot]


@jvp_rule(P.svd)
def _svd_jvp(ctx):
    """dS = Uᴴ Ȧ V of the reduced SVD: ṡ = Re diag(dS); U̇, V̇ from F = 1/(s_j² - s_i²)."""
    (x,), (x_dot,), params = ctx.primals, ctx.tangents, ctx.params
    m, n = _shape(x)[-2:]
    full, want_uv = params["full_matrices"], params["compute_uv"]
    if want_uv and full and m != n:
        raise fail(ctx.op, "the derivative of a full SVD of a non-square matrix is not "
                           "defined (as in jax): use full_matrices=False")
    s, u, vt = P.svd(x, full_matrices=False, compute_uv=True,
                     algorithm=params.get("algorithm", "default"))
    ctx.set_primal([s, u, vt] if want_uv else [s])
    v = _H(vt)
    ds = _matmul(_H(u), _matmul(x_dot, v))
    s_dot = _diag(ds)
    if dtypes.is_complex(_dtype(ds)):
        s_dot = P.real(s_dot)
    if not want_uv:
        return [s_dot]
    dt = _dtype(x)
    f = _as(_gap_inverse(P.mul(s, s)), dt)
    s_c = _as(s, dt)
    s_inv = _as(P.select(P.compare(s, zeros_like(s), direction="EQ"), zeros_like(s),
                         P.div(full_like(s, 1), s)), dt)
    ds_s, s_ds = P.mul(ds, _cols(s_c, ds)), P.mul(_rows(s_c, ds), ds)
    ds_h = _H(ds)
    u_inner = P.mul(f, P.add(ds_s, P.mul(_rows(s_c, ds), ds_h)))
    if dtypes.is_complex(dt):
        skew = P.mul(full_like(ds, 0.5), P.sub(ds, ds_h))
        u_inner = P.add(u_inner, _diag_embed(P.mul(_diag(skew), s_inv)))
    u_dot = _matmul(u, u_inner)
    v_dot = _matmul(v, P.mul(f, P.add(s_ds, P.mul(ds_h, _cols(s_c, ds)))))
    if m > n:  # (I - U Uᴴ) Ȧ V S⁻¹
        proj = P.sub(_matmul(x_dot, v), _matmul(u, ds))
        u_dot = P.add(u_dot, P.mul(proj, _cols(s_inv, proj)))
    if n > m:  # (I - V Vᴴ) Ȧᴴ U S⁻¹
        proj = P.sub(_matmul(_H(x_dot), u), _matmul(v, ds_h))
        v_dot = P.add(v_dot, P.mul(proj, _cols(s_inv, proj)))
    return [s_dot, u_dot, _H(v_dot)]


@jvp_rule(P.eig)
def _eig_jvp(ctx):
    """P = V⁻¹ Ȧ V: ẇ = diag(P); with enable_eigvec_derivs, V̇ = V (F ∘ P) with each column's
    free phase and scale fixed to LAPACK's normalisation (unit norm, largest entry real)."""
    (x,), (x_dot,), params = ctx.primals, ctx.tangents, ctx.params
    left, right = params["compute_left_eigenvectors"], params["compute_right_eigenvectors"]
    derivs = params.get("enable_eigvec_derivs", False)
    if (left or right) and not derivs:
        raise fail(ctx.op, "eigenvector derivatives of eig are off (as in jax): pass "
                           "enable_eigvec_derivs=True, or differentiate eigenvalues only")
    outs = P.eig(x, compute_left_eigenvectors=left, compute_right_eigenvectors=True,
                 enable_eigvec_derivs=derivs)
    outs = outs if isinstance(outs, list) else [outs]
    ctx.set_primal(outs[:1 + left + right])
    w, vr = outs[0], outs[-1]
    ct = _dtype(w)
    a_dot = _as(x_dot, ct)
    pm = _solve(vr, _matmul(a_dot, vr))
    tangents = [_diag(pm)]
    if left:
        tangents.append(_eigvec_dot(outs[1], _conj(w), _H(a_dot)))
    if right:
        tangents.append(_eigvec_dot(vr, w, a_dot, pm))
    return tangents


def _eigvec_dot(v, w, a_dot, pm=None):
    """V̇ of A V = V diag(w) for the tangent Ȧ, normalised as LAPACK's geev."""
    if pm is None:
        pm = _solve(v, _matmul(a_dot, v))
    u = _matmul(v, P.mul(_gap_inverse(w), pm))
    # the component of u along each v_j that keeps |v_j| = 1 and v_j's largest entry real
    re_vu = P.real(P.reduce_sum(P.mul(_conj(v), u), axes=(len(_shape(v)) - 2,)))
    nd = len(_shape(v))
    k = P.argmax(P.abs(v), axis=nd - 2, index_dtype=dtypes.int32)
    at_k = P.compare(P.iota(shape=_shape(v), dtype=dtypes.int32, dimension=nd - 2),
                     _cols(k, v), direction="EQ")
    pick = lambda y: P.reduce_sum(P.select(at_k, y, zeros_like(y)), axes=(nd - 2,))  # noqa: E731
    im_u, re_v = P.imag(pick(u)), P.real(pick(v))
    c = P.complex(P.neg(re_vu), P.neg(P.div(im_u, re_v)))
    return P.add(u, P.mul(v, _cols(c, v)))


@defjvp(P.tridiagonal_solve)
def _tridiagonal_solve_jvp(primals, tangents, outs, perturb_singular=False):
    """Ẋ = T⁻¹ (Ḃ - Ṫ X), Ṫ X a tridiagonal product."""
    (dl, d, du, _), (dl_dot, d_dot, du_dot, b_dot), (x,) = primals, tangents, outs
    m = _shape(x)[-2]
    below = _pad(_slice(x, (0, 0), (m - 1, _shape(x)[-1])), (1, 0), (0, 0))  # x[i - 1]
    above = _pad(_slice(x, (1, 0), (m, _shape(x)[-1])), (0, 0), (1, 0))  # x[i + 1]
    tx = None
    for t, y in ((dl_dot, below), (d_dot, x), (du_dot, above)):
        if t is not None:
            tx = add_any(tx, P.mul(_rows(t, y), y))
    rhs = add_any(b_dot, None if tx is None else P.neg(tx))
    return [P.tridiagonal_solve(dl, d, du, rhs, perturb_singular=perturb_singular)]


@deftranspose(P.tridiagonal_solve)
def _tridiagonal_solve_t(cts, operands, perturb_singular=False):
    """Solve with Tᵀ: sub-diagonal [0, du[:-1]], super-diagonal [dl[1:], 0]."""
    dl, d, du, _ = operands
    return [None, None, None,
            P.tridiagonal_solve(_pad(du, (1,), (-1,)), d, _pad(dl, (-1,), (1,)), cts[0],
                                perturb_singular=perturb_singular)]


# --- batching ----------------------------------------------------------------------------------

@batch_rule(*_DECOMPOSITIONS)
def _leading_batch(ctx):
    """The kernels take leading batch dimensions: the vmapped one goes first."""
    xs = [move_bdim(x, b, 0, ctx.size) for x, b in zip(ctx.operands, ctx.bdims)]
    results, _ = OPS[ctx.op.name].build(xs, None, ctx.params)
    return results, [0] * len(results)


@batch_rule(P.triangular_solve)
def _triangular_solve_b(ctx):
    """A batch of right-hand sides for one matrix is one solve with more columns (rows)."""
    (a, b), (ba, bb), p = ctx.operands, ctx.bdims, ctx.params
    if ba is not None:
        return _leading_batch(ctx)
    r = len(_shape(b)) - 1  # rank of the unbatched b
    at = r - 1 if p["left_side"] else r - 2
    b = move_bdim(b, bb, at, ctx.size)
    shape = _shape(b)
    merged = shape[:at] + (shape[at] * shape[at + 1],) + shape[at + 2:]
    x = P.triangular_solve(a, P.reshape(b, new_sizes=merged), **p)
    return [P.reshape(x, new_sizes=shape)], [at]


# --- sharding: batch dimensions keep their axes, matrix dimensions are replicated ----------------

def _core_ranks(name: str, params: dict) -> tuple[tuple, int]:
    """The non-batch ranks of an op's operands and of its first result."""
    if name in (P.triangular_solve.name,):
        return (2, 2), 2
    if name == P.householder_product.name:
        return (2, 1), 2
    if name == P.tridiagonal_solve.name:
        return (1, 1, 1, 2), 2
    if name == P.lu_pivots_to_permutation.name:
        return (1,), 1
    if name in (P.svd.name, P.eig.name):
        return (2,), 1
    return (2,), 2


@forward_rule(*_DECOMPOSITIONS, P.triangular_solve)
def _decomposition_fwd(ctx):
    ins, out = _core_ranks(ctx.op.name, ctx.params)
    best = None
    for dims, prio, core in zip(ctx.dims, ctx.prios, ins):
        if dims is not None and (best is None or prio < best[1]):
            best = (tuple(dims[:len(dims) - core]), prio)
    return None if best is None else best[0] + ((),) * out


@backward_rule(*_DECOMPOSITIONS, P.triangular_solve)
def _decomposition_bwd(ctx):
    ins, out = _core_ranks(ctx.op.name, ctx.params)
    batch = tuple(ctx.out[:len(ctx.out) - out])
    return [batch + ((),) * core for core in ins]


# --- lowering ----------------------------------------------------------------------------------

def _kind(op) -> str:
    """"cpu" or "gpu", else the op has no lowering for the platform compiled for."""
    plat = S.platform()
    if plat == "cpu":
        return "cpu"
    if S.is_gpu():
        return "gpu"
    raise fail(op, f"'{op.operation.name}' has no lowering for platform '{plat}'")


def _cpu_only(op) -> None:
    if S.platform() != "cpu":
        raise fail(op, f"'{op.operation.name}' runs on CPU only (as in jax), not on "
                       f"'{S.platform()}'")


def _info_type(x) -> ir.Type:
    return S.ttype(S.aval(x).shape[:-2], dtypes.int32)


def _empty(x) -> bool:
    return S.aval(x).size == 0


def _fills(result_types, kinds) -> list:
    """The results of an empty input: "zeros" or "eye" each."""
    return [S.eye(t) if k == "eye" else S.zeros(t) for t, k in zip(result_types, kinds)]


@register(P.cholesky)
def _lower_cholesky(op, params, operands, result_types):
    (a,), (t,) = operands, result_types
    if _empty(a):
        return [S.zeros(t)]
    if _kind(op) == "gpu":
        target, config = S.gpu("solver", "potrf"), {"lower": S.flag(True)}
    else:
        target, config = S.lapack("potrf", S.aval(a).dtype), {"uplo": S.char("L")}
    l, info = custom_call(target, [a], [t, _info_type(a)], config, aliases=[(0, 0)])
    return [S.tril(S.nan_unless(S.ok_where(info), l))]


_TRANSPOSE = {(False, False): "NO_TRANSPOSE", (True, False): "TRANSPOSE",
              (True, True): "ADJOINT"}


@register(P.triangular_solve)
def _lower_triangular_solve(op, params, operands, result_types):
    (a, b), (t,) = operands, result_types
    if _empty(b):
        return [S.zeros(t)]
    dt = S.aval(a).dtype
    transpose, conjugate = params["transpose_a"], params["conjugate_a"] and \
        dtypes.is_complex(dt)
    if conjugate and not transpose:  # solve with conj(A)
        a, conjugate = S.conj(a), False
    if _kind(op) == "gpu":  # XLA calls cuBLAS trsm
        attrs = {"left_side": S.flag(params["left_side"]), "lower": S.flag(params["lower"]),
                 "unit_diagonal": S.flag(params["unit_diagonal"]),
                 "transpose_a": hlo.TransposeAttr.get(_TRANSPOSE[(transpose, conjugate)])}
        return [create("stablehlo.triangular_solve", [t], [a, b], attrs).results[0]]
    config = {"side": S.char("L" if params["left_side"] else "R"),
              "uplo": S.char("L" if params["lower"] else "U"),
              "trans_x": S.char("C" if conjugate else "T" if transpose else "N"),
              "diag": S.char("U" if params["unit_diagonal"] else "N")}
    return custom_call(S.lapack("trsm", dt), [a, b], [t], config, aliases=[(1, 0)])


def _pivots_to_permutation(pivots: ir.Value, m: int) -> ir.Value:
    """The permutation of LU's row swaps: a loop over the pivots (CPU), jaxlib's kernel
    (GPU)."""
    pa = S.aval(pivots)
    batch, k = pa.shape[:-1], pa.shape[-1]
    out_t = S.ttype(batch + (m,), dtypes.int32)
    if S.is_gpu() and k and m:
        return custom_call(S.gpu("own", "lu_pivots_to_permutation"), [pivots], [out_t], {},
                           column_major=False, batch_dims=len(batch))[0]
    perm = S.iota(batch + (m,), dtypes.int32, len(batch))
    if k == 0 or m == 0 or 0 in batch:
        return perm
    i_t = S.ttype((), dtypes.int32)
    loop = create("stablehlo.while", [i_t, out_t, pivots.type],
                  [S.splat((), dtypes.int32, 0), perm, pivots], regions=2)
    cond = loop.regions[0].blocks.append(i_t, out_t, pivots.type)
    with ir.InsertionPoint(cond):
        create("stablehlo.return", [], [S.cmp(cond.arguments[0],
                                              S.splat((), dtypes.int32, k), "LT")])
    body = loop.regions[1].blocks.append(i_t, out_t, pivots.type)
    with ir.InsertionPoint(body):
        i, perm, piv = body.arguments
        create("stablehlo.return", [], [
            S.same("stablehlo.add", i, S.splat((), dtypes.int32, 1)),
            _swap_step(i, perm, piv), piv])
    return loop.results[1]


def _swap_step(i, perm, piv):
    """perm with entries i and pivots[i] swapped, in every matrix of the batch."""
    shape = S.aval(perm).shape
    nb = len(shape) - 1
    zero = S.splat((), dtypes.int32, 0)
    one_t = S.ttype(shape[:-1] + (1,), dtypes.int32)
    take = lambda x: S.op("stablehlo.dynamic_slice", one_t, x, *([zero] * nb + [i]),  # noqa
                          slice_sizes=i64s(shape[:-1] + (1,)))
    p_i, at_i_value = take(piv), take(perm)
    cols = S.iota(shape, dtypes.int32, nb)
    at_p = S.cmp(cols, S.bcast(p_i, shape, range(nb + 1)), "EQ")
    at_i = S.cmp(cols, S.bcast(i, shape, ()), "EQ")
    summed = create("stablehlo.reduce", [S.ttype(shape[:-1], dtypes.int32)],
                    [S.select(at_p, perm, S.zeros(perm.type)), zero],
                    {"dimensions": i64s([nb])}, regions=1)
    binary_body(summed.regions[0], zero.type, lambda x, y: S.same("stablehlo.add", x, y))
    at_p_value = S.bcast(summed.results[0], shape, range(nb))
    return S.select(at_i, at_p_value, S.select(at_p, S.bcast(at_i_value, shape, range(nb + 1)),
                                               perm))


@register(P.lu_pivots_to_permutation)
def _lower_lu_pivots_to_permutation(op, params, operands, result_types):
    _kind(op)
    return [_pivots_to_permutation(operands[0], params["permutation_size"])]


@register(P.lu)
def _lower_lu(op, params, operands, result_types):
    (a,), (lu_t, piv_t, _) = operands, result_types
    m = S.aval(a).shape[-2]
    if _empty(a):
        return [S.zeros(lu_t), S.zeros(piv_t), _pivots_to_permutation(S.zeros(piv_t), m)]
    target = S.gpu("solver", "getrf") if _kind(op) == "gpu" else \
        S.lapack("getrf", S.aval(a).dtype)
    lu, ipiv, info = custom_call(target, [a], [lu_t, piv_t, _info_type(a)], {},
                                 aliases=[(0, 0)])
    pivots = S.same("stablehlo.subtract", ipiv, S.splat(S.aval(ipiv).shape, dtypes.int32, 1))
    # a positive info (an exactly singular U) is still a factorization
    return [S.nan_unless(S.ok_where(info, "GE"), lu), pivots,
            _pivots_to_permutation(pivots, m)]


def _geqrf(op, a, a_t, taus_t):
    target = S.gpu("solver", "geqrf") if _kind(op) == "gpu" else \
        S.lapack("geqrf", S.aval(a).dtype)
    return custom_call(target, [a], [a_t, taus_t], {}, aliases=[(0, 0)])


def _orgqr(op, a, taus):
    dt = S.aval(a).dtype
    if _kind(op) == "gpu":
        target = S.gpu("solver", "orgqr")
    else:
        target = S.lapack("ungqr" if dtypes.is_complex(dt) else "orgqr", dt)
    return custom_call(target, [a, taus], [a.type], {}, aliases=[(0, 0)])[0]


@register(P.geqrf)
def _lower_geqrf(op, params, operands, result_types):
    (a,) = operands
    if _empty(a):
        return _fills(result_types, ["zeros", "zeros"])
    return _geqrf(op, a, *result_types)


@register(P.householder_product)
def _lower_householder_product(op, params, operands, result_types):
    a, taus = operands
    if _empty(a):
        return [S.zeros(result_types[0]) if S.aval(a).shape[-1] == 0 else
                S.eye(result_types[0])]
    return [_orgqr(op, a, taus)]


@register(P.qr)
def _lower_qr(op, params, operands, result_types):
    """geqrf (geqp3 with pivoting), then Q from the reflectors and R from the upper part."""
    (a,) = operands
    q_t, r_t = result_types[:2]
    shape = S.aval(a).shape
    m, n = shape[-2:]
    k = min(m, n)
    pivoting = params.get("pivoting")
    if _empty(a):
        perm = [S.iota(shape[:-2] + (n,), dtypes.int32, len(shape) - 2)] if pivoting else []
        return [S.eye(q_t), S.zeros(r_t)] + perm
    taus_t = S.ttype(shape[:-2] + (k,), S.aval(a).dtype)
    extra = []
    if pivoting:
        _cpu_only(op)
        jpvt_t = S.ttype(shape[:-2] + (n,), dtypes.int32)
        r, jpvt, taus = custom_call(S.lapack("geqp3", S.aval(a).dtype), [a, S.zeros(jpvt_t)],
                                    [a.type, jpvt_t, taus_t], {}, aliases=[(0, 0), (1, 1)])
        extra = [S.same("stablehlo.subtract", jpvt, S.splat(shape[:-2] + (n,), dtypes.int32,
                                                              1))]
    else:
        r, taus = _geqrf(op, a, a.type, taus_t)
    if m < n:
        q = _orgqr(op, S.slice_last(r, (0, 0), (m, m)), taus)
    elif params["full_matrices"]:
        q = _orgqr(op, S.pad_last(r, (0, m - n)), taus)
    else:
        q = _orgqr(op, r, taus)
    rows = ir.RankedTensorType(r_t).shape[-2]
    return [q, S.triu(S.slice_last(r, (0, 0), (rows, n)))] + extra


def _svd_gpu(a, params, result_types):
    """cuSOLVER: Jacobi (gesvdj) up to 1024 on a side, QR-based gesvd beyond or if asked."""
    shape, dt = S.aval(a).shape, S.aval(a).dtype
    m, n = shape[-2:]
    k, batch = min(m, n), shape[:-2]
    full, want_uv = params["full_matrices"], params["compute_uv"]
    s_t, info_t = result_types[0], _info_type(a)
    if params.get("algorithm") != "qr" and m <= 1024 and n <= 1024:
        econ = not full and m > 32 and n > 32
        u_t = S.ttype(batch + (m, k if econ else m), dt)
        v_t = S.ttype(batch + (n, k if econ else n), dt)
        _, s, u, v, info = custom_call(S.gpu("solver", "gesvdj"), [a],
                                       [a.type, s_t, u_t, v_t, info_t],
                                       {"full_matrices": S.flag(not econ),
                                        "compute_uv": S.flag(want_uv)}, aliases=[(0, 0)])
        vt = S.conj(S.transpose(v, S.mT_perm(len(shape))))
        if want_uv and not full and not econ:
            u, vt = S.slice_last(u, (0, 0), (m, k)), S.slice_last(vt, (0, 0), (k, n))
        return s, u, vt, info
    ucols, vrows = (m, n) if full else (k, k)
    u_t, vt_t = S.ttype(batch + (m, ucols), dt), S.ttype(batch + (vrows, n), dt)
    wide = m < n  # the kernel factors Aᵀ: everything row-major, U and Vᴴ swapped
    _, s, u, vt, info = custom_call(
        S.gpu("solver", "gesvd"), [a],
        [a.type, s_t] + ([vt_t, u_t] if wide else [u_t, vt_t]) + [info_t],
        {"full_matrices": S.flag(full), "compute_uv": S.flag(want_uv),
         "transposed": S.flag(wide)}, aliases=[(0, 0)], column_major=not wide,
        batch_dims=len(batch))
    return (s, vt, u, info) if wide else (s, u, vt, info)


@register(P.svd)
def _lower_svd(op, params, operands, result_types):
    (a,) = operands
    want_uv = params["compute_uv"]
    if _empty(a):
        return _fills(result_types, ["zeros", "eye", "eye"])
    if _kind(op) == "gpu":
        s, u, vt, info = _svd_gpu(a, params, result_types)
    else:
        shape, dt = S.aval(a).shape, S.aval(a).dtype
        m, n = shape[-2:]
        k = min(m, n)
        full = params["full_matrices"] and want_uv
        mode = "A" if full else "S" if want_uv else "N"
        u_t = S.ttype(shape[:-2] + (m, m if full else k), dt)
        vt_t = S.ttype(shape[:-2] + (n if full else k, n), dt)
        fn = "gesvd" if params.get("algorithm") == "qr" else "gesdd"
        _, s, u, vt, info = custom_call(S.lapack(fn, dt), [a],
                                        [a.type, result_types[0], u_t, vt_t, _info_type(a)],
                                        {"mode": S.char(mode)}, aliases=[(0, 0)])
    ok = S.ok_where(info)
    out = [S.nan_unless(ok, s)]
    return out + [S.nan_unless(ok, u), S.nan_unless(ok, vt)] if want_uv else out


@register(P.eigh)
def _lower_eigh(op, params, operands, result_types):
    (a,) = operands
    if _empty(a):
        return _fills(result_types, ["zeros", "zeros"])
    dt = S.aval(a).dtype
    if _kind(op) == "gpu":
        target = S.gpu("solver", "syevd")
        config = {"algorithm": S.u8(0), "lower": S.flag(params["lower"])}
    else:
        target = S.lapack("heevd" if dtypes.is_complex(dt) else "syevd", dt)
        config = {"mode": S.char("V"), "uplo": S.char("L" if params["lower"] else "U")}
    v, w, info = custom_call(target, [a], list(result_types) + [_info_type(a)], config,
                             aliases=[(0, 0)])
    ok = S.ok_where(info)
    return [S.nan_unless(ok, v), S.nan_unless(ok, w)]


@register(P.eig)
def _lower_eig(op, params, operands, result_types):
    (a,) = operands
    _cpu_only(op)
    if _empty(a):
        return _fills(result_types, ["zeros"] * len(result_types))
    shape, dt = S.aval(a).shape, S.aval(a).dtype
    left, right = params["compute_left_eigenvectors"], params["compute_right_eigenvectors"]
    ct = dtypes.complex_dtype(dt)
    vec_t = S.ttype(shape, ct)
    config = {"compute_left": S.char("V" if left else "N"),
              "compute_right": S.char("V" if right else "N")}
    if dtypes.is_complex(dt):
        w, vl, vr, info = custom_call(S.lapack("geev", dt), [a],
                                      [result_types[0], vec_t, vec_t, _info_type(a)], config)
    else:
        part_t = S.ttype(shape[:-1], dt)
        wr, wi, vl, vr, info = custom_call(S.lapack("geev", dt), [a],
                                           [part_t, part_t, vec_t, vec_t, _info_type(a)],
                                           config)
        w = S.op("stablehlo.complex", result_types[0], wr, wi)
    ok = S.ok_where(info)
    return [S.nan_unless(ok, v) for v in [w] + [vl] * left + [vr] * right]


@register(P.schur)
def _lower_schur(op, params, operands, result_types):
    (a,) = operands
    _cpu_only(op)
    if _empty(a):
        return _fills(result_types, ["zeros", "eye"])
    shape, dt = S.aval(a).shape, S.aval(a).dtype
    vectors = params["compute_schur_vectors"]
    eig_t = [S.ttype(shape[:-1], dt)] * (1 if dtypes.is_complex(dt) else 2)
    outs = custom_call(S.lapack("gees", dt), [a],
                       [a.type, a.type] + eig_t + [_info_type(a), _info_type(a)],
                       {"mode": S.char("V" if vectors else "N"), "sort": S.char("N")},
                       aliases=[(0, 0)])
    ok = S.ok_where(outs[-1])
    return [S.nan_unless(ok, t) for t in outs[:1 + vectors]]


@register(P.tridiagonal)
def _lower_tridiagonal(op, params, operands, result_types):
    (a,) = operands
    if _empty(a):
        return _fills(result_types, ["zeros"] * 4)
    dt = S.aval(a).dtype
    if _kind(op) == "gpu":
        target, config = S.gpu("solver", "sytrd"), {"lower": S.flag(params["lower"])}
    else:
        target = S.lapack("hetrd" if dtypes.is_complex(dt) else "sytrd", dt)
        config = {"uplo": S.char("L" if params["lower"] else "U")}
    *outs, info = custom_call(target, [a], list(result_types) + [_info_type(a)], config,
                              aliases=[(0, 0)])
    ok = S.ok_where(info)
    return [S.nan_unless(ok, v) for v in outs]


def _tridiagonal_small(dl, d, du, b):
    """T⁻¹ B for systems of one or two equations (no GPU kernel takes them)."""
    shape = S.aval(b).shape
    m, nrhs = shape[-2:]

    def coef(v, i):  # v[..., i] against each right-hand side: shape (..., 1, nrhs)
        return S.bcast(S.slice_last(v, (i,), (i + 1,)), shape[:-2] + (1, nrhs),
                       range(len(shape) - 1))

    def b_row(i):
        return S.slice_last(b, (i, 0), (i + 1, nrhs))

    def mul(x, y):
        return S.same("stablehlo.multiply", x, y)

    def sub(x, y):
        return S.same("stablehlo.subtract", x, y)

    if m == 1:
        return S.same("stablehlo.divide", b, coef(d, 0))
    d0, d1, u0, l1 = coef(d, 0), coef(d, 1), coef(du, 0), coef(dl, 1)
    b0, b1 = b_row(0), b_row(1)
    det = sub(mul(d0, d1), mul(u0, l1))
    x0 = S.same("stablehlo.divide", sub(mul(d1, b0), mul(u0, b1)), det)
    x1 = S.same("stablehlo.divide", sub(mul(d0, b1), mul(l1, b0)), det)
    return S.op("stablehlo.concatenate", b.type, x0, x1, dimension=i64(len(shape) - 2))


@register(P.tridiagonal_solve)
def _lower_tridiagonal_solve(op, params, operands, result_types):
    dl, d, du, b = operands
    (t,) = result_types
    if _empty(b):
        return [S.zeros(t)]
    perturb = params.get("perturb_singular")
    if _kind(op) == "gpu":
        if S.aval(b).shape[-2] <= 2:
            return [_tridiagonal_small(dl, d, du, b)]
        if perturb:
            return custom_call(S.gpu("own", "tridiagonal_solve_perturbed"), operands, [t], {})
        return custom_call(S.gpu("sparse", "gtsv2"), operands, [t], {}, aliases=[(3, 0)])
    if perturb:  # jaxlib's own kernel, no LAPACK
        return custom_call("tridiagonal_solve_perturbed_ffi", operands, [t], {})
    dt = S.aval(b).dtype
    *_, x, info = custom_call(S.lapack("gtsv", dt), operands,
                              [dl.type, d.type, du.type, t, _info_type(b)], {},
                              aliases=[(0, 0), (1, 1), (2, 2), (3, 3)])
    return [S.nan_unless(S.ok_where(info), x)]



# --- raising (StableHLO -> plait): the LAPACK kernels jax calls on CPU --------------------------

_LAPACK_TYPES = "sdcz"


@register_custom_call(*(f"lapack_{t}potrf_ffi" for t in _LAPACK_TYPES))
def _raise_potrf(op):
    """LAPACK's Cholesky (lower) as plait.cholesky; its status is nonzero where the factor is
    not finite (plait's is NaN where A is not positive definite, as jax makes LAPACK's)."""
    if backend_config(op).get("uplo") != ord("L"):
        raise fail(op, "plait-raise-stablehlo: only a lower Cholesky factor is raised")
    (a,) = op.operands
    factor = P.cholesky(a)
    nd = aval_of(a).ndim
    finite = P.reduce_and(P.is_finite(P.real(factor) if dtypes.is_complex(aval_of(a).dtype)
                                      else factor), axes=(nd - 2, nd - 1))
    status = aval_of(op.results[1]).dtype
    one, zero = (full_like(finite, v, dtype=status) for v in (1, 0))
    return [factor, P.select(finite, zero, one)]


@register_custom_call(*(f"lapack_{t}trsm_ffi" for t in _LAPACK_TYPES))
def _raise_trsm(op):
    c = backend_config(op)
    trans = chr(c.get("trans_x", ord("N")))
    a, b = op.operands
    return [P.triangular_solve(a, b, left_side=c.get("side") == ord("L"),
                               lower=c.get("uplo") == ord("L"), transpose_a=trans in "TC",
                               conjugate_a=trans == "C", unit_diagonal=c.get("diag") == ord("U"))]


@register_custom_call(*(f"lapack_{t}getrf_ffi" for t in _LAPACK_TYPES))
def _raise_getrf(op):
    """LAPACK's LU as plait.lu: its pivots 1-based again, and its status the 1-based index of
    the first exactly zero pivot of U (0: none), as LAPACK's."""
    (a,) = op.operands
    lu, pivots, _ = P.lu(a)
    av = aval_of(a)
    m, n = av.shape[-2:]
    k = min(m, n)
    square = P.slice(lu, start_indices=(0,) * av.ndim, limit_indices=av.shape[:-2] + (k, k),
                     strides=(1,) * av.ndim)
    rows = P.iota(shape=av.shape[:-2] + (k, k), dtype=dtypes.int32, dimension=av.ndim - 2)
    cols = P.iota(shape=av.shape[:-2] + (k, k), dtype=dtypes.int32, dimension=av.ndim - 1)
    on_diagonal = P.compare(rows, cols, direction="EQ")
    zero = P.and_(on_diagonal, P.compare(square, full_like(square, 0), direction="EQ"))
    singular = P.reduce_or(zero, axes=(av.ndim - 2,))  # per column: a zero pivot
    status = aval_of(op.results[2]).dtype
    first = P.convert(P.argmax(singular, axis=av.ndim - 2, index_dtype=dtypes.int32),
                      new_dtype=status)
    any_zero = P.reduce_or(singular, axes=(av.ndim - 2,))
    info = P.select(any_zero, P.add(first, full_like(first, 1)), full_like(first, 0))
    return [lu, P.add(pivots, full_like(pivots, 1)), info]
