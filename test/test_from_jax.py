"""plait.from_jax and plait-raise-stablehlo: functions written with jax, traced and lowered by
jax, raised into plait and transformed by plait's passes. Values, gradients and batching are
compared with jax running the same function (the oracle)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from usersite import first_line, raises_at

import plait
import plait.numpy as pnp
from plait import pipeline
from plait._mlir import CONTEXT, LOCK, ir
from plait.core.errors import IRError
from plait.lowering.raising import raise_stablehlo
from plait.sharding import Mesh, NamedSharding, PartitionSpec

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _conv(x, w):
    return jax.lax.conv_general_dilated(x, w, (1, 1), "SAME")


def _scan(x):
    c, ys = jax.lax.scan(lambda c, xi: (jnp.tanh(c + xi), c * xi), jnp.zeros(x.shape[1:]), x)
    return jnp.sum(c) + jnp.sum(ys)


# (name, f, args, differentiable in the first argument)
CASES = [
    ("unary", lambda x: jnp.sum(jnp.sin(x) * jnp.exp(-x) + jnp.tanh(x) - jnp.log1p(x * x)),
     (rand(3, 4),), True),
    ("special", lambda x: jnp.sum(jax.scipy.special.erf(x) + jax.nn.sigmoid(x)), (rand(5),),
     True),
    ("inverse_hyperbolic", lambda x: jnp.sum(jnp.arcsinh(x) * jnp.cbrt(x) + jnp.cosh(x)
                                             + jnp.arctan(x) + jnp.sinh(x) * jax.lax.erfc(x)),
     (rand(5),), True),
    ("binary_broadcast", lambda x, y: jnp.sum(x * y + x / (1 + y * y) - jnp.maximum(x, y)),
     (rand(3, 4), rand(4)), True),
    ("pow_abs", lambda x: jnp.sum(jnp.abs(x) ** 1.5 + jnp.sign(x)), (rand(6),), True),
    ("where", lambda x: jnp.sum(jnp.where(x > 0, x * x, -x)), (rand(7),), True),
    ("dot", lambda a, b: jnp.sum(jnp.tanh(a @ b)), (rand(3, 4), rand(4, 2)), True),
    ("einsum", lambda a, b: jnp.sum(jnp.einsum("bij,bjk->bik", a, b) ** 2),
     (rand(2, 3, 4), rand(2, 4, 5)), True),
    ("reductions", lambda x: jnp.sum(x, 0).max() + jnp.prod(x[0]) + jnp.mean(x) + jnp.min(x),
     (rand(3, 4),), True),
    ("softmax", lambda x: jnp.sum(jax.nn.softmax(x, axis=-1) * jnp.arange(4.0))
     + jax.nn.logsumexp(x), (rand(3, 4),), True),
    ("argmax", lambda x: jnp.sum(x * jnp.argmax(x, axis=1)[:, None])
     + jnp.sum(jnp.argmin(x, axis=0)), (rand(3, 4),), True),
    ("slice_concat_pad", lambda x: jnp.sum(jnp.concatenate([x[1:, ::2], jnp.pad(x, 1)[:2, :2]],
                                                           axis=1) ** 2), (rand(3, 4),), True),
    ("reshape_transpose", lambda x: jnp.sum(x.reshape(2, 6).T @ jnp.flip(x, 0).reshape(2, 6)),
     (rand(3, 4),), True),
    ("gather", lambda x, i: jnp.sum(x[i] ** 2) + jnp.sum(x[:, 1]), (rand(5, 3),
                                                                     np.array([0, 3, 3], np.int32)),
     True),
    ("scatter", lambda x, i: jnp.sum(jnp.asarray(x).at[i].add(x[0] * 2).at[1].set(x[2]) ** 2),
     (rand(5, 3), np.array([0, 3, 3], np.int32)), True),
    ("dynamic_slice", lambda x, i: jnp.sum(jax.lax.dynamic_slice(x, (i, 0), (2, 3)) ** 2)
     + jnp.sum(jax.lax.dynamic_update_slice(x, x[:1] * 3, (i, 0))), (rand(5, 3),
                                                                     np.int32(2)), True),
    ("fori_loop", lambda x: jnp.sum(jax.lax.fori_loop(0, 3, lambda i, c: jnp.sin(c) * x + i, x)),
     (rand(4),), True),
    ("scan", _scan, (rand(5, 3),), True),
    ("while_loop", lambda x: jnp.sum(jax.lax.while_loop(lambda c: jnp.sum(c) < 100.0,
                                                        lambda c: c * 2 + 1, jnp.abs(x))),
     (rand(4),), False),
    ("cond", lambda x: jax.lax.cond(jnp.sum(x) > 0, lambda a: jnp.sum(jnp.sin(a)),
                                    lambda a: jnp.sum(a * a), x), (rand(4),), True),
    ("switch", lambda x, k: jax.lax.switch(k, [jnp.sum, lambda a: jnp.sum(a ** 3),
                                               lambda a: jnp.max(a)], x),
     (rand(4), np.int32(1)), True),
    ("sort", lambda x: jnp.sum(jnp.sort(x) * jnp.arange(6.0)) + jnp.sum(jnp.argsort(x)),
     (rand(6),), True),
    ("sort_two_keys", lambda x, y: jnp.sum(jax.lax.sort((jnp.round(x), y, x), num_keys=2)[2]
                                           * jnp.arange(6.0)),
     (rand(6) * 2, np.array([3, 1, 2, 1, 3, 2], np.float32)), True),
    ("top_k", lambda x: jnp.sum(jax.lax.top_k(x, 3)[0] * jnp.arange(3.0)), (rand(6),), True),
    ("cumulative", lambda x: jnp.sum(jnp.cumsum(x, axis=1) * jnp.cumprod(x, axis=0))
     + jnp.sum(jax.lax.cummax(x, axis=1)), (rand(3, 4),), True),
    ("conv", lambda x, w: jnp.sum(_conv(x, w) ** 2), (rand(1, 2, 5, 5), rand(3, 2, 3, 3)), True),
    ("max_pool", lambda x: jnp.sum(jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (2, 2),
                                                         (1, 1), "VALID")), (rand(4, 4),), True),
    ("square_var", lambda x: jnp.var(x) + jnp.sum(jnp.square(x)) + jnp.std(x[0]), (rand(3, 4),),
     True),
    ("round_away_from_zero", lambda x: jnp.sum(jax.lax.round(x * 2) * x)
     + jnp.sum(jnp.floor_divide(x, 0.3)), (np.array([0.25, -0.75, 1.2, -2.5], np.float32),),
     True),
    ("searchsorted", lambda x, v: jnp.sum(jnp.searchsorted(jnp.sort(x), v) * v),
     (rand(6), np.array([-np.inf, -0.0, 0.0, 0.3, np.nan], np.float32)), False),
    ("complex_constant", lambda x: jnp.sum(jnp.abs(x * (1 + 2j) + jnp.array([1j, 2, -1j])) ** 2),
     (rand(3),), True),
    ("cholesky", lambda x: jnp.sum(jnp.linalg.cholesky(x @ x.T + 3 * jnp.eye(3)) ** 2),
     (rand(3, 3),), True),
    ("solve_triangular", lambda x, b: jnp.sum(jax.scipy.linalg.solve_triangular(
        x + 3 * jnp.eye(3), b, lower=False, trans=1)), (rand(3, 3), rand(3, 2)), True),
    ("linalg_solve", lambda x, b: jnp.sum(jnp.linalg.solve(x + 3 * jnp.eye(3), b) ** 2)
     + jnp.linalg.det(x), (rand(3, 3), rand(3)), True),
    ("integers", lambda x, n: jnp.sum(x * (n // 2 + n % 3)) + jnp.sum((n << 1) ^ n),
     (rand(4), np.arange(4, dtype=np.int32)), True),
]


@pytest.mark.parametrize("name,f,args,diff", CASES, ids=[c[0] for c in CASES])
def test_values_grad_vmap(name, f, args, diff):
    g = plait.from_jax(f)
    np.testing.assert_allclose(g(*args), f(*args), rtol=2e-5, atol=1e-5)
    if diff:
        np.testing.assert_allclose(plait.grad(g)(*args), jax.grad(f)(*args), rtol=2e-4,
                                   atol=1e-5)
    batched = (np.stack([args[0], args[0] * 0.5 + 0.25]),) + args[1:]
    in_axes = (0,) + (None,) * (len(args) - 1)
    np.testing.assert_allclose(plait.vmap(g, in_axes=in_axes)(*batched),
                               jax.vmap(f, in_axes=in_axes)(*batched), rtol=2e-5, atol=1e-5)


def test_stop_gradient_stops_plait_derivatives():
    """jax lowers stop_gradient to nothing: from_jax keeps it, so plait's gradient is jax's."""
    inner = jax.jit(lambda x: jax.lax.stop_gradient(x) * x)

    def f(x):
        target = jax.lax.stop_gradient(jnp.tanh(x))
        return jnp.sum((x - target) ** 2) + jnp.sum(inner(x)) + jax.nn.logsumexp(x)

    x = rand(4)
    np.testing.assert_allclose(plait.grad(plait.from_jax(f))(x), jax.grad(f)(x), rtol=1e-5,
                               atol=1e-6)
    assert float(jnp.sum(inner(x))) == pytest.approx(float(np.sum(x * x)), rel=1e-5)


def test_custom_vjp_is_warned_of():
    @jax.custom_vjp
    def clip_gradient(x):
        return x

    clip_gradient.defvjp(lambda x: (x, None), lambda _, g: (jnp.clip(g, -0.1, 0.1),))

    def f(x):
        return jnp.sum(clip_gradient(x) * 3.0)

    with pytest.warns(UserWarning, match="custom_vjp backward rule") as record:
        plait.grad(plait.from_jax(f))(rand(3))
    assert record[0].filename == __file__


def test_fft():
    def f(x):
        return jnp.fft.rfft(x).real + jnp.abs(jnp.fft.fft(x))[:5]

    x = rand(8)
    np.testing.assert_allclose(plait.from_jax(f)(x), f(x), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(plait.grad(lambda v: pnp.sum(plait.from_jax(f)(v)))(x),
                               jax.grad(lambda v: jnp.sum(f(v)))(x), rtol=1e-4, atol=1e-5)


def test_compose_jit_grad_vmap_with_plait_ops():
    """from_jax inside plait code: plait ops before and after it, under jit(vmap(grad))."""
    jax_mlp = plait.from_jax(lambda w, x: jnp.tanh(x @ w["w"] + w["b"]))

    def loss(w, x):
        return pnp.mean(pnp.sin(jax_mlp(w, x * 2.0)) ** 2)

    def jax_loss(w, x):
        return jnp.mean(jnp.sin(jnp.tanh((x * 2.0) @ w["w"] + w["b"])) ** 2)

    w = {"w": rand(3, 2), "b": rand(2)}
    xs = rand(5, 4, 3)
    got = plait.jit(plait.vmap(plait.grad(loss), in_axes=(None, 0)))(w, xs)
    want = jax.vmap(jax.grad(jax_loss), in_axes=(None, 0))(w, xs)
    assert set(got) == {"w", "b"}
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-4, atol=1e-6)
    # a second call with other values reuses the raised function and the compiled program
    got2 = plait.jit(plait.vmap(plait.grad(loss), in_axes=(None, 0)))(w, xs + 1)
    np.testing.assert_allclose(got2["w"], jax.vmap(jax.grad(jax_loss), in_axes=(None, 0))(
        w, xs + 1)["w"], rtol=1e-4, atol=1e-6)


def test_pytrees_kwargs_and_dtypes():
    def f(d, scale=1.0):
        return {"sum": jnp.sum(d["a"]) * scale, "pair": (d["b"] * 2, d["a"].astype(jnp.int32))}

    d = {"a": np.arange(4.0, dtype=np.float64), "b": np.ones(3, np.float32)}
    out = plait.from_jax(f)(d, scale=3.0)
    assert out["sum"].dtype == np.float64  # a float64 input stays float64
    np.testing.assert_allclose(out["sum"], 18.0)
    np.testing.assert_array_equal(out["pair"][1], np.arange(4))
    assert out["pair"][1].dtype == np.int32
    np.testing.assert_allclose(out["pair"][0], 2 * np.ones(3))


def test_closure_constants():
    table = jnp.asarray(rand(40, 30))  # over plait's 16 KiB: jax may pass it as an argument

    def f(x):
        return jnp.sum(table @ x)

    x = rand(30)
    np.testing.assert_allclose(plait.from_jax(f)(x), f(x), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(plait.grad(plait.from_jax(f))(x), jax.grad(f)(x), rtol=1e-5,
                               atol=1e-5)


def test_adam_written_in_jax_trains_under_plait():
    """A jax-written optimizer (Adam, as optax writes it: tree_map over the parameters) driven
    inside plait.jit(plait.grad(...)), against the same loop run by jax."""
    def adam(grads, state, lr=0.05, b1=0.9, b2=0.999, eps=1e-8):
        m, v, t = state
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
        step = jax.tree_util.tree_map(
            lambda m, v: -lr * (m / (1 - b1 ** t)) / (jnp.sqrt(v / (1 - b2 ** t)) + eps), m, v)
        return step, (m, v, t)

    def loss(p, x, y):
        return jnp.mean((jnp.tanh(x @ p["w"] + p["b"]) - y) ** 2)

    x, y = rand(16, 3), rand(16, 2)
    p = {"w": rand(3, 2), "b": np.zeros(2, np.float32)}
    zeros = jax.tree_util.tree_map(np.zeros_like, p)
    state = (zeros, zeros, np.float32(0))
    p_loss, p_adam = plait.from_jax(loss), plait.from_jax(adam)

    @plait.jit
    def plait_step(p, state):
        grads = plait.grad(p_loss)(p, x, y)
        step, state = p_adam(grads, state)
        return jax.tree_util.tree_map(lambda a, b: a + b, p, step), state

    @jax.jit
    def jax_step(p, state):
        step, state = adam(jax.grad(loss)(p, x, y), state)
        return jax.tree_util.tree_map(lambda a, b: a + b, p, step), state

    pp, ps, jp, js = p, state, p, state
    for _ in range(5):
        pp, ps = plait_step(pp, ps)
        jp, js = jax_step(jp, js)
    for k in p:
        np.testing.assert_allclose(pp[k], jp[k], rtol=1e-4, atol=1e-5)
    trained = jax.tree_util.tree_map(np.asarray, pp)
    assert float(loss(trained, x, y)) < float(loss(p, x, y))


def test_optax_adam():
    optax = pytest.importorskip("optax", reason="optax is a test dependency not installed here")
    opt = optax.adam(0.05)

    def loss(p, x):
        return jnp.sum((x @ p) ** 2)

    p, x = rand(3), rand(4, 3)
    update = plait.from_jax(lambda g, s: opt.update(g, s))

    @plait.jit
    def step(p, s):
        g = plait.grad(plait.from_jax(loss))(p, x)
        u, s = update(g, s)
        return p + u, s

    s = opt.init(p)
    jp, js = p, s
    for _ in range(3):
        p, s = step(p, s)
        u, js = opt.update(jax.grad(loss)(jp, x), js)
        jp = jp + u
    np.testing.assert_allclose(p, jp, rtol=1e-5)


def test_unraisable_op_is_an_error_at_its_line():
    def f(x):
        y = jnp.sin(x)
        return jax.lax.reduce_precision(y, exponent_bits=5, mantissa_bits=10)

    raises_at(IRError, lambda: plait.from_jax(f)(np.ones(3, np.float32)), first_line(f) + 2,
              "cannot raise 'stablehlo.reduce_precision'", here=__file__)


def test_custom_call_error_names_its_target():
    def f(a):
        return jnp.linalg.qr(a)[1]

    # (jax locates the kernel call in its own code: the error names the call of from_jax)
    raises_at(IRError, lambda: plait.from_jax(f)(rand(3, 3)), first_line(f) + 4,
              "cannot raise 'stablehlo.custom_call' @lapack_sgeqrf", here=__file__)


def test_cholesky_of_a_matrix_that_is_not_positive_definite_is_nan():
    f = jnp.linalg.cholesky
    m = -np.eye(3, dtype=np.float32)
    assert np.isnan(np.asarray(plait.from_jax(f)(m))).sum() == np.isnan(np.asarray(f(m))).sum()


def _raised(f, *args):
    text = jax.jit(f).lower(*args).as_text()
    with LOCK, CONTEXT:
        module = ir.Module.parse(text)
        raise_stablehlo(module.operation)
        return module


def test_raise_then_lower_round_trip():
    """jax's StableHLO raised to plait, then lowered: only StableHLO again, with the same ops
    for a function whose ops map one to one."""
    def f(x, y):
        return jnp.sin(x) * y + jnp.exp(x)

    x = rand(4)
    module = _raised(f, x, x)
    text = str(module)
    assert '"plait.sin"' in text and "stablehlo." not in text
    pipeline.lower(module)
    lowered = str(module)
    assert '"plait.' not in lowered
    for op in ("stablehlo.sine", "stablehlo.multiply", "stablehlo.add", "stablehlo.exponential"):
        assert op in lowered


def test_counted_loop_is_a_scan():
    """jax's fori_loop with static bounds is a while over a counter: raised as a plait.scan
    (reverse-mode differentiable); a data-dependent loop stays a plait.while."""
    fori = _raised(lambda x: jax.lax.fori_loop(0, 3, lambda i, c: c * x, x), rand(2))
    assert '"plait.scan"' in str(fori) and '"plait.while"' not in str(fori)
    loop = _raised(lambda x: jax.lax.while_loop(lambda c: c[0] < 5.0, lambda c: c * 2, x),
                   rand(2))
    assert '"plait.while"' in str(loop) and '"plait.scan"' not in str(loop)


@pytest.mark.skipif(len(jax.devices()) != 8, reason="needs 8 devices (test/conftest.py)")
def test_sharded_jit_of_grad():
    """A jax-written loss under plait.jit with shardings: its ops get the batch sharding."""
    mesh = Mesh(np.array(jax.devices()), ("data",))
    rep, batch = NamedSharding(mesh, PartitionSpec()), NamedSharding(mesh, PartitionSpec("data"))

    def loss(w, x):
        return jnp.mean(jnp.tanh(x @ w) ** 2)

    w, x = rand(3, 2), rand(16, 3)
    step = plait.jit(plait.grad(plait.from_jax(loss)), in_shardings=(rep, batch))
    np.testing.assert_allclose(step(w, x), jax.grad(loss)(w, x), rtol=1e-5, atol=1e-6)
    text = step.lower(w, x).as_text("plait")
    tanh = next(line for line in text.splitlines() if '"plait.tanh"' in line)
    assert '[{"data"}, {}]' in tanh
