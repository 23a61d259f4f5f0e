"""plait.Array has every name jax.Array has, with jax's semantics: device-level attributes from
the wrapped buffer, numeric methods from plait.numpy (also on tracers), jax's signatures."""

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax._src.array import ArrayImpl
from usersite import raises_at

import plait
import plait.numpy as pnp
from plait.staging.trace import Tracer

PUBLIC = sorted(n for n in dir(ArrayImpl) if not n.startswith("_"))
# device_buffer(s): removed from jax (a property raising AttributeError there and here, so only
# dir() shows it); block_until_ready has no meaning for a traced value, in jax as in plait
TRACER_EXCEPTIONS = {"block_until_ready", "device_buffer", "device_buffers"}


def test_every_jax_array_name_is_an_array_name():
    assert [n for n in PUBLIC if n not in dir(plait.Array)] == []


# __numpy_dtype__: jax's hook for np.dtype(arr), which NumPy deprecates (use arr.dtype)
DUNDER_EXCEPTIONS = {"__numpy_dtype__"}


def test_every_jax_array_operator_is_an_array_operator():
    dunders = [n for n in dir(jax.Array) if n.startswith("__") and n not in DUNDER_EXCEPTIONS]
    assert [n for n in dunders if not hasattr(plait.Array, n)] == []


def test_every_jax_array_name_is_a_tracer_name():
    assert [n for n in PUBLIC if n not in dir(Tracer) and n not in TRACER_EXCEPTIONS] == []


# jax.Array's methods vs plait's: every parameter jax's method takes, plait's takes by that name
SIGNATURE_METHODS = sorted(
    n for n in dir(jax.Array) if not n.startswith("_") and callable(getattr(jax.Array, n))
    and not isinstance(getattr(jax.Array, n), property))


@pytest.mark.parametrize("name", SIGNATURE_METHODS)
def test_method_takes_jax_parameters(name):
    try:
        theirs = inspect.signature(getattr(jax.Array, name)).parameters
    except (TypeError, ValueError):
        pytest.skip(f"jax.Array.{name} has no Python signature")
    ours = inspect.signature(getattr(plait.Array, name)).parameters

    def named(params, kind):  # without self, *args
        return [n for n, p in list(params.items())[1:] if p.kind in kind]
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    assert named(ours, positional)[:len(named(theirs, positional))] == named(theirs, positional)
    keyword = (inspect.Parameter.KEYWORD_ONLY,)
    assert set(named(theirs, keyword)) <= set(named(ours, keyword) + named(ours, positional))


def _values():
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 4)).astype(np.float32)


def _same(got, want):
    want = np.asarray(want)
    assert np.asarray(got).dtype == want.dtype, (np.asarray(got).dtype, want.dtype)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-6)


def test_device_attributes_match_jax():
    a = _values()
    x, j = pnp.asarray(a), jax.device_put(a)
    for name in ("is_fully_addressable", "is_fully_replicated", "itemsize", "nbytes"):
        assert getattr(x, name) == getattr(j, name), name
    assert x.platform() == j.platform()
    assert x.format == j.format
    assert x.on_device_size_in_bytes() == j.on_device_size_in_bytes()
    assert x.tobytes() == j.tobytes() == a.tobytes()
    assert x.is_ready() is True
    assert isinstance(x.unsafe_buffer_pointer(), int)
    assert isinstance(x.committed, bool)
    assert x.copy_to_host_async() is None
    data = x.addressable_data(0)
    assert isinstance(data, plait.Array)
    _same(data, a)
    [shard] = x.global_shards
    _same(shard.data, a)


def test_sharded_array_device_attributes():
    mesh = jax.sharding.Mesh(np.array(jax.devices()[:4]), ("d",))
    sharding = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("d"))
    a = np.arange(8.0, dtype=np.float32)
    x = plait.device_put(a, sharding)
    assert not x.is_fully_replicated and x.is_fully_addressable
    assert len(x.global_shards) == 4
    _same(x.addressable_data(1), a[2:4])
    assert x.on_device_size_in_bytes() == jax.device_put(a, sharding).on_device_size_in_bytes()


def test_flat_and_device_buffers_raise_as_in_jax():
    x = pnp.ones(3)
    with pytest.raises(NotImplementedError):
        _ = jnp.ones(3).flat
    with pytest.raises(plait.PlaitNotImplementedError, match="flatten"):
        _ = x.flat
    for name in ("device_buffer", "device_buffers"):
        assert not hasattr(jnp.ones(3), name)
        assert not hasattr(x, name)


def test_delete_then_use_raises():
    x = pnp.arange(4.0)
    y = x.clone()
    assert not x.is_deleted()
    x.delete()
    assert x.is_deleted() and y.is_deleted()  # as jax's clone: the same buffers
    line = inspect.currentframe().f_lineno + 1
    raises_at(plait.PlaitValueError, lambda: x + 1, line, "has been deleted", here=__file__)
    line = inspect.currentframe().f_lineno + 1
    raises_at(plait.PlaitValueError, lambda: np.asarray(x), line, "has been deleted",
              here=__file__)
    for use in (x.tobytes, x.is_ready, x.unsafe_buffer_pointer, x.on_device_size_in_bytes,
                x.copy_to_host_async, lambda: x.addressable_data(0), x.sum):
        with pytest.raises(plait.PlaitValueError, match="has been deleted"):
            use()


def test_copy_is_independent_of_delete():
    x = pnp.arange(4.0)
    y = x.copy()
    x.delete()
    assert not y.is_deleted()
    _same(y, np.arange(4.0, dtype=np.float32))


NUMERIC = [
    ("choose", lambda a: ((a > 0).astype(np.int32), ([a, -a],)), {"mode": "clip"}),
    ("choose", lambda a: (np.arange(4, dtype=np.int32) % 3, ([a[0], a[1], a[2]],)),
     {"mode": "wrap"}),
    ("diagonal", lambda a: (a, ()), {}),
    ("diagonal", lambda a: (a, (1,)), {}),
    ("trace", lambda a: (a, ()), {}),
    ("trace", lambda a: (a, (-1,)), {"dtype": np.float32}),
    ("trace", lambda a: ((a * 10).astype(np.int32), ()), {"dtype": np.float32}),
    ("copy", lambda a: (a, ()), {}),
    ("byteswap", lambda a: (a, ()), {}),
    ("byteswap", lambda a: ((a * 100).astype(np.int16), ()), {}),
    ("byteswap", lambda a: (a.astype(np.complex64), ()), {}),
    ("byteswap", lambda a: (a > 0, ()), {}),
    ("view", lambda a: (a, (np.int32,)), {}),
    ("view", lambda a: (a, (np.uint8,)), {}),
    ("view", lambda a: (a, (np.float16,)), {}),
    ("view", lambda a: (a.astype(np.float16), (np.float32,)), {}),
    ("view", lambda a: (a.astype(np.int8), (np.int32,)), {}),
    ("view", lambda a: (a, (np.complex64,)), {}),
    ("view", lambda a: (a.astype(np.complex64), (np.float32,)), {}),
    ("view", lambda a: (a > 0, (np.uint8,)), {}),
    ("view", lambda a: ((a > 0).astype(np.uint8), (np.bool_,)), {}),
    ("view", lambda a: (a[0, 0], (np.int32,)), {}),
    ("view", lambda a: (a, ()), {}),
]


@pytest.mark.parametrize("name,make,kwargs", NUMERIC, ids=[c[0] for c in NUMERIC])
def test_numeric_method_matches_jax(name, make, kwargs):
    a, args = make(_values())
    want = getattr(jnp.asarray(a), name)(*args, **kwargs)
    _same(getattr(pnp.asarray(a), name)(*args, **kwargs), want)
    jitted = plait.jit(lambda x: getattr(x, name)(*args, **kwargs))
    _same(jitted(pnp.asarray(a)), want)


def test_itemsize_nbytes_on_tracers():
    f = plait.jit(lambda x: (x.astype(np.int16) * x.itemsize, x.nbytes))
    got, nbytes = f(pnp.ones((2, 3)))
    _same(got, np.full((2, 3), 4, np.int16))
    assert int(nbytes) == 24


def test_view_errors_as_jax():
    x = pnp.ones(3, np.float32)
    with pytest.raises(ValueError):
        jnp.ones(3, np.float32).view(jnp.complex64)
    with pytest.raises(plait.PlaitValueError, match="last axis"):
        x.view(np.complex64)
    with pytest.raises(plait.PlaitValueError, match="0-d"):
        pnp.asarray(np.float32(1)).view(np.uint8)
    with pytest.raises(plait.PlaitNotImplementedError):
        x.view(np.int32, type=np.ndarray)


@pytest.mark.parametrize("name", ["delete", "is_deleted", "tobytes", "addressable_data",
                                  "unsafe_buffer_pointer", "on_device_size_in_bytes"])
def test_device_methods_on_tracers_raise(name):
    def f(x):
        getattr(x, name)(*((0,) if name == "addressable_data" else ()))
        return x
    with pytest.raises(plait.ConcretizationError, match=name):
        plait.jit(f)(pnp.ones(3))


@pytest.mark.parametrize("name", ["committed", "is_fully_replicated", "global_shards",
                                  "sharding"])
def test_device_properties_on_tracers_raise(name):
    with pytest.raises(plait.ConcretizationError, match=name):
        plait.jit(lambda x: getattr(x, name))(pnp.ones(3))


MASK = object()  # stands for the mask of the values drawn
REDUCTIONS = [
    ("sum", {"where": MASK}), ("sum", {"axis": 0, "where": MASK, "initial": 1.0}),
    ("sum", {"axis": 1, "keepdims": True, "dtype": np.float32}),
    ("prod", {"axis": 0, "where": MASK}), ("max", {"axis": 1, "initial": 0.0, "where": MASK}),
    ("min", {"initial": -3.0}), ("mean", {"axis": 0, "where": MASK}),
    ("all", {"where": MASK}), ("any", {"axis": 1, "where": MASK, "keepdims": True}),
    ("std", {"correction": 1}), ("var", {"axis": 0, "ddof": 1, "keepdims": True}),
    ("var", {"axis": 1, "where": MASK}), ("std", {"where": MASK, "ddof": 1}),
    ("argmax", {"axis": 1, "keepdims": True}), ("argmin", {"keepdims": None}),
    ("cumsum", {"axis": 0, "dtype": np.float32}), ("cumprod", {"axis": 1}),
    ("ptp", {"axis": 0, "keepdims": True}), ("ravel", {"order": "F"}),
    ("repeat", {"repeats": 2, "axis": 1, "total_repeat_length": 5}),
    ("repeat", {"repeats": 2, "total_repeat_length": 30}),
    ("flatten", {"order": "C"}), ("round", {"decimals": 1}), ("clip", {"min": -0.5, "max": 0.5}),
    ("astype", {"dtype": np.int32, "copy": True}),
]


@pytest.mark.parametrize("name,kwargs", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_method_keywords_match_jax_numpy(name, kwargs):
    """Values as jax.numpy's function of the same name (jax's sum/prod methods ignore
    initial=, a jax bug; jnp.sum and NumPy add it)."""
    a = _values()
    mask = a > -0.3
    kw = {k: mask if v is MASK else v for k, v in kwargs.items()}
    fn = getattr(jnp, name) if name not in ("flatten", "astype") else getattr(jnp.asarray(a), name)
    want = fn(jnp.asarray(a), **kw) if name not in ("flatten", "astype") else fn(**kw)
    _same(getattr(pnp.asarray(a), name)(**kw), want)
    _same(plait.jit(lambda x: getattr(x, name)(**kw))(pnp.asarray(a)), want)


def test_promote_integers_and_dot_preferred_element_type():
    a = np.arange(6, dtype=np.int8).reshape(2, 3)
    x, j = pnp.asarray(a), jnp.asarray(a)
    _same(x.sum(promote_integers=False), j.sum(promote_integers=False))
    _same(x.sum(), j.sum())
    _same(x.dot(x.T, preferred_element_type=np.int32), j.dot(j.T, preferred_element_type=np.int32))


def test_out_argument_is_a_typed_error():
    x = pnp.ones(3)
    with pytest.raises(NotImplementedError):
        jnp.ones(3).sum(out=jnp.ones(()))
    for call in (lambda: x.sum(out=x), lambda: x.max(0, x), lambda: x.cumsum(out=x),
                 lambda: x.round(0, x), lambda: x.trace(out=x) if x.ndim == 2 else x.mean(out=x)):
        with pytest.raises(plait.PlaitNotImplementedError, match="out argument"):
            call()
    with pytest.raises(plait.PlaitValueError, match="specify 'initial'"):
        x.max(where=x > 0)


def test_python_operators_as_jax():
    a = np.array([1.5, 2.5, -3.0, 0.4], np.float32)
    x, j = pnp.asarray(a), jnp.asarray(a)
    _same(round(x), round(j))
    _same(round(x, 1), round(j, 1))
    for got, want in zip(divmod(x, 2.0), divmod(j, 2.0)):
        _same(got, want)
    for got, want in zip(divmod(7.0, x), divmod(7.0, j)):
        _same(got, want)
    assert (2.5 in x) is (2.5 in j) is True
    assert (2.0 in x) is (2.0 in j) is False
    q, r = plait.jit(lambda v: divmod(v, 2.0))(x)
    _same(q, divmod(j, 2.0)[0])
    _same(plait.jit(lambda v: round(v))(x), round(j))
    with pytest.raises(plait.ConcretizationError):
        plait.jit(lambda v: 1.5 in v)(x)
