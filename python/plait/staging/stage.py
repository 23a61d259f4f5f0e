"""Tracing a signature into a plait module (`Staged`): @main, its captured arrays and its
shardings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from jax._src.tree_util import broadcast_prefix
from jax.sharding import NamedSharding

from plait._mlir import ir, scope
from plait.core import aval as _aval
from plait.core import pytree
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitValueError
from plait.ir.funcs import lookup_func
from plait.ir.sharding import MESH_NAME, check_sharding, mesh_attr, sharding_attr
from plait.staging.keys import FunctionKey
from plait.staging.leaves import leaf_aval, leaf_buffer, named_sharding
from plait.staging.trace import ModuleBuilder, Trace, Tracer

stats = {"traces": 0, "compiles": 0}  # counters the tests read


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
        self.donated = None        # per argument leaf, whether its buffer is donated


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
    with scope():
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
    # (large host constants are made by the trace itself: they need no retrace)
    captured = [c for c in consts if id(c) not in trace.host_constants]
    staged.retrace = trace.value_dependent or bool(captured) or fkey.opaque
    staged.host_outs = host_outs
    staged.checks = [error for _, error in trace.checks]
    staged.mesh = _annotate_shardings(mb, staged, shardings)
    return staged


def _is_float0(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.names == ("float0",)


def _annotate_shardings(mb: ModuleBuilder, staged: Staged, shardings):
    """For a sharded program: the module's `sdy.mesh`, and `sdy.sharding` on @main's arguments
    and results (requested, or the arguments' own). Returns the mesh, or None."""
    in_sh, out_prefix = shardings or ((), None)
    bufs = staged.closure_bufs + staged.consts
    given = [named_sharding(b) for b in bufs] + list(in_sh)
    given += [None] * (len(staged.in_avals) - len(given))
    mesh = getattr(mb, "mesh", None)
    for s_ in given:
        if isinstance(s_, NamedSharding):
            mesh = mesh or s_.mesh
    outs = [None] * len(staged.out_avals)
    if out_prefix is not None:
        n_user = len(staged.out_avals) - len(staged.checks)
        outs = broadcast_prefix(out_prefix, pytree.tree_unflatten(
            staged.out_tree, [0] * n_user), is_leaf=lambda x: x is None)
        outs += [None] * len(staged.checks)
        for o in outs:
            if isinstance(o, NamedSharding):
                mesh = mesh or o.mesh
    if mesh is None:
        return None
    with scope():
        module = mb.module.operation
        for s_ in given + outs:
            if isinstance(s_, NamedSharding) and s_.mesh != mesh:
                raise PlaitValueError("a plait program uses one mesh; its arguments and "
                                      "results name different meshes")
        main = lookup_func(module, "main")

        def attr(s_, aval, what):
            if s_ is None:
                return ir.DictAttr.get({"sdy.sharding": sharding_attr(((),) * aval.ndim)})
            return ir.DictAttr.get({"sdy.sharding": sharding_attr(
                check_sharding(s_, aval.shape, what))})

        main.attributes["arg_attrs"] = ir.ArrayAttr.get(
            [attr(s_, a, "argument") for s_, a in zip(given, staged.in_avals)])
        if any(o is not None for o in outs):
            main.attributes["res_attrs"] = ir.ArrayAttr.get(
                [attr(o, a, "result") if o is not None else ir.DictAttr.get({})
                 for o, a in zip(outs, staged.out_avals)])
        with ir.InsertionPoint.at_block_begin(module.regions[0].blocks[0]):
            ir.Operation.create("sdy.mesh", attributes={
                "sym_name": ir.StringAttr.get(MESH_NAME), "mesh": mesh_attr(mesh)})
    return mesh


def _wrap_main(mb: ModuleBuilder, trace: Trace, closure_avals, consts, in_avals, out_avals):
    """`@main(closure, consts, args) { call @f(closure, args, consts) }`: the executable's
    parameters put captured device arrays before the arguments (the C++ path prepends them)."""
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

