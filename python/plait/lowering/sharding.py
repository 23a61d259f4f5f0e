"""Lowering of sharding ops to Shardy: sharding_constraint, shard_map, and the collectives
inside a shard_map (StableHLO collectives whose replica groups come from the mesh)."""

from __future__ import annotations

import numpy as np

from plait._mlir import hlo, ir, sdy
from plait.core import aval as _aval
from plait.dialect import ops as P
from plait.dialect.sharding import axis_sizes, shard_map
from plait.lowering.control import move_body
from plait.lowering.stablehlo import binary_body, create, dense_const, i64, register, scalar_type
from plait.transforms.base import fail


@register(P.sharding_constraint)
def _lower_sharding_constraint(op, params, operands, result_types):
    return list(create("sdy.sharding_constraint", result_types, operands,
                        {"sharding": params["sharding"]}).results)


@register(shard_map)
def _lower_shard_map(op, params, operands, result_types):

    axes = list(axis_sizes(params["mesh_axes"]))
    new = create("sdy.manual_computation", result_types, operands,
                  {"in_shardings": params["in_shardings"],
                   "out_shardings": params["out_shardings"],
                   "manual_axes": sdy.ManualAxesAttr.get([ir.StringAttr.get(a) for a in axes])},
                  regions=1)
    old = op.regions[0].blocks[0]
    block, values = move_body(op.regions[0], new.regions[0], [a.type for a in old.arguments])
    with ir.InsertionPoint(block):
        create("sdy.return", [], values)
    return list(new.results)


# --- collectives: the mesh comes from the enclosing shard_map --------------------------------

def _mesh_of(op) -> dict:

    parent = op.operation.parent
    while parent is not None:
        if parent.name == shard_map.name:
            return axis_sizes(parent.attributes["mesh_axes"])
        parent = parent.parent

    raise fail(op, f"'{op.operation.name}' over axis "
                   f"{ir.StringAttr(op.attributes['axis_name']).value!r} is outside any "
                   "shard_map over that axis (and no vmap bound it)")


def _groups(sizes: dict, axis: str) -> np.ndarray:
    """Logical device ids (row-major over the mesh) grouped along `axis`."""
    names = list(sizes)
    if axis not in sizes:
        raise ValueError(f"axis {axis!r} is not a mesh axis {names}")
    ids = np.arange(int(np.prod(list(sizes.values())))).reshape([sizes[n] for n in names])
    k = names.index(axis)
    return np.moveaxis(ids, k, -1).reshape(-1, sizes[axis])


def _collective_attrs(op, params) -> dict:
    sizes = _mesh_of(op)
    groups = _groups(sizes, params["axis_name"])
    return {"replica_groups": ir.DenseElementsAttr.get(np.ascontiguousarray(groups, np.int64)),
            "channel_handle": hlo.ChannelHandle.get(handle=1, type=1),
            "use_global_device_ids": ir.UnitAttr.get()}


def _sum_region(region, t) -> None:

    st = scalar_type(t)
    binary_body(region, st, lambda a, b: create("stablehlo.add", [st], [a, b]).results[0])


@register(P.psum)
def _lower_psum(op, params, operands, result_types):
    new = create("stablehlo.all_reduce", result_types, operands, _collective_attrs(op, params),
                  regions=1)
    _sum_region(new.regions[0], result_types[0])
    return list(new.results)


@register(P.all_gather)
def _lower_all_gather(op, params, operands, result_types):
    (x,) = operands
    axis = params["axis"]
    if not params.get("tiled"):
        a = _aval.aval_of(x)
        x = create("stablehlo.reshape", [_aval.ir_type(a.update(
            shape=a.shape[:axis] + (1,) + a.shape[axis:]))], [x]).results[0]
    attrs = _collective_attrs(op, params)
    attrs["all_gather_dim"] = i64(axis)
    return list(create("stablehlo.all_gather", result_types, [x], attrs).results)


@register(P.psum_scatter)
def _lower_psum_scatter(op, params, operands, result_types):
    (x,) = operands
    d = params["scatter_dimension"]
    a = _aval.aval_of(x)
    shape = list(a.shape)
    shape[d] //= params["axis_size"]
    attrs = _collective_attrs(op, params)
    attrs["scatter_dimension"] = i64(d)
    scattered_type = _aval.ir_type(a.update(shape=tuple(shape)))
    new = create("stablehlo.reduce_scatter", [scattered_type], [x], attrs, regions=1)
    _sum_region(new.regions[0], scattered_type)
    out = new.results[0]
    if not params.get("tiled"):
        out = create("stablehlo.reshape", result_types, [out]).results[0]
    return [out]


@register(P.ppermute)
def _lower_ppermute(op, params, operands, result_types):
    groups = _groups(_mesh_of(op), params["axis_name"])
    perm = params["perm"]
    pairs = [(g[s], g[t]) for g in groups for s, t in zip(perm[0::2], perm[1::2])]
    attrs = {"source_target_pairs": ir.DenseElementsAttr.get(
        np.array(pairs, np.int64).reshape(-1, 2)),
             "channel_handle": hlo.ChannelHandle.get(handle=1, type=1)}
    return list(create("stablehlo.collective_permute", result_types, operands, attrs).results)


@register(P.axis_index)
def _lower_axis_index(op, params, operands, result_types):
    """(partition id // stride) % size, the position along the axis in the row-major mesh."""
    sizes = _mesh_of(op)
    names = list(sizes)
    k = names.index(params["axis_name"])
    stride = int(np.prod([sizes[n] for n in names[k + 1:]] or [1]))
    u32 = _aval.ir_type(_aval.ShapedArray((), np.dtype(np.uint32)))
    pid = create("stablehlo.partition_id", [u32], []).results[0]
    q = create("stablehlo.divide", [u32], [pid, dense_const(np.array(stride, np.uint32))])
    r = create("stablehlo.remainder", [u32], [q.results[0],
                                               dense_const(np.array(sizes[names[k]],
                                                                     np.uint32))])
    return list(create("stablehlo.convert", result_types, [r.results[0]]).results)
