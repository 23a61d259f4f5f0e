"""plait.numpy as an array API (2024.12) namespace, property-tested against array-api-strict.

Operands are drawn with hypothesis's array API strategies on array-api-strict (the oracle),
copied to plait, and each function's value and dtype compared with the oracle's. Integer
operands avoid what the standard leaves undefined (overflow, division by zero, negative
powers), float operands XLA's flushed subnormals; float results compare within a few ulps
(transcendentals are not correctly rounded).
"""

import math

import array_api_strict as xp
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.array_api import make_strategies_namespace

import plait
import plait.numpy as pnp

xps = make_strategies_namespace(xp)
EXAMPLES = settings(max_examples=8, deadline=None)
SHAPES = xps.array_shapes(min_dims=0, max_dims=3, max_side=4)


def to_plait(x):
    return pnp.asarray(np.asarray(x))


def npdtype(d) -> np.dtype:
    """The NumPy dtype of an array-api-strict dtype."""
    return np.asarray(xp.empty((), dtype=d)).dtype


# The standard leaves default dtypes to the library: array-api-strict's are 64-bit, plait's
# those of plait.config (32-bit, as jax's without x64).
PLAIT_DEFAULT = {np.dtype("int64"): np.dtype("int32"), np.dtype("float64"): np.dtype("float32")}


def check(got, want, rtol=2e-6, dtype=None):
    want = np.asarray(want)
    got_np = np.asarray(got)
    assert np.dtype(got.dtype) == (want.dtype if dtype is None else dtype), (got.dtype,
                                                                             want.dtype)
    assert got_np.shape == want.shape
    if want.dtype.kind in "fc":
        tol = rtol if want.dtype in (np.float64, np.complex128) else 2e-5
        np.testing.assert_allclose(got_np, want, rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got_np, want)


def small_ints(dtype):
    """Integers whose sums and products stay in range."""
    info = np.iinfo(npdtype(dtype))
    return {"min_value": max(info.min, -10), "max_value": min(info.max, 10)}


def elements(dtype, positive=False, nonzero=False):
    name = npdtype(dtype).name
    if name == "bool":
        return None
    if name.startswith(("int", "uint")):
        kw = small_ints(dtype)
        if positive or nonzero:
            kw["min_value"] = 1
        return kw
    # XLA flushes subnormals to zero on CPU and GPU (jax's documented deviation)
    if positive:
        return {"min_value": 0.5, "max_value": 64.0, "allow_subnormal": False}
    return {"allow_nan": True, "allow_infinity": True, "allow_subnormal": False}


def finite(dtype, product=False):
    """Small finite values: sums (and products of up to 64 of them) stay in range."""
    kind = npdtype(dtype).kind
    if kind == "b":
        return None
    if kind in "iu":
        return {"min_value": -1 if kind == "i" else 0, "max_value": 1} if product else \
            small_ints(dtype)
    if kind == "c":
        return st.complex_numbers(max_magnitude=100, width=8 * npdtype(dtype).itemsize)
    return {"min_value": -100, "max_value": 100, "allow_subnormal": False}


# --- elementwise -------------------------------------------------------------------------------

REAL_FLOAT, NUMERIC, INTEGER, BOOL = (xps.floating_dtypes(), xps.numeric_dtypes(),
                                      xps.integer_dtypes(), xps.boolean_dtypes())
FLOAT = st.one_of(REAL_FLOAT, xps.complex_dtypes())
INT_OR_BOOL = st.one_of(INTEGER, BOOL)
REAL = xps.real_dtypes()

UNARY = {  # name: (dtypes, domain)
    "abs": (REAL, None), "acos": (REAL_FLOAT, None), "acosh": (REAL_FLOAT, None),
    "asin": (REAL_FLOAT, None), "asinh": (REAL_FLOAT, None), "atan": (REAL_FLOAT, None),
    "atanh": (REAL_FLOAT, None), "bitwise_invert": (INT_OR_BOOL, None), "ceil": (REAL, None),
    "conj": (NUMERIC, None), "cos": (REAL_FLOAT, None), "cosh": (REAL_FLOAT, None),
    "exp": (REAL_FLOAT, None), "expm1": (REAL_FLOAT, None), "floor": (REAL, None),
    "imag": (xps.complex_dtypes(), None), "isfinite": (NUMERIC, None),
    "isinf": (NUMERIC, None), "isnan": (NUMERIC, None), "log": (REAL_FLOAT, "positive"),
    "log1p": (REAL_FLOAT, "positive"), "log2": (REAL_FLOAT, "positive"),
    "log10": (REAL_FLOAT, "positive"), "logical_not": (BOOL, None),
    "negative": (NUMERIC, None), "positive": (NUMERIC, None),
    "real": (xps.complex_dtypes(), None), "round": (REAL, None), "sign": (REAL, None),
    "signbit": (REAL_FLOAT, None), "sin": (REAL_FLOAT, None), "sinh": (REAL_FLOAT, None),
    "sqrt": (REAL_FLOAT, "positive"), "square": (NUMERIC, None), "tan": (REAL_FLOAT, None),
    "tanh": (REAL_FLOAT, None), "trunc": (REAL, None),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name):
    dtypes, domain = UNARY[name]

    @EXAMPLES
    @given(data=st.data())
    def prop(data):
        dt = data.draw(dtypes)
        kw = elements(dt, positive=domain == "positive")
        x = data.draw(xps.arrays(dt, SHAPES, elements=kw))
        check(getattr(pnp, name)(to_plait(x)), getattr(xp, name)(x))

    prop()


# complex pow is exp(y log x) as in jax (0 ** (1+1j) is NaN; NumPy's is 0): real floats only
BINARY = {  # name: (dtypes, domain of the second operand)
    "add": (NUMERIC, None), "atan2": (REAL_FLOAT, None), "bitwise_and": (INT_OR_BOOL, None),
    "bitwise_left_shift": (INTEGER, "shift"), "bitwise_or": (INT_OR_BOOL, None),
    "bitwise_right_shift": (INTEGER, "shift"), "bitwise_xor": (INT_OR_BOOL, None),
    "copysign": (REAL_FLOAT, None), "divide": (FLOAT, "finite complex"), "equal": (NUMERIC, None),
    "floor_divide": (REAL, "nonzero"), "greater": (REAL, None), "greater_equal": (REAL, None),
    "hypot": (REAL_FLOAT, None), "less": (REAL, None), "less_equal": (REAL, None),
    "logaddexp": (REAL_FLOAT, None), "logical_and": (BOOL, None), "logical_or": (BOOL, None),
    "logical_xor": (BOOL, None), "maximum": (REAL, None), "minimum": (REAL, None),
    "multiply": (NUMERIC, None), "nextafter": (REAL_FLOAT, None), "not_equal": (NUMERIC, None),
    "pow": (REAL_FLOAT, None), "remainder": (REAL, "nonzero"), "subtract": (NUMERIC, None),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name):
    dtypes, domain = BINARY[name]

    @EXAMPLES
    @given(data=st.data())
    def prop(data):
        dt = data.draw(dtypes)
        shape_a, shape_b = data.draw(xps.mutually_broadcastable_shapes(2, max_dims=3,
                                                                     max_side=3)).input_shapes
        # complex division with inf/NaN parts: XLA's special values are not NumPy's (as jax)
        finite_only = domain == "finite complex" and npdtype(dt).kind == "c"
        a = data.draw(xps.arrays(dt, shape_a, elements=finite(dt) if finite_only else
                                 elements(dt)))
        if finite_only:
            kw = finite(dt)
        elif domain == "shift":
            kw = {"min_value": 0, "max_value": 8 * npdtype(dt).itemsize - 1}
        else:
            kw = elements(dt, nonzero=domain == "nonzero")
        b = data.draw(xps.arrays(dt, shape_b, elements=kw))
        if domain == "nonzero" and npdtype(dt).kind == "f":  # x // 0 and x % 0: NaN/Inf conventions
            b = xp.where(b == 0, xp.asarray(1, dtype=dt), b)
        check(getattr(pnp, name)(to_plait(a), to_plait(b)), getattr(xp, name)(a, b))

    prop()


@EXAMPLES
@given(data=st.data())
def test_type_promotion_matches_the_standard(data):
    """Two arrays of mutually promotable dtypes: the result dtype is the standard's."""
    d1, d2 = data.draw(xps.scalar_dtypes()), data.draw(xps.scalar_dtypes())
    try:
        xp.result_type(d1, d2)
    except TypeError:  # a mix the standard leaves undefined (int with float, ...)
        assume(False)
    a = data.draw(xps.arrays(d1, (2,), elements=elements(d1)))
    b = data.draw(xps.arrays(d2, (2,), elements=elements(d2)))
    assert np.dtype(pnp.result_type(to_plait(a), to_plait(b))) == npdtype(xp.result_type(a, b))
    if "b" not in npdtype(d1).kind + npdtype(d2).kind:
        check(pnp.add(to_plait(a), to_plait(b)), xp.add(a, b))


# --- reductions, statistics, search, sort, sets ------------------------------------------------

REDUCTIONS = {
    "sum": NUMERIC, "prod": NUMERIC, "max": REAL, "min": REAL, "mean": FLOAT,
    "std": REAL_FLOAT, "var": REAL_FLOAT, "all": BOOL, "any": BOOL,
}


def accumulated(dt: np.dtype) -> np.dtype:
    """sum and prod of integers narrower than the default integer give the default (signed or
    unsigned) integer, as the standard says."""
    if dt.kind not in "iu" or dt.itemsize >= 4:
        return dt
    return np.dtype(f"{'u' if dt.kind == 'u' else ''}int32")


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions(name):
    @EXAMPLES
    @given(data=st.data())
    def prop(data):
        dt = data.draw(REDUCTIONS[name])
        x = data.draw(xps.arrays(dt, xps.array_shapes(min_dims=1, max_dims=3, max_side=4),
                                 elements=finite(dt, name == "prod")))
        axis = data.draw(xps.valid_tuple_axes(x.ndim))
        keepdims = data.draw(st.booleans())
        check(getattr(pnp, name)(to_plait(x), axis=axis, keepdims=keepdims),
              getattr(xp, name)(x, axis=axis, keepdims=keepdims), rtol=1e-5,
              dtype=accumulated(npdtype(dt)) if name in ("sum", "prod") else None)

    prop()


@EXAMPLES
@given(data=st.data())
def test_search_and_sort(data):
    dt = data.draw(REAL)
    x = data.draw(xps.arrays(dt, xps.array_shapes(min_dims=1, max_dims=2, max_side=5),
                             elements=small_ints(dt) if npdtype(dt).kind in "iu" else
                             {"allow_nan": False, "allow_subnormal": False}))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    p = to_plait(x)
    index = np.dtype("int32")  # plait's default (indexing) integer; array-api-strict's is int64
    check(pnp.argmax(p, axis=axis), xp.argmax(x, axis=axis), dtype=index)
    check(pnp.argmin(p, axis=axis), xp.argmin(x, axis=axis), dtype=index)
    check(pnp.sort(p, axis=axis), xp.sort(x, axis=axis))
    check(pnp.argsort(p, axis=axis, stable=True), xp.argsort(x, axis=axis, stable=True),
          dtype=index)
    check(pnp.sort(p, axis=axis, descending=True), xp.sort(x, axis=axis, descending=True))
    check(pnp.cumulative_sum(p, axis=axis), xp.cumulative_sum(x, axis=axis),
          dtype=accumulated(npdtype(dt)))
    check(pnp.count_nonzero(p, axis=axis), xp.count_nonzero(x, axis=axis), dtype=index)
    check(pnp.where(p > 0, p, -p), xp.where(x > 0, x, -x))
    for got, want in zip(pnp.nonzero(p), xp.nonzero(x)):  # eager: the shape is known
        check(got, want, dtype=index)
    flat = xp.sort(xp.reshape(x, (-1,)))
    check(pnp.searchsorted(to_plait(flat), p), xp.searchsorted(flat, x), dtype=index)
    values = pnp.unique_values(p)
    np.testing.assert_array_equal(np.sort(np.asarray(values)), np.sort(np.asarray(
        xp.unique_values(x))))


# --- creation, manipulation, linear algebra ----------------------------------------------------

@EXAMPLES
@given(data=st.data())
def test_manipulation(data):
    dt = data.draw(xps.scalar_dtypes())
    x = data.draw(xps.arrays(dt, xps.array_shapes(min_dims=1, max_dims=3, max_side=3),
                             elements=elements(dt)))
    p = to_plait(x)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    perm = tuple(data.draw(st.permutations(range(x.ndim))))
    check(pnp.flip(p, axis=axis), xp.flip(x, axis=axis))
    check(pnp.permute_dims(p, perm), xp.permute_dims(x, perm))
    check(pnp.expand_dims(p, axis=0), xp.expand_dims(x, axis=0))
    check(pnp.roll(p, 2, axis=axis), xp.roll(x, 2, axis=axis))
    check(pnp.reshape(p, (-1,)), xp.reshape(x, (-1,)))
    check(pnp.concat([p, p], axis=axis), xp.concat([x, x], axis=axis))
    check(pnp.stack([p, p], axis=0), xp.stack([x, x], axis=0))
    check(pnp.moveaxis(p, 0, -1), xp.moveaxis(x, 0, -1))
    check(pnp.tile(p, (2,) * x.ndim), xp.tile(x, (2,) * x.ndim))
    check(pnp.repeat(p, 2, axis=axis), xp.repeat(x, 2, axis=axis))
    for got, want in zip(pnp.unstack(p, axis=axis), xp.unstack(x, axis=axis)):
        check(got, want)
    for got, want in zip(pnp.broadcast_arrays(p, p[:1, ...]),
                         xp.broadcast_arrays(x, x[:1, ...])):
        check(got, want)
    if x.ndim >= 2:
        check(pnp.matrix_transpose(p), xp.matrix_transpose(x))
        check(p.mT, x.mT)
        check(pnp.tril(p, k=1), xp.tril(x, k=1))
        check(pnp.triu(p), xp.triu(x))


@EXAMPLES
@given(data=st.data())
def test_linear_algebra(data):
    dt = data.draw(REAL_FLOAT)
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    kw = {"min_value": -10, "max_value": 10}
    a = data.draw(xps.arrays(dt, (n, k), elements=kw))
    b = data.draw(xps.arrays(dt, (k, m), elements=kw))
    check(pnp.matmul(to_plait(a), to_plait(b)), xp.matmul(a, b), rtol=1e-5)
    check(pnp.tensordot(to_plait(a), to_plait(b), axes=1), xp.tensordot(a, b, axes=1),
          rtol=1e-5)
    c = data.draw(xps.arrays(dt, (n, k), elements=kw))
    check(pnp.vecdot(to_plait(a), to_plait(c)), xp.vecdot(a, c), rtol=1e-5)


@pytest.mark.parametrize("make", [
    lambda ns: ns.arange(2, 11, 3), lambda ns: ns.arange(5.0), lambda ns: ns.eye(3, 4, k=1),
    lambda ns: ns.full((2, 3), 7, dtype=ns.int16), lambda ns: ns.linspace(0, 1, 7),
    lambda ns: ns.ones((2,), dtype=ns.uint8), lambda ns: ns.zeros((0, 2)),
    lambda ns: ns.meshgrid(ns.arange(3), ns.arange(2), indexing="ij")[1],
    lambda ns: ns.asarray([1, 2], dtype=ns.int16), lambda ns: ns.zeros_like(ns.ones((2,))),
])
def test_creation(make):
    want = np.asarray(make(xp))
    check(make(pnp), want, dtype=PLAIT_DEFAULT.get(want.dtype, want.dtype))


# --- the namespace and the array object ---------------------------------------------------------

def test_namespace_inspection():
    info = pnp.__array_namespace_info__()
    assert pnp.__array_api_version__ == "2024.12"
    assert set(info.capabilities()) == set(xp.__array_namespace_info__().capabilities())
    assert info.default_dtypes()["real floating"] == np.float32
    assert set(info.dtypes(kind="integral")) == {f"{s}int{b}" for s in ("", "u")
                                                 for b in (8, 16, 32, 64)}
    assert set(info.dtypes(kind=("bool", "complex floating"))) == {"bool", "complex64",
                                                                   "complex128"}
    assert info.default_device() in info.devices()
    with pytest.raises(plait.PlaitValueError, match="kind"):
        info.dtypes(kind="reals")
    for name in ("finfo", "iinfo", "isdtype", "can_cast", "result_type"):
        assert callable(getattr(pnp, name)), name
    assert pnp.finfo(pnp.float32).eps == xp.finfo(xp.float32).eps
    assert pnp.iinfo(pnp.int16).max == xp.iinfo(xp.int16).max
    assert pnp.isdtype(pnp.float32, "real floating") and not pnp.isdtype(pnp.int8, "bool")
    assert pnp.can_cast(pnp.int8, pnp.int16) and not pnp.can_cast(pnp.float32, pnp.int32)


def test_array_object():
    x = pnp.asarray(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    assert x.__array_namespace__() is pnp
    assert x.device in pnp.__array_namespace_info__().devices()
    y = x.to_device(x.device)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(x))
    np.testing.assert_array_equal(np.asarray(x.mT), np.asarray(x).T)
    assert float(x[1, 2]) == 5.0 and int(x[0, 1]) == 1 and complex(x[0, 2]) == 2 + 0j
    assert bool(x[0, 1]) and operator_index(pnp.asarray(3)) == 3
    assert f"{x[1, 1]:.2f}" == "4.00"
    assert np.asarray(pnp.from_dlpack(x)).tolist() == np.asarray(x).tolist()
    with pytest.raises(plait.PlaitTypeError, match="immutable"):
        x[0, 0] = 1.0
    with pytest.raises(plait.PlaitValueError, match="array API"):
        x.__array_namespace__(api_version="2019.01")
    i = pnp.asarray(np.array([1, 2, 4], np.int32))
    np.testing.assert_array_equal(np.asarray(i << 1), [2, 4, 8])
    np.testing.assert_array_equal(np.asarray(i >> 1), [0, 1, 2])
    np.testing.assert_array_equal(np.asarray(1 << i), [2, 4, 16])
    assert math.isclose(float(pnp.sum(x)), 15.0)


def operator_index(a):
    return [0, 1, 2, 3, 4][a]


def test_floor_divide_edges_match_jax():
    """x // ±inf, x // 0 and 0 // 0 as jax's (CPython's float_divmod); was NaN for 1 // -inf."""
    a = np.array([1, -1, 7.5, -0.0, np.inf, 1, -1, 0, np.nan], np.float32)
    b = np.array([-np.inf, np.inf, 2, 3, 3, 0, 0, 0, 1], np.float32)
    np.testing.assert_array_equal(np.asarray(pnp.floor_divide(a, b)), jnp.floor_divide(a, b))
    np.testing.assert_array_equal(np.asarray(plait.jit(lambda x, y: x // y)(a, b)),
                                  jnp.floor_divide(a, b))


def test_complex_isinf_with_a_nan_part_matches_numpy():
    """A complex number with one infinite part is infinite even when the other is NaN."""
    v = np.array([complex(np.nan, np.inf), complex(np.inf, np.nan), complex(np.nan, 0), 1 + 1j],
                 np.complex64)
    np.testing.assert_array_equal(np.asarray(pnp.isinf(v)), np.isinf(v))
