"""The staging and runtime API researchers reach for first (jax's names, jax as the oracle):
eval_shape and ShapeDtypeStruct, jit(f).trace/.lower/.compile and their analyses, devices,
device_get, block_until_ready, plait.config as a context manager, debug.check_grads."""

import sys

import jax
import jax.numpy as jnp
import jax.test_util
import numpy as np
import pytest
from jax.sharding import Mesh, NamedSharding, PartitionSpec
from usersite import raises_at

import plait
import plait.numpy as pnp
from plait.jitting import stats

F32 = np.float32


def _mlp(np_):
    def f(params, x):
        h = np_.tanh(x @ params["w"] + params["b"])
        return {"out": np_.sum(h, axis=-1), "mean": np_.mean(h), "n": x.shape[0] * 2.0}
    return f


def _shapes(tree):
    return jax.tree_util.tree_map(lambda s: (s.shape, np.dtype(s.dtype), s.weak_type), tree)


PARAMS = {"w": np.ones((4, 3), F32), "b": np.zeros(3, F32)}


@pytest.mark.parametrize("x", [np.ones((5, 4), F32), jax.ShapeDtypeStruct((5, 4), F32),
                               plait.ShapeDtypeStruct((5, 4), F32)])
def test_eval_shape_matches_jax_and_compiles_nothing(x):
    compiles = stats["compiles"]
    ours = plait.eval_shape(_mlp(pnp), PARAMS, x)
    theirs = jax.eval_shape(_mlp(jnp), PARAMS, jax.ShapeDtypeStruct((5, 4), F32))
    assert _shapes(ours) == _shapes(theirs)
    assert all(isinstance(s, plait.ShapeDtypeStruct) for s in jax.tree_util.tree_leaves(ours))
    assert stats["compiles"] == compiles


def test_eval_shape_of_a_transformation_and_of_bad_shapes():
    g = plait.eval_shape(plait.grad(lambda w, x: pnp.sum(pnp.tanh(x @ w))),
                         plait.ShapeDtypeStruct((4, 3), F32), plait.ShapeDtypeStruct((5, 4), F32))
    assert (g.shape, g.dtype) == ((4, 3), F32)
    with pytest.raises(plait.PlaitTypeError):
        plait.eval_shape(lambda a, b: a @ b, plait.ShapeDtypeStruct((2, 3), F32),
                         plait.ShapeDtypeStruct((4, 5), F32))


def test_a_shape_dtype_struct_has_no_value_to_run_on():
    f = plait.jit(lambda x: x + 1)
    line = sys._getframe().f_lineno + 1
    raises_at(plait.PlaitTypeError, lambda: f(plait.ShapeDtypeStruct((3,), F32)), line,
              "has no value", here=__file__)
    np.testing.assert_array_equal(f(np.zeros(3, F32)), np.ones(3, F32))  # and f still works


def test_shape_dtype_struct_is_jax_like():
    s = plait.ShapeDtypeStruct([2, 3], "float32")
    assert (s.shape, s.dtype, s.ndim, s.size, s.weak_type) == ((2, 3), F32, 2, 6, False)
    assert s == plait.ShapeDtypeStruct((2, 3), np.float32) and len({s, s}) == 1
    assert s != plait.ShapeDtypeStruct((2, 3), np.float64)
    with pytest.raises(plait.PlaitTypeError):
        plait.ShapeDtypeStruct((2,), object)


def test_trace_lower_compile_stages():
    f = plait.jit(lambda x: pnp.sin(x) @ x)
    traced = f.trace(plait.ShapeDtypeStruct((8, 8), F32))
    assert _shapes(traced.out_info) == (((8, 8), F32, False))
    assert "plait.sin" in traced.as_text()
    lowered = traced.lower()
    assert lowered is traced.lower()
    assert "plait.sin" in traced.as_text()  # still the module as traced
    assert "stablehlo.sine" in lowered.as_text()
    compiled = lowered.compile()
    x = np.linspace(0, 1, 64, dtype=F32).reshape(8, 8)
    np.testing.assert_allclose(compiled(x), np.sin(x) @ x, rtol=1e-5)
    assert compiled.memory_analysis() is not None


def test_cost_analysis_matches_jax():
    x = jax.ShapeDtypeStruct((16, 32), F32)
    y = jax.ShapeDtypeStruct((32, 8), F32)
    ours = plait.jit(lambda a, b: a @ b).lower(x, y)
    theirs = jax.jit(lambda a, b: a @ b).lower(x, y)
    assert ours.cost_analysis()["flops"] == theirs.cost_analysis()["flops"] == 2 * 16 * 32 * 8
    assert ours.compile().cost_analysis()["flops"] == theirs.compile().cost_analysis()["flops"]


def test_a_sharded_shape_dtype_struct_lowers_sharded():
    mesh = Mesh(np.array(jax.devices()[:8]), ("x",))
    s = plait.ShapeDtypeStruct((16, 4), F32, sharding=NamedSharding(mesh, PartitionSpec("x")))
    lowered = plait.jit(lambda a: a * 2).lower(s)
    assert "sdy.sharding" in lowered.as_text()
    with pytest.raises(NotImplementedError):
        lowered.cost_analysis()
    assert lowered.compile().cost_analysis()["flops"] > 0


def test_devices_are_jaxs():
    assert plait.devices() == jax.devices()
    assert plait.local_devices() == jax.local_devices()
    assert plait.device_count() == jax.device_count() == 8
    assert plait.local_device_count() == jax.local_device_count()
    assert plait.default_backend() == jax.default_backend()
    assert (plait.process_index(), plait.process_count()) == (0, 1)


def test_device_get_and_block_until_ready_on_pytrees():
    tree = {"a": pnp.arange(3.0), "b": [jnp.ones(2), 7, "tag"], "c": np.zeros(1)}
    host = plait.device_get(tree)
    assert type(host["a"]) is np.ndarray and type(host["b"][0]) is np.ndarray
    np.testing.assert_array_equal(host["a"], [0.0, 1.0, 2.0])
    assert host["b"][1:] == [7, "tag"]
    assert plait.block_until_ready(tree) is tree


def test_config_override_restores_settings_and_keys_the_caches():
    f = plait.jit(lambda x: x * 1.5)
    assert f(2).dtype == F32
    with plait.config.override(default_float="float64", debug_checks=True):
        assert plait.config.default_float == np.float64 and plait.config.debug_checks
        assert f(2).dtype == np.float64
    assert f(2).dtype == F32 and not plait.config.debug_checks
    with pytest.raises(ZeroDivisionError), plait.config.override(default_int="int64"):
        assert pnp.asarray(1).dtype == np.int64
        raise ZeroDivisionError
    assert plait.config.default_int == np.int32
    plait.config.update("default_float", np.float64)
    try:
        assert pnp.asarray(1.0).dtype == np.float64
    finally:
        plait.config.update("default_float", F32)
    with pytest.raises(plait.PlaitValueError, match="no setting 'x64'"):
        plait.config.update("x64", True)
    with pytest.raises(plait.PlaitValueError), plait.config.override(nope=1):
        pass


# --- check_grads ---------------------------------------------------------------------------

def _wrong_jvp():
    @plait.custom_jvp
    def f(x):
        return pnp.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return pnp.sin(x), pnp.cos(x) * t * 1.01  # 1% off
    return f


def _wrong_vjp():
    @plait.custom_vjp
    def f(x):
        return x ** 3

    f.defvjp(lambda x: (x ** 3, x), lambda x, ct: (2 * x ** 2 * ct,))  # should be 3 x^2
    return f


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_check_grads_accepts_right_derivatives(dtype):
    x = np.array([0.3, -1.2, 2.0], dtype)
    plait.debug.check_grads(lambda a, b: pnp.sin(a) * pnp.exp(b / 4), (x, x[::-1].copy()), 2)
    plait.debug.check_grads(lambda p: {"s": pnp.sum(p["w"] ** 2)}, ({"w": x},), 3, modes=["rev"])


def test_check_grads_accepts_complex_holomorphic_functions():
    z = np.array([0.3 + 0.2j, -1.0 + 0.5j], np.complex128)
    plait.debug.check_grads(lambda v: pnp.sin(v) * v, (z,), 1, modes=["fwd"])


def test_check_grads_rejects_wrong_derivatives_like_jax():
    x = np.array([0.3, -1.2, 2.0])
    with pytest.raises(AssertionError, match="order 1 JVP: tangent"):
        plait.debug.check_grads(_wrong_jvp(), (x,), 1, modes=["fwd"])
    with pytest.raises(AssertionError, match="order 1 VJP: cotangent projection"):
        plait.debug.check_grads(_wrong_vjp(), (x,), 1, modes=["rev"])
    jax_wrong = jax.custom_vjp(lambda v: v ** 3)
    jax_wrong.defvjp(lambda v: (v ** 3, v), lambda v, ct: (2 * v ** 2 * ct,))
    with pytest.raises(AssertionError):  # the oracle agrees the rule is wrong
        jax.test_util.check_grads(jax_wrong, (x,), 1, modes=["rev"])


def test_check_grads_finds_a_wrong_second_derivative():
    @plait.custom_jvp
    def three_x2(x):
        return 3 * x ** 2

    @three_x2.defjvp
    def three_x2_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return 3 * x ** 2, 5 * x * t  # should be 6 x

    @plait.custom_jvp
    def cube(x):
        return x ** 3

    @cube.defjvp
    def cube_jvp(primals, tangents):  # right, through a function whose derivative is wrong
        (x,), (t,) = primals, tangents
        return x ** 3, three_x2(x) * t

    x = np.array([0.5, 1.5])
    plait.debug.check_grads(cube, (x,), 1)
    with pytest.raises(AssertionError, match="order 2 JVP: tangent"):
        plait.debug.check_grads(cube, (x,), 2, modes=["fwd"])


def test_check_grads_bad_arguments():
    with pytest.raises(plait.PlaitValueError, match="modes"):
        plait.debug.check_grads(pnp.sin, (np.ones(2),), 1, modes=["forward"])
    with pytest.raises(plait.PlaitValueError, match="order"):
        plait.debug.check_grads(pnp.sin, (np.ones(2),), 0)
    with pytest.raises(plait.PlaitTypeError, match="int32"):
        plait.debug.check_grads(pnp.sin, (np.ones(2, np.int32),), 1)


def test_a_program_with_nothing_to_expand_skips_the_cleanup_passes():
    """Forward-only programs go to lowering as traced (cleanup would cost more than tracing);
    one with a transformation or a custom rule is expanded and cleaned (its dead op erased)."""
    def fwd(x):
        pnp.tanh(x)  # dead: XLA drops it
        return pnp.cos(x)

    low = plait.jit(fwd).lower(np.float32(1.0))
    assert low.as_text("plait") == low.as_text("traced")
    assert float(plait.jit(fwd)(np.float32(1.0))) == pytest.approx(np.cos(1.0))
    low = plait.jit(plait.grad(fwd)).lower(np.float32(1.0))
    assert "plait.vjp" in low.as_text("traced") and "plait.vjp" not in low.as_text("plait")
    assert "plait.tanh" not in low.as_text("plait")
