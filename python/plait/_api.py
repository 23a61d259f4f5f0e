"""The user API that `plait` exposes; loaded on first use of `plait.<name>` (see __init__)."""

from plait import (  # noqa: F401
    debug,
    dialect,  # declares every op
    distributed,
    experimental,
    export,
    lax,
    numpy,  # installs the operators and methods of Array and tracers
    profiler,
    random,
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
from plait.callbacks import pure_callback  # noqa: F401
from plait.core.aval import ShapeDtypeStruct  # noqa: F401
from plait.core.location import named_scope  # noqa: F401
from plait.custom import (  # noqa: F401
    checkpoint,
    checkpoint_policies,
    custom_jvp,
    custom_vjp,
    remat,
)
from plait.distributed import process_count, process_index  # noqa: F401
from plait.interop import from_jax  # noqa: F401
from plait.jitting import clear_caches, eval_shape, jit, make_mlir  # noqa: F401
from plait.runtime.array import Array  # noqa: F401
from plait.runtime.host import (  # noqa: F401
    block_until_ready,
    default_backend,
    device_count,
    device_get,
    devices,
    local_device_count,
    local_devices,
)
from plait.sharding import device_put, shard_map, with_sharding_constraint  # noqa: F401
from plait.vmapping import vmap  # noqa: F401
