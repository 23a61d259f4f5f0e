"""donate_argnums / donate_argnames: PJRT input/output aliasing as jax does it (the same
`tf.aliasing_output` marks, the same unusable-donation warning); a donated array is deleted by
the call and using it afterwards is a typed error; values against NumPy."""

import sys
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from usersite import raises_at

import plait
import plait.numpy as pnp

F32 = np.float32
G = np.linspace(-1, 1, 4, dtype=F32)


def _sgd(np_):
    return lambda p, g: (p - 0.1 * g, np_.sum(g))


def _aliases(text):
    return [line.count("tf.aliasing_output") for line in text.splitlines() if "@main" in line]


def test_a_donating_training_loop_matches_numpy_and_deletes_each_old_step():
    step = plait.jit(_sgd(pnp), donate_argnums=0)
    p, expected = pnp.ones(4), np.ones(4, F32)
    for _ in range(5):  # the later calls take jaxlib's C++ path
        old = p
        p, s = step(p, G)
        expected = expected - F32(0.1) * G
        np.testing.assert_allclose(p, expected, rtol=1e-6)
        assert float(s) == pytest.approx(G.sum(), abs=1e-6)
        assert old._buf.is_deleted()
        line = sys._getframe().f_lineno + 1
        raises_at(plait.PlaitValueError, lambda old=old: old + 1, line, "has been deleted",
                  "donate_argnums", here=__file__)


def test_the_lowered_program_aliases_as_jax_does():
    args = (np.ones(4, F32), G)
    ours = plait.jit(_sgd(pnp), donate_argnums=0).lower(*args).as_text()
    theirs = jax.jit(_sgd(jnp), donate_argnums=0).lower(*args).as_text()
    assert "tf.aliasing_output = 0 : i32" in ours
    assert _aliases(ours) == _aliases(theirs) == [1]
    pc = plait.jit(_sgd(pnp), donate_argnums=0).lower(*args).compile().memory_analysis()
    jc = jax.jit(_sgd(jnp), donate_argnums=0).lower(*args).compile().memory_analysis()
    assert pc.alias_size_in_bytes == jc.alias_size_in_bytes == 16


def test_a_donation_no_result_can_use_warns_as_jax_and_deletes_nothing():
    ours = plait.jit(lambda x: pnp.sum(x), donate_argnums=0)
    theirs = jax.jit(lambda x: jnp.sum(x), donate_argnums=0)
    for f, x, deleted in ((ours, pnp.ones(4), lambda a: a._buf.is_deleted()),
                          (theirs, jnp.ones(4), lambda a: a.is_deleted())):
        with pytest.warns(UserWarning, match="Some donated buffers were not usable"):
            assert float(f(x)) == 4.0
        assert not deleted(x)


def test_pytrees_keywords_and_numpy_arguments():
    step = plait.jit(lambda params, *, lr: jax.tree_util.tree_map(lambda w: w * lr, params),
                     donate_argnames="params")
    params = {"w": pnp.ones((2, 3)), "b": pnp.zeros(3)}
    out = step(params, lr=0.5)
    np.testing.assert_allclose(out["w"], np.full((2, 3), 0.5))
    assert params["w"]._buf.is_deleted() and params["b"]._buf.is_deleted()
    host = np.ones(3, F32)  # a NumPy argument is copied to the device; the copy is donated
    out = plait.jit(lambda x: x * 2, donate_argnums=0)(host)
    np.testing.assert_array_equal(host, np.ones(3, F32))
    np.testing.assert_array_equal(out, np.full(3, 2.0, F32))


def test_the_same_program_without_donation_keeps_its_inputs():
    f = _sgd(pnp)
    donating, keeping = plait.jit(f, donate_argnums=0), plait.jit(f)
    a = pnp.ones(4)
    donating(a, G)
    for _ in range(3):  # one compiled program per donation, not shared by IR
        b = pnp.ones(4)
        keeping(b, G)
        assert not b._buf.is_deleted()


def test_bad_donations_are_typed_errors():
    with pytest.raises(plait.PlaitValueError, match="both static and donated"):
        plait.jit(lambda x, n: x * n, static_argnums=1, donate_argnums=1)
    with pytest.raises(plait.PlaitValueError, match="donate_argnums 5"):
        plait.jit(lambda x: x, donate_argnums=5)
    with pytest.raises(plait.PlaitValueError, match="donate_argnames 'y'"):
        plait.jit(lambda x: x, donate_argnames="y")
    step = plait.jit(_sgd(pnp), donate_argnums=0)
    for _ in range(2):  # the Python path, then the C++ one
        p = pnp.ones(4)
        step(p * 1, G)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            line = sys._getframe().f_lineno + 1
            raises_at(plait.PlaitValueError, lambda p=p: step(p, p), line, "passed twice",
                      here=__file__)
        np.testing.assert_allclose(step(p, G)[0], 1 - 0.1 * G, rtol=1e-6)
