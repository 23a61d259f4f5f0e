"""plait.numpy's ufunc-style functions (numpy/_ufuncs.py) vs NumPy, and their derivatives vs jax.

Values are compared with NumPy's on grids that hold the edge values (inf, -inf, nan, 0, -0,
subnormals, the largest float); the signs of zeros too where the function defines them.
Dtypes are compared with jax.numpy's (x64 on only when an input is 64-bit), as plait follows
JAX's promotion (integers become the default float, float_power is not widened). Derivatives
at the points where jax.numpy chose a convention (logaddexp at infinities, sinc at 0) are
compared with jax's.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special as sp
from usersite import first_line, raises_at

import plait
import plait.lax
import plait.numpy as pnp

b1, i8, u8, i32, i64 = (np.dtype(t) for t in ("bool", "int8", "uint8", "int32", "int64"))
f16, f32, f64, c64, c128 = (np.dtype(t) for t in ("float16", "float32", "float64", "complex64",
                                                  "complex128"))
_RTOL = {f16: 2e-3, f32: 4e-6, f64: 1e-13, c64: 4e-6, c128: 1e-13}


def _edges(dt):
    fi = np.finfo(dt)
    return np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -2.5, 3.0, 7.25, 1e-3,
                     -100.0, float(fi.smallest_subnormal), -float(fi.tiny), float(fi.max)], dt)


def _values(dt, domain):
    rng = np.random.default_rng(0)
    if dt == b1:
        return np.array([True, False, True])
    if dt.kind in "iu":
        lo = 0 if dt.kind == "u" or domain == "pos" else -7
        return np.arange(lo, lo + 15).astype(dt)
    if dt.kind == "c":
        re, im = rng.uniform(-2, 2, 12), rng.uniform(-2, 2, 12)
        if domain == "unit":
            re, im = re / 3, im / 3
        im[::4] = 0.0  # some real values (isreal, angle)
        return (re + 1j * im).astype(dt)
    if domain == "unit":
        return np.array([0.0, -0.0, 0.5, -0.5, 0.99, -0.25, 1.0, -1.0, 2.0, np.nan, np.inf], dt)
    return _edges(dt)


def _grid(a, b):
    """Every pair of elements of a and b, as two flat arrays."""
    return np.repeat(a, len(b)), np.tile(b, len(a))


@dataclasses.dataclass(frozen=True)
class Rec:
    name: str
    fn: Callable  # fn(xp, *operands): the same code on numpy, plait.numpy and jax.numpy
    dtypes: tuple = ((f32,), (f64,))  # one dtype per operand, per case
    domain: str = "any"
    signed_zeros: bool = False  # the sign of a zero result is part of the answer
    tol: float = 1.0
    ref: Callable | None = None  # the NumPy reference, where it is not fn(np, ...)


def _u(name, dtypes=((f32,), (f64,), (i32,)), **kw):
    return Rec(name, lambda xp, x: getattr(xp, name)(x), dtypes, **kw)


def _b(name, dtypes=((f32, f32), (f64, f64), (i32, i32)), **kw):
    return Rec(name, lambda xp, x, y: getattr(xp, name)(x, y), dtypes, **kw)


_COMPLEX = ((c64,), (c128,))
_FLOATS = ((f32,), (f64,))
_INTS = ((i32, i32), (i8, i8), (u8, u8))

RECORDS = [
    *(_u(n, domain="unit", tol=2) for n in ("arcsin", "arccos", "arctanh", "asin", "acos",
                                             "atanh")),
    *(_u(n, tol=2) for n in ("arctan", "atan", "arcsinh", "asinh", "arccosh", "acosh", "sinh",
                             "cosh", "cbrt", "exp2", "log2", "log10")),
    *(_u(n, _COMPLEX, domain="unit", tol=4) for n in ("arcsin", "arccos", "arctan", "arcsinh",
                                                      "arctanh", "sinh", "cosh", "exp2",
                                                      "log2", "log10")),
    _u("deg2rad"), _u("radians"), _u("rad2deg"), _u("degrees"),
    _u("fabs", signed_zeros=True),
    _u("sinc", tol=2),
    _u("spacing", ((f16,), (f32,), (f64,))),
    _u("rint", ((f32,), (f64,), (i32,), (c64,)), signed_zeros=True),
    _u("fix", ((f32,), (f64,), (i32,)), signed_zeros=True),
    _u("i0", tol=8),
    _u("signbit", ((f32,), (f64,), (f16,), (i32,), (u8,), (b1,))),
    _u("frexp", signed_zeros=True),
    _u("modf", signed_zeros=True),
    _u("isposinf", ((f32,), (f64,), (i32,))),
    _u("isneginf", ((f32,), (f64,), (i32,))),
    _u("isreal", ((f32,), (c64,), (i32,))),
    _u("iscomplex", ((f32,), (c128,), (i32,))),
    _u("angle", ((f32,), (f64,), (c64,), (c128,), (i32,))),
    Rec("angle_deg", lambda xp, x: xp.angle(x, deg=True), ((f64,), (c128,))),
    _u("nan_to_num", ((f32,), (f64,), (c64,), (i32,))),
    Rec("nan_to_num_fills", lambda xp, x: xp.nan_to_num(x, nan=1.5, posinf=2.0, neginf=-3.0),
        _FLOATS),
    _u("bitwise_count", ((i32,), (i8,), (u8,), (i64,), (b1,))),
    _u("bitwise_invert", ((i32,), (u8,), (b1,))),
    _u("bitwise_not", ((i8,),)),
    _b("logaddexp", tol=2), _b("logaddexp2", tol=2),
    # NumPy's logaddexp takes no complex numbers: the principal log of the sum of exponentials
    Rec("logaddexp_complex", lambda xp, x, y: xp.logaddexp(x, y), ((c64, c64), (c128, c128)),
        tol=4, ref=lambda x, y: np.log(np.exp(x) + np.exp(y))),
    _b("hypot"), _b("copysign", signed_zeros=True), _b("arctan2"), _b("atan2"),
    _b("fmax"), _b("fmin"), _b("heaviside"), _b("nextafter", ((f32, f32), (f64, f64))),
    _b("float_power", ((f32, f32), (f64, f64), (i32, i32)), domain="pos", tol=4),
    _b("pow", ((f64, f64), (i32, i32)), domain="pos"),
    _b("divmod", ((f32, f32), (f64, f64), (i32, i32), (i8, i8))),
    _b("ldexp", ((f32, i32), (f64, i32), (f64, i8))),
    _b("gcd", _INTS), _b("lcm", _INTS),
    _b("left_shift", _INTS, domain="pos"), _b("bitwise_left_shift", _INTS, domain="pos"),
    Rec("right_shift", lambda xp, x, y: xp.right_shift(x, xp.abs(y) % 7), _INTS),
    Rec("bitwise_right_shift", lambda xp, x, y: xp.bitwise_right_shift(x, xp.abs(y) % 7), _INTS),
]

_LDEXP_EXPONENTS = np.array([-1100, -130, -3, 0, 2, 5, 127, 1100])


def _operands(rec, dts):
    vals = [_values(dt, rec.domain) for dt in dts]
    if rec.name.startswith("ldexp"):
        vals[1] = _LDEXP_EXPONENTS.astype(dts[1])
    if rec.name.startswith("pow") or rec.name.startswith("float_power"):
        vals[1] = np.array([0, 1, 2, 3], dts[1])  # powers that stay in range
    if rec.name == "divmod" and dts[1].kind == "i":
        vals[1] = vals[1][vals[1] != 0]  # integer division by zero: NumPy's 0, XLA's -1
    if len(vals) == 2:
        vals = list(_grid(*vals))
    return vals


def _on_jax(rec, xs, shapes_only=False):
    """jax.numpy's outputs (or their shapes and dtypes), with x64 on only when an input is
    64-bit: plait's Python scalars and integers promote to 32-bit floats."""
    with jax.enable_x64(any(x.dtype in (i64, f64, c128) for x in xs)):
        f = lambda *a: rec.fn(jnp, *a)  # noqa: E731
        out = jax.eval_shape(f, *xs) if shapes_only else jax.jit(f)(*xs)
    return [np.asarray(o) if not shapes_only else o for o in jax.tree.leaves(out)]


def _subnormal(xs):
    """Where an operand is subnormal: XLA on CPU flushes those to zero, in jax as in plait,
    so there jax's answer is the expected one."""
    mask = np.zeros(np.shape(xs[0]), bool)
    for x in xs:
        if x.dtype.kind == "f":
            mask |= (x != 0) & (np.abs(x) < np.finfo(x.dtype).tiny)
    return mask


def _check(got, want, dt, rec, where):
    got = np.asarray(got)
    assert got.shape == np.shape(want), where
    if got.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want, err_msg=where)
        return
    rtol = _RTOL[dt if dt in _RTOL else got.dtype] * rec.tol
    wide = np.complex128 if got.dtype.kind == "c" else np.float64
    g, w = got.astype(wide), np.asarray(want).astype(wide)
    np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol, equal_nan=True, err_msg=where)
    if rec.signed_zeros and g.dtype.kind == "f":
        zero = w == 0
        np.testing.assert_array_equal(np.signbit(g[zero]), np.signbit(w[zero]),
                                      err_msg=f"{where}: signs of zeros")


def _cases():
    for rec in RECORDS:
        for dts in rec.dtypes:
            yield pytest.param(rec, dts, id=f"{rec.name}-{'-'.join(d.name for d in dts)}")


@pytest.mark.parametrize("rec,dts", list(_cases()))
def test_matches_numpy(rec, dts):
    xs = _operands(rec, dts)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = rec.ref(*xs) if rec.ref else rec.fn(np, *xs)
    want = want if isinstance(want, tuple) else (want,)
    jitted = plait.jit(lambda *a: rec.fn(pnp, *a))(*xs)
    eager = rec.fn(pnp, *xs)
    jax_has = rec.name != "fix"  # NumPy's alone: jax.numpy has only trunc
    if jax_has:
        expected = [np.dtype(o.dtype) for o in _on_jax(rec, xs, shapes_only=True)]
    else:
        expected = [np.dtype(w.dtype) for w in want]
    flushed = _subnormal(xs)
    if flushed.any() and jax_has:
        with np.errstate(over="ignore"):
            want = tuple(np.where(flushed, j, np.asarray(w).astype(j.dtype))
                         for w, j in zip(want, _on_jax(rec, xs)))
    for mode, got in (("jit", jitted), ("eager", eager)):
        got = got if isinstance(got, tuple) else (got,)
        assert [np.dtype(g.dtype) for g in got] == expected, (mode, [g.dtype for g in got])
        for k, (g, w) in enumerate(zip(got, want)):
            _check(g, w, dts[0], rec, f"{rec.name} {mode} output {k} on {xs}")


# the plait.numpy names this file tests (test_numpy.py counts them as tested)
TESTED = ({r.name.split("_deg")[0].split("_fills")[0].split("_complex")[0] for r in RECORDS}
          | {"isrealobj", "iscomplexobj"})


def test_every_name_is_there():
    """Each name of the ufunc list that jax.numpy has is in plait.numpy, and fix (NumPy's)."""
    assert not sorted(n for n in TESTED if not hasattr(pnp, n))


@pytest.mark.parametrize("x", [1.5, np.array([1, 2]), np.array([1j]), 2j, None, [1.0, 2j]])
def test_isrealobj_iscomplexobj(x):
    assert pnp.iscomplexobj(x) == np.iscomplexobj(x)
    assert pnp.isrealobj(x) == np.isrealobj(x)
    if x is not None and not isinstance(x, (float, complex, list)):
        assert pnp.iscomplexobj(pnp.asarray(x)) == np.iscomplexobj(x)


# --- derivatives vs jax ------------------------------------------------------------------------

_INF_PAIRS = np.array([[np.inf, 1.0], [-np.inf, 1.0], [1.0, -np.inf], [-np.inf, -np.inf],
                       [np.inf, np.inf], [2.0, 2.0], [0.3, -1.7], [-40.0, 3.0]])


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
def test_logaddexp_derivatives_at_infinities_match_jax(name):
    """jax's JVP: exp(x_i - out) with +inf taken out, so (inf, 1) has slopes (1, 0) and
    (-inf, -inf) has (nan, nan) as jax."""
    x, y = _INF_PAIRS[:, 0], _INF_PAIRS[:, 1]

    def grads(xp, grad, vmap):
        return vmap(grad(lambda a, b: getattr(xp, name)(a, b), argnums=(0, 1)))(x, y)

    with jax.enable_x64(True):
        want = grads(jnp, jax.grad, jax.vmap)
    got = plait.jit(lambda: grads(pnp, plait.grad, plait.vmap))()
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-13, equal_nan=True)


@pytest.mark.parametrize("name,points", [
    ("sinc", [0.0, 0.5, -1.25, 3.0]),
    ("log2", [0.5, 3.0]), ("log10", [0.5, 3.0]), ("exp2", [-1.0, 2.5]), ("cbrt", [-2.0, 0.7]),
    ("arcsinh", [0.3, -2.0]), ("arccosh", [1.5, 4.0]), ("sinh", [0.3, -2.0]),
    ("deg2rad", [10.0]), ("i0", [1.5, -3.0, 9.0]), ("fabs", [-1.5, 2.0]),
])
def test_first_and_second_derivatives_match_jax(name, points):
    def derivs(xp, grad, vmap):
        f = getattr(xp, name)
        return vmap(grad(f))(points), vmap(grad(grad(f)))(points)

    points = np.array(points)
    with jax.enable_x64(True):
        want = derivs(jnp, jax.grad, jax.vmap)
    got = plait.jit(lambda: derivs(pnp, plait.grad, plait.vmap))()
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name,x,y", [
    ("hypot", [3.0, 0.0, -1.5], [4.0, 2.0, 0.5]),
    ("copysign", [1.5, -2.0, 0.5], [-1.0, 3.0, -0.0]),
    ("fmax", [1.0, np.nan, 2.0], [3.0, 1.0, -1.0]),
    ("fmin", [1.0, np.nan, 2.0], [3.0, 1.0, -1.0]),
    ("float_power", [1.5, 2.0, 0.5], [2.0, -1.5, 3.0]),
    ("arctan2", [1.0, -2.0, 0.5], [3.0, 1.0, -1.0]),
    ("heaviside", [1.0, -2.0, 0.5], [3.0, 1.0, -1.0]),
])
def test_binary_derivatives_match_jax(name, x, y):
    x, y = np.array(x), np.array(y)

    def grads(xp, grad, vmap):
        return vmap(grad(lambda a, b: getattr(xp, name)(a, b), argnums=(0, 1)))(x, y)

    with jax.enable_x64(True):
        want = grads(jnp, jax.grad, jax.vmap)
    got = plait.jit(lambda: grads(pnp, plait.grad, plait.vmap))()
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-12, equal_nan=True)


def test_frexp_modf_ldexp_derivatives_match_jax():
    x = np.array([0.3, -5.0, 1e-300, 12.0])

    def f(xp, x):
        m, e = xp.frexp(x)
        frac, whole = xp.modf(x * 3.3)
        return m * 2.0 + frac * whole + xp.ldexp(x, np.array([3, -2, 40, 0]))

    with jax.enable_x64(True):
        want = jax.grad(lambda x: jnp.sum(f(jnp, x)))(x)
    got = plait.jit(plait.grad(lambda x: pnp.sum(f(pnp, x))))(x)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-13)


def test_sinc_derivatives_at_zero_to_fourth_order():
    """sin(pi x)/(pi x) = 1 - (pi x)^2/6 + (pi x)^4/120 - ...: derivatives 0, -pi^2/3, 0,
    pi^4/5 at 0."""
    d = pnp.sinc
    ds = []
    for _ in range(4):
        d = plait.grad(d)
        ds.append(float(plait.jit(d)(0.0)))
    np.testing.assert_allclose(ds, [0.0, -np.pi ** 2 / 3, 0.0, np.pi ** 4 / 5], rtol=1e-6,
                               atol=1e-6)


def test_i0_derivatives_at_zero():
    """i0' = i1 and i0'' = (i0 + i2) / 2: 0 and 1/2 at 0 (jax's rule zeroes the tangent at 0,
    so its second derivative there is 0; SciPy is the oracle)."""
    x = np.array([0.0, 0.25, -2.0])
    d1 = plait.jit(plait.vmap(plait.grad(pnp.i0)))(x)
    d2 = plait.jit(plait.vmap(plait.grad(plait.grad(pnp.i0))))(x)
    np.testing.assert_allclose(np.asarray(d1), sp.i1(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.asarray(d2), (sp.i0(x) + sp.iv(2, x)) / 2, rtol=1e-12)


def test_gcd_under_vmap_matches_a_loop():
    """gcd is a while loop over the whole array: batched, each row still gets its own answer."""
    a = np.array([[12, 18, 0, -7], [35, 0, 0, 100]], np.int32)
    b = np.array([[8, 27, 5, 21], [14, 0, 9, -75]], np.int32)
    got = plait.vmap(pnp.gcd)(a, b)
    np.testing.assert_array_equal(np.asarray(got), np.gcd(a, b))
    np.testing.assert_array_equal(np.asarray(plait.vmap(pnp.lcm)(a, b)), np.lcm(a, b))


# --- bad input ---------------------------------------------------------------------------------

HERE = __file__


def _hypot_complex():
    return pnp.hypot(np.ones(3, np.complex64), 1.0)


def _ldexp_float_exponent():
    return pnp.ldexp(np.ones(3, np.float32), np.ones(3, np.float32))


def _gcd_floats():
    return pnp.gcd(np.ones(3, np.float32), 2)


def _cbrt_complex():
    return pnp.cbrt(np.ones(3, np.complex64))


def _integer_pow_negative():
    return plait.lax.integer_pow(np.arange(3, dtype=np.int32), -2)


def _reduce_precision_bad_bits():
    return plait.lax.reduce_precision(np.ones(3, np.float32), 0, 3)


@pytest.mark.parametrize("fn,fragment", [
    (_hypot_complex, "hypot is not defined for complex numbers"),
    (_ldexp_float_exponent, "ldexp takes a real x1 and an integer x2"),
    (_gcd_floats, "gcd takes integer operands, got float32"),
    (_cbrt_complex, "plait.cbrt takes floating operands, got complex64"),
    (_integer_pow_negative, "integers cannot be raised to negative powers"),
    (_reduce_precision_bad_bits, "exponent_bits must be positive, got 0"),
])
def test_bad_input_raises_at_the_users_line(fn, fragment):
    raises_at(plait.PlaitTypeError, fn, first_line(fn) + 1, fragment, here=HERE)
