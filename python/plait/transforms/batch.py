"""plait-batch: vectorizing map, one batching rule per op (`batch_rules`).

`"plait.vmap"(%args) {callee = @f, in_axes, out_axes, axis_size}` becomes a call of a
generated `@f_vmap` that computes @f for every index of a new axis at once. The pass tracks
where each value's batch dimension is (`bdim`, None when the value does not depend on a
batched input): unbatched ops are plain clones, and a rule moves batch dimensions only where
an op needs it.

    rule(operands, bdims, size, **params) -> (results, result bdims)
"""

from __future__ import annotations

from plait._mlir import ir
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect import transform as T
from plait.dialect.base import rule_registrar, splat_attr
from plait.dialect.builders import full_like
from plait.dialect.elementwise import BINARY, UNARY
from plait.dialect.transform import batched_type
from plait.ir.funcs import (
    clone_into,
    finish_func,
    function_type,
    new_func,
    return_op,
)
from plait.ir.sharding import dims_of, sharding_attr
from plait.transforms.base import Pass, fail
from plait.transforms.expand import ModuleState, body_ops, callee_of, emit_call, require_body
from plait.transforms.jvp import expand_all

batch_rules: dict = {}
# Rules of region ops, which generate functions: rule(state, op, operands, bdims, size,
# axis_name) -> (results, bdims). Registered by transforms/regions.py.
region_batch_rules: dict = {}


defbatch = rule_registrar(batch_rules)


# --- moving batch dimensions ------------------------------------------------------------------

def move_bdim(x: ir.Value, src, dst: int, size: int) -> ir.Value:
    """x with its batch dim at `dst` (an unbatched x is broadcast along a new axis)."""
    a = aval_of(x)
    if src is None:
        shape = list(a.shape)
        shape.insert(dst, size)
        dims = [d if d < dst else d + 1 for d in range(a.ndim)]
        return P.broadcast_in_dim(x, shape=tuple(shape), broadcast_dimensions=tuple(dims))
    if src == dst:
        return x
    perm = [d for d in range(a.ndim) if d != src]
    perm.insert(dst, src)
    return P.transpose(x, permutation=tuple(perm))


def _shift(axes, bdim):
    """Operand axes of the unbatched op, as axes of the batched operand."""
    return tuple(a if a < bdim else a + 1 for a in axes)


# --- rules ------------------------------------------------------------------------------------

def _elementwise(op):
    """All batched operands share one batch dim (the first's); unbatched ones are broadcast."""

    def rule(operands, bdims, size, **params):
        b = next(d for d in bdims if d is not None)
        xs = [move_bdim(x, d, b, size) for x, d in zip(operands, bdims)]
        return [op(*xs, **params)], [b]
    return rule


for _op in UNARY + BINARY + [P.complex, P.compare, P.select, P.clamp, P.convert]:
    batch_rules[_op.name] = _elementwise(_op)


@defbatch(P.broadcast_in_dim)
def _broadcast_b(operands, bdims, size, shape, broadcast_dimensions):
    """The batch dim goes right before the result dim of the operand dim that followed it
    (after the last one's, if it was last): no transpose, and the batch dim stays where the
    elementwise ops around the broadcast have it."""
    b, bd = bdims[0], tuple(broadcast_dimensions)
    ob = bd[b] if b < len(bd) else (bd[-1] + 1 if bd else 0)
    dims = tuple(d if d < ob else d + 1 for d in bd)
    out_shape = tuple(shape[:ob]) + (size,) + tuple(shape[ob:])
    return [P.broadcast_in_dim(operands[0], shape=out_shape,
                               broadcast_dimensions=dims[:b] + (ob,) + dims[b:])], [ob]


@defbatch(P.reshape)
def _reshape_b(operands, bdims, size, new_sizes):
    x = move_bdim(operands[0], bdims[0], 0, size)
    return [P.reshape(x, new_sizes=(size,) + tuple(new_sizes))], [0]


@defbatch(P.transpose)
def _transpose_b(operands, bdims, size, permutation):
    b = bdims[0]
    perm = (b,) + tuple(p if p < b else p + 1 for p in permutation)
    return [P.transpose(operands[0], permutation=perm)], [0]


def _reduce_rule(op):
    def rule(operands, bdims, size, axes):
        b = bdims[0]
        out_b = b - sum(1 for a in axes if a < b)
        return [op(operands[0], axes=_shift(axes, b))], [out_b]
    return rule


for _op in (P.reduce_sum, P.reduce_prod, P.reduce_max, P.reduce_min, P.reduce_and, P.reduce_or):
    batch_rules[_op.name] = _reduce_rule(_op)


def _arg_rule(op):
    def rule(operands, bdims, size, axis, index_dtype):
        b = bdims[0]
        # operand axis `axis` is batched-operand axis axis + 1 from b on; removing it moves
        # the batch dim down only when it came before b
        return [op(operands[0], axis=axis if axis < b else axis + 1,
                   index_dtype=index_dtype)], [b if axis >= b else b - 1]
    return rule


batch_rules[P.argmax.name] = _arg_rule(P.argmax)
batch_rules[P.argmin.name] = _arg_rule(P.argmin)


@defbatch(P.cumsum)
def _cumsum_b(operands, bdims, size, axis, reverse=False):
    b = bdims[0]
    return [P.cumsum(operands[0], axis=axis if axis < b else axis + 1, reverse=reverse)], [b]


@defbatch(P.rev)
def _rev_b(operands, bdims, size, dimensions):
    return [P.rev(operands[0], dimensions=_shift(dimensions, bdims[0]))], [bdims[0]]


@defbatch(P.slice)
def _slice_b(operands, bdims, size, start_indices, limit_indices, strides):
    b = bdims[0]
    ins = lambda t, v: tuple(t[:b]) + (v,) + tuple(t[b:])
    return [P.slice(operands[0], start_indices=ins(start_indices, 0),
                    limit_indices=ins(limit_indices, size), strides=ins(strides, 1))], [b]


@defbatch(P.pad)
def _pad_b(operands, bdims, size, edge_padding_low, edge_padding_high, interior_padding):
    (x, v), (bx, bv) = operands, bdims
    b = bx if bx is not None else 0
    x = move_bdim(x, bx, b, size)
    ins = lambda t: tuple(t[:b]) + (0,) + tuple(t[b:])
    cfg = dict(edge_padding_low=ins(edge_padding_low), edge_padding_high=ins(edge_padding_high),
               interior_padding=ins(interior_padding))
    if bv is None:
        return [P.pad(x, v, **cfg)], [b]
    # a batched padding value: pad with zeros, then select the value where padding went
    zero = P.constant(value=splat_attr((), aval_of(x).dtype, 0))
    padded = P.pad(x, zero, **cfg)
    inside = P.pad(full_like(x, 1), zero, **cfg)
    is_pad = P.compare(inside, full_like(inside, 0), direction="EQ")
    vb = P.broadcast_in_dim(v, shape=aval_of(padded).shape, broadcast_dimensions=(b,))
    return [P.select(is_pad, vb, padded)], [b]


@defbatch(P.concatenate)
def _concatenate_b(operands, bdims, size, dimension):
    b = next(d for d in bdims if d is not None)
    xs = [move_bdim(x, d, b, size) for x, d in zip(operands, bdims)]
    return [P.concatenate(*xs, dimension=dimension if dimension < b else dimension + 1)], [b]


@defbatch(P.dot_general)
def _dot_general_b(operands, bdims, size, lhs_batching_dimensions, rhs_batching_dimensions,
                   lhs_contracting_dimensions, rhs_contracting_dimensions):
    (a, b), (ba, bb) = operands, bdims
    lb, rb = lhs_batching_dimensions, rhs_batching_dimensions
    lc, rc = lhs_contracting_dimensions, rhs_contracting_dimensions
    if ba is not None and bb is not None:
        out = P.dot_general(a, b, lhs_batching_dimensions=(ba,) + _shift(lb, ba),
                            rhs_batching_dimensions=(bb,) + _shift(rb, bb),
                            lhs_contracting_dimensions=_shift(lc, ba),
                            rhs_contracting_dimensions=_shift(rc, bb))
        return [out], [0]
    if ba is not None:
        lhs_free = [d for d in range(aval_of(a).ndim)
                    if d not in _shift(lb, ba) and d not in _shift(lc, ba)]
        out = P.dot_general(a, b, lhs_batching_dimensions=_shift(lb, ba),
                            rhs_batching_dimensions=rb, lhs_contracting_dimensions=_shift(lc, ba),
                            rhs_contracting_dimensions=rc)
        return [out], [len(lb) + lhs_free.index(ba)]
    rhs_free = [d for d in range(aval_of(b).ndim)
                if d not in _shift(rb, bb) and d not in _shift(rc, bb)]
    lhs_free = aval_of(a).ndim - len(lb) - len(lc)
    out = P.dot_general(a, b, lhs_batching_dimensions=lb, rhs_batching_dimensions=_shift(rb, bb),
                        lhs_contracting_dimensions=lc, rhs_contracting_dimensions=_shift(rc, bb))
    return [out], [len(lb) + lhs_free + rhs_free.index(bb)]


def _index_vector(indices, bdims, size):
    """Scalar start indices (some batched) as a batched index matrix (size, n)."""
    dt = aval_of(indices[0]).dtype
    cols = []
    for i, d in zip(indices, bdims):
        i = P.convert(i, new_dtype=dt) if aval_of(i).dtype != dt else i
        col = move_bdim(i, d, 0, size)
        cols.append(P.reshape(col, new_sizes=(size, 1)))
    return P.concatenate(*cols, dimension=1) if len(cols) > 1 else cols[0]


@defbatch(P.dynamic_slice)
def _dynamic_slice_b(operands, bdims, size, slice_sizes):
    (x, *idx), (bx, *bi) = operands, bdims
    if all(d is None for d in bi):
        zero = _index_zero(idx)
        b = bx
        starts = idx[:b] + [zero] + idx[b:]
        sizes = tuple(slice_sizes[:b]) + (size,) + tuple(slice_sizes[b:])
        return [P.dynamic_slice(x, *starts, slice_sizes=sizes)], [b]
    x = move_bdim(x, bx, 0, size)
    n = len(idx)
    vec = _index_vector(idx, bi, size)
    out = P.gather(x, vec, offset_dims=tuple(range(1, n + 1)), collapsed_slice_dims=(),
                   operand_batching_dims=(0,), start_indices_batching_dims=(0,),
                   start_index_map=tuple(range(1, n + 1)), index_vector_dim=1,
                   slice_sizes=(1,) + tuple(slice_sizes))
    return [out], [0]


def _index_zero(idx):
    return full_like(idx[0], 0)


@defbatch(P.dynamic_update_slice)
def _dus_b(operands, bdims, size):
    (x, u, *idx), (bx, bu, *bi) = operands, bdims
    if all(d is None for d in bi):
        b = bx if bx is not None else bu
        x, u = move_bdim(x, bx, b, size), move_bdim(u, bu, b, size)
        zero = _index_zero(idx)
        return [P.dynamic_update_slice(x, u, *(idx[:b] + [zero] + idx[b:]))], [b]
    x, u = move_bdim(x, bx, 0, size), move_bdim(u, bu, 0, size)
    xa, ua = aval_of(x), aval_of(u)
    # clamp starts so the update fits, as dynamic_update_slice does, then scatter
    clamped = []
    for k, i in enumerate(idx):
        hi = full_like(i, xa.shape[k + 1] - ua.shape[k + 1])
        clamped.append(P.clamp(full_like(i, 0), i, hi))
    vec = _index_vector(clamped, bi, size)
    n = len(idx)
    out = P.scatter(x, vec, u, mode="set", update_window_dims=tuple(range(1, n + 1)),
                    inserted_window_dims=(), input_batching_dims=(0,),
                    scatter_indices_batching_dims=(0,),
                    scatter_dims_to_operand_dims=tuple(range(1, n + 1)), index_vector_dim=1)
    return [out], [0]


@defbatch(P.gather)
def _gather_b(operands, bdims, size, offset_dims, collapsed_slice_dims, operand_batching_dims,
              start_indices_batching_dims, start_index_map, index_vector_dim, slice_sizes,
              indices_are_sorted=False):
    (x, idx), (bx, bi) = operands, bdims
    inc = lambda t: tuple(d + 1 for d in t)
    common = dict(offset_dims=inc(offset_dims), indices_are_sorted=indices_are_sorted)
    if bi is None:
        x = move_bdim(x, bx, 0, size)
        out = P.gather(x, idx, offset_dims=(0,) + inc(offset_dims),
                       collapsed_slice_dims=inc(collapsed_slice_dims),
                       operand_batching_dims=inc(operand_batching_dims),
                       start_indices_batching_dims=start_indices_batching_dims,
                       start_index_map=inc(start_index_map), index_vector_dim=index_vector_dim,
                       slice_sizes=(size,) + tuple(slice_sizes),
                       indices_are_sorted=indices_are_sorted)
        return [out], [0]
    idx = move_bdim(idx, bi, 0, size)
    if bx is None:
        out = P.gather(x, idx, collapsed_slice_dims=collapsed_slice_dims,
                       operand_batching_dims=operand_batching_dims,
                       start_indices_batching_dims=inc(start_indices_batching_dims),
                       start_index_map=start_index_map, index_vector_dim=index_vector_dim + 1,
                       slice_sizes=slice_sizes, **common)
        return [out], [0]
    x = move_bdim(x, bx, 0, size)
    out = P.gather(x, idx, collapsed_slice_dims=inc(collapsed_slice_dims),
                   operand_batching_dims=(0,) + inc(operand_batching_dims),
                   start_indices_batching_dims=(0,) + inc(start_indices_batching_dims),
                   start_index_map=inc(start_index_map), index_vector_dim=index_vector_dim + 1,
                   slice_sizes=(1,) + tuple(slice_sizes), **common)
    return [out], [0]


@defbatch(P.scatter)
def _scatter_b(operands, bdims, size, **p):
    (x, idx, u), (bx, bi, bu) = operands, bdims
    inc = lambda t: tuple(d + 1 for d in t)
    x, u = move_bdim(x, bx, 0, size), move_bdim(u, bu, 0, size)
    params = dict(mode=p["mode"], update_window_dims=inc(p["update_window_dims"]),
                  inserted_window_dims=inc(p["inserted_window_dims"]),
                  scatter_dims_to_operand_dims=inc(p["scatter_dims_to_operand_dims"]),
                  indices_are_sorted=p.get("indices_are_sorted"),
                  unique_indices=p.get("unique_indices"))
    if bi is None:
        # the batch dim is one more window dim of every update
        out = P.scatter(x, idx, u, update_window_dims=(0,) + params.pop("update_window_dims"),
                        input_batching_dims=inc(p["input_batching_dims"]),
                        scatter_indices_batching_dims=p["scatter_indices_batching_dims"],
                        index_vector_dim=p["index_vector_dim"], **params)
        return [out], [0]
    idx = move_bdim(idx, bi, 0, size)
    out = P.scatter(x, idx, u, input_batching_dims=(0,) + inc(p["input_batching_dims"]),
                    scatter_indices_batching_dims=(0,) + inc(p["scatter_indices_batching_dims"]),
                    index_vector_dim=p["index_vector_dim"] + 1, **params)
    return [out], [0]


# collectives: over the vmapped axis they become reductions and reshapes of the batch dim

_AXIS: list[str] = []  # the axis name of the vmap being expanded


def _collective(matching):
    """Rule of a collective: `matching` when it names the vmapped axis; otherwise the op
    works member by member of that axis, with the batch dim kept in front."""

    def rule(operands, bdims, size, **params):
        if params["axis_name"] == _AXIS[-1]:
            return matching(operands, bdims, size, **params)
        op = OPS[rule.op_name]
        x = move_bdim(operands[0], bdims[0], 0, size)
        if "axis" in params:
            params = {**params, "axis": params["axis"] + 1}
        if "scatter_dimension" in params:
            params = {**params, "scatter_dimension": params["scatter_dimension"] + 1}
        return [op(x, **params)], [0]
    return rule


def defcollective(op):
    def deco(fn):
        rule = _collective(fn)
        rule.op_name = op.name
        batch_rules[op.name] = rule
        return fn
    return deco


@defcollective(P.psum)
def _psum_b(operands, bdims, size, axis_name):
    (x,), (b,) = operands, bdims
    if b is None:  # every member holds the same x
        return [P.mul(x, full_like(x, size))], [None]
    return [P.reduce_sum(x, axes=(b,))], [None]


@defcollective(P.all_gather)
def _all_gather_b(operands, bdims, size, axis_name, axis, axis_size, tiled=False):
    x = move_bdim(operands[0], bdims[0], axis, size)
    if tiled:
        shape = list(aval_of(x).shape)
        shape[axis:axis + 2] = [shape[axis] * shape[axis + 1]]
        x = P.reshape(x, new_sizes=tuple(shape))
    return [x], [None]


@defcollective(P.psum_scatter)
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


@defcollective(P.ppermute)
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


def _binds_axis(op, axis_name: str) -> bool:
    return "axis_name" in op.attributes and \
        ir.StringAttr(op.attributes["axis_name"]).value == axis_name and \
        op.name in _COLLECTIVE_NAMES


_COLLECTIVE_NAMES = {P.psum.name, P.all_gather.name, P.psum_scatter.name, P.ppermute.name,
                     P.axis_index.name}


@defbatch(P.sharding_constraint)
def _sharding_constraint_b(operands, bdims, size, sharding):
    """The batch dimension is not sharded."""
    b = bdims[0]
    dims = list(dims_of(sharding))
    dims.insert(b, ())
    return [P.sharding_constraint(operands[0], sharding=sharding_attr(dims))], [b]


# --- building the batched function ------------------------------------------------------------

def batch_function(state: ModuleState, callee: str, in_bdims: tuple, size: int,
                   axis_name: str = "", force_out=False) -> tuple:
    """Generate `@<callee>_vmap`; returns (name, batch dim of each result or None).

    `force_out` (True, or a bool per result) moves results to batch dim 0, broadcasting
    unbatched ones, so that several batched bodies (branches, loop steps) agree."""
    key = ("vmap", callee, tuple(in_bdims), size, axis_name, force_out)
    if key in state.memo:
        if state.memo[key] is None:
            raise fail(state.funcs[callee], f"@{callee} calls itself; a recursive function "
                                            "cannot be batched")
        return state.memo[key]
    state.memo[key] = None  # in progress: a call back into @callee is recursion
    f = require_body(state, callee)
    ftype = function_type(f)
    old_args = list(f.regions[0].blocks[0].arguments)
    arg_types = [t if d is None else batched_type(t, d, size, OPS["plait.vmap"])
                 for t, d in zip(ftype.inputs, in_bdims)]
    name = state.unique_name(f"{callee}_vmap")
    g, block = new_func(state.module, name, arg_types, f.location)
    if force_out is True:  # results known up front: a custom rule may name itself (custom.py)
        state.memo[key] = (name, (0,) * len(ftype.results))
    mapping = dict(zip(old_args, block.arguments))
    bdims = {v: d for v, d in zip(old_args, in_bdims) if d is not None}
    ip = ir.InsertionPoint(block)
    _AXIS.append(axis_name)
    try:
        for op in body_ops(f):
            if op.name == P.axis_index.name and _binds_axis(op, axis_name):
                with ip, op.location:
                    mapping[op.results[0]] = P.iota(shape=(size,), dtype=dtypes.int32,
                                                    dimension=0)
                bdims[op.results[0]] = 0
                continue
            if not any(v in bdims for v in op.operands) and not _binds_axis(op, axis_name):
                clone_into(op, mapping, ip)
                continue
            with ip, op.location:
                outs, out_bdims = _batch_op(state, op, mapping, bdims, size)
            for r, new, d in zip(op.results, outs, out_bdims):
                mapping[r] = new
                if d is not None:
                    bdims[r] = d
    finally:
        _AXIS.pop()
    ret = return_op(f)
    results = [mapping.get(v, v) for v in ret.operands]
    out_bdims = tuple(bdims.get(v) for v in ret.operands)
    if force_out:
        force = [force_out] * len(results) if force_out is True else force_out
        with ip, ret.location:
            results = [move_bdim(v, d, 0, size) if fo else v
                       for v, d, fo in zip(results, out_bdims, force)]
        out_bdims = tuple(0 if fo else d for d, fo in zip(out_bdims, force))
    finish_func(g, block, results, ret.location)
    state.add(g)
    state.memo[key] = (name, out_bdims)
    return name, out_bdims


def _batch_op(state, op, mapping, bdims, size):
    operands = [mapping.get(v, v) for v in op.operands]
    in_bdims = [bdims.get(v) for v in op.operands]
    region_rule = region_batch_rules.get(op.name)
    if region_rule is not None:
        return region_rule(state, op, operands, in_bdims, size, _AXIS[-1])
    if op.name in ("plait.custom_jvp_call", "plait.custom_vjp_call"):
        return _batch_custom(state, op, operands, in_bdims, size)
    if op.name == "func.call":
        name, out_bdims = batch_function(state, callee_of(op), tuple(in_bdims), size, _AXIS[-1])
        ftype = function_type(state.funcs[name])
        call = ir.Operation.create("func.call", results=list(ftype.results), operands=operands,
                                   attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
        return list(call.results), list(out_bdims)
    rule = batch_rules.get(op.name)
    if rule is None:
        raise fail(op, f"'{op.name}' has no batching rule")
    params = {k: v for k, v in OPS[op.name].params_of(op).items() if v is not None}
    return rule(operands, in_bdims, size, **params)


def _batch_custom(state, op, operands, in_bdims, size):
    """A custom-rule call stays one: the function and each rule are batched alike, every
    operand and result with its batch dim in front (tangents and cotangents share the layout
    of their primals)."""
    xs = [move_bdim(x, d, 0, size) for x, d in zip(operands, in_bdims)]

    def batched(attr):
        name = ir.FlatSymbolRefAttr(op.attributes[attr]).value
        n_in = len(function_type(state.funcs[name]).inputs)
        return batch_function(state, name, (0,) * n_in, size, _AXIS[-1], force_out=True)[0]

    callee = batched("callee")
    if op.name == "plait.custom_jvp_call":
        rules, opdef = {"jvp": batched("jvp")}, T.custom_jvp_call
    else:
        rules, opdef = {"fwd": batched("fwd"), "bwd": batched("bwd")}, T.custom_vjp_call
    results = opdef.create(xs, function_type(state.funcs[callee]).results, callee=callee, **rules)
    return results, [0] * len(results)


def expand_vmap_op(state: ModuleState, op: ir.Operation) -> None:
    params = OPS[op.name].params_of(op)
    in_axes = tuple(None if a == -1 else a for a in params["in_axes"])
    size = params["axis_size"]
    name, out_bdims = batch_function(state, params["callee"], in_axes, size,
                                     params["axis_name"] or "")
    results = emit_call(state, op, name, list(op.operands),
                        function_type(state.funcs[name]).results)
    with ir.InsertionPoint(op), op.location:
        outs = []
        for k, (v, d, want) in enumerate(zip(results, out_bdims, params["out_axes"])):
            if want == -1:
                if d is not None:
                    raise fail(op, f"vmap output {k} depends on the mapped axis, but its "
                                   "out_axes is None; give it an integer out_axes")
                outs.append(v)
            else:
                outs.append(move_bdim(v, d, want, size))
    for old, new in zip(op.results, outs):
        old.replace_all_uses_with(new)
    op.erase()


class BatchPass(Pass):
    name = "plait-batch"
    summary = "Expand plait.vmap ops (innermost first) into calls of generated batched functions."

    def run(self, module):
        expand_all(module, {"plait.vmap": expand_vmap_op})

