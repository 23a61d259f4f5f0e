"""Reductions for `plait.numpy`: sum, prod, max, min, mean, var, std, all, any, arg*, cumsum."""

from __future__ import annotations

import math

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitValueError
from plait.numpy._core import (
    absolute,
    asarray,
    broadcast_to,
    canon_axes,
    canon_axis,
    equal,
    exp,
    is_array,
    isfinite,
    isnan,
    less_equal,
    log,
    logical_and,
    logical_or,
    numpy_function,
    promote_inexact,
    subtract,
    where,
)

_REDUCE_STATIC = ("axis", "dtype", "keepdims")


def _keepdims(out, shape, axes):
    return lax.reshape(out, [1 if i in axes else d for i, d in enumerate(shape)])


def _reduction(a, axis, keepdims, lax_fn, dtype=None, initial_dtype=None):
    a = a if is_array(a) else asarray(a)
    axes = canon_axes(axis, a.ndim)
    if dtype is not None:
        a = lax.convert_element_type(a, dtype)
    out = lax_fn(a, axes)
    return _keepdims(out, a.shape, axes) if keepdims else out


def _sum_dtype(dt):
    """NumPy/JAX sum bools and small integers in the default integer type."""
    if dt == dtypes.bool_:
        return dtypes.config.default_int
    if dtypes.is_integer(dt) and dt.itemsize < dtypes.config.default_int.itemsize:
        return dtypes.config.default_int if not dtypes.is_unsigned(dt) else dtypes.uint32
    return None


def _accumulation_dtype(dt):
    """jax sums float16 and bfloat16 in float32 (and NumPy averages them so): their own range
    and precision overflow or lose a long sum."""
    return dtypes.float32 if dt in (dtypes.float16, dtypes.bfloat16) else dt


def _masked_fill(a, mask, value):
    """a with `value` where the `where=` mask (broadcast to a) is False."""
    if mask is None:
        return a
    mask = broadcast_to(mask if is_array(mask) else asarray(mask), a.shape)
    return where(mask, a, lax.full(a.shape, value, a.dtype))


def _with_initial(out, initial, op):
    """op(out, initial): the `initial=` value joins every reduced slice."""
    if initial is None:
        return out
    init = lax.convert_element_type(initial if is_array(initial) else asarray(initial), out.dtype)
    return op(out, broadcast_to(init, out.shape))


def _mask_count(a, axis, keepdims, mask, dtype):
    """How many entries each slice reduces: all of them, or those the mask keeps."""
    axes = canon_axes(axis, a.ndim)
    if mask is None:
        shape = [1 if i in axes else d for i, d in enumerate(a.shape) if keepdims or i not in axes]
        return lax.full(shape, math.prod(a.shape[i] for i in axes), dtype)
    kept = lax.convert_element_type(broadcast_to(mask if is_array(mask) else asarray(mask),
                                                 a.shape), dtypes.bool_)
    return _reduction(lax.convert_element_type(kept, dtype), axes, keepdims, lax.reduce_sum)


def _sum_or_prod(a, axis, dtype, keepdims, lax_fn, bool_fn, initial=None, mask=None):
    """A sum or product in `dtype`: in bool, NumPy's sum is `or` and its product `and`."""
    a = a if is_array(a) else asarray(a)
    a = _masked_fill(a, mask, 0 if lax_fn is lax.reduce_sum else 1)
    out = _sum_or_prod_all(a, axis, dtype, keepdims, lax_fn, bool_fn)
    if out.dtype == dtypes.bool_:
        op = lax.bitwise_or if lax_fn is lax.reduce_sum else lax.bitwise_and
    else:
        op = lax.add if lax_fn is lax.reduce_sum else lax.mul
    return _with_initial(out, initial, op)


def _sum_or_prod_all(a, axis, dtype, keepdims, lax_fn, bool_fn):
    dt = dtypes.canonicalize(dtype) if dtype is not None else _sum_dtype(a.dtype)
    if (dt or a.dtype) == dtypes.bool_:
        return _reduction(a, axis, keepdims, bool_fn, dt)
    acc = _accumulation_dtype(dt or a.dtype)
    if acc == (dt or a.dtype):
        return _reduction(a, axis, keepdims, lax_fn, dt)
    return lax.convert_element_type(_reduction(a, axis, keepdims, lax_fn, acc), dt or a.dtype)


@numpy_function(static=_REDUCE_STATIC)
def sum(a, axis=None, dtype=None, *, keepdims=False, initial=None, where=None):
    return _sum_or_prod(a, axis, dtype, keepdims, lax.reduce_sum, lax.reduce_or, initial,
                        where)


@numpy_function(static=_REDUCE_STATIC)
def prod(a, axis=None, dtype=None, *, keepdims=False, initial=None, where=None):
    return _sum_or_prod(a, axis, dtype, keepdims, lax.reduce_prod, lax.reduce_and, initial,
                        where)


def _check_nonempty(a, axis, name):
    a = a if is_array(a) else asarray(a)
    for ax in canon_axes(axis, a.ndim):
        if a.shape[ax] == 0:
            raise PlaitValueError(f"zero-size array to reduction operation {name} which has "
                                  "no identity")
    return a


def _lowest(dt):
    """The identity of max in dt (min's is its negation's counterpart, `_highest`)."""
    if dt == dtypes.bool_:
        return False
    return -np.inf if dtypes.is_inexact(dt) else np.iinfo(dt).min


def _highest(dt):
    if dt == dtypes.bool_:
        return True
    return np.inf if dtypes.is_inexact(dt) else np.iinfo(dt).max


def _extremum(a, axis, keepdims, initial, mask, name):
    """max or min; with `where=`, `initial=` is needed (they have no identity), as jax."""
    is_max = name == "max"
    if initial is None:
        if mask is not None:
            raise PlaitValueError(f"reduction operation {name} does not have an identity, so "
                                  "to use a where mask one has to specify 'initial'")
        a = _check_nonempty(a, axis, name)
    a = a if is_array(a) else asarray(a)
    a = _masked_fill(a, mask, (_lowest if is_max else _highest)(a.dtype))
    out = _reduction(a, axis, keepdims, lax.reduce_max if is_max else lax.reduce_min)
    return _with_initial(out, initial, lax.max if is_max else lax.min)


@numpy_function(static=("axis", "keepdims"))
def max(a, axis=None, *, keepdims=False, initial=None, where=None):
    return _extremum(a, axis, keepdims, initial, where, "max")


@numpy_function(static=("axis", "keepdims"))
def min(a, axis=None, *, keepdims=False, initial=None, where=None):
    return _extremum(a, axis, keepdims, initial, where, "min")


amax, amin = max, min


@numpy_function(static=("axis", "keepdims"))
def all(a, axis=None, *, keepdims=False, where=None):
    a = a if is_array(a) else asarray(a)
    a = _masked_fill(lax.convert_element_type(a, dtypes.bool_), where, True)
    return _reduction(a, axis, keepdims, lax.reduce_and)


@numpy_function(static=("axis", "keepdims"))
def any(a, axis=None, *, keepdims=False, where=None):
    a = a if is_array(a) else asarray(a)
    a = _masked_fill(lax.convert_element_type(a, dtypes.bool_), where, False)
    return _reduction(a, axis, keepdims, lax.reduce_or)


def _mean_dtype(dt):
    if dtypes.is_inexact(dt):
        return dt
    return dtypes.float64 if dt.itemsize == 8 else dtypes.config.default_float


@numpy_function(static=_REDUCE_STATIC)
def mean(a, axis=None, dtype=None, *, keepdims=False, where=None):
    a = a if is_array(a) else asarray(a)
    dt = dtypes.canonicalize(dtype) if dtype is not None else _mean_dtype(a.dtype)
    acc = _accumulation_dtype(dt)
    a = _masked_fill(lax.convert_element_type(a, acc), where, 0)
    s = _reduction(a, axis, keepdims, lax.reduce_sum)
    return lax.convert_element_type(lax.div(s, _mask_count(a, axis, keepdims, where, acc)), dt)


@numpy_function(static=_REDUCE_STATIC + ("ddof",))
def var(a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=None):
    a = a if is_array(a) else asarray(a)
    dt = dtypes.canonicalize(dtype) if dtype is not None else _mean_dtype(a.dtype)
    acc = _accumulation_dtype(dt)
    a = lax.convert_element_type(a, acc)
    centered = lax.sub(a, broadcast_to(mean(a, axis, keepdims=True, where=where), a.shape))
    # the masked entries are zeroed before the square: no NaN gradient from them
    centered = _masked_fill(centered, where, 0)
    if dtypes.is_complex(acc):
        sq = lax.real(lax.mul(centered, lax.complex(lax.real(centered),
                                                    lax.neg(lax.imag(centered)))))
    else:
        sq = lax.mul(centered, centered)
    # NumPy divides by max(n - ddof, 0): ddof >= n gives inf (or nan), never a negative variance
    s = _reduction(sq, axis, keepdims, lax.reduce_sum)
    n = _mask_count(a, axis, keepdims, where, s.dtype)
    n = lax.max(lax.sub(n, lax.full(n.shape, ddof, n.dtype)), lax.full(n.shape, 0, n.dtype))
    return lax.convert_element_type(lax.div(s, n), dtypes.real_dtype(dt))


@numpy_function(static=_REDUCE_STATIC + ("ddof",))
def std(a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=None):
    return lax.sqrt(var(a, axis, dtype, ddof=ddof, keepdims=keepdims, where=where))


def _arg(lax_fn, name):
    @numpy_function(static=("axis", "keepdims"), name=name)
    def f(a, axis=None, *, keepdims=False):
        a = a if is_array(a) else asarray(a)
        if axis is None:
            if a.size == 0:
                raise PlaitValueError(f"attempt to get {name} of an empty sequence")
            flat = lax.reshape(a, (a.size,))
            out = lax_fn(flat, 0, dtypes.config.default_int)
            return lax.reshape(out, (1,) * a.ndim) if keepdims else out
        ax = canon_axis(axis, a.ndim)
        if a.shape[ax] == 0:
            raise PlaitValueError(f"attempt to get {name} of an empty sequence")
        out = lax_fn(a, ax, dtypes.config.default_int)
        return _keepdims(out, a.shape, (ax,)) if keepdims else out
    return f


argmax = _arg(lax.argmax, "argmax")
argmin = _arg(lax.argmin, "argmin")


def _cumulative(a, axis, dtype, lax_fn):
    """A cumulative sum or product in `dtype`; by default bools (and, in sums, small
    integers) in the default integer type, as jax."""
    a = a if is_array(a) else asarray(a)
    if axis is None:
        a, axis = lax.reshape(a, (a.size,)), 0
    if dtype is not None:
        dt = dtypes.canonicalize(dtype)
    elif lax_fn is lax.cumsum or a.dtype == dtypes.bool_:
        dt = _sum_dtype(a.dtype)
    else:
        dt = None
    if dt == dtypes.bool_:  # computed in integers, as jax
        out = _cumulative(lax.ne(a, lax.full(a.shape, 0, a.dtype)) if a.dtype != dt else a,
                          axis, dtypes.config.default_int, lax_fn)
        return lax.convert_element_type(out, dt)
    if dt is not None:
        a = lax.convert_element_type(a, dt)
    return lax_fn(a, canon_axis(axis, a.ndim))


@numpy_function(static=("axis", "dtype"))
def cumsum(a, axis=None, dtype=None):
    return _cumulative(a, axis, dtype, lax.cumsum)


@numpy_function(static=("axis", "dtype"))
def cumprod(a, axis=None, dtype=None):
    return _cumulative(a, axis, dtype, lax.cumprod)


def _cumulative_api(name, lax_fn, initial):
    @numpy_function(static=("axis", "dtype", "include_initial"), name=name)
    def f(x, /, *, axis=None, dtype=None, include_initial=False):
        x = x if is_array(x) else asarray(x)
        if x.ndim == 0:
            raise PlaitValueError(f"{name} needs an array of at least one dimension")
        if axis is None:
            if x.ndim > 1:
                raise PlaitValueError(f"{name}: axis may be left out only for 1-D arrays, got "
                                      f"rank {x.ndim}")
            axis = 0
        axis = canon_axis(axis, x.ndim)
        out = _cumulative(x, axis, dtype, lax_fn)
        if not include_initial:
            return out
        shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
        return lax.concatenate([lax.full(shape, initial, out.dtype), out], axis)
    f.__doc__ = (f"The array API's {name}: along axis (optional for 1-D x), with the "
                 f"{'sum' if initial == 0 else 'product'} of none first if include_initial.")
    return f


cumulative_sum = _cumulative_api("cumulative_sum", lax.cumsum, 0)
cumulative_prod = _cumulative_api("cumulative_prod", lax.cumprod, 1)


@numpy_function(static=("axis", "keepdims"))
def ptp(a, axis=None, *, keepdims=False):
    """max - min along axis."""
    return lax.sub(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


@numpy_function(static=("axis", "keepdims"))
def count_nonzero(a, axis=None, *, keepdims=False):
    a = a if is_array(a) else asarray(a)
    nz = lax.ne(a, lax.full(a.shape, 0, a.dtype)) if a.dtype != dtypes.bool_ else a
    return sum(nz, axis=axis, keepdims=keepdims)


@numpy_function(static=("rtol", "atol", "equal_nan"))
def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):

    a, b = promote_inexact(a, b)
    tol = lax.add(lax.full(a.shape, atol, dtypes.real_dtype(a.dtype)),
                  lax.mul(lax.full(a.shape, rtol, dtypes.real_dtype(a.dtype)), absolute(b)))
    # an infinite b makes tol infinite: only an equal infinity is close to it (NumPy)
    out = logical_and(less_equal(absolute(lax.sub(a, b)), tol), isfinite(b))
    out = logical_or(out, lax.eq(a, b))
    if equal_nan:
        out = logical_or(out, logical_and(isnan(a), isnan(b)))
    return out


@numpy_function(static=("rtol", "atol", "equal_nan"))
def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return all(isclose(a, b, rtol, atol, equal_nan))


@numpy_function()
def array_equal(a1, a2):
    a1 = a1 if is_array(a1) else asarray(a1)
    a2 = a2 if is_array(a2) else asarray(a2)
    if a1.shape != a2.shape:
        return asarray(False)

    return all(equal(a1, a2))


@numpy_function(static=("axis", "keepdims"))
def logsumexp(a, axis=None, b=None, keepdims=False):
    """log(sum(b * exp(a))), computed stably (the max is subtracted first)."""

    (a,) = promote_inexact(a)
    axes = canon_axes(axis, a.ndim)
    m = max(a, axis=axes, keepdims=True)
    m = where(lax.is_finite(m), m, lax.full(m.shape, 0, m.dtype))
    e = exp(subtract(a, m))
    if b is not None:
        e = lax.mul(e, promote_inexact(b, a)[0])
    s = sum(e, axis=axes, keepdims=True)
    out = lax.add(log(s), m)
    if not keepdims:
        out = lax.reshape(out, [d for i, d in enumerate(a.shape) if i not in axes])
    return out
