"""Lowering of plait region ops: cond → stablehlo.case, while → stablehlo.while, scan →
stablehlo.while with an induction variable, slicing xs and updating ys in place (a scan of
length 0 is its carry and empty ys).

The walk lowers nested ops first, so by the time a region op is rewritten its regions hold
StableHLO; their blocks are moved (not cloned) into the new op, and plait.yield becomes
stablehlo.return.
"""

from __future__ import annotations

import numpy as np

from plait._mlir import hlo, ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.dialect import control as C
from plait.lowering.stablehlo import create, dense_const, i64s, register, scalar_const

_I32 = np.dtype(np.int32)


def move_body(src: ir.Region, dst: ir.Region, arg_types, arg_values=None) -> list:
    """Move src's block into a new block of dst taking `arg_types`; the old block arguments
    are replaced by `arg_values` (outer values), else by the new block's arguments. Returns
    the values the plait.yield yielded (the yield is erased)."""
    old = src.blocks[0]
    block = dst.blocks.append(*arg_types)
    targets = arg_values if arg_values is not None else list(block.arguments)
    for a, v in zip(old.arguments, targets):
        a.replace_all_uses_with(v)
    for op in list(old.operations):
        block.append(op.operation)
    y = block.operations[len(block.operations) - 1].operation
    values = list(y.operands)
    y.erase()
    return block, values


def _return(block, values) -> None:
    with ir.InsertionPoint(block):
        create("stablehlo.return", [], values)


@register(C.cond)
def _lower_cond(op, params, operands, result_types):
    index, *args = operands
    new = create("stablehlo.case", result_types, [index], regions=len(op.regions))
    for src, dst in zip(op.regions, new.regions):
        block, values = move_body(src, dst, [], args)
        _return(block, values)
    return list(new.results)


@register(C.while_)
def _lower_while(op, params, operands, result_types):
    n = params["num_consts"]
    types = [v.type for v in operands]
    new = create("stablehlo.while", types, operands, regions=2)
    cond_block, pred = move_body(op.regions[0], new.regions[0], types)
    _return(cond_block, pred)
    body_block, carry = move_body(op.regions[1], new.regions[1], types)
    _return(body_block, list(body_block.arguments)[:n] + carry)
    return list(new.results)[n:]


def _i32(value) -> ir.Value:
    return dense_const(np.array(value, _I32))


def scalar_type(dtype) -> ir.Type:
    return _aval.ir_type(_aval.ShapedArray((), dtype))


@register(C.scan)
def _lower_scan(op, params, operands, result_types):
    nc, nk, length, reverse = (params["num_consts"], params["num_carry"], params["length"],
                               bool(params["reverse"]))
    consts, carry, xs = operands[:nc], operands[nc:nc + nk], operands[nc + nk:]
    ys_types = list(result_types)[nk:]
    ys_init = [_zeros(t) for t in ys_types]
    if length == 0:  # the body never runs (and xs[0] does not exist): carry in, empty ys
        return list(carry) + ys_init
    state = [_i32(0)] + consts + carry + xs + ys_init
    types = [v.type for v in state]
    new = create("stablehlo.while", types, state, regions=2)
    i32 = scalar_type(_I32)
    bool_t = scalar_type(dtypes.bool_)

    cond = new.regions[0].blocks.append(*types)
    with ir.InsertionPoint(cond):
        lt = create("stablehlo.compare", [bool_t], [cond.arguments[0], _i32(length)],
                     {"comparison_direction": _direction("LT")}).results[0]
        create("stablehlo.return", [], [lt])

    body = new.regions[1].blocks.append(*types)
    b = list(body.arguments)
    i, b_consts = b[0], b[1:1 + nc]
    b_carry, b_xs, b_ys = b[1 + nc:1 + nc + nk], b[1 + nc + nk:1 + nc + nk + len(xs)], \
        b[1 + nc + nk + len(xs):]
    with ir.InsertionPoint(body):
        idx = create("stablehlo.subtract", [i32], [_i32(length - 1), i]).results[0] \
            if reverse else i
        slices = [_slice_at(x, idx) for x in b_xs]
    old = op.regions[0].blocks[0]
    for a, v in zip(old.arguments, b_consts + b_carry + slices):
        a.replace_all_uses_with(v)
    for o in list(old.operations):
        body.append(o.operation)
    y = body.operations[len(body.operations) - 1].operation
    outs = list(y.operands)
    y.erase()
    with ir.InsertionPoint(body):
        ys = [_update_at(acc, v, idx) for acc, v in zip(b_ys, outs[nk:])]
        nxt = create("stablehlo.add", [i32], [i, _i32(1)]).results[0]
        create("stablehlo.return", [], [nxt] + b_consts + outs[:nk] + b_xs + ys)
    res = list(new.results)
    return res[1 + nc:1 + nc + nk] + res[1 + nc + nk + len(xs):]


def _direction(d: str):

    return hlo.ComparisonDirectionAttr.get(d)


def _zeros(t: ir.Type) -> ir.Value:
    a = _aval.aval_of_type(t)

    z = scalar_const(a.dtype, 0)
    return create("stablehlo.broadcast_in_dim", [t], [z],
                   {"broadcast_dimensions": i64s([])}).results[0]


def _slice_at(x: ir.Value, i: ir.Value) -> ir.Value:
    """x[i] along the leading axis."""
    a = _aval.aval_of(x)
    sl = create("stablehlo.dynamic_slice", [_aval.ir_type(a.update(shape=(1,) + a.shape[1:]))],
                 [x, i] + _zero_indices(a.ndim - 1), {"slice_sizes": i64s((1,) + a.shape[1:])})
    return create("stablehlo.reshape", [_aval.ir_type(a.update(shape=a.shape[1:]))],
                   [sl.results[0]]).results[0]


def _update_at(acc: ir.Value, v: ir.Value, i: ir.Value) -> ir.Value:
    """acc with acc[i] = v along the leading axis."""
    a = _aval.aval_of(v)
    upd = create("stablehlo.reshape", [_aval.ir_type(a.update(shape=(1,) + a.shape))],
                  [v]).results[0]
    return create("stablehlo.dynamic_update_slice", [acc.type],
                   [acc, upd, i] + _zero_indices(a.ndim)).results[0]


def _zero_indices(n: int) -> list:
    """n zero start indices: one constant, made only if needed (no dead ops in the output)."""
    return [_i32(0)] * n if n else []
