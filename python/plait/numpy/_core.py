"""Shared machinery of `plait.numpy`: eager dispatch, promotion, broadcasting, elementwise ops.

Every public function is plain Python over `plait.lax`. Called on tracers it traces inline;
called eagerly it runs through a `plait.jit` of itself (one compiled program per signature,
dispatched by the C++ fast path), as `jax.numpy` does.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import math

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.aval import ShapedArray, canonicalize_shape
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.jitting import new_jitted
from plait.runtime import device as _device
from plait.runtime.array import Array
from plait.runtime.device import is_jax_array
from plait.staging.trace import Tracer, current_trace, tracing

ndarray = Array


def is_array(x) -> bool:
    return isinstance(x, (Tracer, Array))


def numpy_function(static=(), name=None, jit=True):
    """Make `impl` a plait.numpy function. An argument it does not take (NumPy's `out=`,
    `where=`, `order=`) is a PlaitTypeError naming it, at the user's line, before any argument
    reaches jit (whose error would be about the argument's type). With `jit`, it is
    eager-capable: traced inline under a trace, else jitted with `static`."""

    def deco(impl):
        fname = name or impl.__name__
        signature = inspect.signature(impl)
        most, keywords = _arity(signature)

        @functools.wraps(impl)
        def traced(*args, **kwargs):
            if len(args) > most or kwargs and not keywords.issuperset(kwargs):
                raise _argument_error(fname, signature, args, kwargs)
            return impl(*args, **kwargs)

        traced.__name__ = fname
        if not jit:
            return traced
        jitted = None
        static_pos = frozenset(i for i, n in enumerate(_positional(signature)) if n in static)

        @functools.wraps(impl)
        def wrapper(*args, **kwargs):
            nonlocal jitted
            if len(args) > most or kwargs and not keywords.issuperset(kwargs):
                raise _argument_error(fname, signature, args, kwargs)
            if tracing():
                return impl(*args, **kwargs)
            if jitted is None:
                jitted = new_jitted(impl, static_argnames=static)
            if static and (_has_list(args) or _has_list(kwargs.values())):
                args, kwargs = _static_lists_as_tuples(signature, static, args, kwargs)
            if _has_sequence(args) or _has_sequence(kwargs.values()):
                args, kwargs = _host_sequences_as_arrays(static_pos, static, args, kwargs)
            return jitted(*args, **kwargs)

        wrapper.traced = traced  # what a tracer's method calls: no dispatch check
        wrapper.__name__ = fname
        return wrapper

    return deco


def _positional(signature: inspect.Signature) -> list[str]:
    return [p.name for p in signature.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _arity(signature: inspect.Signature) -> tuple[float, frozenset]:
    """The most positional arguments `signature` takes and the keywords it takes."""
    params = signature.parameters.values()
    assert all(p.kind is not p.VAR_KEYWORD for p in params), "plait.numpy takes no **kwargs"
    variadic = any(p.kind is p.VAR_POSITIONAL for p in params)
    keywords = frozenset(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD,
                                                              p.KEYWORD_ONLY))
    return (math.inf if variadic else len(_positional(signature))), keywords


def _argument_error(name: str, signature: inspect.Signature, args, kwargs) -> PlaitTypeError:
    unknown = [k for k in kwargs if k not in signature.parameters]
    if unknown:
        return PlaitTypeError(f"plait.numpy.{name}{signature} does not support the keyword "
                              f"argument {unknown[0]!r}")
    positional = _positional(signature)
    return PlaitTypeError(f"plait.numpy.{name}{signature} takes {len(positional)} positional "
                          f"arguments ({', '.join(positional)}) but {len(args)} were given")


def _has_list(values) -> bool:
    """Whether a list is among `values` or inside a tuple of them: static arguments must
    hash, and NumPy takes lists (`split(x, [1, 3])`, `tensordot(a, b, ([0], [1]))`)."""
    for v in values:
        t = type(v)
        if t is list or t is tuple and _has_list(v):
            return True
    return False


def _has_sequence(values) -> bool:
    return any(type(v) is list or type(v) is tuple for v in values)


def _host_sequences_as_arrays(static_pos, static, args, kwargs):
    """Lists and tuples of numbers given as data become arrays before jit, as a traced call
    makes them (one array, config's default dtypes): jit would trace each number on its own."""
    args = tuple(a if i in static_pos else _host_sequence_as_array(a) for i, a in enumerate(args))
    kwargs = {k: v if k in static else _host_sequence_as_array(v) for k, v in kwargs.items()}
    return args, kwargs


def _host_sequence_as_array(x):
    if not _numbers_only(x):  # sequences of arrays stay sequences (concatenate, stack)
        return x
    try:
        return asarray(x)
    except (PlaitTypeError, ValueError):  # ragged: left to the function
        return x


def _numbers_only(x) -> bool:
    """A list or tuple holding only Python or NumPy scalars (or such lists)."""
    return (type(x) is list or type(x) is tuple) and all(
        isinstance(e, (bool, int, float, complex, np.generic)) or _numbers_only(e) for e in x)


def _static_lists_as_tuples(signature, static, args, kwargs):
    """Lists in static arguments as tuples, which hash."""
    def as_tuple(v):
        return tuple(as_tuple(e) for e in v) if isinstance(v, (list, tuple)) else v

    bound = signature.bind(*args, **kwargs)
    for name in static:
        if name in bound.arguments:
            bound.arguments[name] = as_tuple(bound.arguments[name])
    return bound.args, bound.kwargs


# --- conversion -----------------------------------------------------------------------------

def _host_dtype(x, dtype) -> np.dtype:
    """dtype of an array made from host data: NumPy's own, or config's for Python data."""
    if dtype is not None:
        return dtypes.canonicalize(dtype)
    if isinstance(x, (np.ndarray, np.generic)):
        return dtypes.canonicalize(x.dtype)
    arr = np.asarray(x)
    if arr.dtype.kind not in "biufc":
        raise PlaitTypeError(f"cannot make an array from {type(x).__name__} holding "
                             f"{arr.dtype} data")
    return dtypes.config.default_for_kind(dtypes.kind(arr.dtype))


@numpy_function(jit=False)
def asarray(a, dtype=None, *, copy=None):
    """Convert to a plait array: NumPy keeps its dtype; Python data gets config's defaults.
    Host data is copied to the device (a later change to a NumPy array does not show); plait
    and jax arrays, which are immutable, are returned as they are."""
    if is_array(a):
        return a if dtype is None else astype(a, dtype)
    if is_jax_array(a):
        out = Array(a)
        return out if dtype is None else astype(out, dtype)
    if isinstance(a, (list, tuple)) and any(is_array(e) or _contains_array(e) for e in a):
        return stack([asarray(e, dtype) for e in a])
    weak = _is_python_scalar(a) and not isinstance(a, bool) and dtype is None
    dt = _host_dtype(a, dtype)
    try:
        host = np.asarray(a, dtype=dt)
    except OverflowError:
        raise PlaitTypeError(f"{a if np.ndim(a) == 0 else 'an int in the data'} does not fit "
                             f"in {dt}; pass a dtype that holds it (e.g. dtype=np.int64)"
                             ) from None
    if tracing():
        return lax.full((), a, None if weak else dt) if host.ndim == 0 else _constant(host)
    return Array(_device.device_put(host, ShapedArray(host.shape, dt, weak)))


@numpy_function(jit=False)
def from_dlpack(x):
    """A plait array sharing the memory of any DLPack producer (NumPy, torch, jax, plait)."""
    if not hasattr(x, "__dlpack__"):
        raise PlaitTypeError(f"from_dlpack needs an object with __dlpack__, got "
                             f"{type(x).__name__}")
    return Array(_device.from_dlpack(x))


def _is_python_scalar(x) -> bool:
    """int, float or complex, but not a NumPy scalar (np.float64 subclasses float): those keep
    their dtype."""
    return isinstance(x, (int, float, complex)) and not isinstance(x, np.generic)


def _constant(host: np.ndarray):
    return current_trace().to_tracer(host)


def _contains_array(x) -> bool:
    return isinstance(x, (list, tuple)) and any(is_array(e) or _contains_array(e) for e in x)


@numpy_function(jit=False)
def array(object, dtype=None, *, copy=True, ndmin=0):
    out = asarray(object, dtype)
    if ndmin > out.ndim:
        out = reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
    return out


def _aval(x) -> ShapedArray:
    if is_array(x):
        return x.aval
    if isinstance(x, (list, tuple)):
        return ShapedArray(np.shape(x), _host_dtype(x, None))
    return lax.aval_of(x)


def _to_array(x, dtype):
    """x (array, scalar or host data) as an array of `dtype`."""
    if is_array(x):
        return x if x.dtype == dtype else lax.convert_element_type(x, dtype)
    return asarray(x, dtype)


# --- promotion and broadcasting --------------------------------------------------------------

@numpy_function(jit=False)
def result_type(*args) -> np.dtype:
    """The promoted dtype of arrays, scalars and dtypes (`np.float16`, `"int8"`; the Python
    types int, float and complex are weak), as in JAX."""
    return promote_avals([ShapedArray((), dtypes.canonicalize(a), a is int or a is float
                                      or a is complex)
                          if isinstance(a, (np.dtype, type, str)) else _aval(a) for a in args])[0]


def promote_avals(avals) -> tuple[np.dtype, bool]:
    return dtypes.promote(*[(a.dtype, a.weak_type) for a in avals])


@numpy_function(jit=False)
def broadcast_shapes(*shapes) -> tuple:
    """NumPy's broadcast of shapes (computed here: NumPy refuses shapes too big to allocate)."""
    shapes = [canonicalize_shape(s) for s in shapes]
    ndim = builtins.max((len(s) for s in shapes), default=0)
    out = []
    for dims in zip(*[(1,) * (ndim - len(s)) + s for s in shapes]):
        sizes = set(dims) - {1}
        if len(sizes) > 1:
            raise PlaitTypeError("shapes " + ", ".join(str(s) for s in shapes)
                                 + " cannot be broadcast together")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


@numpy_function(jit=False)
def broadcast_to(array, shape):
    shape = canonicalize_shape(shape)
    a = _aval(array)
    if a.shape == shape and is_array(array):
        return array
    if len(shape) < a.ndim or broadcast_shapes(a.shape, shape) != shape:
        raise PlaitTypeError(f"cannot broadcast shape {a.shape} to {shape}")
    x = array if is_array(array) else asarray(array)
    lead = len(shape) - a.ndim
    keep = [i for i, d in enumerate(a.shape) if d == shape[lead + i]]
    if len(keep) < a.ndim:  # squeeze size-1 dims that are stretched
        x = lax.reshape(x, [a.shape[i] for i in keep])
    return lax.broadcast_in_dim(x, shape, [lead + i for i in keep])


def promote_broadcast(*args, dtype=None):
    """Promote args to one dtype (JAX rules, weak scalars) and broadcast to one shape."""
    avals = [_aval(a) for a in args]
    dt, weak = promote_avals(avals)
    if dtype is not None:
        dt, weak = dtype, False
    shape = broadcast_shapes(*[a.shape for a in avals])
    out = []
    for x, a in zip(args, avals):
        if not is_array(x):
            if np.ndim(x) == 0:
                out.append(lax.full(shape, x if not isinstance(x, np.generic) else x.item(), dt,
                                    weak_type=weak))
                continue
            x = asarray(x, dt)
        elif a.dtype != dt:
            x = lax.convert_element_type(x, dt, weak)
        out.append(broadcast_to(x, shape))
    return out


def _inexact_dtype(dt: np.dtype) -> np.dtype:
    if dtypes.is_inexact(dt):
        return dt
    if dt.itemsize == 8:
        return dtypes.float64
    return dtypes.config.default_float


def promote_inexact(*args):
    avals = [_aval(a) for a in args]
    dt, weak = promote_avals(avals)
    return promote_broadcast(*args, dtype=_inexact_dtype(dt))


def promote_dtypes_inexact(*args):
    """args as arrays of one inexact dtype (JAX rules), each keeping its shape."""
    dt = _inexact_dtype(promote_avals([_aval(a) for a in args])[0])
    out = [x if is_array(x) else asarray(x) for x in args]
    return [x if x.dtype == dt else lax.convert_element_type(x, dt) for x in out]


# --- elementwise functions --------------------------------------------------------------------

def _unary_inexact(lax_fn, name):
    @numpy_function(name=name)
    def f(x):
        (x,) = promote_inexact(x)
        return lax_fn(x)
    f.__doc__ = f"Elementwise {name} (integers are promoted to float)."
    return f


sin = _unary_inexact(lax.sin, "sin")
cos = _unary_inexact(lax.cos, "cos")
tan = _unary_inexact(lax.tan, "tan")
tanh = _unary_inexact(lax.tanh, "tanh")
exp = _unary_inexact(lax.exp, "exp")
expm1 = _unary_inexact(lax.expm1, "expm1")
log = _unary_inexact(lax.log, "log")
log1p = _unary_inexact(lax.log1p, "log1p")
sqrt = _unary_inexact(lax.sqrt, "sqrt")


@numpy_function()
def arctan2(x1, x2):
    x1, x2 = promote_inexact(x1, x2)
    return lax.atan2(x1, x2)


def _binary(lax_fn, name, kinds=None, bool_fn=None):
    @numpy_function(name=name)
    def f(x1, x2):
        x1, x2 = promote_broadcast(x1, x2)
        if kinds and dtypes.kind(x1.dtype) not in kinds:
            raise PlaitTypeError(f"{name} is not defined for {x1.dtype}")
        if bool_fn is not None and x1.dtype == dtypes.bool_:
            return bool_fn(x1, x2)
        return lax_fn(x1, x2)
    f.__doc__ = f"Elementwise {name} with NumPy broadcasting and JAX promotion."
    return f


# in bool, NumPy's add is `or` and its multiply `and`
add = _binary(lax.add, "add", bool_fn=lax.bitwise_or)
subtract = _binary(lax.sub, "subtract")
multiply = _binary(lax.mul, "multiply", bool_fn=lax.bitwise_and)
maximum = _binary(lax.max, "maximum")
minimum = _binary(lax.min, "minimum")
bitwise_and = _binary(lax.bitwise_and, "bitwise_and", "bi")
bitwise_or = _binary(lax.bitwise_or, "bitwise_or", "bi")
bitwise_xor = _binary(lax.bitwise_xor, "bitwise_xor", "bi")


def _bool_binary(lax_fn, name):
    @numpy_function(name=name)
    def f(x1, x2):
        x1, x2 = promote_broadcast(x1, x2, dtype=dtypes.bool_)
        return lax_fn(x1, x2)
    f.__doc__ = f"Elementwise {name}; operands are converted to bool."
    return f


logical_and = _bool_binary(lax.bitwise_and, "logical_and")
logical_or = _bool_binary(lax.bitwise_or, "logical_or")
logical_xor = _bool_binary(lax.bitwise_xor, "logical_xor")


@numpy_function()
def logical_not(x):
    return lax.bitwise_not(_to_array(x, dtypes.bool_))


@numpy_function()
def invert(x):
    x = asarray(x) if not is_array(x) else x
    return lax.bitwise_not(x)


@numpy_function()
def true_divide(x1, x2):
    x1, x2 = promote_inexact(x1, x2)
    return lax.div(x1, x2)


divide = true_divide


@numpy_function()
def floor_divide(x1, x2):
    x1, x2 = promote_broadcast(x1, x2)
    if dtypes.is_integer(x1.dtype):
        q = lax.div(x1, x2)
        fix = logical_and(not_equal(lax.rem(x1, x2), 0), not_equal(less(x1, 0), less(x2, 0)))
        return where(fix, lax.sub(q, 1), q) if not dtypes.is_unsigned(x1.dtype) else q
    if dtypes.is_complex(x1.dtype):
        raise PlaitTypeError("floor_divide is not defined for complex numbers")
    # CPython's float_divmod, as jax: (x1 - rem) / x2 (x1 / 0 for x2 = 0), one less where rem
    # is non-zero and its sign is not x2's (so 1 // -inf is -1, not NaN); an integer up to
    # rounding error: rounded, not floored
    r = lax.rem(x1, x2)
    q = lax.div(where(equal(x2, 0), x1, lax.sub(x1, r)), x2)
    fix = logical_and(not_equal(r, 0), not_equal(lax.sign(x2), lax.sign(r)))
    return lax.round(where(fix, lax.sub(q, lax.full(q.shape, 1, q.dtype)), q))


def _py_mod(x1, x2):
    """Remainder with the sign of the divisor (Python / NumPy `%`)."""
    r = lax.rem(x1, x2)
    if dtypes.is_unsigned(x1.dtype):
        return r
    fix = logical_and(not_equal(r, 0), not_equal(less(r, 0), less(x2, 0)))
    return where(fix, lax.add(r, x2), r)


@numpy_function()
def remainder(x1, x2):
    x1, x2 = promote_broadcast(x1, x2)
    if dtypes.is_complex(x1.dtype):
        raise PlaitTypeError("mod is not defined for complex numbers")
    return _py_mod(x1, x2)


mod = remainder


@numpy_function()
def fmod(x1, x2):
    x1, x2 = promote_broadcast(x1, x2)
    return lax.rem(x1, x2)


@numpy_function(static=("n",))
def _static_power(x, n: int):
    (x,) = promote_broadcast(x, dtype=promote_avals([_aval(x), _aval(n)])[0])
    if n < 0 and not dtypes.is_inexact(x.dtype):
        raise PlaitTypeError(f"integers cannot be raised to negative powers, got "
                             f"{x.aval.str_short()} ** {n}; use a floating-point base")
    if n == 2:  # x * x: its derivative keeps x itself as the residual (2x for integer_pow)
        return lax.mul(x, x)
    if builtins.abs(n) <= 64:  # as jax: plait.integer_pow, squared repeatedly when lowered
        return lax.integer_pow(x, n)
    return lax.pow(x, lax.full(x.shape, n, x.dtype))


@numpy_function()
def _array_power(x1, x2):
    x1, x2 = promote_broadcast(x1, x2)
    return lax.pow(x1, x2)


@numpy_function(jit=False)
def power(x1, x2):
    """x1 ** x2 elementwise. A Python int exponent is static, as in jax: eager and traced
    calls alike square repeatedly, and raise for integers to negative powers."""
    if isinstance(x2, int) and not isinstance(x2, bool):
        return _static_power(x1, x2)
    return _array_power(x1, x2)


def _compare(direction, name):
    @numpy_function(name=name)
    def f(x1, x2):
        x1, x2 = promote_broadcast(x1, x2)
        return _compare_arrays(x1, x2, direction)
    f.__doc__ = f"Elementwise {name} comparison."
    return f


def _compare_arrays(x1, x2, direction):
    return {"EQ": lax.eq, "NE": lax.ne, "LT": lax.lt, "LE": lax.le, "GT": lax.gt,
            "GE": lax.ge}[direction](x1, x2)


equal = _compare("EQ", "equal")
not_equal = _compare("NE", "not_equal")
less = _compare("LT", "less")
less_equal = _compare("LE", "less_equal")
greater = _compare("GT", "greater")
greater_equal = _compare("GE", "greater_equal")


@numpy_function()
def negative(x):
    x = asarray(x) if not is_array(x) else x
    if x.dtype == dtypes.bool_:
        raise PlaitTypeError("negative is not defined for bool; use logical_not")
    return lax.neg(x)


@numpy_function()
def positive(x):
    return asarray(x) if not is_array(x) else x


@numpy_function()
def absolute(x):
    x = asarray(x) if not is_array(x) else x
    if x.dtype == dtypes.bool_ or dtypes.is_unsigned(x.dtype):
        return x
    return lax.abs(x)


abs = absolute


@numpy_function()
def sign(x):
    x = asarray(x) if not is_array(x) else x
    if dtypes.is_unsigned(x.dtype):
        return lax.convert_element_type(not_equal(x, 0), x.dtype)
    return lax.sign(x)


def _float_only(lax_fn, name):
    @numpy_function(name=name)
    def f(x):
        x = asarray(x) if not is_array(x) else x
        if not dtypes.is_float(x.dtype):
            return x if dtypes.is_integer(x.dtype) or x.dtype == dtypes.bool_ else \
                _raise(PlaitTypeError(f"{name} is not defined for {x.dtype}"))
        return lax_fn(x)
    return f


def _raise(e):
    raise e


floor = _float_only(lax.floor, "floor")
ceil = _float_only(lax.ceil, "ceil")


@numpy_function(static=("decimals",))
def round(a, decimals=0):
    a = asarray(a) if not is_array(a) else a
    if dtypes.is_complex(a.dtype):
        return lax.complex(round(lax.real(a), decimals), round(lax.imag(a), decimals))
    if dtypes.is_integer(a.dtype) and decimals < 0:
        return _round_int(a, 10 ** -decimals)
    if not dtypes.is_float(a.dtype):
        return a
    if decimals == 0:
        return lax.round(a)
    factor = lax.full(a.shape, 10.0 ** decimals, a.dtype)
    return lax.div(lax.round(lax.mul(a, factor)), factor)


around = round


def _round_int(a, factor: int):
    """Integers to the nearest multiple of `factor`, halves to even (NumPy's negative decimals)."""
    f = lax.full(a.shape, factor, a.dtype)
    r = _py_mod(a, f)  # in [0, factor)
    down = lax.sub(a, r)
    zero, two = lax.full(a.shape, 0, a.dtype), lax.full(a.shape, 2, a.dtype)
    odd = lax.ne(lax.rem(lax.div(down, f), two), zero)
    half = lax.sub(f, r)
    up = logical_or(lax.gt(r, half), logical_and(lax.eq(r, half), odd))
    return where(up, lax.add(down, f), down)


@numpy_function()
def trunc(x):
    x = asarray(x) if not is_array(x) else x
    if not dtypes.is_float(x.dtype):
        return x
    return where(less(x, 0), lax.ceil(x), lax.floor(x))


@numpy_function()
def square(x):
    x = asarray(x) if not is_array(x) else x
    return lax.mul(x, x)


@numpy_function()
def reciprocal(x):
    (x,) = promote_inexact(x)
    return lax.reciprocal(x)  # integer_pow(x, -1), as jax.numpy


@numpy_function()
def isfinite(x):
    x = asarray(x) if not is_array(x) else x
    if dtypes.is_complex(x.dtype):
        return logical_and(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
    if not dtypes.is_float(x.dtype):
        return lax.full(x.shape, True, dtypes.bool_)
    return lax.is_finite(x)


@numpy_function()
def isnan(x):
    x = asarray(x) if not is_array(x) else x
    if not dtypes.is_inexact(x.dtype):
        return lax.full(x.shape, False, dtypes.bool_)
    return lax.ne(x, x)


@numpy_function()
def isinf(x):
    x = asarray(x) if not is_array(x) else x
    if not dtypes.is_inexact(x.dtype):
        return lax.full(x.shape, False, dtypes.bool_)
    if dtypes.is_complex(x.dtype):  # either part infinite, even with a NaN in the other
        return logical_or(isinf(lax.real(x)), isinf(lax.imag(x)))
    return logical_and(logical_not(isfinite(x)), logical_not(isnan(x)))


@numpy_function()
def where(condition, x=None, y=None):
    if x is None or y is None:
        raise PlaitValueError("where(condition) with one argument needs concrete values; "
                              "use nonzero on a NumPy array, or pass x and y")
    condition = _to_array(condition, dtypes.bool_) if not (
        is_array(condition) and condition.dtype == dtypes.bool_) else condition
    shape = broadcast_shapes(condition.shape, _aval(x).shape, _aval(y).shape)
    x, y = promote_broadcast(x, y)
    x, y = broadcast_to(x, shape), broadcast_to(y, shape)
    return lax.select(broadcast_to(condition, shape), x, y)


@numpy_function()
def clip(a, a_min=None, a_max=None):
    a = asarray(a) if not is_array(a) else a
    if a_min is not None:
        a = maximum(a, a_min)
    if a_max is not None:
        a = minimum(a, a_max)
    return a


@numpy_function()
def real(val):
    val = asarray(val) if not is_array(val) else val
    return lax.real(val) if dtypes.is_complex(val.dtype) else val


@numpy_function()
def imag(val):
    val = asarray(val) if not is_array(val) else val
    if dtypes.is_complex(val.dtype):
        return lax.imag(val)
    return lax.full(val.shape, 0, val.dtype)


@numpy_function()
def conj(x):
    x = asarray(x) if not is_array(x) else x
    if not dtypes.is_complex(x.dtype):
        return x
    return lax.complex(lax.real(x), lax.neg(lax.imag(x)))


conjugate = conj


@numpy_function(static=("dtype",))
def astype(x, dtype):
    x = asarray(x) if not is_array(x) else x
    return lax.convert_element_type(x, dtype)


@numpy_function(jit=False)
def shape(a) -> tuple:
    return tuple(np.shape(a)) if not is_array(a) else a.shape


@numpy_function(jit=False)
def ndim(a) -> int:
    return len(shape(a))


@numpy_function(jit=False)
def size(a) -> int:
    return int(np.prod(shape(a)))


@numpy_function(static=("shape", "order"), name="reshape")
def reshape(a, shape, order="C"):
    a = asarray(a) if not is_array(a) else a
    if order != "C":
        raise PlaitValueError("reshape supports only order='C'")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    free = [i for i, d in enumerate(shape) if isinstance(d, (int, np.integer)) and d == -1]
    if len(free) > 1:
        raise PlaitValueError("reshape: only one dimension may be -1")
    known = canonicalize_shape([d for i, d in enumerate(shape) if i not in free], "new shape")
    if free:
        n = math.prod(known)
        if n == 0 or a.size % n:
            raise PlaitTypeError(f"cannot reshape array of shape {a.shape} into {shape}")
        known = known[:free[0]] + (a.size // n,) + known[free[0]:]
    if math.prod(known) != a.size:
        raise PlaitTypeError(f"cannot reshape array of shape {a.shape} into {shape}")
    shape = known
    return lax.reshape(a, shape)


def canon_axis(axis: int, ndim: int) -> int:
    if not isinstance(axis, (int, np.integer)):
        raise PlaitTypeError(f"axis must be an int, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise PlaitValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return int(axis) % ndim if ndim else 0


def canon_axes(axis, ndim: int) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = tuple(canon_axis(a, ndim) for a in axes)
    if len(set(out)) != len(out):
        raise PlaitValueError(f"repeated axis in {axis}")
    return out


def _promote_all(arrays):
    arrays = [(a if is_array(a) else asarray(a)) for a in arrays]
    if not arrays:
        raise PlaitValueError("need at least one array")
    dt = promote_avals([a.aval for a in arrays])[0]
    return [lax.convert_element_type(a, dt) if a.dtype != dt else a for a in arrays]


@numpy_function(static=("axis",))
def stack(arrays, axis=0):
    arrays = _promote_all(arrays)
    shape0 = arrays[0].shape
    if any(a.shape != shape0 for a in arrays):
        raise PlaitValueError("all input arrays must have the same shape, got "
                              + ", ".join(str(a.shape) for a in arrays))
    axis = canon_axis(axis, len(shape0) + 1)
    new_shape = shape0[:axis] + (1,) + shape0[axis:]
    return lax.concatenate([lax.reshape(a, new_shape) for a in arrays], axis)


