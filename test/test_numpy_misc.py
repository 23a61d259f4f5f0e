"""plait.numpy's construction, shape, index, polynomial, window, calculus and dtype-information
functions vs NumPy (values) and jax.numpy (dtypes where plait follows jax, and derivatives),
eagerly and under plait.jit; and the coverage of jax.numpy's namespace.
"""

from __future__ import annotations

import io

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_numpy import Rec, _differential
from usersite import raises_at

import plait
import plait.numpy as pnp
from plait.core.errors import ConcretizationError, PlaitTypeError, PlaitValueError

b1, u8, i32, i64 = (np.dtype(t) for t in ("bool", "uint8", "int32", "int64"))
f16, f32, f64, c64 = (np.dtype(t) for t in ("float16", "float32", "float64", "complex64"))

V = [((6,),)]
M = [((3, 4),)]
T3 = [((2, 3, 4),)]

CONSTRUCT = [
    Rec("append", lambda xp, a, b: (xp.append(a, b), xp.append(a, b, axis=0)),
        [((3, 4), (2, 4))], (f32, i32, (i32, f32)), oracle="jax"),
    Rec("insert-int", lambda xp, a: (xp.insert(a, 1, 7), xp.insert(a, -1, [5, 6, 7], axis=1),
                                     xp.insert(a, [1], [[5], [6], [7]], axis=1),
                                     xp.insert(a, 2, [1, 2, 3, 4], axis=0)),
        M, (f32, i32)),
    Rec("insert-seq", lambda xp, a: (xp.insert(a, [0, 2, 2], [7, 8, 9], axis=1),
                                     xp.insert(a, slice(0, 3, 2), 5)), M, (f32, i32)),
    Rec("delete", lambda xp, a: (xp.delete(a, 1, axis=0), xp.delete(a, [0, 3], axis=1),
                                 xp.delete(a, slice(None, None, 2)), xp.delete(a, -1)),
        M, (f32, i32)),
    Rec("resize", lambda xp, a: (xp.resize(a, (5, 3)), xp.resize(a, 7), xp.resize(a, (0,))),
        M, (f32, i32)),
    Rec("block", lambda xp, a, b: (xp.block([[a, b], [b, a]]), xp.block([a[0], b[0]]),
                                   xp.block(a)),
        [((2, 2), (2, 2))], (f32, (f32, i32)), oracle="jax"),
    Rec("column_stack", lambda xp, a, b: xp.column_stack([a, b, a]), [((4,), (4,))],
        (f32, i32)),
    Rec("dstack", lambda xp, a, b: (xp.dstack([a, b]), xp.dstack([a[0], b[0]])),
        [((2, 3), (2, 3))], (f32, i32)),
    Rec("hvd-split", lambda xp, a: (xp.hsplit(a, 2), xp.vsplit(a, [1]), xp.dsplit(a, [1, 3]),
                                    xp.hsplit(a[0, 0], 2)), [((2, 4, 4),)], (f32, i32)),
    Rec("atleast_3d", lambda xp, a, b, c: xp.atleast_3d(a, b, c),
        [((), (3,), (2, 3))], (f32, i32)),
    Rec("atleast_1d_2d-many", lambda xp, a, b: (xp.atleast_1d(a, b), xp.atleast_2d(a, b)),
        [((), (3,))], (f32,)),
    Rec("broadcast_arrays", lambda xp, a, b: xp.broadcast_arrays(a, b, 1.0),
        [((3, 1), (4,))], (f32, (i32, f32)), oracle="jax"),
    Rec("unstack", lambda xp, a: (xp.unstack(a), xp.unstack(a, axis=-1)), T3, (f32,)),
    Rec("permute_dims", lambda xp, a: (xp.permute_dims(a, (2, 0, 1)), xp.matrix_transpose(a)),
        T3, (f32, i32)),
    Rec("rollaxis", lambda xp, a: (xp.rollaxis(a, 2), xp.rollaxis(a, 0, 3), xp.rollaxis(a, 1, 1),
                                   xp.rollaxis(a, -1, -2)), T3, (f32,)),
    Rec("rot90", lambda xp, a: tuple(xp.rot90(a, k, axes) for k in (-1, 0, 1, 2, 3, 5)
                                     for axes in ((0, 1), (2, 0))), T3, (f32, i32)),
    Rec("concat-copy-diagflat", lambda xp, a, b: (xp.concat([a, b], axis=1), xp.copy(a),
                                                  xp.diagflat(a), xp.diagflat(b[0], -1)),
        [((2, 2), (2, 3))], (f32, i32)),
    Rec("array_equiv", lambda xp, a, b: (xp.array_equiv(a, a[:1]), xp.array_equiv(a, b),
                                         xp.array_equiv(a[0], a)),
        [((3, 4), (2, 4))], (f32, i32)),
    Rec("select", lambda xp, a: (xp.select([a < 0, a > 1], [a, a * 2], -1.5),
                                 xp.select([a > 0], [a])), M, (f32, i32), oracle="jax"),
    Rec("kron", lambda xp, a, b: (xp.kron(a, b), xp.kron(a[0], b), xp.kron(b, a[0, 0])),
        [((2, 3), (3, 2))], (f32, i32, (f32, i32)), oracle="jax"),
    Rec("cross", lambda xp, a, b: (xp.cross(a, b), xp.cross(a[:, :2], b),
                                   xp.cross(a[:, :2], b[:, :2]), xp.cross(a.T, b.T, axis=0),
                                   xp.cross(a, b, axisc=0)),
        [((4, 3), (4, 3))], (f32, i32, f64),
        marks=(pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors"),)),
    Rec("trace", lambda xp, a: (xp.trace(a), xp.trace(a, 1), xp.trace(a, -1, 2, 1),
                                xp.trace(a, axis1=1, axis2=2, dtype=xp.float32)),
        [((3, 4, 4),)], (f32, i32, f64), oracle="jax"),
    Rec("vecdot-matvec-vecmat", lambda xp, a, b: (xp.vecdot(a, b[0]), xp.matvec(a, b[0]),
                                                  xp.vecmat(b[0], a.T), xp.matvec(a[None], b)),
        [((3, 4), (2, 4))], (f32, c64, i32)),
    Rec("fill_diagonal", lambda xp, a: (_fill_diagonal(xp, a, 9),
                                        _fill_diagonal(xp, a, xp.arange(2), wrap=True),
                                        _fill_diagonal(xp, a.T, -1.0, wrap=True)),
        [((7, 3),)], (f32, i32)),
    Rec("choose", lambda xp, a, b, c: (xp.choose(c % 2, [a, b], mode="wrap"),
                                       xp.choose(c, [a, b, a], mode="clip"),
                                       xp.choose(c, [a, b], mode="wrap")),
        [((3, 4), (3, 4), (3, 4))], ((f32, f32, i32), (i32, i32, i32)), ("any", "any", "small")),
    Rec("put", lambda xp, a, i: (_inplace(xp, "put", a, i, xp.arange(3), mode="clip"),
                                 _inplace(xp, "put", a, i * 4, -2.0, mode="wrap")),
        [((3, 4), (5,))], ((f32, i32),), ("any", "small")),
    Rec("put_along_axis", lambda xp, a, i: (
        _inplace(xp, "put_along_axis", a, i, 9, axis=1),
        _inplace(xp, "put_along_axis", a.T, i.T[:1], -1, axis=0)),
        [((3, 4), (3, 2))], ((f32, i32), (i32, i32)), ("any", "small")),
    Rec("place", lambda xp, a: _place(xp, a, a > 0, [10, 20, 30]), M, (f32, i32)),
    Rec("indices", lambda xp: (xp.indices((2, 3)), xp.indices((2, 3), sparse=True),
                               xp.indices((3,), dtype=xp.int8)), [()], ((),), oracle="jax"),
    Rec("tri-diag-indices", lambda xp, a: (
        xp.tril_indices(3), xp.triu_indices(4, 1, 2), xp.tril_indices_from(a, -1),
        xp.triu_indices_from(a), xp.diag_indices(3, 3), xp.diag_indices_from(a[:3, :3])),
        M, (f32,), oracle="jax"),
    Rec("ix_", lambda xp, a: a[xp.ix_(np.array([0, 2]), np.array([True, False, True, True]))],
        M, (f32, i32)),
    Rec("ravel_multi_index", lambda xp, i, j: (
        xp.ravel_multi_index((i, j), (4, 4), mode="clip"),
        xp.ravel_multi_index((i, j), (3, 5), mode="wrap", order="F")),
        [((5,), (5,))], (i32,), "index", oracle="jax"),
    Rec("unravel_index", lambda xp, i: xp.unravel_index(i, (2, 3, 4)), [((6,),)], (i32,),
        "small", oracle="jax"),
    Rec("packbits", lambda xp, a: (xp.packbits(a), xp.packbits(a, axis=1),
                                   xp.packbits(a, axis=0, bitorder="little")),
        [((3, 11),)], (b1, i32), "unit"),
    Rec("unpackbits", lambda xp, a: (xp.unpackbits(a), xp.unpackbits(a, axis=1),
                                     xp.unpackbits(a, axis=0, count=-3),
                                     xp.unpackbits(a, count=40, bitorder="little")),
        [((2, 3),)], (u8,), "small"),
    Rec("geomspace-logspace", lambda xp: (
        xp.geomspace(1, 1000, 4), xp.geomspace(-2, -32, 5, endpoint=False),
        xp.logspace(0, 3, 4), xp.logspace(1, 2, 5, base=2.0, endpoint=False),
        xp.geomspace(xp.array([1.0, 2.0]), 8.0, 3, axis=1)), [()], ((),), oracle="jax"),
    Rec("vander", lambda xp, a: (xp.vander(a), xp.vander(a, 3, increasing=True),
                                 xp.vander(a, 0)), V, (f32, i32), oracle="jax"),
]


def _inplace(xp, name, a, *args, **kwargs):
    """NumPy's in-place update on a copy, plait's inplace=False."""
    if xp is np:
        a = a.copy()
        getattr(np, name)(a, *args, **kwargs)
        return a
    return getattr(xp, name)(a, *args, inplace=False, **kwargs)


def _place(xp, a, mask, vals):
    return _inplace(xp, "place", a, mask, vals)


def _fill_diagonal(xp, a, val, wrap=False):
    return _inplace(xp, "fill_diagonal", a, val, wrap=wrap)


def _f32(*values):
    return np.array(values, np.float32)


CALCULUS = [
    Rec("diff", lambda xp, a: (xp.diff(a), xp.diff(a, 2, axis=0), xp.diff(a, 0),
                               xp.diff(a, prepend=0, append=a[:, :1]),
                               xp.diff(a > 0)), M, (f32, i32), oracle="jax"),
    Rec("ediff1d", lambda xp, a: (xp.ediff1d(a), xp.ediff1d(a, to_begin=-1, to_end=[8, 9])),
        M, (f32, i32)),
    Rec("gradient", lambda xp, a, x: (xp.gradient(a), xp.gradient(a, 0.5, axis=1),
                                      xp.gradient(a, x, axis=1), xp.gradient(a[0], x)),
        [((3, 5), (5,))], (f32, f64), oracle="jax"),
    Rec("trapezoid", lambda xp, a, x: (xp.trapezoid(a), xp.trapezoid(a, dx=0.5, axis=0),
                                       xp.trapezoid(a, x), xp.trapezoid(a, xp.stack([x] * 3))),
        [((3, 5), (5,))], (f32, f64, (i32, f32)), oracle="jax"),
    Rec("unwrap", lambda xp, a: (xp.unwrap(a * 3), xp.unwrap(a * 3, axis=0),
                                 xp.unwrap(a * 3, discont=4.0), xp.unwrap(a, period=2.0)),
        M, (f32, f64), oracle="jax"),
    Rec("interp", lambda xp, x: (
        xp.interp(x, _f32(-1.0, 0.0, 0.5, 2.0), _f32(3.0, -1.0, 2.0, 0.0)),
        xp.interp(x, _f32(-1.0, 0.0, 2.0), _f32(3.0, -1.0, 2.0), left=-9, right=9),
        xp.interp(x, _f32(3.0, 0.0, 1.0), _f32(2.0, 3.0, -1.0), period=4.0)),
        M, (f32, f64), oracle="jax"),
    Rec("convolve", lambda xp, a, v: tuple(xp.convolve(a, v, m) for m in ("full", "same",
                                                                          "valid")),
        [((7,), (3,)), ((3,), (6,)), ((5,), (4,))], (f32, f64, c64), oracle="jax"),
    Rec("correlate", lambda xp, a, v: tuple(xp.correlate(a, v, m) for m in ("full", "same",
                                                                            "valid")),
        [((7,), (3,)), ((3,), (6,)), ((5,), (4,))], (f32, f64, c64), oracle="jax"),
    Rec("windows", lambda xp: tuple(
        f(n) for f in (xp.hamming, xp.hanning, xp.bartlett, xp.blackman) for n in (0, 1, 6, 7)
    ) + (xp.kaiser(8, 5.0), xp.kaiser(1, 2.0), xp.kaiser(9, 14)), [()], ((),), oracle="jax",
        tol=10),
]

POLY = [
    Rec("poly", lambda xp, r: xp.poly(r), V, (f32, f64), oracle="jax", tol=10),
    Rec("polyadd-sub", lambda xp, a, b: (xp.polyadd(a, b), xp.polysub(a, b),
                                         xp.polysub(b, a)),
        [((4,), (2,))], (f32, i32, (i32, f32)), oracle="jax"),
    Rec("polymul", lambda xp, a, b: xp.polymul(a, b), [((4,), (2,))], (f32, f64),
        oracle="jax"),
    Rec("polyder-polyint", lambda xp, p: (xp.polyder(p), xp.polyder(p, 3), xp.polyint(p),
                                          xp.polyint(p, 2, np.array([1.0, 2.0])), xp.polyint(p, 2, 3.0)),
        V, (f32, f64), oracle="jax"),
    Rec("polyval", lambda xp, p, x: xp.polyval(p, x), [((4,), (3, 2)), ((1,), ())],
        (f32, f64), oracle="jax"),
]


@pytest.mark.parametrize("rec", [pytest.param(r, marks=r.marks, id=r.name)
                                 for r in CONSTRUCT + CALCULUS + POLY])
def test_against_numpy(rec, request):
    for k, shapes in enumerate(rec.shapes):
        for j, dts in enumerate(rec.dtypes if k == 0 else rec.dtypes[:1]):
            dts = dts if isinstance(dts, tuple) else (dts,) * len(shapes)
            _differential(rec, shapes, dts, ("eager", "jit") if k == j == 0 else ("jit",),
                          request)


def _both(fn, *args):
    """fn(*args) eagerly and under plait.jit."""
    return fn(*args), plait.jit(fn)(*args)


def _close(got, want, rtol=1e-5, atol=1e-6):
    for g in got if isinstance(got, tuple) and not isinstance(want, tuple) else (got,):
        np.testing.assert_allclose(np.asarray(g), want, rtol=rtol, atol=atol)


# --- drawn shapes and dtypes ------------------------------------------------------------------

HYP_FUNCTIONS = [
    ("insert", lambda xp, a, k: xp.insert(a, k % (a.shape[0] + 1), 7, axis=0)),
    ("delete", lambda xp, a, k: xp.delete(a, [0, k % a.shape[0]], axis=0)),
    ("rot90", lambda xp, a, k: xp.rot90(a[..., None], k, (-1, 0))),
    ("diff", lambda xp, a, k: xp.diff(a, k % 3, axis=0)),
    ("kron", lambda xp, a, k: xp.kron(a, a[:1])),
    ("resize", lambda xp, a, k: xp.resize(a, (k % 5 + 1, 3))),
    ("trapezoid", lambda xp, a, k: xp.trapezoid(a, dx=0.5, axis=0)),
    ("rollaxis", lambda xp, a, k: xp.rollaxis(a, -1, k % a.ndim)),
    ("unstack", lambda xp, a, k: xp.unstack(a, axis=k % a.ndim)),
]


@pytest.mark.parametrize("name, fn", HYP_FUNCTIONS, ids=[n for n, _ in HYP_FUNCTIONS])
@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       dtype=st.sampled_from(["float32", "int32", "float64"]), k=st.integers(0, 7))
def test_drawn_shapes_match_numpy(name, fn, shape, dtype, k):
    a = np.random.default_rng(k).normal(0, 3, shape).astype(dtype)
    want = fn(np, a, k)
    got = plait.jit(lambda x: fn(pnp, x, k))(a)
    for g, w in zip(got if isinstance(want, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        assert np.asarray(g).shape == np.shape(w)
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-5, atol=1e-5)


# --- index tricks -------------------------------------------------------------------------------

def test_index_tricks_match_numpy():
    x = np.arange(3.0, dtype=np.float32)
    cases = [
        (lambda m: m.mgrid[0:3, 1:5:2], None),
        (lambda m: m.mgrid[-1:1:5j], None),
        (lambda m: m.ogrid[0:2, 0:3], None),
        (lambda m: m.r_[1:4, 0, 7], None),
        (lambda m: m.r_[-1:1:3j, [5.0]], None),
        (lambda m: m.r_["0,2", [1, 2], [3, 4]], None),
        (lambda m: m.r_["1,2,0", [1, 2], [3, 4]], None),
        (lambda m: m.r_["r", [1, 2], [3, 4]], np.array([[1, 2, 3, 4]])),
        (lambda m: m.c_[[1, 2], [3, 4]], None),
        (lambda m: m.c_[np.ones((2, 2)), [7, 8]], None),
    ]
    for fn, want in cases:
        got = fn(pnp)
        if isinstance(got, list):
            for g, w in zip(got, fn(np)):
                np.testing.assert_array_equal(np.asarray(g), w)
        else:
            want = np.asarray(fn(np)) if want is None else want
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
    assert pnp.s_[1:2, ::3] == np.s_[1:2, ::3] and pnp.index_exp[2] == (2,)
    got = plait.jit(lambda v: pnp.r_[v, 0, v].sum() + pnp.c_[v, v].sum(1))(x)
    np.testing.assert_allclose(np.asarray(got), np.r_[x, 0, x].sum() + np.c_[x, x].sum(1))


# --- vectorize and other function helpers ------------------------------------------------------

def test_vectorize_matches_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(4,)).astype(np.float32)

    def scalar_fn(x, y, scale=2.0):
        return x * scale + y

    want = np.vectorize(scalar_fn)(a, b, scale=3.0)
    _close(_both(lambda p, q: pnp.vectorize(scalar_fn)(p, q, scale=3.0), a, b), want)
    mv = pnp.vectorize(lambda m, v: m @ v, signature="(n,k),(k)->(n)")
    want = np.vectorize(lambda m, v: m @ v, signature="(n,k),(k)->(n)")(
        np.stack([a, a * 2]), b)
    _close(_both(mv, np.stack([a, a * 2]), b), want)
    two = pnp.vectorize(lambda v: (v.sum(), v.max()), signature="(k)->(),()")
    for got in _both(two, a):
        np.testing.assert_allclose(np.asarray(got[0]), a.sum(1), rtol=1e-5)
        np.testing.assert_allclose(np.asarray(got[1]), a.max(1))
    ex = pnp.vectorize(lambda x, p: x ** p, excluded={1})
    _close(_both(lambda x: ex(x, 2), a), a ** 2)
    with pytest.raises(PlaitValueError, match="inconsistent size for core dimension"):
        mv(np.ones((2, 3)), np.ones(4))
    with pytest.raises(PlaitValueError, match="not a valid gufunc signature"):
        pnp.vectorize(abs, signature="(n->)")(a)


def test_apply_along_and_over_axes_piecewise_fromfunction():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(2, 3, 4)).astype(np.float32)
    for axis in (0, 1, 2, -1):
        want = np.apply_along_axis(lambda v: np.stack([v.sum(), v.max()]), axis, a)
        _close(_both(lambda x, axis=axis: pnp.apply_along_axis(
            lambda v: pnp.stack([v.sum(), v.max()]), axis, x), a), want)
        want = np.apply_along_axis(np.cumsum, axis, a)
        _close(_both(lambda x, axis=axis: pnp.apply_along_axis(pnp.cumsum, axis, x), a), want)
    want = np.apply_over_axes(np.sum, a, [0, 2])
    _close(_both(lambda x: pnp.apply_over_axes(pnp.sum, x, [0, 2]), a), want)
    x = np.linspace(-2, 2, 9, dtype=np.float32)
    want = np.piecewise(x, [x < 0, x > 1], [lambda v: -v, lambda v: v * 10, 0.5])
    _close(_both(lambda v: pnp.piecewise(v, [v < 0, v > 1],
                                         [lambda u: -u, lambda u: u * 10, 0.5]), x), want)
    want = np.piecewise(x, [x < 0, x > -1], [1.0, 2.0])  # the last true condition wins
    _close(_both(lambda v: pnp.piecewise(v, [v < 0, v > -1], [1.0, 2.0]), x), want)
    want = np.fromfunction(lambda i, j: i * 10 + j, (3, 4), dtype=np.float32)
    _close(_both(lambda: pnp.fromfunction(lambda i, j: i * 10 + j, (3, 4), dtype=np.float32)),
           want)
    shapes = []  # as in jax, the function sees scalars (it is vmapped)
    pnp.fromfunction(lambda i, j, k: shapes.append(i.shape) or i + k * j, (2, 3), k=2)
    assert shapes == [()]


def test_frompyfunc_ufunc():
    add = pnp.frompyfunc(lambda x, y: x + y, 2, 1, identity=0)
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(np.asarray(add(a, 1.0)), a + 1)
    np.testing.assert_allclose(np.asarray(add.outer(a[0], a[1])), np.add.outer(a[0], a[1]))
    np.testing.assert_allclose(np.asarray(add.reduce(a, axis=1)), np.add.reduce(a, axis=1))
    np.testing.assert_allclose(np.asarray(add.reduce(a, axis=None)), a.sum())
    np.testing.assert_allclose(np.asarray(add.accumulate(a, axis=1)),
                               np.add.accumulate(a, axis=1))
    jitted = plait.jit(lambda x: add.reduce(x, axis=0, keepdims=True))(a)
    np.testing.assert_allclose(np.asarray(jitted), a.sum(0, keepdims=True))
    assert isinstance(add, pnp.ufunc)
    want = a.copy()
    np.add.at(want, ([0, 0, 2], [1, 1, 3]), [1.0, 2.0, 3.0])
    for got in _both(lambda x: add.at(x, (np.array([0, 0, 2]), np.array([1, 1, 3])),
                                      np.array([1.0, 2.0, 3.0]), inplace=False), a):
        np.testing.assert_allclose(np.asarray(got), want)
    neg = pnp.frompyfunc(lambda x: -x, 1, 1)
    want = a.copy()
    np.negative.at(want, [1, 1])
    np.testing.assert_allclose(np.asarray(neg.at(a, np.array([1, 1]), inplace=False)), want)
    with pytest.raises(PlaitValueError, match="inplace=False"):
        add.at(a, 0, 1.0)


def test_einsum_path_is_numpys():
    a, b, c = np.ones((2, 3)), np.ones((3, 4)), np.ones((4, 5))
    got = pnp.einsum_path("ij,jk,kl->il", pnp.asarray(a), b, c)
    want = np.einsum_path("ij,jk,kl->il", a, b, c, optimize="greedy")
    assert got[0] == want[0]


# --- polynomials -------------------------------------------------------------------------------

def test_polydiv_polyfit_roots():
    u = np.array([1.0, -3.0, 0.0, 2.0, 5.0], np.float32)
    v = np.array([2.0, 1.0, -1.0], np.float32)
    q_np, r_np = np.polydiv(u, v)
    for q, r in _both(lambda a, b: pnp.polydiv(a, b), u, v):
        np.testing.assert_allclose(np.asarray(q), q_np, rtol=1e-5)
        np.testing.assert_allclose(np.asarray(r)[-len(r_np):], r_np, rtol=1e-4, atol=1e-5)
        assert r.shape == u.shape  # jax keeps the leading zeros
    q, r = pnp.polydiv(u, v, trim_leading_zeros=True)
    np.testing.assert_allclose(np.asarray(r), r_np, rtol=1e-4, atol=1e-5)
    rng = np.random.default_rng(2)
    x = np.linspace(-1, 1, 20)
    y = 3 * x ** 2 - x + 0.5 + rng.normal(0, 0.01, 20)
    w = rng.uniform(0.5, 1.0, 20)
    for got in _both(lambda a, b: pnp.polyfit(a, b, 2), x, y):
        np.testing.assert_allclose(np.asarray(got), np.polyfit(x, y, 2), rtol=1e-10)
    got = pnp.polyfit(x, np.stack([y, 2 * y], 1), 3, w=w)
    np.testing.assert_allclose(np.asarray(got), np.polyfit(x, np.stack([y, 2 * y], 1), 3, w=w),
                               rtol=1e-9, atol=1e-12)
    c, cov = pnp.polyfit(x, y, 2, cov=True)
    np.testing.assert_allclose(np.asarray(cov), np.polyfit(x, y, 2, cov=True)[1], rtol=1e-8)
    c, res, rank, sv, rcond = pnp.polyfit(x, y, 2, full=True)
    want = np.polyfit(x, y, 2, full=True)
    np.testing.assert_allclose(np.asarray(res), want[1], rtol=1e-8)
    assert int(rank) == want[2]
    p = np.array([0.0, 0.0, 1.0, -6.0, 11.0, -6.0, 0.0])  # (x-1)(x-2)(x-3) x, leading zeros
    got = np.sort_complex(np.asarray(pnp.roots(p)))
    np.testing.assert_allclose(got, np.sort_complex(np.roots(p)), atol=1e-10)
    got = plait.jit(lambda q: pnp.roots(q, strip_zeros=False))(p[2:-1])
    np.testing.assert_allclose(np.sort_complex(np.asarray(got)), [1, 2, 3], atol=1e-10)
    got = pnp.poly(np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_allclose(np.asarray(got), np.poly(np.array([[1.0, 2.0], [3.0, 4.0]])),
                               rtol=1e-12)


# --- data-dependent shapes -------------------------------------------------------------------

def test_trim_zeros_and_mask_indices():
    for f, trim in [(np.array([0, 0, 3, 0, 2, 0, 0]), "fb"), (np.array([0, 1, 0]), "f"),
                    (np.array([0, 1, 0]), "b"), (np.zeros(3), "fb"),
                    (np.array([[0, 0, 0], [0, 1, 0]]), "fb")]:
        np.testing.assert_array_equal(np.asarray(pnp.trim_zeros(pnp.asarray(f), trim)),
                                      np.trim_zeros(f, trim))
    a = np.array([[0, 0, 1], [0, 2, 0]])
    np.testing.assert_array_equal(np.asarray(pnp.trim_zeros(a, axis=1)),
                                  np.trim_zeros(a, axis=1))
    for k in (-1, 0, 1):
        for got, want in zip(pnp.mask_indices(4, pnp.triu, k), np.mask_indices(4, np.triu, k)):
            np.testing.assert_array_equal(np.asarray(got), want)
    rows, cols = pnp.mask_indices(3, pnp.tril, size=8)
    assert rows.shape == (8,) and np.asarray(rows)[:6].tolist() == np.tril_indices(3)[0].tolist()


def test_shape_setting_values_must_be_concrete():
    here = __file__

    def traced_insert(x, i):
        return pnp.insert(x, i, 0.0)

    def traced_trim(x):
        return pnp.trim_zeros(x)

    def traced_choose(i, x):
        return pnp.choose(i, [x, x])

    x = np.arange(4.0, dtype=np.float32)
    line = traced_insert.__code__.co_firstlineno + 1
    raises_at(ConcretizationError, lambda: plait.jit(traced_insert)(x, 1), line,
              "insert needs a concrete value", here=here)
    line = traced_trim.__code__.co_firstlineno + 1
    raises_at(ConcretizationError, lambda: plait.jit(traced_trim)(x), line,
              "trim_zeros needs a concrete value", here=here)
    line = traced_choose.__code__.co_firstlineno + 1
    raises_at(ConcretizationError, lambda: plait.jit(traced_choose)(np.zeros(4, np.int32), x),
              line, "mode='wrap' or 'clip' under jit", here=here)
    got = plait.jit(lambda v: pnp.delete(v, np.array([0, 2])))(x)  # host positions
    np.testing.assert_array_equal(np.asarray(got), [1.0, 3.0])


def test_inplace_updates_are_refused():
    a = np.zeros((3, 3), np.float32)
    for call in (lambda: pnp.fill_diagonal(a, 1.0), lambda: pnp.put(a, [0], 1.0),
                 lambda: pnp.place(a, a == 0, [1.0]),
                 lambda: pnp.put_along_axis(a, np.zeros((3, 1), np.int32), 1.0, axis=1)):
        with pytest.raises(PlaitValueError, match="inplace=False"):
            call()
    with pytest.raises(PlaitValueError, match="invalid entry"):
        pnp.choose(np.array([0, 2]), [np.zeros(2), np.ones(2)])
    with pytest.raises(PlaitValueError, match="invalid entry"):
        pnp.ravel_multi_index((np.array([0, 4]),), (4,))


def test_jax_deviations_from_numpy():
    i = np.array([-1, 0, 5, 23, 24, 100], np.int32)  # unravel_index clips
    for got, want in zip(pnp.unravel_index(i, (2, 3, 4)), jnp.unravel_index(i, (2, 3, 4))):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    xp_ = np.linspace(0, 1, 5, dtype=np.float32)  # interp's left/right="extrapolate"
    q = np.array([-1.0, 0.25, 2.0], np.float32)
    for left, right in (("extrapolate", "extrapolate"), (-5.0, "extrapolate"),
                        ("extrapolate", None)):
        want = jnp.interp(q, xp_, xp_ ** 2, left=left, right=right)
        for got in _both(lambda v, left=left, right=right: pnp.interp(
                v, xp_, xp_ ** 2, left=left, right=right), q):
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)


# --- dtype information -------------------------------------------------------------------------

DTYPES = ["bool", "int8", "uint8", "int16", "int32", "int64", "uint32", "uint64", "float16",
          "bfloat16", "float32", "float64", "complex64", "complex128"]


def test_promote_types_and_result_type_match_jax():
    with jax.enable_x64(True):
        for a in DTYPES:
            for b in DTYPES:
                assert pnp.promote_types(a, b) == jnp.promote_types(a, b), (a, b)
    for a in DTYPES:  # Python's types are weak: config's defaults, jax's without x64
        if np.dtype(ml_dtypes.bfloat16 if a == "bfloat16" else a).itemsize < 8:
            for py in (int, float, complex):
                want = jax.dtypes.canonicalize_dtype(jnp.promote_types(a, py))
                assert pnp.promote_types(a, py) == want, (a, py)


def test_result_type_of_a_dtype_equal_to_python_int_is_not_weak():
    # np.dtype("int64") == int holds, yet it is int64, not the weak Python int
    assert pnp.result_type(np.dtype("int64"), np.dtype("bool")) == np.int64
    assert pnp.result_type(np.dtype("float64"), pnp.ones(2, pnp.float16)) == np.float64
    assert pnp.result_type(int, pnp.ones(2, pnp.int8)) == np.int8  # the Python type is weak


def test_finfo_iinfo():
    for name in ("float16", "float32", "float64", "bfloat16", "float8_e4m3fn", "float8_e5m2"):
        got, want = pnp.finfo(getattr(pnp, name)), jnp.finfo(getattr(jnp, name))
        assert (got.eps, got.max, got.tiny, got.bits) == (want.eps, want.max, want.tiny,
                                                           want.bits), name
    assert pnp.finfo(pnp.complex64).eps == np.finfo(np.float32).eps
    assert pnp.finfo(pnp.ones(2, pnp.float16)).max == np.finfo(np.float16).max
    assert pnp.finfo(float).dtype == plait.config.default_float
    for name in ("int8", "uint16", "int64", "int4", "uint4"):
        got, want = pnp.iinfo(getattr(pnp, name)), jnp.iinfo(getattr(jnp, name))
        assert (got.min, got.max, got.bits) == (want.min, want.max, want.bits), name


def test_issubdtype_isdtype_can_cast_match_jax():
    classes = ["generic", "number", "integer", "signedinteger", "unsignedinteger", "inexact",
               "floating", "complexfloating"]
    for name in DTYPES + ["float8_e4m3fn", "int4", "uint2"]:
        for cls in classes:
            assert pnp.issubdtype(getattr(pnp, name), getattr(pnp, cls)) == jnp.issubdtype(
                getattr(jnp, name), getattr(jnp, cls)), (name, cls)
        for other in DTYPES + [float, int, complex, bool]:
            assert pnp.issubdtype(name, other) == jnp.issubdtype(name, other), (name, other)
    kinds = ["bool", "signed integer", "unsigned integer", "integral", "real floating",
             "complex floating", "numeric", ("bool", "real floating"), np.float32]
    for name in DTYPES + ["float8_e5m2", "int4"]:
        for kind in kinds:
            assert pnp.isdtype(getattr(pnp, name), kind) == jnp.isdtype(
                getattr(jnp, name), kind), (name, kind)
        for other in DTYPES:
            for casting in ("safe", "same_kind", "unsafe"):
                assert pnp.can_cast(name, other, casting) == jnp.can_cast(
                    name, other, casting), (name, other, casting)
    with pytest.raises(PlaitValueError, match="unknown kind"):
        pnp.isdtype(pnp.float32, "floats")


def test_dtype_names_and_scalars():
    assert pnp.float8_e4m3fn == np.dtype(ml_dtypes.float8_e4m3fn)
    assert np.dtype(pnp.int4) == np.dtype(ml_dtypes.int4)
    with pytest.raises(PlaitTypeError, match="not supported by plait"):
        pnp.float8_e5m2(1.0)
    assert pnp.generic is np.generic and pnp.floating is np.floating
    assert pnp.euler_gamma == np.euler_gamma and pnp.ComplexWarning is jnp.ComplexWarning
    for x in (1, 2.0, np.float32(1), pnp.asarray(3.0), np.array(1), [1], pnp.ones(2), "a",
              None):
        assert pnp.isscalar(x) == jnp.isscalar(x), x
    assert pnp.iterable([1]) and not pnp.iterable(3)


def test_printing_and_files_through_numpy(tmp_path):
    x = pnp.arange(4.0)
    with pnp.printoptions(precision=2):
        assert pnp.get_printoptions()["precision"] == 2
        assert pnp.array_str(x) == np.array_str(np.asarray(x))
    assert pnp.array_repr(np.asarray(x)) == np.array_repr(np.asarray(x))
    assert pnp.array_repr(x) == np.array_repr(x)  # as jnp.array_repr is np.array_repr
    old = pnp.get_printoptions()
    pnp.set_printoptions(precision=3)
    assert np.get_printoptions()["precision"] == 3
    pnp.set_printoptions(**old)
    path = tmp_path / "x.npy"
    pnp.save(path, x)
    loaded = pnp.load(path)
    assert isinstance(loaded, plait.Array)
    np.testing.assert_array_equal(np.asarray(loaded), np.asarray(x))
    pnp.savez(tmp_path / "z.npz", a=x)
    np.testing.assert_array_equal(pnp.load(tmp_path / "z.npz")["a"], np.asarray(x))
    raw = np.arange(5, dtype=np.int16)
    got = pnp.frombuffer(raw.tobytes(), dtype=pnp.int16, offset=2)
    np.testing.assert_array_equal(np.asarray(got), raw[1:])
    got = pnp.fromstring("1 2 3.5", sep=" ")
    assert got.dtype == plait.config.default_float
    np.testing.assert_array_equal(np.asarray(got), [1, 2, 3.5])
    np.testing.assert_array_equal(np.asarray(pnp.fromiter(range(4), pnp.int32)), range(4))
    raw.tofile(tmp_path / "raw.bin")
    got = pnp.fromfile(tmp_path / "raw.bin", dtype=np.int16)
    np.testing.assert_array_equal(np.asarray(got), raw)
    buf = io.BytesIO()
    pnp.save(buf, x)
    buf.seek(0)
    np.testing.assert_array_equal(np.asarray(pnp.load(buf)), np.asarray(x))


# --- derivatives vs jax ------------------------------------------------------------------------

def _grad_check(fn, *args, rtol=1e-4):
    """plait.grad of sum(fn(pnp, ...)) vs jax.grad, for every argument, eager and jitted."""
    argnums = tuple(range(len(args)))
    want = jax.grad(lambda *a: jnp.sum(fn(jnp, *a)), argnums)(*args)
    pgrad = plait.grad(lambda *a: pnp.sum(fn(pnp, *a)), argnums)
    for got in (pgrad(*args), plait.jit(pgrad)(*args)):
        for g, w in zip(got, want):
            np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=rtol, atol=1e-5)


def test_grads_match_jax():
    rng = np.random.default_rng(3)
    r = lambda *s: rng.normal(size=s).astype(np.float32)  # noqa: E731
    xp_pts = np.sort(rng.uniform(-2, 2, 6)).astype(np.float32)
    _grad_check(lambda m, x, fp: m.interp(x, xp_pts, fp) * x, r(5), r(6))
    _grad_check(lambda m, x, fp: m.interp(x, xp_pts, fp, period=5.0), r(5), r(6))
    _grad_check(lambda m, f: m.gradient(f, axis=1) ** 2, r(3, 5))
    _grad_check(lambda m, f, c: m.gradient(f, c) ** 2, r(6), np.cumsum(
        rng.uniform(0.5, 1.5, 6)).astype(np.float32))
    _grad_check(lambda m, y, x: m.trapezoid(y * y, x), r(3, 5), np.cumsum(
        rng.uniform(0.5, 1.5, 5)).astype(np.float32))
    for mode in ("full", "same", "valid"):
        _grad_check(lambda m, a, v, mode=mode: m.convolve(a, v, mode) ** 2, r(7), r(3))
        _grad_check(lambda m, a, v, mode=mode: m.correlate(a, v, mode) ** 2, r(3), r(5))
    _grad_check(lambda m, p, x: m.polyval(p, x) ** 2, r(4), r(3, 2))
    _grad_check(lambda m, a, b: m.kron(a, b) ** 2, r(2, 3), r(3, 2))
    _grad_check(lambda m, a, b: m.cross(a, b) ** 2, r(4, 3), r(4, 3))
    _grad_check(lambda m, p: m.unwrap(p * 4) ** 2, r(8))


# --- coverage of jax.numpy's namespace ---------------------------------------------------------

# jax.numpy names that cannot apply to plait, each with why (docs/numpy-namespace.md lists them too)
EXCEPTIONS: dict[str, str] = {}

# Names other helpers are adding now; the coordinator empties this after merging their work.
PENDING = {
}


def test_every_jax_numpy_name_is_in_plait_numpy():
    pending = {n for names in PENDING.values() for n in names}
    public = {n for n in dir(jnp) if not n.startswith("_")}
    missing = sorted(n for n in public if not hasattr(pnp, n))
    unexplained = [n for n in missing if n not in EXCEPTIONS and n not in pending]
    assert not unexplained, f"jax.numpy names plait.numpy lacks: {unexplained}"
    stale = sorted(n for n in pending | set(EXCEPTIONS) if hasattr(pnp, n))
    assert not stale, f"names now in plait.numpy, to drop from PENDING/EXCEPTIONS: {stale}"
