"""NaN-ignoring reductions for `plait.numpy` (nansum, nanprod, nanmax, nanmin, nanargmax,
nanargmin, nanmean, nanvar, nanstd, nancumsum, nancumprod), as jax.numpy: NaNs are replaced
by the reduction's identity; integers and bools reduce as the plain functions."""

from __future__ import annotations

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.numpy import _reductions as R
from plait.numpy._core import asarray, broadcast_to, is_array, isnan, numpy_function, where

_STATIC = ("axis", "dtype", "keepdims")


def _arr(x):
    return x if is_array(x) else asarray(x)


def _replace_nan(a, value):
    return where(isnan(a), lax.full(a.shape, value, a.dtype), a)


def _masked(a, where_):
    """a's NaNs and (with `where`) the entries where is False: both left out."""
    nan = isnan(a)
    if where_ is None:
        return nan
    return lax.bitwise_or(nan, lax.bitwise_not(broadcast_to(_arr(where_), a.shape)))


@numpy_function(static=_STATIC)
def nansum(a, axis=None, dtype=None, *, keepdims=False, initial=None, where=None):
    """The sum of a's entries that are not NaN."""
    a = _arr(a)
    if dtypes.is_inexact(a.dtype) or where is not None:
        a = lax.select(_masked(a, where), lax.full(a.shape, 0, a.dtype), a)
    return R.sum(a, axis, dtype, keepdims=keepdims, initial=initial)


@numpy_function(static=_STATIC)
def nanprod(a, axis=None, dtype=None, *, keepdims=False, initial=None, where=None):
    """The product of a's entries that are not NaN."""
    a = _arr(a)
    if dtypes.is_inexact(a.dtype) or where is not None:
        a = lax.select(_masked(a, where), lax.full(a.shape, 1, a.dtype), a)
    return R.prod(a, axis, dtype, keepdims=keepdims, initial=initial)


def _nan_extremum(reduce, identity):
    """NaN where a slice is all NaN, unless `initial` is given (then that, as NumPy/jax)."""
    def f(a, axis=None, *, keepdims=False, initial=None, where=None):
        a = _arr(a)
        if not dtypes.is_inexact(a.dtype):
            return reduce(a, axis, keepdims=keepdims, initial=initial, where=where)
        out = reduce(_replace_nan(a, identity), axis, keepdims=keepdims, initial=initial,
                     where=where)
        if initial is not None:
            return out
        all_nan = R.all(isnan(a), axis, keepdims=keepdims)
        return lax.select(all_nan, lax.full(out.shape, np.nan, out.dtype), out)
    return f


nanmax = numpy_function(static=("axis", "keepdims"), name="nanmax")(
    _nan_extremum(R.max, -np.inf))
nanmin = numpy_function(static=("axis", "keepdims"), name="nanmin")(
    _nan_extremum(R.min, np.inf))
nanmax.__doc__ = "The maximum of a's entries that are not NaN (NaN where all are)."
nanmin.__doc__ = "The minimum of a's entries that are not NaN (NaN where all are)."


def _nan_arg(arg, identity):
    def f(a, axis=None, *, keepdims=False):
        a = _arr(a)
        if not dtypes.is_inexact(a.dtype):
            return arg(a, axis, keepdims=keepdims)
        nan = isnan(a)
        out = arg(where(nan, lax.full(a.shape, identity, a.dtype), a), axis, keepdims=keepdims)
        return where(R.all(nan, axis, keepdims=keepdims), lax.full(out.shape, -1, out.dtype),
                     out)
    return f


nanargmax = numpy_function(static=("axis", "keepdims"), name="nanargmax")(
    _nan_arg(R.argmax, -np.inf))
nanargmin = numpy_function(static=("axis", "keepdims"), name="nanargmin")(
    _nan_arg(R.argmin, np.inf))
nanargmax.__doc__ = "argmax ignoring NaNs; -1 where all are NaN (jax; NumPy raises)."
nanargmin.__doc__ = "argmin ignoring NaNs; -1 where all are NaN (jax; NumPy raises)."


@numpy_function(static=_STATIC)
def nanmean(a, axis=None, dtype=None, *, keepdims=False, where=None):
    """The mean of a's entries that are not NaN (NaN where all are)."""
    a = _arr(a)
    if not dtypes.is_inexact(a.dtype) and where is None:
        return R.mean(a, axis, dtype, keepdims=keepdims)
    dt = dtypes.canonicalize(dtype) if dtype is not None else R._mean_dtype(a.dtype)
    kept = lax.bitwise_not(_masked(a, where))
    n = R.sum(kept, axis, dt, keepdims=keepdims)
    return lax.div(nansum(a, axis, dt, keepdims=keepdims, where=where), n)


def _var_dtypes(a_dtype, dtype):
    """(computed in, returned in), as jax's var."""
    if dtype is not None:
        dt = dtypes.canonicalize(dtype)
        return R._accumulation_dtype(dt), dt
    if not dtypes.is_inexact(a_dtype):
        dt = R._mean_dtype(a_dtype)
        return R._accumulation_dtype(dt), dt
    return R._accumulation_dtype(a_dtype), dtypes.real_dtype(a_dtype)


@numpy_function(static=_STATIC + ("ddof",))
def nanvar(a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=None, mean=None):
    """The variance of a's entries that are not NaN (NaN where at most ddof are)."""
    a = _arr(a)
    comp, out_dt = _var_dtypes(a.dtype, dtype)
    a = lax.convert_element_type(a, comp)
    m = nanmean(a, axis, comp, keepdims=True, where=where) if mean is None else \
        lax.convert_element_type(_arr(mean), comp)
    skip = _masked(a, where)
    # the select before the square: NaN entries give no NaN gradient (jax's double where)
    centered = lax.select(skip, lax.full(a.shape, 0, comp), lax.sub(a, broadcast_to(m, a.shape)))
    if dtypes.is_complex(comp):
        sq = lax.real(lax.mul(centered, lax.complex(lax.real(centered),
                                                    lax.neg(lax.imag(centered)))))
    else:
        sq = lax.mul(centered, centered)
    n = R.sum(lax.bitwise_not(skip), axis, keepdims=keepdims)
    n = lax.sub(n, lax.full(n.shape, ddof, n.dtype))
    bad = lax.le(n, lax.full(n.shape, 0, n.dtype))
    s = R.sum(sq, axis, keepdims=keepdims)
    n = lax.convert_element_type(lax.select(bad, lax.full(n.shape, 1, n.dtype), n), s.dtype)
    out = lax.select(bad, lax.full(s.shape, np.nan, s.dtype), lax.div(s, n))
    return lax.convert_element_type(out, dtypes.real_dtype(out_dt))


@numpy_function(static=_STATIC + ("ddof",))
def nanstd(a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=None, mean=None):
    """The standard deviation of a's entries that are not NaN."""
    return lax.sqrt(nanvar(a, axis, dtype, ddof=ddof, keepdims=keepdims, where=where,
                           mean=mean))


@numpy_function(static=("axis", "dtype"))
def nancumsum(a, axis=None, dtype=None):
    """cumsum with NaNs counted as 0."""
    a = _arr(a)
    return R.cumsum(_replace_nan(a, 0) if dtypes.is_inexact(a.dtype) else a, axis, dtype)


@numpy_function(static=("axis", "dtype"))
def nancumprod(a, axis=None, dtype=None):
    """cumprod with NaNs counted as 1."""
    a = _arr(a)
    return R.cumprod(_replace_nan(a, 1) if dtypes.is_inexact(a.dtype) else a, axis, dtype)
