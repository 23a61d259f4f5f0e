"""The rules of the windowed and cumulative reductions (`dialect/windows.py`).

reduce_window_sum is linear; its transpose pads the cotangent (strides become interior
padding) and sums windows again. The JVP of reduce_window_max/min is select_and_gather_add
(the tangent where each window's extreme is), whose transpose is select_and_scatter_add
(base dilation by padding and slicing, as in jax; window dilation, which StableHLO's
select_and_scatter lacks, by a scatter-add at each window's extreme found by a reduce_window
over (value, index) pairs), and back. A generic reduce_window's JVP is one reduce_window over
(primal, tangent) pairs whose body is the body's JVP; as in jax, it has no transpose. The JVPs
of cumprod, cummax, cummin and cumlogsumexp are prefix scans over (primal, tangent) pairs
(log2 n doubling steps of the combiner's JVP: exact, and differentiable again), as jax
differentiates its associative_scan. Lowerings are stablehlo.reduce_window (cumulative ones
over the whole axis, padded by n - 1), select_and_scatter and a variadic reduce_window.
"""

from __future__ import annotations

import numpy as np

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import ShapedArray, aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect import windows as W
from plait.dialect.builders import full_like, zeros_like
from plait.dialect.windows import WINDOW_ATTRS
from plait.lowering.raising import check_attrs, ints, lowers_to_region
from plait.lowering.raising import register as raise_rule
from plait.lowering.stablehlo import (
    combine,
    compare,
    create,
    highest,
    i64s,
    lowest,
    move_body,
    register,
    scalar_const,
)
from plait.rules.control import new_op
from plait.rules.conv import _lhs_padding
from plait.rules.elementwise import _balanced
from plait.rules.reduce import differentiated_components, paired_jvp, scalar_types
from plait.transforms.base import fail
from plait.transforms.batch import batch_rule, move_bdim
from plait.transforms.expand import call, emit_yield, outline, region_block
from plait.transforms.jvp import jvp_rule
from plait.transforms.shard_propagate import backward_rule, forward_rule
from plait.transforms.transpose import deftranspose, zeros

_MONOIDS = (P.reduce_window_sum, P.reduce_window_max, P.reduce_window_min)
_SCATTER_ATTRS = ("window_dimensions", "window_strides", "padding_low", "padding_high")


def _window(params: dict, keys=WINDOW_ATTRS) -> dict:
    return {k: params[k] for k in keys}


def _ones(n: int) -> tuple:
    return (1,) * n


def _unit_at(params: dict, b: int, keys=WINDOW_ATTRS) -> dict:
    """Window attributes with a unit window along a new dimension b (a batch dimension)."""
    unit = {"window_dimensions": 1, "window_strides": 1, "padding_low": 0, "padding_high": 0,
            "base_dilation": 1, "window_dilation": 1}
    return {k: tuple(params[k][:b]) + (unit[k],) + tuple(params[k][b:]) for k in keys}


def _extreme(direction: str):
    return P.reduce_window_max if direction == "GE" else P.reduce_window_min


def _identity(direction: str, dt):
    return lowest(dt) if direction == "GE" else highest(dt)


# --- JVP ---------------------------------------------------------------------------------------

@jvp_rule(P.reduce_window_max, P.reduce_window_min)
def _extreme_jvp(ctx):
    (x,), (t,) = ctx.primals, ctx.tangents
    ctx.emit_primal()
    direction = "GE" if ctx.op.name == P.reduce_window_max.name else "LE"
    return [P.select_and_gather_add(t, x, direction=direction, **ctx.params)]


@jvp_rule(P.select_and_gather_add, P.select_and_scatter_add)
def _select_jvp(ctx):
    """Linear in the first operand; the second only chooses positions (zero derivative)."""
    t, x = ctx.tangents[0], ctx.primals[1]
    ctx.emit_primal()
    return [None if t is None else OPS[ctx.op.name](t, x, **ctx.params)]


@jvp_rule(P.reduce_window)
def _reduce_window_jvp(ctx):
    """One reduce_window over (primal, tangent) pairs of the components that carry a tangent;
    the body is the body's JVP. An init value's tangent is the tangent of every padding
    element too."""
    _, d, name = differentiated_components(ctx, "reduce_window_body")
    if ctx.linearizing or not d:  # a primal op of its own, for the forward half
        ctx.emit_primal()
    if not d:
        return [None] * (len(ctx.primals) // 2)
    return paired_jvp(ctx, d, name, lambda operands, types: new_op(
        W.reduce_window, operands, types, 1, **_window(ctx.params)))


# --- cumulative reductions: JVP by a doubling scan over (primal, tangent) pairs -----------------

def _mul_pair(a, ta, b, tb):
    return P.mul(a, b), P.add(P.mul(ta, b), P.mul(a, tb))


def _extreme_pair(op):
    def pair(a, ta, b, tb):
        c = op(a, b)
        return c, P.add(P.mul(ta, _balanced(a, b, c)), P.mul(tb, _balanced(b, a, c)))
    return pair


def logaddexp(a, b):
    """log(exp(a) + exp(b)) without overflow; NaN (or infinities of one sign) as a + b."""
    delta = P.sub(a, b)
    stable = P.add(P.max(a, b), P.log1p(P.exp(P.neg(P.abs(delta)))))
    return P.select(P.compare(delta, delta, direction="NE"), P.add(a, b), stable)


def _finite_or_zero(x):
    """x with +inf replaced by 0 (so that inf - inf does not make a NaN weight)."""
    inf = P.compare(x, full_like(x, np.inf), direction="EQ")
    return P.select(inf, zeros_like(x), x)


def _logaddexp_pair(a, ta, b, tb):
    c = logaddexp(a, b)
    cf = _finite_or_zero(c)
    wa = P.exp(P.sub(_finite_or_zero(a), cf))
    wb = P.exp(P.sub(_finite_or_zero(b), cf))
    return c, P.add(P.mul(ta, wa), P.mul(tb, wb))


_PAIRS = {P.cumprod.name: _mul_pair, P.cummax.name: _extreme_pair(P.max),
          P.cummin.name: _extreme_pair(P.min), P.cumlogsumexp.name: _logaddexp_pair}


def _axis_slice(x, axis: int, start: int, stop: int):
    a = aval_of(x)
    lo, hi = [0] * a.ndim, list(a.shape)
    lo[axis], hi[axis] = start, stop
    return P.slice(x, start_indices=tuple(lo), limit_indices=tuple(hi), strides=_ones(a.ndim))


def prefix_scan(pair, x, t, axis: int):
    """(x, t) after log2 n steps of y[i] = pair(y[i - k], y[i]) for i >= k, k = 1, 2, 4, ...:
    the inclusive scan of `pair`, an associative combiner of (primal, tangent) pairs."""
    n = aval_of(x).shape[axis]
    k = 1
    while k < n:
        cx, ct = pair(_axis_slice(x, axis, 0, n - k), _axis_slice(t, axis, 0, n - k),
                      _axis_slice(x, axis, k, n), _axis_slice(t, axis, k, n))
        x = P.concatenate(_axis_slice(x, axis, 0, k), cx, dimension=axis)
        t = P.concatenate(_axis_slice(t, axis, 0, k), ct, dimension=axis)
        k *= 2
    return x, t


@jvp_rule(P.cumprod, P.cummax, P.cummin, P.cumlogsumexp)
def _cumulative_jvp(ctx):
    (x,), (t,) = ctx.primals, ctx.tangents
    ctx.emit_primal()
    axis, reverse = ctx.params["axis"], bool(ctx.params.get("reverse"))
    if reverse:
        x, t = P.rev(x, dimensions=(axis,)), P.rev(t, dimensions=(axis,))
    _, t = prefix_scan(_PAIRS[ctx.op.name], x, t, axis)
    return [P.rev(t, dimensions=(axis,)) if reverse else t]


# --- transposition -----------------------------------------------------------------------------

@deftranspose(P.reduce_window_sum)
def _reduce_window_sum_t(cts, operands, window_dimensions, window_strides, padding_low,
                         padding_high, base_dilation, window_dilation):
    """Each input element is in the windows whose (strided) positions reach it: pad the
    cotangent with the strides as interior padding and sum windows over it again."""
    (x,), (ct,) = operands, cts
    shape = x.aval.shape
    pads = _lhs_padding(shape, window_dimensions, window_strides, aval_of(ct).shape, padding_low,
                        base_dilation, window_dilation)
    padded = P.pad(ct, zeros(ShapedArray((), aval_of(ct).dtype)),
                   edge_padding_low=tuple(lo for lo, _ in pads),
                   edge_padding_high=tuple(hi for _, hi in pads),
                   interior_padding=tuple(s - 1 for s in window_strides))
    n = len(shape)
    return [P.reduce_window_sum(padded, window_dimensions=window_dimensions,
                                window_strides=base_dilation, padding_low=(0,) * n,
                                padding_high=(0,) * n, base_dilation=_ones(n),
                                window_dilation=window_dilation)]


@deftranspose(P.select_and_gather_add)
def _select_and_gather_add_t(cts, operands, direction, window_dimensions, window_strides,
                             padding_low, padding_high, base_dilation, window_dilation):
    (_, x), (ct,) = operands, cts
    if any(d != 1 for d in window_dilation):
        return [_scatter_at_extremes(ct, x, direction, window_dimensions, window_strides,
                                     padding_low, padding_high, base_dilation, window_dilation),
                None]
    n = aval_of(x).ndim
    dilated = any(d != 1 for d in base_dilation)
    if dilated:  # the holes hold the identity, which is never selected over a real element
        ident = P.constant(value=np.array(_identity(direction, aval_of(x).dtype),
                                          aval_of(x).dtype))
        x = P.pad(x, ident, edge_padding_low=(0,) * n, edge_padding_high=(0,) * n,
                  interior_padding=tuple(d - 1 for d in base_dilation))
    out = P.select_and_scatter_add(ct, x, direction=direction,
                                   window_dimensions=window_dimensions,
                                   window_strides=window_strides, padding_low=padding_low,
                                   padding_high=padding_high)
    if dilated:
        out = P.slice(out, start_indices=(0,) * n, limit_indices=aval_of(out).shape,
                      strides=tuple(base_dilation))
    return [out, None]


@deftranspose(P.select_and_scatter_add)
def _select_and_scatter_add_t(cts, operands, direction, **params):
    (_, x), (ct,) = operands, cts
    n = aval_of(x).ndim
    return [P.select_and_gather_add(ct, x, direction=direction, base_dilation=_ones(n),
                                    window_dilation=_ones(n), **params), None]


def _scatter_at_extremes(ct, x, direction, *window):
    """select_and_scatter_add for dilated windows: the flat index of each window's extreme
    (the first on ties; padding and holes carry the index x.size, which the scatter drops)
    from a reduce_window over (value, index), then a scatter-add of ct there."""
    xa = aval_of(x)
    i32 = np.dtype(np.int32)
    idx = P.reshape(P.iota(shape=(xa.size,), dtype=i32, dimension=0), new_sizes=xa.shape)
    inits = [P.constant(value=np.array(_identity(direction, xa.dtype), xa.dtype)),
             P.constant(value=np.array(xa.size, i32))]
    out_shape = aval_of(ct).shape
    types = [_aval.ir_type(ShapedArray(out_shape, xa.dtype)),
             _aval.ir_type(ShapedArray(out_shape, i32))]
    op = new_op(W.reduce_window, [x, idx] + inits, types, 1,
                **dict(zip(WINDOW_ATTRS, window)))
    block = region_block(op.regions[0], scalar_types([x, idx]) * 2, ir.Location.current)
    va, ia, vb, ib = block.arguments
    with ir.InsertionPoint(block):
        better = P.compare(va, vb, direction="GT" if direction == "GE" else "LT")
        first = P.and_(P.compare(va, vb, direction="EQ"), P.compare(ia, ib, direction="LT"))
        pick = P.or_(better, first)
        emit_yield([P.select(pick, va, vb), P.select(pick, ia, ib)])
    where = P.reshape(op.results[1], new_sizes=out_shape + (1,))
    flat = P.scatter(zeros(ShapedArray((xa.size,), xa.dtype)), where, ct, mode="add",
                     update_window_dims=(), inserted_window_dims=(0,), input_batching_dims=(),
                     scatter_indices_batching_dims=(), scatter_dims_to_operand_dims=(0,),
                     index_vector_dim=len(out_shape))
    return P.reshape(flat, new_sizes=xa.shape)


# --- batching -----------------------------------------------------------------------------------

@batch_rule(*_MONOIDS)
def _monoid_b(ctx):
    b = ctx.bdims[0]
    op = {o.name: o for o in _MONOIDS}[ctx.op.name]
    return [op(ctx.operands[0], **_unit_at(ctx.params, b))], [b]


def _leading_unit(ctx, opdef, keys):
    """Both operands batched at 0, a unit window along it."""
    xs = [move_bdim(v, d, 0, ctx.size) for v, d in zip(ctx.operands, ctx.bdims)]
    params = dict(ctx.params, **_unit_at(ctx.params, 0, keys))
    return [opdef(*xs, **params)], [0]


@batch_rule(P.select_and_gather_add)
def _select_and_gather_add_b(ctx):
    return _leading_unit(ctx, P.select_and_gather_add, WINDOW_ATTRS)


@batch_rule(P.select_and_scatter_add)
def _select_and_scatter_add_b(ctx):
    return _leading_unit(ctx, P.select_and_scatter_add, _SCATTER_ATTRS)


@batch_rule(P.reduce_window)
def _reduce_window_b(ctx):
    """The arrays batched at 0 (a unit window along it); batched init values are not supported
    (as in jax): their padding would differ per batch member."""
    op, n = ctx.op, len(ctx.operands) // 2
    if any(d is not None for d in ctx.bdims[n:]):
        raise fail(op, f"'{op.name}' cannot be batched over its initial values (vmap them "
                       "out of the init_value argument)")
    xs = [move_bdim(v, d, 0, ctx.size) for v, d in zip(ctx.operands[:n], ctx.bdims[:n])]
    types = [_aval.ir_type(aval_of(r).update(shape=(ctx.size,) + aval_of(r).shape))
             for r in op.results]
    new = new_op(W.reduce_window, xs + list(ctx.operands[n:]), types, 1,
                 **_unit_at(ctx.params, 0))
    body = outline(ctx.state, op.regions[0], "reduce_window_body")
    scalars = [a.type for a in op.regions[0].blocks[0].arguments]
    block = region_block(new.regions[0], scalars, op.location)
    with ir.InsertionPoint(block), op.location:
        emit_yield(call(ctx.state, body, list(block.arguments)))
    return list(new.results), [0] * n


@batch_rule(P.cumprod, P.cummax, P.cummin, P.cumlogsumexp)
def _cumulative_b(ctx):
    b, axis = ctx.bdims[0], ctx.params["axis"]
    params = dict(ctx.params, axis=axis if axis < b else axis + 1)
    return [OPS[ctx.op.name](ctx.operands[0], **params)], [b]


# --- sharding -----------------------------------------------------------------------------------

def _kept(params: dict, n: int) -> list:
    """The dimensions a window leaves alone (unit window, stride and dilations, no padding)."""
    get = lambda k, d, v: params.get(k, (v,) * n)[d]  # noqa: E731
    return [get("window_dimensions", d, 1) == 1 and get("window_strides", d, 1) == 1
            and get("padding_low", d, 0) == 0 and get("padding_high", d, 0) == 0
            and get("base_dilation", d, 1) == 1 and get("window_dilation", d, 1) == 1
            for d in range(n)]


@forward_rule(*_MONOIDS, P.reduce_window, P.select_and_gather_add)
def _window_fwd(ctx):
    x = next((d for d in ctx.dims if d), None)  # an array's (not a scalar init's)
    if x is None:
        return None
    return tuple(d if keep else () for d, keep in zip(x, _kept(ctx.params, len(x))))


@backward_rule(*_MONOIDS, P.select_and_gather_add)
def _window_bwd(ctx):
    dims = tuple(d if keep else () for d, keep in zip(ctx.out, _kept(ctx.params, len(ctx.out))))
    return [dims] * len(ctx.operands)


@forward_rule(P.select_and_scatter_add)
def _scatter_fwd(ctx):
    return ctx.dims[1]


@backward_rule(P.select_and_scatter_add)
def _scatter_bwd(ctx):
    dims = tuple(d if keep else () for d, keep in zip(ctx.out, _kept(ctx.params, len(ctx.out))))
    return [dims, ctx.out]


# --- lowering -----------------------------------------------------------------------------------

def _window_attrs(window: dict) -> dict:
    pads = np.array(list(zip(window["padding_low"], window["padding_high"])), np.int64)
    return {"window_dimensions": i64s(window["window_dimensions"]),
            "window_strides": i64s(window["window_strides"]),
            "base_dilations": i64s(window["base_dilation"]),
            "window_dilations": i64s(window["window_dilation"]),
            "padding": ir.DenseElementsAttr.get(pads.reshape(-1, 2))}


def reduce_window_hlo(operands, inits, result_types, window, body) -> list:
    """stablehlo.reduce_window of `operands` with `body(a..., b...) -> values` on scalars."""
    new = create("stablehlo.reduce_window", result_types, list(operands) + list(inits),
                 _window_attrs(window), regions=1)
    block = new.regions[0].blocks.append(*[v.type for v in inits] * 2)
    with ir.InsertionPoint(block):
        create("stablehlo.return", [], body(*block.arguments))
    return list(new.results)


_MONOID_HLO = {P.reduce_window_sum.name: ("stablehlo.add", lambda dt: 0),
               P.reduce_window_max.name: ("stablehlo.maximum", lowest),
               P.reduce_window_min.name: ("stablehlo.minimum", highest)}


@register(*_MONOIDS)
def _lower_monoid(op, params, operands, result_types):
    name, init = _MONOID_HLO[op.operation.name]
    dt = aval_of(operands[0]).dtype
    st = scalar_const(dt, init(dt))
    return reduce_window_hlo(operands, [st], result_types, params,
                             lambda a, b: [combine(name, a, b, st.type)])


@register(P.reduce_window)
def _lower_reduce_window(op, params, operands, result_types):
    n = len(operands) // 2
    new = create("stablehlo.reduce_window", result_types, operands, _window_attrs(params),
                 regions=1)
    block, values = move_body(op.regions[0], new.regions[0], [v.type for v in operands[n:]] * 2)
    with ir.InsertionPoint(block):
        create("stablehlo.return", [], values)
    return list(new.results)


@register(P.select_and_gather_add)
def _lower_select_and_gather_add(op, params, operands, result_types):
    """A reduce_window over (x, t) pairs keeping the pair whose x the direction selects."""
    t, x = operands
    dt = aval_of(x).dtype
    inits = [scalar_const(dt, _identity(params["direction"], dt)), scalar_const(dt, 0)]
    bool_t = _aval.ir_type(ShapedArray((), dtypes.bool_))

    def body(xa, ta, xb, tb):
        pick = compare(xa, xb, params["direction"], bool_t)
        return [create("stablehlo.select", [v.type], [pick, v, w]).results[0]
                for v, w in ((xa, xb), (ta, tb))]

    types = [result_types[0]] * 2
    return reduce_window_hlo([x, t], inits, types, params, body)[1:]


def _edge_pad(x, value, lo, hi, result_type):
    """stablehlo.pad of x by (lo, hi) (negative: crop), or x itself when both are zero."""
    if not any(lo) and not any(hi):
        return x
    return create("stablehlo.pad", [result_type], [x, value],
                  {"edge_padding_low": i64s(lo), "edge_padding_high": i64s(hi),
                   "interior_padding": i64s((0,) * len(lo))}).results[0]


@register(P.select_and_scatter_add)
def _lower_select_and_scatter_add(op, params, operands, result_types):
    """XLA's select_and_scatter on x padded with the identity (no padding of its own, as jax
    does on CPU), then cropped back by the inverse padding."""
    s, x = operands
    xa = aval_of(x)
    lo, hi = params["padding_low"], params["padding_high"]
    ident = scalar_const(xa.dtype, _identity(params["direction"], xa.dtype))
    padded_shape = tuple(d + a + b for d, a, b in zip(xa.shape, lo, hi))
    padded = _edge_pad(x, ident, lo, hi, _aval.ir_type(xa.update(shape=padded_shape)))
    zero = scalar_const(xa.dtype, 0)
    attrs = {"window_dimensions": i64s(params["window_dimensions"]),
             "window_strides": i64s(params["window_strides"]),
             "padding": ir.DenseElementsAttr.get(np.zeros((xa.ndim, 2), np.int64))}
    new = create("stablehlo.select_and_scatter", [padded.type], [padded, s, zero], attrs,
                 regions=2)
    st = zero.type
    bool_t = _aval.ir_type(ShapedArray((), dtypes.bool_))
    select = new.regions[0].blocks.append(st, st)
    with ir.InsertionPoint(select):
        create("stablehlo.return", [], [compare(*select.arguments, params["direction"], bool_t)])
    scatter = new.regions[1].blocks.append(st, st)
    with ir.InsertionPoint(scatter):
        add = "stablehlo.or" if xa.dtype == dtypes.bool_ else "stablehlo.add"
        create("stablehlo.return", [], [create(add, [st], list(scatter.arguments)).results[0]])
    return [_edge_pad(new.results[0], zero, tuple(-d for d in lo), tuple(-d for d in hi),
                      result_types[0])]


def _logaddexp_hlo(a, b):
    t = a.type
    c = lambda name, *xs: create(name, [t], list(xs)).results[0]  # noqa: E731
    delta = c("stablehlo.subtract", a, b)
    stable = c("stablehlo.add", c("stablehlo.maximum", a, b),
               c("stablehlo.log_plus_one", c("stablehlo.exponential",
                                             c("stablehlo.negate", c("stablehlo.abs", delta)))))
    nan = compare(delta, delta, "NE", _aval.ir_type(ShapedArray((), dtypes.bool_)))
    return create("stablehlo.select", [t], [nan, c("stablehlo.add", a, b), stable]).results[0]


_CUMULATIVE_HLO = {
    P.cumprod.name: (lambda dt: 1, lambda a, b: create("stablehlo.multiply", [a.type],
                                                          [a, b]).results[0]),
    P.cummax.name: (lowest, lambda a, b: combine("stablehlo.maximum", a, b, a.type)),
    P.cummin.name: (highest, lambda a, b: combine("stablehlo.minimum", a, b, a.type)),
    P.cumlogsumexp.name: (lambda dt: -np.inf, _logaddexp_hlo),
}


@register(P.cumprod, P.cummax, P.cummin, P.cumlogsumexp)
def _lower_cumulative(op, params, operands, result_types):
    """A reduce_window over the whole axis, padded in front by n - 1 (behind if reverse)."""
    (x,) = operands
    xa = aval_of(x)
    axis, n = params["axis"], xa.shape[params["axis"]]
    if n == 0:
        return [x]
    init, fn = _CUMULATIVE_HLO[op.operation.name]
    window = {k: _ones(xa.ndim) for k in ("window_strides", "base_dilation", "window_dilation")}
    dims, lo, hi = [1] * xa.ndim, [0] * xa.ndim, [0] * xa.ndim
    dims[axis] = n
    (hi if params["reverse"] else lo)[axis] = n - 1
    window.update(window_dimensions=dims, padding_low=lo, padding_high=hi)
    return reduce_window_hlo([x], [scalar_const(xa.dtype, init(xa.dtype))], result_types, window,
                             lambda a, b: [fn(a, b)])



# --- raising (StableHLO -> plait) ----------------------------------------------------------------

@raise_rule("stablehlo.reduce_window")
def _raise_reduce_window(op):
    """A sum, max or min window reduction of one operand whose init is the combiner's
    identity (StableHLO pads with the init, plait's window reductions with the identity), or
    a cumulative reduction along one axis (a window of the whole axis, padded by n - 1)."""
    check_attrs(op, ("window_dimensions", "window_strides", "base_dilations",
                     "window_dilations", "padding"))
    if len(op.operands) == 2:
        x = op.operands[0]
        rank = aval_of(x).ndim
        a = op.attributes

        def get(name, default):
            return ints(a[name]) if name in a else (default,) * rank

        pads = np.array(get("padding", 0) * 2 if "padding" not in a else ints(a["padding"]))
        pads = pads.reshape(rank, 2)
        window = {"window_dimensions": ints(a["window_dimensions"]),
                  "window_strides": get("window_strides", 1),
                  "padding_low": tuple(int(p) for p in pads[:, 0]),
                  "padding_high": tuple(int(p) for p in pads[:, 1]),
                  "base_dilation": get("base_dilations", 1),
                  "window_dilation": get("window_dilations", 1)}
        for opdef in (P.cumsum, P.cumprod, P.cummax, P.cummin):
            for axis in range(rank):
                for reverse in (False, True):
                    params = {"axis": axis, "reverse": reverse}
                    if lowers_to_region(opdef, [x], params, op):
                        return [opdef(x, **params)]
        for opdef in _MONOIDS:
            if lowers_to_region(opdef, [x], window, op):
                return [opdef(x, **window)]
    raise fail(op, "plait-raise-stablehlo: cannot raise this 'stablehlo.reduce_window': only a "
                   "sum, max or min of one operand with its identity as init, or a cumulative "
                   "sum, product, max or min, is raised")
