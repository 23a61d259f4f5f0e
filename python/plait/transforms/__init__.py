"""plait's passes. Importing this package registers every pass under its flag name."""

from plait.transforms import (  # noqa: F401
    autodiff,
    batch,
    cse,
    dce,
    inline,
    jvp,
    linearize,
    shard_propagate,
    simplify,
    transpose,
    verify,
)
from plait.transforms.base import PASSES, Pass, run_passes  # noqa: F401
