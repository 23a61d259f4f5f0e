"""plait.profiler traces through jaxlib's profiler session; plait.named_scope names reach the
compiled program's op_name metadata (as jax.named_scope's do) and errors still name the line."""

import sys
import threading

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from usersite import raises_at

import plait
import plait.numpy as pnp

X = np.linspace(0, 1, 6, dtype=np.float32)


def _op_names(hlo: str) -> set:
    return {line.split('op_name="')[1].split('"')[0] for line in hlo.splitlines()
            if 'op_name="' in line}


def _encoder(np_, scope):
    def f(x):
        with scope("encoder"):
            y = np_.sin(x)
            with scope("inner"):
                y = y * 2
        return np_.sum(np_.cos(y))
    return f


def test_named_scopes_reach_op_names_as_jax_does():
    ours = _op_names(plait.jit(_encoder(pnp, plait.named_scope)).lower(X).compile().as_text())
    theirs = _op_names(jax.jit(_encoder(jnp, jax.named_scope)).lower(X).compile().as_text())
    assert {"encoder", "encoder/inner"} <= ours
    assert any(n.endswith("/encoder/sin") for n in theirs)  # jax: the same scopes, its prefix
    assert any(n.endswith("/encoder/inner/mul") for n in theirs)


def test_a_gradient_keeps_the_scopes_of_the_ops_it_differentiates():
    hlo = plait.jit(plait.grad(_encoder(pnp, plait.named_scope))).lower(X).compile().as_text()
    assert "encoder/inner" in _op_names(hlo)
    np.testing.assert_allclose(plait.grad(_encoder(pnp, plait.named_scope))(X),
                               -np.sin(2 * np.sin(X)) * 2 * np.cos(X), rtol=1e-5)


def test_errors_inside_a_scope_name_the_line_and_scopes_are_per_thread():
    def bad(x):
        with plait.named_scope("block"):
            return x @ np.ones((4, 2), np.float32)
    line = bad.__code__.co_firstlineno + 2
    raises_at(plait.PlaitTypeError, lambda: plait.jit(bad)(X), line, here=__file__)
    seen = []

    def other_thread():
        seen.append(_op_names(plait.jit(lambda x: pnp.sin(x)).lower(X).compile().as_text()))
    with plait.named_scope("main-thread"):
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
    assert not any("main-thread" in n for n in seen[0])
    with pytest.raises(plait.PlaitTypeError):
        with plait.named_scope(""):
            pass


def test_a_trace_is_written_with_its_annotations(tmp_path):
    f = plait.jit(lambda x: pnp.sum(pnp.sin(x) ** 2))
    with plait.profiler.trace(tmp_path):
        with plait.profiler.TraceAnnotation("plait-train-step"):
            f(X).block_until_ready()
    traces = list(tmp_path.rglob("*.xplane.pb"))
    assert len(traces) == 1 and b"plait-train-step" in traces[0].read_bytes()
    with pytest.raises(plait.PlaitValueError, match="no profiler trace"):
        plait.profiler.stop_trace()
    plait.profiler.start_trace(tmp_path / "2")
    try:
        with pytest.raises(plait.PlaitValueError, match="already running"):
            plait.profiler.start_trace(tmp_path / "3")
    finally:
        plait.profiler.stop_trace()
    assert sys.modules["plait.profiler"] is plait.profiler
