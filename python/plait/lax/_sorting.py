"""`plait.lax` sort and top_k, with jax.lax's names and signatures."""

from __future__ import annotations

from collections.abc import Sequence

from plait.core.errors import PlaitTypeError
from plait.dialect import ops as P
from plait.lax._lax import _is_array, transpose
from plait.staging.trace import bind


def _axis(axis: int, ndim: int, what: str) -> int:
    if not -ndim <= axis < ndim:
        raise PlaitTypeError(f"{what} {axis} is out of range for rank {ndim}")
    return axis % ndim


def _moveaxis(x, src: int, dst: int):
    perm = [d for d in range(x.ndim) if d != src]
    perm.insert(dst, src)
    return transpose(x, perm)


def sort(operand, dimension: int = -1, is_stable: bool = True, num_keys: int = 1):
    """Sort along `dimension` by the first `num_keys` operands (one array or a sequence, which
    come back the same way); floats in total order with -0.0 == 0.0 and NaNs last."""
    single = not isinstance(operand, Sequence)
    xs = [operand] if single else list(operand)
    if not xs or not all(_is_array(x) for x in xs):
        raise PlaitTypeError("sort takes an array or a sequence of arrays")
    d = _axis(dimension, xs[0].ndim, "sort dimension")
    out = bind(P.sort, *xs, dimension=d, is_stable=bool(is_stable), num_keys=int(num_keys))
    return out if single else tuple(out) if len(xs) > 1 else (out,)


def sort_key_val(keys, values, dimension: int = -1, is_stable: bool = True):
    """(sorted keys, values permuted alike)."""
    return sort((keys, values), dimension, is_stable, 1)


def top_k(operand, k: int, *, axis: int = -1):
    """The k largest entries along `axis`, largest first, and their int32 indices."""
    a = _axis(axis, operand.ndim, "top_k axis")
    last = operand.ndim - 1
    x = _moveaxis(operand, a, last)
    values, indices = bind(P.top_k, x, k=int(k))
    return _moveaxis(values, last, a), _moveaxis(indices, last, a)
