"""A call's result never depends on the calls before it.

jaxlib's C++ dispatch cache, plait's compile cache and the eager one-op programs all answer from
what earlier calls left behind. Here random sequences of calls with mixed argument kinds (NumPy
arrays and scalars, Python scalars, 0-d arrays, jax arrays, plait arrays, weak and strong, 16 to
64 bits, with jax's x64 flag on or off) go through jit, eager ops, grad and vmap; each result is
compared with the same call made first in a fresh process (every cache cleared).
"""

import jax
import ml_dtypes
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import plait
import plait.numpy as pnp
from plait import jitting
from plait.core.errors import PlaitError
from plait.runtime import fastpath

DTYPES = [np.float16, ml_dtypes.bfloat16, np.float32, np.float64, np.int32, np.int64]


def _numpy(dt, shape):
    return (np.arange(1, 1 + int(np.prod(shape))).reshape(shape) / 4).astype(dt)


def _make(kind, dt, shape):
    """An argument of the given kind, built fresh (calls must not share buffers)."""
    if kind == "python":
        return {np.dtype(np.int32): 3, np.dtype(np.int64): 5}.get(np.dtype(dt), 1.25)
    if kind == "numpy_scalar":
        return np.dtype(dt).type(1.5)
    if kind == "numpy_0d":
        return _numpy(dt, ())
    if kind == "numpy":
        return _numpy(dt, shape)
    if kind == "plait":
        return pnp.asarray(_numpy(dt, shape))
    if kind == "plait_weak":
        return pnp.asarray(2.5) if np.dtype(dt).kind == "f" else pnp.asarray(2)
    return pnp.asarray(_numpy(dt, shape)).to_jax()  # "jax": a jax.Array of any dtype


ARG = st.tuples(st.sampled_from(["python", "numpy_scalar", "numpy_0d", "numpy", "plait",
                                 "plait_weak", "jax"]),
                st.sampled_from(DTYPES), st.sampled_from([(), (3,)]))

mul_add = plait.jit(lambda x, y: x * y + 1)
grad_fn = plait.grad(lambda x, y: pnp.sum(pnp.sin(x) * y))
CALLS = {
    "jit": lambda x, y: mul_add(x, y),
    "eager": lambda x, y: pnp.cos(x) * y,
    "eager_op": lambda x, y: pnp.multiply(x, y),
    "grad": grad_fn,
    "vmap": plait.vmap(lambda x, y: x * y, in_axes=(0, None)),
    "jit_grad": plait.jit(grad_fn),
}


def _run(name, a, b, x64):
    with jax.enable_x64(x64):
        try:
            out = CALLS[name](_make(*a), _make(*b))
        except PlaitError as e:
            return type(e)
        return out.dtype, out.weak_type, np.asarray(out)


def _fresh_process():
    jitting.clear_caches()
    if fastpath.AVAILABLE:
        fastpath._CACHE.clear()


@st.composite
def call_sequences(draw):
    """One function called with a first pair of arguments, then with pairs that each change one
    field (kind, dtype or shape) of one argument: neighbours that a cache could confuse."""
    name, a, b = draw(st.sampled_from(sorted(CALLS))), draw(ARG), draw(ARG)
    calls = [(name, a, b, draw(st.booleans()))]
    for _ in range(draw(st.integers(1, 6))):
        which, field, value = draw(st.sampled_from([0, 1])), draw(st.integers(0, 2)), draw(ARG)
        pair = [a, b]
        pair[which] = tuple(value[i] if i == field else pair[which][i] for i in range(3))
        a, b = pair
        calls.append((name, a, b, draw(st.booleans())))
    return calls


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(call_sequences())
def test_results_do_not_depend_on_earlier_calls(calls):
    got = [_run(*c) for c in calls]
    for c, g in zip(calls, got):
        _fresh_process()
        want = _run(*c)
        if isinstance(want, type):
            assert g is want, (c, g, want)
            continue
        assert g[:2] == want[:2], (c, g[:2], want[:2])
        np.testing.assert_array_equal(g[2], want[2], err_msg=str(c))


def test_float64_after_float32_and_back():
    """The first reports: a float32 call must not decide the dtype of a later float64 call, and
    an np.float64 learning rate then an np.float32 one must not crash."""
    g = plait.jit(lambda x: x * 2)
    assert g(np.ones(3, np.float32)).dtype == np.float32
    assert g(np.ones(3)).dtype == np.float64
    assert g(np.ones(3, np.float32)).dtype == np.float32
    assert pnp.cos(np.ones(3, np.float32)).dtype == np.float32
    assert pnp.cos(np.ones(3)).dtype == np.float64
    step = plait.jit(lambda w, lr: w - lr * w)
    w = np.ones(3, np.float32)
    for lr in (np.float64(0.1), np.float32(0.1), 0.1, np.float16(0.1)):
        out = step(w, lr)
        assert out.dtype == np.float32
        np.testing.assert_allclose(np.asarray(out), w - np.float32(lr) * w, rtol=1e-3)


def test_config_change_is_seen_by_cached_calls():
    """plait.config's defaults are part of what a cached program depends on."""
    f = plait.jit(lambda x: x + pnp.ones(()) * 2.0)
    assert f(2.0).dtype == np.float32
    plait.config.default_float = np.float64
    try:
        assert f(2.0).dtype == np.float64
        assert pnp.cos(2.0).dtype == np.float64
    finally:
        plait.config.default_float = np.float32
    assert f(2.0).dtype == np.float32
