"""vmap vs a Python loop, compositions vs jax, batch-dim IR checks and errors (STYLE rule 9).

Per op (test/opcases.py): `plait.vmap(f, in_axes, out_axes)` on drawn axes (negative, None) and
batch sizes equals f applied to each slice in a Python loop and stacked. Then jit / grad /
vmap / jvp / vjp composed on an MLP loss, attention and layer norm, against jax.
"""

from __future__ import annotations

import zlib
from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np
import opcases as oc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opcases import PL

import plait
import plait.numpy as pnp

pytestmark = pytest.mark.usefixtures("x64")  # the oracles compute in float64


def _close(got, want, tol=1e-12, what=""):
    got, want = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got) == len(want), what
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, \
            f"{what}: {g.dtype}{list(g.shape)} != {w.dtype}{list(w.shape)}"
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol, err_msg=what)


# --- per-op records vs a Python loop -----------------------------------------------------------

_LOOPED: dict = {}


def _looped(case):
    """The unbatched function, compiled once per record (the loop reuses it)."""
    if case.name not in _LOOPED:
        _LOOPED[case.name] = plait.jit(lambda *a: case.fn(PL, *a))
    return _LOOPED[case.name]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in oc.CASES])
@settings(max_examples=5, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_vmap_matches_loop(case, data):
    n = len(case.args)
    size = data.draw(st.integers(1, 3), label="batch size")
    batched = data.draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(any),
                        label="batched")
    in_axes = tuple(data.draw(st.integers(-len(a.shape) - 1, len(a.shape))) if b else None
                    for a, b in zip(case.args, batched))
    rng = np.random.default_rng(zlib.crc32(f"{case.name}/{size}/{in_axes}".encode()))
    examples = [oc.operands(case, rng.integers(2**31)) for _ in range(size)]
    args = [np.stack([ex[k] for ex in examples], axis=ax) if ax is not None else examples[0][k]
            for k, ax in enumerate(in_axes)]
    f = _looped(case)
    outs = [f(*[ex[k] if ax is not None else examples[0][k] for k, ax in enumerate(in_axes)])
            for ex in examples]
    rank = min(np.ndim(o) for o in jax.tree.leaves(outs[0]))
    out_axes = data.draw(st.integers(-rank - 1, rank), label="out_axes")
    want = jax.tree.map(lambda *o: np.stack([np.asarray(v) for v in o], axis=out_axes), *outs)
    got = plait.vmap(lambda *a: case.fn(PL, *a), in_axes=in_axes, out_axes=out_axes)(*args)
    # XLA may vectorize the batched kernel differently (an f32 exp can move by an ulp); batching
    # bugs (wrong axis, lost broadcast) are O(1), so a float32-level tolerance still catches them.
    _close(got, want, tol=1e-6, what=f"in_axes={in_axes} out_axes={out_axes} size={size}")


# --- compositions vs jax ---------------------------------------------------------------------------

PLAIT = SimpleNamespace(np=pnp, lse=pnp.logsumexp, jit=plait.jit, grad=plait.grad, vmap=plait.vmap,
                        jvp=plait.jvp, vjp=plait.vjp, jacfwd=plait.jacfwd, jacrev=plait.jacrev,
                        value_and_grad=plait.value_and_grad)
JAX = SimpleNamespace(np=jnp, lse=jax.nn.logsumexp, jit=jax.jit, grad=jax.grad, vmap=jax.vmap,
                      jvp=jax.jvp, vjp=jax.vjp, jacfwd=jax.jacfwd, jacrev=jax.jacrev,
                      value_and_grad=jax.value_and_grad)

_R = np.random.default_rng(1)
PARAMS = {"w1": _R.normal(size=(3, 5)) / 2, "b1": _R.normal(size=5),
          "w2": _R.normal(size=(5, 4)) / 2, "b2": _R.normal(size=4)}
B = 4  # batch size of every composition
X = _R.normal(size=(B, 3))
LABELS = np.eye(4)[_R.integers(0, 4, B)]
Q, K, V = (_R.normal(size=(B, 5, 3)) for _ in range(3))  # a batch of attention inputs
W = _R.normal(size=(5, 3))


def loss(T, params, x, label):
    """Softmax cross-entropy of a tanh MLP on one example."""
    logits = T.np.tanh(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]
    return T.lse(logits) - T.np.sum(logits * label)


def attention(T, q, k, v):
    s = q @ k.T / np.sqrt(q.shape[-1])
    p = T.np.exp(s - T.lse(s, axis=-1, keepdims=True))
    return T.np.sum((p @ v) * W)


def layer_norm(T, x):
    mu = T.np.mean(x, axis=-1, keepdims=True)
    var = T.np.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / T.np.sqrt(var + 1e-5)


def _per_example_grads(T):
    return T.vmap(T.grad(lambda p, x, y: loss(T, p, x, y)), in_axes=(None, 0, 0))


def _batch_loss(T, p):
    return T.np.mean(T.vmap(lambda x, y: loss(T, p, x, y))(X, LABELS))


# name -> (function of the namespace T returning the function to call, its arguments)
COMPOSITIONS = {
    # pairs
    "vmap_grad": (_per_example_grads, (PARAMS, X, LABELS)),
    "grad_vmap": (lambda T: T.grad(lambda p: _batch_loss(T, p)), (PARAMS,)),
    "vmap_jit": (lambda T: T.vmap(T.jit(lambda q, k, v: attention(T, q, k, v))), (Q, K, V)),
    "jit_vmap": (lambda T: T.jit(T.vmap(lambda x: layer_norm(T, x), in_axes=1, out_axes=1)),
                 (Q[0],)),
    "vmap_jvp": (lambda T: T.vmap(lambda t: T.jvp(lambda x: layer_norm(T, x), (X,), (t,))[1]),
                 (Q[:, :, 0].reshape(5, B, 1) * np.ones(3),)),
    "jvp_vmap": (lambda T: lambda x, t: T.jvp(T.vmap(lambda r: layer_norm(T, r)), (x,), (t,)),
                 (X, np.cos(X))),
    "vmap_vjp": (lambda T: T.vmap(lambda u: T.vjp(lambda x: layer_norm(T, x), X)[1](u)[0]),
                 (Q[:, :, 0].reshape(5, B, 1) * np.ones(3),)),
    "vjp_vmap_jit": (lambda T: T.jit(lambda x, u: T.vjp(T.vmap(lambda r: layer_norm(T, r)),
                                                      x)[1](u)), (X, np.sin(X))),
    "vmap_vmap": (lambda T: T.vmap(T.vmap(lambda q, k: T.np.sum(q * k), in_axes=(0, None)),
                                   in_axes=(None, 1)), (Q[0], K[0].T)),
    "jacfwd_attention": (lambda T: T.jacfwd(lambda q: attention(T, q, K[0], V[0])), (Q[0],)),
    "jacrev_layer_norm": (lambda T: T.jacrev(lambda x: layer_norm(T, x)), (X[0],)),
    # triples
    "jit_vmap_grad": (lambda T: T.jit(_per_example_grads(T)), (PARAMS, X, LABELS)),
    "vmap_grad_jit": (lambda T: T.vmap(T.grad(T.jit(lambda p, x, y: loss(T, p, x, y))),
                                       in_axes=(None, 0, 0)), (PARAMS, X, LABELS)),
    "grad_vmap_jit": (lambda T: T.grad(lambda p: T.np.mean(T.vmap(T.jit(
        lambda x, y: loss(T, p, x, y)))(X, LABELS))), (PARAMS,)),
    "vmap_grad_attention": (lambda T: T.vmap(T.grad(lambda q, k, v: attention(T, q, k, v),
                                                    argnums=(0, 2))), (Q, K, V)),
    "vmap_jvp_grad": (lambda T: T.vmap(lambda x, t: T.jvp(T.grad(lambda r: T.np.sum(
        layer_norm(T, r) ** 3)), (x,), (t,))[1]), (X, np.cos(X))),
    "jvp_vmap_grad": (lambda T: lambda p, t: T.jvp(lambda q: _per_example_grads(T)(q, X, LABELS),
                                                   (p,), (t,)),
                      (PARAMS, jax.tree.map(np.sin, PARAMS))),
    "vmap_vjp_jit": (lambda T: T.vmap(lambda x, u: T.vjp(T.jit(lambda r: layer_norm(T, r)), x)[1](
        u)[0]), (X, np.sin(X))),
    "vmap_vmap_grad": (lambda T: T.vmap(T.vmap(T.grad(lambda q, k, v: attention(T, q, k, v)),
                                               in_axes=(0, None, None)), in_axes=(None, 0, 0)),
                       (Q, K, V)),
}

@pytest.mark.parametrize("name", list(COMPOSITIONS))
def test_composition_matches_jax(name):
    make, args = COMPOSITIONS[name]
    got = make(PLAIT)(*args)
    want = jax.jit(make(JAX))(*args)
    assert jax.tree.structure(got) == jax.tree.structure(want)
    _close(got, want, 1e-9, what=name)


def test_eager_vjp_of_vmap():
    y, pullback = plait.vjp(plait.vmap(lambda r: layer_norm(PLAIT, r)), X)
    _, pullback_j = jax.vjp(jax.vmap(lambda r: layer_norm(JAX, r)), X)
    _close(pullback(np.sin(X)), pullback_j(np.sin(X)), 1e-9)


# --- batch dims in the IR ----------------------------------------------------------------------------

def _plait_stage(f, *args):
    return plait.jit(f).lower(*args).as_text("plait")


def _ops(text, name):
    return [line for line in text.splitlines() if f'"plait.{name}"(' in line]


def test_unbatched_values_stay_unbatched():
    w = pnp.asarray(np.arange(9.0).reshape(3, 3))  # a device array: w @ w is traced
    f = plait.vmap(lambda x: x + w @ w, in_axes=(0,))
    xs = np.arange(45.0).reshape(5, 3, 3)
    _close(f(xs), xs + np.asarray(w) @ np.asarray(w))
    text = _plait_stage(f, xs)
    (dot,) = _ops(text, "dot_general")
    assert "lhs_batching_dimensions = array<i64>" in dot, dot
    assert dot.endswith("(tensor<3x3xf64>, tensor<3x3xf64>) -> tensor<3x3xf64>"), dot
    (add,) = _ops(text, "add")
    assert "tensor<5x3x3xf64>" in add  # only where it meets the batched x is w @ w broadcast


def test_elementwise_chain_keeps_the_batch_dim_in_place():
    f = lambda x, y: pnp.sin(x) * 2.0 + pnp.cos(x) * y - pnp.sum(x * y, axis=0)
    text = _plait_stage(plait.vmap(f, in_axes=1, out_axes=1), np.ones((3, 4, 2)),
                        np.ones((3, 4, 2)))
    assert not _ops(text, "transpose"), text
    # operands batched at different dims: one transpose brings y to x's batch dim, no more
    text = _plait_stage(plait.vmap(f, in_axes=(1, 0), out_axes=1), np.ones((3, 4, 2)),
                        np.ones((4, 3, 2)))
    assert len(_ops(text, "transpose")) == 1, text


def test_reduction_over_unbatched_axes_needs_no_transpose():
    text = _plait_stage(plait.vmap(lambda x: pnp.sum(pnp.exp(x), axis=(0, 2)), in_axes=1,
                                   out_axes=0), np.ones((2, 5, 3, 4)))
    assert not _ops(text, "transpose"), text


# --- errors --------------------------------------------------------------------------------------

HERE = r"test_vmap\.py:\d+: "


def test_error_inconsistent_batch_sizes():
    f = plait.vmap(lambda a, b: a + b, in_axes=(0, 1))
    with pytest.raises(plait.PlaitValueError, match=HERE + "vmap got inconsistent sizes .*"
                       "argument leaf 0 has size 3 along axis 0; argument leaf 1 has size 4 "
                       "along axis 1"):
        f(np.ones((3, 2)), np.ones((2, 4)))


def test_error_in_axes_structure():
    x = np.ones((3, 2))
    with pytest.raises(plait.PlaitValueError, match=HERE + "vmap in_axes has 2 entries but .* "
                       "1 positional arguments"):
        plait.vmap(lambda a: a, in_axes=(0, 0))(x)
    with pytest.raises(plait.PlaitValueError, match=HERE + "vmap in_axes .* does not match the "
                       "structure of the arguments"):
        plait.vmap(lambda d: d["a"], in_axes=({"b": 0},))({"a": x})


def test_error_axis_out_of_range():
    x = np.ones((3, 2))
    with pytest.raises(plait.PlaitValueError, match=HERE + r"vmap: in_axes 2 is out of range "
                       r"for argument leaf 0 of shape \(3, 2\)"):
        plait.vmap(lambda a: a, in_axes=2)(x)
    with pytest.raises(plait.PlaitValueError, match=HERE + "vmap: in_axes -3 is out of range"):
        plait.vmap(lambda a: a, in_axes=-3)(x)
    with pytest.raises(plait.PlaitValueError, match=HERE + "vmap: out_axes 3 is out of range "
                       "for an output of rank 1"):
        plait.vmap(lambda a: a, out_axes=3)(x)


def test_error_out_axes_none_for_a_batched_output():
    with pytest.raises(plait.PlaitError, match=HERE + "vmap output 0 depends on the mapped "
                       "axis, but its out_axes is None"):
        plait.vmap(lambda a: a * 2, out_axes=None)(np.ones((3, 2)))
    # an output that does not depend on the mapped axis may use None
    out = plait.vmap(lambda a, b: (a * 2, b + 1), in_axes=(0, None), out_axes=(0, None))(
        np.ones((3, 2)), np.ones(2))
    assert out[0].shape == (3, 2) and out[1].shape == (2,)
