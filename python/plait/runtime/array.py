"""`plait.Array`: a device-resident array.

It wraps one jax `ArrayImpl` (the PJRT buffer, so conversion to and from `jax.Array` is
zero-copy) and gets its operators and methods from `plait.numpy`, dispatched through
plait's own compiled executables.
"""

from __future__ import annotations

import jax
import numpy as np

from plait.core.aval import ShapedArray
from plait.core.errors import PlaitNotImplementedError, PlaitTypeError, PlaitValueError
from plait.runtime import device as _device


class Array:
    """A plait array on a device. Make one with `plait.numpy.asarray` or get it from `jit`."""

    __slots__ = ("_buf", "__weakref__")
    __array_priority__ = 100

    def __init__(self, _buf):  # the C++ dispatch path calls Array(_buf=...) on every output
        self._buf = _buf

    @property
    def aval(self) -> ShapedArray:
        return _device.aval_of_buffer(self._buf)

    shape = property(lambda self: self._buf.shape)
    dtype = property(lambda self: self._buf.dtype)
    ndim = property(lambda self: self._buf.ndim)
    size = property(lambda self: self._buf.size)
    weak_type = property(lambda self: self._buf.aval.weak_type)
    sharding = property(lambda self: self._buf.sharding)

    def devices(self):
        return self._buf.devices()

    @property
    def device(self):
        """The array's device (its sharding when it spans several), as jax.Array's."""
        return self._buf.device

    def to_device(self, device, /, *, stream=None):
        """A copy on `device` (the array API standard's name for device_put)."""
        if stream is not None:
            raise PlaitValueError("to_device: plait has no streams (stream must be None)")
        return Array(jax.device_put(self._buf, device))

    @property
    def addressable_shards(self):
        return self._buf.addressable_shards

    def block_until_ready(self) -> Array:
        self._buf.block_until_ready()
        return self

    # device-level attributes of jax.Array, from the wrapped buffer ---------------------------------
    committed = property(lambda self: self._buf.committed)
    is_fully_addressable = property(lambda self: self._buf.is_fully_addressable)
    is_fully_replicated = property(lambda self: self._buf.is_fully_replicated)
    global_shards = property(lambda self: self._buf.global_shards)
    format = property(lambda self: self._buf.format)
    traceback = property(lambda self: self._buf.traceback)

    @property
    def device_buffer(self):
        raise AttributeError("arr.device_buffer has been removed (as in jax); use "
                             "arr.addressable_data(0)")

    @property
    def device_buffers(self):
        raise AttributeError("arr.device_buffers has been removed (as in jax); use "
                             "[s.data for s in arr.addressable_shards]")

    @property
    def flat(self):
        raise PlaitNotImplementedError("plait arrays (as jax's) do not implement arr.flat: "
                                       "use arr.flatten() instead")

    def platform(self) -> str:
        return self._buf.platform()

    def addressable_data(self, index: int) -> Array:
        """The shard of this array on its `index`-th addressable device."""
        self._check_live()
        return Array(self._buf.addressable_data(index))

    def clone(self) -> Array:
        """A new Array object on the same buffers (as jax's: deleting one deletes both)."""
        return Array(self._buf.clone())

    def delete(self) -> None:
        """Frees the device buffers now; using the array afterwards raises PlaitValueError."""
        self._buf.delete()

    def is_deleted(self) -> bool:
        return self._buf.is_deleted()

    def is_ready(self) -> bool:
        self._check_live()
        return self._buf.is_ready()

    def copy_to_host_async(self) -> None:
        self._check_live()
        self._buf.copy_to_host_async()

    def unsafe_buffer_pointer(self) -> int:
        self._check_live()
        return self._buf.unsafe_buffer_pointer()

    def on_device_size_in_bytes(self) -> int:
        self._check_live()
        return self._buf.on_device_size_in_bytes()

    def tobytes(self, order: str = "C") -> bytes:
        return np.asarray(self).tobytes(order)

    def _check_live(self) -> None:
        _device.check_live([self._buf], "array")

    def __array__(self, dtype=None, copy=None):
        self._check_live()
        out = np.asarray(self._buf)
        if dtype is not None and out.dtype != dtype:
            return out.astype(dtype)
        return out.copy() if copy else out

    def tolist(self):
        return np.asarray(self).tolist()

    def item(self, *args):
        return np.asarray(self).item(*args)

    def __repr__(self) -> str:
        body = np.array2string(np.asarray(self), separator=", ", prefix="Array(")
        weak = ", weak_type=True" if self.weak_type else ""
        return f"Array({body}, dtype={self.dtype.name}{weak})"

    def __str__(self) -> str:
        return str(np.asarray(self))

    def __format__(self, format_spec: str) -> str:
        # as jax.Array: a 0-d array formats as its scalar (f"{loss:.4f}"), others as NumPy's
        value = np.asarray(self)
        return format(value[()] if value.ndim == 0 else value, format_spec)

    def __len__(self) -> int:
        if not self.shape:
            raise PlaitTypeError("len() of a 0-d array")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise PlaitTypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __bool__(self) -> bool:
        return bool(np.asarray(self))

    def __int__(self) -> int:
        return int(np.asarray(self))

    def __float__(self) -> float:
        return float(np.asarray(self))

    def __complex__(self) -> complex:
        return complex(np.asarray(self))

    def __index__(self) -> int:
        return np.asarray(self).__index__()

    def __hash__(self):
        raise TypeError("unhashable type: plait.Array")

    # interop -------------------------------------------------------------------------------------
    def __jax_array__(self):
        """`jnp.asarray(x)` takes the buffer itself: no copy. (jax 0.10 calls this nowhere
        else: jnp.sin, jax.device_put and jitted functions need `x.to_jax()` or jnp.asarray.)"""
        return self._buf

    def __dlpack__(self, *args, **kwargs):
        return self._buf.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._buf.__dlpack_device__()

    def to_jax(self):
        """The same buffer as a `jax.Array` (zero-copy)."""
        return self._buf

    def __copy__(self) -> Array:
        """A copy in new buffers, laid out as this array is."""
        return Array(jax.device_put(self._buf, self._buf.sharding, may_alias=False))

    def __deepcopy__(self, memo) -> Array:
        return self.__copy__()

    def __reduce__(self):
        if len(self._buf.sharding.device_set) > 1:  # devices do not pickle, nor would a mesh
            raise PlaitTypeError(                    # rebuilt elsewhere mean the same
                f"a sharded Array ({self.aval.str_short()} over "
                f"{len(self._buf.sharding.device_set)} devices) cannot be pickled with its "
                "sharding; pickle np.asarray(x) and device_put it again")
        return (_from_numpy, (np.asarray(self), self.weak_type))


def _from_numpy(x, weak_type=False):
    return Array(_device.device_put(x, ShapedArray(x.shape, x.dtype, weak_type)))
