"""The user API that `plait` exposes; loaded on first use of `plait.<name>` (see __init__)."""

from plait import (  # noqa: F401
    dialect,  # declares every op
    distributed,
    lax,
    numpy,  # installs the operators and methods of Array and tracers
    sharding,
    tree_util,  # jax.tree_util's API: pytrees are jax's (Flax/Equinox pytrees work as they are)
)
from plait.ad import (  # noqa: F401
    grad,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    value_and_grad,
    vjp,
)
from plait.custom import (  # noqa: F401
    checkpoint,
    checkpoint_policies,
    custom_jvp,
    custom_vjp,
    remat,
)
from plait.jitting import clear_caches, jit, make_mlir  # noqa: F401
from plait.runtime.array import Array  # noqa: F401
from plait.sharding import device_put, shard_map, with_sharding_constraint  # noqa: F401
from plait.vmapping import vmap  # noqa: F401
