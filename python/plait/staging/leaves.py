"""Argument leaves: the aval plait gives each, and its device buffer."""

from __future__ import annotations

import jax
import numpy as np
from jax.sharding import NamedSharding

from plait.core import dtypes
from plait.core.aval import ShapedArray, ShapeDtypeStruct
from plait.core.errors import PlaitTypeError
from plait.runtime import device as _device
from plait.runtime.array import Array
from plait.runtime.device import is_jax_array
from plait.staging.trace import Tracer

# --- leaves: avals and device buffers ---------------------------------------------------------

_ABSTRACT = (ShapeDtypeStruct, jax.ShapeDtypeStruct)  # a shape and dtype, no value

def leaf_aval(x) -> ShapedArray:
    """The aval plait gives an argument leaf."""
    if isinstance(x, (Array, Tracer)):
        return x.aval
    if is_jax_array(x):
        return ShapedArray(x.shape, dtypes.canonicalize(x.dtype), x.aval.weak_type)
    if isinstance(x, (bool, int, float, complex, np.ndarray, np.generic)):
        dt, weak = dtypes.dtype_of_value(x)
        if isinstance(x, int) and not isinstance(x, bool) and not _fits(x, dt):
            raise PlaitTypeError(f"Python int {x} does not fit in {dt}; pass np.int64({x})")
        return ShapedArray(np.shape(x), dt, weak)
    if isinstance(x, ShapeDtypeStruct):
        return x.aval()
    if isinstance(x, jax.ShapeDtypeStruct):
        return ShapedArray(x.shape, dtypes.canonicalize(x.dtype), x.weak_type)
    raise PlaitTypeError(
        f"argument of type {type(x).__name__} is not an array; pass arrays, scalars or "
        "pytrees of them, or mark the argument static (static_argnums / static_argnames)")


def _fits(x: int, dt) -> bool:
    info = np.iinfo(dt)
    return info.min <= x <= info.max


def leaf_buffer(x, aval: ShapedArray):
    """The device buffer of an argument leaf for a single-device program (on the default
    device: a buffer elsewhere is copied there, as jax does)."""
    if type(x) is Array:
        x = x._buf
    if is_jax_array(x):
        home = _device.single_device_sharding(_device.default_device())
        if x.sharding != home and len(x.sharding.device_set) == 1:
            x = jax.device_put(x, home)
        return x
    if isinstance(x, _ABSTRACT):
        raise PlaitTypeError(f"a ShapeDtypeStruct {aval.str_short()} has no value to run on; "
                             "pass it to eval_shape or jit(f).trace/.lower instead")
    return _device.device_put(np.asarray(x, aval.dtype), aval)


def arg_shardings(leaves) -> tuple:
    """Each leaf's sharding if it is an array laid out over several devices, else None."""
    out = []
    for x in leaves:
        if isinstance(x, _ABSTRACT):  # the sharding it stands for
            s = x.sharding
            out.append(s if isinstance(s, NamedSharding) and len(s.device_set) > 1 else None)
            continue
        buf = x._buf if type(x) is Array else x if is_jax_array(x) else None
        out.append(named_sharding(buf) if buf is not None else None)
    return tuple(out)


def named_sharding(buf):
    """The NamedSharding of an array laid out over several devices, None for one device; a
    typed error for other layouts (a GSPMDSharding names no mesh plait could partition over)."""
    if not multi_device(buf):
        return None
    s = buf.sharding
    if not isinstance(s, NamedSharding):
        raise PlaitTypeError(f"an array {leaf_aval(buf).str_short()} laid out by "
                             f"{type(s).__name__} over {len(s.device_set)} devices: plait "
                             "partitions over a mesh, so device_put it to a NamedSharding "
                             "first")
    return s


def leaf_buffer_sharded(x, aval: ShapedArray, sharding):
    """A host leaf goes straight to its shards (each process puts its own)."""
    if type(x) is Array or is_jax_array(x) or isinstance(x, _ABSTRACT):
        return leaf_buffer(x, aval)
    return _device.put_sharded(np.asarray(x, aval.dtype), aval, sharding)


# --- the function part of the key: everything the function reads -------------------------------

def multi_device(buf) -> bool:
    return len(buf.sharding.device_set) > 1


