"""The function part of a compiled program's key: everything the function reads."""

from __future__ import annotations

import contextlib
import functools
import sys
import types
from collections.abc import Sequence

import numpy as np

from plait.core import dtypes, pytree
from plait.runtime.array import Array
from plait.runtime.device import is_jax_array
from plait.staging.leaves import leaf_aval


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


def value_key(v):
    if type(v) in _SCALARS or isinstance(v, np.generic):
        return _scalar_key(v)
    if isinstance(v, np.ndarray) and v.dtype.names == ("float0",):  # zeros of no data
        return "float0", v.shape
    try:
        hash(v)
        return v
    except TypeError:
        return _Identity(v)


# Callable wrappers whose `fun` is what runs when they are called inside a trace (jit adds its
# own: this layer cannot import it).
INLINED_WRAPPERS: tuple = ()


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
        if t is Array or is_jax_array(v) or isinstance(v, np.ndarray):
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
        if isinstance(v, INLINED_WRAPPERS):  # a jitted function is inlined into a trace:
            return self.value(v.fun, names, depth)  # what it reads is its function's
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

