"""plait's passes. Importing this package registers every pass under its flag name."""

from plait.transforms import cse, dce, inline, simplify, verify  # noqa: F401
from plait.transforms.base import PASSES, Pass, run_passes  # noqa: F401
