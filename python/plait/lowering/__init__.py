"""Lowering from the plait dialect to StableHLO (+ Shardy)."""

from plait.lowering import control  # noqa: F401  (registers region-op lowerings)
from plait.lowering.stablehlo import LowerToStableHLOPass, lowerings  # noqa: F401
