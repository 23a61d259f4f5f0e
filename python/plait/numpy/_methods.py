"""Operators and methods of `plait.Array` and tracers, from `plait.numpy` functions.

Arrays call the eager (jitted) functions; tracers call the Python implementations directly
(`traced`: arguments checked, no dispatch check).
"""

from __future__ import annotations

import sys

import numpy as np

from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy import (
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


def _reshape(self, *shape, order="C"):
    return _core.reshape(self, shape[0] if len(shape) == 1 else shape, order)


def _transpose(self, *axes):
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return _shape.transpose(self, axes or None)


_METHODS = {
    "sum": _reductions.sum, "prod": _reductions.prod, "max": _reductions.max,
    "min": _reductions.min, "mean": _reductions.mean, "var": _reductions.var,
    "std": _reductions.std, "all": _reductions.all, "any": _reductions.any,
    "argmax": _reductions.argmax, "argmin": _reductions.argmin, "cumsum": _reductions.cumsum,
    "ravel": _shape.ravel, "flatten": _shape.ravel, "squeeze": _shape.squeeze,
    "swapaxes": _shape.swapaxes, "repeat": _shape.repeat, "clip": _core.clip,
    "dot": _linalg.dot, "conj": _core.conj, "conjugate": _core.conj, "round": _core.round,
    "astype": _core.astype, "take": _indexing.take, "sort": _sorting.sort,
    "argsort": _sorting.argsort, "argpartition": _sorting.argpartition,
    "searchsorted": _sorting.searchsorted, "nonzero": _nonzero.nonzero,
    "cumprod": _reductions.cumprod, "ptp": _reductions.ptp,
}


def _compress(self, condition, axis=None, *, size=None, fill_value=0):
    """`a.compress(condition)` is `compress(condition, a)`."""
    return _nonzero.compress(condition, self, axis, size=size, fill_value=fill_value)


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
    cls.__hash__ = None


_install(Array, lambda f: f)
_install(Tracer, lambda f: getattr(f, "traced", f))
for _name, _convert in _CONVERSIONS.items():
    setattr(Tracer, _name, _concrete(_name.strip("_"), _convert))
