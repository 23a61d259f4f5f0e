"""PJRT plumbing through jax: devices, putting host data on them, result handlers.

This is the one place plait touches jax's runtime objects (house rule: jax is plumbing).
"""

from __future__ import annotations

import functools

import jax
import jax.dlpack
import numpy as np
from jax._src import core as _jcore
from jaxlib import _jax
from jaxlib import xla_client as xc

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitValueError


def is_jax_array(x) -> bool:
    return type(x) is _jax.ArrayImpl


@functools.cache
def default_device():
    return jax.local_devices()[0]


@functools.cache
def single_device_sharding(device):
    return jax.sharding.SingleDeviceSharding(device)


@functools.lru_cache(maxsize=4096)
def jax_aval(aval: ShapedArray) -> _jcore.ShapedArray:
    return _jcore.ShapedArray(aval.shape, aval.dtype, weak_type=aval.weak_type)


def device_put(x: np.ndarray, aval: ShapedArray, device=None):
    """Host array → device buffer of exactly `aval.dtype` (64-bit kept without jax's x64 flag).

    The data is copied: PJRT's default (zero-copy) would alias a suitably aligned NumPy array,
    so mutating it later would change the device array."""
    device = device or default_device()
    x = np.asarray(x, aval.dtype)
    return _jax.batched_device_put(jax_aval(aval), single_device_sharding(device), [x], [device],
                                   True, False, _COPY, enable_x64=True)


_COPY = _jax.HostBufferSemantics.IMMUTABLE_ONLY_DURING_CALL


@functools.lru_cache(maxsize=4096)
def result_handler(aval: ShapedArray, sharding):
    try:
        return xc.array_result_handler(jax_aval(aval), sharding, committed=True,
                                       _skip_checks=True)
    except TypeError:  # jaxlib 0.11 dropped _skip_checks
        return xc.array_result_handler(jax_aval(aval), sharding, committed=True)


def aval_of_buffer(buf) -> ShapedArray:
    return ShapedArray(buf.shape, dtypes.canonicalize(buf.dtype), buf.aval.weak_type)


def deleted_part(buf) -> str | None:
    """What of a device array was deleted or donated ("" for all of it, " (its shard k)"), or
    None: PJRT crashes the process on a buffer it no longer holds, so plait checks first."""
    if buf.is_deleted():
        return ""
    if len(buf.sharding.device_set) > 1:  # a deleted shard leaves the array alive
        for k, shard in enumerate(getattr(buf, "_arrays", ())):
            if shard.is_deleted():
                return f" (its shard {k})"
    return None


def check_live(bufs, what: str = "input") -> None:
    """A typed error if any of `bufs` (device arrays) was deleted or donated."""
    for k, b in enumerate(bufs):
        part = deleted_part(b)
        if part is not None:
            raise PlaitValueError(
                f"{what} {k} ({aval_of_buffer(b).str_short()}) has been deleted{part}, by "
                ".delete() or by donation (donate_argnums of a jit); a deleted array "
                "cannot be used")


def put_sharded(x: np.ndarray, aval: ShapedArray, sharding):
    """Host array → one global array laid out by `sharding` (64-bit dtypes kept)."""
    x = np.asarray(x, aval.dtype)
    shards = []
    for device, index in sharding.addressable_devices_indices_map(x.shape).items():
        part = np.array(x[index])  # a copy, C-contiguous, 0-d kept 0-d
        shards.append(device_put(part, ShapedArray(part.shape, aval.dtype), device))
    return jax.make_array_from_single_device_arrays(x.shape, sharding, shards)


def from_dlpack(x):
    """A device buffer sharing the memory of any object with `__dlpack__` (zero-copy where
    the producer's device is one of ours)."""
    return jax.dlpack.from_dlpack(x)
