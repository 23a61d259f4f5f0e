"""Lowering from the plait dialect to StableHLO (+ Shardy): the pass and its table; the op
families' lowerings are in `plait/rules/`."""

from plait.lowering.raising import RaiseStableHLOPass, raise_rules  # noqa: F401
from plait.lowering.stablehlo import LowerToStableHLOPass, lowerings  # noqa: F401
