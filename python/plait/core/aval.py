"""Abstract values (shape, dtype, weak_type) and their MLIR tensor types."""

from __future__ import annotations

import math
import operator

import numpy as np

from plait import _mlir
from plait._mlir import ir
from plait.core import dtypes
from plait.core.errors import ConcretizationError, PlaitTypeError, PlaitValueError


class Shaped:
    """`ndim` and `size` of anything with a `shape`."""

    __slots__ = ()

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)


class ShapedArray(Shaped):
    """The abstract value of an array: static shape, dtype and JAX's weak_type flag."""

    __slots__ = ("shape", "dtype", "weak_type", "_hash")

    def __init__(self, shape, dtype, weak_type: bool = False):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.weak_type = weak_type
        self._hash = hash((self.shape, dtype, weak_type))

    def update(self, shape=None, dtype=None, weak_type=None) -> ShapedArray:
        return ShapedArray(self.shape if shape is None else shape,
                           self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type)

    def strip_weak(self) -> ShapedArray:
        return ShapedArray(self.shape, self.dtype) if self.weak_type else self

    def __eq__(self, other) -> bool:
        return (isinstance(other, ShapedArray) and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self) -> int:
        return self._hash

    def str_short(self) -> str:
        dims = ",".join(map(str, self.shape))
        return f"{self.dtype.name}[{dims}]" + ("{weak}" if self.weak_type else "")

    __repr__ = str_short


class ShapeDtypeStruct(Shaped):
    """A shape and dtype standing for an array (jax's ShapeDtypeStruct): what
    `plait.eval_shape` returns, and what `jit(f).trace/.lower` and `eval_shape` take in place
    of an array. It has no value, so a program cannot run on it."""

    __slots__ = ("shape", "dtype", "weak_type", "sharding")

    def __init__(self, shape, dtype, *, weak_type: bool = False, sharding=None):
        self.shape = tuple(operator.index(d) for d in shape)
        self.dtype = dtypes.canonicalize(dtype)
        self.weak_type = bool(weak_type)
        self.sharding = sharding

    def aval(self) -> ShapedArray:
        return ShapedArray(self.shape, self.dtype, self.weak_type)

    def __eq__(self, other) -> bool:
        return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type
                and self.sharding == other.sharding)

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype, self.weak_type, self.sharding))

    def __repr__(self) -> str:
        weak = ", weak_type=True" if self.weak_type else ""
        sharding = f", sharding={self.sharding}" if self.sharding is not None else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{weak}{sharding})"


# --- shapes ------------------------------------------------------------------------------------

# XLA multiplies a shape's dimensions, then its element size, in int64 and aborts the process
# on overflow; NumPy refuses such arrays ("array is too big").
_MAX_BYTES = 2**63 - 1


def canonicalize_shape(shape, what: str = "shape") -> tuple[int, ...]:
    """A shape given by the user (an int, or a sequence of ints) as a tuple of Python ints;
    a typed error for anything else: floats, negative sizes, traced values."""
    if getattr(shape, "ndim", None) == 0 or isinstance(shape, (int, np.integer)):
        dims = (shape,)
    else:
        try:
            dims = tuple(shape)
        except TypeError:
            raise PlaitTypeError(f"{what} must be an int or a sequence of ints, got "
                                 f"{type(shape).__name__}") from None
    return tuple(_dim(d, dims, what) for d in dims)


def _dim(d, dims, what: str) -> int:
    if type(d) is not int:
        try:
            d = operator.index(d)
        except TypeError:
            raise PlaitTypeError(f"{what} must hold ints, got {type(d).__name__} {d!r} in "
                                 f"{dims!r}") from None
        except ConcretizationError:
            raise ConcretizationError(
                f"{what} must hold static ints, got a traced value {d.aval.str_short()}: "
                "shapes are static. Under jit, mark the argument static (static_argnums) or "
                "take sizes from .shape") from None
    if d < 0:
        raise PlaitValueError(f"{what} has a negative dimension {d}")
    return d


def check_shape(shape: tuple, dtype: np.dtype) -> None:
    """Raise a typed error for a shape no XLA array can have: a negative dimension, or more
    elements or bytes than int64 counts (zero-size dimensions aside, as NumPy counts)."""
    if any(type(d) is not int or d < 0 for d in shape):
        raise PlaitValueError(f"invalid shape {shape}: dimensions must be non-negative ints")
    if math.prod(d for d in shape if d) * dtype.itemsize > _MAX_BYTES:
        raise PlaitValueError(f"array is too big: shape {shape} of {dtype.name} needs more "
                              f"than 2**63 - 1 bytes")


# --- MLIR element and tensor types -------------------------------------------------------------

def _element_type_builders():
    return {
        dtypes.bool_: lambda: ir.IntegerType.get_signless(1),
        dtypes.int8: lambda: ir.IntegerType.get_signless(8),
        dtypes.int16: lambda: ir.IntegerType.get_signless(16),
        dtypes.int32: lambda: ir.IntegerType.get_signless(32),
        dtypes.int64: lambda: ir.IntegerType.get_signless(64),
        dtypes.uint8: lambda: ir.IntegerType.get_unsigned(8),
        dtypes.uint16: lambda: ir.IntegerType.get_unsigned(16),
        dtypes.uint32: lambda: ir.IntegerType.get_unsigned(32),
        dtypes.uint64: lambda: ir.IntegerType.get_unsigned(64),
        dtypes.bfloat16: ir.BF16Type.get,
        dtypes.float16: ir.F16Type.get,
        dtypes.float32: ir.F32Type.get,
        dtypes.float64: ir.F64Type.get,
        dtypes.complex64: lambda: ir.ComplexType.get(ir.F32Type.get()),
        dtypes.complex128: lambda: ir.ComplexType.get(ir.F64Type.get()),
    }


with _mlir.CONTEXT:
    _ELEMENT_TYPES = {dt: build() for dt, build in _element_type_builders().items()}
_DTYPE_OF_ELEMENT = {str(t): dt for dt, t in _ELEMENT_TYPES.items()}
_TENSOR_TYPES: dict = {}
_AVALS: dict = {}


def element_type(dtype: np.dtype) -> ir.Type:
    return _ELEMENT_TYPES[dtype]


def dtype_of_element(t: ir.Type) -> np.dtype:
    try:
        return _DTYPE_OF_ELEMENT[str(t)]
    except KeyError:
        raise TypeError(f"element type {t} has no plait dtype") from None


def ir_type(aval: ShapedArray) -> ir.Type:
    """The ranked tensor type of an aval (weak_type does not exist in the IR)."""
    key = (aval.shape, aval.dtype)
    t = _TENSOR_TYPES.get(key)
    if t is None:
        check_shape(aval.shape, aval.dtype)
        t = _TENSOR_TYPES[key] = ir.RankedTensorType.get(
            aval.shape, _ELEMENT_TYPES[aval.dtype], loc=ir.Location.unknown(_mlir.CONTEXT))
    return t


def aval_of_type(t: ir.Type) -> ShapedArray:
    """The (non-weak) aval of a ranked tensor type; TypeError for anything else."""
    a = _AVALS.get(t)
    if a is None:
        if not isinstance(t, ir.RankedTensorType):
            raise TypeError(f"expected a ranked tensor type, got {t}")
        if not t.has_static_shape:
            raise TypeError(f"expected a static shape, got {t}")
        dtype = dtype_of_element(t.element_type)
        check_shape(tuple(t.shape), dtype)
        a = _AVALS[t] = ShapedArray(t.shape, dtype)
    return a


def check_type(t: ir.Type) -> None:
    """check_shape for the tensor type of any value (func arguments, other dialects' ops)."""
    if t in _CHECKED_TYPES:
        return
    if isinstance(t, ir.RankedTensorType) and t.has_static_shape:
        dtype = _DTYPE_OF_ELEMENT.get(str(t.element_type))
        if dtype is not None:
            check_shape(tuple(t.shape), dtype)
    _CHECKED_TYPES.add(t)


_CHECKED_TYPES: set = set()


def aval_of(v: ir.Value) -> ShapedArray:
    return aval_of_type(v.type)
