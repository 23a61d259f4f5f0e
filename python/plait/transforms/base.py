"""Passes: small objects whose `name` is their `plait-opt` flag, run by MLIR's PassManager.

A pass subclasses `Pass`, sets `name` (kebab-case, the CLI flag and the lit file's name) and
implements `run(module)`. Errors in the IR are raised as `IRError`s at an op's location
(`fail(op, message)`); they reach the user with the op's source line.
"""

from __future__ import annotations

from plait._mlir import CONTEXT, ir, passmanager
from plait.core.errors import IRError
from plait.core.location import site_of

PASSES: dict[str, type[Pass]] = {}


class Pass:
    name = ""
    summary = ""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name:
            PASSES[cls.name] = cls

    def run(self, module: ir.Operation) -> None:
        raise NotImplementedError


def fail(op, message: str) -> IRError:
    """An IRError located at `op` (raise it)."""
    loc = op.location
    err = IRError(message, site=site_of(loc))
    err.location = loc
    return err


def plait_funcs(module: ir.Operation):
    """The func.func ops of a module."""
    return [op for op in module.regions[0].blocks[0].operations if op.operation.name == "func.func"]


def run_passes(module: ir.Module | ir.Operation, passes, *, print_after_all: bool = False,
               verify_each: bool = False) -> None:
    """Run plait passes (objects or names) through an MLIR PassManager."""
    op = module.operation if isinstance(module, ir.Module) else module
    with CONTEXT:
        pm = passmanager.PassManager("builtin.module")
        for p in passes:
            p = PASSES[p]() if isinstance(p, str) else p
            pm.add(_as_callback(p, verify_each), name=p.name)
        if print_after_all:
            pm.enable_ir_printing(print_after_all=True)
        pm.run(op)


def _as_callback(p: Pass, verify_each: bool):
    def callback(op, pass_):
        p.run(op)
        if verify_each and p.name != "plait-verify":
            PASSES["plait-verify"]().run(op)
    return callback
