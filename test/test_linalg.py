"""Linear algebra and FFT against NumPy/SciPy (STYLE rule 9): plait.lax.linalg, plait.lax.fft,
plait.numpy.linalg and plait.numpy.fft over float32/float64/complex64/complex128 and batch
dimensions; what singular and not positive definite input gives (as jax); degenerate
eigenvalues under JVP (as jax); bad input at the user's line. The per-op derivatives and vmap
are in test/opcases.py (run by test_ad.py and test_vmap.py).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg as sla
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P
from usersite import raises_at

import plait
import plait.lax
import plait.lax.linalg as pll
import plait.numpy as pnp
from plait.core.errors import PlaitTypeError, PlaitValueError

f32, f64, c64, c128 = (np.dtype(t) for t in ("float32", "float64", "complex64", "complex128"))
DTYPES = [pytest.param(d, id=d.name) for d in (f32, f64, c64, c128)]
BATCHES = [pytest.param(b, id="x".join(map(str, b)) or "single") for b in ((), (2, 3))]
HERE = __file__


pytestmark = pytest.mark.usefixtures("x64")  # the oracles compute in float64


def _tol(dt):
    return 2e-4 if np.dtype(dt).itemsize <= 8 and dt != c128 else 1e-10


def _close(got, want, dt, scale=1.0, what=""):
    tol = _tol(dt) * scale
    got, want = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got) == len(want), what
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=tol, atol=tol,
                                   err_msg=what)


def _rand(rng, shape, dt):
    x = rng.normal(size=shape)
    if np.dtype(dt).kind == "c":
        x = x + 1j * rng.normal(size=shape)
    return x.astype(dt)


def _mH(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _hpd(rng, shape, dt):
    x = _rand(rng, shape, dt).astype(np.complex128 if np.dtype(dt).kind == "c" else f64)
    return (x @ _mH(x) + shape[-1] * np.eye(shape[-1])).astype(dt)


def _well(rng, shape, dt):
    """Well conditioned: diagonally dominant."""
    return (_rand(rng, shape, dt) + 2 * shape[-1] * np.eye(*shape[-2:])).astype(dt)


def _sort_eigenvalues(w):
    """Eigenvalues in a canonical order (conjugate pairs by the sign of their imaginary part)."""
    w = np.asarray(w)
    keys = np.round(w.real, 3), np.round(w.imag, 3)
    return np.take_along_axis(w, np.lexsort(keys[::-1]), axis=-1)


def _loop(fn, *xs):
    """fn over the leading dimensions of xs (NumPy/SciPy functions of single matrices)."""
    batch = xs[0].shape[:-2]
    outs = [fn(*(x[i] for x in xs)) for i in np.ndindex(batch)]
    if isinstance(outs[0], tuple):
        return tuple(np.stack(o).reshape(batch + o[0].shape) for o in zip(*outs))
    return np.stack(outs).reshape(batch + outs[0].shape)


# --- plait.lax.linalg ---------------------------------------------------------------------------

@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_cholesky(dt, batch):
    a = _hpd(np.random.default_rng(0), batch + (4, 4), dt)
    got = plait.jit(pll.cholesky)(a)
    assert got.dtype == dt
    _close(got, np.linalg.cholesky(a), dt)


@pytest.mark.parametrize("left_side", [True, False])
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("transpose_a, conjugate_a", [(False, False), (True, False),
                                                      (True, True), (False, True)])
@pytest.mark.parametrize("unit_diagonal", [False, True])
@pytest.mark.parametrize("dt", [pytest.param(f32, id="float32"), pytest.param(c128, id="c128")])
def test_triangular_solve(left_side, lower, transpose_a, conjugate_a, unit_diagonal, dt):
    rng = np.random.default_rng(1)
    a = _well(rng, (2, 3, 3), dt)
    b = _rand(rng, (2, 3, 4) if left_side else (2, 4, 3), dt)
    got = plait.jit(lambda a, b: pll.triangular_solve(
        a, b, left_side=left_side, lower=lower, transpose_a=transpose_a,
        conjugate_a=conjugate_a, unit_diagonal=unit_diagonal))(a, b)
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        t = t - np.eye(3) * np.diagonal(t, axis1=-2, axis2=-1)[..., None, :] + np.eye(3)
    t = np.conj(t) if conjugate_a else t
    t = np.swapaxes(t, -1, -2) if transpose_a else t
    want = np.linalg.solve(t, b) if left_side else np.swapaxes(
        np.linalg.solve(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
    _close(got, want, dt, 10)


def test_triangular_solve_vector_right_hand_side():
    a, b = np.tril(_well(np.random.default_rng(2), (3, 3), f64)), np.arange(3.0)
    _close(pll.triangular_solve(a, b, left_side=True, lower=True), np.linalg.solve(a, b), f64)
    _close(pll.triangular_solve(a, b, left_side=False, lower=True), np.linalg.solve(a.T, b), f64)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 5), (2, 5, 3)])
def test_lu_matches_scipy(dt, shape):
    x = _rand(np.random.default_rng(3), shape, dt)
    lu, pivots, perm = plait.jit(pll.lu)(x)
    k = min(shape[-2:])
    for i in np.ndindex(shape[:-2]):
        want_lu, want_piv = sla.lu_factor(x[i])
        _close(lu[i], want_lu, dt, 10)
        np.testing.assert_array_equal(np.asarray(pivots[i]), want_piv[:k])
        p, lo, up = sla.lu(x[i], p_indices=True)  # x = lo[p] up: the inverse of x[perm] = L U
        np.testing.assert_array_equal(np.asarray(perm[i]), np.argsort(p))
    assert pivots.dtype == perm.dtype == np.int32


def test_lu_pivots_to_permutation_matches_swaps():
    pivots = np.array([[2, 2, 3], [0, 3, 3]], np.int32)
    want = []
    for row in pivots:
        perm = list(range(5))
        for i, p in enumerate(row):
            perm[i], perm[p] = perm[p], perm[i]
        want.append(perm)
    got = pll.lu_pivots_to_permutation(pivots, 5)
    np.testing.assert_array_equal(np.asarray(got), want)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (3, 3)])
@pytest.mark.parametrize("full", [True, False])
def test_qr_matches_numpy(dt, shape, full):
    x = _rand(np.random.default_rng(4), shape, dt)
    q, r = plait.jit(lambda x: pll.qr(x, full_matrices=full))(x)
    want_q, want_r = np.linalg.qr(x, mode="complete" if full else "reduced")
    _close(q, want_q, dt, 10)
    _close(r, want_r, dt, 10)


@pytest.mark.parametrize("dt", DTYPES)
def test_geqrf_and_householder_product_give_numpy_q(dt):
    x = _rand(np.random.default_rng(5), (2, 5, 3), dt)
    a, taus = pll.geqrf(x)
    want_q, want_r = np.linalg.qr(x)
    _close(np.triu(np.asarray(a))[..., :3, :], want_r, dt, 10)
    _close(pll.householder_product(a, taus), want_q, dt, 10)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
@pytest.mark.parametrize("full", [True, False])
def test_svd_matches_numpy(dt, shape, full):
    x = _rand(np.random.default_rng(6), shape, dt)
    u, s, vh = plait.jit(lambda x: pll.svd(x, full_matrices=full))(x)
    want_u, want_s, want_vh = np.linalg.svd(x, full_matrices=full)
    _close(s, want_s, dt, 10)
    assert np.asarray(s).dtype == np.finfo(dt).dtype
    k = min(shape[-2:])
    # columns of u and rows of vh up to a common phase: compare u_k vh_k
    _close(np.einsum("...ik,...kj->...kij", u[..., :k], vh[..., :k, :]),
           np.einsum("...ik,...kj->...kij", want_u[..., :k], want_vh[..., :k, :]), dt, 10)
    assert u.shape == want_u.shape and vh.shape == want_vh.shape
    _close(pll.svd(x, compute_uv=False), want_s, dt, 10)
    _close(pll.svd(x, compute_uv=False, subset_by_index=(1, 2)), want_s[..., 1:2], dt, 10)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_eigh_matches_numpy(dt, batch):
    a = _hpd(np.random.default_rng(7), batch + (4, 4), dt)
    v, w = plait.jit(pll.eigh)(a)
    want_w, want_v = np.linalg.eigh(a)
    _close(w, want_w, dt, 10)
    _close(np.abs(np.einsum("...ik,...ik->...k", np.conj(v), want_v)), np.ones(batch + (4,)),
           dt, 10)
    _close(pll.eigh(a, subset_by_index=(2, 4))[1], want_w[..., 2:], dt, 10)


def test_eigh_reads_one_triangle_without_symmetrize():
    a = _hpd(np.random.default_rng(8), (3, 3), f64)
    junk = np.tril(a) + np.triu(np.full((3, 3), 7.0), 1)
    _close(pll.eigh(junk, symmetrize_input=False)[1], np.linalg.eigvalsh(a), f64)
    _close(pll.eigh(junk.T, lower=False, symmetrize_input=False)[1], np.linalg.eigvalsh(a), f64)


@pytest.mark.parametrize("dt", DTYPES)
def test_eig_satisfies_its_equations(dt):
    a = _rand(np.random.default_rng(9), (2, 4, 4), dt)
    w, vl, vr = plait.jit(pll.eig)(a)
    a128 = a.astype(c128)
    want = np.linalg.eigvals(a128)
    _close(_sort_eigenvalues(w), _sort_eigenvalues(want), dt, 10)
    _close(a128 @ vr, np.asarray(vr) * np.asarray(w)[..., None, :], dt, 100)
    _close(_mH(vl) @ a128, np.asarray(w)[..., :, None] * _mH(vl), dt, 100)
    _close(np.linalg.norm(vr, axis=-2), np.ones((2, 4)), dt, 10)


@pytest.mark.parametrize("dt", DTYPES)
def test_schur_matches_scipy(dt):
    a = _rand(np.random.default_rng(10), (4, 4), dt)
    t, z = pll.schur(a)
    want_t, want_z = sla.schur(a, output="real" if np.dtype(dt).kind == "f" else "complex")
    _close(t, want_t, dt, 10)
    _close(z, want_z, dt, 10)
    _close(pll.schur(a, compute_schur_vectors=False), want_t, dt, 10)


@pytest.mark.parametrize("dt", DTYPES)
def test_tridiagonal_keeps_the_spectrum(dt):
    a = _hpd(np.random.default_rng(11), (2, 5, 5), dt)
    _, d, e, taus = pll.tridiagonal(a)
    assert d.dtype == e.dtype == np.finfo(dt).dtype and taus.shape == (2, 4)
    for i in range(2):
        _close(sla.eigvalsh_tridiagonal(np.asarray(d[i], f64), np.asarray(e[i], f64)),
               np.linalg.eigvalsh(a[i]), dt, 100)


@pytest.mark.parametrize("dt", DTYPES)
def test_tridiagonal_solve_matches_scipy(dt):
    rng = np.random.default_rng(12)
    dl, du, b = _rand(rng, (2, 5), dt), _rand(rng, (2, 5), dt), _rand(rng, (2, 5, 3), dt)
    d = (_rand(rng, (2, 5), dt) + 6).astype(dt)
    got = plait.jit(pll.tridiagonal_solve)(dl, d, du, b)
    for i in range(2):
        bands = np.stack([np.r_[0, du[i, :-1]], d[i], np.r_[dl[i, 1:], 0]])
        _close(got[i], sla.solve_banded((1, 1), bands, b[i]), dt, 10)


# --- plait.lax.fft --------------------------------------------------------------------------------

@pytest.mark.parametrize("dt", [pytest.param(c64, id="c64"), pytest.param(c128, id="c128")])
def test_lax_fft_types(dt):
    rng = np.random.default_rng(13)
    x = _rand(rng, (2, 3, 4), dt)
    r = np.real(x).astype(np.finfo(dt).dtype)
    _close(plait.lax.fft(x, "FFT", (3, 4)), np.fft.fft2(x), dt, 10)
    _close(plait.lax.fft(x, plait.lax.FftType.IFFT, (4,)), np.fft.ifft(x), dt, 10)
    _close(plait.lax.fft(r, "RFFT", (3, 4)), np.fft.rfft2(r), dt, 10)
    _close(plait.lax.fft(x[..., :3], "IRFFT", (3, 5)), np.fft.irfft2(x[..., :3], (3, 5)), dt, 10)
    assert plait.lax.fft(r, "RFFT", (4,)).dtype == dt


# --- plait.numpy.linalg ---------------------------------------------------------------------------

def _square(dt, batch=(2,), n=3):
    return _well(np.random.default_rng(14), batch + (n, n), dt)


def _rect(dt, shape=(2, 4, 3)):
    return _rand(np.random.default_rng(15), shape, dt)


# (name, function of xp = pnp or np, operands of a dtype); NumPy is the oracle
NUMPY_CASES = [
    ("solve", lambda xp, a, b: xp.linalg.solve(a, b), lambda dt: (_square(dt), _rect(dt, (2, 3, 2)))),
    ("solve_broadcast", lambda xp, a, b: xp.linalg.solve(a, b),
     lambda dt: (_square(dt, (3, 1)), _rect(dt, (3, 2, 3, 2)))),
    ("inv", lambda xp, a: xp.linalg.inv(a), lambda dt: (_square(dt, (2, 2)),)),
    ("det", lambda xp, a: xp.linalg.det(a), lambda dt: (_square(dt, (), 4),)),
    ("det_small", lambda xp, a: xp.linalg.det(a), lambda dt: (_square(dt, (3,), 2),)),
    ("slogdet", lambda xp, a: tuple(xp.linalg.slogdet(a)), lambda dt: (_square(dt, (2,), 4),)),
    ("pinv", lambda xp, a: xp.linalg.pinv(a), lambda dt: (_rect(dt),)),
    ("lstsq", lambda xp, a, b: xp.linalg.lstsq(a, b)[0],
     lambda dt: (_rect(dt, (5, 3)), _rect(dt, (5, 2)))),
    ("norm", lambda xp, a: tuple(xp.linalg.norm(a, o, axis=(-2, -1)) for o in
                                 (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf)),
     lambda dt: (_rect(dt),)),
    ("norm_vector", lambda xp, a: tuple(xp.linalg.norm(a, o, axis=-1) for o in
                                        (None, 0, 1, 2, 3.5, np.inf, -np.inf)),
     lambda dt: (_rect(dt),)),
    ("norm_flat", lambda xp, a: xp.linalg.norm(a), lambda dt: (_rect(dt),)),
    ("vector_norm", lambda xp, a: (xp.linalg.vector_norm(a), xp.linalg.vector_norm(
        a, axis=(0, 2), ord=1, keepdims=True)), lambda dt: (_rect(dt),)),
    ("matrix_norm", lambda xp, a: (xp.linalg.matrix_norm(a), xp.linalg.matrix_norm(a, ord=2),
                                   xp.linalg.matrix_norm(a, ord="nuc", keepdims=True)),
     lambda dt: (_rect(dt),)),
    ("matrix_power", lambda xp, a: (xp.linalg.matrix_power(a, 3), xp.linalg.matrix_power(a, 0),
                                    xp.linalg.matrix_power(a, -2)), lambda dt: (_square(dt),)),
    ("matrix_rank", lambda xp, a: xp.linalg.matrix_rank(a),
     lambda dt: ((_rect(dt, (3, 4, 2)) @ _rect(dt, (3, 2, 5))).astype(dt),)),
    ("cond", lambda xp, a: (xp.linalg.cond(a), xp.linalg.cond(a, "fro"), xp.linalg.cond(a, 1)),
     lambda dt: (_square(dt),)),
    ("eigh", lambda xp, a: xp.linalg.eigh(a)[0], lambda dt: (_hpd(np.random.default_rng(16),
                                                                  (2, 3, 3), dt),)),
    ("eigvalsh", lambda xp, a: (xp.linalg.eigvalsh(a), xp.linalg.eigvalsh(a, UPLO="U")),
     lambda dt: (_hpd(np.random.default_rng(16), (2, 3, 3), dt),)),
    ("svdvals", lambda xp, a: xp.linalg.svdvals(a), lambda dt: (_rect(dt),)),
    ("svd", lambda xp, a: xp.linalg.svd(a, compute_uv=False), lambda dt: (_rect(dt),)),
    ("qr", lambda xp, a: tuple(xp.linalg.qr(a)) + (xp.linalg.qr(a, mode="r"),),
     lambda dt: (_rect(dt),)),
    ("cholesky", lambda xp, a: (xp.linalg.cholesky(a), xp.linalg.cholesky(a, upper=True)),
     lambda dt: (_hpd(np.random.default_rng(17), (2, 3, 3), dt),)),
    ("cross", lambda xp, a, b: (xp.linalg.cross(a, b), xp.linalg.cross(a, b, axis=0)),
     lambda dt: (_rect(dt, (3, 3)), _rect(dt, (3, 3))[::-1])),
    ("outer", lambda xp, a, b: xp.linalg.outer(a, b), lambda dt: (_rect(dt, (3,)), _rect(dt, (4,)))),
    ("tensorinv", lambda xp, a: xp.linalg.tensorinv(a, ind=2),
     lambda dt: (_square(dt, (), 6).reshape(2, 3, 6),)),
    ("tensorsolve", lambda xp, a, b: xp.linalg.tensorsolve(a, b),
     lambda dt: (_square(dt, (), 6).reshape(2, 3, 2, 3), _rect(dt, (2, 3)))),
    ("multi_dot", lambda xp, a, b, c: xp.linalg.multi_dot([a, b, c]),
     lambda dt: (_rect(dt, (3,)), _rect(dt, (3, 5)), _rect(dt, (5, 2)))),
    ("trace", lambda xp, a: (xp.linalg.trace(a), xp.linalg.trace(a, offset=1)),
     lambda dt: (_rect(dt),)),
    ("diagonal", lambda xp, a: xp.linalg.diagonal(a, offset=-1), lambda dt: (_rect(dt),)),
    ("vecdot", lambda xp, a, b: xp.linalg.vecdot(a, b), lambda dt: (_rect(dt), _rect(dt)[::-1])),
    ("matmul", lambda xp, a, b: xp.linalg.matmul(a, b), lambda dt: (_rect(dt), _rect(dt, (3, 2)))),
    ("tensordot", lambda xp, a, b: xp.linalg.tensordot(a, b, axes=2),
     lambda dt: (_rect(dt), _rect(dt, (4, 3, 2)))),
    ("matrix_transpose", lambda xp, a: xp.linalg.matrix_transpose(a), lambda dt: (_rect(dt),)),
]


@pytest.mark.parametrize("name, fn, make", [pytest.param(*c, id=c[0]) for c in NUMPY_CASES])
@pytest.mark.parametrize("dt", DTYPES)
def test_numpy_linalg_matches_numpy(name, fn, make, dt):
    xs = make(dt)
    with np.errstate(all="ignore"):
        want = fn(np, *xs)
    got = plait.jit(lambda *a: fn(pnp, *a))(*xs)
    got, want = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert np.shape(g) == np.shape(w), (i, np.shape(g), np.shape(w))
        _close(g, w, dt, 100, what=f"{name} output {i}")
        # integers (matrix_rank) are plait's default int, as jax's without x64
        want_dt = plait.config.default_int if np.asarray(w).dtype.kind == "i" else \
            np.asarray(w).dtype
        assert np.asarray(g).dtype == want_dt, (i, np.asarray(g).dtype)


def test_numpy_linalg_has_every_jax_function():
    public = {n for n in dir(jnp.linalg) if not n.startswith("_")}
    assert public - set(dir(pnp.linalg)) == set()
    covered = {c[0].split("_")[0] for c in NUMPY_CASES} | {c[0] for c in NUMPY_CASES}
    # eig and eigvals: test_eig_and_eigvals (the order of eigenvalues is LAPACK's)
    assert {n for n in pnp.linalg.__all__ if not n[0].isupper()} - covered == {"eig", "eigvals"}


@pytest.mark.parametrize("dt", DTYPES)
def test_eig_and_eigvals(dt):
    a = _square(dt)
    w, v = pnp.linalg.eig(a)
    want = np.linalg.eigvals(a)
    _close(_sort_eigenvalues(w), _sort_eigenvalues(want), dt, 10)
    _close(pnp.linalg.eigvals(a), w, dt)
    _close(a @ np.asarray(v), np.asarray(v) * np.asarray(w)[..., None, :], dt, 100)


def test_integer_input_is_promoted_as_numpy():
    """To plait's default float (as jax's without x64; float64 from 64-bit integers)."""
    a, b = np.array([[2, 1], [1, 3]], np.int32), np.array([1, 2], np.int32)
    got = pnp.linalg.solve(a, b)
    assert got.dtype == plait.config.default_float
    _close(got, np.linalg.solve(a, b), f32)
    _close(pnp.linalg.det(np.eye(3, dtype=np.int64) * 2), 8.0, f64)


# --- singular and not positive definite input: what jax gives --------------------------------

SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])


@pytest.mark.parametrize("name, fn", [
    ("solve", lambda xp, a: xp.linalg.solve(a, np.ones(3))),
    ("inv", lambda xp, a: xp.linalg.inv(a)),
    ("det", lambda xp, a: xp.linalg.det(a)),
    ("slogdet", lambda xp, a: tuple(xp.linalg.slogdet(a))),
    ("cholesky", lambda xp, a: xp.linalg.cholesky(a)),
    ("lu", lambda xp, a: tuple((pll if xp is pnp else jax.lax.linalg).lu(a))),
    ("eigh_not_hermitian", lambda xp, a: xp.linalg.eigh(a)[0]),
])
def test_singular_input_gives_what_jax_gives(name, fn):
    got = fn(pnp, SINGULAR)
    want = fn(jnp, SINGULAR)
    for g, w in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-12, atol=1e-12)


def test_one_failed_cholesky_in_a_batch_is_nan_only_there():
    a = np.stack([np.eye(2), -np.eye(2), 2 * np.eye(2)])
    got = np.asarray(plait.jit(pnp.linalg.cholesky)(a))
    np.testing.assert_array_equal(got, np.asarray(jnp.linalg.cholesky(a)))
    assert np.isnan(got[1][np.tril_indices(2)]).all() and np.isfinite(got[[0, 2]]).all()


@pytest.mark.parametrize("what", ["eigh", "svd"])
def test_degenerate_spectrum_jvp_is_what_jax_gives(what):
    """Equal eigenvalues (singular values): finite value tangents, non-finite vector tangents,
    as in jax (no special handling)."""
    a = np.diag([1.0, 1.0, 2.0])
    v = np.arange(9.0).reshape(3, 3)
    v = v + v.T
    f = {"eigh": lambda L: lambda x: L.linalg.eigh(x)[::-1],
         "svd": lambda L: lambda x: tuple(L.linalg.svd(x))}[what]
    _, got = plait.jvp(f(pnp), (a,), (v,))
    _, want = jax.jvp(f(jnp), (a,), (v,))
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        np.testing.assert_array_equal(np.isfinite(g), np.isfinite(w))
        np.testing.assert_allclose(g[np.isfinite(w)], w[np.isfinite(w)], rtol=1e-10, atol=1e-10)
    assert not np.isfinite(np.asarray(got[0])).all()


# --- plait.numpy.fft --------------------------------------------------------------------------------

def _fft_cases():
    c = lambda dt: _rand(np.random.default_rng(18), (3, 4, 6), dt)  # noqa: E731
    r = lambda dt: np.real(c(dt)).astype(np.finfo(dt).dtype)  # noqa: E731
    cases = []
    for norm in (None, "ortho", "forward", "backward"):
        cases += [
            (f"fft-{norm}", lambda xp, x, norm=norm: (xp.fft.fft(x, norm=norm),
                                                     xp.fft.fft(x, n=3, axis=0, norm=norm),
                                                     xp.fft.fft(x, n=8, norm=norm)), c),
            (f"ifft-{norm}", lambda xp, x, norm=norm: (xp.fft.ifft(x, norm=norm),
                                                      xp.fft.ifft(x, axis=1, n=5, norm=norm)), c),
            (f"fft2-{norm}", lambda xp, x, norm=norm: (xp.fft.fft2(x, norm=norm),
                                                      xp.fft.ifft2(x, s=(2, 7), norm=norm)), c),
            (f"fftn-{norm}", lambda xp, x, norm=norm: (xp.fft.fftn(x, norm=norm),
                                                      xp.fft.ifftn(x, axes=(0, 2), norm=norm)), c),
            (f"rfft-{norm}", lambda xp, x, norm=norm: (xp.fft.rfft(x, norm=norm),
                                                      xp.fft.rfft(x, n=5, axis=1, norm=norm)), r),
            (f"irfft-{norm}", lambda xp, x, norm=norm: (xp.fft.irfft(x, norm=norm),
                                                       xp.fft.irfft(x, n=7, axis=0, norm=norm)), c),
            (f"rfft2-{norm}", lambda xp, x, norm=norm: (xp.fft.rfft2(x, norm=norm),
                                                       xp.fft.irfft2(x, norm=norm)), r),
            (f"rfftn-{norm}", lambda xp, x, norm=norm: (xp.fft.rfftn(x, norm=norm),
                                                       xp.fft.rfftn(x, s=(4, 5), axes=(0, 2),
                                                                    norm=norm)), r),
            (f"irfftn-{norm}", lambda xp, x, norm=norm: (xp.fft.irfftn(x, norm=norm),
                                                        xp.fft.irfftn(x, s=(3, 9), norm=norm)), c),
            (f"hfft-{norm}", lambda xp, x, norm=norm: (xp.fft.hfft(x, norm=norm),
                                                      xp.fft.hfft(x, n=5, axis=0, norm=norm)), c),
            (f"ihfft-{norm}", lambda xp, x, norm=norm: xp.fft.ihfft(x, norm=norm), r),
        ]
    cases += [
        ("fftshift", lambda xp, x: (xp.fft.fftshift(x), xp.fft.ifftshift(x, axes=(0, 2)),
                                    xp.fft.ifftshift(x), xp.fft.fftshift(x, axes=1)), c),
        ("fft_of_real", lambda xp, x: xp.fft.fft(x), r),
    ]
    return cases


@pytest.mark.parametrize("name, fn, make", [pytest.param(*c, id=c[0]) for c in _fft_cases()])
@pytest.mark.parametrize("dt", [pytest.param(c64, id="c64"), pytest.param(c128, id="c128")])
def test_numpy_fft_matches_numpy(name, fn, make, dt):
    x = make(dt)
    want = fn(np, x.astype(c128 if x.dtype.kind == "c" else f64))
    got = plait.jit(lambda x: fn(pnp, x))(x)
    for i, (g, w) in enumerate(zip(jax.tree.leaves(got), jax.tree.leaves(want))):
        assert np.shape(g) == np.shape(w), (i, np.shape(g), np.shape(w))
        _close(g, w, dt, 100, what=f"{name} output {i}")
        kind = np.asarray(w).dtype.kind
        assert np.asarray(g).dtype == (dt if kind == "c" else np.finfo(dt).dtype), i


def test_fft_frequencies_match_numpy():
    for n, d in ((8, 1.0), (7, 0.1)):
        _close(pnp.fft.fftfreq(n, d), np.fft.fftfreq(n, d), f64)
        _close(pnp.fft.rfftfreq(n, d), np.fft.rfftfreq(n, d), f64)
    assert pnp.fft.fftfreq(4, dtype=np.float32).dtype == np.float32


def test_numpy_fft_has_every_jax_function():
    public = {n for n in dir(jnp.fft) if not n.startswith("_")}
    assert public - set(dir(pnp.fft)) == set()


def test_fft_derivatives_match_jax():
    """The FFT families are linear: grad of a real loss through a chain of them equals jax's."""
    x = _rand(np.random.default_rng(19), (4, 6), f64)

    def loss(xp):
        return lambda x: xp.sum(xp.abs(xp.fft.irfft(xp.fft.rfft(x) * xp.fft.rfft(x[::-1]), x.shape[-1])) ** 2
                                + xp.real(xp.fft.ifftn(xp.fft.fft2(x, norm="ortho")) ** 3))
    _close(plait.grad(loss(pnp))(x), jax.grad(loss(jnp))(x), f64)
    _close(plait.hessian(lambda x: loss(pnp)(x))(x[:2, :3]),
           jax.hessian(loss(jnp))(x[:2, :3]), f64, 100)


# --- bad input ------------------------------------------------------------------------------------

def test_error_cholesky_of_a_non_square_matrix():
    line = test_error_cholesky_of_a_non_square_matrix.__code__.co_firstlineno
    raises_at(PlaitTypeError, lambda: plait.jit(pnp.linalg.cholesky)(np.ones((3, 4))),
              line + 2, "square", here=HERE)
    raises_at(PlaitTypeError, lambda: pll.cholesky(np.ones((3, 4))), line + 4, "square",
              here=HERE)


def test_error_mismatched_batch_dimensions():
    line = test_error_mismatched_batch_dimensions.__code__.co_firstlineno
    raises_at(PlaitTypeError, lambda: pnp.linalg.solve(np.ones((2, 3, 3)), np.ones((4, 3, 3))),
              line + 2, "do not broadcast", here=HERE)
    raises_at(PlaitTypeError, lambda: pll.triangular_solve(np.ones((2, 3, 3)),
                                                           np.ones((4, 3, 3)), left_side=True),
              line + 4, "batch dimensions", here=HERE)
    raises_at(PlaitTypeError, lambda: pnp.linalg.solve(np.eye(3), np.ones(4)),
              line + 7, "needs 3 rows", here=HERE)


def test_error_integer_matrix_to_lax_linalg():
    """plait.lax.linalg takes inexact dtypes only, as jax.lax.linalg; plait.numpy promotes."""
    line = test_error_integer_matrix_to_lax_linalg.__code__.co_firstlineno
    raises_at(PlaitTypeError, lambda: pll.cholesky(np.eye(3, dtype=np.int32)),
              line + 3, "int32", here=HERE)
    raises_at(PlaitTypeError, lambda: pll.triangular_solve(np.eye(3, dtype=np.int32),
                                                           np.ones((3, 1)), left_side=True),
              line + 5, "int32", here=HERE)
    raises_at(PlaitTypeError, lambda: pnp.linalg.solve(np.eye(2, dtype=np.float16), np.ones(2, np.float16)),
              line + 8, "float16", here=HERE)


def test_error_bad_fft_operands():
    line = test_error_bad_fft_operands.__code__.co_firstlineno
    raises_at(PlaitTypeError, lambda: plait.lax.fft(np.ones(4), "FFT", (4,)),
              line + 2, "complex", here=HERE)
    raises_at(PlaitTypeError, lambda: plait.lax.fft(np.ones(4, complex), "FFT", (5,)),
              line + 4, "trailing dimensions", here=HERE)
    raises_at(PlaitValueError, lambda: pnp.fft.fft(np.ones(4), norm="sideways"),
              line + 6, "norm", here=HERE)


def test_error_eig_vector_derivatives_are_off_as_in_jax():
    line = test_error_eig_vector_derivatives_are_off_as_in_jax.__code__.co_firstlineno
    f = lambda x: pnp.sum(pnp.abs(pll.eig(x)[2]))  # noqa: E731
    raises_at(Exception, lambda: plait.grad(f)(np.eye(3) + np.diag([0.0, 1.0, 2.0])),
              line + 2, "enable_eigvec_derivs", here=HERE)


# --- sharding ---------------------------------------------------------------------------------------

def test_batch_sharded_decompositions_run_per_shard():
    """A batch sharded over 8 devices: each device factors its own matrices (the custom call
    sees a batch of 1) and single-result ops keep the batch sharding."""
    sh = NamedSharding(Mesh(np.array(jax.devices()[:8]), ("b",)), P("b"))
    a = _hpd(np.random.default_rng(20), (8, 3, 3), f64)
    f = plait.jit(lambda a: (pll.cholesky(a), pnp.linalg.eigh(a)[0], pnp.linalg.solve(a, a)),
                  in_shardings=sh)
    x = plait.device_put(a, sh)
    l, w, s = f(x)
    _close(l, np.linalg.cholesky(a), f64)
    _close(w, np.linalg.eigvalsh(a), f64)
    _close(s, np.broadcast_to(np.eye(3), (8, 3, 3)), f64)
    assert l.sharding.spec == P("b")
    hlo = f.lower(x).compile().as_text()
    assert "f64[1,3,3]{1,2,0}, s32[1]{0}) custom-call" in hlo  # potrf on one matrix per device


# --- derivatives of plait.numpy.linalg against jax ------------------------------------------------

GRAD_CASES = ["solve", "solve_broadcast", "inv", "det", "det_small", "slogdet", "pinv", "lstsq",
              "norm", "norm_vector", "matrix_norm", "matrix_power", "cond", "eigh", "eigvalsh",
              "svdvals", "qr", "cholesky", "cross", "tensorinv", "tensorsolve", "multi_dot",
              "trace", "vecdot"]


@pytest.mark.parametrize("name", GRAD_CASES)
@pytest.mark.parametrize("dt", [pytest.param(f64, id="float64"), pytest.param(c128, id="c128")])
def test_numpy_linalg_derivatives_match_jax(name, dt):
    """grad of a weighted sum of the outputs' real parts, and its JVP (second order)."""
    fn, make = {c[0]: (c[1], c[2]) for c in NUMPY_CASES}[name]
    xs = make(dt)
    rng = np.random.default_rng(21)
    weights = [rng.normal(size=np.shape(o)) for o in jax.tree.leaves(fn(np, *xs))]

    def loss(xp):
        return lambda *a: sum(xp.sum(w * xp.real(o)) for w, o in
                              zip(weights, jax.tree.leaves(fn(xp, *a))))
    nums = tuple(range(len(xs)))
    if dt.kind == "c":  # C -> R: jax's gradient is the conjugate of the cotangent's direction
        got = plait.grad(loss(pnp), argnums=nums)(*xs)
        _close(got, jax.grad(loss(jnp), argnums=nums)(*xs), dt, 1e3)
        return
    got = plait.grad(loss(pnp), argnums=nums)(*xs)
    _close(got, jax.grad(loss(jnp), argnums=nums)(*xs), dt, 1e3)
    vs = tuple(rng.normal(size=x.shape) for x in xs)
    got = plait.jvp(plait.grad(loss(pnp), argnums=nums), xs, vs)[1]
    want = jax.jvp(jax.grad(loss(jnp), argnums=nums), xs, vs)[1]
    _close(got, want, dt, 1e4)


def test_svd_qr_algorithm_and_unsorted_eigh():
    """gesvd (SvdAlgorithm.QR) gives gesdd's singular values; sort_eigenvalues=False keeps
    LAPACK's (already ascending) order."""
    x = _rand(np.random.default_rng(22), (2, 5, 3), f64)
    _close(pll.svd(x, compute_uv=False, algorithm=pll.SvdAlgorithm.QR),
           np.linalg.svd(x, compute_uv=False), f64)
    u, s, vh = pll.svd(x, full_matrices=False, algorithm=pll.SvdAlgorithm.QR)
    _close(np.asarray(u) * np.asarray(s)[..., None, :] @ np.asarray(vh), x, f64)
    a = _hpd(np.random.default_rng(23), (3, 3), f64)
    _close(pll.eigh(a, sort_eigenvalues=False)[1], np.linalg.eigvalsh(a), f64)
    line = test_svd_qr_algorithm_and_unsorted_eigh.__code__.co_firstlineno + 11
    raises_at(PlaitValueError, lambda: pll.svd(x, algorithm=pll.SvdAlgorithm.JACOBI), line,
              "not available", here=HERE)
