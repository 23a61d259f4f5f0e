"""plait: NumPy-style code, JAX-style transformations, implemented as MLIR passes.

    import plait, plait.numpy as pnp
    f = plait.jit(lambda x: pnp.sin(x) ** 2)
"""

from plait import (  # noqa: F401
    dialect,  # declares every op
    distributed,
    lax,
    numpy,  # installs the operators and methods of Array and tracers
    sharding,
    tree_util,  # jax.tree_util's API: pytrees are jax's (Flax/Equinox pytrees work as they are)
)
from plait.ad import grad, hessian, jacfwd, jacrev, jvp, linearize, value_and_grad, vjp
from plait.core.dtypes import config
from plait.core.errors import (
    ConcretizationError,
    EscapedTracerError,
    IRError,
    PlaitError,
    PlaitTypeError,
    PlaitValueError,
)
from plait.custom import checkpoint, checkpoint_policies, custom_jvp, custom_vjp, remat
from plait.jitting import jit, make_mlir
from plait.runtime.array import Array
from plait.sharding import device_put, shard_map, with_sharding_constraint
from plait.vmapping import vmap

__all__ = [
    "Array", "checkpoint", "checkpoint_policies", "custom_jvp", "custom_vjp", "remat",
    "ConcretizationError", "EscapedTracerError", "IRError", "PlaitError",
    "PlaitTypeError", "PlaitValueError", "config", "grad", "hessian", "jacfwd", "jacrev", "jit",
    "jvp", "lax", "linearize", "make_mlir", "numpy", "value_and_grad", "vjp", "vmap",
    "sharding", "device_put", "distributed", "shard_map", "tree_util",
    "with_sharding_constraint",
]
