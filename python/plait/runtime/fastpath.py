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

import numpy as np

from plait.core import dtypes, pytree
from plait.runtime import device as _device

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


if AVAILABLE:
    _CACHE = _jax.PjitFunctionCache(capacity=8192)


def _shard_arg_fallback(x, sharding, layout):
    import jax

    return jax.device_put(x, sharding)


def _jax_canonical(leaf) -> bool:
    """Whether the C++ path would put this leaf on device with plait's dtype."""
    if isinstance(leaf, _jax.ArrayImpl):
        return True
    if isinstance(leaf, (bool, int, float, complex)):
        c = dtypes.config
        return (c.default_int, c.default_float, c.default_complex) == (
            dtypes.int32, dtypes.float32, dtypes.complex64)
    if isinstance(leaf, (np.ndarray, np.generic)):
        return leaf.dtype.itemsize <= 4 or leaf.dtype == np.complex64
    return False


def _fastpath_data(entry, closure_bufs, args, kwargs, statics_split, outs):
    if getattr(entry.staged, "mesh", None) is not None:
        return None  # sharded programs check and reshard their inputs in Python
    dyn_args, dyn_kwargs, _ = statics_split(args, kwargs)
    leaves, _ = pytree.dispatch_flatten((dyn_args, dyn_kwargs))
    if not all(_jax_canonical(x) for x in leaves):
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


def make(jitted):
    """A C++ PjitFunction dispatching `jitted` (a plait.jit.Jitted)."""
    sig = jitted.signature

    def cache_miss(*args, **kwargs):
        outs, entry = jitted.call_python(args, kwargs)
        if entry is None:
            return outs, None, False
        closure_bufs = [b for b in entry_closure(jitted)]
        return outs, _fastpath_data(entry, closure_bufs, args, kwargs, sig.split, outs), False

    name = getattr(jitted.fun, "__name__", "fn")
    return _jax.pjit(name, None, cache_miss, list(sig.static_argnums),
                     list(sig.static_argnames), (), pytree.dispatch_registry,
                     _shard_arg_fallback, cache=_CACHE)


def entry_closure(jitted):
    from plait.jitting import leaf_aval, leaf_buffer

    return [leaf_buffer(x, leaf_aval(x)) for x in jitted.fkey.arrays]
