"""plait-transpose: reverse mode, step 2 — transpose linear functions (`transpose_rules`).

`"plait.linear_transpose"(%consts..., %out_cts...) {callee = @lin, linear_args}` becomes a call of
a generated `@lin_T(consts..., out_cts...) -> linear arg cts...`. The ops of @lin that do not
depend on a linear argument are re-emitted forward; the linear ones are walked backwards,
each rule mapping its results' cotangents to its linear operands' cotangents:

    rule(cts, operands, **params) -> [cotangent per operand, or None]

where a linear operand is passed as `Undefined(aval)` and a constant one as its value.
`None` is a symbolic zero: an op whose results all have zero cotangents is skipped.
"""

from __future__ import annotations

import numpy as np

from plait._mlir import ir
from plait.core import dtypes
from plait.core.aval import ShapedArray, aval_of, aval_of_type, ir_type
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect import transform as T
from plait.dialect.base import rule_registrar, splat_attr
from plait.dialect.builders import add_any, full_like
from plait.ir.funcs import (
    clone_into,
    finish_func,
    function_type,
    new_func,
    return_op,
)
from plait.transforms.base import Pass, fail
from plait.transforms.expand import ModuleState, body_ops, replace_with_call, require_body
from plait.transforms.inline import inline_calls_in
from plait.transforms.jvp import expand_all

transpose_rules: dict = {}
# Rules of region ops: rule(cts, operands, state, op) -> cts. Registered by regions.py.
region_transpose_rules: dict = {}


class Undefined:
    """A linear operand of the op being transposed (its value is what we solve for)."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval


def is_linear(x) -> bool:
    return isinstance(x, Undefined)


deftranspose = rule_registrar(transpose_rules)


def _zeros(aval: ShapedArray) -> ir.Value:
    if dtypes.is_complex(aval.dtype):
        re = P.constant(value=splat_attr(aval.shape, dtypes.real_dtype(aval.dtype), 0))
        return P.complex(re, re)
    return P.constant(value=splat_attr(aval.shape, aval.dtype, 0))


def _value_or_zeros(x, aval):
    return x if x is not None else _zeros(aval)


# --- rules ------------------------------------------------------------------------------------

@deftranspose(P.neg)
def _neg_t(cts, operands):
    return [P.neg(cts[0])]


@deftranspose(P.add)
def _add_t(cts, operands):
    return [cts[0] if is_linear(x) else None for x in operands]


@deftranspose(P.sub)
def _sub_t(cts, operands):
    x, y = operands
    return [cts[0] if is_linear(x) else None, P.neg(cts[0]) if is_linear(y) else None]


@deftranspose(P.mul)
def _mul_t(cts, operands):
    x, y = operands
    if is_linear(x) and is_linear(y):
        raise TypeError("plait.mul of two linear values is not linear")
    return [P.mul(cts[0], y) if is_linear(x) else None,
            P.mul(x, cts[0]) if is_linear(y) else None]


@deftranspose(P.div)
def _div_t(cts, operands):
    x, y = operands
    if is_linear(y):
        raise TypeError("plait.div is linear only in its numerator")
    return [P.div(cts[0], y), None]


@deftranspose(P.convert)
def _convert_t(cts, operands, new_dtype):
    (x,) = operands
    ct = cts[0]
    src = x.aval.dtype
    if dtypes.is_complex(new_dtype) and not dtypes.is_complex(src):
        ct = P.real(ct)
        return [P.convert(ct, new_dtype=src) if aval_of(ct).dtype != src else ct]
    return [P.convert(ct, new_dtype=src)]


@deftranspose(P.real)
def _real_t(cts, operands):
    (ct,) = cts
    return [P.complex(ct, full_like(ct, 0))]


@deftranspose(P.imag)
def _imag_t(cts, operands):
    (ct,) = cts
    return [P.complex(full_like(ct, 0), P.neg(ct))]


@deftranspose(P.complex)
def _complex_t(cts, operands):
    (ct,) = cts
    re, im = operands
    return [P.real(ct) if is_linear(re) else None, P.neg(P.imag(ct)) if is_linear(im) else None]


@deftranspose(P.broadcast_in_dim)
def _broadcast_t(cts, operands, shape, broadcast_dimensions):
    (x,) = operands
    (ct,) = cts
    new_dims = [d for d in range(len(shape)) if d not in broadcast_dimensions]
    stretched = [d for i, d in enumerate(broadcast_dimensions)
                 if x.aval.shape[i] == 1 and shape[d] != 1]
    summed = P.reduce_sum(ct, axes=tuple(sorted(new_dims + stretched)))
    return [P.reshape(summed, new_sizes=x.aval.shape)]


@deftranspose(P.reshape)
def _reshape_t(cts, operands, new_sizes):
    return [P.reshape(cts[0], new_sizes=operands[0].aval.shape)]


@deftranspose(P.transpose)
def _transpose_t(cts, operands, permutation):
    return [P.transpose(cts[0], permutation=tuple(int(i) for i in np.argsort(permutation)))]


@deftranspose(P.reduce_sum)
def _reduce_sum_t(cts, operands, axes):
    (x,) = operands
    kept = tuple(d for d in range(x.aval.ndim) if d not in axes)
    return [P.broadcast_in_dim(cts[0], shape=x.aval.shape, broadcast_dimensions=kept)]


@deftranspose(P.slice)
def _slice_t(cts, operands, start_indices, limit_indices, strides):
    (x,) = operands
    (ct,) = cts
    out_shape = aval_of(ct).shape
    lo, hi, interior = [], [], []
    for d, (s, st) in enumerate(zip(start_indices, strides)):
        n = out_shape[d]
        used = s + (n - 1) * st + 1 if n else s
        lo.append(s)
        hi.append(x.aval.shape[d] - used)
        interior.append(st - 1 if n else 0)
    return [P.pad(ct, _zeros(ShapedArray((), x.aval.dtype)), edge_padding_low=tuple(lo),
                  edge_padding_high=tuple(hi), interior_padding=tuple(interior))]


@deftranspose(P.pad)
def _pad_t(cts, operands, edge_padding_low, edge_padding_high, interior_padding):
    x, v = operands
    (ct,) = cts
    out = [None, None]
    ct_x = None
    if is_linear(x) or is_linear(v):
        a = aval_of(ct)
        unpadded = P.pad(ct, _zeros(ShapedArray((), a.dtype)),
                         edge_padding_low=tuple(-i for i in edge_padding_low),
                         edge_padding_high=tuple(-i for i in edge_padding_high),
                         interior_padding=(0,) * a.ndim)
        ua = aval_of(unpadded)
        ct_x = P.slice(unpadded, start_indices=(0,) * a.ndim, limit_indices=ua.shape,
                       strides=tuple(i + 1 for i in interior_padding))
    if is_linear(x):
        out[0] = ct_x
    if is_linear(v):
        all_axes = tuple(range(aval_of(ct).ndim))
        out[1] = P.sub(P.reduce_sum(ct, axes=all_axes), P.reduce_sum(ct_x, axes=all_axes))
    return out


@deftranspose(P.concatenate)
def _concatenate_t(cts, operands, dimension):
    (ct,) = cts
    a = aval_of(ct)
    out, start = [], 0
    for x in operands:
        n = (x.aval if is_linear(x) else aval_of(x)).shape[dimension]
        if is_linear(x):
            lo = [0] * a.ndim
            hi = list(a.shape)
            lo[dimension], hi[dimension] = start, start + n
            out.append(P.slice(ct, start_indices=tuple(lo), limit_indices=tuple(hi),
                               strides=(1,) * a.ndim))
        else:
            out.append(None)
        start += n
    return out


@deftranspose(P.rev)
def _rev_t(cts, operands, dimensions):
    return [P.rev(cts[0], dimensions=dimensions)]


@deftranspose(P.cumsum)
def _cumsum_t(cts, operands, axis, reverse=False):
    return [P.cumsum(cts[0], axis=axis, reverse=not reverse)]


@deftranspose(P.select)
def _select_t(cts, operands):
    p, a, b = operands
    if is_linear(p):
        raise TypeError("plait.select is not linear in its predicate")
    (ct,) = cts
    zeros = full_like(ct, 0)
    return [None, P.select(p, ct, zeros) if is_linear(a) else None,
            P.select(p, zeros, ct) if is_linear(b) else None]


@deftranspose(P.dynamic_slice)
def _dynamic_slice_t(cts, operands, slice_sizes):
    x, *idx = operands
    return [P.dynamic_update_slice(_zeros(x.aval), cts[0], *idx)] + [None] * len(idx)


@deftranspose(P.dynamic_update_slice)
def _dus_t(cts, operands):
    x, u, *idx = operands
    (ct,) = cts
    ua = u.aval if is_linear(u) else aval_of(u)
    ct_x = P.dynamic_update_slice(ct, _zeros(ua), *idx) if is_linear(x) else None
    ct_u = P.dynamic_slice(ct, *idx, slice_sizes=ua.shape) if is_linear(u) else None
    return [ct_x, ct_u] + [None] * len(idx)


def _start_bounds(idx, index_vector_dim, start_index_map, operand_shape, window):
    """The largest in-bounds start index, as an array shaped like `idx` (per index vector
    component k: operand size minus window size along start_index_map[k])."""
    a = aval_of(idx)
    his = [operand_shape[d] - window[d] for d in start_index_map]
    if index_vector_dim == a.ndim:
        return full_like(idx, his[0])
    return P.broadcast_in_dim(P.constant(value=np.asarray(his, a.dtype)), shape=a.shape,
                              broadcast_dimensions=(index_vector_dim,))


@deftranspose(P.gather)
def _gather_t(cts, operands, offset_dims, collapsed_slice_dims, operand_batching_dims,
              start_indices_batching_dims, start_index_map, index_vector_dim, slice_sizes,
              indices_are_sorted=False):
    x, idx = operands
    # gather clamps start indices into bounds but scatter drops what is out of bounds, so
    # scatter at the clamped indices: the slices the gather really read
    hi = _start_bounds(idx, index_vector_dim, start_index_map, x.aval.shape, slice_sizes)
    idx = P.clamp(full_like(idx, 0), idx, hi)
    ct = P.scatter(_zeros(x.aval), idx, cts[0], mode="add", update_window_dims=offset_dims,
                   inserted_window_dims=collapsed_slice_dims,
                   input_batching_dims=operand_batching_dims,
                   scatter_indices_batching_dims=start_indices_batching_dims,
                   scatter_dims_to_operand_dims=start_index_map,
                   index_vector_dim=index_vector_dim, indices_are_sorted=indices_are_sorted)
    return [ct, None]


def _gather_like_scatter(ct, idx, upd_aval, p):
    """The gather reading back what a scatter with parameters `p` wrote: zero for updates the
    scatter dropped (a window not fully in bounds), which the gather would clamp instead."""
    window = iter(d for d in range(upd_aval.ndim) if d in p["update_window_dims"])
    operand_shape = aval_of(ct).shape
    dropped = set(p["inserted_window_dims"]) | set(p["input_batching_dims"])
    sizes = tuple(1 if d in dropped else upd_aval.shape[next(window)]
                  for d in range(len(operand_shape)))
    g = P.gather(ct, idx, offset_dims=p["update_window_dims"],
                 collapsed_slice_dims=p["inserted_window_dims"],
                 operand_batching_dims=p["input_batching_dims"],
                 start_indices_batching_dims=p["scatter_indices_batching_dims"],
                 start_index_map=p["scatter_dims_to_operand_dims"],
                 index_vector_dim=p["index_vector_dim"], slice_sizes=sizes,
                 indices_are_sorted=bool(p.get("indices_are_sorted")))
    ivd = p["index_vector_dim"]
    hi = _start_bounds(idx, ivd, p["scatter_dims_to_operand_dims"], operand_shape, sizes)
    ok = P.and_(P.compare(idx, full_like(idx, 0), direction="GE"),
                P.compare(idx, hi, direction="LE"))
    if ivd < aval_of(idx).ndim:
        ok = P.reduce_and(ok, axes=(ivd,))
    scatter_dims = tuple(d for d in range(upd_aval.ndim) if d not in p["update_window_dims"])
    ok = P.broadcast_in_dim(ok, shape=upd_aval.shape, broadcast_dimensions=scatter_dims)
    return P.select(ok, g, _zeros(upd_aval))


@deftranspose(P.scatter)
def _scatter_t(cts, operands, **p):
    x, idx, u = operands
    (ct,) = cts
    ua = u.aval if is_linear(u) else aval_of(u)
    ct_u = _gather_like_scatter(ct, idx, ua, p) if is_linear(u) else None
    if not is_linear(x):
        return [None, None, ct_u]
    if p["mode"] == "add":
        return [ct, None, ct_u]
    # set: what the scatter overwrote gets no cotangent (indices assumed unique)
    return [P.scatter(ct, idx, _zeros(ua), **p), None, ct_u]


def _ranges_like(*xs):
    start = 0
    for x in xs:
        yield tuple(range(start, start + len(x)))
        start += len(x)


def _dot_transpose_lhs(ct, x_aval, y, y_ndim, dims, swap_ans=False):
    (x_contract, y_contract), (x_batch, y_batch) = dims
    x_kept = [d for d in range(x_aval.ndim) if d not in x_contract and d not in x_batch]
    y_kept = [d for d in range(y_ndim) if d not in y_contract and d not in y_batch]
    if swap_ans:
        ans_batch, ans_y, _ = _ranges_like(x_batch, y_kept, x_kept)
    else:
        ans_batch, _, ans_y = _ranges_like(x_batch, x_kept, y_kept)
    x_contract_by_y = [x_contract[i] for i in np.argsort(y_contract)]
    out_axes = np.argsort(list(x_batch) + x_kept + x_contract_by_y)
    d = P.dot_general(ct, y, lhs_batching_dimensions=ans_batch, rhs_batching_dimensions=y_batch,
                      lhs_contracting_dimensions=ans_y, rhs_contracting_dimensions=tuple(y_kept))
    perm = tuple(int(i) for i in out_axes)
    return d if perm == tuple(range(len(perm))) else P.transpose(d, permutation=perm)


@deftranspose(P.dot_general)
def _dot_general_t(cts, operands, lhs_batching_dimensions, rhs_batching_dimensions,
                   lhs_contracting_dimensions, rhs_contracting_dimensions):
    x, y = operands
    (ct,) = cts
    dims = ((lhs_contracting_dimensions, rhs_contracting_dimensions),
            (lhs_batching_dimensions, rhs_batching_dimensions))
    if is_linear(x) and is_linear(y):
        raise TypeError("plait.dot_general of two linear values is not linear")
    if is_linear(x):
        return [_dot_transpose_lhs(ct, x.aval, y, aval_of(y).ndim, dims), None]
    swapped = ((rhs_contracting_dimensions, lhs_contracting_dimensions),
               (rhs_batching_dimensions, lhs_batching_dimensions))
    return [None, _dot_transpose_lhs(ct, y.aval, x, aval_of(x).ndim, swapped, swap_ans=True)]


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


@deftranspose(P.sharding_constraint)
def _sharding_constraint_t(cts, operands, sharding):
    return [P.sharding_constraint(cts[0], sharding=sharding)]


@deftranspose(T.custom_lin)
def _custom_lin_t(cts, operands, callee, num_res):
    """Run the user's backward function on the residuals and the output cotangents."""
    res = operands[:num_res]
    # the bwd rule gives every argument a cotangent, even those not differentiated here
    arg_types = [_ir_type(x.aval) if is_linear(x) else x.type for x in operands[num_res:]]
    call = ir.Operation.create("func.call", results=arg_types, operands=list(res) + list(cts),
                               attributes={"callee": ir.FlatSymbolRefAttr.get(callee)})
    return [None] * num_res + list(call.results)


def _ir_type(aval):
    return ir_type(aval)


# --- building the transposed function ---------------------------------------------------------

def transpose_function(state: ModuleState, lin: str, linear_args: tuple) -> str:
    """Generate `@<lin>_T(consts..., out cts...) -> cts of linear_args`."""
    key = ("transpose", lin, tuple(linear_args))
    if key in state.memo:
        return state.memo[key]
    f = require_body(state, lin)
    inline_calls_in(state.module, f, state.funcs)  # transposition walks one flat body
    ftype = function_type(f)
    ins, outs = list(ftype.inputs), list(ftype.results)
    old_args = list(f.regions[0].blocks[0].arguments)
    const_idx = [i for i in range(len(ins)) if i not in linear_args]
    name = state.unique_name(f"{lin}_T")
    g, block = new_func(state.module, name, [ins[i] for i in const_idx] + outs, f.location)
    state.memo[key] = name
    new_args = list(block.arguments)
    mapping = {old_args[i]: new_args[k] for k, i in enumerate(const_idx)}
    linear = {old_args[i] for i in linear_args}
    ops = body_ops(f)
    linear_ops = []
    ip = ir.InsertionPoint(block)
    for op in ops:
        if any(v in linear for v in op.operands):
            linear.update(op.results)
            linear_ops.append(op)
        else:
            clone_into(op, mapping, ip)
    cts: dict = {}
    ret = return_op(f)
    with ip, ret.location:
        for v, ct in zip(ret.operands, new_args[len(const_idx):]):
            if v in linear:
                cts[v] = add_any(cts.get(v), ct)
    for op in reversed(linear_ops):
        out_cts = [cts.pop(r, None) for r in op.results]
        if all(c is None for c in out_cts):
            continue
        with ip, op.location:
            _transpose_op(state, op, out_cts, mapping, linear, cts)
    with ip, ret.location:
        results = [_value_or_zeros(cts.get(old_args[i]), _aval_of_type(ins[i]))
                   for i in linear_args]
    finish_func(g, block, results, f.location)
    state.add(g)
    return name


def _aval_of_type(t):
    return aval_of_type(t)


def _transpose_op(state, op, out_cts, mapping, linear, cts) -> None:
    operands = [Undefined(aval_of(v)) if v in linear else mapping.get(v, v) for v in op.operands]
    out_cts = [c if c is not None else _zeros(aval_of(r)) for c, r in zip(out_cts, op.results)]
    region_rule = region_transpose_rules.get(op.name)
    if region_rule is not None:
        in_cts = region_rule(out_cts, operands, state, op)
    else:
        rule = transpose_rules.get(op.name)
        if rule is None:
            raise fail(op, f"'{op.name}' is not linear (no transpose rule) but depends on a "
                           "linear input")
        params = {k: v for k, v in OPS[op.name].params_of(op).items() if v is not None}
        try:
            in_cts = rule(out_cts, operands, **params)
        except TypeError as e:
            raise fail(op, f"cannot transpose '{op.name}': {e}") from None
    for v, ct in zip(op.operands, in_cts):
        if ct is not None and v in linear:
            cts[v] = add_any(cts.get(v), ct)


def expand_transpose_op(state: ModuleState, op: ir.Operation) -> None:
    params = OPS[op.name].params_of(op)
    name = transpose_function(state, params["callee"], tuple(params["linear_args"]))
    replace_with_call(op, name, list(op.operands), state)


class TransposePass(Pass):
    name = "plait-transpose"
    summary = "Expand plait.transpose ops into calls of generated transposed functions."

    def run(self, module):
        expand_all(module, {"plait.linear_transpose": expand_transpose_op})
