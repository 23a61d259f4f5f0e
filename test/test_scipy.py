"""plait.scipy against SciPy (values) and jax.scipy (derivatives, first and second order), over
float32/float64 (and complex for linalg); bad input at the user's line (STYLE rule 9)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy as jsp
import numpy as np
import pytest
import scipy.linalg as sla
import scipy.special as ss
import scipy.stats as st
from usersite import raises_at

import plait
import plait.numpy as pnp
import plait.scipy as psp
from plait.core.errors import PlaitTypeError, PlaitValueError

f32, f64, c64, c128 = (np.dtype(t) for t in ("float32", "float64", "complex64", "complex128"))
ALL = [pytest.param(d, id=d.name) for d in (f32, f64, c64, c128)]
REAL = [pytest.param(d, id=d.name) for d in (f32, f64)]
HERE = __file__


pytestmark = pytest.mark.usefixtures("x64")  # the oracles compute in float64


def _tol(dt):
    return 1e-4 if dt in (f32, c64) else 1e-10


def _close(got, want, dt, scale=1.0, what=""):
    got, want = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got) == len(want), what
    for i, (g, w) in enumerate(zip(got, want)):
        assert np.shape(g) == np.shape(w), (what, i, np.shape(g), np.shape(w))
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=_tol(dt) * scale,
                                   atol=_tol(dt) * scale, err_msg=f"{what} output {i}")


def _rand(shape, dt, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    if dt.kind == "c":
        x = x + 1j * rng.normal(size=shape)
    return x.astype(dt)


def _hpd(n, dt):
    x = _rand((n, n), dt, 1).astype(c128 if dt.kind == "c" else f64)
    return (x @ x.conj().T + n * np.eye(n)).astype(dt)


def _well(n, dt):
    return (_rand((n, n), dt, 2) + 2 * n * np.eye(n)).astype(dt)


# --- scipy.linalg --------------------------------------------------------------------------------

LINALG = [
    ("cho_solve", lambda sp, a, b: sp.linalg.cho_solve(sp.linalg.cho_factor(a), b), "hpd"),
    ("cho_solve_lower", lambda sp, a, b: sp.linalg.cho_solve(sp.linalg.cho_factor(a, lower=True),
                                                             b[:, 0]), "hpd"),
    ("cholesky", lambda sp, a, b: (sp.linalg.cholesky(a), sp.linalg.cholesky(a, lower=True)),
     "hpd"),
    ("lu_solve", lambda sp, a, b: tuple(sp.linalg.lu_solve(sp.linalg.lu_factor(a), b, trans=t)
                                        for t in (0, 1, 2)), "well"),
    ("lu_factor", lambda sp, a, b: sp.linalg.lu_factor(a), "well"),
    ("lu", lambda sp, a, b: (sp.linalg.lu(a), sp.linalg.lu(a[:3]), sp.linalg.lu(a[:, :3]),
                             sp.linalg.lu(a, permute_l=True)), "well"),
    ("solve_triangular", lambda sp, a, b: tuple(
        sp.linalg.solve_triangular(a, b, trans=t, lower=lo, unit_diagonal=u)
        for t in (0, "T", 2) for lo in (True, False) for u in (False, True)), "well"),
    ("solve", lambda sp, a, b: (sp.linalg.solve(a, b), sp.linalg.solve(a, b[:, 0], lower=True,
                                                                        assume_a="pos"),
                                sp.linalg.solve(a, b, assume_a="her")), "hpd"),
    ("expm", lambda sp, a, b: (sp.linalg.expm(a), sp.linalg.expm(a / 100),
                               sp.linalg.expm(3 * a)), "small"),
    ("block_diag", lambda sp, a, b: sp.linalg.block_diag(a, b, a[0], 2.0), "any"),
    ("eigh", lambda sp, a, b: (sp.linalg.eigh(a, eigvals_only=True),
                               sp.linalg.eigh(a, lower=False, eigvals_only=True),
                               sp.linalg.eigh(a, subset_by_index=(1, 2), eigvals_only=True)),
     "hpd"),
    ("svd", lambda sp, a, b: sp.linalg.svd(b, compute_uv=False), "any"),
    ("qr", lambda sp, a, b: (sp.linalg.qr(a), sp.linalg.qr(b, mode="economic"),
                             sp.linalg.qr(b, mode="r"), sp.linalg.qr(b.T, mode="r")), "any"),
    ("det", lambda sp, a, b: sp.linalg.det(a), "well"),
    ("inv", lambda sp, a, b: sp.linalg.inv(a), "well"),
]


@pytest.mark.parametrize("name, fn, kind", [pytest.param(*c, id=c[0]) for c in LINALG])
@pytest.mark.parametrize("dt", ALL)
def test_linalg_matches_scipy(name, fn, kind, dt):
    n = 4
    a = {"hpd": _hpd, "well": _well}.get(kind, lambda n, dt: _rand((n, n), dt, 3))(n, dt)
    if kind == "small":
        a = (a / np.abs(a).sum(0).max()).astype(dt)
    b = _rand((n, 2), dt, 4)
    want = fn(type("sp", (), {"linalg": sla}), a.astype(c128 if dt.kind == "c" else f64), b)
    got = fn(psp, a, b)
    _close(got, want, dt, 100, what=name)


def test_linalg_has_the_functions_of_the_issue():
    names = {"cho_factor", "cho_solve", "lu_factor", "lu_solve", "solve_triangular", "solve",
             "expm", "block_diag", "eigh", "svd", "qr", "det", "inv"}
    assert names <= set(psp.linalg.__all__)
    assert set(psp.linalg.__all__) <= {c[0].split("_lower")[0] for c in LINALG} | {"cho_factor"}


def test_cholesky_reads_one_triangle_as_scipy():
    a = _hpd(4, f64)
    junk = a + np.triu(np.full((4, 4), 0.3), 1) - np.tril(np.full((4, 4), 0.2), -1)
    for lower in (True, False):
        got = psp.linalg.cholesky(junk, lower=lower)
        np.testing.assert_allclose(np.asarray(got), sla.cholesky(junk, lower=lower), rtol=1e-12)
        c = psp.linalg.cho_factor(junk, lower=lower)
        np.testing.assert_allclose(np.asarray(psp.linalg.cho_solve(c, np.ones(4))),
                                   sla.cho_solve(sla.cho_factor(junk, lower=lower), np.ones(4)),
                                   rtol=1e-12)


def test_linalg_batched_matches_a_loop():
    a = np.stack([_hpd(3, f64), 2 * _hpd(3, f64)])
    b = _rand((2, 3, 2), f64)
    got = psp.linalg.cho_solve(psp.linalg.cho_factor(a), b)
    np.testing.assert_allclose(np.asarray(got), [sla.cho_solve(sla.cho_factor(a[i]), b[i])
                                                 for i in range(2)], rtol=1e-12)
    got = psp.linalg.expm(np.stack([a[0] / 10, -a[1] / 10]))
    np.testing.assert_allclose(np.asarray(got), [sla.expm(a[0] / 10), sla.expm(-a[1] / 10)],
                               rtol=1e-12)


@pytest.mark.parametrize("name", ["expm", "cho_solve", "lu_solve", "solve_triangular", "det"])
def test_linalg_derivatives_match_jax(name):
    """grad and its JVP (second order) of a scalar through each function, against jax.scipy."""
    a, b = _well(3, f64) / 6, _rand((3, 2), f64, 5)
    fns = {
        "expm": lambda sp, x: sp.linalg.expm(x),
        "cho_solve": lambda sp, x: sp.linalg.cho_solve(sp.linalg.cho_factor(x @ x.T + np.eye(3)),
                                                       b),
        "lu_solve": lambda sp, x: sp.linalg.lu_solve(sp.linalg.lu_factor(x), b, trans=1),
        "solve_triangular": lambda sp, x: sp.linalg.solve_triangular(x, b, lower=True, trans=2),
        "det": lambda sp, x: sp.linalg.det(x),
    }

    def loss(sp, xp):
        return lambda x: xp.sum(fns[name](sp, x) ** 2)
    g = plait.jit(plait.grad(loss(psp, pnp)))
    want = jax.grad(loss(jsp, jnp))(a)
    _close(g(a), want, f64, 10)
    v = _rand((3, 3), f64, 6)
    hvp = plait.jvp(plait.grad(loss(psp, pnp)), (a,), (v,))[1]
    _close(hvp, jax.jvp(jax.grad(loss(jsp, jnp)), (a,), (v,))[1], f64, 1000)
    eps = 1e-6
    fd = (g(a + eps * v) - g(a - eps * v)) / (2 * eps)
    np.testing.assert_allclose(np.asarray(hvp), np.asarray(fd), rtol=1e-5, atol=1e-5)


# --- scipy.special --------------------------------------------------------------------------------

X = np.concatenate([np.linspace(-30, 30, 121), [-5e-3, 0.0, 1e-4]])
U = np.linspace(0.01, 0.99, 25)
A = np.linspace(0.2, 12.0, 25)  # shape parameters, one per point of U


def _a(x, scale=1.0):
    return (A * scale).astype(x.dtype)

SPECIAL = [
    ("erf", lambda sp, x: sp.special.erf(x), X),
    ("erfc", lambda sp, x: sp.special.erfc(x), X),
    ("expit", lambda sp, x: sp.special.expit(x), X),
    ("logit", lambda sp, x: sp.special.logit(x), U),
    ("xlogy", lambda sp, x: (sp.special.xlogy(x, x * x), sp.special.xlogy(x * 0, x * 0)), X),
    ("xlog1py", lambda sp, x: (sp.special.xlog1py(x, x), sp.special.xlog1py(x * 0, x * 0 - 1)),
     U),
    ("entr", lambda sp, x: sp.special.entr(x), X),
    ("ndtr", lambda sp, x: sp.special.ndtr(x), X),
    ("log_ndtr", lambda sp, x: sp.special.log_ndtr(x), X),
    # b has no exact zero: there jax's gradient in b is 0, finite differences' (and plait's) not
    ("logsumexp", lambda sp, x: (sp.special.logsumexp(x), sp.special.logsumexp(
        x.reshape(3, -1), axis=1, b=x.reshape(3, -1) + 0.1, return_sign=True),
        sp.special.logsumexp(x.reshape(3, -1), axis=0, keepdims=True)), X[:120]),
    ("softmax", lambda sp, x: (sp.special.softmax(x / 10), sp.special.softmax(
        x.reshape(3, -1), axis=1)), X[:120]),
    ("log_softmax", lambda sp, x: (sp.special.log_softmax(x), sp.special.log_softmax(
        x.reshape(3, -1), axis=0)), X[:120]),
    ("erfinv", lambda sp, x: sp.special.erfinv(2 * x - 1), U),
    ("gammaln", lambda sp, x: sp.special.gammaln(x * 20), U),
    ("betaln", lambda sp, x: sp.special.betaln(x * 5, 3 - x), U),
    ("digamma", lambda sp, x: sp.special.digamma(x * 10), U),
    ("polygamma", lambda sp, x: (sp.special.polygamma(0, x * 4), sp.special.polygamma(
        1, x * 4), sp.special.polygamma(2, x + 1)), U),
    # a fixed where jax has no second derivative in it (igamma_grad_a's) or none at all (betainc)
    ("gammainc", lambda sp, x: (sp.special.gammainc(_a(x), x * 20), sp.special.gammainc(0.5, x)), U),
    ("gammaincc", lambda sp, x: (sp.special.gammaincc(_a(x), x * 20), sp.special.gammaincc(3.0, x)),
     U),
    ("betainc", lambda sp, x: (sp.special.betainc(2.5, 1.5, x), sp.special.betainc(
        _a(x, 0.1), _a(x), x), sp.special.betainc(40.0, 0.5, x)), U),
    ("i0e", lambda sp, x: sp.special.i0e(x), X),
    ("i1e", lambda sp, x: sp.special.i1e(x), X),
    ("i0", lambda sp, x: sp.special.i0(x / 3), X),
    ("i1", lambda sp, x: sp.special.i1(x / 3), X),
    ("ndtri", lambda sp, x: (sp.special.ndtri(x), sp.special.ndtri(x ** 8)), U),
    ("zeta", lambda sp, x: (sp.special.zeta(1.5 + 3 * x, 0.5 + x), sp.special.zeta(
        4.0, x * 10)), U),
]


@pytest.mark.parametrize("name, fn, x", [pytest.param(*c, id=c[0]) for c in SPECIAL])
@pytest.mark.parametrize("dt", REAL)
def test_special_matches_scipy(name, fn, x, dt):
    x = x.astype(dt)
    with np.errstate(all="ignore"):
        want = fn(type("sp", (), {"special": ss}), x.astype(f64))
    got = plait.jit(lambda x: fn(psp, x))(x)
    for g in jax.tree.leaves(got):
        assert g.dtype == dt, (name, g.dtype)
    # log_ndtr's asymptotic series (order 3, jax's) is good to ~1e-11 far in the left tail
    _close(got, want, dt, 1e3 if name == "log_ndtr" else 10, what=name)


@pytest.mark.parametrize("name, fn, x", [pytest.param(*c, id=c[0]) for c in SPECIAL])
def test_special_derivatives_match_jax(name, fn, x):
    """grad of a sum and its second derivative (forward over reverse), against jax.scipy: jax's
    JVP rules (xlogy at 0, log_ndtr in the tails) included."""
    x = x[np.abs(x) < 25] if name not in ("logit", "xlog1py") else x
    if name == "betaln":
        pytest.skip("jax's betaln has a wrong second derivative at a + b = 5 (0.040 where "
                    "scipy's polygamma gives 0.971): test_betaln_derivatives checks plait's")

    def loss(sp, xp):
        return lambda x: sum(xp.sum(xp.where(xp.isfinite(y), y, 0.0))
                             for y in jax.tree.leaves(fn(sp, x)))
    got = plait.grad(loss(psp, pnp))(x)
    want = jax.grad(loss(jsp, jnp))(x)
    _close(got, want, f64, 100, what="grad")
    v = np.random.default_rng(7).normal(size=x.shape)
    got = plait.jvp(plait.grad(loss(psp, pnp)), (x,), (v,))[1]
    want = jax.jvp(jax.grad(loss(jsp, jnp)), (x,), (v,))[1]
    _close(got, want, f64, 1000, what="jvp of grad")


def test_betaln_derivatives():
    """d/dx betaln(5x, 3 - x) and its second derivative, from scipy's polygamma."""
    x = U
    got = plait.grad(lambda x: pnp.sum(psp.special.betaln(5 * x, 3 - x)))(x)
    want = 5 * ss.digamma(5 * x) - ss.digamma(3 - x) - 4 * ss.digamma(4 * x + 3)
    _close(got, want, f64, 100, what="grad")
    got = plait.jvp(plait.grad(lambda x: pnp.sum(psp.special.betaln(5 * x, 3 - x))), (x,),
                    (np.ones_like(x),))[1]
    want = (25 * ss.polygamma(1, 5 * x) + ss.polygamma(1, 3 - x)
            - 16 * ss.polygamma(1, 4 * x + 3))
    _close(got, want, f64, 1000, what="second derivative")


_INF, _NAN = np.inf, np.nan
# name -> (function of sp, operand grids): their outer product, with the edges of each domain
EDGES = {
    "gammainc": (lambda sp, a, x: sp.special.gammainc(a, x),
                 [0, 1e-3, 0.5, 1, 5, 50, 500, _INF, -1, _NAN],
                 [0, 1e-5, 0.5, 1, 5, 50, 600, _INF, -1, _NAN]),
    "gammaincc": (lambda sp, a, x: sp.special.gammaincc(a, x),
                  [0, 1e-3, 0.5, 1, 5, 50, 500, _INF, -1, _NAN],
                  [0, 1e-5, 0.5, 1, 5, 50, 600, _INF, -1, _NAN]),
    "betainc": (lambda sp, a, b, x: sp.special.betainc(a, b, x),
                [0, 1e-3, 0.5, 1, 5, 100, _INF, -1, _NAN], [0, 1e-3, 0.5, 1, 5, 100, _INF, -1],
                [0, 1e-10, 0.3, 0.9, 1, -0.1, 1.1, _NAN]),
    "zeta": (lambda sp, x, q: sp.special.zeta(x, q),
             [1, 1.0001, 1.5, 2, 10, 60, 0.5, -1, _INF],
             [1e-3, 0.5, 1, 2, 100, 1e6, 0, -1.5, -2, _INF, _NAN]),
    "ndtri": (lambda sp, p: sp.special.ndtri(p),
              [0, 1e-300, 1e-30, 1e-10, 0.2, 0.5, 1 - 1e-7, 1, -0.1, 1.1, _NAN]),
    "bessel": (lambda sp, x: (sp.special.i0e(x), sp.special.i1e(x), sp.special.i0(x),
                              sp.special.i1(x)),
               [0, 1e-30, -1e-30, 3, -3, 80, -80, 700, -700, 1e5, _INF, -_INF, _NAN]),
}


@pytest.mark.parametrize("name", EDGES)
@pytest.mark.parametrize("dt", REAL)
def test_special_edges_match_scipy(name, dt):
    """Zeros, infinities, NaN and points outside the domain, against SciPy on the same
    (rounded) operands: in float32 the i0 and i1 of 700 overflow as SciPy's do."""
    fn, *grids = EDGES[name]
    xs = [g.astype(dt) for g in np.meshgrid(*[np.asarray(g) for g in grids], indexing="ij")]
    with np.errstate(all="ignore"):
        want = [np.asarray(w).astype(dt) for w in jax.tree.leaves(fn(
            type("sp", (), {"special": ss}), *[x.astype(f64) for x in xs]))]
    got = jax.tree.leaves(plait.jit(lambda *xs: fn(psp, *xs))(*xs))
    # in float32, 1 - P (gammaincc below x = a) and 1 - I_{1-x}(b, a) (betainc above the
    # mean) lose their leading digits where they are small: an absolute error of ~eps
    rtol, atol = ((1e-3 if name == "betainc" else 1e-5), 2e-6) if dt == f32 else (1e-11, 1e-15)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w, rtol=rtol, atol=atol, err_msg=name)


def test_lax_special_derivatives_without_a_jax_oracle():
    """igamma_grad_a in x (d/dx d/da P) and lax.zeta in q (-x zeta(x+1, q)): jax defines
    neither; central differences of SciPy's gammainc and SciPy's zeta are the oracles."""
    a, x = np.linspace(0.3, 8, 12), np.linspace(0.2, 15, 12)
    got = plait.grad(lambda x: pnp.sum(plait.lax.igamma_grad_a(a, x)))(x)
    h = 1e-4
    p = [ss.gammainc(a + i * h, x + j * h) for i, j in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
    want = (p[0] - p[1] - p[2] + p[3]) / (4 * h * h)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-7)
    s, q = np.linspace(1.5, 6, 12), np.linspace(0.2, 5, 12)
    got = plait.grad(lambda q: pnp.sum(plait.lax.zeta(s, q)))(q)
    np.testing.assert_allclose(np.asarray(got), -s * ss.zeta(s + 1, q), rtol=1e-12)
    fd = (ss.zeta(s, q + 1e-6) - ss.zeta(s, q - 1e-6)) / 2e-6
    np.testing.assert_allclose(np.asarray(got), fd, rtol=1e-6)


def test_igamma_derivatives_in_a_at_the_branches():
    """d/da P(a, x) on both sides of the series / continued fraction switch (x = a, x = 1),
    against jax and central differences of SciPy's gammainc."""
    a = np.array([0.1, 0.9, 1.0, 2.0, 5.0, 5.0, 30.0, 30.0, 200.0])
    x = np.array([0.5, 0.99, 1.01, 1.99, 4.9, 5.1, 25.0, 40.0, 210.0])
    got = plait.jit(plait.vmap(plait.grad(lambda a, x: psp.special.gammainc(a, x))))(a, x)
    want = jax.vmap(jax.grad(lambda a, x: jsp.special.gammainc(a, x)))(a, x)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-10, atol=1e-14)
    fd = (ss.gammainc(a + 1e-6, x) - ss.gammainc(a - 1e-6, x)) / 2e-6
    np.testing.assert_allclose(np.asarray(got), fd, rtol=1e-5, atol=1e-9)
    got = plait.grad(lambda a: pnp.sum(psp.special.gammaincc(a, x)))(a)
    np.testing.assert_allclose(np.asarray(got), -fd, rtol=1e-5, atol=1e-9)


def test_random_gamma_grad_is_the_implicit_derivative():
    """dx/da at fixed P(a, x) = -(dP/da) / (dP/dx): from SciPy by central differences."""
    a = np.array([0.2, 0.8, 1.5, 4.0, 4.0, 20.0, 100.0])
    x = np.array([0.05, 2.0, 0.7, 1.0, 9.0, 18.0, 110.0])
    got = plait.jit(plait.lax.random_gamma_grad)(a, x)
    h = 1e-6
    dpda = (ss.gammainc(a + h, x) - ss.gammainc(a - h, x)) / (2 * h)
    dpdx = np.exp((a - 1) * np.log(x) - x - ss.gammaln(a))
    np.testing.assert_allclose(np.asarray(got), -dpda / dpdx, rtol=1e-5)


def test_special_has_the_functions_of_the_brief():
    assert set(psp.special.__all__) == {c[0] for c in SPECIAL}


# --- scipy.stats ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"])
@pytest.mark.parametrize("dt", REAL)
def test_norm_matches_scipy(fn, dt):
    x = np.linspace(-20, 20, 41).astype(dt)
    got = getattr(psp.stats.norm, fn)(x, np.array(1.0, dt), np.array(2.0, dt))
    assert got.dtype == dt
    _close(got, getattr(st.norm, fn)(x.astype(f64), 1.0, 2.0), dt, 100)
    _close(getattr(psp.stats.norm, fn)(x), getattr(st.norm, fn)(x.astype(f64)), dt, 1000)


def test_norm_derivatives_match_jax():
    x, m = np.linspace(-8, 8, 17), np.asarray(0.3)
    for fn in ("logpdf", "cdf", "logcdf", "logsf"):
        got = plait.grad(lambda m, fn=fn: pnp.sum(getattr(psp.stats.norm, fn)(x, m, 1.5)))(m)
        want = jax.grad(lambda m, fn=fn: jnp.sum(getattr(jsp.stats.norm, fn)(x, m, 1.5)))(m)
        _close(got, want, f64, 10, what=fn)


@pytest.mark.parametrize("dt", REAL)
def test_multivariate_normal_matches_scipy(dt):
    rng = np.random.default_rng(8)
    cov, mean = _hpd(4, f64), rng.normal(size=4)
    x = rng.normal(size=(2, 5, 4))
    mvn = psp.stats.multivariate_normal
    got = (mvn.logpdf(x.astype(dt), mean.astype(dt), cov.astype(dt)),
           mvn.pdf(x[0, 0].astype(dt), mean.astype(dt), cov.astype(dt)),
           mvn.logpdf(x.astype(dt), mean.astype(dt), np.array(2.0, dt)),
           mvn.logpdf(x[0, :, 0].astype(dt), np.array(0.5, dt), np.array(2.0, dt)))
    want = (st.multivariate_normal.logpdf(x, mean, cov),
            st.multivariate_normal.pdf(x[0, 0], mean, cov),
            st.multivariate_normal.logpdf(x, mean, 2.0 * np.eye(4)),
            st.norm.logpdf(x[0, :, 0], 0.5, np.sqrt(2.0)))
    _close(got, want, dt, 100)
    # a batch of covariances broadcast against the points
    covs = np.stack([cov, 2 * cov])
    got = mvn.logpdf(x[:, :1], mean, covs[:, None])
    want = np.array([[st.multivariate_normal.logpdf(x[i, 0], mean, covs[i])] for i in range(2)])
    _close(got, want, f64)


def test_multivariate_normal_grad_matches_jax():
    """The GP marginal likelihood shape: grad w.r.t. mean and covariance."""
    rng = np.random.default_rng(9)
    cov, mean, x = _hpd(4, f64), rng.normal(size=4), rng.normal(size=(3, 4))

    def loss(stats, xp):
        return lambda m, c: xp.sum(stats.multivariate_normal.logpdf(x, m, c @ c.T))
    got = plait.grad(loss(psp.stats, pnp), argnums=(0, 1))(mean, cov)
    want = jax.grad(loss(jsp.stats, jnp), argnums=(0, 1))(mean, cov)
    _close(got, want, f64, 10)


_XB = np.array([-0.5, 0.0, 1e-4, 0.1, 0.5, 0.9, 1.0, 1.5, 2.5, 7.0, 40.0])
_K = np.array([-1.0, 0.0, 1.0, 2.0, 2.5, 5.0, 30.0])
# name -> (scipy.stats distribution, plait/jax functions, call (fn, x) with its parameters)
STATS = {
    "beta": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), _XB / 2,
             lambda f, x, dt: f(x, np.array(2.5, dt), np.array(0.7, dt))),
    "beta_loc_scale": (("logpdf", "pdf", "cdf", "sf"), _XB,
                       lambda f, x, dt: f(x, np.array(0.5, dt), np.array(3.0, dt),
                                          np.array(-0.2, dt), np.array(2.0, dt))),
    "gamma": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), _XB,
              lambda f, x, dt: f(x, np.array(2.5, dt))),
    "gamma_loc_scale": (("logpdf", "pdf", "cdf", "sf"), _XB,
                        lambda f, x, dt: f(x, np.array(0.6, dt), np.array(-0.3, dt),
                                           np.array(3.0, dt))),
    "t": (("logpdf", "pdf"), _XB - 3, lambda f, x, dt: f(x, np.array(3.5, dt))),
    "t_loc_scale": (("logpdf", "pdf"), _XB - 3,
                    lambda f, x, dt: f(x, np.array(1.2, dt), np.array(0.5, dt),
                                       np.array(2.0, dt))),
    "poisson": (("logpmf", "pmf", "cdf"), _K, lambda f, x, dt: f(x, np.array(3.5, dt))),
    "poisson_loc": (("logpmf", "pmf", "cdf"), _K,
                    lambda f, x, dt: f(x, np.array(0.3, dt), np.array(1.0, dt))),
    "bernoulli": (("logpmf", "pmf", "cdf"), _K, lambda f, x, dt: f(x, np.array(0.3, dt))),
    "bernoulli_ppf": (("ppf",), np.array([1e-3, 0.3, 0.7, 0.71, 1.0, -0.1, 1.1]),
                      lambda f, x, dt: f(x, np.array(0.3, dt))),
}


@pytest.mark.parametrize("case", STATS)
@pytest.mark.parametrize("dt", REAL)
def test_stats_match_scipy(case, dt):
    """Each function on a grid crossing the support's edges, against scipy.stats."""
    fns, x, call = STATS[case]
    dist = case.split("_")[0]
    x = x.astype(dt)
    for fn in fns:
        got = call(getattr(getattr(psp.stats, dist), fn), x, dt)
        assert got.dtype == dt, (case, fn, got.dtype)
        with np.errstate(all="ignore"):
            want = call(getattr(getattr(st, dist), fn), x.astype(f64), f64)
        np.testing.assert_allclose(np.asarray(got), want, rtol=_tol(dt) * 10,
                                   atol=_tol(dt) * 1e-2, err_msg=f"{case}.{fn}")


def test_stats_derivatives_match_jax():
    """Gradients in the parameters and in x (where jax's are defined) against jax.scipy.stats,
    and their Hessian-vector products."""
    x, k = np.linspace(0.05, 0.95, 7), np.arange(7.0)
    cases = [
        ("beta", "logpdf", lambda s, p: s.beta.logpdf(x, p[0], p[1])),
        ("beta", "cdf", lambda s, p: s.beta.cdf(p[0] * x, 2.0, 3.0)),
        ("gamma", "logpdf", lambda s, p: s.gamma.logpdf(x * 5, p[0], 0.0, p[1])),
        ("gamma", "cdf", lambda s, p: s.gamma.cdf(x * 5, p[0], 0.0, p[1])),
        ("gamma", "sf", lambda s, p: s.gamma.sf(x * 5, p[0], 0.0, p[1])),
        ("t", "logpdf", lambda s, p: s.t.logpdf(x * 4 - 2, p[0], 0.1, p[1])),
        ("poisson", "logpmf", lambda s, p: s.poisson.logpmf(k, p[0])),
        ("bernoulli", "logpmf", lambda s, p: s.bernoulli.logpmf(k % 2, p[0] / 4)),
    ]
    p0, v = np.array([1.7, 1.3]), np.array([0.3, -0.7])
    for dist, fn, f in cases:
        got = plait.grad(lambda p, f=f: pnp.sum(f(psp.stats, p)))(p0)
        want = jax.grad(lambda p, f=f: jnp.sum(f(jsp.stats, p)))(p0)
        _close(got, want, f64, 10, what=f"{dist}.{fn} grad")
        if fn not in ("cdf", "sf"):  # jax has no second derivative of igamma in a
            got = plait.jvp(plait.grad(lambda p, f=f: pnp.sum(f(psp.stats, p))), (p0,), (v,))[1]
            want = jax.jvp(jax.grad(lambda p, f=f: jnp.sum(f(jsp.stats, p))), (p0,), (v,))[1]
            _close(got, want, f64, 100, what=f"{dist}.{fn} hvp")


# --- bad input -------------------------------------------------------------------------------------

def test_errors_at_the_users_line():
    line = test_errors_at_the_users_line.__code__.co_firstlineno
    raises_at(PlaitTypeError, lambda: psp.linalg.cho_factor(np.ones((3, 4))), line + 2,
              "square", here=HERE)
    raises_at(PlaitTypeError, lambda: psp.linalg.solve_triangular(np.eye(3), np.ones(4)),
              line + 4, "needs 3 rows", here=HERE)
    raises_at(PlaitValueError, lambda: psp.linalg.lu_solve(psp.linalg.lu_factor(np.eye(2)),
                                                           np.ones(2), trans=3),
              line + 6, "trans", here=HERE)
    raises_at(PlaitValueError, lambda: psp.linalg.eigh(np.eye(2), np.eye(2)), line + 9,
              "generalized", here=HERE)
    raises_at(PlaitTypeError, lambda: psp.special.ndtr(np.ones(2, np.complex64)), line + 11,
              "float32 or float64", here=HERE)
    raises_at(PlaitTypeError, lambda: psp.stats.multivariate_normal.logpdf(
        np.ones(3), np.zeros(3), np.eye(2)), line + 13, "does not fit", here=HERE)
    raises_at(PlaitTypeError, lambda: psp.linalg.expm(np.ones((2, 2), np.float16)), line + 15,
              "float16", here=HERE)


def test_special_errors_at_the_users_line():
    line = test_special_errors_at_the_users_line.__code__.co_firstlineno
    raises_at(PlaitValueError, lambda: psp.special.zeta(np.ones(3)), line + 2, "Riemann",
              here=HERE)
    raises_at(PlaitTypeError, lambda: psp.special.ndtri(np.ones(2, np.complex64)), line + 4,
              "float32 or float64", here=HERE)
    raises_at(PlaitTypeError, lambda: plait.lax.igamma(np.ones(2, np.int32), np.ones(2, np.int32)),
              line + 6, "plait.igamma takes floating operands", here=HERE)
    raises_at(PlaitTypeError, lambda: plait.lax.betainc(np.ones(2), np.ones(3), np.ones(2)),
              line + 8, "equal shapes", here=HERE)
    raises_at(plait.PlaitError, lambda: plait.grad(
        lambda x: plait.lax.zeta(x, 2.0))(3.0), line + 11, "not differentiable in operand 0",
        here=HERE)
