"""The plait dialect: every op, declared once. `from plait.dialect import ops as P`."""

from plait.dialect import elementwise, linalg, reduce, structural, transform  # noqa: F401
from plait.dialect.base import OPS, OpDef  # noqa: F401
