"""dtype information and host-side helpers of `plait.numpy`, as jax.numpy has them: finfo,
iinfo, issubdtype, promote_types, can_cast, isdtype, NumPy's abstract scalar classes, the
ml_dtypes names (float8_*, int4, ...: they name dtypes and give their finfo / iinfo, but plait
computes in none of them), isscalar, iterable, print options, array_repr / array_str, save /
load / savez and frombuffer / fromstring / fromiter / fromfile (host-side, through NumPy).
"""

from __future__ import annotations

import builtins

import ml_dtypes
import numpy as np

from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy._core import asarray, is_array, numpy_function
from plait.numpy._scalar_types import _scalar_type, _ScalarMeta

# NumPy's abstract scalar classes, for issubdtype (jax.numpy exports NumPy's own)
generic, number, integer, signedinteger, unsignedinteger = (
    np.generic, np.number, np.integer, np.signedinteger, np.unsignedinteger)
inexact, floating, complexfloating, flexible, character = (
    np.inexact, np.floating, np.complexfloating, np.flexible, np.character)
object_ = np.object_
ComplexWarning = np.exceptions.ComplexWarning
euler_gamma = np.euler_gamma

# ml_dtypes' narrow types, named as in jax.numpy
_NARROW_FLOATS = ("float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4",
                  "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz",
                  "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu")
_NARROW_INTS = ("int1", "int2", "int4", "uint1", "uint2", "uint4")
NARROW = {n: _scalar_type(n, np.dtype(getattr(ml_dtypes, n)))
          for n in _NARROW_FLOATS + _NARROW_INTS}
_FLOATS = frozenset([dtypes.bfloat16] + [np.dtype(getattr(ml_dtypes, n)) for n in
                                         _NARROW_FLOATS])
_SIGNED = frozenset(np.dtype(getattr(ml_dtypes, n)) for n in ("int1", "int2", "int4"))
_UNSIGNED = frozenset(np.dtype(getattr(ml_dtypes, n)) for n in ("uint1", "uint2", "uint4"))


def _is_python_type(x) -> bool:
    return builtins.any(x is t for t in (bool, int, float, complex))


def _dtype(x) -> np.dtype:
    """The dtype that x names or has (a plait scalar type, an array, a Python type)."""
    if isinstance(x, _ScalarMeta):
        return x.dtype
    if _is_python_type(x):
        return dtypes.canonicalize(x)
    if is_array(x) or isinstance(x, (np.ndarray, np.generic)):
        return np.dtype(x.dtype)
    try:
        return np.dtype(x)
    except TypeError:
        raise PlaitTypeError(f"{x!r} is not a dtype") from None


@numpy_function(jit=False)
def finfo(dtype):
    """Machine limits of a floating dtype (bfloat16 and ml_dtypes' too); a complex dtype
    gives its real part's."""
    dt = dtypes.real_dtype(_dtype(dtype))
    if dt in _FLOATS:
        return ml_dtypes.finfo(dt)
    return np.finfo(dt)


@numpy_function(jit=False)
def iinfo(int_type):
    """Machine limits of an integer dtype (ml_dtypes' int4 and kin too)."""
    dt = _dtype(int_type)
    if dt in _SIGNED | _UNSIGNED:
        return ml_dtypes.iinfo(dt)
    return np.iinfo(dt)


def _abstract(dt: np.dtype):
    """NumPy's abstract class of an ml_dtypes dtype (NumPy sees them as void)."""
    if dt in _FLOATS:
        return np.floating
    if dt in _SIGNED:
        return np.signedinteger
    if dt in _UNSIGNED:
        return np.unsignedinteger
    return None


@numpy_function(jit=False)
def issubdtype(arg1, arg2):
    """Whether arg1's dtype is arg2's, or below an abstract class such as np.floating
    (bfloat16 and ml_dtypes' floats are floating, as in jax). Python's types mean NumPy's
    (float is float64), as in jax."""
    d1 = np.dtype(arg1) if _is_python_type(arg1) else _dtype(arg1)
    if isinstance(arg2, type) and issubclass(arg2, np.generic) and arg2 in (
            np.generic, np.number, np.integer, np.signedinteger, np.unsignedinteger, np.inexact,
            np.floating, np.complexfloating, np.flexible, np.character):
        cls = _abstract(d1)
        return issubclass(cls, arg2) if cls is not None else np.issubdtype(d1, arg2)
    d2 = np.dtype(arg2) if _is_python_type(arg2) else _dtype(arg2)
    if _abstract(d1) is not None or _abstract(d2) is not None:
        return d1 == d2
    return np.issubdtype(d1, d2)


@numpy_function(jit=False)
def promote_types(a, b):
    """The dtype a and b promote to, by plait's (JAX's) lattice; Python's int, float and
    complex are weak."""
    return dtypes.promote(*[(dtypes.canonicalize(x), x is not bool) if _is_python_type(x)
                            else (dtypes.canonicalize(_dtype(x)), False) for x in (a, b)])[0]


@numpy_function(jit=False)
def can_cast(from_, to, casting="safe"):
    """NumPy's can_cast on dtypes (of arrays too); bfloat16 casts safely to float32/64."""
    d1, d2 = _dtype(from_), _dtype(to)
    if casting == "safe" and d1 == dtypes.bfloat16:
        return d2 in (dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.complex64,
                      dtypes.complex128)
    return builtins.bool(np.can_cast(d1, d2, casting))


_KINDS = {
    "bool": lambda d: d == dtypes.bool_,
    "signed integer": lambda d: d.kind == "i" or d in _SIGNED,
    "unsigned integer": lambda d: d.kind == "u" or d in _UNSIGNED,
    "integral": lambda d: d.kind in "iu" or d in _SIGNED | _UNSIGNED,
    "real floating": lambda d: d.kind == "f" or d in _FLOATS,
    "complex floating": lambda d: d.kind == "c",
    "numeric": lambda d: d.kind in "iufc" or d in _FLOATS | _SIGNED | _UNSIGNED,
}


@numpy_function(jit=False)
def isdtype(dtype, kind):
    """The array API's isdtype: whether dtype is of kind (a name such as 'real floating', a
    dtype, or a tuple of them)."""
    d = _dtype(dtype)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if isinstance(k, str):
            if k not in _KINDS:
                raise PlaitValueError(f"isdtype: unknown kind {k!r}; kinds: "
                                      + ", ".join(_KINDS))
            if _KINDS[k](d):
                return True
        elif d == _dtype(k):
            return True
    return False


@numpy_function(jit=False)
def isscalar(element):
    """Whether element is a scalar, a 0-d array counting as one (as in jax: arrays become 0-d
    at jit boundaries, so NumPy's answer would change under jit)."""
    if isinstance(element, (np.generic, builtins.bool, int, float, complex)):
        return True
    if is_array(element) or isinstance(element, np.ndarray):
        return element.ndim == 0
    return builtins.bool(np.isscalar(element))


@numpy_function(jit=False)
def iterable(y):
    """Whether iter(y) works."""
    return np.iterable(y)


# printing and files, through NumPy as in jax.numpy
printoptions = np.printoptions
set_printoptions = np.set_printoptions
savez = np.savez


@numpy_function(jit=False)
def get_printoptions():
    return np.get_printoptions()


@numpy_function(jit=False)
def array_repr(arr, max_line_width=None, precision=None, suppress_small=None):
    return np.array_repr(arr, max_line_width, precision, suppress_small)


@numpy_function(jit=False)
def array_str(a, max_line_width=None, precision=None, suppress_small=None):
    return np.array_str(a, max_line_width, precision, suppress_small)


@numpy_function(jit=False)
def save(file, arr, allow_pickle=True):
    """np.save of arr's value."""
    np.save(file, np.asarray(arr), allow_pickle)


def load(file, *args, **kwargs):
    """np.load, with an array loaded as a plait array (an .npz archive stays NumPy's)."""
    out = np.load(file, *args, **kwargs)
    if isinstance(out, np.ndarray) and out.dtype != object:
        return asarray(out)
    return out


def _host_dtype(dtype):
    return dtypes.canonicalize(dtype)


@numpy_function(jit=False)
def frombuffer(buffer, dtype=float, count=-1, offset=0):
    """An array of the bytes in buffer, read host-side by NumPy."""
    return asarray(np.frombuffer(buffer, _host_dtype(dtype), count, offset))


@numpy_function(jit=False)
def fromstring(string, dtype=float, count=-1, *, sep):
    """An array of the numbers in a text string separated by sep, read host-side by NumPy."""
    if not sep:
        raise PlaitValueError("fromstring: sep='' (binary mode) is not supported; use "
                              "frombuffer")
    return asarray(np.fromstring(string, _host_dtype(dtype), count, sep=sep))


@numpy_function(jit=False)
def fromiter(iter, dtype, count=-1):
    """An array of the values of an iterable, read host-side by NumPy."""
    return asarray(np.fromiter(iter, _host_dtype(dtype), count))


@numpy_function(jit=False)
def fromfile(file, dtype=float, count=-1, sep="", offset=0):
    """An array of a file's contents, read host-side by NumPy."""
    return asarray(np.fromfile(file, _host_dtype(dtype), count, sep, offset))

