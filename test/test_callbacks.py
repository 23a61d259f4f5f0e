"""Host callbacks (debug.print, debug.callback, pure_callback, experimental.io_callback) against
the same programs under jax: what they print, what the callbacks see and return, under jit,
vmap, grad, scan, shard_map and eagerly; ordering; bad callbacks."""

import functools
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from usersite import raises_at

import plait
import plait.numpy as pnp
from plait.experimental import io_callback
from plait.sharding import Mesh
from plait.sharding import PartitionSpec as P

HERE = os.path.abspath(__file__)
X = np.float32([0.5, -1.25, 2.0])
XS = np.arange(6, dtype=np.float32).reshape(2, 3)


def printed(capsys, run, sort=False) -> list:
    """The lines `run()` prints (sorted: the order of unordered prints is unspecified)."""
    capsys.readouterr()
    jax.block_until_ready(run())
    jax.effects_barrier()
    lines = capsys.readouterr().out.splitlines()
    return sorted(lines) if sort else lines


def both(capsys, make, *args, sort=False):
    """Lines printed by make(plait, plait.numpy)(*args) and by make(jax, jax.numpy)(*args)."""
    ours = printed(capsys, lambda: make(plait, pnp)(*args), sort)
    theirs = printed(capsys, lambda: make(jax, jnp)(*args), sort)
    assert ours, "nothing printed"
    assert ours == theirs
    return ours


# --- debug.print ----------------------------------------------------------------------------

def test_print_under_jit_and_eagerly(capsys):
    def make(ns, np_):
        def f(x):
            ns.debug.print("x={x} sum={} n={n}", np_.sum(x), x=x, n=3)
            return x * 2
        return f

    for mode in (lambda m: lambda ns, np_: ns.jit(m(ns, np_)), lambda m: m):
        assert both(capsys, mode(make), X) == ["x=[ 0.5  -1.25  2.  ] sum=1.25 n=3"]
    both(capsys, lambda ns, np_: ns.jit(lambda x: ns.debug.print("no placeholders")), X)


def test_print_is_kept_though_nothing_uses_it(capsys):
    f = plait.jit(lambda x: plait.debug.print("{}", x) or x)
    assert '"plait.callback"' in f.lower(X).as_text("plait")
    assert printed(capsys, lambda: f(X)) == [str(X)]
    assert printed(capsys, lambda: f(X + 1)) == [str(X + 1)]  # a hit prints too


def test_print_under_vmap_prints_each_element(capsys):
    def make(ns, np_):
        def f(x, y):
            ns.debug.print("x={} y={}", x, y)
            return x + y
        return ns.jit(ns.vmap(f, in_axes=(0, None)))

    assert len(both(capsys, make, XS, np.float32(7), sort=True)) == 2


def test_print_under_grad_sees_primals(capsys):
    def make(ns, np_):
        def loss(x):
            ns.debug.print("primal {}", x)
            return np_.sum(np_.sin(x) ** 2)
        return ns.jit(ns.grad(loss))

    assert both(capsys, make, X) == [f"primal {X}"]


def test_print_under_jvp_and_vmap_of_grad(capsys):
    def make(ns, np_):
        def loss(x):
            ns.debug.print("v {}", x)
            return np_.sum(x ** 3)
        return lambda x: (ns.jvp(loss, (x[0],), (x[1],)), ns.vmap(ns.grad(loss))(x))

    both(capsys, make, XS, sort=True)


def test_print_in_scan_prints_once_per_iteration(capsys):
    def make(ns, np_):
        def body(h, x):
            ns.debug.print("step h={} x={}", h, x)
            return h + x, h
        return ns.jit(lambda xs: ns.lax.scan(body, np.float32(0), xs))

    lines = both(capsys, make, np.arange(4, dtype=np.float32))
    assert len(lines) == 4


def test_print_in_cond_and_while_loop(capsys):
    def make(ns, np_):
        def f(x):
            y = ns.lax.cond(x.sum() > 0, lambda v: ns.debug.print("pos {}", v) or v,
                            lambda v: ns.debug.print("neg {}", v) or -v, x)

            def body(c):
                ns.debug.print("i={} c={}", c[0], c[1])
                return c[0] + 1, c[1] * 2
            return ns.lax.while_loop(lambda c: c[0] < 3, body, (0, y.sum()))
        return ns.jit(f)

    assert len(both(capsys, make, X)) == 4
    assert len(both(capsys, make, -X)) == 4


def test_print_in_a_scan_whose_results_are_unused(capsys):
    def make(ns, np_):
        def f(xs):
            ns.lax.scan(lambda c, x: (ns.debug.print("x {}", x), (c, c))[1], 0.0, xs)
            return xs
        return ns.jit(f)

    assert len(both(capsys, make, np.arange(3, dtype=np.float32))) == 3


def test_ordered_prints_come_out_in_program_order(capsys):
    """Unordered side effects are reordered by XLA (prints of constants: reversed); ordered
    ones are not."""
    def f(x):
        for i in range(12):
            plait.debug.print("line {}", i, ordered=True)
        return x

    expected = [f"line {i}" for i in range(12)]
    assert printed(capsys, lambda: plait.jit(f)(np.float32(0))) == expected
    assert printed(capsys, lambda: plait.jit(f)(np.float32(0))) == expected


def test_print_in_shard_map_prints_per_device(capsys):
    devices = np.array(jax.devices())
    if devices.size != 8:
        pytest.skip("needs 8 devices (test/conftest.py)")
    mesh = Mesh(devices, ("i",))

    def make(ns, np_):
        def body(b):
            ns.debug.print("shard {}", b)
            return b * 2
        return ns.jit(ns.shard_map(body, mesh=mesh, in_specs=P("i"), out_specs=P("i")))

    assert len(both(capsys, make, np.arange(8, dtype=np.float32), sort=True)) == 8


def test_callbacks_in_a_sharded_jit_run_once_on_device_0(capsys):
    devices = np.array(jax.devices())
    if devices.size != 8:
        pytest.skip("needs 8 devices (test/conftest.py)")
    mesh = Mesh(devices, ("i",))
    x = np.arange(8, dtype=np.float32)

    def make(ns, np_):
        def f(v):
            ns.debug.print("v={}", v)
            return ns.pure_callback(lambda a: a + 1, ns.ShapeDtypeStruct(v.shape, v.dtype),
                                    v * 2) + 1
        return ns.jit(f, in_shardings=ns.sharding.NamedSharding(mesh, P("i")))

    assert both(capsys, make, x) == [f"v={x}"]
    np.testing.assert_allclose(np.asarray(make(plait, pnp)(x)), x * 2 + 2)


def test_print_format_errors_name_the_line():
    def bad():
        plait.jit(lambda x: plait.debug.print("{y}", x))(X)

    raises_at(plait.PlaitValueError, bad, bad.__code__.co_firstlineno + 1, "'y'", here=HERE)
    with pytest.raises(plait.PlaitTypeError, match="format string"):
        plait.debug.print(3)


# --- debug.callback ---------------------------------------------------------------------------

def test_debug_callback_under_vmap_and_grad():
    ours, theirs = [], []

    def make(ns, np_, log):
        def loss(x):
            ns.debug.callback(lambda v, scale: log.append((np.asarray(v).tolist(), scale)), x,
                              scale="s")
            return np_.sum(x * x)
        return lambda x: (ns.grad(loss)(x[0]), ns.vmap(loss)(x))

    make(plait, pnp, ours)(XS)
    make(jax, jnp, theirs)(XS)
    jax.effects_barrier()
    assert sorted(ours) == sorted(theirs) and len(ours) == 3


# --- pure_callback ----------------------------------------------------------------------------

def _sin(x):
    return np.sin(x)


def test_pure_callback_values_under_jit_and_eagerly():
    def make(ns):
        return lambda x: ns.pure_callback(
            lambda a, k: {"s": np.sin(a) * k, "n": np.float32(a.size)},
            {"s": ns.ShapeDtypeStruct(x.shape, x.dtype), "n": ns.ShapeDtypeStruct((), x.dtype)},
            x, k=np.float32(2))

    expected = make(jax)(X)
    for out in (plait.jit(make(plait))(X), make(plait)(X)):
        np.testing.assert_allclose(np.asarray(out["s"]), expected["s"], rtol=1e-6)
        assert float(out["n"]) == float(expected["n"])


@pytest.mark.parametrize("method", ["sequential", "sequential_unrolled", "expand_dims",
                                    "broadcast_all"])
def test_pure_callback_vmap_methods(method):
    ours, theirs = [], []

    def make(ns, seen):
        def cb(x, y):
            seen.append((x.shape, y.shape))
            return (x + y).astype(np.float32)

        def f(x, y):
            shape = np.broadcast_shapes(x.shape, y.shape)
            return ns.pure_callback(cb, ns.ShapeDtypeStruct(shape, np.float32), x, y,
                                    vmap_method=method)
        return ns.jit(ns.vmap(f, in_axes=(0, None)))

    y = np.float32([10, 20, 30])
    out = make(plait, ours)(XS, y)
    np.testing.assert_allclose(np.asarray(out), np.asarray(make(jax, theirs)(XS, y)))
    assert ours == theirs


def test_pure_callback_under_vmap_needs_a_method():
    def f(x):
        return plait.pure_callback(_sin, plait.ShapeDtypeStruct((3,), np.float32), x)

    raises_at(plait.IRError, lambda: plait.vmap(f)(XS), f.__code__.co_firstlineno + 1,
              "vmap_method", here=HERE)


def test_pure_callback_has_no_jvp_unless_custom_jvp():
    def f(x):
        return pnp.sum(plait.pure_callback(_sin, plait.ShapeDtypeStruct(x.shape, x.dtype), x))

    with pytest.raises(plait.IRError, match="custom_jvp"):
        plait.grad(f)(X)

    def make(ns, np_):
        @ns.custom_jvp
        def sin(x):
            return ns.pure_callback(_sin, ns.ShapeDtypeStruct(x.shape, x.dtype), x,
                                    vmap_method="sequential")

        @sin.defjvp
        def sin_jvp(primals, tangents):
            (x,), (t,) = primals, tangents
            return sin(x), ns.pure_callback(np.cos, ns.ShapeDtypeStruct(x.shape, x.dtype),
                                            x) * t
        return ns.jit(ns.grad(lambda x: np_.sum(sin(x) ** 2)))

    np.testing.assert_allclose(np.asarray(make(plait, pnp)(X)), make(jax, jnp)(X), rtol=1e-6)


def test_a_callback_may_return_python_scalars():
    f = plait.jit(lambda x: plait.pure_callback(lambda a: (1.5, 2),
                                                (plait.ShapeDtypeStruct((), np.float32),
                                                 plait.ShapeDtypeStruct((), np.int32)), x))
    a, b = f(X)
    assert (a.dtype, float(a), b.dtype, int(b)) == (np.float32, 1.5, np.int32, 2)


def test_unused_pure_callback_is_not_called():
    calls = []

    def cb(x):
        calls.append(1)
        return x

    def f(x):
        plait.pure_callback(cb, plait.ShapeDtypeStruct(x.shape, x.dtype), x)
        return x + 1

    plait.jit(f)(X)
    assert calls == []


def test_different_callbacks_of_one_program_are_not_confused():
    def make(cb):
        return plait.jit(lambda x: plait.pure_callback(
            cb, plait.ShapeDtypeStruct(x.shape, x.dtype), x))

    np.testing.assert_allclose(np.asarray(make(np.sin)(X)), np.sin(X), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(make(np.cos)(X)), np.cos(X), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(make(np.sin)(X)), np.sin(X), rtol=1e-6)


# --- io_callback ------------------------------------------------------------------------------

def test_io_callback_ordered_runs_in_order_and_returns():
    log = []

    def record(i, x):
        log.append(int(i))
        return np.float32(x * 2)

    def f(x):
        total = x
        for i in range(10):
            total = total + io_callback(record, plait.ShapeDtypeStruct((), np.float32), i, x,
                                        ordered=True)
        return total

    out = plait.jit(f)(np.float32(1))
    assert float(out) == 21.0
    assert log == list(range(10))
    log.clear()
    plait.jit(f)(np.float32(1))
    assert log == list(range(10))


def test_ordered_io_callback_cannot_be_vmapped_nor_differentiated():
    def f(x):
        return io_callback(_sin, plait.ShapeDtypeStruct((3,), np.float32), x, ordered=True)

    with pytest.raises(plait.IRError, match="vmapped"):
        plait.vmap(f)(XS)
    with pytest.raises(plait.IRError, match="no derivative"):
        plait.grad(lambda x: pnp.sum(f(x)))(X)


# --- bad callbacks ----------------------------------------------------------------------------

def test_a_callback_that_raises_surfaces_its_exception_and_the_next_call_works():
    def cb(x):
        if x.sum() < 0:
            raise ValueError("negative input")
        return x

    f = plait.jit(lambda x: plait.pure_callback(cb, plait.ShapeDtypeStruct(x.shape, x.dtype), x))
    for _ in range(2):  # the Python path, then the C++ path's hit
        with pytest.raises(plait.CallbackError, match="negative input") as info:
            f(-np.abs(X))
        assert isinstance(info.value.__cause__, ValueError)
        np.testing.assert_allclose(np.asarray(f(np.abs(X))), np.abs(X))

    def raising(v):
        raise KeyError("debug")

    with pytest.raises(plait.CallbackError, match="KeyError"):
        plait.jit(lambda x: plait.debug.callback(raising, x) or x)(X)
    with pytest.raises(plait.CallbackError, match="KeyError"):
        plait.debug.callback(raising, X)


@pytest.mark.parametrize("ret, what", [
    (lambda x: x[:2], "float32[2]"),
    (lambda x: x.astype(np.float64), "float64[3]"),
    (lambda x: (x, x), "returned a"),
])
def test_a_callback_returning_the_wrong_shape_or_dtype_is_an_error(ret, what):
    def f(x):
        return plait.pure_callback(ret, plait.ShapeDtypeStruct(x.shape, x.dtype), x)

    raises_at(plait.CallbackError, lambda: plait.jit(f)(X), f.__code__.co_firstlineno + 1,
              what, here=HERE)


def test_not_a_callable_or_bad_arguments():
    spec = plait.ShapeDtypeStruct((3,), np.float32)
    with pytest.raises(plait.PlaitTypeError, match="callable"):
        plait.pure_callback(3, spec, X)
    with pytest.raises(plait.PlaitTypeError, match="callable"):
        plait.debug.callback("print", X)
    with pytest.raises(plait.PlaitTypeError, match="callable"):
        io_callback(None, spec, X)
    with pytest.raises(plait.PlaitValueError, match="vmap_method"):
        plait.pure_callback(_sin, spec, X, vmap_method="loop")
    with pytest.raises(plait.PlaitTypeError, match="result_shape_dtypes"):
        plait.pure_callback(_sin, "float32", X)
    # an unhashable callable object works (registered by identity)
    unhashable = type("Unhashable", (), {"__call__": lambda self, x: x, "__eq__":
                                         lambda self, o: True, "__hash__": None})()
    np.testing.assert_allclose(np.asarray(plait.jit(functools.partial(
        plait.pure_callback, unhashable, spec))(X)), X)


def test_export_of_a_program_with_callbacks_is_refused():
    def f(x):
        plait.debug.print("{}", x)
        return x * 2

    with pytest.raises(plait.PlaitValueError, match="host callbacks"):
        plait.export.export(f)(X)


def test_print_under_vjp_prints_the_forward_only(capsys):
    """As jax's: the primal is printed by the forward pass; the pullback prints nothing."""
    def make(ns, np_):
        def lin(v):
            ns.debug.print("lin {}", v)
            return v * 3.0

        def run(x):
            _, pullback = ns.vjp(lin, x)
            return pullback(x), pullback(x * 2)
        return run

    assert both(capsys, make, X) == [f"lin {X}"]


def test_io_callback_unordered_under_vmap_is_called_per_element():
    seen = []

    def record(v):
        seen.append(v.shape)
        return v.sum()

    out = plait.vmap(lambda x: io_callback(record, plait.ShapeDtypeStruct((), np.float32), x))(XS)
    np.testing.assert_allclose(np.asarray(out), XS.sum(1))
    assert seen == [(3,), (3,)]


def test_programs_with_callbacks_bypass_the_disk_cache(capsys, tmp_path):
    """A Python function cannot be serialized with the executable: such programs compile in
    each process, and the cache stays empty."""
    def f(x):
        plait.debug.print("cached? {}", x)
        return x + 1

    with plait.config.override(compilation_cache_dir=str(tmp_path)):
        for _ in range(2):
            plait.clear_caches()
            assert printed(capsys, lambda: plait.jit(f)(X)) == [f"cached? {X}"]
    assert not list(tmp_path.iterdir())
