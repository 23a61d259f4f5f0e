"""Scalar types of `plait.numpy`: `pnp.float32` names a dtype and makes arrays, as in jax.numpy.

`pnp.float32(x)` is a float32 array (0-d for a scalar; a tracer is converted), not a NumPy
scalar: plait has no scalar objects, and an array promotes by plait's rules. Wherever a dtype is
taken (`np.dtype`, `astype`, `zeros(3, pnp.float32)`, `x.dtype == pnp.float32`, a key of a dict
of dtypes) it stands for its `np.dtype`.
"""

from __future__ import annotations

import numpy as np

from plait.core import dtypes
from plait.numpy._core import asarray


class _ScalarMeta(type):
    """The type of `pnp.float32` and its kin: a class whose instances are NumPy's scalars of the
    dtype (`isinstance(np.float32(1), pnp.float32)`) and whose call makes a plait array."""

    dtype: np.dtype

    @property
    def __numpy_dtype__(cls) -> np.dtype:  # how NumPy >= 2.4 reads a dtype-like object
        return cls.dtype

    def __call__(cls, x):
        return asarray(x, dtype=cls.dtype)

    def __eq__(cls, other) -> bool:
        # the scalar type's, not the dtype's, equality: np.dtype(int) is int64, yet
        # pnp.int64 is not the Python type int
        return cls is other or cls.dtype.type == other

    def __hash__(cls) -> int:
        return hash(cls.dtype)  # equal to np.dtype's, so dicts keyed by dtype find it

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, cls.dtype.type)


def _scalar_type(name: str, dt: np.dtype) -> _ScalarMeta:
    doc = f"plait's {dt.name}: a dtype, and called on a value, an array of that dtype."
    return _ScalarMeta(name, (), {"dtype": dt, "__module__": "plait.numpy", "__doc__": doc})


bool_ = _scalar_type("bool_", dtypes.bool_)
int8 = _scalar_type("int8", dtypes.int8)
int16 = _scalar_type("int16", dtypes.int16)
int32 = _scalar_type("int32", dtypes.int32)
int64 = _scalar_type("int64", dtypes.int64)
uint8 = _scalar_type("uint8", dtypes.uint8)
uint16 = _scalar_type("uint16", dtypes.uint16)
uint32 = _scalar_type("uint32", dtypes.uint32)
uint64 = _scalar_type("uint64", dtypes.uint64)
bfloat16 = _scalar_type("bfloat16", dtypes.bfloat16)
float16 = _scalar_type("float16", dtypes.float16)
float32 = _scalar_type("float32", dtypes.float32)
float64 = _scalar_type("float64", dtypes.float64)
complex64 = _scalar_type("complex64", dtypes.complex64)
complex128 = _scalar_type("complex128", dtypes.complex128)

# jax.numpy's aliases (NumPy 2's bool, the C types' names, the default types)
bool = bool_
single, double, csingle, cdouble = float32, float64, complex64, complex128
int_, uint, float_, complex_ = int64, uint64, float64, complex128
