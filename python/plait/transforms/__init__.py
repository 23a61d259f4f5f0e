"""plait's passes. Importing this package registers every pass under its flag name; the rules
the passes apply are registered into their tables by `plait.rules`."""

from plait.transforms import (  # noqa: F401
    autodiff,
    batch,
    cse,
    dce,
    inline,
    jvp,
    linearize,
    op_stats,
    report_unused,
    shard_propagate,
    simplify,
    transpose,
    verify,
)
from plait.transforms.base import PASSES, Pass, run_passes  # noqa: F401
