"""The rules of the callback ops (`dialect/callback.py`), as jax's callbacks have them.

JVP: a debug callback runs on the primals and has no tangents; pure and io callbacks have no
derivative (a pure one is differentiated through `custom_jvp`). Batching: a debug callback is
called once per batch element, a pure one as its `vmap_method` says, an unordered io callback
once per element. Results are replicated. Lowering: jaxlib's typed-FFI Python callback custom
call, whose `index` is the function's place in the module's `plait.host_callbacks` list;
ordered callbacks of one block are chained by a token.
"""

from __future__ import annotations

import numpy as np

from plait._mlir import ir
from plait.core.aval import aval_of
from plait.dialect import ops as P
from plait.dialect.callback import CPU_TARGET, HOST_CALLBACKS_ATTR, callback, pure_callback
from plait.lowering.stablehlo import create, register
from plait.transforms.base import fail
from plait.transforms.batch import batch_rule, move_bdim
from plait.transforms.jvp import jvp_rule
from plait.transforms.shard_propagate import forward_rule, unknown

# --- JVP ----------------------------------------------------------------------------------------

@jvp_rule(callback)
def _callback_jvp(ctx):
    if ctx.params["kind"] == "io":
        raise fail(ctx.op, "io_callback has no derivative (IO callbacks do not support JVP)")
    ctx.emit_primal()
    return []


@jvp_rule(pure_callback)
def _pure_callback_jvp(ctx):
    raise fail(ctx.op, "pure_callback has no derivative: wrap the function calling it in "
                       "plait.custom_jvp to give it one")


# --- batching -----------------------------------------------------------------------------------

def _element(x, bdim, i):
    """Element i of x along its batch dim (x itself when unbatched)."""
    if bdim is None:
        return x
    a = aval_of(x)
    start = [0] * a.ndim
    limit = list(a.shape)
    start[bdim], limit[bdim] = i, i + 1
    sliced = P.slice(x, start_indices=start, limit_indices=limit, strides=[1] * a.ndim)
    return P.reshape(sliced, new_sizes=a.shape[:bdim] + a.shape[bdim + 1:])


def _stack(values):
    return P.concatenate(*[P.reshape(v, new_sizes=(1,) + aval_of(v).shape) for v in values],
                         dimension=0)


def _sequential(ctx, opdef, params):
    """One call per batch element, in order; results stacked along a leading batch dim."""
    per_element = []
    for i in range(ctx.size):
        xs = [_element(x, b, i) for x, b in zip(ctx.operands, ctx.bdims)]
        per_element.append(opdef.build(xs, None, params)[0])
    n = len(ctx.op.results)
    return [_stack([outs[k] for outs in per_element]) for k in range(n)], [0] * n


def _batched_types(types, size):
    return tuple(a.update(shape=(size,) + a.shape) for a in types)


@batch_rule(callback)
def _callback_batch(ctx):
    if ctx.params.get("ordered") and ctx.params["kind"] == "io":
        raise fail(ctx.op, "an ordered io_callback cannot be vmapped")
    return _sequential(ctx, callback, ctx.params)


@batch_rule(pure_callback)
def _pure_callback_batch(ctx):
    params = ctx.params
    method = params.get("vmap_method")
    if method is None:
        raise fail(ctx.op, "pure_callback under vmap needs a vmap_method ('sequential', "
                           "'expand_dims' or 'broadcast_all')")
    if method == "sequential":
        return _sequential(ctx, pure_callback, params)
    xs = []
    for x, b in zip(ctx.operands, ctx.bdims):
        if b is not None:
            xs.append(move_bdim(x, b, 0, ctx.size))
        elif method == "broadcast_all":
            xs.append(move_bdim(x, None, 0, ctx.size))
        else:  # expand_dims: a leading axis of size 1
            xs.append(P.reshape(x, new_sizes=(1,) + aval_of(x).shape))
    params = dict(params, result_types=_batched_types(params["result_types"], ctx.size))
    results = pure_callback.build(xs, None, params)[0]
    return results, [0] * len(results)


# --- sharding: results follow from the callback, not its operands ------------------------------

forward_rule(callback, pure_callback)(unknown)


# --- lowering -----------------------------------------------------------------------------------

def _module_of(op: ir.Operation) -> ir.Operation:
    while op.name != "builtin.module":
        op = op.parent
    return op


def _host_index(op: ir.Operation, callback_id: int) -> int:
    """A new place in the module's list of host callbacks, for this call of `callback_id`
    (each call checks its own result types)."""
    attrs = _module_of(op).attributes
    ids = []
    if HOST_CALLBACKS_ATTR in attrs:
        a = ir.DenseI64ArrayAttr(attrs[HOST_CALLBACKS_ATTR])
        ids = [a[i] for i in range(len(a))]
    attrs[HOST_CALLBACKS_ATTR] = ir.DenseI64ArrayAttr.get(ids + [callback_id])
    return len(ids)


def _layouts(types) -> ir.ArrayAttr:
    """Row-major layouts (minor to major), as jax gives its callbacks."""
    out = []
    for t in types:
        rank = t.rank if isinstance(t, ir.RankedTensorType) else 0
        out.append(ir.DenseElementsAttr.get(np.arange(rank - 1, -1, -1, dtype=np.int64),
                                            type=ir.IndexType.get()))
    return ir.ArrayAttr.get(out)


def _token_type() -> ir.Type:
    return ir.Type.parse("!stablehlo.token")


def _last_token(op: ir.Operation):
    """The token of the last ordered callback before `op` in its block (lowered already),
    or a new one."""
    token = None
    for o in op.block.operations:
        o = o.operation
        if o == op:
            break
        if (o.name == "stablehlo.custom_call" and len(o.results)
                and o.results[0].type == _token_type()
                and ir.StringAttr(o.attributes["call_target_name"]).value == CPU_TARGET):
            token = o.results[0]
    if token is None:
        token = create("stablehlo.after_all", [_token_type()], []).results[0]
    return token


MAXIMAL_MESH = "maximal_mesh_0"


def _on_device_0(op: ir.Operation, call) -> None:
    """In a program partitioned over a mesh, a callback runs once, on device 0 (as jax's);
    inside a shard_map, once per device."""
    parent = op.parent
    while parent.name != "builtin.module":
        if parent.name in ("plait.shard_map", "sdy.manual_computation"):
            return
        parent = parent.parent
    body = parent.regions[0].blocks[0]
    meshes = [o for o in body.operations if o.operation.name == "sdy.mesh"]
    if not meshes:
        return
    if not any(ir.StringAttr(m.operation.attributes["sym_name"]).value == MAXIMAL_MESH
               for m in meshes):
        mesh = ir.Operation.parse(f"sdy.mesh @{MAXIMAL_MESH} = <[], device_ids=[0]>")
        ir.InsertionPoint.at_block_begin(body).insert(mesh)
    n = max(len(call.results), 1)
    call.attributes["sdy.sharding"] = ir.Attribute.parse(
        "#sdy.sharding_per_value<[" + ", ".join([f"<@{MAXIMAL_MESH}, []>"] * n) + "]>")


def _custom_call(op, params, operands, result_types, side_effect: bool):
    index = _host_index(op.operation, params["callback"])
    ordered = bool(params.get("ordered"))
    if ordered:
        operands = [_last_token(op.operation), *operands]
        result_types = [_token_type(), *result_types]
    ui64 = ir.IntegerType.get_unsigned(64)
    call = create("stablehlo.custom_call", result_types, operands, {
        "call_target_name": ir.StringAttr.get(CPU_TARGET),
        "api_version": ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 4),
        "has_side_effect": ir.BoolAttr.get(side_effect),
        "backend_config": ir.DictAttr.get({"index": ir.IntegerAttr.get(ui64, index)}),
        "operand_layouts": _layouts([v.type for v in operands]),
        "result_layouts": _layouts(result_types),
    })
    _on_device_0(op.operation, call)
    results = list(call.results)
    return results[1:] if ordered else results


@register(callback)
def _lower_callback(op, params, operands, result_types):
    return _custom_call(op, params, operands, result_types, side_effect=True)


@register(pure_callback)
def _lower_pure_callback(op, params, operands, result_types):
    return _custom_call(op, params, operands, result_types, side_effect=False)
