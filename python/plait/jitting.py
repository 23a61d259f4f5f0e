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

import functools
import inspect

from jax._src.tree_util import broadcast_prefix
from jax.sharding import NamedSharding, PartitionSpec

from plait import pipeline
from plait._mlir import scope
from plait.core import pytree
from plait.core.aval import ShapeDtypeStruct
from plait.core.errors import EscapedTracerError, PlaitTypeError, PlaitValueError
from plait.runtime import callbacks as _callbacks
from plait.runtime import fastpath
from plait.runtime.array import Array
from plait.runtime.device import check_live, is_jax_array
from plait.runtime.executable import compile_stablehlo, cost_analysis
from plait.staging import keys
from plait.staging import trace as _trace
from plait.staging.cache import (  # noqa: F401  (clear_caches: re-exported)
    CompiledEntry,
    alias_donated,
    clear_caches,
    compile_sharded_staged,
    lookup_or_compile,
)
from plait.staging.eager import HashableShardings
from plait.staging.keys import FunctionKey
from plait.staging.leaves import arg_shardings, leaf_aval, leaf_buffer, leaf_buffer_sharded
from plait.staging.stage import Staged, stage, stats  # noqa: F401  (stats: re-exported)
from plait.staging.trace import Tracer, current_trace, tracing


class _Signature:
    """Splits a call's arguments into static and dynamic parts per static_argnums/names."""

    def __init__(self, fun, static_argnums, static_argnames, donate_argnums=None,
                 donate_argnames=None):
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
        self.donate_argnums, self.donate_argnames = self._donated(
            _as_tuple(donate_argnums), _as_tuple(donate_argnames), params)

    def _donated(self, nums, names, params) -> tuple[frozenset, frozenset]:
        """The positions and names of donated arguments (each implies the other)."""
        positional, n = self.positional, len(self.positional)
        fixed = params is not None and not any(p.kind == p.VAR_POSITIONAL for p in params)
        out_nums, out_names = set(), set(names)
        for i in nums:
            if not isinstance(i, int) or (fixed and not -n <= i < n):
                raise PlaitValueError(f"donate_argnums {i!r} is not a positional parameter "
                                      f"index of {self.fun_name}")
            out_nums.add(i % n if fixed else i)
        for nm in out_names:
            if self.keywords is not None and nm not in self.keywords:
                raise PlaitValueError(f"donate_argnames {nm!r} is not a parameter of "
                                      f"{self.fun_name}")
        out_names |= {positional[i] for i in out_nums if 0 <= i < n}
        out_nums |= {positional.index(nm) for nm in out_names if nm in positional}
        both = (out_nums & set(self.static_argnums)) | (out_names & set(self.static_argnames))
        if both:
            raise PlaitValueError(f"argument {sorted(map(str, both))[0]} of {self.fun_name} "
                                  "is both static and donated")
        return frozenset(out_nums), frozenset(out_names)

    def donated(self, args, kwargs) -> tuple[bool, ...] | None:
        """Per dynamic leaf (in flattening order), whether its buffer is donated."""
        if not self.donate_argnums and not self.donate_argnames:
            return None
        flags = []
        for i, a in enumerate(args):
            if i not in self.static_argnums:
                flags += [i in self.donate_argnums] * len(pytree.tree_leaves(a))
        for k in sorted(kwargs):
            if k not in self.static_argnames:
                flags += [k in self.donate_argnames] * len(pytree.tree_leaves(kwargs[k]))
        return tuple(flags) if any(flags) else None

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
                 out_shardings=None, donate_argnums=None, donate_argnames=None):
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.signature = _Signature(fun, static_argnums, static_argnames, donate_argnums,
                                    donate_argnames)
        self.in_shardings, self.out_shardings = in_shardings, out_shardings
        self._fkey = None
        self._closure_bufs = None
        self._cpp = fastpath.make(self) if fastpath.AVAILABLE else None

    @property
    def fkey(self) -> FunctionKey:
        if self._fkey is None:
            self._fkey = FunctionKey(self.fun)
        return self._fkey

    def __call__(self, *args, **kwargs):
        return self.call_python(args, kwargs)[0]

    def dispatch_error(self, error: Exception, args, kwargs):
        """The C++ path's errors for a host callback that raised, an unhashable static
        argument or a deleted (donated) array, as typed plait errors."""
        _callbacks.raise_pending()
        if "Non-hashable static" in str(error):
            _check_hashable(self.signature.split(args, kwargs)[2])
        dyn_args, dyn_kwargs, _ = self.signature.split(args, kwargs)
        leaves = pytree.tree_leaves((dyn_args, dyn_kwargs))
        check_live([b for b in (_buffer_of(x) for x in leaves) if b is not None], "argument")
        check_live(self.closure_buffers(), "closure array")
        donated = self.signature.donated(args, kwargs)
        if donated:
            _check_donations(leaves, donated)
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
        donated = self.signature.donated(args, kwargs)
        if donated:
            _check_donations(leaves, donated)
        entry = lookup_or_compile(self.fun, self.fkey, in_tree, avals, statics, rebuild,
                                  _LazyNames(self.signature, args, kwargs),
                                  shardings=self._shardings(dyn_args, dyn_kwargs, leaves),
                                  owner=self.fkey, donated=donated)
        closure_bufs = self.closure_buffers()
        if getattr(entry.staged, "mesh", None) is not None:
            shardings = entry.executable.in_shardings[-len(leaves):] if leaves else []
            bufs = [leaf_buffer_sharded(x, a, s) for x, a, s in zip(leaves, avals, shardings)]
        else:
            bufs = [leaf_buffer(x, a) for x, a in zip(leaves, avals)]
        outs = entry.call_flat(closure_bufs, bufs)
        return entry.wrap(outs), entry

    def closure_buffers(self) -> list:
        """Device buffers of the arrays the function reads (its implicit first inputs), taken
        on the first call: a NumPy array the function reads is copied then, and mutating it
        later changes nothing (as jax.jit, which bakes it in when it traces). Both dispatch
        paths pass these."""
        if self._closure_bufs is None:
            self._closure_bufs = [leaf_buffer(x, leaf_aval(x)) for x in self.fkey.arrays]
        return self._closure_bufs

    def _shardings(self, dyn_args, dyn_kwargs, leaves):
        """(sharding per argument leaf, out_shardings) of a sharded call, else None: requested
        in_shardings first, else the arguments' own multi-device shardings."""
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
        return HashableShardings(tuple(per_leaf), out, out_key)

    # stages ------------------------------------------------------------------------------------
    def trace(self, *args, **kwargs) -> Traced:
        """Trace for these arguments (arrays or ShapeDtypeStructs), compiling nothing."""
        return Traced(self._stage(*args, **kwargs))

    def _stage(self, *args, **kwargs) -> Staged:
        dyn_args, dyn_kwargs, statics = self.signature.split(args, kwargs)
        _check_hashable(statics)
        leaves, in_tree = pytree.tree_flatten((dyn_args, dyn_kwargs))
        avals = [leaf_aval(x) for x in leaves]
        shardings = self._shardings(dyn_args, dyn_kwargs, leaves)
        staged = stage(self.fun, self.fkey, in_tree, avals,
                       self.signature.rebuilder(len(args), statics),
                       shardings=shardings and tuple(shardings))
        staged.donated = self.signature.donated(args, kwargs)
        return staged

    def lower(self, *args, **kwargs) -> Lowered:
        return self.trace(*args, **kwargs).lower()


class FastJitted(Jitted):
    """Jitted dispatched by jaxlib's C++ fast path (a miss or a tracer runs call_python)."""

    def __call__(self, *args, **kwargs):
        try:
            return self._cpp(*args, **kwargs)
        except (ValueError, RuntimeError) as e:  # (no cost on the hit path)
            self.dispatch_error(e, args, kwargs)


class _LazyNames:
    """Argument names for compile logs, computed only when a log line is written."""

    def __init__(self, sig, args, kwargs):
        self._sig, self._args, self._kwargs = sig, args, kwargs

    def __getitem__(self, i):
        return self._sig.names(self._args, self._kwargs)[i]

    def __len__(self):
        return len(self._sig.names(self._args, self._kwargs))


def _check_donations(leaves, donated) -> None:
    """A donated buffer passed twice would be read after PJRT gave it to a result."""
    seen = {}
    for x, d in zip(leaves, donated):
        buf = _buffer_of(x)
        if buf is not None:
            seen.setdefault(id(buf), []).append(d)
    if any(len(ds) > 1 and any(ds) for ds in seen.values()):
        raise PlaitValueError("an array is passed twice and donated: a donated argument's "
                              "buffer cannot also be another argument")


def _buffer_of(x):
    return x._buf if type(x) is Array else x if is_jax_array(x) else None


def _has_tracer(tree) -> bool:
    return any(type(x) is Tracer for x in pytree.tree_leaves(tree))


def _raise_escaped(tree):
    raise EscapedTracerError(
        "a traced value was passed to a jitted function after the trace that made it ended "
        "(an escaped tracer). Return values from traced functions instead of storing them.")


class Traced:
    """A traced signature (jax's `jit(f).trace(...)`): `.out_info` (ShapeDtypeStructs),
    `.as_text()` (the plait module as traced), `.lower()`."""

    def __init__(self, staged: Staged):
        self.staged = staged
        self._lowered = None

    @property
    def out_info(self):
        return pytree.tree_unflatten(self.staged.out_tree, [
            ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
            for a in self.staged.out_avals])

    def as_text(self, debug_info: bool = False) -> str:
        if self._lowered is not None:  # lowering rewrote the module; it kept the traced one
            return self._lowered.as_text("traced", debug_info)
        with scope():
            return self.staged.module.operation.get_asm(enable_debug_info=debug_info)

    def lower(self) -> Lowered:
        if self._lowered is None:
            self._lowered = Lowered(self.staged)
        return self._lowered


class Lowered:
    """A traced and lowered signature; `.as_text(stage)` shows "traced" (as traced), "plait"
    (transformations expanded and cleaned up) or "stablehlo"."""

    def __init__(self, staged: Staged):
        self.staged = staged
        with scope():
            module = staged.module
            self._modules = {"traced": module.operation.clone()}
            pipeline.optimize(module)
            self._modules["plait"] = module.operation.clone()
            pipeline.lower(module)
            alias_donated(module, staged)
            self._modules["stablehlo"] = module.operation
        self._lowered_module = module

    def as_text(self, stage: str = "stablehlo", debug_info: bool = False) -> str:
        if stage not in self._modules:
            raise PlaitValueError(f"unknown stage '{stage}'; use one of {list(self._modules)}")
        with scope():
            return self._modules[stage].get_asm(enable_debug_info=debug_info)

    def cost_analysis(self) -> dict:
        """XLA's estimate (flops, bytes accessed, ...) of the program before optimisation;
        `.compile().cost_analysis()` gives it after."""
        if getattr(self.staged, "mesh", None) is not None:
            raise NotImplementedError("cost_analysis of a program partitioned over a mesh: use "
                                      ".compile().cost_analysis()")
        with scope():
            return cost_analysis(self._lowered_module)

    def compile(self) -> Compiled:
        with scope():
            if getattr(self.staged, "mesh", None) is not None:
                exe = compile_sharded_staged(self.staged, self._lowered_module)
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

    def cost_analysis(self) -> dict:
        return self.entry.executable.cost_analysis()


def jit(fun=None, *, static_argnums=None, static_argnames=None, in_shardings=None,
        out_shardings=None, donate_argnums=None, donate_argnames=None):
    """Compile `fun` with plait (usable as `@jit` or `@jit(static_argnums=...)`).

    `in_shardings` / `out_shardings` (NamedShardings, or pytree prefixes of them) partition
    the program over a mesh; arguments already sharded over a mesh are taken as they are.
    `donate_argnums` / `donate_argnames`: arguments whose buffers a result of the same shape
    and dtype may reuse (PJRT input/output aliasing); a donated array is deleted by the call."""
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames, in_shardings=in_shardings,
                                 out_shardings=out_shardings, donate_argnums=donate_argnums,
                                 donate_argnames=donate_argnames)
    if not callable(fun):
        raise PlaitTypeError(f"jit expects a callable, got {type(fun).__name__}")
    _check_shardings(in_shardings, "in_shardings")
    _check_shardings(out_shardings, "out_shardings")
    return new_jitted(fun, static_argnums, static_argnames, in_shardings, out_shardings,
                      donate_argnums, donate_argnames)


def eval_shape(fun, *args, **kwargs):
    """The shapes and dtypes of `fun(*args, **kwargs)`, a pytree of ShapeDtypeStructs: `fun`
    is traced, never compiled or run; arguments may be arrays or ShapeDtypeStructs."""
    if not callable(fun):
        raise PlaitTypeError(f"eval_shape expects a callable, got {type(fun).__name__}")
    return Jitted(fun).trace(*args, **kwargs).out_info


def _check_shardings(tree, what: str) -> None:
    """Each leaf is None or a NamedSharding: a bare PartitionSpec names no mesh (jax takes one
    from a mesh context, which plait has not)."""
    for s in pytree.tree_leaves(tree, is_leaf=lambda x: x is None):
        if s is not None and not isinstance(s, NamedSharding):
            hint = (": a PartitionSpec needs its mesh, NamedSharding(mesh, spec)"
                    if isinstance(s, PartitionSpec) else "")
            raise PlaitTypeError(f"{what} takes NamedShardings (or None), got "
                                 f"{type(s).__name__} {s}{hint}")


def new_jitted(fun, static_argnums=None, static_argnames=None, in_shardings=None,
               out_shardings=None, donate_argnums=None, donate_argnames=None) -> Jitted:
    j = Jitted(fun, static_argnums, static_argnames, in_shardings, out_shardings,
               donate_argnums, donate_argnames)
    if j._cpp is not None:
        j.__class__ = FastJitted
    return j


def make_mlir(fun, **jit_kwargs):
    """`make_mlir(f)(*args)` returns the traced plait module of `f` as text."""
    j = fun if isinstance(fun, Jitted) else Jitted(fun, **jit_kwargs)

    def traced_text(*args, **kwargs):
        return j.trace(*args, **kwargs).as_text()
    return traced_text


# --- ops applied outside any trace: one-op programs -------------------------------------------

@functools.lru_cache(maxsize=4096)
def _one_op(op, frozen_params):
    params = dict(frozen_params)

    def run(*args):
        return _trace.bind(op, *args, **params)

    run.__name__ = op.short_name
    return new_jitted(run)


def apply_op(op, args, params):
    """Run one op eagerly: a cached jit of that op per (op, parameters)."""
    return _one_op(op, tuple(sorted(params.items())))(*args)


_trace.set_eager_apply(apply_op)
keys.INLINED_WRAPPERS += (Jitted,)
