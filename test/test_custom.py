"""custom_jvp, custom_vjp and checkpoint against the same code under jax: values and
derivatives eagerly and under jit, vmap and grad of grad; the residuals checkpoint keeps; the
errors of malformed rules.

Each case is written once against a namespace (`PL` or `JX`) so plait and jax run the same
code."""

import contextlib
import functools
import io
import os
import re
from types import SimpleNamespace

import jax
import jax.ad_checkpoint
import jax.numpy as jnp
import numpy as np
import pytest
from usersite import first_line, raises_at

import plait
import plait.numpy as pnp

HERE = os.path.abspath(__file__)
PL = SimpleNamespace(np=pnp, custom_jvp=plait.custom_jvp, custom_vjp=plait.custom_vjp,
                     checkpoint=plait.checkpoint, grad=plait.grad, vmap=plait.vmap,
                     jvp=plait.jvp, dots_saveable=plait.checkpoint_policies.dots_saveable)
JX = SimpleNamespace(np=jnp, custom_jvp=jax.custom_jvp, custom_vjp=jax.custom_vjp,
                     checkpoint=jax.checkpoint, grad=jax.grad, vmap=jax.vmap,
                     jvp=jax.jvp, dots_saveable=jax.checkpoint_policies.dots_saveable)
X = np.linspace(-1.5, 1.5, 5).astype(np.float32)


def close(actual, expected, rtol=1e-5, atol=1e-6):
    a, e = jax.tree_util.tree_leaves(actual), jax.tree_util.tree_leaves(expected)
    assert len(a) == len(e)
    for x, y in zip(a, e):
        assert np.shape(x) == np.shape(y)
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol)


def mode(f, how):
    return plait.jit(f) if how == "jit" else f


BOTH = pytest.mark.parametrize("how", ["eager", "jit"])


# --- custom_jvp ----------------------------------------------------------------------------------

def log1pexp(ns):
    """JAX's docs example: the rule is stable where autodiff of the body gives nan."""
    @ns.custom_jvp
    def f(x):
        return ns.np.log(1.0 + ns.np.exp(x))

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (x_dot,) = primals, tangents
        return f(x), (1.0 - 1.0 / (1.0 + ns.np.exp(x))) * x_dot

    return f


BIG = np.float32([-3.0, 0.0, 2.0, 100.0])  # exp(100) overflows float32


@BOTH
def test_custom_jvp_rule_is_used(how):
    f, fj = log1pexp(PL), log1pexp(JX)
    g = mode(PL.vmap(PL.grad(f)), how)(BIG)
    assert np.isfinite(np.asarray(g)).all()  # autodiff of the body gives nan at 100
    close(g, jax.vmap(jax.grad(fj))(BIG))
    close(mode(f, how)(BIG), fj(BIG))
    close(mode(lambda x, t: PL.jvp(f, (x,), (t,)), how)(BIG, X[:4]),
          jax.jvp(fj, (BIG,), (X[:4],)))


@BOTH
def test_custom_jvp_grad_of_grad(how):
    f, fj = log1pexp(PL), log1pexp(JX)
    # the second derivative differentiates the rule itself
    close(mode(PL.vmap(PL.grad(PL.grad(f))), how)(X), jax.vmap(jax.grad(jax.grad(fj)))(X))


def scaled_rule(ns):
    """Two arguments, one a pytree; the rule is deliberately not f's derivative (2x in x), so
    only a transformation that uses it agrees with jax."""
    @ns.custom_jvp
    def f(x, p):
        return ns.np.sin(x) * p["a"] + p["b"]

    @f.defjvp
    def f_jvp(primals, tangents):
        (x, p), (xd, pd) = primals, tangents
        return f(x, p), 2.0 * ns.np.cos(x) * xd * p["a"] + ns.np.sin(x) * pd["a"] + pd["b"]

    return f


P = {"a": np.float32(1.5), "b": np.float32(-0.5)}


@BOTH
def test_custom_jvp_pytree_args(how):
    f, fj = scaled_rule(PL), scaled_rule(JX)
    loss = lambda ns, f: lambda x, p: ns.np.sum(f(x, p) ** 2)  # noqa: E731
    close(mode(PL.grad(loss(PL, f), argnums=(0, 1)), how)(X, P),
          jax.grad(loss(JX, fj), argnums=(0, 1))(X, P))
    close(mode(lambda x, p, t: PL.jvp(f, (x, p), (t, p)), how)(X, P, X),
          jax.jvp(fj, (X, P), (X, P)))
    close(mode(PL.vmap(PL.grad(f), in_axes=(0, None)), how)(X, P),
          jax.vmap(jax.grad(fj), in_axes=(0, None))(X, P))
    close(mode(PL.grad(PL.grad(f)), how)(X[1], P), jax.grad(jax.grad(fj))(X[1], P))


def app(ns):
    """JAX's docs example of nondiff_argnums: a function argument."""
    @functools.partial(ns.custom_jvp, nondiff_argnums=(0,))
    def f(fun, x):
        return fun(x)

    @f.defjvp
    def f_jvp(fun, primals, tangents):
        (x,), (x_dot,) = primals, tangents
        return f(fun, x), 2.0 * x_dot

    return f


@BOTH
def test_custom_jvp_nondiff_argnums(how):
    f, fj = app(PL), app(JX)
    h = lambda x: f(pnp.sin, x) * x  # noqa: E731
    hj = lambda x: fj(jnp.sin, x) * x  # noqa: E731
    close(mode(h, how)(X), hj(X))
    close(mode(PL.vmap(PL.grad(h)), how)(X), jax.vmap(jax.grad(hj))(X))
    close(mode(PL.vmap(PL.grad(PL.grad(h))), how)(X), jax.vmap(jax.grad(jax.grad(hj)))(X))
    close(mode(lambda x: PL.jvp(h, (x,), (x,)), how)(X), jax.jvp(hj, (X,), (X,)))


# --- custom_vjp ----------------------------------------------------------------------------------

def clip_gradient_nondiff(ns):
    """JAX's docs: clip the cotangent, bounds as nondiff_argnums."""
    @functools.partial(ns.custom_vjp, nondiff_argnums=(0, 1))
    def clip_gradient(lo, hi, x):
        return x

    def fwd(lo, hi, x):
        return x, None

    def bwd(lo, hi, _, g):
        return (ns.np.clip(g, lo, hi),)

    clip_gradient.defvjp(fwd, bwd)
    return lambda x: clip_gradient(-0.5, 0.5, x)


def clip_gradient_none(ns):
    """JAX's docs: bounds as residuals, None for their cotangents."""
    @ns.custom_vjp
    def clip_gradient(lo, hi, x):
        return x

    def fwd(lo, hi, x):
        return x, (lo, hi)

    def bwd(res, g):
        lo, hi = res
        return (None, None, ns.np.clip(g, lo, hi))

    clip_gradient.defvjp(fwd, bwd)
    return lambda x: clip_gradient(np.float32(-0.5), np.float32(0.5), x)


CLIPS = pytest.mark.parametrize("make", [clip_gradient_nondiff, clip_gradient_none])


@CLIPS
@BOTH
def test_clip_gradient(make, how):
    c, cj = make(PL), make(JX)
    loss = lambda ns, c: lambda x: ns.np.sum(ns.np.sin(c(x)) * 3.0)  # noqa: E731
    g = mode(PL.grad(loss(PL, c)), how)(X)
    close(g, jax.grad(loss(JX, cj))(X))
    assert np.abs(np.asarray(g)).max() == pytest.approx(0.5)  # clipped: 3 cos(x) is up to 3
    close(mode(loss(PL, c), how)(X), loss(JX, cj)(X))


@CLIPS
@BOTH
def test_clip_gradient_vmap_and_grad_of_grad(make, how):
    c, cj = make(PL), make(JX)
    # 0.9 cos(x) crosses the bound 0.5 on this grid: some points clipped, some not
    h = lambda ns, c: lambda x: ns.np.sin(c(x)) * 0.9  # noqa: E731
    close(mode(PL.vmap(PL.grad(h(PL, c))), how)(X), jax.vmap(jax.grad(h(JX, cj)))(X))
    close(mode(PL.vmap(PL.grad(PL.grad(h(PL, c)))), how)(X),
          jax.vmap(jax.grad(jax.grad(h(JX, cj))))(X))


def sin_times(ns):
    """Two differentiable arguments, tuple residuals, two outputs."""
    @ns.custom_vjp
    def f(x, y):
        return ns.np.sin(x) * y, x * 2.0

    def fwd(x, y):
        return f(x, y), (ns.np.cos(x), ns.np.sin(x), y)

    def bwd(res, cts):
        cos_x, sin_x, y = res
        ct0, ct1 = cts
        return cos_x * y * ct0 + 2.0 * ct1, sin_x * ct0

    f.defvjp(fwd, bwd)
    return f


@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
@BOTH
def test_custom_vjp_some_arguments(argnums, how):
    f, fj = sin_times(PL), sin_times(JX)
    loss = lambda ns, f: lambda x, y: ns.np.sum(f(x, y)[0] + f(x, y)[1] ** 2)  # noqa: E731
    y = X[::-1] + 2.0
    close(mode(PL.grad(loss(PL, f), argnums=argnums), how)(X, y),
          jax.grad(loss(JX, fj), argnums=argnums)(X, y))
    close(mode(f, how)(X, y), fj(X, y))


@BOTH
def test_custom_vjp_vmap_and_grad_of_grad(how):
    f, fj = sin_times(PL), sin_times(JX)
    h = lambda f: lambda x, y: f(x, y)[0] * f(x, y)[1]  # noqa: E731
    y = X[::-1] + 2.0
    close(mode(PL.vmap(PL.grad(h(f), argnums=(0, 1))), how)(X, y),
          jax.vmap(jax.grad(h(fj), argnums=(0, 1)))(X, y))
    close(mode(PL.vmap(PL.grad(PL.grad(h(f)))), how)(X, y),
          jax.vmap(jax.grad(jax.grad(h(fj))))(X, y))


# --- checkpoint ----------------------------------------------------------------------------------

RNG = np.random.RandomState(0)
LAYERS = 3
WS = [(RNG.randn(8, 8) * 0.5).astype(np.float32) for _ in range(LAYERS)]
XB = RNG.randn(4, 8).astype(np.float32)  # a batch of 4: activations are 4x8, weights 8x8
POLICIES = ["none", "default", "dots_saveable"]


def mlp(ns, policy):
    def layer(w, x):
        return ns.np.tanh(x @ w)

    if policy == "default":
        layer = ns.checkpoint(layer)
    elif policy == "dots_saveable":
        layer = ns.checkpoint(layer, policy=ns.dots_saveable)

    def loss(ws, x):
        for w in ws:
            x = layer(w, x)
        return ns.np.sum(x ** 2)

    return loss


@pytest.mark.parametrize("policy", POLICIES)
@BOTH
def test_checkpoint_mlp_grad(policy, how):
    want = jax.grad(mlp(JX, "none"), argnums=(0, 1))(WS, XB)
    close(jax.grad(mlp(JX, policy), argnums=(0, 1))(WS, XB), want, rtol=1e-5)  # the oracle agrees
    close(mode(PL.grad(mlp(PL, policy), argnums=(0, 1)), how)(WS, XB), want, rtol=1e-5)
    close(mode(mlp(PL, policy), how)(WS, XB), mlp(JX, "none")(WS, XB), rtol=1e-5)


@pytest.mark.parametrize("policy", POLICIES[1:])
@BOTH
def test_checkpoint_vmap_and_grad_of_grad(policy, how):
    f, fj = mlp(PL, policy), mlp(JX, policy)
    close(mode(PL.vmap(PL.grad(f, argnums=1), in_axes=(None, 0)), how)(WS, XB[:, None]),
          jax.vmap(jax.grad(fj, argnums=1), in_axes=(None, 0))(WS, XB[:, None]), rtol=1e-5)
    # a Hessian-vector product, reverse over reverse through the checkpointed layers
    hvp = lambda ns, f: lambda x, v: ns.grad(  # noqa: E731
        lambda x: ns.np.sum(ns.grad(f, argnums=1)(WS, x) * v))(x)
    close(mode(hvp(PL, f), how)(XB, XB[::-1]), hvp(JX, fj)(XB, XB[::-1]), rtol=1e-4, atol=1e-5)


def test_remat_is_checkpoint():
    assert plait.remat is plait.checkpoint


def _residuals(text: str) -> list[str]:
    """The types of the residuals the forward half of a grad returns (its results after the
    one loss value)."""
    (results,) = re.findall(r"func\.func private @\w+_fwd\(.*\) -> \((.*)\) \{", text)
    return re.findall(r"tensor<[^>]*>", results)[1:]


def test_checkpoint_keeps_fewer_residuals():
    act = "tensor<4x8xf32>"
    counts = {}
    jax_counts = {}
    for policy in POLICIES:
        text = plait.jit(plait.grad(mlp(PL, policy))).lower(WS, XB).as_text("plait")
        counts[policy] = _residuals(text).count(act)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            jax.ad_checkpoint.print_saved_residuals(mlp(JX, policy), WS, XB)
        jax_counts[policy] = printed.getvalue().count("f32[4,8]")
    # as in JAX, a checkpointed layer keeps its input (the boundary) and recomputes the rest,
    # so each policy stores no more activations than jax's and fewer than no checkpoint
    assert all(counts[p] <= jax_counts[p] for p in POLICIES), (counts, jax_counts)
    assert counts["default"] < counts["none"], counts
    assert counts["default"] == jax_counts["default"], (counts, jax_counts)


def test_checkpointed_layers_recompute_one_layer_at_a_time():
    # each layer's backward starts from its saved input: no layer is recomputed twice
    text = plait.jit(plait.grad(mlp(PL, "default"))).lower(WS, XB).as_text("plait")
    (backward,) = [f for f in text.split("func.func")[1:] if re.match(r" private @\w+_lin", f)]
    assert backward.count('"plait.tanh"') <= LAYERS, backward


def test_checkpoint_never_keeps_more_than_without():
    # the backward pass of exp(2x + 1) needs exp(...) only, not the checkpointed 2x + 1 nor x
    affine = lambda x: 2.0 * x + 1.0  # noqa: E731
    for g in (affine, plait.checkpoint(affine)):
        text = plait.jit(plait.grad(lambda x: pnp.sum(pnp.exp(g(x))))).lower(X).as_text("plait")  # noqa: B023
        assert _residuals(text) == ["tensor<5xf32>"], text


# --- errors --------------------------------------------------------------------------------------

_raises = functools.partial(raises_at, here=HERE)
_line = first_line


def _vjp_with_bwd(bwd):
    @plait.custom_vjp
    def f(x, y):
        return x * y

    f.defvjp(lambda x, y: (x * y, (x, y)), bwd)
    return f


@BOTH
def test_error_bwd_wrong_structure(how):
    f = _vjp_with_bwd(lambda res, g: (g * res[1],))  # one cotangent for two arguments

    def loss(x):
        return pnp.sum(f(x, x))

    _raises(plait.PlaitTypeError, lambda: mode(plait.grad(loss), how)(X), _line(loss) + 1,
            "bwd rule of f", "(*,)", "(*, *)")


@BOTH
def test_error_bwd_wrong_shape(how):
    f = _vjp_with_bwd(lambda res, g: (pnp.sum(g * res[1]), g * res[0]))

    def loss(x):
        return pnp.sum(f(x, x))

    _raises(plait.PlaitTypeError, lambda: mode(plait.grad(loss), how)(X), _line(loss) + 1,
            "bwd rule of f", "float32[]", "float32[5]")


def test_error_bwd_not_a_tuple():
    f = _vjp_with_bwd(lambda res, g: [g * res[1], g * res[0]])

    def loss(x):
        return pnp.sum(f(x, x))

    _raises(plait.PlaitTypeError, lambda: plait.grad(loss)(X), _line(loss) + 1,
            "bwd rule of f must return a tuple", "list")


def test_error_fwd_wrong_structure():
    @plait.custom_vjp
    def f(x):
        return x * 2.0

    f.defvjp(lambda x: ((x * 2.0, x), None), lambda res, g: (g * 2.0,))

    def loss(x):
        return pnp.sum(f(x))

    _raises(plait.PlaitTypeError, lambda: plait.grad(loss)(X), _line(loss) + 1,
            "fwd rule of f")


def _jvp_with_rule(rule):
    @plait.custom_jvp
    def f(x):
        return pnp.sin(x)

    f.defjvp(rule)
    return f


@BOTH
def test_error_jvp_rule_wrong_structure(how):
    f = _jvp_with_rule(lambda p, t: ((pnp.sin(p[0]), pnp.cos(p[0])), t[0]))

    def loss(x):
        return pnp.sum(f(x))

    _raises(plait.PlaitTypeError, lambda: mode(plait.grad(loss), how)(X), _line(loss) + 1,
            "custom JVP rule of f", "(*, *)")


@BOTH
def test_error_jvp_rule_wrong_tangent_shape(how):
    f = _jvp_with_rule(lambda p, t: (pnp.sin(p[0]), pnp.sum(t[0])))

    def loss(x):
        return pnp.sum(f(x))

    _raises(plait.PlaitTypeError, lambda: mode(plait.grad(loss), how)(X), _line(loss) + 1,
            "custom JVP rule of f", "tangent", "float32[]", "float32[5]")

    def push(x, t):
        return plait.jvp(f, (x,), (t,))

    _raises(plait.PlaitTypeError, lambda: mode(push, how)(X, X), _line(push) + 1,
            "custom JVP rule of f")


def test_error_no_rule_defined():
    f = plait.custom_jvp(lambda x: x)

    def loss(x):
        return pnp.sum(f(x))

    _raises(plait.PlaitTypeError, lambda: plait.grad(loss)(X), _line(loss) + 1, "defjvp")


def test_error_jvp_of_custom_vjp():
    f = sin_times(PL)

    def push(x, t):
        return plait.jvp(lambda x: f(x, x)[0], (x,), (t,))

    _raises(plait.PlaitError, lambda: push(X, X), _line(push) + 1,
            "forward-mode differentiation", "custom_vjp")


def _clipped(ns):
    """A custom_jvp and a custom_vjp function, each with a rule that differs from its body."""
    @ns.custom_jvp
    def f(x):
        return ns.np.maximum(x, 0.0)

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), t * 3.0

    @ns.custom_vjp
    def g(x):
        return ns.np.sin(x)

    g.defvjp(lambda x: (g(x), x), lambda x, ct: (ct * 2.0 * x,))
    return f, g


@pytest.mark.parametrize("loop", ["scan", "fori_loop", "cond"])
def test_custom_calls_in_a_region(loop):
    """custom_jvp / custom_vjp calls inside a scan, loop or cond body: the calls the AD passes
    leave undifferentiated are inlined there (not func.call, which a region cannot hold)."""
    def program(ns, lax):
        f, g = _clipped(ns)

        def fn(xs):
            body = lambda x: f(x) + g(x)  # noqa: E731
            if loop == "scan":
                return lax.scan(lambda c, x: (c + body(x), body(x)), 0.0, xs)
            if loop == "fori_loop":
                return lax.fori_loop(0, 2, lambda i, a: a + body(a * 0.5), xs)
            return lax.cond(xs[0] > 0, body, lambda x: x * 2.0, xs)
        return fn
    close(plait.jit(program(PL, plait.lax))(X), jax.jit(program(JX, jax.lax))(X))
    loss = lambda ns, lax: lambda xs: sum(  # noqa: E731
        ns.np.sum(y) for y in jax.tree_util.tree_leaves(program(ns, lax)(xs)))
    close(plait.jit(plait.grad(loss(PL, plait.lax)))(X), jax.grad(loss(JX, jax.lax))(X))
