"""Lowering from the plait dialect to StableHLO (+ Shardy)."""

from plait.lowering import control, sharding  # noqa: F401  (register their lowerings)
from plait.lowering.stablehlo import LowerToStableHLOPass, lowerings  # noqa: F401
