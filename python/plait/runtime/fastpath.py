"""jaxlib's C++ dispatch path around plait's own executables.

`jaxlib._jax.pjit` flattens arguments with plait's dispatch registry, computes a signature
and, on a hit, runs the cached executable and wraps outputs without entering Python. A miss
calls plait's Python path, which returns the outputs plus the data the C++ side caches
(`FastpathData`). Private jaxlib API: feature-detected here, with the Python path as the
fallback (PLAIT_NO_FASTPATH=1 forces it, and the tests run both).
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

import jax
import numpy as np
from jax._src import config as jax_config

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.runtime import device as _device
from plait.runtime import pytree

try:
    from jaxlib import _jax

    AVAILABLE = (hasattr(_jax, "pjit") and hasattr(_jax, "PjitFunctionCache")
                 and os.environ.get("PLAIT_NO_FASTPATH", "") in ("", "0"))
except ImportError:  # pragma: no cover
    AVAILABLE = False


class FastpathData(NamedTuple):
    """The fields jaxlib's PopulateCacheEntry reads (by name)."""

    xla_executable: Any
    out_pytree_def: Any
    in_shardings: Any
    out_shardings: Any
    out_avals: Any
    out_committed: Any
    kept_var_bitvec: Any
    in_device_local_layouts: Any
    const_args: Any


def _shard_arg_fallback(x, sharding, layout):
    return jax.device_put(x, sharding)


# jaxlib's C++ path canonicalizes host data as jax does with x64 off (np.float64 -> f32) and
# cannot tell a NumPy scalar (weak in plait) from a 0-d array (strong): left as leaves, these
# would hit entries compiled for other dtypes. In plait's dispatch registry they are nodes whose
# one child is what plait makes of them: the array itself as a `_HostArray` leaf (C++ takes it
# as NumPy data, and keeps dtypes of 32 bits or fewer), a device buffer of a 64-bit dtype, or
# the Python scalar a weak NumPy scalar stands for.
class _HostArray(np.ndarray):
    """A view of a NumPy argument that the registry (which matches exact types) leaves a leaf."""


class _Unsupported:
    """A leaf the C++ path cannot handle: the call takes the Python path, which says why."""

    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x


def _flatten_ndarray(x):
    dt = x.dtype
    if dt in _KEPT_BY_CPP:
        return (x.view(_HostArray),), None
    if dt in dtypes.SUPPORTED:
        return (_device.device_put(x, ShapedArray(x.shape, dt)),), None
    return (_Unsupported(x),), None


_KEPT_BY_CPP = frozenset(d for d in dtypes.SUPPORTED if d.itemsize <= 4 or d == dtypes.complex64)


def _flatten_numpy_scalar(x):
    dt, weak = dtypes.numpy_scalar_dtype(x)
    if weak:
        return (x.item(),), None
    return (_device.device_put(np.asarray(x), ShapedArray((), dt)),), None


def _register_host_types(registry) -> None:
    registry.register_node(np.ndarray, _flatten_ndarray, _not_unflattened)
    for dt in dtypes.SUPPORTED:
        registry.register_node(dt.type, _flatten_numpy_scalar, _not_unflattened)


def _not_unflattened(aux, children):
    raise AssertionError("host inputs are never outputs of the dispatch path")


def _signature_matches(leaf, aval: ShapedArray, x64: bool) -> bool:
    """Whether C++ gives `leaf` (a dispatch-registry leaf) plait's aval. A weak signature is
    trusted only while C++ and plait give Python scalars the same dtypes (x64 off, 32-bit
    defaults): otherwise a Python scalar could hit an entry made for a weak array."""
    try:
        sig = _jax.jax_jit._ArgSignatureOfValue(leaf, x64)
    except Exception:  # any leaf C++ cannot sign stays on the Python path
        return False
    if sig.weak_type and (x64 or dtypes.config.key()[:3] != _DEFAULTS_32):
        return False
    return (sig.dtype == aval.dtype and tuple(sig.shape) == aval.shape
            and sig.weak_type == aval.weak_type)


_DEFAULTS_32 = (dtypes.int32, dtypes.float32, dtypes.complex64)


def _fastpath_data(entry, closure_bufs, args, kwargs, statics_split, outs):
    staged = entry.staged
    cfg = dtypes.config
    if (getattr(staged, "mesh", None) is not None or staged.host_outs or staged.checks
            or cfg.debug_nans or cfg.debug_infs):
        return None  # sharded programs check and reshard their inputs in Python; float0
        # outputs are host values; run-time checks and NaN checks are made in Python
    dyn_args, dyn_kwargs, _ = statics_split(args, kwargs)
    dyn = (dyn_args, dyn_kwargs)
    leaves, _ = pytree.dispatch_flatten(dyn)
    avals = entry.staged.in_avals[len(closure_bufs) + len(entry.staged.consts):]
    x64 = jax_config.enable_x64.value
    if len(leaves) != len(avals) or not all(
            _signature_matches(x, a, x64) for x, a in zip(leaves, avals)):
        return None
    out_leaves, out_tree = pytree.dispatch_flatten(outs)
    exe = entry.executable
    const_args = list(closure_bufs) + list(entry.staged.consts)
    n_in = len(const_args) + len(leaves)
    return FastpathData(
        xla_executable=exe.loaded,
        out_pytree_def=out_tree,
        in_shardings=[exe.sharding] * n_in,
        out_shardings=[exe.sharding] * len(out_leaves),
        out_avals=[_device.jax_aval(a) for a in exe.out_avals],
        out_committed=[True] * len(out_leaves),
        kept_var_bitvec=[True] * n_in,
        in_device_local_layouts=[None] * n_in,
        const_args=const_args,
    )


# How many signatures the C++ cache keeps (an LRU; plait's own caches keep as many): each keeps
# its executable alive, 0.2-0.3 MB apiece. PLAIT_COMPILE_CACHE_SIZE sets it.
CACHE_SIZE = int(os.environ.get("PLAIT_COMPILE_CACHE_SIZE", "1024"))

if AVAILABLE:
    _CACHE = _jax.PjitFunctionCache(capacity=CACHE_SIZE)
    _register_host_types(pytree.dispatch_registry)
    dtypes.config.on_change.append(_CACHE.clear)


def clear_cache() -> None:
    """Forget every signature the C++ path cached (the next call of each takes the Python
    path)."""
    if AVAILABLE:
        _CACHE.clear()


def cache_size() -> int:
    return _CACHE.size() if AVAILABLE else 0


def make(jitted):
    """A C++ PjitFunction dispatching `jitted`, which provides `signature`, `fun`,
    `call_python(args, kwargs) -> (outputs, compiled entry or None)` and `closure_buffers()`
    (the device arrays the function reads, passed before the arguments)."""
    sig = jitted.signature

    def cache_miss(*args, **kwargs):
        outs, entry = jitted.call_python(args, kwargs)
        if entry is None:
            return outs, None, False
        data = _fastpath_data(entry, jitted.closure_buffers(), args, kwargs, sig.split, outs)
        return outs, data, False

    name = getattr(jitted.fun, "__name__", "fn")
    return _jax.pjit(name, None, cache_miss, list(sig.static_argnums),
                     list(sig.static_argnames), (), pytree.dispatch_registry,
                     _shard_arg_fallback, cache=_CACHE)
