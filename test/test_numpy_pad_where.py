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
