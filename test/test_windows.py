"""Windowed and cumulative reductions vs jax: reduce_window (sum, max, min and a generic body;
padding, strides, base and window dilation) with values, JVP, VJP and second order across
dtypes, cumsum/cumprod/cummax/cummin/cumlogsumexp with reverse, associative_scan, vmap against
a loop (select_and_gather_add and select_and_scatter_add included), eager against jit, the IR
their derivatives make, and bad input."""

from __future__ import annotations

import functools
import os

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
import window_refs as wr
from usersite import first_line, raises_at

import plait
import plait.lax as pl
import plait.numpy as pnp
from plait import jitting
from plait.dialect import ops as P
from plait.staging.trace import bind

HERE = os.path.abspath(__file__)
jl = jax.lax
bf16 = np.dtype(ml_dtypes.bfloat16)


pytestmark = pytest.mark.usefixtures("x64")  # the oracles compute in float64


def _close(got, want, tol):
    got, want = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, (g.dtype, g.shape, w.dtype, w.shape)
        np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64), rtol=tol,
                                   atol=tol)


def _distinct(rng, shape, dt):
    """Values without ties (a max's derivative is then jax's at every point)."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) * 0.25 - 3).astype(dt)


# (shape, window_dimensions, window_strides, padding, base_dilation, window_dilation)
WINDOWS = {
    "pool_valid": ((2, 6, 5), (1, 2, 2), (1, 2, 2), "VALID", None, None),
    "same_overlapping": ((2, 5, 4), (1, 3, 2), (1, 1, 2), "SAME", None, None),
    "same_lower": ((7, 4), (3, 2), (2, 1), "SAME_LOWER", None, None),
    "pairs_negative": ((5, 6), (2, 3), (1, 2), [(1, -1), (2, 0)], None, None),
    "base_dilation": ((4, 5), (2, 2), (1, 2), [(0, 1), (1, 0)], (2, 1), None),
    "window_dilation": ((6, 5), (2, 2), (1, 1), "SAME", None, (2, 2)),
}
MONOIDS = {"sum": (jl.add, pl.add, 0.0), "max": (jl.max, pl.max, -np.inf),
           "min": (jl.min, pl.min, np.inf)}
DTYPES = {"float64": (np.float64, 1e-10), "float32": (np.float32, 1e-4),
          "bfloat16": (bf16, 3e-2)}


def _window_fn(L, monoid, config):
    _, window, strides, padding, base, wdil = config
    jcomp, pcomp, init = MONOIDS[monoid]
    comp = jcomp if L is jl else pcomp
    return lambda x: L.reduce_window(x, np.asarray(init, x.dtype), comp, window, strides,
                                     padding, base, wdil)


def _derivatives(L, f, reverse=True):
    """Value, JVP and (reverse) VJP and forward-over-reverse second order of f."""
    jvp, vjp, grad = (plait.jvp, plait.vjp, plait.grad) if L is pl else \
        (jax.jvp, jax.vjp, jax.grad)
    N = pnp if L is pl else jnp

    def run(x, t, ct):
        y, ty = jvp(f, (x,), (t,))
        if not reverse:
            return y, ty
        loss = lambda a: N.sum(f(a) * ct)  # noqa: E731
        return y, ty, vjp(f, x)[1](ct), jvp(grad(loss), (x,), (t,))[1]
    return run


def _config_cases():
    out = [(m, c, "float64") for m in MONOIDS for c in WINDOWS]
    return out + [(m, c, d) for m in MONOIDS for c in ("same_overlapping", "base_dilation")
                  for d in DTYPES if d != "float64"]


@pytest.mark.parametrize("monoid, config, dtype", _config_cases(),
                         ids=[f"{m}-{c}-{d}" for m, c, d in _config_cases()])
def test_reduce_window_matches_jax(monoid, config, dtype):
    dt, tol = DTYPES[dtype]
    rng = np.random.default_rng(len(config) + len(monoid))
    shape = WINDOWS[config][0]
    x = _distinct(rng, shape, dt)
    t = rng.normal(size=shape).astype(dt)
    fj, fp = _window_fn(jl, monoid, WINDOWS[config]), _window_fn(pl, monoid, WINDOWS[config])
    ct = rng.normal(size=jax.eval_shape(fj, x).shape).astype(dt)
    # jax has no max/min VJP with window dilation, and its VJP fails on negative padding:
    # there plait's is checked against its JVP (the transpose identity)
    reverse = monoid == "sum" or config not in ("window_dilation", "pairs_negative")
    got = plait.jit(_derivatives(pl, fp, reverse))(x, t, ct)
    _close(got, jax.jit(_derivatives(jl, fj, reverse))(x, t, ct), tol)
    if not reverse:
        y, ty, g, _ = plait.jit(_derivatives(pl, fp))(x, t, ct)
        lhs = np.sum(np.asarray(ty, np.float64) * ct)
        assert abs(lhs - np.sum(np.asarray(g, np.float64) * t)) <= 1e-8 * (1 + abs(lhs))


def test_reduce_window_max_vjp_with_window_dilation_matches_numpy():
    """The scatter at each window's first maximum, against NumPy's windows."""
    rng = np.random.default_rng(7)
    x, ct = _distinct(rng, (6, 5), np.float64), rng.normal(size=(6, 5))
    f = _window_fn(pl, "max", WINDOWS["window_dilation"])
    (lo, hi) = zip(*pl.padtype_to_pads((6, 5), (3, 3), (1, 1), "SAME"))
    want = wr.select_and_scatter_add(ct, x, "GE", window_dimensions=(2, 2), padding_low=lo,
                                     padding_high=hi, window_dilation=(2, 2))
    _close(plait.vjp(f, x)[1](ct), (want,), 1e-12)


def test_reduce_window_eager_matches_jit_in_sequence():
    rng = np.random.default_rng(8)
    fp, fj = (_window_fn(L, "max", WINDOWS["same_overlapping"]) for L in (pl, jl))
    jitted = plait.jit(fp)
    for _ in range(3):
        x = _distinct(rng, (2, 5, 4), np.float32)
        _close(fp(x), fj(x), 0)
        _close(jitted(x), fj(x), 0)
        _close(plait.grad(lambda x: fp(x).sum())(x), jax.grad(lambda x: fj(x).sum())(x), 0)


def test_generic_reduce_window_matches_jax_and_differences():
    """A body that is no monoid primitive: values vs jax, forward mode to second order vs
    central differences (jax's JVP of a generic reduce_window fails on a constant init value;
    neither has a reverse mode)."""
    rng = np.random.default_rng(9)
    x, t = rng.uniform(0.5, 1.5, size=(2, 5, 4)), rng.normal(size=(2, 5, 4))
    f = lambda L: lambda x: L.reduce_window(  # noqa: E731
        x, 1.0, lambda a, b: a * b, (1, 2, 3), (1, 2, 1), "SAME", (1, 1, 2), (1, 2, 1))
    _close(plait.jit(f(pl))(x), f(jl)(x), 1e-12)
    tangent = plait.jit(lambda x: plait.jvp(f(pl), (x,), (t,))[1])
    second = plait.jit(lambda x: plait.jvp(tangent, (x,), (t,))[1])
    eps = 1e-6
    _close(tangent(x), (f(jl)(x + eps * t) - f(jl)(x - eps * t)) / (2 * eps), 1e-7)
    _close(second(x), (tangent(x + eps * t) - tangent(x - eps * t)) / (2 * eps), 1e-6)


def test_generic_reduce_window_over_a_pytree_matches_jax():
    """Two arrays reduced together: the running argmax of each window."""
    rng = np.random.default_rng(10)
    x = _distinct(rng, (6, 5), np.float32)
    idx = np.arange(30, dtype=np.int32).reshape(6, 5)

    def f(L, x, idx):
        def body(a, b):
            pick = a[0] >= b[0]
            return L.select(pick, a[0], b[0]), L.select(pick, a[1], b[1])
        return L.reduce_window((x, idx), (np.float32(-np.inf), np.int32(-1)), body, (2, 3),
                               (2, 1), "SAME")
    _close(plait.jit(functools.partial(f, pl))(x, idx), f(jl, x, idx), 0)
    _close(f(pl, x, idx), f(jl, x, idx), 0)


@pytest.mark.parametrize("comp, dt", [(c, d) for c in ("add", "max", "min")
                                      for d in (np.int32, np.uint8, np.bool_)
                                      if (c, d) != ("add", np.bool_)])
def test_reduce_window_integer_and_bool_match_jax(comp, dt):
    """Integer and boolean operands, padding holding each monoid's identity."""
    x = np.random.default_rng(11).integers(0, 5, size=(4, 5)).astype(dt)
    lo, hi = (False, True) if dt == np.bool_ else (np.iinfo(dt).min, np.iinfo(dt).max)
    init = np.asarray({"add": 0, "max": lo, "min": hi}[comp], dt)
    f = lambda L: lambda x: L.reduce_window(x, init, getattr(L, comp), (2, 2), (1, 2),  # noqa: E731
                                            "SAME")
    _close(plait.jit(f(pl))(x), f(jl)(x), 0)


# --- cumulative reductions and associative_scan ----------------------------------------------

CUMULATIVE = ["cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp"]


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("name", CUMULATIVE)
@pytest.mark.parametrize("dtype", list(DTYPES))
def test_cumulative_matches_jax(name, reverse, dtype):
    dt, tol = DTYPES[dtype]
    rng = np.random.default_rng(len(name))
    x = _distinct(rng, (3, 5), dt) / 4
    if name == "cumprod":
        x = (rng.uniform(0.5, 1.5, size=(3, 5)) * rng.choice([-1, 1], size=(3, 5))).astype(dt)
    t, ct = rng.normal(size=(2, 3, 5)).astype(dt)
    f = lambda L: lambda x: getattr(L, name)(x, axis=1, reverse=reverse)  # noqa: E731
    _close(plait.jit(_derivatives(pl, f(pl)))(x, t, ct),
           jax.jit(_derivatives(jl, f(jl)))(x, t, ct), tol)


def test_cumprod_derivatives_with_zeros_match_jax():
    x = np.array([[2.0, 0.0, 3.0, 0.0, 1.5], [0.0, 1.0, -2.0, 0.5, 4.0]])
    t, ct = np.ones_like(x), np.arange(10.0).reshape(2, 5)
    f = lambda L: lambda x: L.cumprod(x, axis=1)  # noqa: E731
    _close(plait.jit(_derivatives(pl, f(pl)))(x, t, ct), _derivatives(jl, f(jl))(x, t, ct),
           1e-12)


@pytest.mark.parametrize("dt", [np.int32, np.uint8])
@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin"])
def test_cumulative_integers_match_jax(name, dt):
    x = np.random.default_rng(1).integers(0, 4, size=(4, 3)).astype(dt)
    for reverse in (False, True):
        _close(getattr(pl, name)(x, 0, reverse), getattr(jl, name)(x, 0, reverse), 0)


SCANS = {
    "add": (lambda L: L.add, 0, False),
    "mul_reverse": (lambda L: L.mul, 1, True),
    "max_axis_neg": (lambda L: L.max, -1, False),
    "affine_pairs": (lambda L: lambda a, b: (a[0] * b[0], a[1] * b[0] + b[1]), 0, True),
}


@pytest.mark.parametrize("name", list(SCANS))
@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_associative_scan_matches_jax(name, n):
    """Odd and even lengths, values and gradients (pytrees of two arrays for the affine
    composition)."""
    make, axis, reverse = SCANS[name]
    rng = np.random.default_rng(n)
    shape = (n, 3) if axis == 0 else (2, n)
    xs = _distinct(rng, shape, np.float64) / 8
    elems = (xs, rng.normal(size=shape)) if name == "affine_pairs" else xs

    def f(L, scan):
        def loss(e):
            out = scan(make(L), e, reverse=reverse, axis=axis)
            return sum((o * o).sum() for o in jax.tree.leaves(out)), out
        return loss
    got = plait.jit(plait.value_and_grad(f(pl, pl.associative_scan), has_aux=True))(elems)
    _close(got, jax.value_and_grad(f(jl, jl.associative_scan), has_aux=True)(elems), 1e-10)


def test_eager_scan_and_window_calls_are_one_program_each():
    """Called eagerly, associative_scan and a generic reduce_window compile one program each
    (not one per step of the scan), then none for fresh values."""
    x = np.arange(11 * 13, dtype=np.float64).reshape(11, 13) / 100
    for i in range(2):
        before = jitting.stats["compiles"]
        _close(pl.associative_scan(pl.mul, x + i, axis=1),
               jl.associative_scan(jl.mul, x + i, axis=1), 1e-12)
        _close(pl.reduce_window(x + i, 1.0, pl.mul, (2, 3), (1, 2), "SAME"),
               jl.reduce_window(x + i, 1.0, jl.mul, (2, 3), (1, 2), "SAME"), 1e-12)
        assert jitting.stats["compiles"] - before == (2 if i == 0 else 0)


# --- vmap --------------------------------------------------------------------------------------

@pytest.mark.parametrize("monoid", list(MONOIDS))
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_vmap_reduce_window_matches_loop(monoid, axis):
    rng = np.random.default_rng(12)
    f = _window_fn(pl, monoid, WINDOWS["base_dilation"])
    xs = [_distinct(rng, (4, 5), np.float64) for _ in range(3)]
    got = plait.vmap(lambda x: (f(x), plait.grad(lambda x: (f(x) ** 2).sum())(x)),
                     in_axes=axis)(np.stack(xs, axis))
    single = plait.jit(lambda x: (f(x), plait.grad(lambda x: (f(x) ** 2).sum())(x)))
    want = [np.stack(w) for w in zip(*[single(x) for x in xs])]
    _close(got, want, 1e-12)


def test_vmap_generic_reduce_window_matches_loop():
    rng = np.random.default_rng(13)
    f = lambda x: pl.reduce_window(x, 1.0, lambda a, b: a * b, (2, 2), (1, 1),  # noqa: E731
                                   "SAME", None, (1, 2))
    xs = [rng.uniform(0.5, 1.5, size=(4, 5)) for _ in range(3)]
    _close(plait.vmap(f, in_axes=1)(np.stack(xs, 1)), np.stack([plait.jit(f)(x) for x in xs]),
           1e-12)


def _window_attrs(shape, window, strides, lo, hi, base=None, wdil=None):
    ones = (1,) * len(shape)
    return dict(window_dimensions=window, window_strides=strides, padding_low=lo,
                padding_high=hi, base_dilation=base or ones, window_dilation=wdil or ones)


@pytest.mark.parametrize("direction", ["GE", "LE"])
@pytest.mark.parametrize("in_axes", [(0, 0), (None, 1), (1, None)])
def test_vmap_select_and_gather_add_matches_loop(direction, in_axes):
    rng = np.random.default_rng(14)
    attrs = _window_attrs((5, 4), (2, 3), (2, 1), (1, 0), (0, 1), (1, 2), (1, 1))
    f = lambda t, x: bind(P.select_and_gather_add, t, x, direction=direction,  # noqa: E731
                          **attrs)
    ts = [rng.normal(size=(5, 4)) for _ in range(3)]
    xs = [_distinct(rng, (5, 4), np.float64) for _ in range(3)]
    args = [np.stack(v, a) if a is not None else v[0] for v, a in zip((ts, xs), in_axes)]
    got = plait.jit(plait.vmap(f, in_axes=in_axes))(*args)
    want = np.stack([wr.select_and_gather_add(ts[i] if in_axes[0] is not None else ts[0],
                                              xs[i] if in_axes[1] is not None else xs[0],
                                              direction, **attrs) for i in range(3)])
    _close(got, want, 1e-12)


@pytest.mark.parametrize("direction", ["GE", "LE"])
@pytest.mark.parametrize("in_axes", [(0, 0), (None, 1), (1, None)])
def test_vmap_select_and_scatter_add_matches_loop(direction, in_axes):
    rng = np.random.default_rng(15)
    attrs = dict(window_dimensions=(2, 3), window_strides=(2, 1), padding_low=(1, 0),
                 padding_high=(0, 1))
    f = lambda s, x: bind(P.select_and_scatter_add, s, x, direction=direction,  # noqa: E731
                          **attrs)
    ss = [rng.normal(size=(3, 3)) for _ in range(3)]
    xs = [_distinct(rng, (5, 4), np.float64) for _ in range(3)]
    args = [np.stack(v, a) if a is not None else v[0] for v, a in zip((ss, xs), in_axes)]
    got = plait.jit(plait.vmap(f, in_axes=in_axes))(*args)
    want = np.stack([wr.select_and_scatter_add(ss[i] if in_axes[0] is not None else ss[0],
                                               xs[i] if in_axes[1] is not None else xs[0],
                                               direction, **attrs) for i in range(3)])
    _close(got, want, 1e-12)


@pytest.mark.parametrize("name", CUMULATIVE)
def test_vmap_cumulative_matches_loop(name):
    rng = np.random.default_rng(16)
    f = lambda x: getattr(pl, name)(x, axis=0, reverse=True)  # noqa: E731
    xs = [_distinct(rng, (4, 3), np.float64) / 8 for _ in range(3)]
    _close(plait.vmap(f, in_axes=2)(np.stack(xs, 2)), np.stack([plait.jit(f)(x) for x in xs]),
           1e-12)


# --- the IR ------------------------------------------------------------------------------------

def test_sum_pool_transpose_is_pad_and_reduce_window():
    x = np.ones((2, 6, 6), np.float32)
    f = lambda x: pl.reduce_window(x, 0.0, pl.add, (1, 2, 2), (1, 2, 2), "SAME").sum()  # noqa: E731
    text = plait.jit(plait.grad(f)).lower(x).as_text("plait")
    assert '"plait.pad"' in text and text.count('"plait.reduce_window_sum"') == 2, text
    assert '"plait.scatter"' not in text and '"plait.reduce_window"' not in text


def test_max_pool_transpose_is_select_and_scatter_add():
    x = np.ones((2, 6, 6), np.float32)
    f = lambda x: pl.reduce_window(x, -np.inf, pl.max, (1, 3, 3), (1, 2, 2), "SAME").sum()  # noqa: E731
    lowered = plait.jit(plait.grad(f)).lower(x)
    assert '"plait.select_and_scatter_add"' in lowered.as_text("plait")
    assert "stablehlo.select_and_scatter" in lowered.as_text("stablehlo")


# --- bad input ---------------------------------------------------------------------------------

_raises = functools.partial(raises_at, here=HERE)
X = np.ones((4, 5), np.float32)


@pytest.mark.parametrize("make, exc, fragments", [
    (lambda: lambda x: pl.reduce_window(x, -np.inf, pl.max, (5, 2), (1, 1), "VALID"),
     plait.PlaitTypeError, ["plait.reduce_window_max", "the window (5 with dilation) is larger "
                            "than the padded operand (4)"]),
    (lambda: lambda x: pl.reduce_window(x, 0.0, pl.add, (2, 2), (1, 1), [(0, 0), (-3, -2)]),
     plait.PlaitTypeError, ["plait.reduce_window_sum", "is larger than the padded operand (0)"]),
    (lambda: lambda x: pl.reduce_window(x, 0.0, pl.add, (2,), (1,), "VALID"),
     plait.PlaitTypeError, ["plait.reduce_window_sum", "window_dimensions (2,) needs one entry "
                            "per operand dimension (2)"]),
    (lambda: lambda x: pl.reduce_window(x, 0.0, pl.add, (2, 2), (1, 0), [(0, 0), (0, 0)]),
     plait.PlaitTypeError, ["window_strides (1, 0) must be positive"]),
    (lambda: lambda x: pl.reduce_window(x, 0.0, lambda a, b: (a, b), (2, 2)),
     plait.PlaitTypeError, ["reduce_window: the computation must return"]),
    (lambda: lambda x: pl.reduce_window(x, np.zeros(2, np.float32), lambda a, b: a * b, (2, 2)),
     plait.PlaitTypeError, ["reduce_window: init values must be scalars"]),
    (lambda: lambda x: pl.reduce_window(x, 0.0, pl.add, (2, 2), None, "FULL"),
     plait.PlaitValueError, ["unknown padding 'FULL'"]),
    (lambda: lambda x: pl.cumlogsumexp(x.astype(np.int32)),
     plait.PlaitTypeError, ["plait.cumlogsumexp"]),
    (lambda: lambda x: pl.cummax(x, axis=2),
     plait.PlaitTypeError, ["plait.cummax", "axis 2 out of range for rank 2"]),
    (lambda: lambda x: pl.associative_scan(pl.add, (x, x[:2])),
     plait.PlaitValueError, ["associative_scan: the arrays must have one length"]),
], ids=["window_too_large", "negative_padding", "window_rank", "stride", "body_result",
        "init_shape", "padding_string", "cumlogsumexp_int", "cum_axis", "scan_lengths"])
@pytest.mark.parametrize("mode", ["jit", "eager"])
def test_bad_input_names_the_op_and_the_line(make, exc, fragments, mode):
    fn = make()
    call = (lambda: plait.jit(fn)(X)) if mode == "jit" else (lambda: fn(X))
    _raises(exc, call, first_line(fn), *fragments)
