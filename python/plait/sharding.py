"""Sharding front end: Mesh, NamedSharding, PartitionSpec (JAX's own classes: they describe
devices and data placement, which plait leaves to jax's runtime), device_put, and
with_sharding_constraint.

plait decides shardings in the IR — `sdy.sharding` attributes on function arguments and
results, `plait.sharding_constraint` ops, and what plait-shard-propagate derives for every
value — and XLA's Shardy partitioner partitions the program accordingly.
"""

from __future__ import annotations

import jax.sharding
import numpy as np
from jax.sharding import Mesh, PartitionSpec

from plait._mlir import ir, sdy
from plait.core import dtypes, pytree
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.core.trace import Tracer, bind, current_trace
from plait.runtime.array import Array

__all__ = ["Mesh", "NamedSharding", "PartitionSpec", "device_put", "with_sharding_constraint"]

MESH_NAME = "mesh"


class _NamedShardingType(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, jax.sharding.NamedSharding)


class NamedSharding(metaclass=_NamedShardingType):
    """jax's `NamedSharding(mesh, spec)`, made after plait checks the spec's axis names
    against the mesh (a typed error naming the caller's line, where jax's is a bare ValueError).
    Instances are jax's own class, so they work wherever jax's do."""

    def __new__(cls, mesh: Mesh, spec: PartitionSpec, **kwargs):
        if isinstance(spec, PartitionSpec) and isinstance(mesh, Mesh):
            _check_axis_names(spec, mesh)
        return jax.sharding.NamedSharding(mesh, spec, **kwargs)

# A plait "spec": one tuple of mesh axis names per array dimension.


def spec_dims(spec: PartitionSpec, ndim: int) -> tuple:
    """PartitionSpec → ((axis, ...) per dimension), padded with () to `ndim`."""
    dims = []
    for entry in tuple(spec):
        if entry is None:
            dims.append(())
        elif isinstance(entry, str):
            dims.append((entry,))
        else:
            dims.append(tuple(entry))
    return tuple(dims) + ((),) * (ndim - len(dims))


def dims_to_spec(dims) -> PartitionSpec:
    out = [None if not d else (d[0] if len(d) == 1 else tuple(d)) for d in dims]
    while out and out[-1] is None:
        out.pop()
    return PartitionSpec(*out)


def check_sharding(sharding, shape, what: str = "array") -> tuple:
    """Validate a NamedSharding for `shape`; returns its dims. Typed errors, never a crash."""
    if not isinstance(sharding, NamedSharding):
        raise PlaitTypeError(f"expected a NamedSharding for the {what}, got "
                             f"{type(sharding).__name__}")
    return check_spec(sharding.spec, sharding.mesh, shape, what)


def check_spec(spec, mesh: Mesh, shape, what: str = "array", divisible: bool = True) -> tuple:
    """Validate a PartitionSpec over `mesh` for an array of `shape` (each dimension divisible
    by its mesh axes, unless `divisible` is False); returns its dims."""
    if not isinstance(spec, PartitionSpec):
        raise PlaitTypeError(f"expected a PartitionSpec for the {what}, got "
                             f"{type(spec).__name__}")
    if len(tuple(spec)) > len(shape):
        raise PlaitValueError(f"PartitionSpec {spec} has {len(tuple(spec))} entries but the "
                              f"{what} has rank {len(shape)}")
    _check_axis_names(spec, mesh)
    dims = spec_dims(spec, len(shape))
    sizes = dict(zip(mesh.axis_names, mesh.devices.shape))
    for i, d in enumerate(dims):
        n = int(np.prod([sizes[a] for a in d])) if d else 1
        if divisible and shape[i] % n:
            raise PlaitValueError(f"dimension {i} of the {what} (size {shape[i]}) is not "
                                  f"divisible by its mesh axes {d} (total size {n})")
    return dims


def _check_axis_names(spec: PartitionSpec, mesh: Mesh) -> None:
    """Each axis the spec names is an axis of `mesh`, named once."""
    used = [a for d in spec_dims(spec, 0) for a in d]
    for a in used:
        if a not in mesh.axis_names:
            raise PlaitValueError(f"PartitionSpec {spec} names axis {a!r}, which is not an axis "
                                  f"of the mesh {tuple(mesh.axis_names)}")
    if len(set(used)) != len(used):
        raise PlaitValueError(f"PartitionSpec {spec} uses a mesh axis twice")


# --- MLIR attributes -----------------------------------------------------------------------

def mesh_attr(mesh: Mesh) -> ir.Attribute:
    return sdy.MeshAttr.get([sdy.MeshAxisAttr.get(n, int(s))
                             for n, s in zip(mesh.axis_names, mesh.devices.shape)])


def sharding_attr(dims, mesh_name: str = MESH_NAME) -> ir.Attribute:
    return sdy.TensorShardingAttr.get(mesh_name, [
        sdy.DimensionShardingAttr.get([sdy.AxisRefAttr.get(a) for a in d], is_closed=True)
        for d in dims])


def dims_of(attr: ir.Attribute) -> tuple:
    a = sdy.TensorShardingAttr(attr)
    return tuple(tuple(sdy.AxisRefAttr(x).name for x in sdy.DimensionShardingAttr(d).axes)
                 for d in a.dimension_shardings)


def per_value_attr(dims_list, mesh_name: str = MESH_NAME) -> ir.Attribute:
    return sdy.TensorShardingPerValueAttr.get([sharding_attr(d, mesh_name) for d in dims_list])


def per_value_dims(attr: ir.Attribute) -> list:
    return [dims_of(a) for a in sdy.TensorShardingPerValueAttr(attr).shardings]


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
    from plait.runtime import device as _device

    if _is_device(sharding):  # one device, as jax.device_put(x, device)
        sharding = _device.single_device_sharding(sharding)
        if not isinstance(x, (Array, Tracer)):
            host = np.asarray(x)
            dt = dtypes.dtype_of_value(x if isinstance(x, (bool, int, float, complex)) else host)[0]
            return Array(_device.device_put(host, ShapedArray(host.shape, dt), sharding._device))
        if isinstance(x, Array):
            import jax

            return Array(jax.device_put(x._buf, sharding))
    if isinstance(x, Tracer):
        return x if sharding is None else _with_sharding_constraint(x, sharding)
    if isinstance(x, Array):
        if sharding is None:
            return x
        import jax

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
    from jaxlib import _jax

    return isinstance(d, _jax.Device)


def with_sharding_constraint(x, sharding):
    """Ask for x (an array, or a pytree of them) to be laid out as `sharding` (a NamedSharding,
    or a pytree prefix of them) at this point of the program."""
    return _over_tree(_with_sharding_constraint, x, sharding)


def _with_sharding_constraint(x, sharding):
    from plait.dialect.sharding import sharding_constraint

    if not isinstance(x, Tracer):
        return _device_put(x, sharding)
    dims = check_sharding(sharding, x.shape, "constrained value")
    use_mesh(sharding.mesh)
    return bind(sharding_constraint, x, sharding=sharding_attr(dims))


def _over_tree(fn, x, sharding):
    """fn(leaf, its sharding) over the pytree x; `sharding` is a pytree prefix of x."""
    from jax._src.tree_util import broadcast_prefix

    leaves, tree = pytree.tree_flatten(x)
    if tree.num_nodes == 1 and tree.num_leaves == 1:
        return fn(x, sharding)
    try:
        shardings = broadcast_prefix(sharding, x, is_leaf=lambda s: s is None)
    except ValueError as e:
        raise PlaitValueError(f"the shardings do not match the pytree of arrays: {e}") from None
    return pytree.tree_unflatten(tree, [fn(leaf, s) for leaf, s in zip(leaves, shardings)])


# --- shard_map ------------------------------------------------------------------------------

def shard_map(f, mesh: Mesh, in_specs, out_specs):
    """Run `f` once per device of `mesh` on its shard of each argument (manual SPMD), with
    collectives (plait.lax.psum, all_gather, ...) over the mesh axes; `out_specs` say how the
    per-device results assemble into global arrays."""
    import functools

    @functools.wraps(f)
    def mapped(*args):
        from plait.core.trace import tracing

        if not tracing():
            from plait.jitting import new_jitted

            return new_jitted(lambda *a: mapped(*a))(*args)
        return _shard_map_traced(f, mesh, in_specs, out_specs, args)

    return mapped


def _shard_map_traced(f, mesh, in_specs, out_specs, args):
    from jax._src.tree_util import broadcast_prefix

    from plait import jitting
    from plait.ad import trace_callee
    from plait.core.trace import axis_scope
    from plait.dialect import sharding as D
    from plait.lax.control_flow import _emit, _into_region

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
        aval = jitting.leaf_aval(x)
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
    op, outs = _emit(D.shard_map, leaves + list(body.captures), out_avals, 1,
                     in_shardings=per_value_attr(in_dims + cap_dims),
                     out_shardings=per_value_attr(out_dims), mesh_axes=mesh_attr(mesh))
    from plait.core import aval as _aval

    _into_region(body, op.regions[0], [_aval.ir_type(a) for a in local], body.captures)
    return pytree.tree_unflatten(body.out_tree, outs)


def _local_shape(shape, dims, sizes) -> tuple:
    return tuple(n // int(np.prod([sizes[a] for a in d] or [1])) for n, d in zip(shape, dims))
