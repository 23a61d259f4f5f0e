"""Compiled programs: compiling a staged module, and the cache of compiled signatures."""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
import weakref
from collections import OrderedDict

import numpy as np
from jax.sharding import NamedSharding

from plait import pipeline
from plait._mlir import LOCK, ir, scope
from plait.core import dtypes, pytree
from plait.ir.funcs import lookup_func
from plait.ir.sharding import dims_of, dims_to_spec
from plait.runtime import fastpath
from plait.runtime.array import Array
from plait.runtime.device import default_platform
from plait.runtime.executable import Executable, compile_sharded, compile_stablehlo
from plait.staging import nans
from plait.staging.keys import FunctionKey
from plait.staging.stage import Staged, stage, stats

logger = logging.getLogger("plait")
class CompiledEntry:
    def __init__(self, staged: Staged, executable: Executable, plait_text: str | None = None):
        self.staged = staged
        self.executable = executable
        self.plait_text = plait_text

    def call_flat(self, closure_bufs, arg_bufs) -> list:
        ins = list(closure_bufs) + self.staged.consts + list(arg_bufs)
        outs = self.executable(ins)
        if nans.enabled():
            nans.check(self.staged, ins, outs)
        return outs

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
    with scope():
        pipeline.optimize(module)
        pipeline.lower(module, default_platform())
        alias_donated(module, staged)
        if getattr(staged, "mesh", None) is not None:
            exe = compile_sharded_staged(staged, module)
        else:
            exe = compile_stablehlo(module, staged.in_avals, staged.out_avals)
    return CompiledEntry(staged, exe)


def alias_donated(module, staged: Staged) -> None:
    """Mark each donated argument of the lowered @main with the result that may reuse its
    buffer (`tf.aliasing_output`, as jax does): the first unclaimed one of the same type and
    sharding. A donation no result can use is dropped with jax's warning."""
    donated = staged.donated
    if not donated:
        return
    main = lookup_func(module.operation, "main")
    fn_type = ir.FunctionType(ir.TypeAttr(main.attributes["function_type"]).value)
    arg_attrs = _attr_dicts(main, "arg_attrs", len(fn_type.inputs))
    res_attrs = _attr_dicts(main, "res_attrs", len(fn_type.results))
    first = len(fn_type.inputs) - len(donated)
    claimed, unusable = set(), []
    for k, d in enumerate(donated):
        if not d:
            continue
        i = first + k
        j = next((j for j, t in enumerate(fn_type.results) if j not in claimed
                  and t == fn_type.inputs[i]
                  and str(res_attrs[j].get("sdy.sharding")) == str(arg_attrs[i].get(
                      "sdy.sharding"))), None)
        if j is None:
            unusable.append(staged.in_avals[i].str_short())
            continue
        claimed.add(j)
        arg_attrs[i]["tf.aliasing_output"] = ir.IntegerAttr.get(
            ir.IntegerType.get_signless(32), j)
    main.attributes["arg_attrs"] = ir.ArrayAttr.get([ir.DictAttr.get(a) for a in arg_attrs])
    if unusable:
        warnings.warn(f"Some donated buffers were not usable: {', '.join(unusable)}",
                      stacklevel=2)


def _attr_dicts(func, key: str, n: int) -> list[dict]:
    if key not in func.attributes:
        return [{} for _ in range(n)]
    out = []
    for d in ir.ArrayAttr(func.attributes[key]):
        d = ir.DictAttr(d)
        out.append({d[i].name: d[i].attr for i in range(len(d))})
    return out


def compile_sharded_staged(staged: Staged, module):

    main = lookup_func(module.operation, "main")

    def named(key, n):
        return [NamedSharding(staged.mesh, dims_to_spec(dims_of(
            ir.DictAttr(ir.ArrayAttr(main.attributes[key])[i])["sdy.sharding"])))
            for i in range(n)]

    return compile_sharded(module, staged.mesh, staged.in_avals, staged.out_avals,
                           named("arg_attrs", len(staged.in_avals)),
                           named("res_attrs", len(staged.out_avals)))


_CACHE: OrderedDict = OrderedDict()     # signature -> CompiledEntry or _Retrace
_PROGRAMS: OrderedDict = OrderedDict()  # hash of a traced module (+ avals) -> Executable
_LAST_KEY: OrderedDict = OrderedDict()  # function key -> its last signature (for the log)
# Signatures and programs kept, least recently used dropped first (PLAIT_COMPILE_CACHE_SIZE,
# default 1,024): a compiled program holds 0.2-0.3 MB, so ~300 MB at most.
_CACHE_SIZE = fastpath.CACHE_SIZE


def remember(cache: OrderedDict, key, value) -> None:
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
                      shardings=None, owner=None, donated=None) -> CompiledEntry:
    """The compiled program for a signature; `transform` keys what `apply` traces; `owner`
    is the FunctionKey of a long-lived `jit` object (see _Retrace)."""
    key = (fkey.key + transform, in_tree, tuple(in_avals), statics, dtypes.config.key())
    if shardings is not None:
        key += (shardings,)
    if donated:
        key += (("donated", donated),)
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
        staged.donated = donated
        marker, entry = entry, compile_once(staged)
        if marker is None or (owner is not None and marker.owner is None):
            remember(_CACHE, key, _Retrace(owner, entry) if staged.retrace or marker else
                      entry)
        remember(_LAST_KEY, fkey.key, key)
        return entry


def compile_once(staged: Staged) -> CompiledEntry:
    """Compile a traced module, or reuse the program compiled for the same IR, avals and mesh (a
    retrace, or another function tracing to the same program): the entry keeps this trace's
    constants and output structure."""
    if nans.enabled():
        nans.keep_plait_module(staged)
    with scope():
        text = str(staged.module)
    pkey = (hashlib.sha256(text.encode()).digest(), tuple(staged.in_avals),
            tuple(staged.out_avals), staged.mesh, staged.donated)  # (not the mesh's device order)
    exe = _PROGRAMS.get(pkey)
    if exe is not None:
        _PROGRAMS.move_to_end(pkey)
        return CompiledEntry(staged, exe)
    entry = compile_staged(staged)
    stats["compiles"] += 1
    remember(_PROGRAMS, pkey, entry.executable)
    return entry


def clear_caches() -> None:
    """Forget every compiled program: plait's signature and program caches and the C++
    dispatch path's (each next call traces and compiles again)."""
    _CACHE.clear()
    _PROGRAMS.clear()
    _LAST_KEY.clear()
    fastpath.clear_cache()


# --- the jit wrapper ---------------------------------------------------------------------------

