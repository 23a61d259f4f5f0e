"""The rules of the sharding ops (`dialect/sharding.py`): sharding_constraint, and the region
op shard_map, whose body is transformed per device as cond's branches are (`rules/control.py`).
sharding_constraint's JVP follows from its Linear trait. Both seed plait-shard-propagate
rather than follow a rule; they lower to Shardy."""

from __future__ import annotations

from plait._mlir import ir, sdy
from plait.core import aval as _aval
from plait.core.aval import aval_of
from plait.dialect import ops as P
from plait.dialect.builders import full_like
from plait.dialect.sharding import axis_sizes, local_type, shard_map
from plait.ir.funcs import function_type
from plait.ir.sharding import dims_of, per_value_attr, per_value_dims, sharding_attr
from plait.lowering.stablehlo import create, move_body, register
from plait.rules.control import new_op, types_of
from plait.transforms.batch import batch_function, batch_rule, defbatch, move_bdim
from plait.transforms.expand import call, emit_yield, outline, region_block
from plait.transforms.jvp import jvp_function, jvp_rule
from plait.transforms.linearize import linearize_function
from plait.transforms.shard_propagate import forward_rule, unknown
from plait.transforms.transpose import deftranspose, is_linear, transpose_function, transpose_rule

# --- sharding_constraint ------------------------------------------------------------------------

@deftranspose(P.sharding_constraint)
def _sharding_constraint_t(cts, operands, sharding):
    return [P.sharding_constraint(cts[0], sharding=sharding)]


@defbatch(P.sharding_constraint)
def _sharding_constraint_b(operands, bdims, size, sharding):
    """The batch dimension is not sharded."""
    b = bdims[0]
    dims = list(dims_of(sharding))
    dims.insert(b, ())
    return [P.sharding_constraint(operands[0], sharding=sharding_attr(dims))], [b]


# Seeds of plait-shard-propagate: what they say is given, not derived from their operands.
forward_rule(P.sharding_constraint, shard_map)(unknown)


# --- shard_map --------------------------------------------------------------------------------

def _sm(p):
    """(mesh axis sizes, in dims per operand, out dims per result, mesh) of a shard_map, from
    its parameters."""

    return (axis_sizes(p["mesh_axes"]), per_value_dims(p["in_shardings"]),
            per_value_dims(p["out_shardings"]), p["mesh_axes"])


def _new_shard_map(operands, result_types, in_dims, out_dims, mesh_axes):
    return new_op(shard_map, operands, result_types, 1, in_shardings=per_value_attr(in_dims),
                   out_shardings=per_value_attr(out_dims), mesh_axes=mesh_axes)


def _localtypes_of(values_or_types, dims_list, sizes):
    return [local_type(t if isinstance(t, ir.Type) else t.type, d, sizes)
            for t, d in zip(values_or_types, dims_list)]


def _residual_dims(t: ir.Type, sizes) -> tuple:
    """Residuals leave a shard_map as one block per device along dimension 0."""
    rank = max(_aval.aval_of_type(t).ndim, 1)
    return (tuple(sizes),) + ((),) * (rank - 1)


def _as_rank1(v):
    a = aval_of(v)
    return P.reshape(v, new_sizes=(1,)) if a.ndim == 0 else v


def _global_residual_type(t: ir.Type, sizes) -> ir.Type:
    a = _aval.aval_of_type(t)
    shape = a.shape if a.ndim else (1,)
    n = 1
    for s in sizes.values():
        n *= s
    return _aval.ir_type(a.update(shape=(shape[0] * n,) + tuple(shape[1:])))


@jvp_rule(shard_map)
def _jvp_shard_map(ctx):
    """Like cond. Forward mode: one shard_map of the body's JVP. Split form: a primal
    shard_map that also returns its residuals (one block per device) and a tangent shard_map
    applying the body's linear half to them."""

    state, op = ctx.state, ctx.op
    sizes, in_dims, out_dims, mesh_axes = _sm(ctx.params)
    new, tangents = ctx.primals, ctx.tangents
    diff = tuple(i for i, t in enumerate(tangents) if t is not None)
    n_out = len(op.results)
    body = outline(state, op.regions[0], "shard_map_body")
    if not ctx.linearizing:
        return _jvp_shard_map_fused(ctx, body, diff)
    fwd, lin, n_res = linearize_function(state, body, diff, tuple(range(n_out)))
    res_local = list(function_type(state.funcs[fwd]).results)[n_out:]
    res_dims = [_residual_dims(t, sizes) for t in res_local]
    res_global = [_global_residual_type(t, sizes) for t in res_local]
    loc = op.location
    primal = _new_shard_map(new, types_of(op.results) + res_global, in_dims, out_dims + res_dims,
                            mesh_axes)
    block = region_block(primal.regions[0], _localtypes_of(new, in_dims, sizes), loc)
    with ir.InsertionPoint(block), loc:
        outs = call(state, fwd, block.arguments)
        emit_yield(outs[:n_out] + [_as_rank1(v) for v in outs[n_out:]])
    ctx.set_primal(primal.results)
    residuals = list(primal.results)[n_out:]
    t_args = [tangents[i] for i in diff]
    t_in_dims = res_dims + [in_dims[i] for i in diff]
    tangent = _new_shard_map(residuals + t_args, types_of(op.results), t_in_dims, out_dims,
                             mesh_axes)
    block = region_block(tangent.regions[0], _localtypes_of(residuals + t_args, t_in_dims, sizes),
                         loc)
    b = list(block.arguments)
    with ir.InsertionPoint(block), loc:
        res = [P.reshape(v, new_sizes=()) if _aval.aval_of_type(t).ndim == 0 else v
               for v, t in zip(b[:n_res], res_local)]
        emit_yield(call(state, lin, res + b[n_res:]))
    return list(tangent.results)


def _jvp_shard_map_fused(ctx, body, diff):
    """Tangents enter and leave sharded as their primals."""

    state, op = ctx.state, ctx.op
    sizes, in_dims, out_dims, mesh_axes = _sm(ctx.params)
    tangents = ctx.tangents
    operands = ctx.primals + [tangents[i] for i in diff]
    body_jvp = jvp_function(state, body, diff)
    nonzero = state.memo[("jvp_nonzero", body_jvp)]
    n_out = len(op.results)
    t_out = [i for i in range(n_out) if nonzero[i]]
    out_types = types_of(op.results)
    t_in_dims = list(in_dims) + [in_dims[i] for i in diff]
    s = _new_shard_map(operands, out_types + [out_types[i] for i in t_out], t_in_dims,
                       list(out_dims) + [out_dims[i] for i in t_out], mesh_axes)
    loc = op.location
    block = region_block(s.regions[0], _localtypes_of(operands, t_in_dims, sizes), loc)
    with ir.InsertionPoint(block), loc:
        outs = call(state, body_jvp, block.arguments)
        emit_yield(outs[:n_out] + [outs[n_out + i] for i in t_out])
    res = list(s.results)
    ctx.set_primal(res[:n_out])
    out_tangents = [None] * n_out
    for j, i in enumerate(t_out):
        out_tangents[i] = res[n_out + j]
    return out_tangents


@transpose_rule(shard_map)
def _transpose_shard_map(ctx):
    """The body transposed per device. A cotangent arriving for a result replicated over some
    mesh axes reaches every device of those axes, so it is divided by their size; a
    cotangent leaving for an operand replicated over some axes is summed over them."""

    state, op, cts, operands = ctx.state, ctx.op, ctx.cts, ctx.operands
    sizes, in_dims, out_dims, mesh_axes = _sm(ctx.params)
    lin_idx = tuple(i for i, x in enumerate(operands) if is_linear(x))
    consts = [x for x in operands if not is_linear(x)]
    const_dims = [d for x, d in zip(operands, in_dims) if not is_linear(x)]
    body = outline(state, op.regions[0], "shard_map_lin")
    body_t = transpose_function(state, body, lin_idx)
    lin_types = [_aval.ir_type(operands[i].aval) for i in lin_idx]
    lin_dims = [in_dims[i] for i in lin_idx]
    t_in = const_dims + out_dims
    t = _new_shard_map(consts + list(cts), lin_types, t_in, lin_dims, mesh_axes)
    loc = op.location
    block = region_block(t.regions[0], _localtypes_of(consts + list(cts), t_in, sizes), loc)
    b = list(block.arguments)
    nc = len(consts)
    with ir.InsertionPoint(block), loc:
        scaled = []
        for v, dims in zip(b[nc:], out_dims):
            n = _replication(dims, sizes)
            scaled.append(P.div(v, full_like(v, n)) if n > 1 else v)
        outs = call(state, body_t, b[:nc] + scaled)
        summed = []
        for v, dims in zip(outs, lin_dims):
            used = {a for d in dims for a in d}
            for axis in sizes:
                if axis not in used:
                    v = P.psum(v, axis_name=axis)
            summed.append(v)
        emit_yield(summed)
    res = iter(t.results)
    return [next(res) if is_linear(x) else None for x in operands]


def _replication(dims, sizes) -> int:
    used = {a for d in dims for a in d}
    n = 1
    for a, s in sizes.items():
        if a not in used:
            n *= s
    return n


@batch_rule(shard_map)
def _batch_shard_map(ctx):
    """The batch dimension leads every batched operand and result, unsharded."""

    state, op, operands, bdims, size = ctx.state, ctx.op, ctx.operands, ctx.bdims, ctx.size
    sizes, in_dims, out_dims, mesh_axes = _sm(ctx.params)
    xs = [x if d is None else move_bdim(x, d, 0, size) for x, d in zip(operands, bdims)]
    new_in = [d if b is None else ((),) + tuple(d) for d, b in zip(in_dims, bdims)]
    body = outline(state, op.regions[0], "shard_map_body")
    in_b = tuple(None if b is None else 0 for b in bdims)
    inner_name = "" if ctx.axis_name in sizes else ctx.axis_name  # a mesh axis shadows the vmap's
    name, _ = batch_function(state, body, in_b, size, inner_name, force_out=True)
    new_out = [((),) + tuple(d) for d in out_dims]
    out_types = []
    for r in op.results:
        a = _aval.aval_of_type(r.type)
        out_types.append(_aval.ir_type(a.update(shape=(size,) + a.shape)))
    s = _new_shard_map(xs, out_types, new_in, new_out, mesh_axes)
    loc = op.location
    block = region_block(s.regions[0], _localtypes_of(xs, new_in, sizes), loc)
    with ir.InsertionPoint(block), loc:
        emit_yield(call(state, name, block.arguments))
    return list(s.results), [0] * len(out_types)


# --- lowering to Shardy -------------------------------------------------------------------------

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
