"""Operators and methods of `plait.Array` and tracers, from `plait.numpy` functions.

Arrays call the eager (jitted) functions; tracers call the Python implementations directly
(`traced`: arguments checked, no dispatch check).
"""

from __future__ import annotations

import functools
import inspect
import sys

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import (
    ConcretizationError,
    PlaitError,
    PlaitNotImplementedError,
    PlaitTypeError,
    PlaitValueError,
)
from plait.numpy import (
    _construct,
    _core,
    _indexing,
    _linalg,
    _nonzero,
    _reductions,
    _shape,
    _sorting,
    _ufuncs,
)
from plait.runtime.array import Array
from plait.staging.concrete import concrete_value
from plait.staging.trace import Tracer


def _swap(f):
    return lambda self, other: f(other, self)


_BINARY = {
    "add": _core.add, "sub": _core.subtract, "mul": _core.multiply, "truediv": _core.true_divide,
    "floordiv": _core.floor_divide, "mod": _core.remainder, "pow": _core.power,
    "matmul": _linalg.matmul, "and": _core.bitwise_and, "or": _core.bitwise_or,
    "xor": _core.bitwise_xor, "lshift": _ufuncs.left_shift, "rshift": _ufuncs.right_shift,
}
_COMPARE = {"eq": _core.equal, "ne": _core.not_equal, "lt": _core.less, "le": _core.less_equal,
            "gt": _core.greater, "ge": _core.greater_equal}
_UNARY = {"neg": _core.negative, "pos": _core.positive, "abs": _core.absolute,
          "invert": _core.invert}


def _reshape(self, *shape, order="C", out_sharding=None):
    _no_sharding("reshape", out_sharding)
    return _core.reshape(self, shape[0] if len(shape) == 1 else shape, order)


def _transpose(self, *axes):
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return _shape.transpose(self, axes or None)


_METHODS = {
    "squeeze": _shape.squeeze, "swapaxes": _shape.swapaxes, "conj": _core.conj,
    "conjugate": _core.conj, "take": _indexing.take, "sort": _sorting.sort,
    "argsort": _sorting.argsort, "argpartition": _sorting.argpartition,
    "searchsorted": _sorting.searchsorted, "nonzero": _nonzero.nonzero,
}


# Methods with jax.Array's signatures (out=, where=, initial=, ...) over plait.numpy functions
def _no_out(name, out):
    if out is not None:
        raise PlaitNotImplementedError(f"the out argument of {name} is not supported (plait "
                                       "arrays are immutable): use the returned array")


def _sum_like(name, reduce):
    def method(self, axis=None, dtype=None, out=None, keepdims=False, initial=None,
               where=None, promote_integers=True):
        _no_out(name, out)
        if (dtype is None and not promote_integers
                and np.issubdtype(self.dtype, np.integer)):
            dtype = self.dtype
        return reduce(self, axis, dtype, keepdims=keepdims, initial=initial, where=where)
    method.__name__ = name
    return method


def _max_like(name, reduce):
    def method(self, axis=None, out=None, keepdims=False, initial=None, where=None):
        _no_out(name, out)
        return reduce(self, axis, keepdims=keepdims, initial=initial, where=where)
    method.__name__ = name
    return method


def _bool_reduction(name, reduce):
    def method(self, axis=None, out=None, keepdims=False, *, where=None):
        _no_out(name, out)
        return reduce(self, axis, keepdims=keepdims, where=where)
    method.__name__ = name
    return method


def _mean(self, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    _no_out("mean", out)
    return _reductions.mean(self, axis, dtype, keepdims=keepdims, where=where)


def _var_like(name, reduce):
    def method(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
               correction=None):
        _no_out(name, out)
        if correction is not None:
            if ddof:
                raise PlaitValueError(f"{name}: ddof and correction are the same; give one")
            ddof = correction
        return reduce(self, axis, dtype, ddof=ddof, keepdims=keepdims, where=where)
    method.__name__ = name
    return method


def _arg_reduction(name, reduce):
    def method(self, axis=None, out=None, keepdims=None):
        _no_out(name, out)
        return reduce(self, axis, keepdims=bool(keepdims))
    method.__name__ = name
    return method


def _cumulative(name, reduce):
    def method(self, axis=None, dtype=None, out=None):
        _no_out(name, out)
        return reduce(self, axis, dtype)
    method.__name__ = name
    return method


def _ptp(self, axis=None, out=None, keepdims=False):
    _no_out("ptp", out)
    return _reductions.ptp(self, axis, keepdims=keepdims)


def _no_sharding(name, out_sharding):
    if out_sharding is not None:
        raise PlaitNotImplementedError(f"{name}(out_sharding=) is not supported: use "
                                       "plait.lax.with_sharding_constraint on the result")


def _ravel(self, order="C", *, out_sharding=None):
    _no_sharding("ravel", out_sharding)
    if order not in ("C", "F", "A", "K"):
        raise PlaitValueError(f"ravel: order must be 'C', 'F', 'A' or 'K', not {order!r}")
    return _shape.ravel(_shape.transpose(self) if order == "F" else self)


def _repeat(self, repeats, axis=None, *, total_repeat_length=None, out_sharding=None):
    _no_sharding("repeat", out_sharding)
    out = _shape.repeat(self, repeats, axis)
    if total_repeat_length is None:
        return out
    axis = 0 if axis is None else axis
    n = out.shape[axis]
    if n == 0:
        raise PlaitValueError("repeat(total_repeat_length=) of zero repeats has no last value "
                              "to pad with")
    # as jax: cut at total_repeat_length, or pad by repeating the last value
    return _indexing.take(out, np.minimum(np.arange(total_repeat_length), n - 1), axis)


def _clip(self, min=None, max=None):
    return _core.clip(self, min, max)


def _dot(self, b, *, precision=None, preferred_element_type=None):
    if preferred_element_type is not None:  # the products and sums in that dtype
        return _linalg.dot(_core.astype(self, preferred_element_type),
                           _core.astype(b, preferred_element_type))
    return _linalg.dot(self, b)


def _round(self, decimals=0, out=None):
    _no_out("round", out)
    return _core.round(self, decimals)


def _astype(self, dtype, copy=False, device=None):
    out = _core.astype(self, dtype)
    return out if device is None else out.to_device(device)


def _typed_argument_errors(method):
    """A call that does not bind to the method's (jax's) signature raises a PlaitTypeError
    naming the argument, at the user's line."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def f(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except TypeError as e:
            if isinstance(e, PlaitError):
                raise
            try:
                signature.bind(self, *args, **kwargs)
            except TypeError as bind_error:
                raise PlaitTypeError(f"x.{method.__name__}{signature}: {bind_error}") from None
            raise
    return f


_SIGNATURE_METHODS = {
    "sum": _sum_like("sum", _reductions.sum), "prod": _sum_like("prod", _reductions.prod),
    "max": _max_like("max", _reductions.max), "min": _max_like("min", _reductions.min),
    "all": _bool_reduction("all", _reductions.all), "any": _bool_reduction("any", _reductions.any),
    "mean": _mean, "var": _var_like("var", _reductions.var),
    "std": _var_like("std", _reductions.std),
    "argmax": _arg_reduction("argmax", _reductions.argmax),
    "argmin": _arg_reduction("argmin", _reductions.argmin),
    "cumsum": _cumulative("cumsum", _reductions.cumsum),
    "cumprod": _cumulative("cumprod", _reductions.cumprod),
    "ptp": _ptp, "ravel": _ravel, "flatten": _ravel, "repeat": _repeat, "clip": _clip,
    "dot": _dot, "round": _round, "astype": _astype,
}
_SIGNATURE_METHODS = {n: _typed_argument_errors(f) for n, f in _SIGNATURE_METHODS.items()}


def _compress(self, condition, axis=None, *, out=None, size=None, fill_value=0):
    """`a.compress(condition)` is `compress(condition, a)`."""
    _no_out("compress", out)
    return _nonzero.compress(condition, self, axis, size=size, fill_value=fill_value)


def _choose(self, choices, out=None, mode="raise"):
    return _construct.choose(self, choices, out, mode)


def _copy(self):
    return _construct.copy(self)


def _diagonal(self, offset=0, axis1=0, axis2=1):
    return _shape.diagonal(self, offset, axis1, axis2)


def _trace(self, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return _construct.trace(self, offset, axis1, axis2, dtype, out)


def _byteswap(self):
    """The bytes of each element reversed (jax's: complex parts swapped separately)."""
    if np.issubdtype(self.dtype, np.complexfloating):
        return lax.complex(_byteswap(_core.real(self)), _byteswap(_core.imag(self)))
    if self.dtype.itemsize == 1:
        return _construct.copy(self)
    swapped = lax.rev(lax.bitcast_convert_type(self, np.uint8), (self.ndim,))
    return lax.bitcast_convert_type(swapped, self.dtype)


def _view(self, dtype=None, type=None):
    """The bits of the array as `dtype`; a change of itemsize rescales the last axis (jax's:
    bool counts as 8 bits, complex as its two parts)."""
    if type is not None:
        raise PlaitNotImplementedError("the type argument of array.view() is not supported")
    if dtype is None:
        return self
    dtype = dtypes.canonicalize(dtype)
    bits_in, bits_out = self.dtype.itemsize * 8, dtype.itemsize * 8
    if self.ndim == 0:
        if bits_in != bits_out:
            raise PlaitValueError("view() of a 0-d array needs the same itemsize "
                                  f"({self.dtype} to {dtype})")
        return _shape.squeeze(_view(_shape.expand_dims(self, 0), dtype), 0)
    if (self.shape[-1] * bits_in) % bits_out:
        raise PlaitValueError(
            f"view() of {self.dtype} as the larger {dtype}: the last axis ({self.shape[-1]} "
            f"elements of {bits_in} bits) must hold a whole number of {bits_out}-bit elements")
    if self.dtype == dtype:
        return self
    if self.dtype == np.bool_:
        return _view(_core.astype(self, np.uint8), dtype)
    if np.issubdtype(self.dtype, np.complexfloating):
        parts = _core.stack((_core.real(self), _core.imag(self)), -1)
        return _view(_core.reshape(parts, (*self.shape[:-1], 2 * self.shape[-1])), dtype)
    if dtype == np.bool_:
        return _core.astype(_view(self, np.uint8), np.bool_)
    if np.issubdtype(dtype, np.complexfloating):
        parts = _core.astype(_view(self, dtypes.finfo(dtype).dtype), dtype)
        return parts[..., 0::2] + 1j * parts[..., 1::2]
    if bits_in < bits_out:
        factor = bits_out // bits_in
        grouped = _core.reshape(self, (*self.shape[:-1], self.shape[-1] // factor, factor))
        return lax.bitcast_convert_type(grouped, dtype)
    out = lax.bitcast_convert_type(self, dtype)
    return out if bits_in == bits_out else _core.reshape(out, (*self.shape[:-1], -1))


def _round_operator(self, ndigits=None):
    """round(x): as a Python float's round, integers when ndigits is None (jax's)."""
    out = _core.round(self, ndigits or 0)
    return _core.astype(out, int) if ndigits is None else out


def _contains(self, value):
    return _reductions.any(_core.equal(self, value))


_NEW_METHODS = {"__round__": _round_operator, "__contains__": _contains,
                "__divmod__": _ufuncs.divmod, "__rdivmod__": _swap(_ufuncs.divmod),
                "choose": _choose, "copy": _copy, "diagonal": _diagonal, "trace": _trace,
                "byteswap": _byteswap, "view": _view}

# jax.Array's device-level names: a traced value has no buffer, as in jax
_DEVICE_METHODS = ("addressable_data", "clone", "copy_to_host_async", "delete", "devices",
                   "is_deleted", "is_ready", "on_device_size_in_bytes", "platform", "tobytes",
                   "to_device", "unsafe_buffer_pointer")
_DEVICE_PROPERTIES = ("addressable_shards", "committed", "device", "format", "global_shards",
                      "is_fully_addressable", "is_fully_replicated", "sharding", "traceback")


def _device_only(name):
    def f(self, *args, **kwargs):
        raise ConcretizationError(
            f"x.{name} on a traced value {self.aval.str_short()}: it needs a device array, "
            "which a traced value under jit (or inside vmap) is not")
    return f


def _concrete(name, convert):
    """Python conversions of a tracer: its concrete value where known (eager transforms),
    else a ConcretizationError."""

    def f(self, *args):
        return convert(concrete_value(self, f"{name}()"), *args)
    return f


_CONVERSIONS = {
    "__bool__": bool, "__int__": int, "__float__": float, "__complex__": complex,
    "__index__": lambda v: v.__index__(), "__array__": lambda v, *a, **k: np.asarray(v, *a),
    "tolist": lambda v: v.tolist(), "item": lambda v, *a: v.item(*a),
}


def _array_namespace(self, /, *, api_version=None):
    """plait.numpy, the array API namespace of plait arrays."""
    if api_version not in (None, "2021.12", "2022.12", "2023.12", "2024.12"):
        raise PlaitValueError(f"plait.numpy implements the array API 2024.12, not {api_version}")
    return sys.modules[__package__]


def _setitem(self, idx, value):
    raise PlaitTypeError(f"plait arrays are immutable: instead of x[idx] = y, use "
                         f"x = x.at[idx].set(y) (got a {type(self).__name__})")


def _install(cls, pick):
    for name, f in _BINARY.items():
        setattr(cls, f"__{name}__", pick(f))
        setattr(cls, f"__r{name}__", _swap(pick(f)))
    for name, f in _COMPARE.items():
        setattr(cls, f"__{name}__", pick(f))
    for name, f in _UNARY.items():
        setattr(cls, f"__{name}__", pick(f))
    for name, f in _METHODS.items():
        setattr(cls, name, pick(f))
    cls.__getitem__ = _indexing.getitem
    cls.__setitem__ = _setitem
    cls.__array_namespace__ = _array_namespace
    cls.compress = _compress
    cls.reshape = _reshape
    cls.transpose = _transpose
    cls.T = property(lambda self: _shape.transpose(self))
    cls.mT = property(lambda self: _shape.swapaxes(self, -1, -2))
    cls.real = property(pick(_core.real))
    cls.imag = property(pick(_core.imag))
    cls.at = property(_indexing._IndexUpdateHelper)
    for name, f in {**_NEW_METHODS, **_SIGNATURE_METHODS}.items():
        setattr(cls, name, f)
    cls.itemsize = property(lambda self: self.dtype.itemsize)
    cls.nbytes = property(lambda self: self.size * self.dtype.itemsize)
    cls.__hash__ = None


_install(Array, lambda f: f)
Array.copy = Array.__copy__  # new buffers, as jax's: deleting the original leaves the copy
_install(Tracer, lambda f: getattr(f, "traced", f))
for _name, _convert in _CONVERSIONS.items():
    setattr(Tracer, _name, _concrete(_name.strip("_"), _convert))
for _name in _DEVICE_METHODS:
    setattr(Tracer, _name, _device_only(_name))
for _name in _DEVICE_PROPERTIES:
    setattr(Tracer, _name, property(_device_only(_name)))
Tracer.flat = Array.flat
