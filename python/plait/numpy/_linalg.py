"""Products for `plait.numpy`: dot, matmul, tensordot, inner, vdot, einsum."""

from __future__ import annotations

import operator

import numpy as np
import opt_einsum

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy._core import (
    asarray,
    conj,
    is_array,
    multiply,
    numpy_function,
    promote_avals,
)
from plait.numpy._reductions import sum as _sum
from plait.numpy._shape import canon_axes, diagonal, ravel


def _promote_pair(a, b):
    a = a if is_array(a) else asarray(a)
    b = b if is_array(b) else asarray(b)
    dt = promote_avals([a.aval, b.aval])[0]
    if dt == dtypes.bool_:
        raise PlaitTypeError("matrix products of bool arrays are not supported; convert first")
    conv = lambda x: x if x.dtype == dt else lax.convert_element_type(x, dt)
    return conv(a), conv(b)


def _mismatch(name, a, b):
    return PlaitTypeError(f"{name}: shapes {a.shape} and {b.shape} are not aligned")


@numpy_function()
def dot(a, b):
    a, b = _promote_pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    bc = b.ndim - 2 if b.ndim >= 2 else 0
    if a.shape[-1] != b.shape[bc]:
        raise _mismatch("dot", a, b)
    return lax.dot_general(a, b, (((a.ndim - 1,), (bc,)), ((), ())))


@numpy_function()
def matmul(a, b):
    """As jax.numpy.matmul: one dot_general and no broadcast. A leading dimension both operands
    have becomes a batching dimension; one only an operand has (or that is 1 in the other, which
    is squeezed) stays a free dimension of it. `(b, s, d) @ (d, e)` contracts d against `w` as it
    is, so the backward pass saves `w`, not `b` broadcast copies of it."""
    a, b = _promote_pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise PlaitValueError("matmul: operands must not be 0-d (use multiply)")
    a_mat, b_mat = a.ndim > 1, b.ndim > 1
    if a.shape[-1] != b.shape[-2 if b_mat else -1]:
        raise _mismatch("matmul", a, b)
    a_lead, b_lead = a.shape[:-2], b.shape[:-2]
    nb = max(len(a_lead), len(b_lead))
    a_lead = (None,) * (nb - len(a_lead)) + a_lead
    b_lead = (None,) * (nb - len(b_lead)) + b_lead
    a_squeeze, b_squeeze, both_squeeze = [], [], []
    a_batch, b_batch = [], []
    # where each dimension of the dot_general's result (batch, a free, b free) goes
    idx_batch, idx_a, idx_b = [], [], []
    for i, (na, nb_) in enumerate(zip(a_lead, b_lead)):
        if na is None:
            idx_b.append(i)
        elif nb_ is None:
            idx_a.append(i)
        elif na == 1 and nb_ == 1:
            a_squeeze.append(len(idx_batch) + len(idx_a) + len(a_squeeze))
            b_squeeze.append(len(idx_batch) + len(idx_b) + len(b_squeeze))
            both_squeeze.append(i)
        elif na == 1:
            idx_b.append(i)
            a_squeeze.append(len(idx_batch) + len(idx_a) + len(a_squeeze))
        elif nb_ == 1:
            idx_a.append(i)
            b_squeeze.append(len(idx_batch) + len(idx_b) + len(b_squeeze))
        elif na == nb_:
            a_batch.append(len(idx_batch) + len(idx_a))
            b_batch.append(len(idx_batch) + len(idx_b))
            idx_batch.append(i)
        else:
            raise _mismatch("matmul", a, b)
    if a_mat:
        idx_a.append(nb)
    if b_mat:
        idx_b.append(nb + a_mat)
    a, b = _squeeze(a, a_squeeze), _squeeze(b, b_squeeze)
    out = lax.dot_general(a, b, (((a.ndim - 1,), (b.ndim - 1 - b_mat,)),
                                 (tuple(a_batch), tuple(b_batch))))
    perm = tuple(int(i) for i in np.argsort(idx_batch + idx_a + idx_b))
    if perm != tuple(range(len(perm))):
        out = lax.transpose(out, perm)
    if both_squeeze:
        shape = list(out.shape)
        for i in both_squeeze:
            shape.insert(i, 1)
        out = lax.reshape(out, tuple(shape))
    return out


def _squeeze(x, axes):
    if not axes:
        return x
    return lax.reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


@numpy_function(static=("axes",))
def tensordot(a, b, axes=2):
    a, b = _promote_pair(a, b)
    ca, cb = _tensordot_axes(axes, a.ndim, b.ndim)
    for i, j in zip(ca, cb):
        if a.shape[i] != b.shape[j]:
            raise _mismatch("tensordot", a, b)
    return lax.dot_general(a, b, ((ca, cb), ((), ())))


def _tensordot_axes(axes, a_ndim: int, b_ndim: int) -> tuple[tuple, tuple]:
    """The contracted axes of a and b from NumPy's `axes`: an integer n (the last n axes of a
    with the first n of b) or a pair of axes or of sequences of axes."""
    try:
        xa, xb = axes
    except TypeError:  # not a pair: an integer
        n = operator.index(axes)
        if n > min(a_ndim, b_ndim):
            raise PlaitValueError(f"tensordot: axes={n} exceeds the dimensions of the operands "
                                  f"({a_ndim} and {b_ndim})") from None
        return tuple(range(a_ndim - n, a_ndim)), tuple(range(n))
    ca, cb = canon_axes(xa, a_ndim), canon_axes(xb, b_ndim)
    if len(ca) != len(cb):
        raise PlaitTypeError(f"tensordot: axes {axes} pair {len(ca)} axes of a with {len(cb)} of b")
    return ca, cb


@numpy_function()
def inner(a, b):
    a, b = _promote_pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return lax.dot_general(a, b, (((a.ndim - 1,), (b.ndim - 1,)), ((), ())))


@numpy_function()
def vdot(a, b):

    a, b = _promote_pair(a, b)
    return dot(conj(ravel(a)), ravel(b))


@numpy_function(static=("subscripts", "optimize"))
def einsum(subscripts, *operands, optimize="greedy"):
    """Einstein summation, contracted pairwise in the order opt_einsum chooses."""
    ops = [x if is_array(x) else asarray(x) for x in operands]
    try:
        _, info = opt_einsum.contract_path(subscripts, *[x.shape for x in ops], shapes=True,
                                           optimize=optimize)
    except ValueError as e:  # opt_einsum's check of subscripts against shapes
        shapes = ", ".join(str(tuple(x.shape)) for x in ops)
        raise PlaitTypeError(f"einsum {subscripts!r} does not fit operands of shapes {shapes}: "
                             f"{e}") from None
    for contraction in info.contraction_list:
        positions, eq = contraction[0], contraction[2]
        picked = [ops[i] for i in positions]
        for i in sorted(positions, reverse=True):
            ops.pop(i)
        ops.append(_einsum_step(eq, picked))
    return ops[0]


def _einsum_step(eq: str, operands):
    """One step `ab,bc->ac` (one or two operands) as diagonals, sums and a dot_general."""

    ins, out = eq.split("->")
    specs = ins.split(",")
    prepared = []
    for k, (spec, x) in enumerate(zip(specs, operands)):
        spec, x = _take_diagonals(spec, x)
        keep = out + "".join(s for j, s in enumerate(specs) if j != k)
        drop = tuple(i for i, c in enumerate(spec) if c not in keep)
        if drop:
            x = _sum(x, axis=drop)
            spec = "".join(c for i, c in enumerate(spec) if i not in drop)
        prepared.append((spec, x))
    if len(prepared) == 1:
        return _einsum_finish(*prepared[0], out)
    (sa, a), (sb, b) = prepared
    a, b = _promote_pair(a, b)
    batch = [c for c in sa if c in sb and c in out]
    contract = [c for c in sa if c in sb and c not in out]
    res = lax.dot_general(a, b, ((tuple(sa.index(c) for c in contract),
                                  tuple(sb.index(c) for c in contract)),
                                 (tuple(sa.index(c) for c in batch),
                                  tuple(sb.index(c) for c in batch))))
    free_a = "".join(c for c in sa if c not in batch and c not in contract)
    free_b = "".join(c for c in sb if c not in batch and c not in contract)
    return _einsum_finish("".join(batch) + free_a + free_b, res, out)


def _take_diagonals(spec: str, x):
    """Repeated labels within one operand (`ii`) select its diagonal."""

    for c in sorted(set(spec)):
        while spec.count(c) > 1:
            i = spec.index(c)
            j = spec.index(c, i + 1)
            x = diagonal(x, 0, i, j)
            spec = spec[:i] + spec[i + 1:j] + spec[j + 1:] + c
    return spec, x


def _einsum_finish(spec: str, x, out: str):
    if sorted(spec) != sorted(out):
        raise PlaitValueError(f"einsum: cannot produce '{out}' from '{spec}'")
    return lax.transpose(x, tuple(spec.index(c) for c in out))
