"""Sharding over 8 simulated CPU devices (test/conftest.py sets the XLA flag).

Sharded training steps agree with the single-device run and with jax, and their outputs are
laid out as jax lays them out; propagated shardings show in the plait IR; device_put splits
arrays into the expected shards; shard_map collectives agree with NumPy; shard_map
differentiates and batches like jax.shard_map; bad shardings raise typed plait errors that
name the caller's line; mis-sharded inputs are resharded, never crash the process.
"""

import contextlib
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from usersite import first_line, raises_at

import plait
import plait.numpy as pnp
from plait import jitting, lax
from plait.sharding import Mesh, NamedSharding
from plait.sharding import PartitionSpec as P

DEVICES = np.array(jax.devices())
pytestmark = pytest.mark.skipif(DEVICES.size != 8, reason="needs 8 devices (test/conftest.py)")
if DEVICES.size == 8:
    MESH1 = Mesh(DEVICES, ("data",))
    MESH2 = Mesh(DEVICES.reshape(4, 2), ("data", "model"))

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 8)).astype(np.float32)
Y = RNG.normal(size=(16, 4)).astype(np.float32)
PARAMS = {"w1": RNG.normal(size=(8, 6)).astype(np.float32),
          "w2": RNG.normal(size=(6, 4)).astype(np.float32)}
LR = 0.1
TOL = {"rtol": 1e-5, "atol": 1e-5}


def NS(mesh, spec):
    return NamedSharding(mesh, spec)


def assert_close(actual, expected, **tol):
    tol = tol or TOL
    a, ta = jax.tree_util.tree_flatten(actual)
    e, te = jax.tree_util.tree_flatten(expected)
    assert ta == te
    for x, y in zip(a, e):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), **tol)


@contextlib.contextmanager
def user_error(kind, match):
    """The statement under the `with` raises `kind`, its message starting with its file:line."""
    line = sys._getframe(2).f_lineno + 1
    with pytest.raises(kind, match=match) as info:
        yield
    assert str(info.value).startswith(f"{__file__}:{line}: "), str(info.value)


def op_line(text: str, op: str) -> str:
    lines = [ln for ln in text.splitlines() if f'"plait.{op}"' in ln]
    assert lines, f"no plait.{op} in\n{text}"
    return lines[0]


def sdy(*dims) -> str:
    """The printed per-value sharding of one result, e.g. sdy(("data",), ())."""
    body = ", ".join("{" + ", ".join(f'"{a}"' for a in d) + "}" for d in dims)
    return f"sdy.sharding = #sdy.sharding_per_value<[<@mesh, [{body}]>]>"


# --- a sharded MLP training step -------------------------------------------------------------

def loss_fn(np_, params, x, y):
    h = np_.tanh(x @ params["w1"])
    return np_.mean((h @ params["w2"] - y) ** 2)


def train_step(params, x, y):
    loss, grads = plait.value_and_grad(lambda p: loss_fn(pnp, p, x, y))(params)
    return loss, grads, {k: params[k] - LR * grads[k] for k in params}


def jax_train_step(params, x, y):
    loss, grads = jax.value_and_grad(lambda p: loss_fn(jnp, p, x, y))(params)
    return loss, grads, {k: params[k] - LR * grads[k] for k in params}


@pytest.fixture(scope="module")
def single_device_step():
    out = plait.jit(train_step)(PARAMS, X, Y)
    assert_close(out, jax.jit(jax_train_step)(PARAMS, X, Y))
    return out


def specs(tree):
    return jax.tree_util.tree_map(lambda a: a.sharding.spec, tree)


def test_data_parallel_training_step(single_device_step):
    rep, batch = NS(MESH1, P()), NS(MESH1, P("data"))
    step = plait.jit(train_step, in_shardings=(rep, batch, batch))
    out = step(PARAMS, X, Y)
    assert_close(out, single_device_step)
    jax_out = jax.jit(jax_train_step, in_shardings=(rep, batch, batch))(PARAMS, X, Y)
    assert_close(out, jax_out)
    loss, grads, new = out
    assert specs(out) == specs(jax_out) == (P(), {"w1": P(), "w2": P()}, {"w1": P(), "w2": P()})
    assert all(a.sharding.mesh == MESH1 for a in jax.tree_util.tree_leaves(out))
    text = step.lower(PARAMS, X, Y).as_text("plait")
    assert 'sdy.mesh @mesh = <["data"=8]>' in text
    assert sdy(("data",), ()) in op_line(text, "tanh")  # activations: batch-sharded
    assert sdy() in op_line(text, "reduce_sum")  # the loss: replicated
    # the next step takes this step's outputs as they are, without compiling again
    compiles = jitting.stats["compiles"]
    out2 = step(new, X, Y)
    assert jitting.stats["compiles"] == compiles
    assert_close(out2, jax_train_step(jax_out[2], X, Y))


@pytest.mark.parametrize("out_shardings", [False, True], ids=["propagated", "requested"])
def test_2d_training_step(single_device_step, out_shardings):
    batch = NS(MESH2, P("data"))
    params = {"w1": NS(MESH2, P(None, "model")), "w2": NS(MESH2, P("model", None))}
    outs = (NS(MESH2, P()), params, params) if out_shardings else None
    step = plait.jit(train_step, in_shardings=(params, batch, batch), out_shardings=outs)
    out = step(PARAMS, X, Y)
    assert_close(out, single_device_step)
    jax_out = jax.jit(jax_train_step, in_shardings=(params, batch, batch))(PARAMS, X, Y)
    assert_close(out, jax_out)
    want = {"w1": P(None, "model"), "w2": P("model")}
    assert specs(out) == specs(jax_out) == (P(), want, want)
    for leaf in jax.tree_util.tree_leaves(out[1:]):
        assert [s.data.shape for s in leaf.addressable_shards] == [
            (8, 3) if leaf.shape == (8, 6) else (3, 4)] * 8
    text = step.lower(PARAMS, X, Y).as_text("plait")
    assert 'sdy.mesh @mesh = <["data"=4, "model"=2]>' in text
    assert sdy(("data",), ("model",)) in op_line(text, "tanh")
    dots = [ln for ln in text.splitlines() if '"plait.dot_general"' in ln]
    assert sum(sdy((), ("model",)) in ln for ln in dots) >= 1  # gradient of w1 (8x6)
    assert 'tensor<8x6xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"model"}]>}' in text


def test_with_sharding_constraint_relayouts_an_intermediate():
    f = plait.jit(lambda a: plait.with_sharding_constraint(
        pnp.sin(a), NS(MESH2, P(None, "model"))) * 2, in_shardings=NS(MESH2, P("data")))
    lowered = f.lower(X)
    text = lowered.as_text("plait")
    assert sdy(("data",), ()) in op_line(text, "sin")
    constraint = op_line(text, "sharding_constraint")
    assert 'sharding = #sdy.sharding<@mesh, [{}, {"model"}]>' in constraint
    assert sdy((), ("model",)) in constraint
    assert sdy((), ("model",)) in op_line(text, "mul")  # after it: the constrained layout
    assert 'sdy.sharding_constraint %' in lowered.as_text("stablehlo")
    out = f(X)
    assert_close(out, np.sin(X) * 2)
    assert out.sharding.spec == P(None, "model")
    # a gradient through the constraint is constrained alike and agrees with jax
    g = plait.jit(plait.grad(lambda a: pnp.sum(plait.with_sharding_constraint(
        pnp.tanh(a), NS(MESH2, P("data", "model"))) ** 2)))
    assert op_line(g.lower(X).as_text("plait"), "sharding_constraint")
    assert_close(g(X), jax.grad(lambda a: jnp.sum(jnp.tanh(a) ** 2))(X))


def test_with_sharding_constraint_under_vmap():
    xs = RNG.normal(size=(3, 16, 8)).astype(np.float32)
    f = plait.jit(plait.vmap(lambda a: plait.with_sharding_constraint(a * 2, NS(MESH2, P("data")))))
    out = f(xs)
    assert_close(out, xs * 2)
    assert out.sharding.spec == P(None, "data")  # the batch dimension is not sharded


# --- device_put ------------------------------------------------------------------------------

def test_device_put_shards():
    a = plait.device_put(X, NS(MESH2, P("data", "model")))
    assert isinstance(a, plait.Array) and a.sharding.spec == P("data", "model")
    shards = a.addressable_shards
    assert [s.data.shape for s in shards] == [(4, 4)] * 8
    assert [s.device for s in shards] == list(MESH2.devices.flat)
    for s in shards:
        np.testing.assert_array_equal(np.asarray(s.data), X[s.index])
    np.testing.assert_array_equal(np.asarray(a), X)
    b = plait.device_put(a, NS(MESH1, P(None, "data")))  # resharded onto another mesh
    assert [s.data.shape for s in b.addressable_shards] == [(16, 1)] * 8
    np.testing.assert_array_equal(np.asarray(b), X)
    c = plait.device_put(X, NS(MESH2, P("model")))  # replicated over "data"
    assert [s.data.shape for s in c.addressable_shards] == [(8, 8)] * 8
    d = plait.device_put(np.arange(8), NS(MESH1, P("data")))  # dtypes are kept
    assert d.dtype == np.int64 and [s.data.shape for s in d.addressable_shards] == [(1,)] * 8


def test_device_put_pytree():
    tree = plait.device_put({"x": X, "ws": [PARAMS["w1"], PARAMS["w2"]]},
                            {"x": NS(MESH1, P("data")), "ws": NS(MESH1, P())})
    assert tree["x"].sharding.spec == P("data") and tree["ws"][1].sharding.spec == P()
    assert_close(tree, {"x": X, "ws": [PARAMS["w1"], PARAMS["w2"]]})
    with user_error(plait.PlaitValueError, "do not match the pytree"):
        plait.device_put({"x": X}, {"y": NS(MESH1, P())})


# --- shard_map collectives vs NumPy ----------------------------------------------------------

V16 = np.arange(16 * 4, dtype=np.float32).reshape(16, 4)
V8 = np.arange(8 * 6, dtype=np.float32).reshape(8, 6)
V84 = np.arange(8 * 4, dtype=np.float32).reshape(8, 4)
RING = [(i, (i + 1) % 8) for i in range(8)]
COLLECTIVES = {
    "psum": (lambda a: lax.psum(a, "data"), MESH1, P("data"), P(), V16,
             V16.reshape(8, 2, 4).sum(0)),
    "pmean": (lambda a: lax.pmean(a, "data"), MESH1, P("data"), P(), V16,
              V16.reshape(8, 2, 4).mean(0)),
    "all_gather": (lambda a: lax.all_gather(a, "data"), MESH1, P("data"), P(), V16,
                   V16.reshape(8, 2, 4)),
    "all_gather_tiled": (lambda a: lax.all_gather(a, "data", tiled=True), MESH1, P("data"),
                         P(), V16, V16),
    "all_gather_axis1": (lambda a: lax.all_gather(a, "data", axis=1), MESH1, P("data"),
                         P(), V16, V16.reshape(8, 2, 4).transpose(1, 0, 2)),
    "psum_scatter": (lambda a: lax.psum_scatter(a, "data"), MESH1, P(), P("data"), V8,
                     8 * V8.reshape(-1)),
    "psum_scatter_tiled": (lambda a: lax.psum_scatter(a, "data", tiled=True), MESH1, P(),
                           P("data"), V16, 8 * V16),
    "psum_scatter_tiled_dim1": (
        lambda a: lax.psum_scatter(a, "data", scatter_dimension=1, tiled=True), MESH1,
        P("data"), P(None, "data"), np.tile(V16[:2, :1], (8, 8)),
        8 * np.tile(V16[:2, :1], (1, 8))),
    "ppermute_ring": (lambda a: lax.ppermute(a, "data", RING), MESH1, P("data"), P("data"),
                      V16, np.roll(V16.reshape(8, 2, 4), 1, axis=0).reshape(16, 4)),
    "pmax": (lambda a: lax.pmax(pnp.abs(a - 30), "data"), MESH1, P("data"), P(), V16,
             np.abs(V16 - 30).reshape(8, 2, 4).max(0)),
    "pmin_model_2d": (lambda a: lax.pmin(pnp.abs(a - 5), "model"), MESH2, P("data", "model"),
                      P("data"), V84, np.minimum(np.abs(V84[:, :2] - 5), np.abs(V84[:, 2:] - 5))),
    # member j's block k of the split axis goes to member k, as block j of its concat axis:
    # member k ends with column k of the whole array
    "all_to_all": (lambda a: lax.all_to_all(a, "data", 1, 0, tiled=True), MESH1, P("data"),
                   P("data"), np.arange(64 * 8, dtype=np.float32).reshape(64, 8),
                   np.arange(64 * 8, dtype=np.float32).reshape(64, 8).T.reshape(512, 1)),
    "all_to_all_untiled": (lambda a: lax.all_to_all(a, "data", 1, 1), MESH1, P("data"),
                           P("data"), V8[:, :1] * np.ones((8, 8), np.float32),
                           np.tile(V8[:, :1].T, (8, 1))),
    "psum_model_2d": (lambda a: lax.psum(a, "model"), MESH2, P("data", "model"), P("data"),
                      V84, V84[:, :2] + V84[:, 2:]),
    "axis_index_data_2d": (
        lambda a: a + lax.axis_index("data").astype(np.float32), MESH2, P("data", "model"),
        P("data", "model"), np.zeros((8, 4), np.float32),
        np.broadcast_to(np.repeat(np.arange(4.0), 2)[:, None], (8, 4))),
    "axis_index_model_2d": (
        lambda a: a + lax.axis_index("model").astype(np.float32), MESH2, P("data", "model"),
        P("data", "model"), np.zeros((8, 4), np.float32),
        np.broadcast_to(np.repeat(np.arange(2.0), 2)[None, :], (8, 4))),
}


@pytest.mark.parametrize("name", list(COLLECTIVES))
def test_shard_map_collective(name):
    body, mesh, in_spec, out_spec, x, expected = COLLECTIVES[name]
    out = plait.shard_map(body, mesh, in_specs=in_spec, out_specs=out_spec)(x)
    np.testing.assert_allclose(np.asarray(out), expected)
    assert out.sharding.spec == out_spec


def test_shard_map_inside_sharded_jit_keeps_out_specs():
    f = plait.jit(lambda a: pnp.cos(plait.shard_map(
        lambda b: lax.ppermute(b, "data", RING), MESH1, in_specs=P("data"),
        out_specs=P("data"))(a)), in_shardings=NS(MESH1, P()))
    text = f.lower(V16).as_text("plait")
    assert sdy(("data",), ()) in op_line(text, "cos")  # propagated from the out_specs
    out = f(V16)
    assert out.sharding.spec == P("data")
    np.testing.assert_allclose(np.asarray(out), np.cos(COLLECTIVES["ppermute_ring"][-1]),
                               rtol=1e-6)


# --- shard_map under grad, jvp and vmap, vs jax ----------------------------------------------

def jsm(f, mesh, in_specs, out_specs, **kw):
    return jax.shard_map(f, mesh=mesh, in_specs=in_specs, out_specs=out_specs, **kw)


W = PARAMS["w1"]
GRAD_CASES = {
    "psum_replicated_w": (
        lambda w, a: lax.psum(pnp.sum(pnp.tanh(a @ w)), "data"),
        lambda w, a: jax.lax.psum(jnp.sum(jnp.tanh(a @ w)), "data"),
        MESH1, (P(), P("data")), P(), (W, X)),
    "2d_sharded_out": (
        lambda w, a: pnp.tanh(a @ w), lambda w, a: jnp.tanh(a @ w),
        MESH2, (P(None, "model"), P("data")), P("data", "model"), (W[:, :4], X)),
    "2d_replicated_w": (
        lambda w, a: pnp.tanh(a @ w), lambda w, a: jnp.tanh(a @ w),
        MESH2, (P(), P("data")), P("data"), (W, X)),
    "all_replicated": (
        lambda w, a: pnp.sin(a) * pnp.sum(w), lambda w, a: jnp.sin(a) * jnp.sum(w),
        MESH2, (P(), P()), P(), (W, X)),
    "pmean": (lambda a: lax.pmean(a * a, "data"), lambda a: jax.lax.pmean(a * a, "data"),
              MESH1, P("data"), P(), (V16 / 64,)),
    "psum_scatter": (
        lambda a: lax.psum_scatter(a * a, "data", tiled=True),
        lambda a: jax.lax.psum_scatter(a * a, "data", tiled=True),
        MESH1, P(), P("data"), (V16 / 64,)),
    "ppermute": (lambda a: lax.ppermute(a * a, "data", RING),
                 lambda a: jax.lax.ppermute(a * a, "data", RING),
                 MESH1, P("data"), P("data"), (V16 / 64,)),
    "all_to_all": (lambda a: lax.all_to_all(a * a, "data", 1, 0, tiled=True),
                   lambda a: jax.lax.all_to_all(a * a, "data", 1, 0, tiled=True),
                   MESH1, P("data"), P("data"), (np.arange(16 * 8.0).reshape(16, 8) / 64,)),
    "all_to_all_untiled": (lambda a: lax.all_to_all(pnp.sin(a), "data", 0, 1),
                           lambda a: jax.lax.all_to_all(jnp.sin(a), "data", 0, 1),
                           MESH1, P(None, "data"), P("data"),
                           (np.arange(64.0).reshape(8, 8) / 64,)),
    "psum_2d_axes": (
        lambda w, a: lax.psum(lax.psum(pnp.tanh(a @ w).sum(0), "data"), "model"),
        lambda w, a: jax.lax.psum(jnp.tanh(a @ w).sum(0), ("data", "model")),
        MESH2, (P(None, "model"), P("data")), P(), (W[:, :4], X)),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_grad_of_shard_map(name):
    pf, jf, mesh, in_specs, out_specs, args = GRAD_CASES[name]
    argnums = tuple(range(len(args)))

    def ploss(*a):
        return pnp.sum(pnp.sin(plait.shard_map(pf, mesh, in_specs, out_specs)(*a)))

    def jloss(*a):
        return jnp.sum(jnp.sin(jsm(jf, mesh, in_specs, out_specs)(*a)))

    assert_close(plait.grad(ploss, argnums=argnums)(*args),
                 jax.grad(jloss, argnums=argnums)(*args), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("tiled", [False, True])
def test_grad_of_shard_map_all_gather(tiled):
    """A gathered (replicated) result's cotangent is not counted once per device."""
    def ploss(a):
        return pnp.sum(pnp.sin(plait.shard_map(lambda b: lax.all_gather(b * b, "data", tiled=tiled),
                                               MESH1, P("data"), P())(a)))
    assert_close(plait.grad(ploss)(V16 / 64), jax.grad(lambda a: jnp.sum(jnp.sin(a * a)))(V16 / 64))


def test_grad_of_shard_map_closure_and_second_order():
    def ploss(w):
        return pnp.sum(plait.shard_map(lambda a: lax.psum(pnp.tanh(a @ w).sum(0), "data"),
                                       MESH2, P("data"), P())(X) ** 2)

    def jloss(w):
        return jnp.sum(jsm(lambda a: jax.lax.psum(jnp.tanh(a @ w).sum(0), "data"),
                           MESH2, P("data"), P())(X) ** 2)

    assert_close(plait.jit(plait.grad(ploss), in_shardings=NS(MESH2, P(None, "model")))(W),
                 jax.grad(jloss)(W), rtol=2e-5, atol=2e-5)
    v = np.ones_like(W)
    assert_close(plait.grad(lambda w: pnp.sum(plait.grad(ploss)(w) * v))(W),
                 jax.grad(lambda w: jnp.sum(jax.grad(jloss)(w) * v))(W), rtol=1e-4, atol=1e-4)


def test_jvp_of_shard_map():
    def pf(w, a):
        return plait.shard_map(lambda w, a: lax.psum(pnp.tanh(a @ w), "data"), MESH1,
                               (P(), P("data")), P())(w, a)

    def jf(w, a):
        return jsm(lambda w, a: jax.lax.psum(jnp.tanh(a @ w), "data"), MESH1,
                   (P(), P("data")), P())(w, a)

    tangents = (np.ones_like(W), X)
    assert_close(plait.jvp(pf, (W, X), tangents), jax.jvp(jf, (W, X), tangents))
    # forward mode: one shard_map computing outputs and tangents, no residuals passed out
    text = plait.jit(lambda w, a: plait.jvp(pf, (w, a), tangents)).lower(W, X).as_text("plait")
    assert text.count('"plait.shard_map"') == 1


def _smap2d(np_, lax_, shard_map):
    def body(a):
        return lax_.psum(a.sum(0), "data") * lax_.axis_index("model").astype(np.float32)
    return shard_map(body, MESH2, P("data", "model"), P("model"))


def test_vmap_of_shard_map():
    xs = RNG.normal(size=(3, 16, 8)).astype(np.float32)
    pf = _smap2d(pnp, lax, plait.shard_map)
    jf = _smap2d(jnp, jax.lax, jsm)
    expected = jax.vmap(jf)(xs)
    assert_close(plait.vmap(pf)(xs), expected)
    assert_close(plait.vmap(pf, in_axes=1)(xs.transpose(1, 0, 2)), expected)
    assert_close(plait.grad(lambda a: pnp.sum(plait.vmap(pf)(a) ** 2))(xs),
                 jax.grad(lambda a: jnp.sum(jax.vmap(jf)(a) ** 2))(xs))
    # an unbatched (replicated) operand next to a batched one
    pg = plait.shard_map(lambda w, a: pnp.tanh(a @ w), MESH1, (P(), P("data")), P("data"))
    jg = jsm(lambda w, a: jnp.tanh(a @ w), MESH1, (P(), P("data")), P("data"))
    assert_close(plait.vmap(pg, in_axes=(None, 0))(W, xs), jax.vmap(jg, in_axes=(None, 0))(W, xs))


# --- gradients inside a shard_map body: jax's check_vma ---------------------------------------
# plait differentiates as jax's check_vma=False does; under jax's default (check_vma=True) a
# replicated value's cotangent is summed over the axes it meets varying values along, and a
# psum transposes to a copy. Where that could change a gradient taken inside the body, plait
# refuses unless check_vma=False is passed; where it cannot, both agree with jax's default.

def _inner_grad_of_replicated(np_, grad, lax_):
    def body(w, a):
        return lax_.pmean(grad(lambda w: np_.sum(np_.tanh(a @ w)))(w), "data")
    return body


def _inner_grad_through_psum(np_, grad, lax_):
    def body(a):
        return grad(lambda a: lax_.psum(np_.sum(np_.sin(a) * a), "data"))(a)
    return body


INNER_GRADS = {  # (body builder, in_specs, out_specs, args)
    "replicated_w": (_inner_grad_of_replicated, (P(), P("data")), P(), (W, X)),
    "psum": (_inner_grad_through_psum, P("data"), P("data"), (X,)),
}


@pytest.mark.parametrize("name", list(INNER_GRADS))
def test_inner_grad_that_jax_check_vma_changes_is_refused(name):
    build, in_specs, out_specs, args = INNER_GRADS[name]
    body = build(pnp, plait.grad, lax)
    f = plait.shard_map(body, MESH1, in_specs, out_specs)
    grad_line = first_line(build) + 2  # the error names the line differentiating in the body
    for call in (lambda: plait.jit(f)(*args), lambda: f(*args)):
        raises_at(plait.PlaitValueError, call, grad_line, "check_vma=False", "'data'",
                  here=__file__)
    # with check_vma=False (or its old name check_rep) plait is jax's check_vma=False ...
    want = jsm(build(jnp, jax.grad, jax.lax), MESH1, in_specs, out_specs, check_vma=False)(*args)
    for kw in ({"check_vma": False}, {"check_rep": False}):
        got = plait.shard_map(body, MESH1, in_specs, out_specs, **kw)(*args)
        assert_close(got, want, rtol=1e-5, atol=1e-5)
    # ... which differs from jax's default by the number of devices along 'data'
    default = jsm(build(jnp, jax.grad, jax.lax), MESH1, in_specs, out_specs)(*args)
    assert not np.allclose(np.asarray(default), np.asarray(want))


def test_inner_grad_where_check_vma_agrees_matches_jax_default():
    """Differentiated values varying over every axis the function reads, no psum inside:
    jax's default and plait agree, so nothing is refused."""
    def body(np_, grad, lax_):
        def f(w, a):
            ga = grad(lambda a: np_.sum(np_.tanh(a @ w)))(a)        # w read, not differentiated
            gw = grad(lambda w: np_.sum(w * w))(w)                   # only replicated values
            gs = grad(lambda a: lax_.all_gather(a, "data", tiled=True).sum())(a)
            return ga * 2 + gs, lax_.psum(gw, "data")
        return f
    in_specs, out_specs = (P(), P("data")), (P("data"), P())
    got = plait.shard_map(body(pnp, plait.grad, lax), MESH1, in_specs, out_specs)(W, X)
    assert_close(got, jsm(body(jnp, jax.grad, jax.lax), MESH1, in_specs, out_specs)(W, X))


def test_shard_map_check_vma_and_check_rep_must_agree():
    with pytest.raises(plait.PlaitValueError, match="check_vma and check_rep"):
        plait.shard_map(lambda a: a, MESH1, P(), P(), check_vma=True, check_rep=False)


# --- bad shardings: typed errors naming the caller's line -------------------------------------

BAD_SPECS = {"too_long": (P("data", None, None), "has 3 entries but the .* has rank 2"),
             "not_divisible": (P(None, "data"), r"dimension 1 of the .* \(size 6\) is not "
                                                r"divisible by its mesh axes \('data',\)")}
X6 = np.ones((16, 6), np.float32)
APIS = {
    "device_put": lambda s: plait.device_put(X6, s),
    "jit_in_shardings": lambda s: plait.jit(lambda a: a + 1, in_shardings=s)(X6),
    "jit_out_shardings": lambda s: plait.jit(lambda a: a + 1, out_shardings=s)(X6),
    "with_sharding_constraint": lambda s: plait.jit(lambda a: plait.with_sharding_constraint(a, s))(X6),
    "shard_map_in_specs": lambda s: plait.shard_map(lambda a: a, s.mesh, s.spec, P())(X6),
}


@pytest.mark.parametrize("api", list(APIS))
@pytest.mark.parametrize("bad", list(BAD_SPECS))
def test_bad_sharding_is_a_typed_error(api, bad):
    spec, match = BAD_SPECS[bad]
    fn = APIS[api]
    with pytest.raises(plait.PlaitValueError, match=match) as info:
        fn(NS(MESH2, spec))
    assert str(info.value).startswith(f"{__file__}:{fn.__code__.co_firstlineno}: ")


def test_axis_not_in_mesh():
    # plait.sharding.NamedSharding checks it when it is made (jax's own raises a bare ValueError)
    with user_error(plait.PlaitValueError, "names axis 'nope', which is not an axis of the mesh"):
        NamedSharding(MESH2, P("nope"))
    assert isinstance(NS(MESH2, P("data")), jax.sharding.NamedSharding)
    # shard_map's bare PartitionSpecs, for in and out specs
    with user_error(plait.PlaitValueError, "names axis 'nope', which is not an axis of the mesh"):
        plait.shard_map(lambda a: a, MESH2, in_specs=P("nope"), out_specs=P())(X6)
    with user_error(plait.PlaitValueError, "names axis 'nope', which is not an axis of the mesh"):
        plait.shard_map(lambda a: a, MESH2, in_specs=P(), out_specs=P("nope"))(X6)
    with user_error(plait.PlaitValueError, "has 3 entries but the shard_map result has rank 2"):
        plait.shard_map(lambda a: a, MESH2, in_specs=P(), out_specs=P("data", None, None))(X6)
    with user_error(plait.PlaitTypeError, "expected a PartitionSpec"):
        plait.shard_map(lambda a: a, MESH2, in_specs=None, out_specs=P())(X6)
    # an axis of another mesh: a program uses one mesh
    with user_error(plait.PlaitValueError, "uses one mesh"):
        plait.jit(lambda a: plait.with_sharding_constraint(a, NS(MESH1, P("data"))),
                  in_shardings=NS(MESH2, P("model")))(X6)
    with user_error(plait.PlaitValueError, "uses one mesh"):
        plait.jit(lambda a, b: a + b, in_shardings=(NS(MESH1, P("data")), NS(MESH2, P())))(X6, X6)


def test_collective_outside_shard_map():
    with user_error(plait.PlaitValueError, "unbound axis name 'data'"):
        plait.jit(lambda a: lax.psum(a, "data"))(X6)
    with user_error(plait.PlaitValueError, "unbound axis name 'nope'"):
        plait.shard_map(lambda a: lax.psum(a, "nope"), MESH2, P("data"), P())(X6)


# --- mis-sharded inputs: resharded to what the program was compiled for ----------------------

def _other_layouts():
    return {
        "other_spec": plait.device_put(X, NS(MESH2, P(None, "model"))),
        "other_mesh": plait.device_put(X, NS(MESH1, P("data"))),
        "device_subset": plait.device_put(X, NS(Mesh(DEVICES[:4], ("data",)), P("data"))),
        "one_device": plait.Array(jax.device_put(X, DEVICES[3])),
        "host": X,
    }


def test_mis_sharded_input_is_resharded():
    step = plait.jit(lambda a: pnp.sin(a) * 2, in_shardings=NS(MESH2, P("data")))
    compiled = step.lower(X).compile()
    reversed_mesh = Mesh(DEVICES[::-1].reshape(4, 2), ("data", "model"))
    on_reversed = plait.jit(lambda a: pnp.sin(a) * 2, in_shardings=NS(reversed_mesh, P("data")))
    for name, arg in _other_layouts().items():
        for f in (step, compiled, on_reversed):
            out = f(arg)
            assert_close(out, np.sin(X) * 2)
            assert out.sharding.spec == P("data"), name
    assert on_reversed(X).sharding.mesh == reversed_mesh


def test_sharded_input_without_in_shardings_compiles_for_its_layout():
    f = plait.jit(lambda a: pnp.sin(a) * 2)
    for spec in (P("data"), P(None, "model")):
        out = f(plait.device_put(X, NS(MESH2, spec)))
        assert_close(out, np.sin(X) * 2)
        assert out.sharding.spec == spec
    assert_close(f(X), np.sin(X) * 2)  # and unsharded again
    # a closure array laid out differently from the argument
    cap = plait.device_put(X, NS(MESH2, P(None, "model")))
    g = plait.jit(lambda a: a + cap, in_shardings=NS(MESH2, P("data")))
    assert_close(g(X), 2 * X)


@pytest.mark.parametrize("case", ["jit_scalar_arg", "device_put_scalar", "eager_add_scalar"])
def test_scalar_inputs_of_sharded_programs(case):
    xs = plait.device_put(X, NS(MESH1, P("data")))
    if case == "jit_scalar_arg":
        out = plait.jit(lambda a, lr: a * lr, in_shardings=(NS(MESH1, P("data")), NS(MESH1, P())))(
            X, np.float32(2.0))
    elif case == "device_put_scalar":
        out = 2 * X + 0 * np.asarray(plait.device_put(np.float32(2.0), NS(MESH1, P())))
    else:
        out = xs + xs + 0.0
    assert_close(out, 2 * X)


@pytest.mark.parametrize("transform", ["grad", "jvp", "vmap"])
def test_eager_transformations_of_sharded_arrays(transform):
    xs = plait.device_put(X, NS(MESH1, P("data")))
    if transform == "grad":
        assert_close(plait.grad(lambda a: pnp.sum(a * a))(xs), 2 * X)
    elif transform == "jvp":
        assert_close(plait.jvp(lambda a: a * 2, (xs,), (xs,))[1], 2 * X)
    else:
        assert_close(plait.vmap(lambda a: a * 2)(xs), 2 * X)


@pytest.mark.parametrize("case", ["jax_array_on_8_devices", "array_on_device_3"])
def test_unsharded_program_given_arrays_elsewhere(case):
    if case == "jax_array_on_8_devices":
        arg = jax.device_put(X, NS(MESH1, P("data")))
    else:
        arg = plait.Array(jax.device_put(X, DEVICES[3]))
    assert_close(plait.jit(lambda a: a * 2)(arg), 2 * X)


def test_propagation_names_each_mesh_axis_once():
    """The batch dimension takes b's "data"; a's free dimension, also on "data", must not."""
    a, b = RNG.normal(size=(8, 8)).astype(np.float32), RNG.normal(size=(8, 4)).astype(np.float32)
    f = plait.jit(lambda a, b: pnp.einsum("bm,bn->bmn", a, b),
                  in_shardings=(NS(MESH2, P("data")), NS(MESH2, P(None, "data"))))
    out = f(a, b)
    assert_close(out, np.einsum("bm,bn->bmn", a, b))
    assert out.sharding.spec == P("data")


# --- propagation through indexing and control flow -------------------------------------------

IDX = np.array([3, 1, 0, 2, 7, 5, 6, 4, 15, 9, 12, 8], np.int32)


def indexing_and_control_flow(np_, lax_, x, idx):
    return (x[idx] * 2,                                                  # gather
            x.at[idx].add(1.0),                                          # scatter
            np_.concatenate([x[8:], x[:8]]),                             # slice, concatenate
            np_.pad(x, ((2, 2), (0, 0))),
            lax_.dynamic_update_slice(x, lax_.dynamic_slice(x, (idx[0], 0), (4, 8)) + 1,
                                      (idx[1], 0)),
            lax_.cond(x.sum() > 0, lambda b: b * 2, lambda b: b - 1, x),
            *lax_.scan(lambda c, r: (c + r, c * r), x[0] * 0, x),
            lax_.while_loop(lambda v: v[0] < 3, lambda v: (v[0] + 1, v[1] * 2 + 1), (0, x))[1])


def hlo_shardings(text: str) -> list:
    """(op name, enclosing op name, its printed sdy.sharding or None) for every op of the
    StableHLO module, regions included."""
    from plait._mlir import CONTEXT, ir

    found = []

    def walk(op, parent):
        for region in op.regions:
            for block in region.blocks:
                for o in block.operations:
                    o = o.operation
                    s = o.attributes["sdy.sharding"] if "sdy.sharding" in o.attributes else None
                    found.append((o.name, parent, s and f"sdy.sharding = {s}"))
                    walk(o, o.name)

    with CONTEXT:
        walk(ir.Module.parse(text).operation, None)
    return found


def test_propagation_through_indexing_and_control_flow():
    """Rows sharded over "data", columns over "model": what slices, pads, joins or indexes
    the rows keeps "model" only; the rest, and the regions of cond/scan/while, keep both."""
    f = plait.jit(lambda x, i: indexing_and_control_flow(pnp, lax, x, i),
                  in_shardings=(NS(MESH2, P("data", "model")), NS(MESH2, P())))
    out = f(X, IDX)
    assert_close(out, jax.jit(lambda x, i: indexing_and_control_flow(jnp, jax.lax, x, i))(X, IDX))
    cols, both = P(None, "model"), P("data", "model")
    assert [a.sharding.spec for a in out] == [cols, both, cols, cols, both, both, P("model"),
                                              cols, both]
    found = hlo_shardings(f.lower(X, IDX).as_text("stablehlo"))

    def at(name, parent=None):
        return [s for n, p, s in found if n == f"stablehlo.{name}" and (parent is None or
                                                                      p == parent)]

    cols, both = sdy((), ("model",)), sdy(("data",), ("model",))
    assert at("gather") == [cols]
    assert at("scatter") == [both]
    assert cols in at("concatenate") and at("pad") == [cols]
    assert at("dynamic_slice", "func.func") == [cols]
    assert at("dynamic_update_slice", "func.func") == [both]
    assert at("case") == [both]
    assert at("subtract", "stablehlo.case") == at("multiply", "stablehlo.case") == [both]
    # the scan's body: each row of x, without "data"; the while_loop's: the carry as given
    assert at("multiply", "stablehlo.while") == [sdy(("model",)), both]
    assert ("sdy.sharding = #sdy.sharding_per_value<[<@mesh, []>, <@mesh, "
            '[{"data"}, {"model"}]>]>') in at("while")
