"""debug_nans / debug_infs: a NaN (Inf) in a result raises FloatingPointError at the user's line
of the op that made it, forward or backward, jitted or eager; off, results are returned as they
are (NumPy says where the values are NaN)."""

import os
import subprocess
import sys

import numpy as np
import pytest
from usersite import raises_at

import plait
import plait.numpy as pnp
from plait import lax

HERE = __file__
W0, X1 = np.zeros((3, 2), np.float32), np.ones((4, 3), np.float32)


@pytest.fixture
def nans():
    with plait.config.override(debug_nans=True):
        yield


def _line(marker: str) -> int:
    with open(HERE) as f:
        return next(i for i, text in enumerate(f, 1) if marker in text and "_line(" not in text)


def log_of(w, x):
    return pnp.sum(pnp.log(x @ w))  # LOG


def sqrt_times_zero(w, x):
    y = pnp.sqrt(x @ w)  # SQRT
    return pnp.sum(y * 0.0)


def _raises_at(marker, call, *fragments):
    return raises_at(FloatingPointError, call, _line(marker), *fragments, here=HERE)


@pytest.mark.usefixtures("nans")
@pytest.mark.parametrize("jit", [True, False])
def test_a_forward_nan_names_the_op_and_line(jit):
    f = plait.jit(log_of) if jit else log_of
    assert np.isfinite(f(-W0 + 1, X1))
    _raises_at("# LOG", lambda: f(-W0 - 1, X1), "plait.log", "min -3 max -3")


@pytest.mark.usefixtures("nans")
@pytest.mark.parametrize("jit", [True, False])
def test_a_backward_nan_names_the_forward_line(jit):
    g = plait.grad(sqrt_times_zero)  # 0 * d sqrt(0) = 0 * inf
    g = plait.jit(g) if jit else g
    _raises_at("# SQRT", lambda: g(W0, X1), "plait.mul", "8 inf")


@pytest.mark.usefixtures("nans")
def test_an_eager_op_and_a_loop():
    _raises_at("# EAGER", lambda: pnp.log(-pnp.ones(3)))  # EAGER

    def body(c, xi):
        return c * xi, pnp.log(c * xi)
    run = plait.jit(lambda c, xs: lax.scan(body, c, xs))  # SCAN
    _raises_at("# SCAN", lambda: run(1.0, np.array([1.0, -1.0], np.float32)),
               "plait.scan (inside its regions)")


@pytest.mark.usefixtures("nans")
def test_a_nan_argument_is_named_as_such():
    with pytest.raises(FloatingPointError, match="an argument holds one"):
        plait.jit(lambda x: x * 2)(np.array([np.nan], np.float32))


def test_infs_only_under_debug_infs():
    f = plait.jit(lambda x: 1.0 / x)  # DIV
    with plait.config.override(debug_nans=True):
        assert np.isinf(f(np.zeros(2, np.float32))).all()  # an inf is not a nan
    with plait.config.override(debug_infs=True):
        _raises_at("# DIV", lambda: f(np.zeros(2, np.float32)), "invalid value (inf)",
                   "plait.div")


def test_switching_the_check_on_and_off_between_calls():
    f = plait.jit(log_of)
    for _ in range(2):  # the second call would come from jaxlib's C++ cache
        assert np.isnan(f(-W0 - 1, X1))
    with plait.config.override(debug_nans=True):
        for _ in range(2):
            _raises_at("# LOG", lambda: f(-W0 - 1, X1))
    assert np.isnan(f(-W0 - 1, X1))
    assert np.isfinite(f(W0 + 1, X1))


def test_the_environment_variable_turns_it_on(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import plait.numpy as pnp\npnp.log(-pnp.ones(2))\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env={**os.environ, "PLAIT_DEBUG_NANS": "1"}, timeout=300)
    assert proc.returncode != 0
    assert f"FloatingPointError: {script}:2: invalid value (nan)" in proc.stderr
