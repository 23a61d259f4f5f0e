"""debug_nans / debug_infs: when a program's result holds a NaN (or an Inf), run its plait
module again op by op (after the transformations, so backward-pass ops count) and raise
FloatingPointError at the user's line of the first op that made one.

Ops run one at a time as one-op programs; a call runs its callee op by op; an op with regions
(a loop, a cond) runs whole and is named as the culprit when its result is the first bad one.
A gradient op carries the location of the forward op it differentiates, so a NaN made in the
backward pass is reported at the line of the forward computation."""

from __future__ import annotations

import numpy as np

from plait import pipeline
from plait._mlir import ir, scope
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.location import site_of
from plait.ir.funcs import clone_into, finish_func, func_body, lookup_func, new_func, symbol_name
from plait.runtime.executable import compile_stablehlo
from plait.transforms.expand import callee_of

_ONE_OP: dict = {}  # the text of an op without regions -> its compiled one-op program
_ONE_OP_SIZE = 1024


def enabled() -> bool:
    return dtypes.config.debug_nans or dtypes.config.debug_infs


def keep_plait_module(staged) -> None:
    """Keep what `check` re-runs: the staged module after the transformations (a copy)."""
    with scope():
        module = ir.Module.parse(staged.module.operation.get_asm(enable_debug_info=True))
        pipeline.optimize(module)
    staged.plait_module = module


def check(staged, in_bufs, out_bufs) -> None:
    """Raise FloatingPointError if a result is NaN (Inf), naming the op that made it."""
    if not any(_bad(b) for b in out_bufs):
        return
    module = getattr(staged, "plait_module", None)
    if module is not None and getattr(staged, "mesh", None) is None:  # (one device only)
        with scope():
            _Replay(module.operation).run_func(lookup_func(module.operation, "main"),
                                               list(in_bufs))
    why = ("an argument holds one" if any(_bad(b) for b in in_bufs) else
           "the op that made it was not found")
    raise FloatingPointError(f"invalid value ({_what()}) in a result of {staged.name}: {why}")


def _what() -> str:
    return " or ".join(w for w, on in (("nan", dtypes.config.debug_nans),
                                       ("inf", dtypes.config.debug_infs)) if on)


def _bad(buf) -> bool:
    if not dtypes.is_inexact(np.dtype(buf.dtype)):
        return False
    x = np.asarray(buf)
    return bool((dtypes.config.debug_nans and np.isnan(x).any())
                or (dtypes.config.debug_infs and np.isinf(x).any()))


class _Replay:
    def __init__(self, module: ir.Operation):
        self.module = module

    def run_func(self, func, args: list) -> list:
        block = func_body(func)
        env = dict(zip(block.arguments, args))
        for op in block.operations:
            o = op.operation
            ins = [env[v] for v in o.operands]
            if o.name == "func.return":
                return ins
            if o.name == "func.call":
                outs = self.run_func(lookup_func(self.module, callee_of(o)), ins)
            else:
                outs = self.run_op(o, ins)
            if any(_bad(b) for b in outs) and not any(_bad(b) for b in ins):
                raise FloatingPointError(_message(o, ins))
            env.update(zip(o.results, outs))
        raise AssertionError("a function without a return")

    def run_op(self, op: ir.Operation, ins: list) -> list:
        key = None if len(op.regions) else (op.get_asm(enable_debug_info=False),
                                             tuple(str(v.type) for v in op.operands))
        exe = _ONE_OP.get(key) if key else None
        if exe is None:
            exe = self._compile(op)
            if key:
                if len(_ONE_OP) >= _ONE_OP_SIZE:
                    _ONE_OP.clear()
                _ONE_OP[key] = exe
        return exe(ins)

    def _compile(self, op: ir.Operation):
        with ir.Location.unknown():
            module = ir.Module.create()
        top = module.operation
        if len(op.regions):  # its regions may call any function of the module
            with ir.InsertionPoint(module.body):
                for f in self.module.regions[0].blocks[0].operations:
                    if symbol_name(f) != "main":
                        f.operation.clone()
        types = [v.type for v in op.operands]
        func, block = new_func(top, "main", types, op.location)
        del func.attributes["sym_visibility"]
        mapping = dict(zip(op.operands, block.arguments))
        new = clone_into(op, mapping, ir.InsertionPoint(block))
        finish_func(func, block, list(new.results), op.location)
        pipeline.lower(module)
        return compile_stablehlo(module, [_aval.aval_of(v) for v in op.operands],
                                 [_aval.aval_of(r) for r in op.results])


def _message(op: ir.Operation, ins: list) -> str:
    site = site_of(op.location)
    where = f"{site[0]}:{site[1]}: " if site else ""
    summary = "; ".join(_summary(b) for b in ins) or "no operands"
    inside = " (inside its regions)" if len(op.regions) else ""
    return (f"{where}invalid value ({_what()}) encountered in {op.name}{inside}; "
            f"operands: {summary}")


def _summary(buf) -> str:
    x = np.asarray(buf)
    head = f"{x.dtype}{list(x.shape)}"
    if x.size == 0 or not np.issubdtype(x.dtype, np.number):
        return head
    v = x.astype(np.complex128 if np.iscomplexobj(x) else np.float64)
    if x.size <= 4:
        return f"{head} {np.array2string(x, precision=4)}"
    finite = v[np.isfinite(v)]
    rng = (f"min {finite.real.min():.4g} max {finite.real.max():.4g}" if finite.size else
           "no finite values")
    return (f"{head} {rng}, {int(np.isnan(v).sum())} nan, {int(np.isinf(v).sum())} inf, "
            f"{int((v == 0).sum())} zero")
