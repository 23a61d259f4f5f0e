"""The plait dialect: every op, declared once. `from plait.dialect import ops as P`."""

from plait.dialect import (  # noqa: F401  (declare ops)
    collective,
    control,
    decompositions,
    elementwise,
    fft,
    linalg,
    reduce,
    sharding,
    structural,
    transform,
)
from plait.dialect.base import OPS, OpDef  # noqa: F401
