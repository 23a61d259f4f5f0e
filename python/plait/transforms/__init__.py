"""plait's passes. Importing this package registers every pass under its flag name, and the
region ops' rules (regions.py) into the tables of the passes."""

from plait.transforms import (  # noqa: F401
    autodiff,
    batch,
    cse,
    dce,
    inline,
    jvp,
    linearize,
    regions,
    shard_propagate,
    simplify,
    transpose,
    verify,
)
from plait.transforms.base import PASSES, Pass, run_passes  # noqa: F401
