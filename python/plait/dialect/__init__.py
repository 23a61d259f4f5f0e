"""The plait dialect: every op, declared once. `from plait.dialect import ops as P`."""

from plait.dialect import (  # noqa: F401  (declare ops)
    bits,
    callback,
    collective,
    control,
    conv,
    elementwise,
    linalg,
    prng,
    reduce,
    sharding,
    sort,
    special,
    structural,
    transform,
    windows,
)
from plait.dialect.base import OPS, OpDef  # noqa: F401
