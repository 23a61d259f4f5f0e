"""The rules of the fft (`dialect/fft.py`). Its JVP follows from its Linear trait.

Transposes (the linear transpose, `<ct, fft(x)> = <fft_T(ct), x>` under Re Σ a b): the DFT
matrix is symmetric, so FFT and IFFT are their own; RFFT's is N · IRFFT(conj(ct) / mask) and
IRFFT's conj(mask · RFFT(ct)) / N, where N is the transform's size and `mask` counts each
non-negative frequency of the last axis once (0 and, for even lengths, n/2) or twice (the
others, which stand for their negative twins).
"""

from __future__ import annotations

import math

import numpy as np

from plait._mlir import hlo
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import ops as P
from plait.dialect.builders import full_like
from plait.lowering import solvers as S
from plait.lowering.raising import check_attrs, ints
from plait.lowering.raising import register as raise_rule
from plait.lowering.stablehlo import create, i64s, register
from plait.transforms.batch import batch_rule, move_bdim
from plait.transforms.shard_propagate import backward_rule, forward_rule
from plait.transforms.transpose import deftranspose


def _half_spectrum_mask(x, n: int):
    """1 at the frequencies the half spectrum holds once, 2 at the others, along x's last axis
    (x's dtype)."""
    half = n // 2 + 1
    mask = np.full(half, 2.0, dtypes.real_dtype(aval_of(x).dtype))
    mask[0] = 1
    if n % 2 == 0:
        mask[-1] = 1
    m = P.constant(value=mask)
    m = m if aval_of(m).dtype == aval_of(x).dtype else P.convert(m, new_dtype=aval_of(x).dtype)
    nd = len(aval_of(x).shape)
    return P.broadcast_in_dim(m, shape=aval_of(x).shape, broadcast_dimensions=(nd - 1,))


def _conj(x):
    return P.complex(P.real(x), P.neg(P.imag(x)))


@deftranspose(P.fft)
def _fft_t(cts, operands, fft_type, fft_lengths):
    (ct,) = cts
    n = math.prod(fft_lengths)
    if fft_type in ("FFT", "IFFT"):
        return [P.fft(ct, fft_type=fft_type, fft_lengths=fft_lengths)]
    if fft_type == "RFFT":
        z = P.div(_conj(ct), _half_spectrum_mask(ct, fft_lengths[-1]))
        x = P.fft(z, fft_type="IRFFT", fft_lengths=fft_lengths)
        return [P.mul(x, full_like(x, n))]
    y = P.fft(ct, fft_type="RFFT", fft_lengths=fft_lengths)
    return [_conj(P.div(P.mul(y, _half_spectrum_mask(y, fft_lengths[-1])), full_like(y, n)))]


@batch_rule(P.fft)
def _fft_b(ctx):
    """Leading dimensions are batch dimensions: the vmapped one goes first."""
    x = move_bdim(ctx.operands[0], ctx.bdims[0], 0, ctx.size)
    return [P.fft(x, **ctx.params)], [0]


@forward_rule(P.fft)
def _fft_fwd(ctx):
    """The batch dimensions keep their axes; the transformed ones are replicated."""
    (x,) = ctx.dims
    r = len(ctx.params["fft_lengths"])
    return None if x is None else tuple(x[:len(x) - r]) + ((),) * r


@backward_rule(P.fft)
def _fft_bwd(ctx):
    r = len(ctx.params["fft_lengths"])
    return [tuple(ctx.out[:len(ctx.out) - r]) + ((),) * r]


def _fft(x, fft_type: str, lengths, result_type):
    return create("stablehlo.fft", [result_type], [x],
                  {"fft_type": hlo.FftTypeAttr.get(fft_type),
                   "fft_length": i64s(lengths)}).results[0]


@register(P.fft)
def _lower_fft(op, params, operands, result_types):
    (x,), (t,) = operands, result_types
    fft_type, lengths = params["fft_type"], tuple(params["fft_lengths"])
    if S.aval(x).size == 0 or math.prod(lengths) == 0:
        return [S.zeros(t)]
    if fft_type != "IRFFT" or len(lengths) == 1 or not S.is_gpu():
        return [_fft(x, fft_type, lengths, t)]
    # cuFFT assumes Hermitian symmetry along every axis of a multi-dimensional IRFFT: do the
    # other axes as an IFFT (the last moved out of the way), then a 1-D IRFFT
    nd, r = S.aval(x).ndim, len(lengths)
    first = nd - r
    perm = list(range(first)) + [nd - 1] + list(range(first, nd - 1))
    moved = S.transpose(x, perm)
    inner = _fft(moved, "IFFT", lengths[:-1], moved.type)
    back = S.transpose(inner, [int(i) for i in np.argsort(perm)])
    return [_fft(back, "IRFFT", lengths[-1:], t)]


# --- raising (StableHLO -> plait) ----------------------------------------------------------------

@raise_rule("stablehlo.fft")
def _raise_fft(op):
    check_attrs(op, ("fft_type", "fft_length"))
    return [P.fft(op.operands[0], fft_type=hlo.FftTypeAttr(op.attributes["fft_type"]).value,
                  fft_lengths=ints(op.attributes["fft_length"]))]
