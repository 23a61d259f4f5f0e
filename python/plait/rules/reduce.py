"""The rules of the reductions and argmax / argmin (`dialect/reduce.py`). The JVP of a
`plait.reduce` with a region body is one reduce over (primal, tangent) pairs whose body is the
body's JVP, as for reduce_window's; for reverse mode (when linearizing) it is jax's tree of the
body's JVP over halves of the reduced axes, which transposes."""

from __future__ import annotations

import functools
import math

import numpy as np

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect import reduce as R
from plait.dialect.builders import zeros_like
from plait.lowering.raising import check_attrs, ints, lowers_to_region
from plait.lowering.raising import register as raise_rule
from plait.lowering.stablehlo import (
    binary_body,
    combine,
    compare,
    create,
    dtype_of,
    highest,
    i64,
    i64s,
    lowest,
    move_body,
    register,
    scalar_const,
)
from plait.rules.control import new_op
from plait.transforms.base import fail
from plait.transforms.batch import batch_function, batch_rule, move_bdim, shift_axes
from plait.transforms.expand import call, emit_yield, outline, region_block
from plait.transforms.jvp import defjvp, jvp_function, jvp_rule, zero_jvp
from plait.transforms.shard_propagate import backward_rule, forward_rule
from plait.transforms.simplify import defining_op, fold, splat_value
from plait.transforms.transpose import deftranspose

_REDUCTIONS = (P.reduce_sum, P.reduce_prod, P.reduce_max, P.reduce_min, P.reduce_and,
               P.reduce_or, P.reduce_xor)

# --- JVP (reduce_sum's follows from its Linear trait) -------------------------------------------

jvp_rule(P.reduce_and, P.reduce_or, P.reduce_xor, P.argmax, P.argmin)(zero_jvp)


def _expand_reduced(v, x_aval, axes):
    """Broadcast a reduction's result back to the operand shape."""
    kept = [d for d in range(x_aval.ndim) if d not in axes]
    return P.broadcast_in_dim(v, shape=x_aval.shape, broadcast_dimensions=tuple(kept))


@defjvp(P.reduce_max, P.reduce_min)
def _reduce_extreme_jvp(primals, tangents, outs, axes):
    (x,), (t,) = primals, tangents
    if t is None:
        return [None]
    xa = aval_of(x)
    hit = P.convert(P.compare(x, _expand_reduced(outs[0], xa, axes), direction="EQ"),
                    new_dtype=xa.dtype)
    count = P.reduce_sum(hit, axes=axes)
    return [P.div(P.reduce_sum(P.mul(t, hit), axes=axes), count)]


@defjvp(P.reduce_prod)
def _reduce_prod_jvp(primals, tangents, outs, axes):
    """jax's rule: the JVP of a pairwise tree of multiplies over the reduced axes. Only
    multiplies, slices and joins, so it is exact with zeros at every order (a select of a
    literal zero would lose the derivatives of the zero entries)."""
    (x,), (t,) = primals, tangents
    xa = aval_of(x)
    n = math.prod(xa.shape[d] for d in axes)
    if t is None or n == 0:
        return [None]
    kept = tuple(d for d in range(xa.ndim) if d not in axes)
    rest = tuple(xa.shape[d] for d in kept)

    def flat(v):
        return P.reshape(P.transpose(v, permutation=tuple(axes) + kept), new_sizes=(n, *rest))

    x, t = flat(x), flat(t)
    zeros = (0,) * len(rest)
    strides = (1,) * (1 + len(rest))
    part = lambda v, lo, hi: P.slice(v, start_indices=(lo, *zeros), limit_indices=(hi, *rest),
                                     strides=strides)
    while n > 1:
        h = n // 2
        xl, xr, tl, tr = part(x, 0, h), part(x, h, 2 * h), part(t, 0, h), part(t, h, 2 * h)
        x_next, t_next = P.mul(xl, xr), P.add(P.mul(tl, xr), P.mul(xl, tr))
        if n % 2:  # the odd one out joins the next level as it is
            x_next = P.concatenate(x_next, part(x, 2 * h, n), dimension=0)
            t_next = P.concatenate(t_next, part(t, 2 * h, n), dimension=0)
        x, t, n = x_next, t_next, h + n % 2
    return [P.reshape(t, new_sizes=rest)]


def _inexact(v) -> bool:
    return dtypes.is_inexact(aval_of(v).dtype)


def scalar_types(values) -> list:
    return [_aval.ir_type(aval_of(v).update(shape=(), weak_type=False)) for v in values]


def differentiated_components(ctx, body_name: str) -> tuple:
    """(outlined body, sorted components carrying a tangent, name of the body's JVP) of a
    reduce-like region op over n (operand, init) pairs: those given a tangent, and those the
    body gives one (a fixpoint)."""
    state, primals, tangents = ctx.state, ctx.primals, ctx.tangents
    n = len(primals) // 2
    xs = primals[:n]
    body = outline(state, ctx.op.regions[0], body_name)
    diff = {i for i in range(n) if _inexact(xs[i]) and
            (tangents[i] is not None or tangents[n + i] is not None)}
    while True:
        d = sorted(diff)
        name = jvp_function(state, body, tuple(d) + tuple(n + i for i in d))
        nonzero = state.memo[("jvp_nonzero", name)]
        grown = diff | {i for i in range(n) if nonzero[i] and _inexact(xs[i])}
        if grown == diff:
            return body, d, name
        diff = grown


def paired_jvp(ctx, d: list, name: str, make_op) -> list:
    """The tangents of a reduce-like region op as one op of its kind over (primal, tangent)
    pairs, whose body is the body's JVP `name`; `make_op(operands, result_types)` creates it."""
    state, op, primals, tangents = ctx.state, ctx.op, ctx.primals, ctx.tangents
    n = len(primals) // 2
    xs, inits = primals[:n], primals[n:]
    t_xs = [tangents[i] if tangents[i] is not None else zeros_like(xs[i]) for i in d]
    t_inits = [tangents[n + i] if tangents[n + i] is not None else zeros_like(inits[i])
               for i in d]
    result_types = [r.type for r in op.results]
    new = make_op(xs + t_xs + inits + t_inits, result_types + [result_types[i] for i in d])
    block = region_block(new.regions[0], scalar_types(xs + t_xs) * 2, op.location)
    args, m = list(block.arguments), n + len(d)
    a, ta, b, tb = args[:n], args[n:m], args[m:m + n], args[m + n:]
    with ir.InsertionPoint(block), op.location:
        outs = call(state, name, a + b + ta + tb)
        emit_yield(outs[:n] + [outs[n + i] for i in d])
    results = list(new.results)
    if not ctx.linearizing:
        ctx.set_primal(results[:n])
    out = [None] * n
    for j, i in enumerate(d):
        out[i] = results[n + j]
    return out


@jvp_rule(P.reduce)
def _reduce_jvp(ctx):
    """One reduce over (primal, tangent) pairs of the components that carry a tangent; the
    body is the body's JVP (as reduce_window's generic body). Linearizing, a tree of the
    body's JVP instead."""
    body, d, name = differentiated_components(ctx, "reduce_body")
    if ctx.linearizing or not d:  # a primal op of its own, for the forward half
        ctx.emit_primal()
    if not d:
        return [None] * (len(ctx.primals) // 2)
    if ctx.linearizing:  # reverse mode: jax's tree of body applications, transposable
        return _reduce_tree_jvp(ctx, body, d)
    return paired_jvp(ctx, d, name, lambda operands, types: new_op(
        R.reduce, operands, types, 1, dimensions=ctx.params["dimensions"]))


def _halves(v, pad, size: int, r: int) -> tuple:
    """The first ceil(size / 2) rows of v (size, r) and the others, padded by one row of the
    scalar `pad` when size is odd."""
    h = (size + 1) // 2
    lo = P.slice(v, start_indices=(0, 0), limit_indices=(h, r), strides=(1, 1))
    hi = P.slice(v, start_indices=(h, 0), limit_indices=(size, r), strides=(1, 1))
    if size % 2:
        hi = P.pad(hi, pad, edge_padding_low=(0, 0), edge_padding_high=(1, 0),
                   interior_padding=(0, 0))
    return lo, hi


def _reduce_tree_jvp(ctx, body: str, d: list) -> list:
    """The tangents of a reduce as jax computes them: the reduced axes flattened to the front,
    then halved ceil(log2 n) times, each step applying the body's JVP elementwise (the body
    vmapped over the flattened elements) to the two halves (the odd one out paired with the
    init value). Its ops are slices, pads, reshapes and calls: the linear half transposes."""
    state, primals, tangents = ctx.state, ctx.primals, ctx.tangents
    n = len(primals) // 2
    xs, inits = primals[:n], primals[n:]
    t_xs = [tangents[i] if tangents[i] is not None else zeros_like(xs[i]) for i in d]
    t_inits = [tangents[n + i] if tangents[n + i] is not None else zeros_like(inits[i])
               for i in d]
    xa = aval_of(xs[0])
    dims = tuple(ctx.params["dimensions"])
    kept = tuple(k for k in range(xa.ndim) if k not in dims)
    size = math.prod(xa.shape[k] for k in dims)
    rest = tuple(xa.shape[k] for k in kept)
    r = math.prod(rest)
    out = [None] * n
    if size == 0:
        for j, i in enumerate(d):
            out[i] = P.broadcast_in_dim(t_inits[j], shape=rest, broadcast_dimensions=())
        return out
    vs = [P.reshape(P.transpose(v, permutation=dims + kept), new_sizes=(size, r))
          for v in xs + t_xs]
    pads = inits + t_inits
    while size > 1:
        h = (size + 1) // 2
        lo, hi = zip(*[_halves(v, p, size, r) for v, p in zip(vs, pads)])
        vmapped, _ = batch_function(state, body, (0,) * (2 * n), h * r, force_out=True)
        jvp_name = jvp_function(state, vmapped, tuple(d) + tuple(n + i for i in d))
        args = list(lo[:n]) + list(hi[:n]) + list(lo[n:]) + list(hi[n:])
        outs = call(state, jvp_name, [P.reshape(v, new_sizes=(h * r,)) for v in args])
        vs = [P.reshape(v, new_sizes=(h, r)) for v in outs[:n] + [outs[n + i] for i in d]]
        size = h
    for j, i in enumerate(d):
        out[i] = P.reshape(vs[n + j], new_sizes=rest)
    return out


# --- transposition ------------------------------------------------------------------------------

@deftranspose(P.reduce_sum)
def _reduce_sum_t(cts, operands, axes):
    (x,) = operands
    kept = tuple(d for d in range(x.aval.ndim) if d not in axes)
    return [P.broadcast_in_dim(cts[0], shape=x.aval.shape, broadcast_dimensions=kept)]


# --- batching -----------------------------------------------------------------------------------

@batch_rule(*_REDUCTIONS)
def _reduce_b(ctx):
    b, axes = ctx.bdims[0], ctx.params["axes"]
    out_b = b - sum(1 for a in axes if a < b)
    return [OPS[ctx.op.name](ctx.operands[0], axes=shift_axes(axes, b))], [out_b]


@batch_rule(P.argmax, P.argmin)
def _arg_b(ctx):
    b, axis = ctx.bdims[0], ctx.params["axis"]
    # operand axis `axis` is batched-operand axis axis + 1 from b on; removing it moves the
    # batch dim down only when it came before b
    return [OPS[ctx.op.name](ctx.operands[0], axis=axis if axis < b else axis + 1,
                             index_dtype=ctx.params["index_dtype"])], [b if axis >= b else b - 1]


@batch_rule(P.reduce)
def _reduce_region_b(ctx):
    """The arrays batched at 0, the dimensions shifted past it; batched init values are not
    supported (as in jax)."""
    op, n = ctx.op, len(ctx.operands) // 2
    if any(d is not None for d in ctx.bdims[n:]):
        raise fail(op, f"'{op.name}' cannot be batched over its initial values (vmap them "
                       "out of the init_values argument)")
    xs = [move_bdim(v, d, 0, ctx.size) for v, d in zip(ctx.operands[:n], ctx.bdims[:n])]
    types = [_aval.ir_type(aval_of(r).update(shape=(ctx.size,) + aval_of(r).shape))
             for r in op.results]
    new = new_op(R.reduce, xs + list(ctx.operands[n:]), types, 1,
                 dimensions=tuple(d + 1 for d in ctx.params["dimensions"]))
    body = outline(ctx.state, op.regions[0], "reduce_body")
    scalars = [a.type for a in op.regions[0].blocks[0].arguments]
    block = region_block(new.regions[0], scalars, op.location)
    with ir.InsertionPoint(block), op.location:
        emit_yield(call(ctx.state, body, list(block.arguments)))
    return list(new.results), [0] * n


# --- sharding -----------------------------------------------------------------------------------

@forward_rule(*_REDUCTIONS)
def _reduce_fwd(ctx):
    (x,) = ctx.dims
    axes = ctx.params["axes"]
    return None if x is None else tuple(d for i, d in enumerate(x) if i not in axes)


@backward_rule(*_REDUCTIONS)
def _reduce_bwd(ctx):
    dims = list(ctx.out)
    for a in sorted(ctx.params["axes"]):
        dims.insert(a, ())
    return [tuple(dims)]


@forward_rule(P.reduce)
def _reduce_region_fwd(ctx):
    x = ctx.dims[0]
    dims = ctx.params["dimensions"]
    return None if x is None else tuple(d for i, d in enumerate(x) if i not in dims)


@forward_rule(P.argmax, P.argmin)
def _arg_fwd(ctx):
    (x,) = ctx.dims
    axis = ctx.params["axis"]
    return None if x is None else tuple(d for i, d in enumerate(x) if i != axis)


# --- lowering -----------------------------------------------------------------------------------

_REDUCERS = {
    P.reduce_sum: ("stablehlo.add", lambda dt: 0),
    P.reduce_prod: ("stablehlo.multiply", lambda dt: 1),
    P.reduce_max: ("stablehlo.maximum", lowest),
    P.reduce_min: ("stablehlo.minimum", highest),
    P.reduce_and: ("stablehlo.and", lambda dt: True if dt == dtypes.bool_ else np.array(-1).astype(dt)),
    P.reduce_or: ("stablehlo.or", lambda dt: 0),
    P.reduce_xor: ("stablehlo.xor", lambda dt: 0),
}


def _reduce(x: ir.Value, init: ir.Value, axes, combine_name: str, result_type) -> ir.Value:
    new = create("stablehlo.reduce", [result_type], [x, init],
                  {"dimensions": i64s(axes)}, regions=1)
    st = init.type
    binary_body(new.regions[0], st, lambda a, b: combine(combine_name, a, b, st))
    return new.results[0]


def _lower_reduce(combine_name, init_of, op, params, operands, result_types):
    (x,) = operands
    dt = dtype_of(x)
    init = scalar_const(dt, init_of(dt))
    return [_reduce(x, init, params["axes"], combine_name, result_types[0])]


for _op, (_name, _init) in _REDUCERS.items():
    register(_op)(functools.partial(_lower_reduce, _name, _init))


@register(P.reduce)
def _lower_reduce_region(op, params, operands, result_types):
    n = len(operands) // 2
    new = create("stablehlo.reduce", result_types, operands,
                 {"dimensions": i64s(params["dimensions"])}, regions=1)
    block, values = move_body(op.regions[0], new.regions[0], [v.type for v in operands[n:]] * 2)
    with ir.InsertionPoint(block):
        create("stablehlo.return", [], values)
    return list(new.results)


def _lower_argreduce(direction: str, op, params, operands, result_types):
    """Reduce (value, index) pairs; NaN wins, then the smaller index, as NumPy."""
    (x,) = operands
    xa = _aval.aval_of(x)
    axis, idx_dt = params["axis"], params["index_dtype"]
    idx_type = _aval.ir_type(xa.update(dtype=idx_dt))
    iota = create("stablehlo.iota", [idx_type], [], {"iota_dimension": i64(axis)}).results[0]
    init_v = scalar_const(xa.dtype, lowest(xa.dtype) if direction == "GT" else highest(xa.dtype))
    init_i = scalar_const(idx_dt, 0)
    vt, it = init_v.type, init_i.type
    val_out = _aval.ir_type(_aval.aval_of_type(result_types[0]).update(dtype=xa.dtype))
    new = create("stablehlo.reduce", [val_out, result_types[0]], [x, iota, init_v, init_i],
                  {"dimensions": i64s([axis])}, regions=1)
    block = new.regions[0].blocks.append(vt, it, vt, it)
    bool_t = _aval.ir_type(_aval.ShapedArray((), dtypes.bool_))
    with ir.InsertionPoint(block):
        av, ai, bv, bi = block.arguments
        pick_a = compare(av, bv, direction, bool_t)
        if dtypes.is_float(xa.dtype):
            a_nan = compare(av, av, "NE", bool_t)
            pick_a = create("stablehlo.or", [bool_t], [pick_a, a_nan]).results[0]
        eq = compare(av, bv, "EQ", bool_t)
        a_first = compare(ai, bi, "LT", bool_t)
        tie = create("stablehlo.and", [bool_t], [eq, a_first]).results[0]
        pick_a = create("stablehlo.or", [bool_t], [pick_a, tie]).results[0]
        v = create("stablehlo.select", [vt], [pick_a, av, bv]).results[0]
        i = create("stablehlo.select", [it], [pick_a, ai, bi]).results[0]
        create("stablehlo.return", [], [v, i])
    return [new.results[1]]


register(P.argmax)(functools.partial(_lower_argreduce, "GT"))
register(P.argmin)(functools.partial(_lower_argreduce, "LT"))


# --- simplification ----------------------------------------------------------------------------

@fold(*_REDUCTIONS)
def _fold_no_axes(op, params):
    if not params["axes"]:
        return op.operands[0]


# --- raising (StableHLO -> plait) ----------------------------------------------------------------

_COMBINERS = {P.reduce_sum: P.add, P.reduce_prod: P.mul, P.reduce_max: P.max,
              P.reduce_min: P.min, P.reduce_and: P.and_, P.reduce_or: P.or_}


def _is_identity(init: ir.Value, value) -> bool:
    s = splat_value(init)
    return s is not None and bool(np.array(s, dtype_of(init)) == np.array(value, dtype_of(init)))


@raise_rule("stablehlo.reduce")
def _raise_reduce(op):
    check_attrs(op, ("dimensions",))
    axes = ints(op.attributes["dimensions"])
    operands = list(op.operands)
    if len(operands) == 2:
        x, init = operands
        for red, (_, init_of) in _REDUCERS.items():
            if lowers_to_region(red, [x], {"axes": axes}, op, inits=False):
                out = red(x, axes=axes)
                if not _is_identity(init, init_of(dtype_of(x))):
                    shape = aval_of(out).shape
                    out = _COMBINERS[red](out, P.broadcast_in_dim(
                        init, shape=shape, broadcast_dimensions=()))
                return [out]
    if len(operands) == 4 and len(axes) == 1:  # (values, iota) pairs: argmax / argmin
        x, iota, init_v, init_i = operands
        (axis,) = axes
        it = defining_op(iota)
        idx_dt = dtype_of(iota)
        if it is not None and it.name == P.iota.name and P.iota.params_of(it)["dimension"] == axis:
            for arg, red in ((P.argmax, P.reduce_max), (P.argmin, P.reduce_min)):
                # the index (what jax reads); the values are then the max (min) as NaN-propagating
                if lowers_to_region(arg, [x], {"axis": axis, "index_dtype": idx_dt}, op,
                                    outputs=(1,)):
                    return [red(x, axes=axes), arg(x, axis=axis, index_dtype=idx_dt)]
    raise fail(op, "plait-raise-stablehlo: cannot raise this 'stablehlo.reduce': its body is "
                   "not one plait reduces with (sum, product, max, min, and, or, argmax, argmin)")
