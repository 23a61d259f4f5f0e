"""The pass pipeline from a traced plait module to a compiled executable.

    traced plait ──optimize──▶ plait (transformations expanded, cleaned up)
                 ──lower────▶ StableHLO ──compile──▶ Executable
"""

from __future__ import annotations

import os

from plait import lowering, rules, transforms  # noqa: F401  (register passes and rules)
from plait._mlir import CONTEXT, LOCK, ir
from plait.dialect import OPS
from plait.dialect.traits import CustomRule, Transformation
from plait.transforms.base import PASSES, run_passes

# Transformation passes, run in this order until no transformation op is left.
TRANSFORM_PASSES: list[str] = ["plait-expand"]
# No plait-inline: XLA inlines func.call itself, and cloning every generated function's body
# into its caller would double the work of the passes after it.
CLEANUP_PASSES = ["plait-dce", "plait-simplify", "plait-cse", "plait-dce",
                  "plait-shard-propagate"]


def debug_enabled() -> bool:
    """PLAIT_DEBUG=1 verifies the IR after tracing and after every pass."""
    return os.environ.get("PLAIT_DEBUG", "") not in ("", "0")


def _has_transformation(module: ir.Module) -> bool:
    """Whether an op of the module is one plait-expand expands (transformations, custom rules:
    never lowered)."""
    found = []

    def visit(op):
        opdef = OPS.get(op.name)
        if opdef is not None and (opdef.has(Transformation) or opdef.has(CustomRule)):
            found.append(op)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return bool(found)


def optimize(module: ir.Module) -> None:
    """Expand every transformation op and clean up, in place. A sharded program is inlined
    into @main first, so that plait-shard-propagate gives every value a sharding. A program
    with no transformation and no sharding is left as traced: its cleanup would cost more
    than tracing it did, for what XLA does anyway."""
    debug = debug_enabled()
    sharded = any(o.operation.name == "sdy.mesh" for o in module.body.operations)
    with LOCK, CONTEXT:
        work = sharded or _has_transformation(module)
        passes = (["plait-verify"] if debug else []) + (
            TRANSFORM_PASSES + (["plait-inline"] if sharded else []) + CLEANUP_PASSES
            if work else [])
        if passes:
            run_passes(module, passes, verify_each=debug)


def lower(module: ir.Module, platform: str = "cpu") -> None:
    """plait → StableHLO for a PJRT platform ("cpu", "cuda", "rocm"), in place."""
    with LOCK, CONTEXT:
        PASSES["plait-lower-to-stablehlo"](platform=platform).run(module.operation)


def clone_module(module: ir.Module) -> ir.Module:
    with CONTEXT:
        return ir.Module.parse(module.operation.get_asm(enable_debug_info=True))
