"""plait.nn against jax.nn: each function's values (float32, float64, bfloat16), first and
second derivatives (at the kinks too: relu'(0) = 0), vmap and jit; dot_product_attention with
each option; the initializers' bits for the same key, their shapes and statistics; errors at
the user's line."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
from usersite import raises_at

import plait
import plait.nn as nn
import plait.numpy as pnp
import plait.random as pr
from plait.core.errors import PlaitTypeError, PlaitValueError

pytestmark = pytest.mark.usefixtures("x64", "plait_x64")


@pytest.fixture(scope="module")
def plait_x64():
    """plait's counterpart of jax's x64 (the `x64` fixture): Python scalars are 64-bit, so a
    float64 call's float arguments (elu's alpha, standardize's epsilon) keep their bits."""
    with plait.config.override(default_float="float64", default_int="int64"):
        yield
HERE = __file__
f32, f64, bf16 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(ml_dtypes.bfloat16)
TOL = {f32: 2e-6, f64: 1e-13, bf16: 1e-2}

# the kinks and branch points of the activations, and a spread of values around them
KINKS = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, np.log(2.0)])
X = np.concatenate([KINKS, np.linspace(-9.7, 9.3, 39)])

# name, fn(nn-module, x): the same call on plait.nn and jax.nn
ACTIVATIONS = [
    ("relu", lambda m, x: m.relu(x)),
    ("relu6", lambda m, x: m.relu6(x)),
    ("gelu_tanh", lambda m, x: m.gelu(x)),
    ("gelu_exact", lambda m, x: m.gelu(x, approximate=False)),
    ("silu", lambda m, x: m.silu(x)),
    ("swish", lambda m, x: m.swish(x)),
    ("sigmoid", lambda m, x: m.sigmoid(x)),
    ("hard_sigmoid", lambda m, x: m.hard_sigmoid(x)),
    ("hard_silu", lambda m, x: m.hard_silu(x)),
    ("hard_swish", lambda m, x: m.hard_swish(x)),
    ("hard_tanh", lambda m, x: m.hard_tanh(x)),
    ("softplus", lambda m, x: m.softplus(x)),
    ("soft_sign", lambda m, x: m.soft_sign(x)),
    ("log_sigmoid", lambda m, x: m.log_sigmoid(x)),
    ("elu", lambda m, x: m.elu(x)),
    ("elu_alpha", lambda m, x: m.elu(x, 0.5)),
    ("leaky_relu", lambda m, x: m.leaky_relu(x)),
    ("leaky_relu_slope", lambda m, x: m.leaky_relu(x, 0.2)),
    ("celu", lambda m, x: m.celu(x)),
    ("celu_alpha", lambda m, x: m.celu(x, 2.0)),
    ("selu", lambda m, x: m.selu(x)),
    ("mish", lambda m, x: m.mish(x)),
    ("squareplus", lambda m, x: m.squareplus(x)),
    ("squareplus_b", lambda m, x: m.squareplus(x, 1.5)),
    ("sparse_plus", lambda m, x: m.sparse_plus(x)),
    ("sparse_sigmoid", lambda m, x: m.sparse_sigmoid(x)),
    ("tanh", lambda m, x: m.tanh(x)),
    ("identity", lambda m, x: m.identity(x)),
    ("log1mexp", lambda m, x: m.log1mexp(jnp.abs(x) + 0.01 if m is jax.nn else
                                         pnp.abs(x) + 0.01)),
    ("glu", lambda m, x: m.glu(x[:46])),
    ("glu_axis0", lambda m, x: m.glu(x[:46].reshape(2, 23), axis=0)),
    ("softmax", lambda m, x: m.softmax(x)),
    ("softmax_axis0", lambda m, x: m.softmax(x[:46].reshape(2, 23), axis=0)),
    ("softmax_axes", lambda m, x: m.softmax(x[:46].reshape(2, 23), axis=(0, 1))),
    ("softmax_none", lambda m, x: m.softmax(x[:46].reshape(2, 23), axis=None)),
    ("log_softmax", lambda m, x: m.log_softmax(x)),
    ("log_softmax_axis0", lambda m, x: m.log_softmax(x[:46].reshape(2, 23), axis=0)),
    ("logsumexp", lambda m, x: m.logsumexp(x)),
    ("logsumexp_axis", lambda m, x: m.logsumexp(x[:46].reshape(2, 23), axis=1, keepdims=True)),
    ("logsumexp_b", lambda m, x: m.logsumexp(x[:46].reshape(2, 23), axis=0,
                                             b=np.linspace(0.1, 2, 23))),
    ("logmeanexp", lambda m, x: m.logmeanexp(x[:46].reshape(2, 23), axis=1)),
    ("standardize", lambda m, x: m.standardize(x[:46].reshape(2, 23))),
    ("standardize_stable", lambda m, x: m.standardize(x[:46].reshape(2, 23), axis=0,
                                                      algorithm="stable")),
    ("standardize_given", lambda m, x: m.standardize(x, mean=0.5, variance=2.0, epsilon=0.1)),
]
CASES = [pytest.param(n, f, id=n) for n, f in ACTIVATIONS]


def _close(got, want, dt, scale=1.0, what=""):
    got, want = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got) == len(want), what
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, (what, g.shape, g.dtype, w.shape,
                                                           w.dtype)
        tol = TOL[dt] * scale
        np.testing.assert_allclose(g.astype(f64), w.astype(f64), rtol=tol, atol=tol,
                                   err_msg=what)


def _scale(name):
    # gelu_exact: plait's erfc (Cephes) and XLA's differ by an ulp or two; log1mexp: log of
    # a difference near its zero
    return 8.0 if name in ("gelu_exact", "log1mexp", "mish") else 2.0


def test_has_jax_nn_functions():
    """Every public jax.nn function but the cuDNN block-scaled matmuls."""
    cudnn_only = {"scaled_matmul", "scaled_dot_general", "get_scaled_dot_general_config"}
    want = {n for n in dir(jax.nn) if not n.startswith("_") and callable(getattr(jax.nn, n))}
    assert want - cudnn_only - {"initializers"} <= set(nn.__all__)
    init_want = {n for n in dir(jax.nn.initializers) if not n.startswith("_")}
    assert init_want == set(nn.initializers.__all__)
    assert isinstance(nn.initializers.glorot_normal(), nn.initializers.Initializer)


@pytest.mark.parametrize("name, fn", CASES)
@pytest.mark.parametrize("dt", [f32, f64], ids=["float32", "float64"])
def test_values_match_jax(name, fn, dt):
    x = X.astype(dt)
    want = jax.jit(lambda x: fn(jax.nn, x))(x)
    _close(plait.jit(lambda x: fn(nn, x))(x), want, dt, _scale(name), name)
    _close(fn(nn, x), want, dt, _scale(name), name + " eagerly")


BF16 = ["relu", "relu6", "gelu_tanh", "gelu_exact", "silu", "sigmoid", "softplus", "elu",
        "leaky_relu", "hard_tanh", "softmax", "log_softmax"]


@pytest.mark.parametrize("name, fn", [c for c in CASES if c.id in BF16])
def test_bfloat16_values_match_jax(name, fn):
    x = X.astype(bf16)
    want = jax.jit(lambda x: fn(jax.nn, x))(x)
    got = plait.jit(lambda x: fn(nn, x))(x)
    assert got.dtype == bf16
    # bfloat16 has 8 bits: allow an ulp or two, relative to the largest output
    _close(got, want, bf16, 2 * max(1.0, float(np.abs(np.asarray(want, f64)).max())), name)


def _loss(m, xp, fn):
    def loss(x):
        w = xp.cos(xp.arange(x.shape[0], dtype=x.dtype))  # weights: no symmetric cancelling
        return sum(xp.sum(y * (w[:y.size].reshape(y.shape) if y.size <= x.size else 1.0))
                   for y in jax.tree.leaves(fn(m, x)))
    return loss


@pytest.mark.parametrize("name, fn", CASES)
def test_derivatives_match_jax(name, fn):
    """grad of a weighted sum, at the kinks too, and its JVP (the second derivative)."""
    x = X.astype(f64)
    got = plait.grad(_loss(nn, pnp, fn))(x)
    want = jax.grad(_loss(jax.nn, jnp, fn))(x)
    _close(got, want, f64, 100, name + " grad")
    v = np.random.default_rng(1).normal(size=x.shape)
    got = plait.jvp(plait.grad(_loss(nn, pnp, fn)), (x,), (v,))[1]
    want = jax.jvp(jax.grad(_loss(jax.nn, jnp, fn)), (x,), (v,))[1]
    _close(got, want, f64, 1e3, name + " jvp of grad")


def test_integer_inputs_as_jax():
    """With 32-bit defaults on both sides: relu keeps an integer dtype; relu6, elu, softplus
    and gelu give float32."""
    x = np.array([-2, 0, 3, 7], np.int32)
    for name in ("relu", "relu6", "elu", "softplus", "gelu", "hard_sigmoid", "soft_sign"):
        with plait.config.override(default_float="float32", default_int="int32"):
            got = getattr(nn, name)(x)
        with jax.enable_x64(False):
            want = getattr(jax.nn, name)(x)
        assert got.dtype == want.dtype, name
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6, err_msg=name)


def test_rectifier_derivatives_at_the_kinks():
    """relu'(0) = 0, relu6'(0) = relu6'(6) = 0 (jax's custom JVPs), hard_tanh'(±1) = 1 (inside)."""
    x = np.array([0.0, 6.0, -1.0, 1.0, 3.0, -3.0], np.float32)
    g = plait.vmap(plait.grad(nn.relu))(x)
    np.testing.assert_array_equal(np.asarray(g), [0, 1, 0, 1, 1, 0])
    g = plait.vmap(plait.grad(nn.relu6))(x)
    np.testing.assert_array_equal(np.asarray(g), [0, 0, 0, 1, 1, 0])
    g = plait.vmap(plait.grad(nn.hard_tanh))(x)
    np.testing.assert_array_equal(np.asarray(g), [1, 0, 1, 1, 0, 0])
    g = plait.vmap(plait.grad(nn.hard_sigmoid))(x)
    np.testing.assert_array_equal(np.asarray(g), np.asarray(jax.vmap(jax.grad(
        jax.nn.hard_sigmoid))(x)))


@pytest.mark.parametrize("name, fn", CASES)
def test_vmap_matches_a_loop(name, fn):
    xs = np.stack([X, X[::-1] * 0.5, X + 1.0]).astype(f32)
    got = plait.jit(plait.vmap(lambda x: fn(nn, x)))(xs)
    want = [fn(jax.nn, x) for x in xs]
    _close(got, jax.tree.map(lambda *a: np.stack(a), *want), f32, _scale(name), name)


def test_softmax_custom_jvp_with_minus_inf():
    """jax's custom JVP: masked (-inf) logits get a zero gradient, not NaN, and the tangent
    is y (t - sum(y t))."""
    x = np.array([[0.5, -np.inf, 2.0, 1.0], [-np.inf, -1.0, 3.0, 0.0]], np.float32)
    w = np.arange(8.0, dtype=np.float32).reshape(2, 4)
    got = plait.grad(lambda x: pnp.sum(nn.softmax(x) * w))(x)
    want = jax.grad(lambda x: jnp.sum(jax.nn.softmax(x) * w))(x)
    _close(got, want, f32, 2)
    assert np.all(np.isfinite(np.asarray(got)))
    t = np.ones_like(x)
    _close(plait.jvp(nn.softmax, (x,), (t,)), jax.jvp(jax.nn.softmax, (x,), (t,)), f32, 2)


@pytest.mark.parametrize("fn", [
    pytest.param(lambda m, x, w: m.softmax(x, where=w), id="softmax"),
    pytest.param(lambda m, x, w: m.softmax(x, axis=0, where=w), id="softmax_axis0"),
    pytest.param(lambda m, x, w: m.log_softmax(x, where=w), id="log_softmax"),
    pytest.param(lambda m, x, w: m.logsumexp(x, axis=1, where=w), id="logsumexp"),
    pytest.param(lambda m, x, w: m.logmeanexp(x, axis=1, where=w), id="logmeanexp"),
    pytest.param(lambda m, x, w: m.standardize(x, where=w), id="standardize"),
    pytest.param(lambda m, x, w: m.standardize(x, where=w, algorithm="stable"),
                 id="standardize_stable"),
])
def test_where_matches_jax(fn):
    x = np.random.default_rng(2).normal(size=(3, 5))
    w = np.array([[1, 0, 1, 1, 0], [0, 1, 1, 1, 1], [1, 1, 0, 0, 1]], bool)
    _close(fn(nn, x, w), fn(jax.nn, x, w), f64, 10)

    def loss(m, xp):
        def f(x):
            y = fn(m, x, w)
            return xp.sum(xp.where(w, y, 0.0) * xp.cos(x) if y.shape == w.shape else y)
        return f
    _close(plait.grad(loss(nn, pnp))(x), jax.grad(loss(jax.nn, jnp))(x), f64, 100)


def test_logsumexp_return_sign():
    x, b = np.linspace(-2, 2, 6).reshape(2, 3), np.array([[1.0, -2.0, 0.5], [-1, -1, 1]])
    _close(nn.logsumexp(x, axis=1, b=b, return_sign=True),
           jax.nn.logsumexp(x, axis=1, b=b, return_sign=True), f64)


@pytest.mark.parametrize("kw", [{}, {"dtype": np.int32}, {"axis": 0}, {"axis": 1},
                                {"dtype": ml_dtypes.bfloat16, "axis": -2}])
def test_one_hot_matches_jax(kw):
    x = np.array([[0, 3, 1], [4, -1, 2]], np.int32)
    got, want = nn.one_hot(x, 4, **kw), jax.nn.one_hot(x, 4, **kw)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    got = plait.jit(lambda x: nn.one_hot(x, 4, **kw))(x)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    got = plait.vmap(lambda x: nn.one_hot(x, 4, **kw))(x)
    want = jax.vmap(lambda x: jax.nn.one_hot(x, 4, **kw))(x)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_one_hot_of_a_named_axis():
    """axis names a vmap axis: 1 where x is this element's index along it."""
    x = np.array([2, 1, 2], np.int32)
    got = plait.vmap(lambda x: nn.one_hot(x, 3, axis="i"), axis_name="i")(x)
    want = jax.vmap(lambda x: jax.nn.one_hot(x, 3, axis="i"), axis_name="i")(x)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


# --- dot_product_attention -----------------------------------------------------------------------

B, T, S, N, H = 2, 5, 7, 4, 8
RNG = np.random.default_rng(3)
BIAS = RNG.normal(size=(1, N, T, S))
MASK = RNG.random(size=(B, 1, T, S)) > 0.3
ATTENTION = [
    ("plain", {}),
    ("bias", {"bias": BIAS}),
    ("bias_per_batch", {"bias": RNG.normal(size=(B, N, T, S))}),
    ("mask", {"mask": MASK}),
    ("mask_per_head", {"mask": RNG.random(size=(1, N, T, S)) > 0.5}),
    ("causal", {"is_causal": True}),
    ("scale", {"scale": 0.3}),
    ("everything", {"bias": BIAS, "mask": MASK, "is_causal": True, "scale": 0.5}),
    ("seq_lengths", {"query_seq_lengths": np.array([3, 5], np.int32),
                     "key_value_seq_lengths": np.array([7, 4], np.int32)}),
    ("local_window", {"local_window_size": (2, 1)}),
    ("local_window_int", {"local_window_size": 1}),
    ("residual", {"return_residual": True, "is_causal": True}),
    ("xla", {"implementation": "xla", "mask": MASK}),
]


def _qkv(kv_heads, dt, batch=True):
    rng = np.random.default_rng(4)
    shapes = [(B, T, N, H), (B, S, kv_heads, H), (B, S, kv_heads, H)]
    out = [rng.normal(size=s).astype(dt) for s in shapes]
    return out if batch else [a[0] for a in out]


def _attention_args(kw, dt):
    return {k: (v.astype(dt) if k == "bias" else v) for k, v in kw.items()}


@pytest.mark.parametrize("kv_heads", [4, 2, 1], ids=["mha", "gqa", "mqa"])
@pytest.mark.parametrize("name, kw", [pytest.param(*a, id=a[0]) for a in ATTENTION])
def test_attention_matches_jax(name, kw, kv_heads):
    q, k, v = _qkv(kv_heads, f32)
    kw = _attention_args(kw, f32)
    want = jax.nn.dot_product_attention(q, k, v, **kw)
    _close(nn.dot_product_attention(q, k, v, **kw), want, f32, 2, name)
    _close(plait.jit(lambda q, k, v: nn.dot_product_attention(q, k, v, **kw))(q, k, v), want,
           f32, 2, name + " jit")


@pytest.mark.parametrize("name, kw", [pytest.param(*a, id=a[0]) for a in ATTENTION])
def test_attention_derivatives_match_jax(name, kw):
    """Gradients in query, key, value (and bias), float64 (the softmax runs in float32, as
    jax's), and a second derivative."""
    q, k, v = _qkv(2, f64)
    kw = _attention_args(kw, f64)
    bias = kw.pop("bias", None)
    w = np.cos(np.arange(B * T * N * H)).reshape(B, T, N, H)

    def loss(m, xp):
        def f(q, k, v, bias):
            out = m.dot_product_attention(q, k, v, bias, **kw)
            return xp.sum(jax.tree.leaves(out)[0] * w)
        return f
    args = (q, k, v, bias)
    argnums = (0, 1, 2, 3) if bias is not None else (0, 1, 2)
    got = plait.grad(loss(nn, pnp), argnums)(*args)
    want = jax.grad(loss(jax.nn, jnp), argnums)(*args)
    _close(got, want, f32, 10, name + " grad")
    t = np.ones_like(q)
    got = plait.jvp(lambda q: plait.grad(loss(nn, pnp))(q, k, v, bias), (q,), (t,))[1]
    want = jax.jvp(lambda q: jax.grad(loss(jax.nn, jnp))(q, k, v, bias), (q,), (t,))[1]
    _close(got, want, f32, 100, name + " jvp of grad")


def test_attention_unbatched_bfloat16_and_vmap():
    q, k, v = _qkv(2, bf16, batch=False)
    got = nn.dot_product_attention(q, k, v, is_causal=True)
    want = jax.nn.dot_product_attention(q, k, v, is_causal=True)
    assert got.shape == (T, N, H) and got.dtype == bf16
    _close(got, want, bf16, 2)
    q, k, v = _qkv(2, f32)
    got = plait.vmap(lambda q, k, v: nn.dot_product_attention(q, k, v, mask=MASK[0]))(q, k, v)
    want = jax.vmap(lambda q, k, v: jax.nn.dot_product_attention(q, k, v, mask=MASK[0]))(q, k,
                                                                                         v)
    _close(got, want, f32, 2)


# --- initializers --------------------------------------------------------------------------------

INITS = [
    ("zeros", lambda m: m.zeros),
    ("ones", lambda m: m.ones),
    ("constant", lambda m: m.constant(0.25)),
    ("uniform", lambda m: m.uniform()),
    ("uniform_scale", lambda m: m.uniform(3.0)),
    ("normal", lambda m: m.normal()),
    ("normal_std", lambda m: m.normal(2.0)),
    ("truncated_normal", lambda m: m.truncated_normal()),
    ("truncated_normal_bounds", lambda m: m.truncated_normal(1.5, lower=-1.0, upper=3.0)),
    ("glorot_uniform", lambda m: m.glorot_uniform()),
    ("glorot_normal", lambda m: m.glorot_normal()),
    ("xavier_uniform", lambda m: m.xavier_uniform()),
    ("xavier_normal", lambda m: m.xavier_normal()),
    ("he_uniform", lambda m: m.he_uniform()),
    ("he_normal", lambda m: m.he_normal()),
    ("kaiming_uniform", lambda m: m.kaiming_uniform()),
    ("kaiming_normal", lambda m: m.kaiming_normal()),
    ("lecun_uniform", lambda m: m.lecun_uniform()),
    ("lecun_normal", lambda m: m.lecun_normal()),
    ("orthogonal", lambda m: m.orthogonal()),
    ("orthogonal_axis0", lambda m: m.orthogonal(2.0, column_axis=0)),
    ("variance_scaling_fan_out", lambda m: m.variance_scaling(0.5, "fan_out", "normal")),
    ("variance_scaling_geo", lambda m: m.variance_scaling(3.0, "fan_geo_avg", "uniform")),
    ("variance_scaling_axes", lambda m: m.variance_scaling(
        1.0, "fan_avg", "truncated_normal", in_axis=(0, 1), out_axis=-1, batch_axis=2)),
    ("delta_orthogonal", lambda m: m.delta_orthogonal()),
]
SHAPES = {"delta_orthogonal": [(3, 4, 5), (3, 3, 4, 4), (2, 3, 3, 2, 6)],
          "variance_scaling_axes": [(3, 3, 4, 8), (2, 5, 3, 1)], "glorot_uniform": [(6, 5),
                                                                                 (3, 3, 4, 8)]}


def _same_bits(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype,
                                                                 want.shape, want.dtype)
    np.testing.assert_array_equal(got.reshape(-1).view(np.uint8),
                                  want.reshape(-1).view(np.uint8))


# float64 and bfloat16 for the distinct samplers (the aliases share their code)
WIDE = ("constant", "uniform", "normal", "truncated_normal", "glorot_uniform", "he_normal",
        "orthogonal", "variance_scaling_axes")
INIT_CASES = [pytest.param(n, f, dt, id=f"{n}-{dt.name}") for n, f in INITS
              for dt in ((f32, f64, bf16) if n in WIDE else (f32,))
              if not (dt == bf16 and "orthogonal" in n)]  # QR takes float32 and float64


@pytest.mark.parametrize("name, make, dt", INIT_CASES)
def test_initializer_bits_match_jax(name, make, dt):
    """The same numbers as jax.nn.initializers for the same key (both jitted: XLA fuses
    a*b+c alike then), in each shape."""
    for shape in SHAPES.get(name, [(3, 3, 4, 8)]):
        got = plait.jit(lambda k, shape=shape: make(nn.initializers)(k, shape, dt))(pr.key(7))
        want = jax.jit(lambda k, shape=shape: make(jax.nn.initializers)(k, shape, dt))(
            jax.random.key(7))
        if "orthogonal" in name:
            _close(got, want, dt, 10, name)  # QR: LAPACK's rounding, not bit-exact
        else:
            _same_bits(got, want)


@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_normal",
                                  "lecun_uniform"])
def test_complex_initializers_match_jax(name):
    init = getattr(nn.initializers, name)(dtype=np.complex64)
    got = plait.jit(lambda k: init(k, (5, 4)))(pr.key(3))
    want = jax.jit(lambda k: getattr(jax.nn.initializers, name)(dtype=jnp.complex64)(
        k, (5, 4)))(jax.random.key(3))
    assert got.dtype == np.complex64
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6, atol=1e-6)


def test_initializer_defaults_and_shapes():
    k = pr.key(0)
    assert nn.initializers.zeros(k, (2, 3)).dtype == jax.nn.initializers.zeros(
        jax.random.key(0), (2, 3)).dtype == f64
    with plait.config.override(default_float="float32"):
        assert nn.initializers.glorot_normal()(k, (2, 3)).dtype == f32
    assert nn.initializers.glorot_uniform()(k, [4, 5]).shape == (4, 5)
    assert nn.initializers.normal(dtype=np.float64)(k, (7,)).dtype == f64
    assert nn.initializers.uniform()(k, 3).shape == (3,)
    assert nn.initializers.orthogonal()(k, (0, 3)).shape == (0, 3)
    assert nn.initializers.constant(2, dtype=np.int32)(k, (2,)).dtype == np.int32


@pytest.mark.parametrize("name, var, dist", [
    ("glorot_uniform", 2 / (400 + 300), "uniform"),
    ("glorot_normal", 2 / (400 + 300), "truncated"),
    ("he_uniform", 2 / 400, "uniform"),
    ("he_normal", 2 / 400, "truncated"),
    ("lecun_uniform", 1 / 400, "uniform"),
    ("lecun_normal", 1 / 400, "truncated"),
])
def test_variance_scaling_statistics(name, var, dist):
    """Mean 0 and the intended variance over 120000 draws; uniform within sqrt(3 var),
    truncated normal within 2 of its (pre-truncation) std."""
    w = np.asarray(getattr(nn.initializers, name)()(pr.key(11), (400, 300)), f64)
    assert abs(w.mean()) < 5 * np.sqrt(var / w.size)
    assert abs(w.var() / var - 1) < 0.02
    bound = np.sqrt(3 * var) if dist == "uniform" else 2 * np.sqrt(var) / .87962566103423978
    assert np.abs(w).max() <= bound * (1 + 1e-6)


def test_orthogonal_is_orthogonal():
    w = np.asarray(nn.initializers.orthogonal(2.0)(pr.key(5), (3, 4, 6)), f64).reshape(12, 6)
    np.testing.assert_allclose(w.T @ w, 4 * np.eye(6), atol=1e-5)
    w = np.asarray(nn.initializers.delta_orthogonal()(pr.key(5), (3, 3, 4, 4)), f64)
    np.testing.assert_allclose(w[1, 1].T @ w[1, 1], np.eye(4), atol=1e-5)
    assert np.count_nonzero(w) == np.count_nonzero(w[1, 1])


# --- errors --------------------------------------------------------------------------------------

def test_errors_at_the_users_line():
    line = test_errors_at_the_users_line.__code__.co_firstlineno
    q, k, v = _qkv(3, f32)
    raises_at(PlaitValueError, lambda: nn.dot_product_attention(q, k, v), line + 3,
              "multiple of key/value heads", here=HERE)
    q, k, v = _qkv(2, f32)
    raises_at(PlaitTypeError, lambda: nn.dot_product_attention(q, k, v, mask=MASK * 1.0),
              line + 6, "mask dtype", here=HERE)
    raises_at(PlaitValueError, lambda: nn.dot_product_attention(q, k, v, implementation="x"),
              line + 8, "implementation", here=HERE)
    raises_at(PlaitValueError, lambda: nn.glu(np.ones((2, 3))), line + 10, "even", here=HERE)
    raises_at(PlaitTypeError, lambda: nn.one_hot(np.arange(3), 2.5), line + 11, "num_classes",
              here=HERE)
    raises_at(PlaitValueError, lambda: nn.initializers.variance_scaling(1.0, "fan", "normal"),
              line + 13, "invalid mode", here=HERE)
    raises_at(PlaitValueError, lambda: nn.initializers.glorot_uniform()(pr.key(0), (3,)),
              line + 15, "at least 2D", here=HERE)
    raises_at(PlaitValueError, lambda: nn.standardize(np.ones(3), algorithm="slow"),
              line + 17, "algorithm", here=HERE)
    raises_at(PlaitValueError, lambda: nn.initializers.he_normal(batch_axis=2)(
        pr.key(0), (3, 4)), line + 19, "out of range", here=HERE)
