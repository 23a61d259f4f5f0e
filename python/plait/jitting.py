"""`plait.jit`: trace once per signature, compile through the pipeline, dispatch fast.

A call's signature is (function, pytree structure, avals incl. weak types, static args).
"Function" is its code object plus what it reads from its closure and globals: arrays by aval
(they become implicit inputs), hashable values by value, anything else by identity — so a fresh
lambda per loop step reuses the compiled program, and a rebound global is never read stale.
Calls go through jaxlib's C++ dispatch path (`runtime.fastpath`) when it is available; the
Python path below is the fallback and the cache-miss handler.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import types
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


# --- the function part of the key: code + closure ----------------------------------------------

class _Identity:
    """Keys an unhashable object by identity, holding it so its id is not reused."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, _Identity) and other.obj is self.obj


def _is_array_leaf(x) -> bool:
    return isinstance(x, (Array, np.ndarray)) or _is_jax_array(x)


def _value_key(v):
    try:
        hash(v)
        return v
    except TypeError:
        return _Identity(v)


def _global_names(code) -> set:
    """Names a code object (and the functions and comprehensions nested in it) may read as
    globals (a superset: attribute names are listed too)."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _referenced_globals(fun) -> list:
    """(name, value) of each global `fun`'s code reads, in a stable order (none for plait's own
    functions: their globals are plait's internals, never user data)."""
    g = fun.__globals__
    if g.get("__name__", "").startswith("plait."):
        return []
    return [(n, g[n]) for n in sorted(_global_names(fun.__code__)) if n in g]


_MAX_GLOBAL_LEAVES = 256  # a larger global container is keyed by identity, not walked per call


def _flatten(value, max_leaves=None):
    """(leaves, tree) of a value read by a traced function; a container that cannot be
    flattened (unsortable dict keys) or has more than max_leaves leaves is one opaque leaf."""
    try:
        leaves, tree = pytree.tree_flatten(value)
    except (TypeError, ValueError):
        leaves = None
    if leaves is None or (max_leaves is not None and len(leaves) > max_leaves):
        return pytree.tree_flatten(_Identity(value))
    return leaves, tree


def _is_local_function(v, fun) -> bool:
    """A Python function of `fun`'s own module (those of other modules are keyed by identity)."""
    return isinstance(v, types.FunctionType) and v.__globals__ is fun.__globals__


def _dependency_key(fun, seen: set):
    """Identity of a function of the same module that the traced one calls, plus what it reads
    (arrays by identity): a fresh lambda calling it must retrace when any of that was rebound."""
    if id(fun) in seen:
        return _Identity(fun)
    seen.add(id(fun))
    reads = [v for _, v in _referenced_globals(fun)]
    reads += [c.cell_contents for c in fun.__closure__ or () if _filled(c)]
    return _Identity(fun), tuple(_dependency_key(v, seen) if _is_local_function(v, fun) else
                                 _identity_leaves(v) for v in reads)


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 (raises on an empty cell: a name assigned later)
    except ValueError:
        return False
    return True


def _identity_leaves(value):
    leaves, tree = _flatten(value, _MAX_GLOBAL_LEAVES)
    return tree, tuple(_Identity(x) if _is_array_leaf(x) else _value_key(x) for x in leaves)


class _Slot:
    """One value the function reads (a closure cell or a global), with its array leaves."""

    __slots__ = ("tree", "leaves", "arrays")

    def __init__(self, value, max_leaves=None):
        self.leaves, self.tree = _flatten(value, max_leaves)
        self.arrays = [i for i, x in enumerate(self.leaves) if _is_array_leaf(x)]

    def key(self):
        return self.tree, tuple(leaf_aval(x) if _is_array_leaf(x) else _value_key(x)
                                for x in self.leaves)

    def rebuild(self, it):
        leaves = list(self.leaves)
        for i in self.arrays:
            leaves[i] = next(it)
        return pytree.tree_unflatten(self.tree, leaves)


class FunctionKey:
    """A function's code and what it reads (closure cells and globals), with their array leaves
    pulled out as implicit inputs; global functions it calls are keyed by what they read."""

    def __init__(self, fun):
        self.fun = fun
        self.arrays: list = []
        # A bound method is its function plus the object it is bound to.
        self.bound = fun.__self__ if isinstance(fun, types.MethodType) else None
        fun = fun.__func__ if self.bound is not None else fun
        code = getattr(fun, "__code__", None)
        if code is None:
            self.key = (_value_key(fun),)
            return
        self._cells = [_Slot(c.cell_contents) if _filled(c) else None
                       for c in fun.__closure__ or ()]
        self._globals = []
        deps, seen = [], {id(fun)}
        for name, value in _referenced_globals(fun):
            if _is_local_function(value, fun):
                deps.append(_dependency_key(value, seen))
            else:
                self._globals.append((name, _Slot(value, _MAX_GLOBAL_LEAVES)))
        for slot in self._cells + [slot for _, slot in self._globals]:
            if slot is not None:
                self.arrays.extend(slot.leaves[i] for i in slot.arrays)
        self.key = (code, _value_key(fun.__defaults__), _Identity(fun.__globals__),
                    tuple(None if c is None else c.key() for c in self._cells),
                    tuple((n, slot.key()) for n, slot in self._globals), tuple(deps),
                    _value_key(self.bound))

    def with_closure_tracers(self, tracers: Sequence):
        """The function reading `tracers` (in order) in place of its arrays."""
        if not self.arrays:
            return self.fun
        it = iter(tracers)
        f = self.fun.__func__ if self.bound is not None else self.fun
        cells = tuple(cell if slot is None or not slot.arrays else
                      types.CellType(slot.rebuild(it))
                      for cell, slot in zip(f.__closure__ or (), self._cells))
        lifted = {n: slot.rebuild(it) for n, slot in self._globals if slot.arrays}
        g = types.FunctionType(f.__code__, {**f.__globals__, **lifted} if lifted else
                               f.__globals__, f.__name__, f.__defaults__, cells or None)
        g.__kwdefaults__ = f.__kwdefaults__
        return g if self.bound is None else types.MethodType(g, self.bound)


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


def stage(fun, fkey: FunctionKey, in_tree, in_avals: Sequence[ShapedArray],
          rebuild_args, name: str | None = None, apply=None, concrete_args=None,
          shardings=None) -> Staged:
    """Trace `fun` on abstract arguments into a fresh module; `apply(f, args, kwargs)`
    (default: call f) is what is traced, e.g. a transformation of f. With `concrete_args`
    (device buffers of closure arrays then arguments) Python may branch on traced values."""
    name = name or getattr(fun, "__name__", "fn")
    closure_avals = [leaf_aval(a) for a in fkey.arrays]
    with LOCK, CONTEXT:
        mb = ModuleBuilder()
        trace = Trace(mb, name, closure_avals + list(in_avals), private=False,
                      concrete_args=concrete_args)
        with trace:
            nc = len(closure_avals)
            f = fkey.with_closure_tracers(trace.args[:nc])
            args, kwargs = rebuild_args(pytree.tree_unflatten(in_tree, trace.args[nc:]))
            out = apply(f, args, kwargs) if apply else f(*args, **kwargs)
            out_flat, out_tree = pytree.tree_flatten(out)
            # float0 outputs (gradients of integer inputs) hold no data: not program outputs
            host_outs = {k: o for k, o in enumerate(out_flat) if _is_float0(o)}
            out_vals = [trace.to_value(o) for k, o in enumerate(out_flat) if k not in host_outs]
            trace.finish([Tracer(v, a, trace) for v, a in out_vals])
        out_avals = [a for _, a in out_vals]
        consts = list(trace.captures)
        if consts:
            _wrap_main(mb, trace, closure_avals, consts, in_avals, out_avals)
        else:
            trace.func.attributes["sym_name"] = ir.StringAttr.get("main")
    arg_avals = closure_avals + [c.aval for c in consts] + list(in_avals)
    closure_bufs = [leaf_buffer(a, av) for a, av in zip(fkey.arrays, closure_avals)]
    staged = Staged(mb.module, name, arg_avals, out_avals, out_tree, [c._buf for c in consts],
                    closure_bufs)
    staged.value_dependent = trace.value_dependent
    staged.host_outs = host_outs
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

        outs = broadcast_prefix(out_prefix, pytree.tree_unflatten(
            staged.out_tree, [0] * len(staged.out_avals)), is_leaf=lambda x: x is None)
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


_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 4096
_LAST_KEY: dict = {}
stats = {"traces": 0, "compiles": 0}


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


def lookup_or_compile(fun, fkey: FunctionKey, in_tree, in_avals, statics, rebuild_args,
                      arg_names=(), transform=(), apply=None, concrete_args=None,
                      shardings=None) -> CompiledEntry:
    """The compiled program for a signature; `transform` keys what `apply` traces.

    A function found to branch on traced values (possible only with `concrete_args`) is
    retraced on every call and its programs are cached per traced IR (per path taken)."""
    key = (fkey.key + transform, in_tree, tuple(in_avals), statics, dtypes.config.key())
    if shardings is not None:
        key += (shardings,)
    with LOCK:
        entry = _CACHE.get(key)
        if entry is not None and entry is not _VALUE_DEPENDENT:
            _CACHE.move_to_end(key)
            return entry
        if entry is _VALUE_DEPENDENT:
            staged = stage(fun, fkey, in_tree, in_avals, rebuild_args, apply=apply,
                           concrete_args=concrete_args, shardings=shardings)
            return _by_path(key, staged)
        if _log_enabled():
            logger.warning("plait: compiling %s for (%s) because %s",
                           getattr(fun, "__name__", fun),
                           ", ".join(a.str_short() for a in in_avals),
                           _explain_miss(fkey, key, arg_names))
        staged = stage(fun, fkey, in_tree, in_avals, rebuild_args, apply=apply,
                       concrete_args=concrete_args, shardings=shardings and tuple(shardings))
        stats["traces"] += 1
        if staged.value_dependent:
            _CACHE[key] = _VALUE_DEPENDENT
            return _by_path(key, staged)
        entry = compile_staged(staged)
        stats["compiles"] += 1
        _CACHE[key] = entry
        _LAST_KEY[fkey.key] = key
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return entry


_VALUE_DEPENDENT = object()  # cache marker: retrace each call, then look up by path


def _by_path(key, staged: Staged) -> CompiledEntry:
    with CONTEXT:
        path_key = (key, str(staged.module))
    entry = _CACHE.get(path_key)
    if entry is None:
        entry = _CACHE[path_key] = compile_staged(staged)
        stats["compiles"] += 1
    else:  # the cached entry's consts and output structure match this trace's
        entry = CompiledEntry(staged, entry.executable)
    return entry


def clear_caches() -> None:
    _CACHE.clear()
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
        for i in list(nums):
            if 0 <= i < n:
                names.add(positional[i])
        for nm in list(names):
            if nm in positional:
                nums.add(positional.index(nm))
        self.static_argnums = tuple(sorted(nums))
        self.static_argnames = tuple(sorted(names))
        self.positional = positional

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
        dyn_args, dyn_kwargs, statics = self.signature.split(args, kwargs)
        _check_hashable(statics)
        leaves, in_tree = pytree.tree_flatten((dyn_args, dyn_kwargs))
        avals = [leaf_aval(x) for x in leaves]
        rebuild = self.signature.rebuilder(len(args), statics)
        entry = lookup_or_compile(self.fun, self.fkey, in_tree, avals, statics, rebuild,
                                  _LazyNames(self.signature, args, kwargs),
                                  shardings=self._shardings(dyn_args, dyn_kwargs, leaves))
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
