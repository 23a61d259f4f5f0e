"""select_n, optimization_barrier, reduce with a region body, the scatter combiners, pmax /
pmin / all_to_all and the indexing helpers: what the records of test/opcases.py and
test/test_ops.py cannot check (derivatives jax does not define, against central differences;
collectives under shard_map's gradient; the IR they leave; bad input)."""

from __future__ import annotations

import functools
import os

import jax
import numpy as np
import pytest
from usersite import first_line, raises_at

import plait
import plait.lax as pl
import plait.numpy as pnp
from plait.sharding import Mesh
from plait.sharding import PartitionSpec as P

HERE = os.path.abspath(__file__)
pytestmark = pytest.mark.usefixtures("x64")
_raises = functools.partial(raises_at, here=HERE)
RNG = np.random.default_rng(7)


def _central(f, x, eps=1e-6):
    """The Jacobian of f at x by central differences, shaped out + in."""
    y = np.asarray(f(x))
    jac = np.zeros(y.shape + x.shape)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        jac[(...,) + i] = (np.asarray(f(x + d)) - np.asarray(f(x - d))) / (2 * eps)
    return jac


# --- derivatives jax does not define -----------------------------------------------------------

def _argmax_pairs(x):
    """max over axis 1 as a reduce over (value, index) pairs, times the index found."""
    def body(a, b):
        (av, ai), (bv, bi) = a, b
        pick = pl.gt(av, bv)
        return pl.select(pick, av, bv), pl.select(pick, ai, bi)
    idx = pl.broadcasted_iota(np.int32, x.shape, 1)
    v, i = pl.reduce((x, idx), (-np.inf, np.int32(0)), body, (1,))
    return v * i.astype(x.dtype)


def test_reduce_over_pairs_derivatives_match_central_differences():
    """jax's JVP of a reduce with an integer operand fails; plait's carries the values'
    tangents through the body (the indices' stay zero), forward and reverse."""
    x = RNG.permutation(12).reshape(3, 4) * 0.3 + RNG.uniform(0, 0.1, (3, 4))
    want = _central(lambda a: np.max(a, 1) * np.argmax(a, 1), x)
    np.testing.assert_allclose(plait.jit(plait.jacfwd(_argmax_pairs))(x), want, atol=1e-6)
    np.testing.assert_allclose(plait.jacfwd(_argmax_pairs)(x), want, atol=1e-6)
    np.testing.assert_allclose(plait.jit(plait.jacrev(_argmax_pairs))(x), want, atol=1e-6)
    np.testing.assert_allclose(_argmax_pairs(x), np.max(x, 1) * np.argmax(x, 1))


def test_reduce_generic_reverse_mode_is_a_tree_of_body_calls():
    """Reverse mode as jax: the tangent is a tree of the body's JVP over halves, so its
    linear part transposes; the primal keeps one plait.reduce."""
    f = lambda x: pnp.sum(pl.reduce(x, 0.0, lambda a, b: a + b + a * b, (1,)))  # noqa: E731
    fj = lambda x: jax.numpy.sum(jax.lax.reduce(x, 0.0, lambda a, b: a + b + a * b, (1,)))  # noqa: E731
    x = RNG.uniform(-0.5, 0.5, (3, 7))
    for _ in range(2):
        np.testing.assert_allclose(plait.jit(plait.grad(f))(x), jax.grad(fj)(x), rtol=1e-12)
    np.testing.assert_allclose(plait.hessian(f)(x), jax.hessian(fj)(x), rtol=1e-10, atol=1e-12)
    text = plait.jit(plait.grad(f)).lower(x).as_text("plait")
    assert text.count('"plait.reduce"') == 1, text


@pytest.mark.parametrize("u", [
    RNG.normal(size=(4, 3)),
    np.array([[0.0, 1.5, -2.0], [0.5, 0.0, 1.0], [2.0, -1.0, 0.0], [1.0, 0.0, 3.0]]),
], ids=["nonzero", "zeros"])
def test_scatter_mul_repeated_indices_derivative_in_updates(u):
    """Where jax raises (repeated indices): each update's tangent times the product of the
    others at its row, exact with zeros among them; forward and reverse mode."""
    x = RNG.normal(size=(5, 3))
    idx = np.array([[1], [1], [2], [1]], np.int32)
    dn = pl.ScatterDimensionNumbers((1,), (0,), (0,))

    def ref(v):
        out = x.copy()
        for k in range(len(idx)):
            out[idx[k, 0]] *= v[k]
        return out

    want = _central(ref, u)
    f = lambda v: pl.scatter_mul(x, idx, v, dn)  # noqa: E731
    np.testing.assert_allclose(plait.jacfwd(f)(u), want, atol=1e-7)
    np.testing.assert_allclose(plait.jit(plait.jacrev(f))(u), want, atol=1e-7)
    np.testing.assert_allclose(f(u), ref(u))


def test_select_n_second_derivatives_and_sequence():
    w = np.array([2, 0, 1, 2], np.int32)
    f = lambda a, b: pnp.sum(pl.select_n(w, a * a, pnp.sin(b), a * b) ** 2)  # noqa: E731
    fj = lambda a, b: jax.numpy.sum(jax.lax.select_n(w, a * a, jax.numpy.sin(b), a * b) ** 2)  # noqa: E731
    a, b = RNG.normal(size=4), RNG.normal(size=4)
    for _ in range(2):  # a second call reuses the compiled program and agrees
        got = plait.jit(plait.hessian(f, argnums=(0, 1)))(a, b)
        want = jax.hessian(fj, argnums=(0, 1))(a, b)
        for g, e in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
            np.testing.assert_allclose(g, e, rtol=1e-12)


# --- optimization_barrier --------------------------------------------------------------------

def test_optimization_barrier_reaches_stablehlo_and_is_transparent():
    f = lambda x, y: pl.optimization_barrier((pnp.sin(x), y + 1))  # noqa: E731
    x, y = RNG.normal(size=3), np.int32(4)
    lowered = plait.jit(f).lower(x, y)
    assert "stablehlo.optimization_barrier" in lowered.as_text("stablehlo")
    got = plait.jit(f)(x, y)
    np.testing.assert_allclose(got[0], np.sin(x))
    assert int(got[1]) == 5
    g = plait.grad(lambda x: pnp.sum(f(x, y)[0] ** 2))(x)
    np.testing.assert_allclose(g, 2 * np.sin(x) * np.cos(x))


# --- collectives under shard_map -------------------------------------------------------------

def _mesh():
    return Mesh(np.array(jax.devices()[:8]), ("data",))


@pytest.mark.parametrize("name", ["pmax", "pmin"])
def test_pextreme_gradient_through_shard_map(name):
    """The gradient of a weighted sum of pmax (pmin) over 8 devices reaches the element
    that is the extreme, with its weight (jax has no rule to compare with)."""
    x = RNG.permutation(64).reshape(16, 4).astype(np.float64)
    w = np.arange(8.0).reshape(2, 4)
    f = plait.shard_map(lambda a: getattr(pl, name)(a, "data"), _mesh(), in_specs=P("data"),
                        out_specs=P())
    g = plait.grad(lambda x: pnp.sum(f(x) * w))(x)
    blocks = x.reshape(8, 2, 4)
    k = (blocks.argmax if name == "pmax" else blocks.argmin)(0)
    want = np.zeros((8, 2, 4))
    for i, j in np.ndindex(2, 4):
        want[k[i, j], i, j] = w[i, j]
    np.testing.assert_array_equal(g, want.reshape(16, 4))


def test_all_to_all_round_trip_is_identity():
    """all_to_all, then all_to_all back (split and concat swapped): the input again."""
    x = np.arange(64 * 8.0).reshape(64, 8)
    there_and_back = lambda a: pl.all_to_all(pl.all_to_all(a, "data", 1, 0, tiled=True),  # noqa: E731
                                             "data", 0, 1, tiled=True)
    f = plait.shard_map(there_and_back, _mesh(), in_specs=P("data"), out_specs=P("data"))
    np.testing.assert_array_equal(f(x), x)


# --- bad input ---------------------------------------------------------------------------------

X = np.ones((4, 6), np.float32)
_DN = pl.ScatterDimensionNumbers((1,), (0,), (0,))


@pytest.mark.parametrize("make, exc, fragments", [
    (lambda: lambda x: pl.select_n(np.ones(6, np.int64)[None].repeat(4, 0), x, x),
     plait.PlaitTypeError, ["plait.select_n `which` must be bool or int32"]),
    (lambda: lambda x: pl.select_n(x > 0, x, x, x),
     plait.PlaitTypeError, ["plait.select_n with a bool `which` takes at most 2 cases"]),
    (lambda: lambda x: pl.select_n(np.int32(0), x, x[:2]),
     plait.PlaitTypeError, ["plait.select_n"]),
    (lambda: lambda x: pl.reduce((x, x), (0.0,), lambda a, b: a, (0,)),
     plait.PlaitTypeError, ["reduce: operands", "must be pytrees of one structure"]),
    (lambda: lambda x: pl.reduce(x, 0.0, lambda a, b: (a, b), (0,)),
     plait.PlaitTypeError, ["reduce: the computation must return"]),
    (lambda: lambda x: pl.reduce(x, 0.0, lambda a, b: a * b, (2,)),
     plait.PlaitTypeError, ["reduce: dimensions (2,) must be distinct axes"]),
    (lambda: lambda x: pl.reduce(x, np.zeros(2, np.float32), lambda a, b: a * b, (0,)),
     plait.PlaitTypeError, ["reduce: init values must be scalars"]),
    (lambda: lambda x: pl.scatter_max(x.astype(np.complex64), np.zeros((1, 1), np.int32),
                                      np.ones((1, 6), np.complex64), _DN),
     plait.PlaitTypeError, ["plait.scatter_max: takes real operands, got complex64"]),
    (lambda: lambda x: pl.scatter_mul(x, np.zeros((1, 1), np.int32), np.ones((1, 7), x.dtype),
                                      _DN),
     plait.PlaitTypeError, ["plait.scatter_mul: update window (7,) is larger than the "
                            "operand's window dims (6,)"]),
    (lambda: lambda x: pl.split(x, (2, 3), axis=1),
     plait.PlaitValueError, ["split: sizes (2, 3) must be non-negative and sum to 6"]),
    (lambda: lambda x: pl.squeeze(x, (0,)),
     plait.PlaitValueError, ["squeeze: dimensions (0,) of shape (4, 6) are not of size 1"]),
    (lambda: lambda x: pl.index_in_dim(x, 4),
     plait.PlaitValueError, ["index_in_dim: index 4 is out of bounds for axis 0 of size 4"]),
    (lambda: lambda x: pl.dynamic_slice_in_dim(x, -1, 2, allow_negative_indices=False),
     plait.PlaitValueError, ["index -1 is negative and allow_negative_indices=False"]),
    (lambda: lambda x: pl.tile(x, (2,)),
     plait.PlaitValueError, ["tile: reps (2,) needs one entry per dimension"]),
    (lambda: lambda x: pl.collapse(x, 1, 0),
     plait.PlaitValueError, ["collapse: dimensions [1, 0) are not a range"]),
    (lambda: lambda x: pl.expand_dims(x, (0, 0)),
     plait.PlaitValueError, ["expand_dims: repeated dimensions (0, 0)"]),
], ids=["select_n_which", "select_n_bool_cases", "select_n_shapes", "reduce_trees",
        "reduce_body_result", "reduce_dims", "reduce_init", "scatter_max_complex",
        "scatter_mul_shapes", "split_sizes", "squeeze", "index_in_dim", "negative_index",
        "tile_reps", "collapse_range", "expand_dims_repeated"])
@pytest.mark.parametrize("mode", ["jit", "eager"])
def test_bad_input_names_the_op_and_the_line(make, exc, fragments, mode):
    fn = make()
    call = (lambda: plait.jit(fn)(X)) if mode == "jit" else (lambda: fn(X))
    _raises(exc, call, first_line(fn), *fragments)


@pytest.mark.parametrize("make, fragments", [
    (lambda: lambda r: pl.all_to_all(r, "i", 0, 0), ["all_to_all: split_axis 0 has size 6, "
                                                     "not the size 4 of axis 'i'"]),
    (lambda: lambda r: pl.all_to_all(r, "i", 0, 0, tiled=True),
     ["all_to_all: split_axis 0 of size 6 is not divisible by the size 4 of axis 'i'"]),
    (lambda: lambda r: pl.all_to_all(r, "i", 0, 3), ["all_to_all: concat_axis 3 out of range"]),
    (lambda: lambda r: pl.pmax(r, "i", axis_index_groups=[[0, 1], [2, 3]]),
     ["pmax: axis_index_groups is not supported"]),
], ids=["untiled_size", "tiled_size", "concat_axis", "axis_index_groups"])
def test_bad_collective_input_names_the_line(make, fragments):
    fn = make()
    _raises(plait.PlaitValueError, lambda: plait.vmap(fn, axis_name="i")(X[:, :, None]),
            first_line(fn), *fragments)
