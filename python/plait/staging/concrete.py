"""Concrete values of tracers, for Python control flow outside jit.

Outside `jit`, a transformation (grad, jvp, vjp, ...) traces the user's function knowing the
actual arguments. When the function asks for a traced value (`if x > 0:`, `float(x)`), the
part of the function traced so far is compiled with that value as its output and run on the
actual arguments. The trace is then marked *value-dependent*: its compiled program is cached
under the IR it produced (the path taken), and later calls retrace to find their path. Under
`jit` only the arrays the function reads are known (not its arguments): a value that depends
on them alone (a NumPy mask a helper computes) is found the same way; any other request is a
ConcretizationError.
"""

from __future__ import annotations

import numpy as np

from plait import pipeline
from plait._mlir import ir, scope
from plait.core import aval as _aval
from plait.core.errors import ConcretizationError
from plait.ir.funcs import set_function_type, symbol_name
from plait.runtime import device as _device
from plait.runtime.array import Array
from plait.runtime.executable import compile_stablehlo
from plait.staging.trace import Tracer, _state

_PROGRAMS: dict = {}


def _raise(t, what: str):
    raise ConcretizationError(
        f"{what} on a traced value {t.aval.str_short()}: Python control flow and conversions "
        "need a concrete value, which is unknown while tracing under jit (or inside vmap). Use "
        "plait.numpy.where or plait.lax.cond / while_loop for value-dependent control flow, or "
        "mark the argument static (static_argnums).")


def has_concrete_value(t) -> bool:
    """Whether `concrete_value(t)` can compute t's value: everything it depends on is known."""
    trace = t._trace
    if trace.concrete_sources is None or not trace.alive:
        return False
    sources = list(trace.concrete_sources) + list(trace.captures)
    return all(sources[i] is not None and (type(sources[i]) is not Tracer
                                           or has_concrete_value(sources[i]))
               for i in _arguments_used(trace, t))


def concrete_value(t, what: str = "a conversion") -> np.ndarray:
    """The value a tracer takes on the actual arguments of an eager transformation, or on the
    arrays a function reads under jit (a source None is unknown: an argument of the jit)."""
    trace = t._trace
    if not has_concrete_value(t):
        _raise(t, what)
    sources = list(trace.concrete_sources) + list(trace.captures)
    used = _arguments_used(trace, t)
    args = [_device_value(s, what) if i in used else _zeros(trace.block.arguments[i])
            for i, s in enumerate(sources)]
    exe = _prefix_program(trace, t)
    root = trace
    while root.parent is not None:
        root = root.parent
    root.value_dependent = True
    return np.asarray(exe(args)[0])


def _arguments_used(trace, t) -> set:
    """Positions of the arguments of t's function that t depends on (region ops take what
    their bodies read as operands, so operands are all there is to follow)."""
    used, seen, stack = set(), set(), [t.value]
    while stack:
        v = stack.pop()
        if isinstance(v, ir.BlockArgument):
            used.add(v.arg_number)
            continue
        op = v.owner
        if op not in seen:
            seen.add(op)
            stack.extend(op.operands)
    return used


def _zeros(arg):
    """A stand-in for an argument the value does not depend on."""

    a = _aval.aval_of_type(arg.type)
    return _device.device_put(np.zeros(a.shape, a.dtype), a)


def _device_value(source, what):
    if type(source) is Tracer:
        v = concrete_value(source, what)
        return _device.device_put(v, source.aval.strip_weak())
    if isinstance(source, Array):
        return source._buf
    return source


def _prefix_program(trace, t):
    """Compile the function traced so far, returning `t` (cached by its IR)."""
    with scope():
        module = trace.builder.module.operation.clone()
        open_names = {tr.name for tr in _state.stack if tr is not trace}
        target = None
        for op in list(module.regions[0].blocks[0].operations):
            o = op.operation
            name = symbol_name(o)
            if name in open_names:
                o.erase()
            elif name == trace.name:
                target = o
            else:
                o.attributes["sym_visibility"] = ir.StringAttr.get("private")
        block = target.regions[0].blocks[0]
        value = _locate(trace, t, block)
        with ir.InsertionPoint(block), ir.Location.unknown():
            ir.Operation.create("func.return", operands=[value])
        set_function_type(target, [a.type for a in block.arguments], [value.type])
        target.attributes["sym_name"] = ir.StringAttr.get("main")
        if "sym_visibility" in target.attributes:
            del target.attributes["sym_visibility"]
        text = str(module)
        exe = _PROGRAMS.get(text)
        if exe is None:
            m = ir.Module.parse(text)
            pipeline.optimize(m)
            pipeline.lower(m, _device.default_platform())
            in_avals = [_aval.aval_of_type(a.type) for a in block.arguments]
            exe = _PROGRAMS[text] = compile_stablehlo(m, in_avals, [t.aval.strip_weak()])
        return exe


def _locate(trace, t, block):
    """The value in the cloned `block` that corresponds to `t` in the trace's block."""
    v = t.value
    if isinstance(v, ir.BlockArgument):
        return block.arguments[v.arg_number]
    owner = v.owner
    for i, op in enumerate(trace.block.operations):
        if op.operation == owner.operation:
            return block.operations[i].results[v.result_number]
    raise AssertionError("traced value not found in its function")
