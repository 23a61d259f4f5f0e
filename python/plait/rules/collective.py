"""The rules of the collectives (`dialect/collective.py`). Their JVPs follow from their Linear
traits, but pmax's and pmin's (the tangent where the extreme is, averaged over ties, as
reduce_max's); the sharding rules of psum, pmax, pmin and ppermute from
SameOperandsAndResultShape. Over a vmap
axis they batch into reductions and reshapes of the batch dimension; over a shard_map's mesh
axis they lower to StableHLO collectives whose replica groups come from the mesh."""

from __future__ import annotations

import numpy as np

from plait._mlir import hlo, ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import ops as P
from plait.dialect.base import splat_attr
from plait.dialect.builders import full_like
from plait.dialect.sharding import axis_sizes, shard_map
from plait.lowering.stablehlo import (
    binary_body,
    create,
    dense_const,
    i64,
    register,
    scalar_type,
)
from plait.transforms.base import fail
from plait.transforms.batch import batch_rule, move_bdim
from plait.transforms.jvp import defjvp
from plait.transforms.shard_propagate import forward_rule, unknown
from plait.transforms.transpose import deftranspose

# --- JVP ---------------------------------------------------------------------------------------

@defjvp(P.pmax, P.pmin)
def _pextreme_jvp(primals, tangents, outs, axis_name):
    (x,), (t,) = primals, tangents
    if t is None:
        return [None]
    dt = aval_of(x).dtype
    hit = P.convert(P.compare(x, outs[0], direction="EQ"), new_dtype=dt)
    return [P.div(P.psum(P.mul(t, hit), axis_name=axis_name), P.psum(hit, axis_name=axis_name))]


# --- transposition ------------------------------------------------------------------------------

@deftranspose(P.psum)
def _psum_t(cts, operands, axis_name):
    return [P.psum(cts[0], axis_name=axis_name)]


@deftranspose(P.all_gather)
def _all_gather_t(cts, operands, axis_name, axis, axis_size, tiled=False):
    (ct,) = cts
    return [P.psum_scatter(ct, axis_name=axis_name, scatter_dimension=axis, axis_size=axis_size,
                           tiled=bool(tiled))]


@deftranspose(P.psum_scatter)
def _psum_scatter_t(cts, operands, axis_name, scatter_dimension, axis_size, tiled=False):
    return [P.all_gather(cts[0], axis_name=axis_name, axis=scatter_dimension,
                         axis_size=axis_size, tiled=bool(tiled))]


@deftranspose(P.ppermute)
def _ppermute_t(cts, operands, axis_name, perm):
    swapped = [v for s, d in zip(perm[0::2], perm[1::2]) for v in (d, s)]
    return [P.ppermute(cts[0], axis_name=axis_name, perm=tuple(swapped))]


@deftranspose(P.all_to_all)
def _all_to_all_t(cts, operands, axis_name, split_axis, concat_axis, axis_size):
    return [P.all_to_all(cts[0], axis_name=axis_name, split_axis=concat_axis,
                         concat_axis=split_axis, axis_size=axis_size)]


# --- batching -----------------------------------------------------------------------------------

def _collective(op):
    """Register the batching rule of a collective from `fn(operands, bdims, size, **params)`,
    its rule where it names the vmapped axis; naming another axis, the op works member by
    member of the vmapped one, with the batch dim kept in front."""

    def deco(fn):
        @batch_rule(op)
        def rule(ctx):
            params = ctx.params
            if params["axis_name"] == ctx.axis_name:
                return fn(ctx.operands, ctx.bdims, ctx.size, **params)
            x = move_bdim(ctx.operands[0], ctx.bdims[0], 0, ctx.size)
            for dim in ("axis", "scatter_dimension", "split_axis", "concat_axis"):
                if dim in params:
                    params = {**params, dim: params[dim] + 1}
            return [op(x, **params)], [0]
        return fn
    return deco


@batch_rule(P.axis_index)
def _axis_index_b(ctx):
    """Over the vmapped axis, member k's index is k. (Batched only when it names that axis.)"""
    return [P.iota(shape=(ctx.size,), dtype=dtypes.int32, dimension=0)], [0]


@_collective(P.psum)
def _psum_b(operands, bdims, size, axis_name):
    (x,), (b,) = operands, bdims
    if b is None:  # every member holds the same x
        return [P.mul(x, full_like(x, size))], [None]
    return [P.reduce_sum(x, axes=(b,))], [None]


@_collective(P.pmax)
def _pmax_b(operands, bdims, size, axis_name):
    (x,), (b,) = operands, bdims
    return [x if b is None else P.reduce_max(x, axes=(b,))], [None]


@_collective(P.pmin)
def _pmin_b(operands, bdims, size, axis_name):
    (x,), (b,) = operands, bdims
    return [x if b is None else P.reduce_min(x, axes=(b,))], [None]


@_collective(P.all_to_all)
def _all_to_all_b(operands, bdims, size, axis_name, split_axis, concat_axis, axis_size):
    """Member k gets block k of every member's split_axis, the senders' order outermost in
    its concat_axis: with the members stacked at 0, one reshape splits split_axis into
    (receiver, block), a transpose brings receivers to 0 and senders before concat_axis,
    and a reshape merges them into it."""
    x = move_bdim(operands[0], bdims[0], 0, size)
    shape = aval_of(x).shape[1:]
    split = shape[:split_axis] + (size, shape[split_axis] // size) + shape[split_axis + 1:]
    x = P.reshape(x, new_sizes=(size,) + split)
    # labels of x's dims: the sender, then the operand's dims with the receiver before
    # split_axis's remaining block
    labels = ["sender"] + [("d", i) for i in range(split_axis)] + ["receiver"] + \
        [("d", i) for i in range(split_axis, len(shape))]
    target = ["receiver"]
    for i in range(len(shape)):
        target += (["sender"] if i == concat_axis else []) + [("d", i)]
    x = P.transpose(x, permutation=tuple(labels.index(t) for t in target))
    out = list(shape)
    out[split_axis] //= size
    out[concat_axis] *= size
    return [P.reshape(x, new_sizes=(size,) + tuple(out))], [0]


@_collective(P.all_gather)
def _all_gather_b(operands, bdims, size, axis_name, axis, axis_size, tiled=False):
    x = move_bdim(operands[0], bdims[0], axis, size)
    if tiled:
        shape = list(aval_of(x).shape)
        shape[axis:axis + 2] = [shape[axis] * shape[axis + 1]]
        x = P.reshape(x, new_sizes=tuple(shape))
    return [x], [None]


@_collective(P.psum_scatter)
def _psum_scatter_b(operands, bdims, size, axis_name, scatter_dimension, axis_size,
                    tiled=False):
    (x,), (b,) = operands, bdims
    d = scatter_dimension
    if b is None:
        total = P.mul(x, full_like(x, size))
    else:
        total = P.reduce_sum(x, axes=(b,))
    if tiled:
        shape = list(aval_of(total).shape)
        shape[d:d + 1] = [size, shape[d] // size]
        total = P.reshape(total, new_sizes=tuple(shape))
    return [total], [d]


@_collective(P.ppermute)
def _ppermute_b(operands, bdims, size, axis_name, perm):
    x = move_bdim(operands[0], bdims[0], 0, size)
    source = dict(zip(perm[1::2], perm[0::2]))
    a = aval_of(x)
    rest = a.shape[1:]
    pieces = []
    for j in range(size):
        if j in source:
            i = source[j]
            pieces.append(P.slice(x, start_indices=(i,) + (0,) * len(rest),
                                  limit_indices=(i + 1,) + rest, strides=(1,) * a.ndim))
        else:
            pieces.append(P.constant(value=splat_attr((1,) + rest, a.dtype, 0)))
    return [P.concatenate(*pieces, dimension=0)], [0]


# --- sharding -----------------------------------------------------------------------------------

# Only inside a shard_map body, which is per-device code that propagation does not enter.
forward_rule(P.axis_index, P.all_gather, P.psum_scatter, P.all_to_all)(unknown)


# --- lowering: the mesh comes from the enclosing shard_map -----------------------------------

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


def _extreme_region(name: str, region, t) -> None:
    st = scalar_type(t)
    binary_body(region, st, lambda a, b: create(name, [st], [a, b]).results[0])


@register(P.pmax, P.pmin)
def _lower_pextreme(op, params, operands, result_types):
    new = create("stablehlo.all_reduce", result_types, operands, _collective_attrs(op, params),
                 regions=1)
    name = "stablehlo.maximum" if op.operation.name == P.pmax.name else "stablehlo.minimum"
    _extreme_region(name, new.regions[0], result_types[0])
    return list(new.results)


@register(P.all_to_all)
def _lower_all_to_all(op, params, operands, result_types):
    attrs = _collective_attrs(op, params)
    del attrs["use_global_device_ids"]
    attrs.update(split_dimension=i64(params["split_axis"]),
                 concat_dimension=i64(params["concat_axis"]),
                 split_count=i64(params["axis_size"]))
    return list(create("stablehlo.all_to_all", result_types, operands, attrs).results)


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
