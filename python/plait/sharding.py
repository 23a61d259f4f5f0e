"""Sharding front end: Mesh, NamedSharding, PartitionSpec (JAX's own classes: they describe
devices and data placement, which plait leaves to jax's runtime), device_put, and
with_sharding_constraint.

plait decides shardings in the IR — `sdy.sharding` attributes on function arguments and
results, `plait.sharding_constraint` ops, and what plait-shard-propagate derives for every
value — and XLA's Shardy partitioner partitions the program accordingly.
"""

from __future__ import annotations

import functools

import jax
import jax.sharding
import numpy as np
from jax._src.tree_util import broadcast_prefix
from jax.sharding import Mesh, PartitionSpec
from jaxlib import _jax

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes, pytree
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitValueError
from plait.core.location import site_of
from plait.dialect import sharding as D
from plait.dialect.sharding import sharding_constraint
from plait.ir.funcs import func_body
from plait.ir.sharding import (
    check_axis_names,
    check_sharding,
    check_spec,
    mesh_attr,
    per_value_attr,
    sharding_attr,
)
from plait.jitting import new_jitted
from plait.runtime import device as _device
from plait.runtime.array import Array
from plait.staging.callee import emit_region_op, into_region, trace_callee
from plait.staging.leaves import leaf_aval
from plait.staging.trace import Tracer, axis_scope, bind, current_trace, tracing
from plait.transforms.expand import callee_of, referenced_functions

__all__ = ["Mesh", "NamedSharding", "PartitionSpec", "device_put", "with_sharding_constraint"]

class _NamedShardingType(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, jax.sharding.NamedSharding)


class NamedSharding(metaclass=_NamedShardingType):
    """jax's `NamedSharding(mesh, spec)`, made after plait checks the spec's axis names
    against the mesh (a typed error naming the caller's line, where jax's is a bare ValueError).
    Instances are jax's own class, so they work wherever jax's do."""

    def __new__(cls, mesh: Mesh, spec: PartitionSpec, **kwargs):
        if isinstance(spec, PartitionSpec) and isinstance(mesh, Mesh):
            check_axis_names(spec, mesh)
        return jax.sharding.NamedSharding(mesh, spec, **kwargs)

# --- the mesh of the program being traced -------------------------------------------------

def use_mesh(mesh: Mesh) -> None:
    """Record `mesh` as the traced program's mesh (one mesh per program)."""
    builder = current_trace().builder
    current = getattr(builder, "mesh", None)
    if current is None:
        builder.mesh = mesh
    elif current != mesh:
        raise PlaitValueError("a plait program uses one mesh; this one already uses "
                              f"{dict(zip(current.axis_names, current.devices.shape))}")


# --- user API ------------------------------------------------------------------------------

def device_put(x, sharding=None):
    """Put x (an array, or a pytree of them) on devices: a NamedSharding (or a pytree prefix
    of them) splits each array over a mesh, validated first."""
    return _over_tree(_device_put, x, sharding)


def _device_put(x, sharding):
    if _is_device(sharding):  # one device, as jax.device_put(x, device)
        sharding = _device.single_device_sharding(sharding)
        if not isinstance(x, (Array, Tracer)):
            host = np.asarray(x)
            dt = dtypes.dtype_of_value(x if isinstance(x, (bool, int, float, complex)) else host)[0]
            return Array(_device.device_put(host, ShapedArray(host.shape, dt), sharding._device))
        if isinstance(x, Array):
            return Array(jax.device_put(x._buf, sharding))
    if isinstance(x, Tracer):
        return x if sharding is None else _with_sharding_constraint(x, sharding)
    if isinstance(x, Array):
        if sharding is None:
            return x
        check_sharding(sharding, x.shape)
        return Array(jax.device_put(x._buf, sharding))
    host = np.asarray(x)
    dt = dtypes.dtype_of_value(x if isinstance(x, (bool, int, float, complex)) else host)[0]
    aval = ShapedArray(host.shape, dt)
    if sharding is None:
        return Array(_device.device_put(host, aval))
    check_sharding(sharding, host.shape)
    return Array(_device.put_sharded(host, aval, sharding))


def _is_device(d) -> bool:
    return isinstance(d, _jax.Device)


def with_sharding_constraint(x, sharding):
    """Ask for x (an array, or a pytree of them) to be laid out as `sharding` (a NamedSharding,
    or a pytree prefix of them) at this point of the program."""
    return _over_tree(_with_sharding_constraint, x, sharding)


def _with_sharding_constraint(x, sharding):
    if not isinstance(x, Tracer):
        return _device_put(x, sharding)
    dims = check_sharding(sharding, x.shape, "constrained value")
    use_mesh(sharding.mesh)
    return bind(sharding_constraint, x, sharding=sharding_attr(dims))


def _over_tree(fn, x, sharding):
    """fn(leaf, its sharding) over the pytree x; `sharding` is a pytree prefix of x."""
    leaves, tree = pytree.tree_flatten(x)
    if tree.num_nodes == 1 and tree.num_leaves == 1:
        return fn(x, sharding)
    try:
        shardings = broadcast_prefix(sharding, x, is_leaf=lambda s: s is None)
    except ValueError as e:
        raise PlaitValueError(f"the shardings do not match the pytree of arrays: {e}") from None
    return pytree.tree_unflatten(tree, [fn(leaf, s) for leaf, s in zip(leaves, shardings)])


# --- shard_map ------------------------------------------------------------------------------

def shard_map(f, mesh: Mesh, in_specs, out_specs, *, check_vma: bool | None = None,
              check_rep: bool | None = None):
    """Run `f` once per device of `mesh` on its shard of each argument (manual SPMD), with
    collectives (plait.lax.psum, all_gather, ...) over the mesh axes; `out_specs` say how the
    per-device results assemble into global arrays.

    plait differentiates `f` with the semantics of jax's `check_vma=False` (`check_rep=False`
    in older jax): a gradient computed *inside* `f` is each device's own, and a psum's
    transpose is a psum. Under jax's default `check_vma=True`, values carry the mesh axes they
    vary over, and the cotangent of a value replicated over an axis is summed over it. The
    two agree for gradients taken outside the shard_map; inside it, where they would differ
    (a replicated argument meeting a varying value, or a psum, in a differentiated
    function), plait raises unless `check_vma=False` is passed."""
    if check_vma is not None and check_rep is not None and check_vma != check_rep:
        raise PlaitValueError("shard_map: check_vma and check_rep (its older name) disagree")
    check = bool(next((c for c in (check_vma, check_rep) if c is not None), True))

    @functools.wraps(f)
    def mapped(*args):
        if not tracing():
            return new_jitted(lambda *a: mapped(*a))(*args)
        return _shard_map_traced(f, mesh, in_specs, out_specs, args, check)

    return mapped


def _shard_map_traced(f, mesh, in_specs, out_specs, args, check_vma):
    use_mesh(mesh)
    sizes = dict(zip(mesh.axis_names, (int(s) for s in mesh.devices.shape)))
    leaves, in_tree = pytree.tree_flatten((tuple(args), {}))
    try:
        specs = broadcast_prefix(tuple(in_specs) if isinstance(in_specs, list) else in_specs,
                                 tuple(args), is_leaf=lambda x: x is None or
                                 isinstance(x, PartitionSpec))
    except ValueError as e:
        raise PlaitValueError(f"shard_map in_specs do not match the arguments: {e}") from None
    in_dims, local = [], []
    for x, spec in zip(leaves, specs):
        aval = leaf_aval(x)
        dims = check_spec(spec, mesh, aval.shape, "shard_map argument")
        in_dims.append(dims)
        local.append(aval.update(shape=_local_shape(aval.shape, dims, sizes)))
    scopes = [axis_scope(n, s) for n, s in sizes.items()]
    for sc in scopes:
        sc.__enter__()
    try:
        body = trace_callee(f, leaves, in_tree, [True] * len(leaves), name="shard_map_body",
                            in_avals=local)
    finally:
        for sc in reversed(scopes):
            sc.__exit__(None, None, None)
    try:
        out_spec_leaves = broadcast_prefix(out_specs, pytree.tree_unflatten(
            body.out_tree, [0] * len(body.out_avals)), is_leaf=lambda x: x is None or
            isinstance(x, PartitionSpec))
    except ValueError as e:
        raise PlaitValueError(f"shard_map out_specs do not match the outputs: {e}") from None
    out_dims, out_avals = [], []
    for a, spec in zip(body.out_avals, out_spec_leaves):
        dims = check_spec(spec, mesh, a.shape, "shard_map result", divisible=False)
        shape = tuple(n * int(np.prod([sizes[x] for x in d] or [1])) for n, d in zip(a.shape, dims))
        out_dims.append(dims)
        out_avals.append(a.update(shape=shape).strip_weak())
    cap_dims = [((),) * c.aval.ndim for c in body.captures]
    funcs = current_trace().builder.funcs
    varying = [frozenset(a for d in dims for a in d) for dims in in_dims]
    outs_varying = _check_body(funcs, body.name, varying + [frozenset()] * len(cap_dims),
                               frozenset(sizes), check_vma)
    if check_vma:
        _check_replicated(out_dims, outs_varying, out_spec_leaves)
    op, outs = emit_region_op(D.shard_map, leaves + list(body.captures), out_avals, 1,
                     in_shardings=per_value_attr(in_dims + cap_dims),
                     out_shardings=per_value_attr(out_dims), mesh_axes=mesh_attr(mesh))
    into_region(body, op.regions[0], [_aval.ir_type(a) for a in local], body.captures)
    return pytree.tree_unflatten(body.out_tree, outs)


def _local_shape(shape, dims, sizes) -> tuple:
    return tuple(n // int(np.prod([sizes[a] for a in d] or [1])) for n, d in zip(shape, dims))


# --- shard_map: where jax's check_vma=True differentiates otherwise ----------------------------
#
# Under jax's default, a value's type carries the mesh axes it varies over: a value used with
# one that varies over more axes is first `pvary`'d, whose transpose is a psum, and a psum
# (whose result no longer varies) transposes to a pvary. plait differentiates as check_vma=False
# does: no pvary, and psum transposes to psum. Gradients taken outside the shard_map agree (the
# shard_map's own transpose sums the cotangents of replicated arguments); reverse mode traced
# inside the body can differ. The walk below follows jax's typing of the body — per value, the
# axes it surely varies over and those it may vary over (results of calls and region ops are
# not followed: anything may vary, nothing surely does) — and refuses each reverse-mode op
# whose result could differ.

_REVERSE_OPS = ("plait.vjp", "plait.linear_transpose")
_VARYING_COLLECTIVES = ("plait.all_gather", "plait.psum_scatter", "plait.ppermute",
                        "plait.axis_index", "plait.all_to_all")
# results the same on every device of the axis; each differentiates through a psum
_REDUCING_COLLECTIVES = ("plait.psum", "plait.pmax", "plait.pmin")


def _check_body(funcs, body: str, arg_varying, axes: frozenset, check_vma: bool) -> list:
    """Check the shard_map body @body; returns the axes each result surely varies over.

    With `check_vma`, each reverse-mode op whose result could differ from jax's check_vma=True
    is refused (values typed as jax types them). Always, a collective under a cond whose branch
    differs across the devices it spans is refused: they would wait for each other forever."""
    if check_vma:
        _walk_varying(funcs, body, arg_varying, axes, lambda o, ins, func: _check_reverse(
            o, ins, axes, func) if o.name in _REVERSE_OPS else None)

    def divergent(o, ins, func):
        if o.name == "plait.cond" and ins[0][0]:
            _refuse_divergent_collectives(o, ins[0][0], func)
        elif o.name == "plait.while":
            varying = _first_predicate_varying(o, ins, axes)
            if varying:
                _refuse_divergent_collectives(o, varying, func, "a while_loop whose trip count")

    outs = _walk_varying(funcs, body, arg_varying, axes, divergent, exact=True)
    return [surely for surely, _ in outs]


def _walk_varying(funcs, body: str, arg_varying, axes, check, exact=False):
    """Per value of @body, the (surely, maybe) mesh axes it varies over (results of calls and
    region ops are not followed: anything may vary, nothing surely does); `check(op, ins,
    func)` sees each op. jax's typing, or with `exact` what the values are: an all_gather's
    result is the same on every device of its axis. Returns those of the results."""
    func = funcs.__getitem__
    walked: set = set()

    def walk(block, env):
        for op in block.operations:
            o = op.operation
            ins = [env.get(v, (frozenset(), frozenset())) for v in o.operands]
            check(o, ins, func)
            called = referenced_functions(o)
            if called or len(o.regions):
                out = (frozenset(), axes)
                for region in o.regions:
                    for b in region.blocks:
                        walk(b, {a: (frozenset(), axes) for a in b.arguments})
                for name in called:
                    if name not in walked:
                        walked.add(name)
                        b = func_body(func(name))
                        walk(b, {a: (frozenset(), axes) for a in b.arguments})
            else:
                out = _varying_after(o, ins, axes, exact)
            for r in o.results:
                env[r] = out
        return env

    b = func_body(func(body))
    env = walk(b, {a: (v, v) for a, v in zip(b.arguments, arg_varying)})
    ret = b.operations[len(b.operations) - 1]
    return [env.get(v, (frozenset(), frozenset())) for v in ret.operands]


def _check_replicated(out_dims, outs_varying, specs) -> None:
    """An out_spec that leaves out a mesh axis says the result is the same on every device
    along it (the result is then one device's copy): refused where the result surely varies
    over it, as jax does."""
    for k, (dims, surely) in enumerate(zip(out_dims, outs_varying)):
        claimed = surely - {a for d in dims for a in d}
        if claimed:
            raise PlaitValueError(
                f"shard_map out_specs {specs[k]} for result {k} say it is replicated over mesh "
                f"axis {_names(claimed)}, but it varies over it (it depends on a sharded "
                f"argument or axis_index without a psum over {_names(claimed)}): its value "
                f"would be one device's. Name {_names(claimed)} in out_specs, psum (or pmean) "
                "it over that axis, or pass check_vma=False")


_SYNC_COLLECTIVES = ("plait.psum", "plait.pmax", "plait.pmin", "plait.all_gather",
                     "plait.psum_scatter", "plait.ppermute", "plait.all_to_all")


def _first_predicate_varying(op, ins, axes) -> frozenset:
    """The axes a while's first test surely varies over (from its operands, through the cond
    region's plain ops): devices then disagree on running the body at all."""
    block = op.regions[0].blocks[0]
    env = dict(zip(block.arguments, ins))
    ops = list(block.operations)
    for inner in ops[:-1]:
        o = inner.operation
        args = [env.get(v, (frozenset(), frozenset())) for v in o.operands]
        out = (frozenset(), axes) if len(o.regions) or referenced_functions(o) else \
            _varying_after(o, args, axes, True)
        for r in o.results:
            env[r] = out
    pred = ops[-1].operation.operands[0]
    return env.get(pred, (frozenset(), frozenset()))[0]


def _refuse_divergent_collectives(op, pred_varying: frozenset, func,
                                  what: str = "a cond whose predicate") -> None:
    """A collective in a branch of `op`, a cond whose predicate varies over `pred_varying`:
    devices that take another branch never join it (the program hangs)."""
    found = []
    seen: set = set()

    def visit(o):
        if o.name in _SYNC_COLLECTIVES and _axis(o) in pred_varying:
            found.append(o)
        for g in referenced_functions(o):
            if g not in seen:
                seen.add(g)
                func(g).walk(visit)
        return ir.WalkResult.ADVANCE

    for region in op.regions:
        for block in region.blocks:
            for inner in block.operations:
                inner.operation.walk(visit)
    if found:
        c = found[0]
        raise PlaitValueError(
            f"{c.name.split('.')[1]} over mesh axis {_axis(c)!r} inside {what} varies across "
            f"the devices of that axis (at {_fmt_site(op)}): devices that take another branch "
            "or iteration never join the collective, and the program would hang. Compute it "
            "outside, or make the predicate the same on every device (e.g. psum or pmax it "
            "first)", site=site_of(c.location))


def _fmt_site(op) -> str:
    site = site_of(op.location)
    return f"{site[0]}:{site[1]}" if site else "the cond"


def _axis(op) -> str:
    return ir.StringAttr(op.attributes["axis_name"]).value


def _varying_after(op, ins, axes, exact=False):
    """(surely, maybe) varying axes of a plain op's results, as jax types them (with `exact`:
    an all_gather's result no longer varies over its axis)."""
    if op.name in _REDUCING_COLLECTIVES or exact and op.name == "plait.all_gather":
        a = frozenset([_axis(op)])
        return ins[0][0] - a, ins[0][1] - a
    if op.name in _VARYING_COLLECTIVES:
        a = frozenset([_axis(op)]) & axes
        return (ins[0][0] if ins else frozenset()) | a, (ins[0][1] if ins else frozenset()) | a
    return (frozenset().union(*(s for s, _ in ins)), frozenset().union(*(m for _, m in ins)))


def _collective_axes(name, func, axes, seen=None) -> tuple[frozenset, frozenset]:
    """(axes psum'ed over, axes a value may start varying over) inside @name and what it
    calls."""
    seen = set() if seen is None else seen
    seen.add(name)
    summed, varying = set(), set()

    def visit(op):
        if op.name in _REDUCING_COLLECTIVES:
            summed.add(_axis(op))
        elif op.name in _VARYING_COLLECTIVES:
            varying.add(_axis(op))
        for g in referenced_functions(op):
            if g not in seen:
                s, v = _collective_axes(g, func, axes, seen)
                summed.update(s)
                varying.update(v)
        return ir.WalkResult.ADVANCE

    func(name).walk(visit)
    return frozenset(summed) & axes, frozenset(varying) & axes


def _check_reverse(op, ins, axes, func) -> None:
    """Raise where reverse mode of `op` could differ from jax's check_vma=True."""
    callee = callee_of(op)
    summed, started = _collective_axes(callee, func, axes)
    fix = ("Pass check_vma=False to plait.shard_map to differentiate as jax's "
           "check_vma=False does (then psum or pmean gradients of replicated values "
           "yourself), or take the gradient outside the shard_map.")
    if summed:
        raise PlaitValueError(
            f"reverse-mode differentiation inside shard_map of a function with a psum over "
            f"{_names(summed)}: under jax's default check_vma=True the psum transposes to a "
            f"copy, under plait's semantics (check_vma=False) to another psum. {fix}",
            site=site_of(op.location))
    if op.name == "plait.vjp":
        diff = [int(i) for i in ir.DenseI64ArrayAttr(op.attributes["diff_args"])]
    else:  # linear_transpose: its linear arguments are not operands, nothing is known of them
        diff, ins = [len(ins)], ins + [(frozenset(), axes)]
    for d in diff:
        may_vary = started.union(*(m for i, (_, m) in enumerate(ins) if i != d))
        replicated = may_vary - ins[d][0]
        if replicated:
            raise PlaitValueError(
                f"reverse-mode differentiation inside shard_map with respect to a value that "
                f"may be replicated over mesh axis {_names(replicated)} while the "
                f"differentiated function reads values varying over it: under jax's default "
                f"check_vma=True its cotangent is summed over {_names(replicated)}, under "
                f"plait's semantics (check_vma=False) it is each device's own. {fix}",
                site=site_of(op.location))


def _names(axes) -> str:
    return ", ".join(repr(a) for a in sorted(axes))
