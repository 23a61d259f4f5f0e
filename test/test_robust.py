"""Reliability: what used to crash the process, answer wrongly or raise a raw error.

Each input here once aborted or hung the process, returned a wrong value, or raised something
other than a typed plait error at the user's line. A case that crashed the process runs in a
subprocess, so a regression fails the test instead of killing the run. Expected values come
from NumPy and jax.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from usersite import first_line, raises_at

import plait
import plait.numpy as pnp
from plait.tools import opt

HERE = __file__


def run_isolated(code: str, timeout: float = 300) -> str:
    """Run `code` in a fresh interpreter (a crash or hang there fails only this test); returns
    its stdout. The code must print what the test checks."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ))
    assert proc.returncode == 0, f"exit status {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc.stdout


# --- shapes XLA cannot hold: checked before XLA sees them ---------------------------------------

def test_shape_overflow_is_a_typed_error_in_a_subprocess():
    out = run_isolated("""
        import plait, plait.numpy as pnp
        for f in (lambda: pnp.reshape(pnp.zeros((0,)), (2**62, 8, 0)),
                  lambda: plait.jit(lambda x: pnp.broadcast_to(x, (3, 2**62, 2)))(
                      pnp.ones((3, 1, 2))),
                  lambda: pnp.broadcast_to(pnp.ones(2), (3, 2**62, 2)),
                  lambda: pnp.zeros((2**40, 2**30)),
                  lambda: plait.jit(lambda: pnp.zeros((2**61, 2), pnp.float32))()):
            try:
                f()
                print("no error")
            except plait.PlaitValueError as e:
                print(type(e).__name__, "too big" in str(e), str(e).startswith("<string>:"))
    """)
    assert out.split() == ["PlaitValueError", "True", "True"] * 5, out


def test_plait_opt_rejects_a_shape_xla_cannot_hold(tmp_path):
    big = "tensor<4611686018427387904x8x0xf32>"
    cases = {
        "op": f'''func.func @f(%a: tensor<0xf32>) -> {big} {{
  %0 = "plait.reshape"(%a) {{new_sizes = array<i64: 4611686018427387904, 8, 0>}} : (tensor<0xf32>) -> {big}
  return %0 : {big}
}}''',
        "argument": f'''func.func @g(%a: {big}) -> {big} {{
  return %a : {big}
}}''',
    }
    for name, text in cases.items():
        path = tmp_path / f"{name}.mlir"
        path.write_text(text + "\n")
        proc = subprocess.run([sys.executable, "-m", "plait.tools.opt", str(path),
                               "--plait-lower-to-stablehlo"], capture_output=True, text=True)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        line = 2 if name == "op" else 1
        assert f"{path}:{line}:" in proc.stderr and "array is too big" in proc.stderr, \
            proc.stderr


def _cond_nest(n: int) -> str:
    """A function whose body is `n` plait.cond ops, each nested in the first branch of the
    one before (the predicate passed down, as regions are isolated from above)."""
    t = "tensor<4xf32>"
    lines = [f"func.func @f(%i: tensor<i32>, %x: {t}) -> {t} {{"]
    v, p = "%x", "%i"
    for k in range(n):
        lines += [f'%r{k} = "plait.cond"({p}, {p}, {v}) ({{',
                  f"^bb0(%p{k}: tensor<i32>, %a{k}: {t}):"]
        v, p = f"%a{k}", f"%p{k}"
    lines.append(f'"plait.yield"({v}) : ({t}) -> ()')
    for k in reversed(range(n)):
        lines += ["}, {", f"^bb0(%q{k}: tensor<i32>, %b{k}: {t}):",
                  f'"plait.yield"(%b{k}) : ({t}) -> ()',
                  f"}}) : (tensor<i32>, tensor<i32>, {t}) -> {t}",
                  f'"plait.yield"(%r{k}) : ({t}) -> ()' if k else f"return %r0 : {t}"]
    return "\n".join(lines + ["}", ""])


def test_plait_opt_on_deeply_nested_input_in_a_subprocess(tmp_path):
    """100k-deep types and attributes overflowed the C stack in MLIR's parser; a 1600-deep
    cond nest reported a RecursionError, and an 800-deep one took ~10 s to verify (quadratic
    isolation check)."""
    n = 100_000
    inputs = {
        "tuple": f"func.func @f(%x: {'tuple<' * n}f32{'>' * n}) {{\n  return\n}}\n",
        "attr": f"func.func @f() attributes {{a = {'[' * n}{']' * n}}} {{\n  return\n}}\n",
        "dict": f"func.func @f() attributes {{a = {'{a = ' * n}1{'}' * n}}} {{\n  return\n}}\n",
        "cond1600": _cond_nest(1600),
        "cond1000": _cond_nest(1000),
    }
    for name, text in inputs.items():
        (tmp_path / f"{name}.mlir").write_text(text)
    out = run_isolated(f"""
        import contextlib, io
        from plait.tools.opt import main
        def opt(*args):
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                rc = main([*args, "-o", "/dev/null"])
            return rc, err.getvalue()
        d = {str(tmp_path)!r}
        for name in ("tuple", "attr", "dict", "cond1600"):
            rc, err = opt(f"{{d}}/{{name}}.mlir")
            print(name, rc, "nested more than 2048 deep" in err, "Error" in err)
        print("cond1000", *opt(f"{{d}}/cond1000.mlir"))
        for p in ("cse", "dce", "expand", "inline", "simplify", "lower-to-stablehlo"):
            rc, err = opt(f"{{d}}/cond1000.mlir", "--plait-" + p)
            print(p, rc, err)
    """)
    lines = out.splitlines()
    assert lines[:4] == [f"{k} 1 True False" for k in ("tuple", "attr", "dict", "cond1600")], out
    assert lines[4] == "cond1000 0 ", out
    assert all(ln.endswith(" 0 ") for ln in lines[5:]), out


_SIN = """func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""
_JVP_OF_G = """func.func @h(%x: tensor<4xf32>, %t: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "plait.jvp"(%x, %t) {callee = @g, diff_args = array<i64: 0>} : (tensor<4xf32>, \
tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}
"""


@pytest.mark.parametrize("text, where, message", [
    (_JVP_OF_G.replace("@g", "1 : i64"), 2,
     "'plait.jvp' attribute 'callee' expected a symbol reference, got 1 : i64"),
    (_JVP_OF_G + """func.func private @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.custom_jvp_call"(%x) {callee = @f, jvp = @nope} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
""" + _SIN, 6, "'plait.custom_jvp_call' attribute 'jvp' refers to @nope, which is not a "
        "function of this module"),
    (_JVP_OF_G + """func.func private @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @f(%x) {plait.remat = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
""" + _SIN, 6, "'func.call' attribute 'plait.remat' must be a string (a checkpoint policy), "
        "got 1 : i64"),
    (_JVP_OF_G.replace("array<i64: 0>", "array<ui64: 0>") + _SIN.replace("@f", "@g"), 2,
     "'plait.jvp' attribute 'diff_args' is unreadable"),
])
def test_plait_opt_names_the_op_and_attribute_a_pass_cannot_read(tmp_path, capsys, text,
                                                                  where, message):
    path = tmp_path / "in.mlir"
    path.write_text(text)
    assert opt.main([str(path), "--plait-expand"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:{where}:" in err and message in err, err
    assert "internal error" not in err and "Error" not in err, err


@pytest.mark.parametrize("attr", ["{callee = 1 : i64}", "{callee = @f}"])
def test_plait_opt_ignores_symbols_on_ops_that_name_no_function(tmp_path, capsys, attr):
    """A discardable `callee` on a func.return names nothing: it was read as a symbol."""
    path = tmp_path / "in.mlir"
    path.write_text(_JVP_OF_G + _SIN.replace("@f", "@g").replace("return %0", f"return {attr} "
                                                                  "%0"))
    assert opt.main([str(path), "--plait-expand"]) == 0, capsys.readouterr().err


def test_plait_opt_on_a_function_without_return_in_a_subprocess(tmp_path):
    """MLIR takes an unregistered last op for a terminator; plait's passes crashed on it."""
    path = tmp_path / "in.mlir"
    path.write_text(_JVP_OF_G + _SIN.replace("@f", "@g").replace(
        "  return %0 : tensor<4xf32>\n", ""))
    proc = subprocess.run([sys.executable, "-m", "plait.tools.opt", str(path), "--plait-expand"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert f"{path}:5:" in proc.stderr and "@g's body must end with func.return" in proc.stderr


@pytest.mark.parametrize("shape", [(2.5,), 2.0, ("3",), None])
def test_shape_of_non_ints_is_a_type_error(shape):
    with pytest.raises(TypeError):
        np.zeros(shape)
    for make in (pnp.zeros, pnp.ones, pnp.empty):
        call = lambda make=make: make(shape)  # noqa: E731
        raises_at(plait.PlaitTypeError, call, first_line(call), "shape", here=HERE)


@pytest.mark.parametrize("make", [lambda: pnp.zeros(-1), lambda: pnp.full((2, -3), 1.0),
                                  lambda: pnp.tile(pnp.ones(3), -1),
                                  lambda: pnp.tile(pnp.ones(3), (2, -1)),
                                  lambda: pnp.repeat(pnp.ones(3), -1),
                                  lambda: pnp.repeat(pnp.ones(3), [1, -1, 2]),
                                  lambda: pnp.reshape(pnp.ones(0), (-2, 0))])
def test_negative_sizes_are_value_errors(make):
    raises_at(plait.PlaitValueError, make, first_line(make), "negative", here=HERE)


def test_a_traced_shape_says_shapes_are_static():
    for body in (lambda n: pnp.zeros(n), lambda n: pnp.ones((2, n))):
        raises_at(plait.ConcretizationError, lambda body=body: plait.jit(body)(3),
                  first_line(body),
                  "shape must hold static ints", "static_argnums", here=HERE)
    assert plait.jit(lambda n: pnp.zeros(n), static_argnums=0)(3).shape == (3,)


def test_reshape_takes_numpy_ints_and_one_free_dimension():
    x = np.arange(12.0, dtype=np.float32)
    for shape in [(np.int64(3), -1), (-1,), np.int32(12), (2, 2, 3)]:
        np.testing.assert_array_equal(pnp.reshape(x, shape), np.reshape(x, shape))


# --- reductions: accumulation dtypes, identities, degenerate sizes ------------------------------

F16S = [np.float16, jnp.bfloat16]


@pytest.mark.parametrize("dt", F16S)
def test_mean_and_var_of_half_floats_accumulate_in_float32(dt):
    x = np.ones(100000, dt)
    assert float(pnp.mean(x)) == float(jnp.mean(x)) == 1.0
    assert pnp.mean(x).dtype == jnp.mean(x).dtype == dt
    y = (np.arange(100000) % 7 * 40).astype(dt)
    for f in ("mean", "var", "std"):
        got, want = getattr(pnp, f)(y), getattr(jnp, f)(y)
        assert got.dtype == want.dtype, f
        np.testing.assert_allclose(np.float32(got), np.float32(want), rtol=1e-2, err_msg=f)
    z = np.full((300, 300), 300, dt)  # sums past float16's range, and a constant: var 0
    np.testing.assert_array_equal(np.float32(pnp.var(z, axis=0)), np.zeros(300))
    np.testing.assert_array_equal(np.float32(pnp.mean(z, axis=1)), np.full(300, 300))
    j = plait.jit(lambda v: (pnp.mean(v), pnp.var(v)))(x)
    assert [float(v) for v in j] == [1.0, 0.0]


@pytest.mark.parametrize("dt", F16S)
def test_sum_of_half_floats_matches_jax(dt):
    x = (np.arange(4096) % 13 / 10).astype(dt)  # float16 accumulation loses the tail
    for f in ("sum", "prod", "cumsum"):
        got, want = getattr(pnp, f)(x), getattr(jnp, f)(x)
        assert got.dtype == want.dtype, f
        np.testing.assert_allclose(np.float32(got), np.float32(want), rtol=2e-3, err_msg=f)
    np.testing.assert_allclose(np.float32(pnp.sum(x, axis=0, dtype=dt)),
                               np.float32(jnp.sum(x, axis=0, dtype=dt)), rtol=2e-3)


@pytest.mark.parametrize("ddof", [0, 2, 3, 4, 7])
def test_var_and_std_with_ddof_past_the_size_follow_numpy(ddof):
    for x in (np.array([1.0, 2.0, 4.0], np.float32), np.ones((2, 3), np.float32)):
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "Degrees of freedom <= 0"
            want_var, want_std = np.var(x, ddof=ddof), np.std(x, axis=-1, ddof=ddof)
        np.testing.assert_allclose(pnp.var(x, ddof=ddof), want_var, rtol=1e-6)
        np.testing.assert_allclose(pnp.std(x, axis=-1, ddof=ddof), want_std, rtol=1e-6)
        np.testing.assert_allclose(plait.jit(lambda v: pnp.var(v, ddof=ddof))(x), want_var,
                                   rtol=1e-6)


U64 = np.array([[1, 2**63 + 5, 7], [2**64 - 1, 0, 3]], np.uint64)


@pytest.mark.parametrize("name", ["min", "max", "argmin", "argmax", "all", "any", "sum",
                                  "prod"])
def test_unsigned_reductions_match_numpy(name):
    small = (np.uint8, np.uint16, np.uint32) if name not in ("sum", "prod") else ()
    for x in [U64] + [np.array([3, np.iinfo(dt).max, 0, 5], dt) for dt in small + (np.uint64,)]:
        for axis in [None] + list(range(x.ndim)):
            want = getattr(np, name)(x, axis=axis)
            got = getattr(pnp, name)(x, axis=axis)
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(plait.jit(getattr(pnp, name), static_argnums=1)(
                x, axis), want)
    np.testing.assert_array_equal(plait.vmap(getattr(pnp, name))(U64),
                                  [getattr(np, name)(r) for r in U64])


def test_plait_opt_lowers_unsigned_64_bit_reductions(tmp_path):
    text = "\n".join(f'''func.func @{op}(%x: tensor<3xui64>) -> tensor<ui64> {{
  %0 = "plait.{op}"(%x) {{axes = array<i64: 0>}} : (tensor<3xui64>) -> tensor<ui64>
  return %0 : tensor<ui64>
}}''' for op in ("reduce_min", "reduce_and", "reduce_max"))
    path = tmp_path / "u64.mlir"
    path.write_text(text + "\n")
    proc = subprocess.run([sys.executable, "-m", "plait.tools.opt", str(path),
                           "--plait-lower-to-stablehlo"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("dense<18446744073709551615> : tensor<ui64>") == 2, proc.stdout


def test_full_of_the_largest_uint64_under_jit():
    out = plait.jit(lambda: pnp.full((2,), 2**64 - 1, np.uint64))()
    np.testing.assert_array_equal(out, np.full(2, 2**64 - 1, np.uint64))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reductions_of_empty_arrays_raise(name):
    with pytest.raises(ValueError):
        getattr(np, name)(np.zeros((0,)))
    for x in (pnp.zeros((0,)), pnp.zeros((2, 0))):
        call = lambda x=x: getattr(pnp, name)(x)  # noqa: E731
        raises_at(plait.PlaitValueError, call, first_line(call), "empty sequence", here=HERE)
    np.testing.assert_array_equal(getattr(pnp, name)(pnp.zeros((0, 2)), axis=1),
                                  np.zeros(0, np.int32))


# --- host data is copied, never aliased ----------------------------------------------------------

def aligned(n: int, dtype=np.float32) -> np.ndarray:
    """A zeroed NumPy array at a 64-byte boundary (what PJRT's zero-copy path aliases)."""
    dtype = np.dtype(dtype)
    raw = np.zeros(n * dtype.itemsize + 64, np.uint8)
    start = -raw.ctypes.data % 64
    out = raw[start:start + n * dtype.itemsize].view(dtype)
    assert out.ctypes.data % 64 == 0
    return out


@pytest.mark.parametrize("make", [pnp.array, pnp.asarray, plait.device_put,
                                  lambda a: plait.device_put(a, jax.devices()[1]),
                                  lambda a: pnp.asarray(a, np.float32)])
@pytest.mark.parametrize("n", [16, 1 << 20])
def test_arrays_made_from_numpy_do_not_alias_it(make, n):
    a = aligned(n)
    x = make(a)
    y = x * 2  # dispatched before the mutation
    a[:] = 5
    assert float(x[-1]) == 0 and float(y[-1]) == 0
    assert float(jnp.asarray(aligned(4))[0]) == 0  # (jax copies too)


@pytest.mark.parametrize("path", ["cpp", "python"])
def test_jit_snapshots_the_numpy_arrays_it_reads(path):
    """As jax.jit, which bakes them in when it traces; both dispatch paths alike."""
    for n in (16, 17):  # aligned or not
        a = aligned(n)
        f, g = plait.jit(lambda: a * 2), jax.jit(lambda: a * 2)  # noqa: B023
        call = f if path == "cpp" else lambda f=f: f.call_python((), {})[0]
        assert float(call()[0]) == float(g()[0]) == 0
        a[:] = 5
        for _ in range(3):
            assert float(call()[0]) == float(g()[0]) == 0, n


@pytest.mark.parametrize("dt", [np.float32, np.int32, np.uint8, np.float64, np.int64])
def test_jit_outputs_never_alias_numpy_arguments(dt):
    ident = plait.jit(lambda x, y: (x, {"y": y, "x": x}))
    for n in (16, 1 << 20):
        for _ in range(2):  # a miss, then the C++ path's hit
            a, b = aligned(n, dt), aligned(n, dt)
            outs = ident(a, b)
            a[:], b[:] = 7, 9
            assert [int(np.asarray(o)[-1]) for o in jax.tree.leaves(outs)] == [0, 0, 0]


# --- inputs jax and NumPy reject ------------------------------------------------------------------

def _jvp(t):
    return plait.jvp(lambda x: x * 2, (np.ones(3, np.float32),), (t,))


def _pullback(ct, eager=True):
    def run():
        _, pb = plait.vjp(lambda x: x * 2, np.ones(3, np.float32))
        return pb(ct)
    return run() if eager else plait.jit(run)()


BAD_TANGENTS = [np.ones(3, np.float64), np.ones(4, np.float32), np.ones((1, 3), np.float32),
                np.float32(1), np.ones(3, np.int32)]


@pytest.mark.parametrize("t", BAD_TANGENTS, ids=lambda t: f"{t.dtype}{list(np.shape(t))}")
def test_jvp_tangents_and_vjp_cotangents_must_match(t):
    """jax raises for each (a float64 tangent only with x64 on: plait keeps 64 bits)."""
    call = lambda: _jvp(t)  # noqa: E731
    raises_at(plait.PlaitTypeError, call, first_line(_jvp) + 1, "tangent of type", here=HERE)
    raises_at(plait.PlaitTypeError, lambda: plait.jit(call)(), first_line(_jvp) + 1,
              "tangent", here=HERE)
    for eager in (True, False):
        raises_at(plait.PlaitTypeError, lambda: _pullback(t, eager),  # noqa: B023
                  first_line(_pullback) + 3, "cotangent of type", here=HERE)


def test_matching_tangents_and_weak_scalars_are_accepted():
    x = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(_jvp(np.ones(3, np.float32))[1], np.full(3, 2.0))
    _, pb = plait.vjp(lambda v: pnp.sum(v * 2), x)
    np.testing.assert_array_equal(pb(1.0)[0], np.full(3, 2.0))  # a weak scalar: any float
    n, t0 = np.arange(3, dtype=np.int32), np.zeros(3, jax.dtypes.float0)
    want = jax.jvp(lambda x, n: x * n, (x, n), (x, t0))
    for got in (plait.jvp(lambda x, n: x * n, (x, n), (x, t0)),
                plait.jit(lambda: plait.jvp(lambda x, n: x * n, (x, n), (x, t0)))()):
        np.testing.assert_array_equal(got[1], want[1])


def test_linearize_checks_its_tangents():
    _, f_jvp = plait.linearize(lambda x: x * 2, np.ones(3, np.float32))
    np.testing.assert_array_equal(f_jvp(np.ones(3, np.float32)), np.full(3, 2.0))
    with pytest.raises(plait.PlaitTypeError, match="tangent of type float32\\[4\\]"):
        f_jvp(np.ones(4, np.float32))


def test_an_int_too_big_for_the_default_dtype_is_a_typed_error():
    with pytest.raises(OverflowError):
        jnp.array(2**40)
    for data in (2**40, [1, 2**40], -2**40):
        call = lambda data=data: pnp.array(data)  # noqa: E731
        raises_at(plait.PlaitTypeError, call, first_line(call), "does not fit in int32",
                  here=HERE)
    assert int(pnp.array(2**40, np.int64)) == 2**40


def test_a_list_operand_eagerly_is_what_it_is_under_jit():
    for dt in (np.float32, np.int8):
        x = pnp.ones(3, dt)
        for got in (x + [1, 2, 3], [1, 2, 3] + x, pnp.add(x, (1, 2, 3)),
                    plait.jit(lambda v: v + [1, 2, 3])(x)):
            want = jnp.ones(3, dt) + jnp.asarray([1, 2, 3])  # lists: 32-bit defaults
            np.testing.assert_array_equal(got, want)
            assert got.dtype == want.dtype
    np.testing.assert_array_equal(pnp.concatenate([[1], [2, 3]]), [1, 2, 3])
    np.testing.assert_array_equal(pnp.stack([1, 2]), [1, 2])


# --- rank-0 dynamic slices --------------------------------------------------------------------

def test_rank_0_dynamic_slice_and_update_under_vmap_grad_and_lowering():
    x = np.arange(3, dtype=np.float32)
    ds = lambda v: plait.lax.dynamic_slice(v, (), ())  # noqa: E731
    jds = lambda v: jax.lax.dynamic_slice(v, (), ())  # noqa: E731
    np.testing.assert_array_equal(plait.vmap(ds)(x), jax.vmap(jds)(x))
    np.testing.assert_array_equal(plait.vmap(plait.grad(lambda v: ds(v) ** 2))(x),
                                  jax.vmap(jax.grad(lambda v: jds(v) ** 2))(x))
    dus = lambda v, u: plait.lax.dynamic_update_slice(v, u, ())  # noqa: E731
    np.testing.assert_array_equal(plait.vmap(dus)(x, -x), -x)
    np.testing.assert_array_equal(plait.vmap(dus, in_axes=(0, None))(x, np.float32(7)),
                                  np.full(3, 7))
    text = plait.jit(ds).lower(np.float32(1)).as_text()
    assert "sizes = []" not in text
    with plait._mlir.CONTEXT:
        plait._mlir.ir.Module.parse(text)  # it parses back


def test_plait_opt_batches_and_lowers_rank_0_dynamic_slices(tmp_path):
    path = tmp_path / "ds.mlir"
    path.write_text('''func.func @f(%x: tensor<f32>) -> tensor<f32> {
  %0 = "plait.dynamic_slice"(%x) {slice_sizes = array<i64>} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @g(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 0>, out_axes = array<i64: 0>,
                         axis_size = 3 : i64} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
''')
    lowered = subprocess.run([sys.executable, "-m", "plait.tools.opt", str(path), "--plait-expand",
                              "--plait-lower-to-stablehlo"], capture_output=True, text=True)
    assert lowered.returncode == 0, lowered.stderr
    again = subprocess.run([sys.executable, "-m", "plait.tools.opt", "-"], input=lowered.stdout,
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr


# --- deleted and donated arrays -------------------------------------------------------------

def test_deleted_or_donated_arrays_are_typed_errors_in_a_subprocess():
    """A sharded array with a deleted shard, or donated to jax.jit, crashed the process."""
    out = run_isolated("""
        import jax, numpy as np, plait, plait.numpy as pnp
        from jax.sharding import NamedSharding, PartitionSpec as P
        s = NamedSharding(jax.make_mesh((8,), ("x",)), P("x"))
        double = plait.jit(lambda x: x * 2)

        def shard_deleted():
            a = plait.device_put(np.arange(16.0, dtype=np.float32), s)
            a.addressable_shards[3].data.delete()
            return a

        def donated(a):
            jax.jit(lambda x: x + 1, donate_argnums=0)(a.to_jax())
            return a

        def deleted(a):
            a.to_jax().delete()
            return a

        def sharded():
            return plait.device_put(np.arange(16.0, dtype=np.float32), s)

        double(pnp.ones(3)), double(sharded())  # compiled: later calls hit the caches
        for make in (shard_deleted, lambda: donated(sharded()), lambda: deleted(sharded()),
                     lambda: donated(pnp.ones(3)), lambda: deleted(pnp.ones(3))):
            for use in (pnp.sin, double, lambda a: double.call_python((a,), {}),
                        plait.grad(pnp.sum), lambda a: plait.jit(lambda: a + 1)()):
                a = make()
                try:
                    use(a)
                    print("no error")
                except plait.PlaitValueError as e:
                    print("deleted" in str(e) and str(e).startswith("<string>:"))
    """)
    assert out.split() == ["True"] * 25, out


def test_a_deleted_closure_array_on_the_cpp_path():
    a = pnp.ones(3)
    f = plait.jit(lambda: a * 2)
    np.testing.assert_array_equal(f(), np.full(3, 2.0))
    a.to_jax().delete()
    for call in (f, lambda: f.call_python((), {})):
        with pytest.raises(plait.PlaitValueError, match="0 .float32.3.. has been deleted"):
            call()


# --- shardings -------------------------------------------------------------------------------

MESH = jax.make_mesh((8,), ("x",))


def test_a_bare_partition_spec_is_refused_by_jit():
    with pytest.raises(RuntimeError):  # jax: "jit requires a non-empty mesh in context"
        jax.jit(lambda x: x, in_shardings=jax.sharding.PartitionSpec("x"))(np.ones(8))
    for kw in ("in_shardings", "out_shardings"):
        for spec in (plait.sharding.PartitionSpec("x"), (None, plait.sharding.PartitionSpec())):
            call = lambda kw=kw, spec=spec: plait.jit(lambda x: x, **{kw: spec})  # noqa: E731
            raises_at(plait.PlaitTypeError, call, first_line(call), "NamedSharding(mesh, spec)",
                      here=HERE)


def test_memory_kinds_plait_does_not_place_are_refused():
    s = jax.sharding.NamedSharding(MESH, jax.sharding.PartitionSpec("x"),
                                   memory_kind="pinned_host")
    x = np.arange(8.0, dtype=np.float32)
    for call in (lambda: plait.device_put(x, s), lambda: plait.jit(lambda v: v, in_shardings=s)(x),
                 lambda: plait.jit(lambda v: v * 2, out_shardings=s)(x)):
        raises_at(plait.PlaitValueError, call, first_line(call), "memory_kind='pinned_host'",
                  here=HERE)
    device = jax.sharding.NamedSharding(MESH, jax.sharding.PartitionSpec("x"),
                                        memory_kind="device")
    assert plait.device_put(x, device).sharding.is_equivalent_to(device, 1)


def test_partition_spec_unconstrained_is_a_typed_error():
    P = plait.sharding.PartitionSpec
    x = np.ones(8, np.float32)
    auto = jax.make_mesh((8,), ("x",), axis_types=(jax.sharding.AxisType.Auto,))
    s = jax.sharding.NamedSharding(auto, P(P.UNCONSTRAINED))  # jax takes it on an Auto mesh
    for call in (lambda: plait.sharding.NamedSharding(auto, P(P.UNCONSTRAINED)),
                 lambda: plait.device_put(x, s), lambda: plait.jit(lambda v: v, in_shardings=s)(x),
                 lambda: plait.jit(lambda v: plait.with_sharding_constraint(v, s))(x)):
        raises_at(plait.PlaitValueError, call, first_line(call), "UNCONSTRAINED", here=HERE)


def test_an_array_laid_out_by_gspmd_sharding_is_a_typed_error():
    from jax._src.sharding_impls import GSPMDSharding

    named = jax.sharding.NamedSharding(MESH, jax.sharding.PartitionSpec("x"))
    a = jax.device_put(np.arange(8.0, dtype=np.float32),
                       GSPMDSharding(tuple(MESH.devices.flat), named._to_xla_hlo_sharding(1)))
    for call in (lambda: plait.jit(lambda x: x * 2)(a), lambda: pnp.sin(a),
                 lambda: plait.jit(lambda: a * 2)(), lambda: plait.grad(pnp.sum)(a)):
        raises_at(plait.PlaitTypeError, call, first_line(call), "GSPMDSharding", "NamedSharding",
                  here=HERE)
    np.testing.assert_array_equal(plait.jit(lambda x: x * 2)(jax.device_put(a, named)),
                                  np.arange(8.0) * 2)


def test_copies_keep_the_layout_and_pickling_a_sharded_array_is_refused():
    import copy
    import pickle

    s = jax.sharding.NamedSharding(MESH, jax.sharding.PartitionSpec("x"))
    a = plait.device_put(np.arange(8.0), s)  # float64: dtypes are per array
    for c in (copy.copy(a), copy.deepcopy(a)):
        assert c.sharding.is_equivalent_to(s, 1) and c.dtype == np.float64
        assert c.to_jax() is not a.to_jax()
        np.testing.assert_array_equal(c, np.arange(8.0))
    call = lambda: pickle.dumps(a)  # noqa: E731
    raises_at(plait.PlaitTypeError, call, first_line(call), "cannot be pickled", here=HERE)
    w = pnp.asarray(2.0)
    for c in (copy.copy(w), copy.deepcopy(w), pickle.loads(pickle.dumps(w))):
        assert c.weak_type and float(c) == 2.0


# --- shard_map: replication claims, collectives under divergent control flow, axis names ------

AUTO = jax.make_mesh((8,), ("x",), axis_types=(jax.sharding.AxisType.Auto,))  # jax's oracle
X16 = np.arange(16.0, dtype=np.float32)


def _smap(xp, body, in_specs, out_specs, **kw):
    smap = plait.shard_map if xp is plait else jax.shard_map
    return smap(body, mesh=MESH if xp is plait else AUTO, in_specs=in_specs,
                out_specs=out_specs, **kw)


@pytest.mark.parametrize("body", [lambda lax: lambda v: v * 2,
                                  lambda lax: lambda v: v + lax.axis_index("x"),
                                  lambda lax: lambda v: lax.ppermute(v, "x", [(i, (i + 1) % 8)
                                                                             for i in range(8)])])
def test_out_specs_claiming_replication_of_a_varying_result_raise(body):
    P = jax.sharding.PartitionSpec
    with pytest.raises(ValueError):
        _smap(jax, body(jax.lax), P("x"), P())(X16)
    call = lambda: _smap(plait, body(plait.lax), P("x"), P())(X16)  # noqa: E731
    raises_at(plait.PlaitValueError, call, first_line(call), "replicated over mesh axis 'x'",
              here=HERE)
    jitted = plait.jit(lambda v: _smap(plait, body(plait.lax), P("x"), P())(v))
    with pytest.raises(plait.PlaitValueError, match="out_specs P"):
        jitted(X16)


def test_replicated_results_are_accepted():
    P = jax.sharding.PartitionSpec
    lax = plait.lax
    for body, ins in [(lambda v: lax.psum(v, "x"), P("x")), (lambda v: v * 2, P()),
                      (lambda v: lax.pmean(v * lax.axis_index("x"), "x"), P()),
                      (lambda v: lax.all_gather(v, "x", tiled=True), P("x"))]:
        assert _smap(plait, body, ins, P())(X16).shape in ((16,), (2,))
    np.testing.assert_array_equal(_smap(plait, lambda v: lax.psum(v, "x"), P("x"), P())(X16),
                                  X16.reshape(8, 2).sum(0))
    # check_vma=False: the caller vouches, as in jax
    _smap(plait, lambda v: v * 2, P("x"), P(), check_vma=False)(X16)


def test_a_collective_under_a_divergent_cond_raises_instead_of_hanging():
    out = run_isolated("""
        import jax, numpy as np, plait
        from jax.sharding import PartitionSpec as P
        from plait import lax
        mesh = jax.make_mesh((8,), ("x",))
        x = np.arange(16.0, dtype=np.float32)
        bodies = [
            lambda v: lax.cond(lax.axis_index("x") < 4, lambda u: lax.psum(u, "x"),
                               lambda u: u, v),
            lambda v: lax.cond(v[0] > 3, lambda u: u, lambda u: lax.all_gather(u, "x",
                                                                          tiled=True)[:2], v),
            lambda v: lax.switch(lax.axis_index("x") % 3, [lambda u: u, lambda u: u * 2,
                                 lambda u: lax.pmean(u, "x")], v),
        ]
        for body in bodies:
            try:
                plait.shard_map(body, mesh, in_specs=P("x"), out_specs=P("x"))(x)
                print("no error")
            except plait.PlaitValueError as e:
                print("would hang" in str(e) and str(e).startswith("<string>:"))
    """, timeout=240)
    assert out.split() == ["True"] * 3, out


def test_a_collective_in_a_while_loop_of_device_varying_trip_count_raises():
    out = run_isolated("""
        import jax, numpy as np, plait
        from jax.sharding import PartitionSpec as P
        from plait import lax
        mesh = jax.make_mesh((8,), ("x",))
        x = np.arange(16.0, dtype=np.float32)
        bodies = [
            lambda v: lax.while_loop(lambda c: c[1] < lax.axis_index("x"),
                                     lambda c: (lax.psum(c[0], "x"), c[1] + 1), (v, 0))[0],
            lambda v: lax.while_loop(lambda c: c[0][0] < 5.0,
                                     lambda c: (c[0] + lax.psum(c[0], "x"), c[1]), (v, 0))[0],
        ]
        for body in bodies:
            try:
                plait.shard_map(body, mesh, in_specs=P("x"), out_specs=P("x"))(x)
                print("no error")
            except plait.PlaitValueError as e:
                print("while_loop whose trip count" in str(e) and "would hang" in str(e)
                      and str(e).startswith("<string>:"))
        # the same trip count everywhere (a psummed bound) runs, and agrees with jax
        def uniform(v):
            n = lax.psum(v[0], "x").astype(np.int32) % 3
            return lax.while_loop(lambda c: c[1] < n, lambda c: (lax.psum(c[0], "x"), c[1] + 1),
                                  (v, 0))[0]
        got = plait.shard_map(uniform, mesh, in_specs=P("x"), out_specs=P("x"))(x)
        n = int(x.reshape(8, 2)[:, 0].sum()) % 3        # 2 iterations of a psum
        want = np.tile(x.reshape(8, 2).sum(0) * 8 ** (n - 1), 8)
        print(np.allclose(np.asarray(got), np.asarray(want)))
    """, timeout=240)
    assert out.split() == ["True"] * 3, out


def test_a_collective_under_a_uniform_cond_runs():
    P = jax.sharding.PartitionSpec

    def body(lax):
        total = lambda v: lax.psum(v, "x")  # noqa: E731
        return lambda v: lax.cond(total(v)[0] > 10, lambda u: total(u) * 2, lambda u: u, v)

    np.testing.assert_array_equal(_smap(plait, body(plait.lax), P("x"), P("x"))(X16),
                                  _smap(jax, body(jax.lax), P("x"), P("x"), check_vma=False)(X16))


def test_a_mesh_axis_shadows_a_vmap_axis_of_the_same_name():
    P = jax.sharding.PartitionSpec
    lax = plait.lax
    inner = plait.shard_map(lambda v: lax.psum(v, "x"), MESH, in_specs=P("x"), out_specs=P())
    xs = np.stack([X16, 2 * X16, 3 * X16])
    want = xs.reshape(3, 8, 2).sum(1)  # the psum runs over the 8 devices of mesh axis x
    np.testing.assert_array_equal(plait.vmap(inner, axis_name="x")(xs), want)
    np.testing.assert_array_equal(plait.jit(plait.vmap(inner, axis_name="x"))(xs), want)
    outer = plait.vmap(lambda v: inner(v) + lax.psum(v[0], "x"), axis_name="x")
    np.testing.assert_array_equal(outer(xs), want + xs[:, 0].sum())  # outside: the vmap's


# --- threads ------------------------------------------------------------------------------------

def _thread_work(k: int, shared):
    """Tracing, transforming, eager ops and a shared jitted function, from one thread."""
    import plait.lax as lax

    x = np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3) + k
    return {
        "jit": plait.jit(lambda v: pnp.tanh(v * (k + 1)) + k)(x),
        "grad": plait.grad(lambda v: pnp.sum(pnp.cos(v) * (k + 1)))(x),
        "jit_grad": plait.jit(plait.grad(lambda v: pnp.sum(v ** 2) * k))(x),
        "vmap": plait.vmap(lambda r: pnp.dot(r, r) + k)(x),
        "eager": pnp.exp(x) + k,
        "shared": [shared(x) for _ in range(5)][-1],
        "scan": lax.scan(lambda c, r: (c + r, c * k), np.zeros(3, np.float32), x)[0],
        "cond": plait.jit(lambda v: lax.cond(pnp.sum(v) > 3 * k, lambda u: u * 2,
                                            lambda u: u - 1, v))(x),
        "shard_map": plait.shard_map(lambda v: lax.psum(v * k, "x"), MESH,
                                     in_specs=jax.sharding.PartitionSpec("x"),
                                     out_specs=jax.sharding.PartitionSpec())(X16),
    }


def test_eight_threads_trace_transform_and_call_concurrently():
    import threading

    shared = plait.jit(lambda v: pnp.sin(v) * 2 + 1)
    n = 8
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(k):
        try:
            barrier.wait()
            results[k] = _thread_work(k, shared)
        except Exception as e:  # reported below, with the thread's traceback
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    for k in range(n):
        want = _thread_work(k, shared)  # the main thread's answers
        for name, value in want.items():
            np.testing.assert_allclose(np.asarray(results[k][name]), np.asarray(value),
                                       rtol=1e-6, err_msg=f"thread {k}: {name}")
    x = np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3) + 3
    np.testing.assert_allclose(results[3]["jit"], jnp.tanh(x * 4) + 3, rtol=1e-6)
    np.testing.assert_allclose(results[3]["grad"], -4 * np.sin(x), rtol=1e-5)


def test_bitwise_reductions_of_uint64_match_numpy():
    for axes in [(0,), (1,), (0, 1)]:
        for lax_fn, np_fn in ((plait.lax.reduce_and, np.bitwise_and),
                              (plait.lax.reduce_or, np.bitwise_or)):
            want = np_fn.reduce(U64, axis=axes)
            np.testing.assert_array_equal(lax_fn(U64, axes), want)
            np.testing.assert_array_equal(plait.jit(lambda x: lax_fn(x, axes))(U64), want)  # noqa: B023


# --- memory and caches -----------------------------------------------------------------------

_RSS = """
import gc, os
import numpy as np
import plait, plait.numpy as pnp
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
"""


def test_distinct_large_constants_are_freed_by_clear_caches_in_a_subprocess():
    """Each constant baked into the IR stayed in the MLIR context for good (~27 MiB per 100
    jits of 256 KiB constants); large ones are now program arguments."""
    out = run_isolated(_RSS + textwrap.dedent("""
        x = pnp.ones(65536)
        def run(i):
            return plait.jit(lambda x, i=i: x + pnp.asarray(np.arange(65536, dtype=np.float32)
                                                            + i))(x)
        for i in range(50):
            run(-i)
        plait.clear_caches(); gc.collect()
        marks = []
        for i in range(300):
            y = run(i)
            if i % 100 == 99:
                plait.clear_caches(); gc.collect()
                marks.append(rss())
        print(np.array_equal(np.asarray(y), np.arange(65536, dtype=np.float32) + 300),  # x + i + 1
              marks[-1] - marks[0])
    """))
    same, growth = out.split()
    assert same == "True", out
    assert float(growth) < 30, out  # MiB over 200 jits; was ~55


def test_large_constants_are_program_arguments_under_transformations():
    big = np.linspace(0.1, 1, 8192).astype(np.float32)  # 32 KiB: passed as an argument
    host = big.tolist()  # (a closure list is keyed by value and traced as a constant)

    def f(x):
        return pnp.sum(pnp.sin(x * pnp.asarray(host, dtype=pnp.float32)))

    x = np.float32(0.7)
    want = np.sum(np.sin(x * big))
    jf = plait.jit(f)
    assert "dense<" not in plait.make_mlir(f)(x)  # an argument of @main
    for _ in range(2):  # a second call reuses the program and its constant
        np.testing.assert_allclose(jf(x), want, rtol=1e-5)
    np.testing.assert_allclose(plait.jit(plait.grad(f))(x), np.sum(np.cos(x * big) * big),
                               rtol=1e-4)
    np.testing.assert_allclose(plait.vmap(f)(np.array([x, -x])), [want, -want], rtol=1e-5)
    g = plait.jit(lambda i, x: plait.lax.cond(i > 0, f, lambda v: v * 0, x))
    np.testing.assert_allclose(g(1, x), want, rtol=1e-5)


def test_clear_caches_clears_the_cpp_dispatch_cache():
    from plait.runtime import fastpath
    from plait.staging.stage import stats

    f = plait.jit(lambda x: x * 3 + 1)
    x = pnp.ones(7)
    f(x), f(x)
    if fastpath.AVAILABLE:
        assert fastpath._CACHE.size() > 0
    plait.clear_caches()
    assert fastpath.cache_size() == 0
    before = stats["compiles"]
    np.testing.assert_allclose(f(x), np.full(7, 4.0))
    assert stats["compiles"] == before + 1  # compiled again: nothing was kept


def test_compile_caches_are_bounded_lrus_in_a_subprocess():
    """1,000 distinct shapes through one function: plait's caches and the C++ one keep at most
    PLAIT_COMPILE_CACHE_SIZE signatures, the most recent."""
    env = dict(os.environ, PLAIT_COMPILE_CACHE_SIZE="64")
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import plait, plait.numpy as pnp
        from plait.runtime import fastpath
        from plait.staging import cache
        from plait.staging.stage import stats
        f = plait.jit(lambda x: x + 1)
        for n in range(1, 1001):
            f(pnp.ones(n)); f(pnp.ones(n))
        sizes = len(cache._CACHE), len(cache._PROGRAMS), fastpath.cache_size()
        compiles = stats["compiles"]
        f(pnp.ones(1000))            # recent: kept
        kept = stats["compiles"] == compiles
        f(pnp.ones(1))               # least recently used: dropped
        print(*sizes, kept, stats["compiles"] == compiles + 1)
    """)], capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    plait_sig, programs, cpp, kept, dropped = proc.stdout.split()
    assert int(plait_sig) <= 64 and int(programs) <= 64 and int(cpp) <= 64, proc.stdout
    assert kept == "True" and dropped == "True", proc.stdout


def test_long_runs_keep_memory_flat_in_a_subprocess():
    """10^5 jit calls and 10^4 eager grads of fresh lambdas (the full sizes; ~2 s each)."""
    out = run_isolated(_RSS + textwrap.dedent("""
        f = plait.jit(lambda x: x * 2 + 1)
        x = pnp.ones(16)
        for _ in range(10**4):
            f(x)
        start = rss()
        for _ in range(10**5):
            y = f(x)
        jit_growth = rss() - start
        for _ in range(10**3):
            plait.grad(lambda v: pnp.sum(pnp.sin(v) * 3.0))(x)
        start = rss()
        for _ in range(10**4):
            g = plait.grad(lambda v: pnp.sum(pnp.sin(v) * 3.0))(x)
        print(jit_growth, rss() - start, np.allclose(np.asarray(g), 3 * np.cos(1.0)))
    """))
    jit_growth, grad_growth, right = out.split()
    assert float(jit_growth) < 10 and float(grad_growth) < 10 and right == "True", out
