"""plait: NumPy-style code, JAX-style transformations, implemented as MLIR passes.

    import plait, plait.numpy as pnp
    f = plait.jit(lambda x: pnp.sin(x) ** 2)

The user API (`plait._api`) loads on first use of one of its names, so that `plait-opt`, which
imports the compiler layers only (dialect, passes, lowering), loads no front end.
"""

import importlib

from plait.core.dtypes import config
from plait.core.errors import (
    CallbackError,
    ConcretizationError,
    EscapedTracerError,
    IRError,
    PlaitError,
    PlaitNotImplementedError,
    PlaitTypeError,
    PlaitValueError,
)

__all__ = [
    "Array", "checkpoint", "checkpoint_policies", "custom_jvp", "custom_vjp", "remat",
    "ConcretizationError", "EscapedTracerError", "IRError", "PlaitError",
    "PlaitNotImplementedError",
    "PlaitTypeError", "PlaitValueError", "config", "grad", "hessian", "jacfwd", "jacrev", "jit",
    "jvp", "lax", "linearize", "make_mlir", "nn", "numpy", "random", "scipy", "value_and_grad",
    "vjp", "vmap",
    "sharding", "device_put", "distributed", "shard_map", "tree_util",
    "with_sharding_constraint", "ShapeDtypeStruct", "eval_shape", "clear_caches", "debug",
    "export", "profiler", "named_scope",
    "devices", "local_devices", "device_count", "local_device_count", "default_backend",
    "process_index", "process_count", "device_get", "block_until_ready", "pure_callback",
    "experimental", "CallbackError", "from_jax",
]


_SUBMODULES = frozenset({"debug", "distributed", "experimental", "export", "profiler", "lax",
                         "nn", "numpy", "random", "scipy", "sharding", "tree_util"})
_api = None


def __getattr__(name):
    """Load the user API on first use (`from plait import lax` inside it lands here too, while
    it loads: then only that submodule is imported)."""
    global _api
    if name not in __all__:
        raise AttributeError(f"module 'plait' has no attribute {name!r}")
    if _api is None:
        _api = importlib.import_module("plait._api")
        globals().update({n: getattr(_api, n) for n in __all__ if hasattr(_api, n)})
    if name in _SUBMODULES:
        return importlib.import_module(f"plait.{name}")
    return getattr(_api, name)


def __dir__():
    return sorted(set(globals()) | set(__all__))
