"""Shardy attribute codecs: a sharding as one tuple of mesh axis names per dimension.

    dims = (("x",), ())   <->   #sdy.sharding<@mesh, [{"x"}, {}]>
"""

from __future__ import annotations

import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from plait._mlir import ir, sdy
from plait.core.errors import PlaitTypeError, PlaitValueError

MESH_NAME = "mesh"


def mesh_attr(mesh) -> ir.Attribute:
    """The `#sdy.mesh` of a jax Mesh (its axis names and sizes)."""
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


# --- jax's PartitionSpec <-> dims ---------------------------------------------------------

def spec_dims(spec: PartitionSpec, ndim: int) -> tuple:
    """PartitionSpec → ((axis, ...) per dimension), padded with () to `ndim`."""
    dims = []
    for entry in tuple(spec):
        if entry is PartitionSpec.UNCONSTRAINED:
            raise PlaitValueError(f"PartitionSpec {spec}: P.UNCONSTRAINED is not supported; "
                                  "name the mesh axes of each dimension, or None")
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
        hint = " (a PartitionSpec needs its mesh: NamedSharding(mesh, spec))" if isinstance(
            sharding, PartitionSpec) else ""
        raise PlaitTypeError(f"expected a NamedSharding for the {what}, got "
                             f"{type(sharding).__name__}{hint}")
    kind = sharding.memory_kind
    if kind is not None and kind != sharding.mesh.devices.flat[0].default_memory().kind:
        raise PlaitValueError(f"memory_kind={kind!r} in the sharding of the {what} is not "
                              "supported: plait keeps arrays in device memory")
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
    check_axis_names(spec, mesh)
    dims = spec_dims(spec, len(shape))
    sizes = dict(zip(mesh.axis_names, mesh.devices.shape))
    for i, d in enumerate(dims):
        n = int(np.prod([sizes[a] for a in d])) if d else 1
        if divisible and shape[i] % n:
            raise PlaitValueError(f"dimension {i} of the {what} (size {shape[i]}) is not "
                                  f"divisible by its mesh axes {d} (total size {n})")
    return dims


def check_axis_names(spec: PartitionSpec, mesh: Mesh) -> None:
    """Each axis the spec names is an axis of `mesh`, named once."""
    used = [a for d in spec_dims(spec, 0) for a in d]
    for a in used:
        if a not in mesh.axis_names:
            raise PlaitValueError(f"PartitionSpec {spec} names axis {a!r}, which is not an axis "
                                  f"of the mesh {tuple(mesh.axis_names)}")
    if len(set(used)) != len(used):
        raise PlaitValueError(f"PartitionSpec {spec} uses a mesh axis twice")
