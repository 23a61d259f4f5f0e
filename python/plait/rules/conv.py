"""The rules of conv_general_dilated (`dialect/conv.py`).

Transposition follows jax's reading of a convolution as a matmul over features ([m, j] [j, k]
-> [m, k], m batch, j input and k output features): the transpose in the lhs is a
convolution of the cotangent with the spatially reversed kernel (window strides become lhs
dilation), the one in the rhs a convolution of the lhs with the cotangent; feature groups of
the forward convolution become batch groups of the rhs transpose and vice versa. Batching folds
the batch dimension into the lhs batch (batched lhs), the output features (batched rhs) or
the feature groups (both).
"""

from __future__ import annotations

import numpy as np

from plait._mlir import hlo, ir
from plait.core.aval import aval_of
from plait.dialect import ops as P
from plait.dialect.builders import add_any
from plait.dialect.windows import dilate
from plait.lowering.raising import check_attrs, ints
from plait.lowering.raising import register as raise_rule
from plait.lowering.stablehlo import create, i64, i64s, register
from plait.transforms.base import fail
from plait.transforms.batch import batch_rule
from plait.transforms.jvp import defjvp
from plait.transforms.shard_propagate import backward_rule, forward_rule, once
from plait.transforms.transpose import deftranspose, is_linear, zeros


def conv(lhs, rhs, **params):
    return P.conv_general_dilated(lhs, rhs, **params)


def _convert(x, dtype):
    return x if aval_of(x).dtype == dtype else P.convert(x, new_dtype=dtype)


def axis_into(src: int, dst: int, x):
    """Merge axis `src` into axis `dst` (numbered as if `src` were removed), `src` major."""
    shape = aval_of(x).shape
    perm = [d for d in range(len(shape)) if d != src]
    perm.insert(dst, src)
    new = [shape[d] for d in range(len(shape)) if d != src]
    new[dst] *= shape[src]
    if perm != sorted(perm):
        x = P.transpose(x, permutation=tuple(perm))
    return P.reshape(x, new_sizes=tuple(new))


def axis_out_of(src: int, size: int, x):
    """Split axis `src` into (size, rest)."""
    shape = list(aval_of(x).shape)
    shape[src:src + 1] = [size, shape[src] // size]
    return P.reshape(x, new_sizes=tuple(shape))


def _spatial(shape, spec) -> list:
    return [shape[d] for d in spec[2:]]


def _swap(spec) -> tuple:
    return (spec[1], spec[0]) + tuple(spec[2:])


# --- JVP (bilinear) --------------------------------------------------------------------------

@defjvp(P.conv_general_dilated)
def _conv_jvp(primals, tangents, outs, **params):
    (lhs, rhs), (t_lhs, t_rhs) = primals, tangents
    return [add_any(None if t_lhs is None else conv(t_lhs, rhs, **params),
                    None if t_rhs is None else conv(lhs, t_rhs, **params))]


# --- transposition ---------------------------------------------------------------------------

def _lhs_padding(in_shape, window, strides, out_shape, low, lhs_dilation, rhs_dilation):
    """Padding of the cotangent so that the transposed convolution gives back the lhs."""
    pads = []
    for n, k, s, m, lo, ld, rd in zip(in_shape, window, strides, out_shape, low, lhs_dilation,
                                      rhs_dilation):
        before = dilate(k, rd) - lo - 1
        after = dilate(n, ld) + dilate(k, rd) - 1 - dilate(m, s) - before
        pads.append((before, after))
    return pads


def _rhs_padding(in_shape, window, strides, out_shape, low, lhs_dilation, rhs_dilation):
    """Padding of the lhs so that convolving it with the cotangent gives back the kernel."""
    return [(lo, dilate(m, s) - dilate(n, ld) + dilate(k, rd) - lo - 1)
            for n, k, s, m, lo, ld, rd in zip(in_shape, window, strides, out_shape, low,
                                              lhs_dilation, rhs_dilation)]


def _with_padding(params: dict, pads) -> dict:
    return dict(params, padding_low=tuple(lo for lo, _ in pads),
                padding_high=tuple(hi for _, hi in pads))


def _transpose_lhs(ct, lhs_aval, rhs, p):
    lhs_spec, rhs_spec, out_spec = p["lhs_spec"], p["rhs_spec"], p["out_spec"]
    fgc, bgc = p["feature_group_count"], p["batch_group_count"]
    rhs_shape = aval_of(rhs).shape
    groups = max(fgc, bgc)
    if groups > 1:  # the groups move from the kernel's output features to its input features
        rhs = axis_into(rhs_spec[0], rhs_spec[1], axis_out_of(rhs_spec[0], groups, rhs))
    pads = _lhs_padding(_spatial(lhs_aval.shape, lhs_spec), _spatial(rhs_shape, rhs_spec),
                        p["window_strides"], _spatial(aval_of(ct).shape, out_spec),
                        p["padding_low"], p["lhs_dilation"], p["rhs_dilation"])
    if len(rhs_spec) > 2:
        rhs = P.rev(rhs, dimensions=tuple(rhs_spec[2:]))
    params = _with_padding(dict(
        window_strides=p["lhs_dilation"], lhs_dilation=p["window_strides"],
        rhs_dilation=p["rhs_dilation"], lhs_spec=out_spec, rhs_spec=_swap(rhs_spec),
        out_spec=lhs_spec, feature_group_count=groups, batch_group_count=1), pads)
    out = conv(ct, _convert(rhs, aval_of(ct).dtype), **params)
    if bgc > 1:  # the batch groups come back out of the features
        out = axis_into(lhs_spec[1], lhs_spec[0], axis_out_of(lhs_spec[1], bgc, out))
    return _convert(out, lhs_aval.dtype)


def _transpose_rhs(ct, lhs, rhs_aval, p):
    if aval_of(ct).size == 0:
        return zeros(rhs_aval)
    lhs_spec, rhs_spec, out_spec = p["lhs_spec"], p["rhs_spec"], p["out_spec"]
    fgc, bgc = p["feature_group_count"], p["batch_group_count"]
    pads = _rhs_padding(_spatial(aval_of(lhs).shape, lhs_spec), _spatial(rhs_aval.shape, rhs_spec),
                        p["window_strides"], _spatial(aval_of(ct).shape, out_spec),
                        p["padding_low"], p["lhs_dilation"], p["rhs_dilation"])
    params = _with_padding(dict(
        window_strides=p["rhs_dilation"], lhs_dilation=p["lhs_dilation"],
        rhs_dilation=p["window_strides"], lhs_spec=_swap(lhs_spec), rhs_spec=_swap(out_spec),
        out_spec=_swap(rhs_spec), feature_group_count=bgc, batch_group_count=fgc), pads)
    out = conv(_convert(lhs, aval_of(ct).dtype), ct, **params)
    return _convert(out, rhs_aval.dtype)


@deftranspose(P.conv_general_dilated)
def _conv_t(cts, operands, **params):
    lhs, rhs = operands
    (ct,) = cts
    if is_linear(lhs):
        return [_transpose_lhs(ct, lhs.aval, rhs, params), None]
    return [None, _transpose_rhs(ct, lhs, rhs.aval, params)]


# --- batching --------------------------------------------------------------------------------

def _regroup(x, bdim: int, dim: int, groups: int):
    """Fold batch dim `bdim` into dim `dim` (numbered without the batch dim) *inside* its
    `groups` groups: (groups, rest) becomes (groups, batch, rest)."""
    x = axis_out_of(dim + (bdim <= dim), groups, x)
    x = axis_into(bdim + (dim < bdim), dim + 1, x)
    return axis_into(dim, dim, x)


@batch_rule(P.conv_general_dilated)
def _conv_b(ctx):
    (lhs, rhs), (bl, br), size = ctx.operands, ctx.bdims, ctx.size
    p = dict(ctx.params)
    lhs_spec, rhs_spec, out_spec = p["lhs_spec"], p["rhs_spec"], p["out_spec"]
    fgc, bgc = p["feature_group_count"], p["batch_group_count"]
    if bl is not None and br is not None:
        # one group per batch member (outermost), the op's own groups inside each
        if bgc > 1:
            lhs, p["batch_group_count"] = axis_into(bl, lhs_spec[0], lhs), bgc * size
        else:
            lhs, p["feature_group_count"] = axis_into(bl, lhs_spec[1], lhs), fgc * size
        out = conv(lhs, axis_into(br, rhs_spec[0], rhs), **p)
        return [axis_out_of(out_spec[1], size, out)], [out_spec[1]]
    if bl is not None:  # more lhs batch
        lhs = axis_into(bl, lhs_spec[0], lhs) if bgc == 1 else _regroup(lhs, bl, lhs_spec[0], bgc)
        return [axis_out_of(out_spec[0], size, conv(lhs, rhs, **p))], [out_spec[0]]
    if fgc == bgc == 1:  # more output features
        out = conv(lhs, axis_into(br, rhs_spec[0], rhs), **p)
        return [axis_out_of(out_spec[1], size, out)], [out_spec[1]]
    groups = max(fgc, bgc)  # output features grouped: the batch goes inside each group
    out = conv(lhs, _regroup(rhs, br, rhs_spec[0], groups), **p)
    o = out_spec[1]
    out = axis_out_of(o + 1, size, axis_out_of(o, groups, out))
    return [axis_into(o, o + 1, out)], [o]


# --- sharding --------------------------------------------------------------------------------

@forward_rule(P.conv_general_dilated)
def _conv_fwd(ctx):
    """The batch keeps the lhs batch's axes, the output features the kernel's (ungrouped);
    spatial dimensions are replicated."""
    lhs, rhs = ctx.dims
    if lhs is None and rhs is None:
        return None
    p = ctx.params
    out = [()] * len(ctx.out_shape)
    if lhs is not None and p["batch_group_count"] == 1:
        out[p["out_spec"][0]] = lhs[p["lhs_spec"][0]]
    if rhs is not None and p["batch_group_count"] == p["feature_group_count"] == 1:
        out[p["out_spec"][1]] = rhs[p["rhs_spec"][0]]
    return once(out)


@backward_rule(P.conv_general_dilated)
def _conv_bwd(ctx):
    p = ctx.params
    if p["batch_group_count"] != 1:
        return [None, None]
    lhs = [()] * len(ctx.out)
    lhs[p["lhs_spec"][0]] = ctx.out[p["out_spec"][0]]
    return [tuple(lhs), None]


# --- lowering --------------------------------------------------------------------------------

@register(P.conv_general_dilated)
def _lower_conv(op, params, operands, result_types):
    lhs_spec, rhs_spec, out_spec = params["lhs_spec"], params["rhs_spec"], params["out_spec"]
    dn = hlo.ConvDimensionNumbers.get(
        input_batch_dimension=lhs_spec[0], input_feature_dimension=lhs_spec[1],
        input_spatial_dimensions=list(lhs_spec[2:]),
        kernel_input_feature_dimension=rhs_spec[1], kernel_output_feature_dimension=rhs_spec[0],
        kernel_spatial_dimensions=list(rhs_spec[2:]),
        output_batch_dimension=out_spec[0], output_feature_dimension=out_spec[1],
        output_spatial_dimensions=list(out_spec[2:]))
    padding = np.array(list(zip(params["padding_low"], params["padding_high"])),
                       np.int64).reshape(-1, 2)
    attrs = {"dimension_numbers": dn, "window_strides": i64s(params["window_strides"]),
             "padding": ir.DenseElementsAttr.get(padding),
             "lhs_dilation": i64s(params["lhs_dilation"]),
             "rhs_dilation": i64s(params["rhs_dilation"]),
             "feature_group_count": i64(params["feature_group_count"]),
             "batch_group_count": i64(params["batch_group_count"])}
    return list(create("stablehlo.convolution", result_types, operands, attrs).results)


# --- raising (StableHLO -> plait) ----------------------------------------------------------------

_CONV_ATTRS = ("dimension_numbers", "window_strides", "padding", "lhs_dilation", "rhs_dilation",
               "feature_group_count", "batch_group_count", "window_reversal")


@raise_rule("stablehlo.convolution")
def _raise_conv(op):
    check_attrs(op, _CONV_ATTRS)
    attrs, (lhs, rhs) = op.attributes, op.operands
    if "window_reversal" in attrs and any(ints_or_bools(attrs["window_reversal"])):
        raise fail(op, "plait-raise-stablehlo: cannot raise a 'stablehlo.convolution' with "
                       "window_reversal")
    dn = hlo.ConvDimensionNumbers(attrs["dimension_numbers"])
    nsp = len(dn.input_spatial_dimensions)

    def get(name, default):
        return ints(attrs[name]) if name in attrs else (default,) * nsp

    pads = np.array(ints(attrs["padding"]) if "padding" in attrs else (0,) * 2 * nsp)
    pads = pads.reshape(nsp, 2)
    dt = aval_of(op.results[0]).dtype
    return [P.conv_general_dilated(
        lhs, rhs, window_strides=get("window_strides", 1),
        padding_low=tuple(int(p) for p in pads[:, 0]),
        padding_high=tuple(int(p) for p in pads[:, 1]),
        lhs_dilation=get("lhs_dilation", 1), rhs_dilation=get("rhs_dilation", 1),
        lhs_spec=(dn.input_batch_dimension, dn.input_feature_dimension,
                  *dn.input_spatial_dimensions),
        rhs_spec=(dn.kernel_output_feature_dimension, dn.kernel_input_feature_dimension,
                  *dn.kernel_spatial_dimensions),
        out_spec=(dn.output_batch_dimension, dn.output_feature_dimension,
                  *dn.output_spatial_dimensions),
        feature_group_count=_count(attrs, "feature_group_count"),
        batch_group_count=_count(attrs, "batch_group_count"),
        preferred_element_type=None if dt == aval_of(lhs).dtype else dt)]


def _count(attrs, name: str) -> int:
    return ir.IntegerAttr(attrs[name]).value if name in attrs else 1


def ints_or_bools(attr) -> list:
    return [bool(attr[i]) for i in range(len(attr))]
