"""plait.export: a jitted function as bytes, run in another process without its source; values
are checked against NumPy, and a stored artifact pins the format."""

import collections
import pathlib
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest
from jax.sharding import Mesh, NamedSharding, PartitionSpec

import plait
import plait.numpy as pnp
from plait import export

F32 = np.float32
DATA = pathlib.Path(__file__).parent / "data"
RNG = np.random.default_rng(0)
W, B, X = (RNG.standard_normal(s).astype(F32) for s in ((4, 3), (3,), (2, 4)))
SCALE = np.array([0.5, 1.0, 2.0], F32)


def _model_np(params, x):  # what test/data/export_v1.plait computes (it closes over SCALE)
    h = np.tanh(x @ params["w"] + params["b"])
    return {"out": h * SCALE, "norm": [np.sum(h ** 2)]}


def _model(params, x):
    h = pnp.tanh(x @ params["w"] + params["b"])
    return {"out": h * SCALE, "norm": [pnp.sum(h ** 2)]}


def _check(out, expected):
    assert jax.tree_util.tree_structure(out) == jax.tree_util.tree_structure(expected)
    for a, e in zip(jax.tree_util.tree_leaves(out), jax.tree_util.tree_leaves(expected)):
        np.testing.assert_allclose(np.asarray(a), e, rtol=1e-5, atol=1e-6)


def test_round_trip_in_process():
    exp = export.export(_model)({"w": W, "b": plait.ShapeDtypeStruct((3,), F32)}, X)
    back = export.deserialize(exp.serialize())
    assert back.in_avals == exp.in_avals and back.out_avals == exp.out_avals
    assert back.in_tree == exp.in_tree and back.out_tree == exp.out_tree
    for e in (exp, back):
        _check(e.call({"w": W, "b": B}, X), _model_np({"w": W, "b": B}, X))
    assert "stablehlo.tanh" in back.mlir_module()


def test_the_stored_version_1_artifact_still_runs():
    exp = export.deserialize((DATA / "export_v1.plait").read_bytes())
    assert exp.calling_convention_version == 1
    _check(exp.call({"w": W, "b": B}, X), _model_np({"w": W, "b": B}, X))


def test_another_process_runs_it_without_the_source(tmp_path):
    f = plait.jit(lambda w, x, n: pnp.sum(pnp.sin(x @ w) ** n), static_argnums=2)
    path = tmp_path / "f.plait"
    path.write_bytes(export.export(plait.jit(plait.grad(f), static_argnums=2))(W, X, 3).serialize())
    script = textwrap.dedent(f"""
        import numpy as np, plait
        exp = plait.export.deserialize(open({str(path)!r}, "rb").read())
        w = np.load({str(tmp_path / "w.npy")!r}); x = np.load({str(tmp_path / "x.npy")!r})
        np.save({str(tmp_path / "g.npy")!r}, np.asarray(exp.call(w, x)))
    """)
    np.save(tmp_path / "w.npy", W)
    np.save(tmp_path / "x.npy", X)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)
    s = X @ W  # d/dw sum(sin(xw)^3) = x^T (3 sin^2 cos)
    np.testing.assert_allclose(np.load(tmp_path / "g.npy"),
                               X.T @ (3 * np.sin(s) ** 2 * np.cos(s)), rtol=1e-5, atol=1e-6)


def test_static_arguments_are_baked_in():
    exp = export.export(plait.jit(lambda x, k: x * k, static_argnums=1))(X, 3)
    np.testing.assert_allclose(exp.call(X), X * 3)


def test_calls_with_other_arguments_are_typed_errors():
    exp = export.export(_model)({"w": W, "b": B}, X)
    with pytest.raises(plait.PlaitTypeError, match="exported for"):
        exp.call({"w": W, "b": B}, X[:1])
    with pytest.raises(plait.PlaitTypeError, match="exported for arguments"):
        exp.call({"w": W}, X)
    with pytest.raises(plait.PlaitTypeError, match="inside a plait trace"):
        plait.jit(lambda x: exp.call({"w": W, "b": B}, x))(X)
    _check(exp.call({"w": W, "b": B}, X), _model_np({"w": W, "b": B}, X))  # still works


def test_what_cannot_be_exported_is_a_typed_error():
    Pair = collections.namedtuple("Pair", "a b")
    with pytest.raises(plait.PlaitTypeError, match="pytree node of type Pair"):
        export.export(lambda p: p.a + p.b)(Pair(X, X))
    mesh = Mesh(np.array(jax.devices()[:8]), ("x",))
    sharded = plait.jit(lambda x: x * 2, in_shardings=NamedSharding(mesh, PartitionSpec("x")))
    with pytest.raises(plait.PlaitValueError, match="mesh"):
        export.export(sharded)(np.ones((8, 2), F32))
    with pytest.raises(plait.PlaitValueError, match="platform"):
        export.export(pnp.sin, platform="tpu")


def test_corrupt_or_newer_artifacts_are_typed_errors():
    data = (DATA / "export_v1.plait").read_bytes()
    with pytest.raises(plait.PlaitValueError, match="not a serialized plait Exported"):
        export.deserialize(data[: len(data) // 2])
    with pytest.raises(plait.PlaitValueError, match="not a serialized plait Exported"):
        export.deserialize(b"garbage")
    newer = export.deserialize(data)
    newer.calling_convention_version = export.CALLING_CONVENTION_VERSION + 1
    with pytest.raises(plait.PlaitValueError, match="calling convention version"):
        export.deserialize(newer.serialize())
