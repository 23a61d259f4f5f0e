"""`plait.jit`: trace once per signature, compile through the pipeline, dispatch fast.

A call's signature is (function, pytree structure, avals incl. weak types, static args).
"Function" is its code object plus everything it reads — closure, globals, and through them
called functions, containers and the attributes of objects and modules: arrays by aval (they
become implicit inputs), scalars by type and value — so a fresh lambda per loop step reuses the
compiled program, and rebound or mutated state is never read stale (see `_Reads`).
Calls go through jaxlib's C++ dispatch path (`runtime.fastpath`) when it is available; the
Python path below is the fallback and the cache-miss handler.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import logging
import os
import sys
import types
import weakref
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from plait import pipeline
from plait._mlir import CONTEXT, LOCK, ir
from plait.core import dtypes, pytree
from plait.core.aval import ShapedArray
from plait.core.errors import EscapedTracerError, PlaitTypeError, PlaitValueError
from plait.core.trace import ModuleBuilder, Trace, Tracer, current_trace, tracing
from plait.runtime import device as _device
from plait.runtime.array import Array
from plait.runtime.executable import Executable, compile_stablehlo

logger = logging.getLogger("plait")
_jax_array_type = None


def _is_jax_array(x) -> bool:
    global _jax_array_type
    if _jax_array_type is None:
        from jaxlib import _jax

        _jax_array_type = _jax.ArrayImpl
    return type(x) is _jax_array_type


# --- leaves: avals and device buffers ---------------------------------------------------------

def leaf_aval(x) -> ShapedArray:
    """The aval plait gives an argument leaf."""
    if isinstance(x, (Array, Tracer)):
        return x.aval
    if _is_jax_array(x):
        return ShapedArray(x.shape, dtypes.canonicalize(x.dtype), x.aval.weak_type)
    if isinstance(x, (bool, int, float, complex, np.ndarray, np.generic)):
        dt, weak = dtypes.dtype_of_value(x)
        if isinstance(x, int) and not isinstance(x, bool) and not _fits(x, dt):
            raise PlaitTypeError(f"Python int {x} does not fit in {dt}; pass np.int64({x})")
        return ShapedArray(np.shape(x), dt, weak)
    raise PlaitTypeError(
        f"argument of type {type(x).__name__} is not an array; pass arrays, scalars or "
        "pytrees of them, or mark the argument static (static_argnums / static_argnames)")


def _fits(x: int, dt) -> bool:
    info = np.iinfo(dt)
    return info.min <= x <= info.max


def leaf_buffer(x, aval: ShapedArray):
    """The device buffer of an argument leaf for a single-device program (on the default
    device: a buffer elsewhere is copied there, as jax does)."""
    if type(x) is Array:
        x = x._buf
    if _is_jax_array(x):
        home = _device.single_device_sharding(_device.default_device())
        if x.sharding != home and len(x.sharding.device_set) == 1:
            import jax

            x = jax.device_put(x, home)
        return x
    return _device.device_put(np.asarray(x, aval.dtype), aval)


def arg_shardings(leaves) -> tuple:
    """Each leaf's sharding if it is an array laid out over several devices, else None."""
    out = []
    for x in leaves:
        buf = x._buf if type(x) is Array else x if _is_jax_array(x) else None
        out.append(buf.sharding if buf is not None and _multi(buf) else None)
    return tuple(out)


def leaf_buffer_sharded(x, aval: ShapedArray, sharding):
    """A host leaf goes straight to its shards (each process puts its own)."""
    if type(x) is Array or _is_jax_array(x):
        return leaf_buffer(x, aval)
    return _device.put_sharded(np.asarray(x, aval.dtype), aval, sharding)


# --- the function part of the key: everything the function reads -------------------------------

class _Identity:
    """Keys an unhashable object by identity, holding it so its id is not reused."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, _Identity) and other.obj is self.obj


def _scalar_key(v):
    """A scalar by type and value: 1, 1.0 and True differ, as do 0.0 and -0.0; nan is nan."""
    t = type(v)
    if t is float or t is complex:
        return (t, v) if v == v and v != 0 else (t, repr(v))
    if isinstance(v, np.generic):
        return t, v.tobytes()
    return t, v


_SCALARS = frozenset({bool, int, float, complex, str, bytes, type(None)})


def _value_key(v):
    if type(v) in _SCALARS or isinstance(v, np.generic):
        return _scalar_key(v)
    try:
        hash(v)
        return v
    except TypeError:
        return _Identity(v)


# Packages whose objects are taken as they are (keyed by value or identity, not walked): their
# functions read only their own internals, and their objects hold no user state plait tracks.
_LIBRARIES = frozenset({"plait", "numpy", "jax", "jaxlib", "scipy", "ml_dtypes"}
                       | set(sys.stdlib_module_names))
_MAX_READS = 10_000  # values walked per call; beyond, what is left is opaque
_MAX_DEPTH = 64


def _is_library(module_name) -> bool:
    return not isinstance(module_name, str) or module_name.partition(".")[0] in _LIBRARIES


@functools.lru_cache(maxsize=4096)
def _code_names(code) -> tuple:
    """Names a code object (and the functions and comprehensions nested in it) may read as
    globals or attributes, sorted."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names.update(_code_names(const))
    return tuple(sorted(names))


def _is_numeric(x) -> bool:
    dt = x.dtype
    return dt.kind in "biufc" or dt == dtypes.bfloat16


class _Reads:
    """One walk over what a function reads: its closure cells, defaults and the globals its
    code names; through them, the functions it calls (the same, except a library's globals),
    bound objects and partials, containers, the attributes of objects and the data attributes
    of their classes, and the attributes of modules that the code names. It builds the key
    (arrays by aval, scalars by type and value), collects the arrays (the implicit inputs), and
    a plan to rebuild what was read with tracers in place of the arrays.

    A plan is `plan(rebuild) -> value`, or None where nothing below holds an array. What the
    walk cannot see into (an object without a `__dict__`, more than _MAX_READS values) makes
    the read `opaque`: a program traced from it is not reused without retracing."""

    def __init__(self):
        self.arrays: list = []
        self.opaque = False
        self._array_at: dict = {}  # id(array) -> its position in self.arrays
        self._seen: dict = {}      # id(function or object) -> (position, [its plan])
        self._count = 0

    def value(self, v, names=(), depth=0):
        t = type(v)
        if t in _SCALARS:
            return _scalar_key(v), None
        self._count += 1
        if self._count > _MAX_READS or depth > _MAX_DEPTH:
            return self._opaque(v)
        if t is Array or _is_jax_array(v) or isinstance(v, np.ndarray):
            return self._array(v)
        if isinstance(v, np.generic):
            return _scalar_key(v), None
        depth += 1
        if t is types.FunctionType:
            return self._function(v, depth)
        if t is types.MethodType:
            (fk, fp), (sk, sp) = (self.value(v.__func__, names, depth),
                                  self.value(v.__self__, names, depth))
            return ("method", fk, sk), _plan_if(fp or sp, lambda rb: types.MethodType(
                _run(fp, rb, v.__func__), _run(sp, rb, v.__self__)))
        if t is functools.partial:
            (fk, fp), (ak, ap), (kk, kp) = (self.value(x, names, depth)
                                            for x in (v.func, v.args, v.keywords))
            return ("partial", fk, ak, kk), _plan_if(fp or ap or kp, lambda rb: (
                functools.partial(_run(fp, rb, v.func), *_run(ap, rb, v.args),
                                  **_run(kp, rb, v.keywords))))
        if isinstance(v, Jitted):  # inside a trace a jitted function is inlined: its function
            return self.value(v.fun, names, depth)
        if t is types.ModuleType:
            return self._module(v, names, depth)
        if isinstance(v, type):
            return self._class(v, names, depth)
        if t is set:
            return self.value(frozenset(v), names, depth)
        if t not in (list, tuple, dict):
            if t.__hash__ is not None and (t.__eq__ is not object.__eq__ or
                                           _is_library(t.__module__)):
                try:  # a value with its own == (or a library's object): keyed by it ...
                    hash(v)
                    return v, None
                except TypeError:  # ... unless it holds arrays or lists
                    pass
        return self._container(v, names, depth)

    def _opaque(self, v):
        self.opaque = True
        return _Identity(v), None

    def _array(self, v):
        if not _is_numeric(v):
            return self._opaque(v)
        i = self._array_at.get(id(v))
        if i is None:
            i = self._array_at[id(v)] = len(self.arrays)
            self.arrays.append(v)
            key = leaf_aval(v)
        else:
            key = ("same array as", i)  # the program reads one input for both
        return key, lambda rb: rb.tracers[i]

    def _visit(self, v):
        """(key, plan) of a function or object met before, else None (marking it met)."""
        seen = self._seen.get(id(v))
        if seen is None:
            self._seen[id(v)] = (len(self._seen), [None])
            return None
        at, plan = seen
        return ("ref", at), _plan_if(type(v) is types.FunctionType,
                                     lambda rb: rb.done.get(id(v)) or _run(plan[0], rb, v))

    def _planned(self, v, key, plan):
        self._seen[id(v)][1][0] = plan
        return key, plan

    def _function(self, f, depth):
        seen = self._visit(f)
        if seen is not None:
            return seen
        code, g = f.__code__, f.__globals__
        names = _code_names(code)
        dk, dp = self.value(f.__defaults__, names, depth)
        kk, kp = self.value(f.__kwdefaults__, names, depth)
        cells, cell_plans = [], []
        for c in f.__closure__ or ():
            try:
                k, p = self.value(c.cell_contents, names, depth)
            except ValueError:  # an empty cell: a name assigned later
                k, p = ("empty cell",), None
            cells.append(k)
            cell_plans.append(p)
        reads, global_plans = [], []
        if not _is_library(g.get("__name__")):
            for n in names:
                if n in g:
                    k, p = self.value(g[n], names, depth)
                    reads.append((n, k))
                    if p is not None:
                        global_plans.append((n, p))
        attrs = [(n, v) for n, v in f.__dict__.items() if n != "__wrapped__"]
        ak, ap = self._items(None, attrs, names, depth) if attrs else ((), None)
        key = (code, _Identity(g), dk, kk, tuple(cells), tuple(reads), ak)
        needed = dp or kp or ap or global_plans or any(cell_plans)
        return self._planned(f, key, _plan_if(needed, lambda rb: rb.function(
            f, dp, kp, ap, cell_plans, global_plans)))

    def _container(self, v, names, depth):
        try:
            leaves, tree = pytree.tree_flatten(v)
        except (TypeError, ValueError):  # e.g. a dict with unsortable keys
            return self._opaque(v)
        if len(leaves) == 1 and leaves[0] is v:  # not a container: an object
            return self._object(v, names, depth)
        keys, plans = [], []
        for x in leaves:
            k, p = self.value(x, names, depth)
            keys.append(k)
            plans.append(p)
        return (tree, tuple(keys)), _plan_if(any(plans), lambda rb: pytree.tree_unflatten(
            tree, [_run(p, rb, x) for p, x in zip(plans, leaves)]))

    def _object(self, o, names, depth):
        d = getattr(o, "__dict__", None)
        if type(d) is not dict:  # e.g. __slots__: its state cannot be read here
            return self._opaque(o)
        seen = self._visit(o)
        if seen is not None:
            return seen
        ck, cp = self._class(type(o), names, depth)
        k, p = self._items(d, list(d.items()), names, depth)
        return self._planned(o, (ck, k), _plan_if(cp or p, lambda rb: (
            _run(cp, rb, None), _run(p, rb, None), o)[2]))

    def _class(self, cls, names, depth):
        """A user class: its data attributes (its methods are its own: keyed by the class)."""
        if _is_library(cls.__module__):
            return cls, None
        seen = self._visit(cls)
        if seen is not None:
            return seen
        keys, plans = [cls], []
        for c in cls.__mro__:
            if _is_library(c.__module__):
                continue
            data = [(n, v) for n, v in c.__dict__.items() if not n.startswith("__")
                    and not callable(v) and not hasattr(type(v), "__get__")]
            k, p = self._items(c, data, names, depth)
            keys.append(k)
            plans.append(p)
        return self._planned(cls, tuple(keys), _plan_if(any(plans), lambda rb: (
            [_run(p, rb, None) for p in plans], cls)[1]))

    def _module(self, m, names, depth):
        """A user module: the attributes the reading code names."""
        if _is_library(m.__name__):
            return m, None
        seen = self._visit(m)
        if seen is not None:
            return seen
        d = m.__dict__
        k, p = self._items(d, [(n, d[n]) for n in names if n in d], names, depth)
        return self._planned(m, (m, k), _plan_if(p, lambda rb: (p(rb), m)[1]))

    def _items(self, target, items, names, depth):
        """Named attributes of `target` (a `__dict__`, or a class); the plan sets them (on
        `into`: a rebuilt function's own attributes go to its copy)."""
        keys, plans = [], []
        for n, v in items:
            k, p = self.value(v, names, depth)
            keys.append((n, k))
            if p is not None:
                plans.append((n, p))
        return tuple(keys), _plan_if(plans, lambda rb, into=target: rb.set_attrs(into, plans))


def _plan_if(needed, plan):
    return plan if needed else None


def _run(plan, rb, original):
    return original if plan is None else plan(rb)


class _Rebuild:
    """What a function reads, rebuilt with tracers in place of its arrays, for one trace.
    Functions are rebuilt as copies (reading a copy of their module's globals); attributes of
    objects, classes and modules are set for the trace and restored after it."""

    def __init__(self, tracers):
        self.tracers = list(tracers)
        self.done: dict = {}      # id(function) -> its rebuilt copy
        self._globals: dict = {}  # id(module globals) -> their copy
        self._undo: list = []     # (dict or class, name, old value, value set)

    def function(self, f, dp, kp, ap, cell_plans, global_plans):
        new = self.done.get(id(f))
        if new is not None:
            return new
        g = f.__globals__
        if global_plans:
            g = self._globals.get(id(f.__globals__))
            if g is None:
                g = self._globals[id(f.__globals__)] = dict(f.__globals__)
        cells = tuple(types.CellType() if p is not None else c
                      for c, p in zip(f.__closure__ or (), cell_plans))
        new = types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, cells or None)
        new.__kwdefaults__, new.__qualname__ = f.__kwdefaults__, f.__qualname__
        new.__dict__.update(f.__dict__)
        self.done[id(f)] = new  # before its parts: a function may read itself
        if ap is not None:
            ap(self, new.__dict__)
        if dp is not None:
            new.__defaults__ = dp(self)
        if kp is not None:
            new.__kwdefaults__ = kp(self)
        for c, p in zip(cells, cell_plans):
            if p is not None:
                c.cell_contents = p(self)
        for n, p in global_plans:
            g[n] = p(self)
        return new

    def set_attrs(self, target, plans) -> None:
        for n, p in plans:
            new = p(self)
            d = target if type(target) is dict else target.__dict__
            self._undo.append((target, n, d[n], new))
            if type(target) is dict:
                target[n] = new
            else:
                setattr(target, n, new)

    def restore(self) -> None:
        """Put back what was set, unless the traced function set it again itself."""
        for target, n, old, new in reversed(self._undo):
            if type(target) is dict:
                if target.get(n) is new:
                    target[n] = old
            elif target.__dict__.get(n) is new:
                setattr(target, n, old)
        self._undo.clear()


class FunctionKey:
    """A function's code and everything it reads (see `_Reads`), with the arrays among what it
    reads pulled out as implicit inputs."""

    def __init__(self, fun):
        self.fun = fun
        reads = _Reads()
        key, self._plan = reads.value(fun)
        self.key = (key,)
        self.arrays = reads.arrays
        self.opaque = reads.opaque  # some of what it reads is not in the key

    @contextlib.contextmanager
    def substituted(self, tracers: Sequence):
        """The function reading `tracers` (in order) in place of its arrays, for one trace."""
        if self._plan is None:
            yield self.fun
            return
        rebuild = _Rebuild(tracers)
        try:
            yield self._plan(rebuild)
        finally:
            rebuild.restore()


# --- tracing a signature into a module ---------------------------------------------------------

class Staged:
    """One traced signature: the plait module and how to call what it compiles to.

    The module's public `@main` takes (closure arrays, captured device arrays, arguments).
    """

    def __init__(self, module: ir.Module, name: str, in_avals, out_avals, out_tree,
                 consts: list, closure_bufs: list):
        self.module = module
        self.name = name
        self.in_avals = list(in_avals)
        self.out_avals = list(out_avals)
        self.out_tree = out_tree
        self.consts = consts
        self.closure_bufs = closure_bufs  # the closure arrays seen when tracing
        self.host_outs: dict = {}  # float0 outputs, by position: host values
        self.checks: list = []     # errors of the run-time checks, outputs after the results


def stage(fun, fkey: FunctionKey, in_tree, in_avals: Sequence[ShapedArray],
          rebuild_args, name: str | None = None, apply=None, concrete_args=None,
          shardings=None) -> Staged:
    """Trace `fun` on abstract arguments into a fresh module; `apply(f, args, kwargs)`
    (default: call f) is what is traced, e.g. a transformation of f. With `concrete_args`
    (device buffers of closure arrays then arguments) Python may branch on traced values."""
    name = name or getattr(fun, "__name__", "fn")
    closure_avals = [leaf_aval(a) for a in fkey.arrays]
    closure_bufs = [leaf_buffer(a, av) for a, av in zip(fkey.arrays, closure_avals)]
    if concrete_args is None and closure_bufs:  # under jit: only what the function reads
        concrete_args = closure_bufs + [None] * len(in_avals)
    stats["traces"] += 1
    with LOCK, CONTEXT:
        mb = ModuleBuilder()
        trace = Trace(mb, name, closure_avals + list(in_avals), private=False,
                      concrete_args=concrete_args)
        with trace:
            nc = len(closure_avals)
            args, kwargs = rebuild_args(pytree.tree_unflatten(in_tree, trace.args[nc:]))
            with fkey.substituted(trace.args[:nc]) as f:
                out = apply(f, args, kwargs) if apply else f(*args, **kwargs)
            out_flat, out_tree = pytree.tree_flatten(out)
            # float0 outputs (gradients of integer inputs) hold no data: not program outputs
            host_outs = {k: o for k, o in enumerate(out_flat) if _is_float0(o)}
            out_vals = [trace.to_value(o) for k, o in enumerate(out_flat) if k not in host_outs]
            out_vals += [trace.to_value(flag) for flag, _ in trace.checks]
            trace.finish([Tracer(v, a, trace) for v, a in out_vals])
        out_avals = [a for _, a in out_vals]
        consts = list(trace.captures)
        if consts:
            _wrap_main(mb, trace, closure_avals, consts, in_avals, out_avals)
        else:
            trace.func.attributes["sym_name"] = ir.StringAttr.get("main")
    arg_avals = closure_avals + [c.aval for c in consts] + list(in_avals)
    staged = Staged(mb.module, name, arg_avals, out_avals, out_tree, [c._buf for c in consts],
                    closure_bufs)
    staged.value_dependent = trace.value_dependent
    # read beyond the key: captured arrays met through paths the key does not cover, or
    # objects it cannot see into (see _Retrace)
    staged.retrace = trace.value_dependent or bool(consts) or fkey.opaque
    staged.host_outs = host_outs
    staged.checks = [error for _, error in trace.checks]
    staged.mesh = _annotate_shardings(mb, staged, shardings)
    return staged


def _is_float0(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.names == ("float0",)


def _annotate_shardings(mb: ModuleBuilder, staged: Staged, shardings):
    """For a sharded program: the module's `sdy.mesh`, and `sdy.sharding` on @main's arguments
    and results (requested, or the arguments' own). Returns the mesh, or None."""
    from jax.sharding import NamedSharding

    from plait import sharding as S
    from plait.transforms.irutil import lookup_func

    in_sh, out_prefix = shardings or ((), None)
    bufs = staged.closure_bufs + staged.consts
    given = [b.sharding if _multi(b) else None for b in bufs] + list(in_sh)
    given += [None] * (len(staged.in_avals) - len(given))
    mesh = getattr(mb, "mesh", None)
    for s_ in given:
        if isinstance(s_, NamedSharding):
            mesh = mesh or s_.mesh
    outs = [None] * len(staged.out_avals)
    if out_prefix is not None:
        from jax._src.tree_util import broadcast_prefix

        n_user = len(staged.out_avals) - len(staged.checks)
        outs = broadcast_prefix(out_prefix, pytree.tree_unflatten(
            staged.out_tree, [0] * n_user), is_leaf=lambda x: x is None)
        outs += [None] * len(staged.checks)
        for o in outs:
            if isinstance(o, NamedSharding):
                mesh = mesh or o.mesh
    if mesh is None:
        return None
    with CONTEXT, ir.Location.unknown():
        module = mb.module.operation
        for s_ in given + outs:
            if isinstance(s_, NamedSharding) and s_.mesh != mesh:
                raise PlaitValueError("a plait program uses one mesh; its arguments and "
                                      "results name different meshes")
        main = lookup_func(module, "main")

        def attr(s_, aval, what):
            if s_ is None:
                return ir.DictAttr.get({"sdy.sharding": S.sharding_attr(((),) * aval.ndim)})
            return ir.DictAttr.get({"sdy.sharding": S.sharding_attr(
                S.check_sharding(s_, aval.shape, what))})

        main.attributes["arg_attrs"] = ir.ArrayAttr.get(
            [attr(s_, a, "argument") for s_, a in zip(given, staged.in_avals)])
        if any(o is not None for o in outs):
            main.attributes["res_attrs"] = ir.ArrayAttr.get(
                [attr(o, a, "result") if o is not None else ir.DictAttr.get({})
                 for o, a in zip(outs, staged.out_avals)])
        with ir.InsertionPoint.at_block_begin(module.regions[0].blocks[0]):
            ir.Operation.create("sdy.mesh", attributes={
                "sym_name": ir.StringAttr.get(S.MESH_NAME), "mesh": S.mesh_attr(mesh)})
    return mesh


def _multi(buf) -> bool:
    return len(buf.sharding.device_set) > 1


def _wrap_main(mb: ModuleBuilder, trace: Trace, closure_avals, consts, in_avals, out_avals):
    """`@main(closure, consts, args) { call @f(closure, args, consts) }`: the executable's
    parameters put captured device arrays before the arguments (the C++ path prepends them)."""
    from plait.core import aval as _aval

    trace.func.attributes["sym_visibility"] = ir.StringAttr.get("private")
    nc, nk = len(closure_avals), len(consts)
    types_ = [_aval.ir_type(a) for a in closure_avals + [c.aval for c in consts] + list(in_avals)]
    out_types = [_aval.ir_type(a) for a in out_avals]
    loc = ir.Location.unknown()
    with ir.InsertionPoint(mb.module.body), loc:
        main = ir.Operation.create(
            "func.func", regions=1,
            attributes={"sym_name": ir.StringAttr.get("main"),
                        "function_type": ir.TypeAttr.get(ir.FunctionType.get(types_, out_types))})
        block = main.regions[0].blocks.append(*types_)
        a = list(block.arguments)
        operands = a[:nc] + a[nc + nk:] + a[nc:nc + nk]
        with ir.InsertionPoint(block):
            call = ir.Operation.create(
                "func.call", results=out_types, operands=operands,
                attributes={"callee": ir.FlatSymbolRefAttr.get(trace.name)})
            ir.Operation.create("func.return", operands=list(call.results))


# --- compiled signatures -----------------------------------------------------------------------

class CompiledEntry:
    def __init__(self, staged: Staged, executable: Executable, plait_text: str | None = None):
        self.staged = staged
        self.executable = executable
        self.plait_text = plait_text

    def call_flat(self, closure_bufs, arg_bufs) -> list:
        return self.executable(list(closure_bufs) + self.staged.consts + list(arg_bufs))

    def wrap(self, out_bufs):
        checks = self.staged.checks
        if checks:
            out_bufs, flags = out_bufs[:-len(checks)], out_bufs[-len(checks):]
            for flag, error in zip(flags, checks):
                if np.asarray(flag):
                    raise error
        host = getattr(self.staged, "host_outs", {})
        outs = [Array(b) for b in out_bufs]
        for k in sorted(host):
            outs.insert(k, host[k])
        return pytree.tree_unflatten(self.staged.out_tree, outs)


def compile_staged(staged: Staged) -> CompiledEntry:
    module = staged.module
    pipeline.optimize(module)
    pipeline.lower(module)
    with LOCK, CONTEXT:
        if getattr(staged, "mesh", None) is not None:
            exe = _compile_sharded(staged, module)
        else:
            exe = compile_stablehlo(module, staged.in_avals, staged.out_avals)
    return CompiledEntry(staged, exe)


def _compile_sharded(staged: Staged, module):
    from jax.sharding import NamedSharding

    from plait import sharding as S
    from plait.runtime.executable import compile_sharded
    from plait.transforms.irutil import lookup_func

    main = lookup_func(module.operation, "main")

    def named(key, n):
        return [NamedSharding(staged.mesh, S.dims_to_spec(S.dims_of(
            ir.DictAttr(ir.ArrayAttr(main.attributes[key])[i])["sdy.sharding"])))
            for i in range(n)]

    return compile_sharded(module, staged.mesh, staged.in_avals, staged.out_avals,
                           named("arg_attrs", len(staged.in_avals)),
                           named("res_attrs", len(staged.out_avals)))


_CACHE: OrderedDict = OrderedDict()     # signature -> CompiledEntry or _Retrace
_PROGRAMS: OrderedDict = OrderedDict()  # hash of a traced module (+ avals) -> Executable
_LAST_KEY: OrderedDict = OrderedDict()  # function key -> its last signature (for the log)
_CACHE_SIZE = 4096
stats = {"traces": 0, "compiles": 0}


def _remember(cache: OrderedDict, key, value) -> None:
    cache[key] = value
    cache.move_to_end(key)
    if len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


def _log_enabled() -> bool:
    return os.environ.get("PLAIT_LOG_COMPILES", "") not in ("", "0")


def _explain_miss(fkey, key, arg_names) -> str:
    prev = _LAST_KEY.get(fkey.key)
    if prev is None:
        return "first call"
    reasons = []
    _, p_tree, p_avals, p_static, p_config = prev[:5]
    _, tree, avals, static, config = key[:5]
    if p_tree != tree:
        reasons.append(f"pytree structure changed: {p_tree} -> {tree}")
    elif p_avals != avals:
        for i, (a, b) in enumerate(zip(p_avals, avals)):
            if a != b:
                nm = arg_names[i] if i < len(arg_names) else f"leaf {i}"
                reasons.append(f"{nm}: {a.str_short()} -> {b.str_short()}")
    if p_static != static:
        reasons.append(f"static arguments changed: {p_static} -> {static}")
    if p_config != config:
        reasons.append(f"plait.config changed: {p_config} -> {config}")
    return "; ".join(reasons) or "the function's closure changed"


class _Retrace:
    """Cache marker for a trace that depends on more than its key: Python branched on a traced
    value, or the function read arrays or objects the key does not cover. Each call retraces
    and reuses the program compiled for the same IR; only the `jit` object that traced it
    keeps its program, as `jax.jit` does."""

    __slots__ = ("owner", "entry")

    def __init__(self, owner, entry):
        self.owner = owner and weakref.ref(owner)
        self.entry = entry


def lookup_or_compile(fun, fkey: FunctionKey, in_tree, in_avals, statics, rebuild_args,
                      arg_names=(), transform=(), apply=None, concrete_args=None,
                      shardings=None, owner=None) -> CompiledEntry:
    """The compiled program for a signature; `transform` keys what `apply` traces; `owner`
    is the FunctionKey of a long-lived `jit` object (see _Retrace)."""
    key = (fkey.key + transform, in_tree, tuple(in_avals), statics, dtypes.config.key())
    if shardings is not None:
        key += (shardings,)
    with LOCK:
        entry = _CACHE.get(key)
        if type(entry) is CompiledEntry:
            _CACHE.move_to_end(key)
            return entry
        if entry is not None and owner is not None and entry.owner() is owner:
            return entry.entry
        if entry is None and _log_enabled():
            logger.warning("plait: compiling %s for (%s) because %s",
                           getattr(fun, "__name__", fun),
                           ", ".join(a.str_short() for a in in_avals),
                           _explain_miss(fkey, key, arg_names))
        staged = stage(fun, fkey, in_tree, in_avals, rebuild_args, apply=apply,
                       concrete_args=concrete_args, shardings=shardings and tuple(shardings))
        marker, entry = entry, compile_once(staged)
        if marker is None or (owner is not None and marker.owner is None):
            _remember(_CACHE, key, _Retrace(owner, entry) if staged.retrace or marker else
                      entry)
        _remember(_LAST_KEY, fkey.key, key)
        return entry


def compile_once(staged: Staged) -> CompiledEntry:
    """Compile a traced module, or reuse the program compiled for the same IR, avals and mesh (a
    retrace, or another function tracing to the same program): the entry keeps this trace's
    constants and output structure."""
    with CONTEXT:
        text = str(staged.module)
    pkey = (hashlib.sha256(text.encode()).digest(), tuple(staged.in_avals),
            tuple(staged.out_avals), staged.mesh)  # (the mesh's device order is not in it)
    exe = _PROGRAMS.get(pkey)
    if exe is not None:
        _PROGRAMS.move_to_end(pkey)
        return CompiledEntry(staged, exe)
    entry = compile_staged(staged)
    stats["compiles"] += 1
    _remember(_PROGRAMS, pkey, entry.executable)
    return entry


def clear_caches() -> None:
    _CACHE.clear()
    _PROGRAMS.clear()
    _LAST_KEY.clear()


# --- the jit wrapper ---------------------------------------------------------------------------

class _Signature:
    """Splits a call's arguments into static and dynamic parts per static_argnums/names."""

    def __init__(self, fun, static_argnums, static_argnames):
        static_argnums = _as_tuple(static_argnums)
        static_argnames = _as_tuple(static_argnames)
        try:
            params = list(inspect.signature(fun).parameters.values())
        except (TypeError, ValueError):
            params = None
        positional = [p.name for p in params or () if p.kind in (
            p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        n = len(positional)
        nums = set()
        for i in static_argnums:
            if not isinstance(i, int):
                raise PlaitValueError(f"static_argnums must be ints, got {i!r}")
            if params is not None and not any(p.kind == p.VAR_POSITIONAL for p in params):
                if not -n <= i < n:
                    raise PlaitValueError(f"static_argnums {i} is out of range for "
                                          f"{getattr(fun, '__name__', fun)} with {n} "
                                          "positional parameters")
                i %= n
            nums.add(i)
        names = set(static_argnames)
        self.keywords = None if params is None or any(p.kind == p.VAR_KEYWORD for p in params) \
            else {p.name for p in params if p.kind != p.POSITIONAL_ONLY}
        self.fun_name = getattr(fun, "__name__", "the function")
        for nm in names:
            if self.keywords is not None and nm not in self.keywords:
                raise PlaitValueError(f"static_argnames {nm!r} is not a parameter of "
                                      f"{self.fun_name}{inspect.signature(fun)}")
        for i in list(nums):
            if 0 <= i < n:
                names.add(positional[i])
        for nm in list(names):
            if nm in positional:
                nums.add(positional.index(nm))
        self.static_argnums = tuple(sorted(nums))
        self.static_argnames = tuple(sorted(names))
        self.positional = positional

    def check_keywords(self, kwargs) -> None:
        unknown = [k for k in kwargs if self.keywords is not None and k not in self.keywords]
        if unknown:
            raise PlaitTypeError(f"{self.fun_name}() got an unexpected keyword argument "
                                 f"{unknown[0]!r}")

    def split(self, args, kwargs):
        nums, names = self.static_argnums, self.static_argnames
        if not nums and not names:
            return args, kwargs, ()
        dyn_args = tuple(a for i, a in enumerate(args) if i not in nums)
        static = tuple((i, a) for i, a in enumerate(args) if i in nums)
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in names}
        static_kw = tuple(sorted((k, v) for k, v in kwargs.items() if k in names))
        return dyn_args, dyn_kwargs, static + static_kw

    def rebuilder(self, n_args: int, statics):
        static_pos = {i: a for i, a in statics if isinstance(i, int)}
        static_kw = {k: v for k, v in statics if isinstance(k, str)}

        def rebuild(tree):
            dyn_args, dyn_kwargs = tree
            it = iter(dyn_args)
            args = [static_pos[i] if i in static_pos else next(it) for i in range(n_args)]
            return args, {**dyn_kwargs, **static_kw}
        return rebuild

    def names(self, args, kwargs) -> list[str]:
        out = []
        for i, a in enumerate(args):
            if i in self.static_argnums:
                continue
            nm = self.positional[i] if i < len(self.positional) else f"args[{i}]"
            out += [nm] * len(pytree.tree_leaves(a))
        for k in sorted(kwargs):
            if k not in self.static_argnames:
                out += [k] * len(pytree.tree_leaves(kwargs[k]))
        return out


def _as_tuple(x):
    if x is None:
        return ()
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _check_hashable(statics) -> None:
    for where, v in statics:
        try:
            hash(v)
        except TypeError:
            what = f"argument {where}" if isinstance(where, int) else f"argument '{where}'"
            raise PlaitValueError(
                f"static {what} of type {type(v).__name__} is not hashable; pass a hashable "
                "value (e.g. a tuple instead of a list) or make the argument non-static"
            ) from None


class Jitted:
    """The result of `plait.jit(fun)`: call it, or `.lower(*args)` to inspect its stages."""

    def __init__(self, fun, static_argnums=None, static_argnames=None, in_shardings=None,
                 out_shardings=None):
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.signature = _Signature(fun, static_argnums, static_argnames)
        self.in_shardings, self.out_shardings = in_shardings, out_shardings
        self._fkey = None
        from plait.runtime import fastpath

        self._cpp = fastpath.make(self) if fastpath.AVAILABLE else None

    @property
    def fkey(self) -> FunctionKey:
        if self._fkey is None:
            self._fkey = FunctionKey(self.fun)
        return self._fkey

    def __call__(self, *args, **kwargs):
        return self.call_python(args, kwargs)[0]

    def static_error(self, error: ValueError, args, kwargs):
        """The C++ path's error for an unhashable static argument, as a typed plait error."""
        if "Non-hashable static" in str(error):
            _check_hashable(self.signature.split(args, kwargs)[2])
        raise error

    def call_python(self, args, kwargs):
        """The miss path: returns (outputs, entry or None when inlined into a trace)."""
        if tracing() or _has_tracer((args, kwargs)):
            if current_trace() is None:
                _raise_escaped((args, kwargs))
            return self.fun(*args, **kwargs), None
        self.signature.check_keywords(kwargs)
        dyn_args, dyn_kwargs, statics = self.signature.split(args, kwargs)
        _check_hashable(statics)
        leaves, in_tree = pytree.tree_flatten((dyn_args, dyn_kwargs))
        avals = [leaf_aval(x) for x in leaves]
        rebuild = self.signature.rebuilder(len(args), statics)
        entry = lookup_or_compile(self.fun, self.fkey, in_tree, avals, statics, rebuild,
                                  _LazyNames(self.signature, args, kwargs),
                                  shardings=self._shardings(dyn_args, dyn_kwargs, leaves),
                                  owner=self.fkey)
        closure_bufs = [leaf_buffer(x, leaf_aval(x)) for x in self.fkey.arrays]
        if getattr(entry.staged, "mesh", None) is not None:
            shardings = entry.executable.in_shardings[-len(leaves):] if leaves else []
            bufs = [leaf_buffer_sharded(x, a, s) for x, a, s in zip(leaves, avals, shardings)]
        else:
            bufs = [leaf_buffer(x, a) for x, a in zip(leaves, avals)]
        outs = entry.call_flat(closure_bufs, bufs)
        return entry.wrap(outs), entry

    def _shardings(self, dyn_args, dyn_kwargs, leaves):
        """(sharding per argument leaf, out_shardings) of a sharded call, else None: requested
        in_shardings first, else the arguments' own multi-device shardings."""
        from jax._src.tree_util import broadcast_prefix

        if self.in_shardings is not None:
            try:
                per_leaf = broadcast_prefix(self.in_shardings, (tuple(dyn_args), dyn_kwargs)
                                            if isinstance(self.in_shardings, dict) else
                                            tuple(dyn_args), is_leaf=lambda x: x is None)
            except ValueError as e:
                raise PlaitValueError(f"in_shardings does not match the arguments: {e}") from None
            per_leaf += [None] * (len(leaves) - len(per_leaf))
        else:
            per_leaf = list(arg_shardings(leaves))
        if all(s is None for s in per_leaf) and self.out_shardings is None:
            return None
        out = self.out_shardings
        if out is not None and not isinstance(out, (tuple, list, dict)):
            out_key = out
        else:
            out_key = None if out is None else tuple(pytree.tree_leaves(
                out, is_leaf=lambda x: x is None))
        return _HashableShardings(tuple(per_leaf), out, out_key)

    # stages ------------------------------------------------------------------------------------
    def trace(self, *args, **kwargs) -> Staged:
        dyn_args, dyn_kwargs, statics = self.signature.split(args, kwargs)
        _check_hashable(statics)
        leaves, in_tree = pytree.tree_flatten((dyn_args, dyn_kwargs))
        avals = [leaf_aval(x) for x in leaves]
        shardings = self._shardings(dyn_args, dyn_kwargs, leaves)
        return stage(self.fun, self.fkey, in_tree, avals,
                     self.signature.rebuilder(len(args), statics),
                     shardings=shardings and tuple(shardings))

    def lower(self, *args, **kwargs) -> Lowered:
        return Lowered(self.trace(*args, **kwargs))


class _HashableShardings(tuple):
    """(per-leaf in shardings, out_shardings prefix) as part of a cache key."""

    def __new__(cls, per_leaf, out, out_key):
        self = super().__new__(cls, (per_leaf, out))
        self._key = (per_leaf, out_key)
        return self

    def __hash__(self):
        return hash(self._key)

    def __eq__(self, other):
        return isinstance(other, _HashableShardings) and self._key == other._key


class FastJitted(Jitted):
    """Jitted dispatched by jaxlib's C++ fast path (a miss or a tracer runs call_python)."""

    def __call__(self, *args, **kwargs):
        try:
            return self._cpp(*args, **kwargs)
        except ValueError as e:
            self.static_error(e, args, kwargs)


class _LazyNames:
    """Argument names for compile logs, computed only when a log line is written."""

    def __init__(self, sig, args, kwargs):
        self._sig, self._args, self._kwargs = sig, args, kwargs

    def __getitem__(self, i):
        return self._sig.names(self._args, self._kwargs)[i]

    def __len__(self):
        return len(self._sig.names(self._args, self._kwargs))


def _has_tracer(tree) -> bool:
    return any(type(x) is Tracer for x in pytree.tree_leaves(tree))


def _raise_escaped(tree):
    raise EscapedTracerError(
        "a traced value was passed to a jitted function after the trace that made it ended "
        "(an escaped tracer). Return values from traced functions instead of storing them.")


class Lowered:
    """A traced and lowered signature; `.as_text(stage)` shows "traced" (as traced), "plait"
    (transformations expanded and cleaned up) or "stablehlo"."""

    def __init__(self, staged: Staged):
        self.staged = staged
        with LOCK, CONTEXT:
            module = staged.module
            self._modules = {"traced": module.operation.clone()}
            pipeline.optimize(module)
            self._modules["plait"] = module.operation.clone()
            pipeline.lower(module)
            self._modules["stablehlo"] = module.operation
        self._lowered_module = module

    def as_text(self, stage: str = "stablehlo", debug_info: bool = False) -> str:
        if stage not in self._modules:
            raise PlaitValueError(f"unknown stage '{stage}'; use one of {list(self._modules)}")
        with CONTEXT:
            return self._modules[stage].get_asm(enable_debug_info=debug_info)

    def compile(self) -> Compiled:
        with LOCK, CONTEXT:
            if getattr(self.staged, "mesh", None) is not None:
                exe = _compile_sharded(self.staged, self._lowered_module)
            else:
                exe = compile_stablehlo(self._lowered_module, self.staged.in_avals,
                                        self.staged.out_avals)
        return Compiled(CompiledEntry(self.staged, exe))


class Compiled:
    """A compiled signature; call it with arguments of the lowered avals."""

    def __init__(self, entry: CompiledEntry):
        self.entry = entry

    def __call__(self, *args, **kwargs):
        staged = self.entry.staged
        leaves = pytree.tree_leaves((args, kwargs))
        avals = [leaf_aval(x) for x in leaves]
        expected = staged.in_avals[len(staged.closure_bufs) + len(staged.consts):]
        if [a.strip_weak() for a in avals] != [a.strip_weak() for a in expected]:
            raise PlaitTypeError("compiled for argument types ("
                                 + ", ".join(a.str_short() for a in expected) + "), got ("
                                 + ", ".join(a.str_short() for a in avals) + ")")
        outs = self.entry.call_flat(staged.closure_bufs,
                                    [leaf_buffer(x, a) for x, a in zip(leaves, expected)])
        return self.entry.wrap(outs)

    def as_text(self) -> str:
        return self.entry.executable.hlo_text()

    def memory_analysis(self):
        return self.entry.executable.memory_stats()


def jit(fun=None, *, static_argnums=None, static_argnames=None, in_shardings=None,
        out_shardings=None):
    """Compile `fun` with plait (usable as `@jit` or `@jit(static_argnums=...)`).

    `in_shardings` / `out_shardings` (NamedShardings, or pytree prefixes of them) partition
    the program over a mesh; arguments already sharded over a mesh are taken as they are."""
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames, in_shardings=in_shardings,
                                 out_shardings=out_shardings)
    if not callable(fun):
        raise PlaitTypeError(f"jit expects a callable, got {type(fun).__name__}")
    return new_jitted(fun, static_argnums, static_argnames, in_shardings, out_shardings)


def new_jitted(fun, static_argnums=None, static_argnames=None, in_shardings=None,
               out_shardings=None) -> Jitted:
    j = Jitted(fun, static_argnums, static_argnames, in_shardings, out_shardings)
    if j._cpp is not None:
        j.__class__ = FastJitted
    return j


def make_mlir(fun, **jit_kwargs):
    """`make_mlir(f)(*args)` returns the traced plait module of `f` as text."""
    j = fun if isinstance(fun, Jitted) else Jitted(fun, **jit_kwargs)

    def traced_text(*args, **kwargs):
        staged = j.trace(*args, **kwargs)
        with CONTEXT:
            return str(staged.module)
    return traced_text
