"""Tracing: Python functions become `func.func`s of plait ops.

A `Trace` is one function under construction; `Tracer`s are its values (an `ir.Value` plus an
aval with JAX's weak_type). Traces nest — `grad(f)` inside `jit(g)` traces `f` into its own
function while `g` is still open — and a value of an enclosing trace used inside an inner one
is *lifted*: the inner function gets an extra argument, and the transformation op that calls
it passes the outer value. Device arrays met while tracing are lifted the same way, to
arguments of the outermost function (never baked in as constants); so are jax arrays.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import EscapedTracerError, PlaitTypeError, PlaitValueError, user_site
from plait.core.location import user_location
from plait.dialect.base import OpDef
from plait.dialect.elementwise import complex as complex_
from plait.dialect.structural import constant
from plait.ir.funcs import FuncTable
from plait.runtime.array import Array
from plait.runtime.device import device_put, is_jax_array

# Host constants larger than this are passed to the program as device arrays, not baked in.
LARGE_CONSTANT_BYTES = 1 << 14


class ModuleBuilder:
    """A module being traced into, with its functions by name (`funcs`, a FuncTable that each
    Trace adds its function to); hands out unique function names."""

    def __init__(self) -> None:
        self.module = ir.Module.create(loc=ir.Location.unknown())
        self.funcs = FuncTable(self.module.operation)
        self.funcs.unique_name("main")  # kept for the entry point (staging.stage names it)

    def unique_name(self, base: str) -> str:
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in base) or "f"
        return self.funcs.unique_name(base)


class _TraceState(threading.local):
    def __init__(self) -> None:
        self.stack: list[Trace] = []
        self.axes: list[tuple[str, int]] = []  # named axes in scope (vmap, shard_map)


_state = _TraceState()


class axis_scope:
    """Bind a named axis (of `size` members) while tracing a vmapped or shard_mapped body."""

    def __init__(self, name, size: int):
        self.entry = (name, size)

    def __enter__(self):
        if self.entry[0]:
            _state.axes.append(self.entry)

    def __exit__(self, *exc):
        if self.entry[0]:
            _state.axes.pop()


def axis_size(name: str) -> int:
    for n, size in reversed(_state.axes):
        if n == name:
            return size
    bound = ", ".join(repr(n) for n, _ in _state.axes) or "none"
    raise PlaitValueError(f"unbound axis name {name!r} (axes in scope: {bound}); collectives "
                          "need an enclosing vmap(axis_name=...) or shard_map over that axis")


def current_trace() -> Trace | None:
    s = _state.stack
    return s[-1] if s else None


def tracing() -> bool:
    return bool(_state.stack)


class Trace:
    """One `func.func` under construction, with the values it lifted from outside."""

    def __init__(self, builder: ModuleBuilder, name: str, in_avals: Sequence[ShapedArray],
                 *, private: bool = True, concrete_args=None):
        self.builder = builder
        self.name = builder.unique_name(name)
        self.site = user_site()
        self.parent = current_trace()
        self.in_avals = list(in_avals)
        loc = user_location()
        with ir.InsertionPoint(builder.module.body):
            self.func = ir.Operation.create(
                "func.func", regions=1,
                attributes={"sym_name": ir.StringAttr.get(self.name),
                            "function_type": ir.TypeAttr.get(ir.FunctionType.get([], []))},
                loc=loc)
        if private:
            self.func.attributes["sym_visibility"] = ir.StringAttr.get("private")
        builder.funcs.add(self.func)
        self.block = self.func.regions[0].blocks.append(
            *[_aval.ir_type(a) for a in in_avals], arg_locs=[loc] * len(in_avals))
        self.ip = ir.InsertionPoint(self.block)
        self.args = [Tracer(v, a, self) for v, a in zip(self.block.arguments, self.in_avals)]
        self.captures: list = []        # outer Tracers (or device arrays) passed as extra args
        self._lifted: dict[int, tuple] = {}    # id(outer) -> (outer, inner Tracer)
        self._wrapped: dict[int, tuple] = {}   # id(jax array) -> (it, its plait Array)
        self.alive = False
        # The actual values of the declared arguments when known (eager transformations):
        # device buffers, or values of the enclosing trace. See core/concrete.py.
        self.concrete_sources = concrete_args
        self.value_dependent = False
        # Run-time checks of the outermost function (debug_checks): (bool tracer, error), each
        # an extra program output that jit reads after the run.
        self.checks: list = []
        # ids of the captures that are large host constants of this trace (see constant())
        self.host_constants: set[int] = set()

    # lifecycle ---------------------------------------------------------------------------------
    def __enter__(self) -> Trace:
        _state.stack.append(self)
        self.alive = True
        return self

    def __exit__(self, *exc) -> None:
        popped = _state.stack.pop()
        assert popped is self
        self.alive = False

    def finish(self, outs: Sequence) -> ir.Operation:
        """Return `outs` from the function and fix its signature; returns the func op."""
        values = [self.to_value(o)[0] for o in outs]
        with self.ip, user_location():
            ir.Operation.create("func.return", operands=values)
        arg_types = [a.type for a in self.block.arguments]
        self.func.attributes["function_type"] = ir.TypeAttr.get(
            ir.FunctionType.get(arg_types, [v.type for v in values]))
        return self.func

    # values ------------------------------------------------------------------------------------
    def to_value(self, x) -> tuple[ir.Value, ShapedArray]:
        """The value (and aval) of an operand in this trace, lifting or materialising it."""
        if type(x) is Tracer:
            if x._trace is self:
                return x.value, x.aval
            return self._lift(x)
        if isinstance(x, Array):
            return self._lift_array(x)
        if is_jax_array(x):
            return self._lift_array(self._as_array(x))
        return self.constant(x)

    def to_tracer(self, x) -> Tracer:
        v, a = self.to_value(x)
        return Tracer(v, a, self)

    def _lift(self, t: Tracer) -> tuple[ir.Value, ShapedArray]:
        if not t._trace.alive or not self._is_ancestor(t._trace):
            raise EscapedTracerError(
                f"a traced value from the function traced at {_fmt(t._trace.site)} was used "
                "after that trace ended (an escaped tracer). Return values from the traced "
                "function instead of storing them in globals or closures.")
        return self._lift_through(t, lambda: t if t._trace is self.parent else None)

    def _lift_array(self, x) -> tuple[ir.Value, ShapedArray]:
        return self._lift_through(x, lambda: x if self.parent is None else None)

    def _as_array(self, x):
        """A jax array met while tracing, as a plait Array (one per array: one capture)."""
        entry = self._wrapped.get(id(x))
        if entry is None:
            entry = self._wrapped[id(x)] = (x, Array(x))
        return entry[1]

    def _lift_through(self, x, direct) -> tuple[ir.Value, ShapedArray]:
        """Make outer value `x` an argument of this function (and of every trace between)."""
        entry = self._lifted.get(id(x))
        if entry is None:
            outer = direct()
            if outer is None:
                self.parent.to_value(x)
                outer = self.parent._lifted[id(x)][1]
            aval = x.aval
            inner = self._add_capture(outer, aval)
            entry = self._lifted[id(x)] = (x, inner)  # x kept alive: ids must stay unique
        return entry[1].value, entry[1].aval

    def _add_capture(self, outer, aval: ShapedArray) -> Tracer:
        v = self.block.add_argument(_aval.ir_type(aval), ir.Location.unknown())
        self.captures.append(outer)
        return Tracer(v, aval, self)

    def _is_ancestor(self, other: Trace) -> bool:
        t = self.parent
        while t is not None:
            if t is other:
                return True
            t = t.parent
        return False

    def constant(self, x) -> tuple[ir.Value, ShapedArray]:
        """A host value (Python scalar or NumPy array) as a `plait.constant`."""
        dt, weak = dtypes.dtype_of_value(x)
        try:
            arr = np.asarray(x, dtype=dt)
        except OverflowError:
            raise PlaitTypeError(f"Python int {x} does not fit in {dt}; pass an explicit "
                                 "dtype, e.g. np.int64(x)") from None
        loc = user_location()
        if arr.dtype.kind == "c":
            re, _ = self.constant(arr.real)
            im, _ = self.constant(arr.imag)
            (v,), (a,) = complex_.build([re, im], None, {}, ip=self.ip, loc=loc)
        elif arr.nbytes > LARGE_CONSTANT_BYTES:
            return self._lift_host_constant(arr)
        else:
            (v,), (a,) = constant.build([], [], {"value": arr}, ip=self.ip, loc=loc)
        return v, a.update(weak_type=weak) if weak else a

    def _lift_host_constant(self, arr: np.ndarray) -> tuple[ir.Value, ShapedArray]:
        """A large host constant as a device array passed to the outermost function: MLIR
        keeps every distinct attribute for the life of its context, so data baked into the IR
        would never be freed (jax passes large constants as arguments too)."""
        x = Array(device_put(arr, ShapedArray(arr.shape, arr.dtype)))
        root = self
        while root.parent is not None:
            root = root.parent
        root.host_constants.add(id(x))  # x is kept alive by the _lifted tables
        return self._lift_array(x)


def _fmt(site) -> str:
    return f"{site[0]}:{site[1]}" if site else "<unknown>"


class Tracer:
    """A traced array: an SSA value of the function being traced. Operators come from
    `plait.numpy` (installed by plait.numpy.array_methods)."""

    __slots__ = ("value", "aval", "_trace", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, value: ir.Value, aval: ShapedArray, trace: Trace):
        self.value = value
        self.aval = aval
        self._trace = trace

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: self.aval.ndim)
    size = property(lambda self: self.aval.size)
    weak_type = property(lambda self: self.aval.weak_type)

    def __repr__(self) -> str:
        return f"Tracer<{self.aval.str_short()}>"

    def __len__(self) -> int:
        if not self.aval.shape:
            raise PlaitTypeError("len() of a 0-d array")
        return self.aval.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def _eager_apply(op: OpDef, args, params):
    raise AssertionError("plait.jitting sets how an op runs outside any trace")


def set_eager_apply(fn) -> None:
    """How `bind` runs an op outside any trace (jit's one-op programs; set by plait.jitting,
    a layer above this one)."""
    global _eager_apply
    _eager_apply = fn


def bind(op: OpDef, *args, **params):
    """Apply `op` to arrays or tracers: emit it into the current trace, or run it eagerly."""
    trace = current_trace()
    if trace is None:
        return _eager_apply(op, args, params)
    values, avals = [], []
    for a in args:
        v, av = trace.to_value(a)
        values.append(v)
        avals.append(av)
    results, out_avals = op.build(values, avals, params, ip=trace.ip, loc=user_location())
    outs = [Tracer(v, a, trace) for v, a in zip(results, out_avals)]
    return outs[0] if len(outs) == 1 else outs
