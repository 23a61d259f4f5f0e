"""plait.jit: values, pytrees, static arguments, the compile cache, stages and errors."""

import logging
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from usersite import first_line, raises_at

import plait
import plait.numpy as pnp
from plait import jitting as jit_mod
from plait.ir.funcs import symbol_name

HERE = os.path.abspath(__file__)


def _compiles():
    return jit_mod.stats["compiles"]


def test_values_match_numpy():
    f = plait.jit(lambda x, y: pnp.sin(x) * y + 1.0)
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(f(x, x), np.sin(x) * x + 1.0, rtol=1e-6)


def test_pytrees_in_and_out():
    @plait.jit
    def f(params, xs):
        return {"sum": params["w"] @ xs[0] + params["b"], "n": (xs[1] * 2,)}

    w = np.ones((2, 3), np.float32)
    out = f({"w": w, "b": np.float32(1)}, [np.arange(3, dtype=np.float32), np.int32(4)])
    np.testing.assert_allclose(out["sum"], w @ np.arange(3) + 1)
    assert isinstance(out["n"], tuple) and int(out["n"][0]) == 8


def test_cache_hits_do_not_retrace():
    f = plait.jit(lambda x: x * 2)
    x = np.ones(5, np.float32)
    f(x)
    before = _compiles()
    for _ in range(5):
        f(x)
        f(pnp.asarray(x))
    assert _compiles() == before
    f(np.ones(6, np.float32))
    assert _compiles() == before + 1


def test_fresh_lambda_with_new_closure_arrays_reuses_program():
    x = np.ones(4, np.float32)
    results, before = [], None
    for step in range(4):
        batch = pnp.asarray(np.full(4, step, np.float32))
        g = plait.jit(lambda v: v + batch)  # noqa: B023  (a fresh lambda, a new array)
        results.append(np.asarray(g(x)))
        if step == 0:
            before = _compiles()
    assert _compiles() == before
    for step, r in enumerate(results):
        np.testing.assert_allclose(r, x + step)  # closure arrays are inputs, not constants


# Module-level names rebound by the tests below, as a script's top-level training loop does.
BATCH = None
ACT = None


def _scaled_by_batch(v):
    return v * BATCH


def test_fresh_lambda_reading_rebound_globals_sees_new_values():
    global BATCH, ACT
    x = np.linspace(0.1, 1.0, 4, dtype=np.float32)
    before = None
    for step, act in enumerate([pnp.sin, pnp.cos, pnp.exp]):
        BATCH, ACT = np.full(4, step + 1, np.float32), act
        np.testing.assert_allclose(plait.jit(lambda v: ACT(v) * BATCH)(x),  # noqa: B023
                                   getattr(np, act.__name__)(x) * (step + 1), rtol=1e-6)
        np.testing.assert_allclose(plait.grad(lambda v: (v * BATCH).sum())(x),  # noqa: B023
                                   np.full(4, step + 1.0), rtol=1e-6)
        np.testing.assert_allclose(plait.jit(lambda v: _scaled_by_batch(v))(x),
                                   x * (step + 1), rtol=1e-6)
        before = before if step else _compiles()
    # A global array is an implicit input (one program per function), also when a called
    # function of the module reads it; a function is part of the key.
    assert _compiles() - before == 2 + 0 + 0


class _Scale:
    def __init__(self, k):
        self.k = k

    def apply(self, x):
        return x * self.k * BATCH


def test_bound_methods_of_different_objects_do_not_share_a_program():
    global BATCH
    BATCH = np.float32(2)
    x = np.ones(2, np.float32)
    for k in (1.0, 3.0):
        np.testing.assert_allclose(plait.jit(_Scale(k).apply)(x), x * k * 2)
        np.testing.assert_allclose(plait.vmap(_Scale(k).apply)(x), x * k * 2)
        np.testing.assert_allclose(plait.grad(lambda v: _Scale(k).apply(v).sum())(x),  # noqa: B023
                                   np.full(2, k * 2))


def test_closure_arrays_are_lifted_not_baked():
    w = pnp.asarray(np.arange(3, dtype=np.float32))
    f = plait.jit(lambda x: x * w)
    text = f.lower(np.ones(3, np.float32)).as_text("traced")
    assert "dense<[0.0" not in text and "tensor<3xf32>, %arg1: tensor<3xf32>" in text


def test_static_argnums_and_argnames():
    @plait.jit
    def f(x, n):
        return x * n

    g = plait.jit(lambda x, n: pnp.sum(x, axis=n), static_argnums=1)
    h = plait.jit(lambda x, axis: pnp.sum(x, axis=axis), static_argnames="axis")
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(g(x, 0), x.sum(0))
    np.testing.assert_allclose(g(x, 1), x.sum(1))
    np.testing.assert_allclose(h(x, axis=1), x.sum(1))
    np.testing.assert_allclose(h(x, 0), x.sum(0))
    np.testing.assert_allclose(f(x, 3), x * 3)


def test_weak_types_follow_jax():
    f = plait.jit(lambda x: x * 2.0)
    assert f(np.ones(2, np.float16)).dtype == np.float16
    assert f(3.0).dtype == jnp.asarray(3.0).dtype
    assert f(3.0).weak_type == jax.jit(lambda x: x * 2.0)(3.0).weak_type


def test_float64_is_kept():
    f = plait.jit(lambda x: x + 1)
    out = f(np.arange(3, dtype=np.float64) / 3)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(np.asarray(out), np.arange(3) / 3 + 1)


def test_lower_stages_and_compile():
    f = plait.jit(lambda x: pnp.exp(x).sum())
    lowered = f.lower(np.ones(3, np.float32))
    assert '"plait.exp"' in lowered.as_text("traced")
    assert "stablehlo.exponential" in lowered.as_text("stablehlo")
    assert "plait." not in lowered.as_text("stablehlo")
    compiled = lowered.compile()
    np.testing.assert_allclose(compiled(np.zeros(3, np.float32)), 3.0)


def test_make_mlir_prints_traced_module():
    text = plait.make_mlir(lambda x: pnp.tanh(x))(np.ones((2, 2), np.float32))
    assert '"plait.tanh"' in text and "func.func @main" in text


def test_log_compiles_explains_misses(monkeypatch, caplog):
    monkeypatch.setenv("PLAIT_LOG_COMPILES", "1")

    def scale(x, factor):
        return x * factor

    f = plait.jit(scale, static_argnums=1)
    with caplog.at_level(logging.WARNING, logger="plait"):
        f(np.ones(3, np.float32), 2)
        f(np.ones(4, np.float32), 2)
        f(np.ones(4, np.float32), 3)
    msgs = [r.getMessage() for r in caplog.records]
    assert "first call" in msgs[0]
    assert "x: float32[3] -> float32[4]" in msgs[1]
    assert "static arguments changed" in msgs[2]


def test_nested_jit_is_inlined():
    inner = plait.jit(lambda x: x * 3)
    outer = plait.jit(lambda x: inner(x) + 1)
    np.testing.assert_allclose(outer(np.ones(2, np.float32)), 4.0)
    assert "func.call" not in outer.lower(np.ones(2, np.float32)).as_text("plait")


def test_jax_array_interop_zero_copy():
    ja = jnp.arange(4.0)
    pa = pnp.asarray(ja)
    assert pa.to_jax() is ja
    np.testing.assert_allclose(plait.jit(lambda x: x * 2)(ja), np.arange(4.0) * 2)


def test_dlpack_both_ways():
    host = np.arange(6, dtype=np.float32).reshape(2, 3)
    pa = pnp.from_dlpack(host)
    assert isinstance(pa, plait.Array) and pa.dtype == np.float32
    np.testing.assert_array_equal(np.from_dlpack(pa), host)
    pointer = lambda a: a.to_jax().unsafe_buffer_pointer()
    assert pointer(pnp.from_dlpack(pa)) == pointer(pa)  # plait -> plait shares the buffer
    np.testing.assert_array_equal(jax.dlpack.from_dlpack(pa), host)
    with pytest.raises(plait.PlaitTypeError, match="__dlpack__"):
        pnp.from_dlpack([1, 2])


def test_jax_converts_plait_arrays_without_a_copy():
    # (jax 0.10 no longer calls __jax_array__ when it abstractifies arguments, so
    # jnp.sin(plait_array) and jax.device_put need jnp.asarray or .to_jax() first)
    pa = pnp.arange(4.0)
    pointer = pa.to_jax().unsafe_buffer_pointer()
    ja = jnp.asarray(pa)
    assert isinstance(ja, jax.Array) and ja.unsafe_buffer_pointer() == pointer
    np.testing.assert_array_equal(jnp.array(pa), np.arange(4.0))  # jnp.array copies
    np.testing.assert_allclose(jnp.sin(jnp.asarray(pa)), np.sin(np.arange(4.0)), rtol=1e-6)
    np.testing.assert_allclose(jax.jit(lambda a: a * 2)(pa.to_jax()), np.arange(4.0) * 2)


@pytest.mark.parametrize("shape, dt, spec", [
    ((), np.float32, ".4f"), ((), np.float32, ""), ((), np.float64, "10.3e"), ((), np.int32, "d"),
    ((), np.int8, ">5"), ((), np.bool_, ""), ((), np.complex64, ".2f"), ((3,), np.float32, ""),
    ((2, 2), np.int32, ""),
])
def test_array_format_matches_jax(shape, dt, spec):
    """`f"{loss:.4f}"`: a 0-d array formats as its scalar, as a jax.Array does."""
    host = (np.arange(int(np.prod(shape))) + 1.25).reshape(shape).astype(dt)
    with jax.enable_x64(True):
        want = format(jnp.asarray(host), spec)
    assert format(pnp.asarray(host), spec) == want
    assert format(plait.jit(lambda x: x)(host), spec) == want  # a jit output


def test_array_format_spec_on_nd_array_is_a_type_error_as_in_jax():
    host = np.ones(3, np.float32)
    with pytest.raises(TypeError):
        format(jnp.asarray(host), ".4f")
    with pytest.raises(TypeError):
        format(pnp.asarray(host), ".4f")
    assert f"loss {pnp.mean(pnp.asarray(host) * 0.12345):.3f}" == "loss 0.123"


def test_tree_util_is_a_module_of_jax_tree_util_api():
    from plait.tree_util import tree_map  # what a user writes

    jtu, mod = jax.tree_util, sys.modules["plait.tree_util"]
    assert plait.tree_util is mod and mod.__name__ == "plait.tree_util"
    assert tree_map is jtu.tree_map
    public = {n for n in dir(jtu) if not n.startswith("_")}
    assert {n for n in public if getattr(mod, n, None) is getattr(jtu, n)} == public
    assert set(mod.__all__) == public
    assert tree_map(lambda a: a * 2, {"a": pnp.ones(2)})["a"].tolist() == [2.0, 2.0]

# --- errors --------------------------------------------------------------------------------

def test_error_shape_mismatch_names_user_line():
    f = plait.jit(lambda x, y: x + y)
    with pytest.raises(plait.PlaitTypeError, match=r"test_jit.py:\d+: .*cannot be broadcast"):
        f(np.ones(3, np.float32), np.ones(4, np.float32))


def test_error_dot_mismatch():
    f = plait.jit(lambda x, y: pnp.dot(x, y))
    with pytest.raises(plait.PlaitTypeError, match=r"test_jit.py:\d+: dot: shapes"):
        f(np.ones((2, 3), np.float32), np.ones((4, 2), np.float32))


def test_error_einsum_mismatch():
    f = plait.jit(lambda x, y: pnp.einsum("ij,jk->ik", x, y))
    with pytest.raises(plait.PlaitTypeError, match=r"test_jit.py:\d+: einsum 'ij,jk->ik' "
                                                   r"does not fit .* \(2, 3\), \(2, 3\)"):
        f(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32))


def test_error_dtype_not_allowed():
    f = plait.jit(lambda x: x & x)
    with pytest.raises(plait.PlaitTypeError, match=r"test_jit.py:\d+: .*bitwise_and"):
        f(np.ones(3, np.float32))


def test_error_integer_to_negative_power_eager_and_jit_alike():
    with pytest.raises(TypeError):  # jax: a static negative exponent of integers raises
        jnp.array([2, 3]) ** -1
    a = pnp.array([2, 3])
    for call in (lambda: a ** -1, lambda: plait.jit(lambda v: v ** -1)(a),
                 lambda: pnp.power(np.array([2, 3]), -1)):
        raises_at(plait.PlaitTypeError, call, first_line(call), "negative powers", here=HERE)
    np.testing.assert_allclose(pnp.array([2.0, 4.0]) ** -1, [0.5, 0.25])
    np.testing.assert_array_equal(a ** 3, jnp.array([2, 3]) ** 3)


def test_error_python_control_flow_on_tracer():
    def f(x):
        if x.sum() > 0:
            return x
        return -x

    with pytest.raises(plait.ConcretizationError, match=r"test_jit.py:\d+: bool\(\)"):
        plait.jit(f)(np.ones(3, np.float32))
    with pytest.raises(plait.ConcretizationError, match="int"):
        plait.jit(lambda x: int(x))(np.int32(3))


def test_error_escaped_tracer():
    leaked = []

    def f(x):
        leaked.append(x)
        return x

    plait.jit(f)(np.ones(2, np.float32))
    g = plait.jit(lambda y: y + leaked[0])
    with pytest.raises(plait.EscapedTracerError, match=r"test_jit.py:\d+: .*escaped tracer"):
        g(np.ones(2, np.float32))
    with pytest.raises(plait.EscapedTracerError):
        pnp.sin(leaked[0])


def test_error_unhashable_static_argument():
    f = plait.jit(lambda x, axes: pnp.sum(x, axis=axes), static_argnums=1)
    with pytest.raises(plait.PlaitValueError, match=r"test_jit.py:\d+: static argument 1 .*list"):
        f(np.ones((2, 2), np.float32), [0])


def test_error_non_array_argument():
    with pytest.raises(plait.PlaitTypeError, match="not an array"):
        plait.jit(lambda x: x)("hello")


def test_python_fallback_path_matches(monkeypatch):
    from plait.runtime import fastpath

    monkeypatch.setattr(fastpath, "AVAILABLE", False)
    f = plait.jit(lambda x, y: {"a": x @ y, "b": y.T})
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = f(x, x.T)
    np.testing.assert_allclose(out["a"], x @ x.T)
    np.testing.assert_allclose(out["b"], x)
    assert f._cpp is None


def test_unknown_keyword_and_static_argname_are_typed_errors_at_the_user_line():
    def f(x, scale=1.0):
        return x * scale

    line = sys._getframe().f_lineno + 1
    raises_at(plait.PlaitTypeError, lambda: plait.jit(f)(np.ones(3), sclae=2.0), line,
              "unexpected keyword argument 'sclae'", here=__file__)
    line = sys._getframe().f_lineno + 1
    raises_at(plait.PlaitValueError, lambda: plait.jit(f, static_argnames="nope"), line,
              "static_argnames 'nope'", here=__file__)
    assert float(plait.jit(f, static_argnames="scale")(np.ones(()), scale=3.0)) == 3.0
    assert float(plait.jit(lambda **kw: kw["a"] * 2)(a=np.ones(()))) == 2.0


def test_a_function_named_main_can_be_transformed_under_jit():
    # the traced `main` once took the entry point's name, and the program lost its grad
    def main(x):
        return pnp.sum(pnp.sin(x) * x)

    x = np.linspace(-1, 1, 5, dtype=np.float32)
    expected = np.asarray(jax.grad(lambda x: jnp.sum(jnp.sin(x) * x))(x))
    np.testing.assert_allclose(plait.jit(lambda x: plait.grad(main)(x) * 2)(x), 2 * expected,
                               rtol=1e-6)
    np.testing.assert_allclose(plait.jit(main)(x), np.sum(np.sin(x) * x), rtol=1e-6)


def _symbol_name_calls(n):
    """How often tracing and lowering n grad calls in one program reads a function's name."""
    code = symbol_name.__code__
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call" and frame.f_code is code:
            count += 1

    fs = [(lambda k: lambda x: pnp.sum(pnp.sin(x) * k))(float(i)) for i in range(n)]
    sys.setprofile(profile)
    try:
        plait.jit(lambda x: sum(plait.grad(f)(x) for f in fs)).lower(np.ones(3, np.float32))
    finally:
        sys.setprofile(None)
    return count


def test_naming_and_finding_generated_functions_is_linear_in_their_number():
    # each generated function's name once came from a walk of every function in the module
    small, large = _symbol_name_calls(20), _symbol_name_calls(80)
    assert large < 5 * small, (small, large)
