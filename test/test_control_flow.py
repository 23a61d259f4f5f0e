"""plait.lax control flow (cond, switch, while_loop, fori_loop, scan): values and derivatives
against jax, eager and under jit, grad, jvp and vmap, and the errors users get.

Shapes are shared across tests (a scalar, a (4,) vector, 4x4 weights, 50 steps) so the
compile cache is reused."""

import functools
import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from usersite import first_line, raises_at

import plait
import plait.numpy as pnp
from plait import lax

HERE = os.path.abspath(__file__)
RNG = np.random.RandomState(0)
W = (RNG.randn(4, 4) * 0.4).astype(np.float32)
H0 = (RNG.randn(4) * 0.1).astype(np.float32)
XS = RNG.randn(50, 4).astype(np.float32)
V = np.linspace(-1.5, 1.5, 4).astype(np.float32)


def close(actual, expected, rtol=1e-5, atol=1e-6):
    a, e = jax.tree_util.tree_leaves(actual), jax.tree_util.tree_leaves(expected)
    assert len(a) == len(e)
    for x, y in zip(a, e):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol)


def mode(f, how):
    return plait.jit(f) if how == "jit" else f


BOTH = pytest.mark.parametrize("how", ["eager", "jit"])


# --- cond / switch -----------------------------------------------------------------------------

def piecewise(np_, lax_):
    def f(x):
        return lax_.cond(x > 0, lambda v: np_.sin(v) * v, lambda v: np_.cos(v) - 2 * v, x)
    return f


@BOTH
def test_cond_piecewise_value_and_grad(how):
    f, fj = piecewise(pnp, lax), piecewise(jnp, jax.lax)
    for x in (np.float32(0.7), np.float32(-0.7)):
        close(mode(f, how)(x), fj(x))
        close(mode(plait.grad(f), how)(x), jax.grad(fj)(x))


def switched(np_, lax_):
    def f(i, x):
        return lax_.switch(i, [lambda v: 2 * v, lambda v: np_.sin(v), lambda v: v * v], x)
    return f


@BOTH
def test_switch_clamps_index_value_and_grad(how):
    f, fj = switched(pnp, lax), switched(jnp, jax.lax)
    g, gj = plait.grad(f, argnums=1), jax.grad(fj, argnums=1)
    for i in (-1, 0, 1, 2, 5):
        i = np.int32(i)
        close(mode(f, how)(i, np.float32(0.3)), fj(i, np.float32(0.3)))
        close(mode(g, how)(i, np.float32(0.3)), gj(i, np.float32(0.3)))


def tree_cond(np_, lax_):
    def f(p, x):
        scale = np_.exp(x[0])  # traced outside the branches, closed over by both

        def yes(ops):
            a, (b,) = ops["a"], ops["b"]
            return {"s": np_.sum(a * W[0]) * scale, "v": (np_.tanh(b),)}

        def no(ops):
            a, (b,) = ops["a"], ops["b"]
            return {"s": np_.sum(a * a), "v": (b * W[1] * scale,)}

        out = lax_.cond(p, yes, no, {"a": x, "b": (x * 2,)})
        return out["s"] + np_.sum(out["v"][0])
    return f


@BOTH
def test_cond_pytrees_and_closures(how):
    f, fj = tree_cond(pnp, lax), tree_cond(jnp, jax.lax)
    for p in (True, False):
        close(mode(f, how)(p, V), fj(p, V))
        close(mode(plait.grad(f, argnums=1), how)(p, V), jax.grad(fj, argnums=1)(p, V))


@BOTH
def test_jvp_of_cond_is_one_cond(how):
    """Forward mode: one cond of the branches' JVPs, with no residuals passed to a second."""
    f, fj = tree_cond(pnp, lax), tree_cond(jnp, jax.lax)
    jv = lambda p, x, t: plait.jvp(lambda v: f(p, v), (x,), (t,))
    t = V * 0 + 1
    text = plait.jit(jv).lower(True, V, t).as_text("plait")
    assert text.count('"plait.cond"') == 1
    for p in (True, False):
        close(mode(jv, how)(p, V, t), jax.jvp(lambda v, p=p: fj(p, v), (V,), (t,)), rtol=1e-5)


def test_cond_integer_predicate():
    f = plait.jit(lambda p, x: lax.cond(p, lambda v: v + 1, lambda v: v - 1, x))
    close(f(np.int32(3), V), V + 1)
    close(f(np.int32(0), V), V - 1)


# --- scan ---------------------------------------------------------------------------------------

def rnn(np_, lax_, reverse=False):
    def f(w, h0, xs):
        def step(h, x):
            h = np_.tanh(w @ h + x)
            return h, np_.sum(h * h)
        h, ys = lax_.scan(step, h0, xs, reverse=reverse)
        return np_.sum(h) + np_.sum(ys)
    return f


@pytest.mark.parametrize("reverse", [False, True])
@BOTH
def test_scan_rnn_value_and_grad(how, reverse):
    f, fj = rnn(pnp, lax, reverse), rnn(jnp, jax.lax, reverse)
    close(mode(f, how)(W, H0, XS), fj(W, H0, XS), rtol=1e-4)
    close(mode(plait.grad(f, argnums=(0, 1, 2)), how)(W, H0, XS),
          jax.grad(fj, argnums=(0, 1, 2))(W, H0, XS), rtol=1e-4, atol=1e-5)


def test_scan_grad_saves_loop_invariant_residuals_once():
    """The weights are a residual of every step: passed to the backward scan once, not
    stacked per step (which would cost length x their size)."""
    text = plait.jit(plait.grad(rnn(pnp, lax))).lower(W, H0, XS).as_text("plait")
    assert "tensor<50x4x4xf32>" not in text


def test_scan_rnn_grad_one_argnum():
    f, fj = rnn(pnp, lax), rnn(jnp, jax.lax)
    close(plait.grad(f, argnums=2)(W, H0, XS), jax.grad(fj, argnums=2)(W, H0, XS), rtol=1e-4,
          atol=1e-5)


def tree_scan(np_, lax_):
    def f(w, xs):
        def step(carry, x):
            h, acc = carry
            h = np_.tanh(w @ h + x["a"] * x["b"][0])
            return (h, {"n": acc["n"] + np_.sum(h)}), None
        (h, acc), ys = lax_.scan(step, (H0, {"n": np_.zeros((), np.float32)}),
                                 {"a": xs, "b": (np_.cos(xs),)})
        assert ys is None
        return np_.sum(h) * acc["n"]
    return f


@BOTH
def test_scan_pytree_carry_and_xs_no_ys(how):
    f, fj = tree_scan(pnp, lax), tree_scan(jnp, jax.lax)
    close(mode(f, how)(W, XS), fj(W, XS), rtol=1e-4)
    close(mode(plait.grad(f, argnums=(0, 1)), how)(W, XS),
          jax.grad(fj, argnums=(0, 1))(W, XS), rtol=1e-4, atol=1e-5)


def test_scan_float64_scalar_carry():
    xs = np.arange(1, 5, dtype=np.float64)
    carry, ys = lax.scan(lambda c, x: (c * x, c), np.float64(1), xs)
    assert carry.dtype == np.float64
    close((carry, ys), (np.float64(24), np.float64([1, 1, 2, 6])))


def test_scan_length_without_xs():
    carry, ys = lax.scan(lambda c, _: (c * 2, c), np.float32(1), None, length=5)
    close((carry, ys), (np.float32(32), np.float32([1, 2, 4, 8, 16])))


def compiled_peak(compiled) -> int:
    """Bytes a compiled program holds at once (as benchmarks/run.py measures it)."""
    s = compiled.memory_analysis()
    return (s.temp_size_in_bytes + s.argument_size_in_bytes + s.output_size_in_bytes
            - s.alias_size_in_bytes)


def long_loop(np_, lax_, loop):
    """10,000 steps of a 4-vector carry; the scan also stacks a scalar per step."""
    def f(w, h):
        if loop == "fori_loop":
            return np_.sum(lax_.fori_loop(0, 10_000, lambda i, h: np_.sin(h * w) + 0.1, h))
        h, ys = lax_.scan(lambda h, _: (np_.sin(h * w) + 0.1, np_.sum(h)), h, None,
                          length=10_000)
        return np_.sum(h) + np_.sum(ys), ys
    return f


@pytest.mark.parametrize("loop", ["scan", "fori_loop"])
@pytest.mark.parametrize("how", ["jvp", "jacfwd"])
def test_forward_mode_through_long_loop_stores_no_residuals(loop, how):
    """The JVP of a loop is a loop carrying (primal, tangent): no residual per step (it was
    10,000 x the carry), only the ys and their tangents, as in jax."""
    f, fj = long_loop(pnp, lax, loop), long_loop(jnp, jax.lax, loop)
    if how == "jvp":
        pf = lambda w, h: plait.jvp(f, (w, h), (V, V))
        jf = lambda w, h: jax.jvp(fj, (w, h), (V, V))
    else:
        pf, jf = plait.jacfwd(f, argnums=(0, 1)), jax.jacfwd(fj, argnums=(0, 1))
    args = (W[0], H0)
    close(plait.jit(pf)(*args), jax.jit(jf)(*args), rtol=1e-4, atol=1e-5)
    ours = compiled_peak(plait.jit(pf).lower(*args).compile())
    theirs = compiled_peak(jax.jit(jf).lower(*args).compile())
    assert ours <= 2 * theirs, (ours, theirs)


@BOTH
def test_scan_over_zero_length_xs(how):
    """The body never runs: the carry comes back as it went in, the ys are empty (as in jax),
    and so are their derivatives."""
    def run(np_, lax_):
        def f(w, h, xs):
            c, ys = lax_.scan(lambda c, x: (np_.tanh(w * c + x), c * x), h, xs)
            return np_.sum(c) + np_.sum(ys), ys
        return f

    f, fj = run(pnp, lax), run(jnp, jax.lax)
    xs = np.zeros((0, 4), np.float32)
    close(mode(f, how)(np.float32(0.5), H0, xs), fj(np.float32(0.5), H0, xs))
    assert mode(f, how)(np.float32(0.5), H0, xs)[1].shape == (0, 4)
    g = lambda fn: (lambda w, h, xs: fn(w, h, xs)[0])  # noqa: E731
    close(mode(plait.grad(g(f), argnums=(0, 1)), how)(np.float32(0.5), H0, xs),
          jax.grad(g(fj), argnums=(0, 1))(np.float32(0.5), H0, xs))
    close(mode(plait.vmap(g(f), in_axes=(None, 0, None)), how)(np.float32(0.5), XS[:3], xs),
          jax.vmap(g(fj), in_axes=(None, 0, None))(np.float32(0.5), XS[:3], xs))


# --- while_loop / fori_loop -----------------------------------------------------------------

def newton(np_, lax_):
    """sqrt(a) by Newton iterations; the trip count depends on a."""
    def f(a):
        def cond(s):
            x, i = s
            return (i < 30) & (np_.abs(x * x - a) > 1e-5 * a)

        def body(s):
            x, i = s
            return x - (x * x - a) / (2 * x), i + 1
        return lax_.while_loop(cond, body, (a, 0))[0]
    return f


@BOTH
def test_while_newton_value_and_jvp(how):
    f, fj = newton(pnp, lax), newton(jnp, jax.lax)
    a, t = np.float32(2.0), np.float32(1.0)
    close(mode(f, how)(a), np.sqrt(a))
    jv = mode(lambda a, t: plait.jvp(f, (a,), (t,)), how)(a, t)
    close(jv, jax.jvp(fj, (a,), (t,)), rtol=1e-4)


def poly(np_, lax_, lo=0, hi=4):
    """Horner's rule for sum_i c[i] x^(hi - 1 - i) over i in [lo, hi)."""
    def f(c, x, lo=lo, hi=hi):
        return lax_.fori_loop(lo, hi, lambda i, acc: acc * x + np_.asarray(c)[i],
                              np_.zeros_like(x))
    return f


@BOTH
def test_fori_static_bounds_value_and_grad(how):
    f, fj = poly(pnp, lax), poly(jnp, jax.lax)
    c = V + 2
    close(mode(f, how)(c, V), fj(c, V))
    g = plait.grad(lambda c, x: pnp.sum(f(c, x)), argnums=(0, 1))
    gj = jax.grad(lambda c, x: jnp.sum(fj(c, x)), argnums=(0, 1))
    close(mode(g, how)(c, V), gj(c, V))


def test_fori_traced_bounds_value_and_jvp():
    f, fj = poly(pnp, lax), poly(jnp, jax.lax)
    c = V + 2

    @plait.jit
    def jv(lo, hi, x):
        return plait.jvp(lambda x: f(c, x, lo, hi), (x,), (pnp.ones_like(x),))

    for lo, hi in ((0, 4), (1, 3), (2, 2)):
        expected = jax.jvp(lambda x, lo=lo, hi=hi: fj(c, x, lo, hi), (V,), (np.ones_like(V),))
        close(jv(np.int32(lo), np.int32(hi), V), expected)


def bounded(np_, lax_):
    """Multiply by a until above 10; at most 8 steps (jax: a Python-unrolled bounded loop)."""
    def f(a, x):
        def cond(s):
            return s[0] < 10

        def body(s):
            return s[0] * a, s[1] + np_.sin(s[0])

        if lax_ is lax:
            return lax.while_loop(cond, body, (x, x), max_trip_count=8)[1]
        s = (x, x)
        for _ in range(8):
            p = cond(s)
            s = jax.tree_util.tree_map(lambda n, o, p=p: jnp.where(p, n, o), body(s), s)
        return s[1]
    return f


def test_linearize_while():
    f = newton(pnp, lax)
    y, f_jvp = plait.linearize(f, np.float32(2.0))
    close((y, f_jvp(np.float32(1.0))), (np.sqrt(2), 0.5 / np.sqrt(2)), rtol=1e-4)


def test_grad_through_while_predicate_only():
    """A loop whose carry gets no tangent (x reaches only its predicate) is no obstacle to
    reverse mode: it stays in the forward pass."""
    def f(x, np_=pnp, lax_=lax):
        n = lax_.while_loop(lambda s: s[0] < x, lambda s: (s[0] + 1, s[1] * 2),
                            (np.float32(0), np.float32(1)))[1]
        return n * x

    close(plait.grad(f)(np.float32(2.5)), jax.grad(lambda x: f(x, jnp, jax.lax))(np.float32(2.5)))


@BOTH
def test_bounded_while_grad(how):
    f, fj = bounded(pnp, lax), bounded(jnp, jax.lax)
    for a in (np.float32(1.5), np.float32(3.0)):
        close(mode(f, how)(a, np.float32(1.2)), fj(a, np.float32(1.2)))
        close(mode(plait.grad(f, argnums=(0, 1)), how)(a, np.float32(1.2)),
              jax.grad(fj, argnums=(0, 1))(a, np.float32(1.2)), rtol=1e-5)


def _doubling_to_ten(x):
    """Doubles x until it reaches 10, at most 3 times: 1.0 needs 4 doublings."""
    return lax.while_loop(lambda v: v < 10.0, lambda v: v * 2.0, x, max_trip_count=3)


@pytest.fixture
def debug_checks():
    plait.config.debug_checks = True
    yield
    plait.config.debug_checks = False


def test_bounded_while_stops_at_max_trip_count_without_debug_checks():
    assert not plait.config.debug_checks
    for f in (_doubling_to_ten, plait.jit(_doubling_to_ten)):
        assert float(f(np.float32(1.0))) == 8.0   # cond_fun still true: stopped after 3
        assert float(f(np.float32(2.0))) == 16.0
    assert float(plait.grad(_doubling_to_ten)(np.float32(1.0))) == 8.0


def test_bounded_while_debug_checks_raise_at_run_time(debug_checks):
    """With debug checks, cond_fun still true after max_trip_count is an error naming the
    while_loop's line: eagerly, in transformations outside jit, and when a jitted program
    running the loop returns (a loop under a transformation under jit only warns)."""
    line = first_line(_doubling_to_ten) + 2
    grad = plait.grad(lambda x: _doubling_to_ten(x) * 3.0)
    jitted = plait.jit(lambda x: _doubling_to_ten(x) + 1.0)
    for f in (_doubling_to_ten, grad, plait.jacfwd(_doubling_to_ten), jitted):
        raises_at(plait.PlaitValueError, lambda f=f: f(np.float32(1.0)), line, "max_trip_count=3",
                  "still true", here=HERE)
    assert float(_doubling_to_ten(np.float32(2.0))) == 16.0   # done in time: no error
    assert float(grad(np.float32(2.0))) == 24.0
    assert float(jitted(np.float32(2.0))) == 17.0
    assert float(_doubling_to_ten(np.float32(1.25))) == 10.0  # and again, after the error
    raises_at(plait.PlaitValueError, lambda: jitted(np.float32(1.0)), line, "still true",
              here=HERE)
    with pytest.warns(UserWarning, match=f"{HERE}:{line}: debug checks cannot check"):
        assert float(plait.jit(plait.grad(_doubling_to_ten))(np.float32(1.0))) == 8.0


def test_debug_checks_are_part_of_the_program_key():
    """A program traced without the checks is not reused once they are on, and back."""
    jitted = plait.jit(_doubling_to_ten)
    assert float(jitted(np.float32(1.0))) == 8.0
    plait.config.debug_checks = True
    try:
        with pytest.raises(plait.PlaitValueError, match="still true"):
            jitted(np.float32(1.0))
    finally:
        plait.config.debug_checks = False
    assert float(jitted(np.float32(1.0))) == 8.0


def test_debug_checks_flag_reads_the_environment():
    code = "import plait; print(plait.config.debug_checks)"
    for value, want in (("1", "True"), ("0", "False"), ("", "False")):
        env = dict(os.environ, PLAIT_DEBUG_CHECKS=value)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        assert out.stdout.strip() == want


# --- vmap -------------------------------------------------------------------------------------

@BOTH
def test_vmap_cond_per_example_predicate(how):
    f, fj = piecewise(pnp, lax), piecewise(jnp, jax.lax)
    close(mode(plait.vmap(f), how)(V), jax.vmap(fj)(V))


def test_vmap_cond_batched_predicate_has_no_serial_loop():
    text = plait.jit(plait.vmap(piecewise(pnp, lax))).lower(V).as_text("plait")
    assert "plait.cond" not in text
    assert "plait.select" in text


def test_vmap_cond_unbatched_predicate_keeps_cond():
    f = plait.vmap(lambda p, x: lax.cond(p, pnp.sin, pnp.cos, x), in_axes=(None, 0))
    close(f(True, V), np.sin(V))
    assert "plait.cond" in plait.jit(f).lower(True, V).as_text("plait")


@BOTH
def test_vmap_switch_per_example_index(how):
    f, fj = switched(pnp, lax), switched(jnp, jax.lax)
    i = np.int32([-1, 1, 2, 7])
    close(mode(plait.vmap(f), how)(i, V), jax.vmap(fj)(i, V))


@BOTH
def test_vmap_while_per_example_trip_counts(how):
    f, fj = newton(pnp, lax), newton(jnp, jax.lax)
    a = np.float32([0.5, 2.0, 9.0, 100.0])
    close(mode(plait.vmap(f), how)(a), jax.vmap(fj)(a))
    close(mode(plait.vmap(f), how)(a), np.sqrt(a))

    def count(n):
        return lax.while_loop(lambda s: s[0] < n, lambda s: (s[0] + 1, s[1] * 2), (0, 1.0))[1]
    close(mode(plait.vmap(count), how)(np.int32([0, 1, 3, 5])), np.float32([1, 2, 8, 32]))


def test_vmap_while_unbatched_predicate_stops_lanes_together():
    """Only the carries a batched value reaches are batched: a counter that bounds the loop
    stays a scalar, so the predicate needs no reduction over lanes and no masking."""
    def f(x):
        return lax.while_loop(lambda s: s[0] < 3, lambda s: (s[0] + 1, pnp.sin(s[1])), (0, x))[1]

    close(plait.vmap(f)(V), np.sin(np.sin(np.sin(V))))
    text = plait.jit(plait.vmap(f)).lower(V).as_text("plait")
    assert "plait.reduce_or" not in text and "plait.select" not in text


def test_vmap_while_jvp():
    f, fj = newton(pnp, lax), newton(jnp, jax.lax)
    a = np.float32([0.5, 2.0, 9.0, 100.0])
    jv = plait.jit(plait.vmap(lambda a: plait.jvp(f, (a,), (np.float32(1),))))
    close(jv(a), jax.vmap(lambda a: jax.jvp(fj, (a,), (np.float32(1),)))(a), rtol=1e-4)


def scan_ys(np_, lax_):
    def f(h0, xs):
        def step(h, x):
            h = np_.tanh(W @ h + x)
            return h, h[0]
        return lax_.scan(step, h0, xs)
    return f


@pytest.mark.parametrize("in_axes", [(0, None), (None, 0), (0, 0), (None, 1)])
def test_vmap_scan(in_axes):
    f, fj = scan_ys(pnp, lax), scan_ys(jnp, jax.lax)
    hs = np.stack([H0, H0 * 2, -H0])
    xs = XS[:10]
    args = (hs if in_axes[0] == 0 else H0,
            np.stack([xs, xs * 0.5, -xs], axis=in_axes[1]) if in_axes[1] is not None else xs)
    close(plait.jit(plait.vmap(f, in_axes=in_axes))(*args), jax.vmap(fj, in_axes=in_axes)(*args),
          rtol=1e-5)


@BOTH
def test_vmap_of_grad_of_scan(how):
    f, fj = rnn(pnp, lax), rnn(jnp, jax.lax)
    xs = np.stack([XS[:10], XS[10:20], XS[20:30]])
    g = plait.vmap(plait.grad(f, argnums=(0, 2)), in_axes=(None, None, 0))
    gj = jax.vmap(jax.grad(fj, argnums=(0, 2)), in_axes=(None, None, 0))
    close(mode(g, how)(W, H0, xs), gj(W, H0, xs), rtol=1e-4, atol=1e-5)


@BOTH
def test_grad_of_vmap_of_cond(how):
    f, fj = piecewise(pnp, lax), piecewise(jnp, jax.lax)
    g = plait.grad(lambda x: pnp.sum(plait.vmap(f)(x) ** 2))
    gj = jax.grad(lambda x: jnp.sum(jax.vmap(fj)(x) ** 2))
    close(mode(g, how)(V), gj(V))


def test_grad_of_vmap_of_bounded_while():
    f, fj = bounded(pnp, lax), bounded(jnp, jax.lax)
    a = np.float32([1.5, 2.0, 3.0, 11.0])
    g = plait.jit(plait.grad(lambda a: pnp.sum(plait.vmap(f, in_axes=(0, None))(a, 1.2))))
    gj = jax.grad(lambda a: jnp.sum(jax.vmap(fj, in_axes=(0, None))(a, np.float32(1.2))))
    close(g(a), gj(a), rtol=1e-5)


# --- errors -----------------------------------------------------------------------------------

_raises = functools.partial(raises_at, here=HERE)
_line = first_line


@BOTH
def test_error_branches_return_different_types(how):
    def yes(x):
        return x

    def no(x):
        return x.astype(np.int32)

    def f(x):
        return lax.cond(x[0] > 0, yes, no, x)

    line = _line(f) + 1
    msg = _raises(plait.PlaitTypeError, lambda: mode(f, how)(V), line, "float32[4]", "int32[4]",
                  f"{HERE}:{_line(yes)}", f"{HERE}:{_line(no)}")
    assert "true_fun" in msg and "false_fun" in msg


def test_error_switch_branches_return_different_structures():
    def f(i, x):
        return lax.switch(i, [lambda v: (v, v), lambda v: v], x)

    _raises(plait.PlaitTypeError, lambda: plait.jit(f)(np.int32(0), V), _line(f) + 1,
            "branches[0]", "branches[1]")


@pytest.mark.parametrize("trips", [None, 5], ids=["unbounded", "bounded"])
@pytest.mark.parametrize("body, got", [(lambda v: v.astype(np.float16), "float16[4]"),
                                       (lambda v: v.sum(), "float32[]"),
                                       (lambda v: (v, v), "float32[4], float32[4]")],
                         ids=["dtype", "shape", "structure"])
def test_error_while_body_changes_carry(trips, body, got):
    def f(x):
        return lax.while_loop(lambda v: v[0] < 3, body, x, max_trip_count=trips)

    _raises(plait.PlaitTypeError, lambda: plait.jit(f)(V), _line(f) + 1, "float32[4]", got,
            "while_loop body_fun")


@pytest.mark.parametrize("jit", [False, True], ids=["static-bounds", "traced-bounds"])
def test_error_fori_body_changes_carry_type(jit):
    def body(i, v):
        return v[:2]

    def f(x, n):
        return lax.fori_loop(0, n, body, x)

    call = plait.jit(f) if jit else f
    _raises(plait.PlaitTypeError, lambda: call(V, 5), _line(f) + 1, "float32[4]", "float32[2]",
            f"fori_loop body_fun ({HERE}:{_line(body)})")


def test_error_scan_body_changes_carry_type():
    def f(x):
        return lax.scan(lambda c, x: (c[:2], x), x, XS)

    _raises(plait.PlaitTypeError, lambda: f(V), _line(f) + 1, "float32[4]", "float32[2]",
            "scan body")


@pytest.mark.parametrize("pred", [np.ones(3, bool), np.float32(1.0)])
def test_error_bad_cond_predicate(pred):
    def f(p, x):
        return lax.cond(p, pnp.sin, pnp.cos, x)

    _raises(plait.PlaitTypeError, lambda: plait.jit(f)(pred, V), _line(f) + 1, "predicate")


@pytest.mark.parametrize("trips", [None, 5], ids=["unbounded", "bounded"])
@pytest.mark.parametrize("ret", ["vector", "int"])
def test_error_bad_while_predicate(ret, trips):
    def f(x):
        c = (lambda v: v > 0) if ret == "vector" else (lambda v: pnp.sum(v).astype(np.int32))
        return lax.while_loop(c, lambda v: v - 1, x, max_trip_count=trips)

    _raises(plait.PlaitTypeError, lambda: plait.jit(f)(V), _line(f) + 2, "bool scalar")


def test_error_while_cond_returns_nothing():
    def f(x):
        return lax.while_loop(lambda v: None, lambda v: v - 1, x)

    _raises(plait.PlaitTypeError, lambda: plait.jit(f)(V), _line(f) + 1, "bool scalar")


def test_error_reverse_mode_through_unbounded_while():
    def f(a):
        return lax.while_loop(lambda x: x < 10, lambda x: x * a, a)

    msg = _raises(plait.PlaitError, lambda: plait.grad(f)(np.float32(2)), _line(f) + 1,
                  "max_trip_count")
    assert "while_loop" in msg


@pytest.mark.parametrize("loop", ["scan", "fori_loop", "while_loop"])
def test_weak_carry_takes_the_dtype_the_body_gives_it(loop):
    """As in jax for a Python scalar carry (plait's NumPy scalars are weak too): the carry is
    promoted to the body's dtype."""
    xs = np.arange(1, 5, dtype=np.float64)

    def run(lax_, np_, init):
        if loop == "scan":
            return lax_.scan(lambda c, x: (c * x, c), init, xs)[0]
        if loop == "fori_loop":
            return lax_.fori_loop(0, 4, lambda i, c: c * np_.asarray(xs)[i], init)
        return lax_.while_loop(lambda c: c < 100, lambda c: c * xs[1], init)

    for init in (1.0, np.float32(1)):
        out = run(lax, pnp, init)
        with jax.enable_x64(True):
            want = run(jax.lax, jnp, float(init))
        assert out.dtype == want.dtype == np.float64
        close(out, want)
