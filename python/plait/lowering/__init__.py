"""Lowering from the plait dialect to StableHLO (+ Shardy)."""

from plait.lowering.stablehlo import LowerToStableHLOPass, lowerings  # noqa: F401
