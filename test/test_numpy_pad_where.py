"""plait.numpy.pad in every mode, and the where=/initial= arguments of the reductions and their
nan-versions: values vs NumPy (eager and under plait.jit), derivatives vs jax."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import plait
import plait.numpy as pnp
from plait.core.errors import PlaitValueError

pytestmark = pytest.mark.usefixtures("x64")

PAD_MODES = [
    ("constant", {}), ("constant", {"constant_values": 7}),
    ("constant", {"constant_values": (1, -2)}), ("edge", {}), ("wrap", {}), ("empty", {}),
    ("reflect", {}), ("reflect", {"reflect_type": "odd"}), ("symmetric", {}),
    ("symmetric", {"reflect_type": "odd"}), ("linear_ramp", {}),
    ("linear_ramp", {"end_values": (3, -2)}), ("maximum", {}), ("minimum", {"stat_length": 2}),
    ("mean", {}), ("mean", {"stat_length": (1, 3)}), ("median", {}),
    ("median", {"stat_length": 2}),
]
PAD_WIDTHS = {1: [2, (0, 3), ((4, 1),), 7], 2: [1, (2, 0), ((1, 2), (0, 5)), 6]}


def _pad_cases():
    for shape in [(5,), (3, 4), (1, 3)]:
        for pw in PAD_WIDTHS[len(shape)]:
            for mode, kw in PAD_MODES:
                yield shape, pw, mode, kw


def _check_pad(got, want, mode):
    assert got.shape == want.shape and got.dtype == want.dtype
    if mode == "empty":  # undefined padding: only the original entries are compared
        return
    tol = {np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-12}.get(want.dtype, 0)
    np.testing.assert_allclose(np.asarray(got), want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_pad_every_mode_vs_numpy(dtype):
    rng = np.random.default_rng(0)
    for shape, pw, mode, kw in _pad_cases():
        x = (rng.standard_normal(shape) * 5).astype(dtype)
        want = np.pad(x, pw, mode, **kw)
        _check_pad(pnp.pad(x, pw, mode, **kw), want, mode)


def test_pad_under_jit_and_per_axis_values():
    x = np.arange(12.0).reshape(3, 4) ** 1.5
    pw = ((2, 5), (4, 1))
    for mode, kw in [("reflect", {"reflect_type": "odd"}), ("symmetric", {}), ("wrap", {}),
                     ("linear_ramp", {"end_values": ((1, 2), (3, 4))}),
                     ("constant", {"constant_values": ((1, 2), (3, 4))}),
                     ("mean", {"stat_length": ((1, 2), (3, 1))}), ("median", {}),
                     ("maximum", {"stat_length": (2,)})]:
        f = plait.jit(lambda a, mode=mode, kw=kw: pnp.pad(a, pw, mode, **kw))
        want = np.pad(x, pw, mode, **kw)
        _check_pad(f(x), want, mode)
        _check_pad(f(x + 1), np.pad(x + 1, pw, mode, **kw), mode)  # the cached executable


def test_pad_traced_constant_values():
    x = np.arange(6.0).reshape(2, 3)
    f = plait.jit(lambda a, c: pnp.pad(a, 1, constant_values=c))
    np.testing.assert_array_equal(f(x, 2.5), np.pad(x, 1, constant_values=2.5))
    np.testing.assert_array_equal(f(x, np.array([[1.0, 2.0], [3.0, 4.0]])),
                                  np.pad(x, 1, constant_values=((1, 2), (3, 4))))


@pytest.mark.parametrize("mode, kw", [("reflect", {}), ("reflect", {"reflect_type": "odd"}),
                                      ("symmetric", {"reflect_type": "odd"}), ("wrap", {}),
                                      ("linear_ramp", {"end_values": (1.0, -2.0)}),
                                      ("mean", {"stat_length": (2, 3)}), ("maximum", {}),
                                      ("median", {})])
def test_pad_grad_vs_jax(mode, kw):
    x = np.random.default_rng(1).standard_normal((3, 4))
    w = np.random.default_rng(2).standard_normal(np.pad(x, ((5, 2), (1, 6))).shape)

    def loss(xp):
        return lambda a: (xp.sin(xp.pad(a, ((5, 2), (1, 6)), mode, **kw)) * w).sum()

    np.testing.assert_allclose(plait.grad(loss(pnp))(x), jax.grad(loss(jnp))(x),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(plait.jit(plait.grad(loss(pnp)))(x), jax.grad(loss(jnp))(x),
                               rtol=1e-10, atol=1e-12)


def test_pad_errors():
    x = np.ones((2, 3), np.float32)
    for call, msg in [(lambda: pnp.pad(x, 1, "nope"), "mode 'nope' is not supported"),
                      (lambda: pnp.pad(x, -1), "negative"),
                      (lambda: pnp.pad(x, ((1, 2, 3),)), "cannot be broadcast"),
                      (lambda: pnp.pad(x, 1, "edge", constant_values=3), "constant_values"),
                      (lambda: pnp.pad(x, 1, "reflect", reflect_type="bad"), "reflect_type"),
                      (lambda: pnp.pad(np.ones((0, 2)), 1, "wrap"), "empty axis 0"),
                      (lambda: pnp.pad(x, 1, "maximum", stat_length=0), "stat_length of 0")]:
        with pytest.raises(PlaitValueError, match=msg):
            call()
    # an empty axis that is not padded is fine; constant pads it
    np.testing.assert_array_equal(pnp.pad(np.ones((0, 2)), ((0, 0), (1, 1)), "reflect"),
                                  np.ones((0, 4)))
    np.testing.assert_array_equal(pnp.pad(np.ones((0, 2)), 1), np.pad(np.ones((0, 2)), 1))


# --- where= and initial= on the reductions ------------------------------------------------------

X = np.array([[1.5, -2.0, 3.0, 0.5], [4.0, 0.25, -1.0, 2.0], [-3.0, 1.0, 2.5, -0.75]])
W_ROW = np.array([True, False, True, True])  # broadcast along the rows
W_FULL = np.array([[True, False, True, True], [False, False, True, True],
                   [True, True, False, True]])
REDUCTIONS = [("sum", {}), ("sum", {"initial": 2.5}), ("prod", {}), ("prod", {"initial": -2}),
              ("max", {"initial": -1.0}), ("min", {"initial": 0.5}), ("mean", {}), ("var", {}),
              ("var", {"ddof": 1}), ("std", {}), ("nansum", {"initial": 1.0}), ("nanprod", {}),
              ("nanmax", {"initial": -10.0}), ("nanmin", {"initial": 10.0}), ("nanmean", {}),
              ("nanvar", {"ddof": 1}), ("nanstd", {})]
AXES = [None, 0, 1, (0, 1)]


def _with_nan(name):
    x = X.copy()
    if name.startswith("nan"):
        x[0, 2] = x[2, 1] = np.nan  # no slice is all NaN: NumPy and jax then agree
    return x


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy on fully masked slices
@pytest.mark.parametrize("name, kw", REDUCTIONS)
def test_reduction_where_initial_vs_numpy(name, kw):
    x = _with_nan(name)
    f, ref = getattr(pnp, name), getattr(np, name)
    for w in (W_ROW, W_FULL):
        for axis in AXES:
            for keepdims in (False, True):
                want = ref(x, axis=axis, keepdims=keepdims, where=w, **kw)
                got = f(x, axis=axis, keepdims=keepdims, where=w, **kw)
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
                jitted = plait.jit(lambda a, m, axis=axis, keepdims=keepdims:
                                   f(a, axis=axis, keepdims=keepdims, where=m, **kw))
                np.testing.assert_allclose(jitted(x, w), want, rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy on fully masked slices
def test_initial_without_where_and_int_bool_dtypes():
    xi = np.array([[3, -7, 2], [5, 1, -4]], np.int32)
    wi = np.array([[True, False, True], [False, False, True]])
    for name, kw in [("sum", {"initial": 4}), ("prod", {"initial": 3}),
                     ("max", {"initial": 100}), ("min", {"initial": -100}),
                     ("max", {"initial": -100, "where": wi}), ("min", {"initial": 100, "where": wi}),
                     ("sum", {"where": wi}), ("mean", {"where": wi})]:
        for axis in (None, 0, 1):
            want = getattr(np, name)(xi, axis=axis, **kw)
            got = getattr(pnp, name)(xi, axis=axis, **kw)
            np.testing.assert_allclose(got, want)
    b = xi > 0
    for name in ("all", "any"):
        for axis in (None, 0, 1):
            np.testing.assert_array_equal(getattr(pnp, name)(b, axis=axis, where=wi),
                                          getattr(np, name)(b, axis=axis, where=wi))
            np.testing.assert_array_equal(getattr(pnp, name)(xi, axis=axis, where=wi),
                                          getattr(np, name)(xi, axis=axis, where=wi))
    # an empty reduction is fine with initial; a fully masked slice gives initial
    np.testing.assert_array_equal(pnp.max(np.zeros((0, 3)), axis=0, initial=-1.0),
                                  np.max(np.zeros((0, 3)), axis=0, initial=-1.0))
    no = np.zeros(3, bool)
    assert float(pnp.min(X[0, :3], where=no, initial=7.0)) == 7.0
    assert float(pnp.sum(X[0, :3], where=no, initial=7.0)) == 7.0
    # as methods
    np.testing.assert_allclose(pnp.asarray(X).sum(axis=1, where=W_ROW), X.sum(1, where=W_ROW))
    np.testing.assert_allclose(pnp.asarray(X).max(0, where=W_FULL, initial=-5.0),
                               X.max(0, where=W_FULL, initial=-5.0))


def test_max_min_where_needs_initial():
    for name in ("max", "min", "nanmax", "nanmin"):
        with pytest.raises(PlaitValueError, match="to use a where mask one has to specify"):
            getattr(pnp, name)(X, where=W_ROW)
    # an all-NaN slice is NaN, but initial where it is given (NumPy and jax)
    x = np.array([[np.nan, np.nan], [1.0, np.nan]])
    np.testing.assert_array_equal(pnp.nanmax(x, axis=1, initial=0.0),
                                  np.nanmax(x, axis=1, initial=0.0))
    np.testing.assert_array_equal(pnp.nanmin(x, axis=1), jnp.nanmin(x, axis=1))


@pytest.mark.parametrize("name, kw", [("sum", {"initial": 1.5}), ("prod", {}),
                                      ("max", {"initial": 0.0}), ("min", {"initial": 0.0}),
                                      ("mean", {}), ("var", {"ddof": 1}), ("std", {}),
                                      ("nansum", {}), ("nanmax", {"initial": -1.0}),
                                      ("nanmean", {}), ("nanstd", {})])
def test_reduction_where_grad_vs_jax(name, kw):
    x = _with_nan(name)

    def loss(xp):
        return lambda a: (getattr(xp, name)(a, axis=1, where=W_FULL, **kw) ** 2).sum()

    want = jax.grad(loss(jnp))(x)
    np.testing.assert_allclose(plait.grad(loss(pnp))(x), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(plait.jit(plait.grad(loss(pnp)))(x), want, rtol=1e-10,
                               atol=1e-12)


def test_pad_and_where_under_vmap():
    x = np.arange(24.0).reshape(2, 3, 4) ** 1.3
    pw = ((2, 3), (1, 5))
    got = plait.vmap(lambda a: pnp.pad(a, pw, "reflect", reflect_type="odd"))(x)
    want = np.stack([np.pad(a, pw, "reflect", reflect_type="odd") for a in x])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    masks = np.stack([W_FULL, ~W_FULL])
    got = plait.vmap(lambda a, m: pnp.var(a, axis=1, where=m))(x, masks)
    want = np.stack([np.var(a, axis=1, where=m) for a, m in zip(x, masks)])
    np.testing.assert_allclose(got, want, rtol=1e-12)
