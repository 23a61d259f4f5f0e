"""Sorting for `plait.numpy`: sort and argsort (stable, NaNs last, as jax.numpy)."""

from __future__ import annotations

from plait import lax
from plait.core import dtypes
from plait.numpy._core import asarray, canon_axis, is_array, numpy_function


def _prepare(a, axis):
    a = a if is_array(a) else asarray(a)
    if axis is None:
        return lax.reshape(a, (a.size,)), 0
    return a, canon_axis(axis, a.ndim)


@numpy_function(static=("axis", "kind", "order", "stable", "descending"))
def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """a sorted along axis (flattened for axis=None)."""
    a, ax = _prepare(a, axis)
    out = lax.sort(a, dimension=ax, is_stable=stable)
    return lax.rev(out, (ax,)) if descending else out


@numpy_function(static=("axis", "kind", "order", "stable", "descending"))
def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """The indices that sort a along axis; equal elements keep their order (also when
    descending)."""
    a, ax = _prepare(a, axis)
    if descending:
        a = lax.rev(a, (ax,))
    idx = lax.broadcasted_iota(dtypes.config.default_int, a.shape, ax)
    _, perm = lax.sort((a, idx), dimension=ax, is_stable=stable, num_keys=1)
    if not descending:
        return perm
    last = lax.full(perm.shape, a.shape[ax] - 1, perm.dtype)
    return lax.sub(last, lax.rev(perm, (ax,)))
