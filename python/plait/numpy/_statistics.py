"""Order statistics, averages, correlations and histograms for `plait.numpy`: quantile,
percentile, median and their nan-versions, average, cov, corrcoef, histogram,
histogram_bin_edges, histogram2d, histogramdd, bincount."""

from __future__ import annotations

import builtins
import math

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy import _reductions as R
from plait.numpy._core import (
    asarray,
    broadcast_to,
    canon_axes,
    is_array,
    isnan,
    numpy_function,
    promote_avals,
    promote_dtypes_inexact,
    where,
)
from plait.numpy._indexing import _take_along_axis
from plait.numpy._linalg import dot
from plait.numpy._nonzero import concrete_count
from plait.numpy._shape import linspace
from plait.numpy._sorting import search_sorted

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf")


def _arr(x):
    return x if is_array(x) else asarray(x)


def _reduced_last(a, axes):
    """a with `axes` flattened into one last axis, the other axes first in order."""
    kept = [d for d in range(a.ndim) if d not in axes]
    moved = lax.transpose(a, kept + list(axes))
    return lax.reshape(moved, tuple(a.shape[d] for d in kept) + (math.prod(
        a.shape[d] for d in axes),))


def _gather_last(a, idx):
    """a[..., idx[..., j]] along the last axis, for idx shaped a.shape[:-1] + (nq,)."""
    return _take_along_axis.traced(a, idx, -1, "clip", None)


def _quantile(a, q, axis, method, keepdims, squash_nans, weights):
    if method not in _METHODS:
        raise PlaitValueError(f"method must be one of {_METHODS}, got {method!r}")
    if weights is not None and method != "inverted_cdf":
        raise PlaitValueError(f"method={method!r} takes no weights; only 'inverted_cdf' does")
    a, q = _arr(a), _arr(q)
    if weights is None:
        (a,) = promote_dtypes_inexact(a)
    else:
        weights = _arr(weights)
        if dtypes.is_complex(weights.dtype):
            raise PlaitTypeError("quantile: weights cannot be complex")
        a, weights = promote_dtypes_inexact(a, weights)
    if dtypes.is_complex(a.dtype):
        raise PlaitTypeError("quantile does not support complex input")
    if q.ndim > 1:
        raise PlaitValueError(f"q must have rank 0 or 1, got shape {q.shape}")
    q = lax.convert_element_type(q, a.dtype)
    axes = canon_axes(axis, a.ndim)
    if weights is not None:
        weights = _weights_like(weights, a, axis, axes)
    keep_shape = tuple(1 if d in axes else n for d, n in enumerate(a.shape))
    x = _reduced_last(a, axes)
    w = _reduced_last(weights, axes) if weights is not None else None
    batch, n = x.shape[:-1], x.shape[-1]
    nan = isnan(x)
    if squash_nans:
        x = where(nan, lax.full(x.shape, np.nan, x.dtype), x)  # NaNs positive: sorted last
    else:
        x = where(R.any(nan, -1, keepdims=True), lax.full(x.shape, np.nan, x.dtype), x)
    if w is None:
        x = lax.sort(x, dimension=x.ndim - 1)
    else:
        x, w = lax.sort((x, w), dimension=x.ndim - 1, num_keys=1)
    nq = q.shape[0] if q.ndim else 1
    qb = lax.broadcast_in_dim(lax.reshape(q, (nq,)), batch + (nq,), (len(batch),))
    count = (R.sum(lax.bitwise_not(nan), -1, x.dtype, keepdims=True) if squash_nans else
             lax.full(batch + (1,), n, x.dtype))
    if method == "inverted_cdf":
        out = _inverted_cdf(x, w, qb, count, nan, squash_nans)
    else:
        out = _interpolated(x, qb, count, method)
    out = lax.transpose(out, (out.ndim - 1,) + tuple(range(out.ndim - 1)))  # q first
    shape = keep_shape if keepdims else tuple(d for i, d in enumerate(a.shape) if i not in axes)
    out = lax.reshape(out, ((nq,) if q.ndim else ()) + shape)
    return lax.convert_element_type(out, a.dtype)


def _weights_like(weights, a, axis, axes):
    if weights.shape == a.shape:
        return weights
    if axis is None:
        raise PlaitValueError("quantile: weights must have a's shape when axis is None")
    if weights.shape != tuple(a.shape[d] for d in axes):
        raise PlaitValueError(f"quantile: weights of shape {weights.shape} do not match the "
                              f"reduced axes {tuple(a.shape[d] for d in axes)}")
    return lax.broadcast_in_dim(weights, a.shape, axes)


def _interpolated(x, qb, count, method):
    """The methods of NumPy's that interpolate between the order statistics around q*(n-1)."""
    pos = lax.mul(qb, lax.sub(broadcast_to(count, qb.shape), lax.full(qb.shape, 1, qb.dtype)))
    low, high = lax.floor(pos), lax.ceil(pos)
    high_weight = lax.sub(pos, low)
    top = lax.sub(broadcast_to(count, qb.shape), lax.full(qb.shape, 1, qb.dtype))
    zero = lax.full(qb.shape, 0, qb.dtype)
    idt = dtypes.config.default_int
    low_i = lax.convert_element_type(lax.max(zero, lax.min(low, top)), idt)
    high_i = lax.convert_element_type(lax.max(zero, lax.min(high, top)), idt)
    lo, hi = _gather_last(x, low_i), _gather_last(x, high_i)
    if method == "linear":
        low_weight = lax.sub(lax.full(qb.shape, 1, qb.dtype), high_weight)
        return lax.add(lax.mul(lo, low_weight), lax.mul(hi, high_weight))
    if method == "lower":
        return lo
    if method == "higher":
        return hi
    if method == "nearest":  # ties go down, as jax (NumPy rounds the index half to even)
        return where(lax.le(high_weight, lax.full(qb.shape, 0.5, qb.dtype)), lo, hi)
    return lax.mul(lax.add(lo, hi), lax.full(qb.shape, 0.5, qb.dtype))  # midpoint


def _inverted_cdf(x, w, qb, count, nan, squash_nans):
    """The first order statistic whose cumulative weight reaches q of the total (NaN where a
    weight is negative or NaN, or where NaNs are not skipped and there is one)."""
    if w is None:
        w = lax.full(x.shape, 1, x.dtype)
    zero = lax.full(w.shape, 0, w.dtype)
    bad = lax.bitwise_or(lax.lt(w, zero), isnan(w))
    clean = lax.select(lax.bitwise_or(bad, isnan(x)), zero, w)
    cum = lax.cumsum(clean, x.ndim - 1)
    n = x.shape[-1]
    total = lax.slice_in_dim(cum, n - 1, n, axis=x.ndim - 1) if n else lax.full(
        x.shape[:-1] + (1,), 0, x.dtype)
    target = lax.mul(qb, broadcast_to(total, qb.shape))
    nb, nq = x.ndim - 1, qb.shape[-1]
    full = x.shape[:-1] + (nq, n)
    less = lax.lt(lax.broadcast_in_dim(cum, full, tuple(range(nb)) + (nb + 1,)),
                  lax.broadcast_in_dim(target, full, tuple(range(nb + 1))))
    idt = dtypes.config.default_int
    idx = R.sum(less, -1, idt)
    top = lax.convert_element_type(lax.sub(broadcast_to(count, qb.shape),
                                           lax.full(qb.shape, 1, qb.dtype)), idt)
    idx = lax.max(lax.full(idx.shape, 0, idt), lax.min(idx, top))
    out = _gather_last(x, idx)
    force = R.any(bad, -1, keepdims=True)
    force = lax.bitwise_or(force, lax.eq(count, lax.full(count.shape, 0, count.dtype))
                           if squash_nans else R.any(nan, -1, keepdims=True))
    return where(broadcast_to(force, out.shape), lax.full(out.shape, np.nan, out.dtype), out)


_Q_STATIC = ("axis", "overwrite_input", "method", "keepdims")


@numpy_function(static=_Q_STATIC)
def quantile(a, q, axis=None, *, overwrite_input=False, method="linear", keepdims=False,
             weights=None):
    """The q-th quantiles (q in [0, 1]) of a along axis; `method` as NumPy's ("linear",
    "lower", "higher", "midpoint", "nearest", "inverted_cdf", the only one with weights).
    A NaN in a slice gives NaN."""
    return _quantile(a, q, axis, method, keepdims, False, weights)


@numpy_function(static=_Q_STATIC)
def nanquantile(a, q, axis=None, *, overwrite_input=False, method="linear", keepdims=False,
                weights=None):
    """quantile of the entries that are not NaN (NaN where all are)."""
    return _quantile(a, q, axis, method, keepdims, True, weights)


def _percent(q):
    (q,) = promote_dtypes_inexact(_arr(q))
    return lax.div(q, lax.full(q.shape, 100, q.dtype))


@numpy_function(static=_Q_STATIC)
def percentile(a, q, axis=None, *, overwrite_input=False, method="linear", keepdims=False,
               weights=None):
    """The q-th percentiles (q in [0, 100]): quantile(a, q / 100)."""
    return _quantile(a, _percent(q), axis, method, keepdims, False, weights)


@numpy_function(static=_Q_STATIC)
def nanpercentile(a, q, axis=None, *, overwrite_input=False, method="linear", keepdims=False,
                  weights=None):
    """percentile of the entries that are not NaN."""
    return _quantile(a, _percent(q), axis, method, keepdims, True, weights)


@numpy_function(static=("axis", "overwrite_input", "keepdims"))
def median(a, axis=None, *, overwrite_input=False, keepdims=False):
    """The median along axis (the mean of the two middle entries for an even count)."""
    return _quantile(a, 0.5, axis, "midpoint", keepdims, False, None)


@numpy_function(static=("axis", "overwrite_input", "keepdims"))
def nanmedian(a, axis=None, *, overwrite_input=False, keepdims=False):
    """median of the entries that are not NaN."""
    return _quantile(a, 0.5, axis, "midpoint", keepdims, True, None)


# --- average, cov, corrcoef -----------------------------------------------------------------

def _average(a, axis, weights, returned, keepdims):
    axes = canon_axes(axis, _arr(a).ndim)
    if weights is None:
        (a,) = promote_dtypes_inexact(a)
        avg = R.mean(a, axis, keepdims=keepdims)
        w_sum = lax.full(avg.shape, math.prod(a.shape[d] for d in axes), avg.dtype)
    else:
        a, weights = promote_dtypes_inexact(a, weights)
        if a.shape != weights.shape:
            if axis is None:
                raise PlaitValueError("average: axis must be given when a and weights differ "
                                      "in shape")
            if weights.shape != tuple(a.shape[d] for d in axes):
                raise PlaitValueError("average: the shape of weights must match a's along "
                                      "axis")
            weights = lax.broadcast_in_dim(weights, a.shape, axes)
        w_sum = R.sum(weights, axis, keepdims=keepdims)
        avg = lax.div(R.sum(lax.mul(a, weights), axis, keepdims=keepdims), w_sum)
    return (avg, broadcast_to(w_sum, avg.shape)) if returned else avg


@numpy_function(static=("axis", "returned", "keepdims"))
def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """The weighted mean along axis; with returned, also the sum of the weights."""
    return _average(a, axis, weights, returned, keepdims)


def _rows2d(x, rowvar):
    x = x if x.ndim >= 1 else lax.reshape(x, (1,))
    x = lax.reshape(x, (1,) + x.shape) if x.ndim == 1 else x
    return lax.transpose(x, (1, 0)) if not rowvar and x.shape[0] != 1 else x


@numpy_function(static=("rowvar", "bias", "ddof", "dtype"))
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
        dtype=None):
    """The covariance matrix of the variables in m's rows (columns if not rowvar), and y's."""
    m, *rest = promote_dtypes_inexact(m, *([] if y is None else [y]))
    if m.ndim > 2 or rest and rest[0].ndim > 2:
        raise PlaitValueError("cov: m and y have at most 2 dimensions")
    if dtype is not None and not dtypes.is_inexact(dtypes.canonicalize(dtype)):
        raise PlaitValueError(f"cov: dtype must be inexact, got {dtype}")
    X = _rows2d(m, rowvar or m.ndim == 1)
    if X.shape[0] == 0:
        return lax.full((0, 0), 0, X.dtype)
    if rest:
        X = lax.concatenate([X, _rows2d(rest[0], rowvar)], 0)
    if X.shape[1] == 0:
        shape = () if X.shape[0] == 1 else (X.shape[0],) * 2
        return lax.full(shape, np.nan, X.dtype)
    ddof = (0 if bias else 1) if ddof is None else ddof
    w = _cov_weights(X, fweights, aweights)
    if w is not None:
        X, w = promote_dtypes_inexact(X, w)
    if dtype is not None:
        X = lax.convert_element_type(X, dtype)
        w = lax.convert_element_type(w, dtype) if w is not None else None
    avg, w_sum = _average(X, 1, w, True, False)
    w_sum = lax.reshape(lax.slice(w_sum, (0,), (1,)), ())
    if w is None:
        f = lax.full((), X.shape[1] - ddof, X.dtype)
    elif ddof == 0:
        f = w_sum
    elif aweights is None:
        f = lax.sub(w_sum, lax.full((), ddof, w_sum.dtype))
    else:
        aw = lax.convert_element_type(lax.abs(_arr(aweights)), w.dtype)
        f = lax.sub(w_sum, lax.div(lax.mul(lax.full((), ddof, w.dtype),
                                           R.sum(lax.mul(w, aw))), w_sum))
    X = lax.sub(X, lax.broadcast_in_dim(avg, X.shape, (0,)))
    Xw = X if w is None else lax.mul(X, lax.broadcast_in_dim(
        lax.convert_element_type(w, X.dtype), X.shape, (1,)))
    Xt = lax.transpose(Xw, (1, 0))
    if dtypes.is_complex(Xt.dtype):
        Xt = lax.complex(lax.real(Xt), lax.neg(lax.imag(Xt)))
    c = dot(X, Xt)
    c = lax.div(c, lax.broadcast_in_dim(lax.convert_element_type(f, c.dtype), c.shape, ()))
    return lax.reshape(c, ()) if c.shape == (1, 1) else c


def _cov_weights(X, fweights, aweights):
    w = None
    n = X.shape[1]
    if fweights is not None:
        fw = _arr(fweights)
        if fw.ndim != 1 or fw.shape[0] != n:
            raise PlaitValueError(f"cov: fweights must be 1-D with {n} entries")
        if not dtypes.is_integer(fw.dtype):
            raise PlaitTypeError("cov: fweights must be integers")
        w = lax.abs(fw)
    if aweights is not None:
        aw = _arr(aweights)
        if aw.ndim != 1 or aw.shape[0] != n:
            raise PlaitValueError(f"cov: aweights must be 1-D with {n} entries")
        aw = lax.abs(aw)
        if w is not None:
            dt = promote_avals([w.aval, aw.aval])[0]
            w, aw = lax.convert_element_type(w, dt), lax.convert_element_type(aw, dt)
            w = lax.mul(w, aw)
        else:
            w = aw
    return w


@numpy_function(static=("rowvar", "dtype"))
def corrcoef(x, y=None, rowvar=True, dtype=None):
    """Pearson correlation coefficients: cov normalised by the standard deviations and
    clipped to [-1, 1]."""
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return lax.div(c, c)
    n = c.shape[0]
    d = lax.reshape(lax.gather(
        lax.reshape(c, (n * n,)), lax.reshape(lax.mul(lax.iota(dtypes.int32, n), n + 1), (n, 1)),
        lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,),
                                   start_index_map=(0,)), (1,)), (n,))
    std = lax.sqrt(lax.real(d) if dtypes.is_complex(d.dtype) else d)
    std = lax.convert_element_type(std, c.dtype)
    c = lax.div(lax.div(c, lax.broadcast_in_dim(std, c.shape, (0,))),
                lax.broadcast_in_dim(std, c.shape, (1,)))
    one = lambda v: lax.clamp(lax.full(v.shape, -1, v.dtype), v,  # noqa: E731
                              lax.full(v.shape, 1, v.dtype))
    if dtypes.is_complex(c.dtype):
        return lax.complex(one(lax.real(c)), one(lax.imag(c)))
    return one(c)


# --- histograms -----------------------------------------------------------------------------

def _bins_static(bins):
    """(number of bins or None, the edges or None): an int is static, an array is data."""
    if isinstance(bins, str):
        raise PlaitValueError("histogram: string bins are not supported (as jax); pass an "
                              "int or the edges")
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        return int(bins), None
    if np.ndim(bins) == 0 and not is_array(bins):
        return int(bins), None
    return None, bins


def _bin_edges(a, nbins, edges, range_):
    """The bin edges of the 1-D inexact a: `edges` as a's dtype, or `nbins` equal bins over
    range_ (a's min and max by default; widened by 0.5 each side if empty)."""
    if edges is not None:
        edges = _arr(edges)
        if edges.ndim != 1:
            raise PlaitValueError(f"histogram: bins must be an int or 1-D, got shape "
                                  f"{edges.shape}")
        return lax.convert_element_type(edges, a.dtype)
    if range_ is None:
        lo, hi = R.min(a), R.max(a)
    else:
        r = lax.convert_element_type(_arr(range_), a.dtype)
        if r.shape != (2,):
            raise PlaitValueError(f"histogram: range must be None or a pair, got shape "
                                  f"{r.shape}")
        lo, hi = (lax.reshape(lax.slice(r, (i,), (i + 1,)), ()) for i in (0, 1))
    empty = lax.eq(lo, hi)
    half = lax.full((), 0.5, a.dtype)
    lo = lax.select(empty, lax.sub(lo, half), lo)
    hi = lax.select(empty, lax.add(hi, half), hi)
    return linspace(lo, hi, nbins + 1, dtype=a.dtype)


def _bin_index(x, edges):
    """For each x, its bin + 1 (0 below the first edge, len(edges) above the last); the last
    edge belongs to the last bin."""
    idx = search_sorted(edges, x, "right")
    n = edges.shape[0]
    last = lax.broadcast_in_dim(lax.reshape(lax.slice(edges, (n - 1,), (n,)), ()), x.shape, ())
    return lax.select(lax.eq(x, last), lax.full(x.shape, n - 1, idx.dtype), idx)


def _scatter_add(length, idx, updates):
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                     scatter_dims_to_operand_dims=(0,))
    return lax.scatter_add(lax.full((length,), 0, updates.dtype),
                           lax.reshape(idx, (idx.size, 1)), lax.reshape(updates, (idx.size,)),
                           dn, mode="drop")


@numpy_function(static=("nbins",))
def _histogram_bin_edges(a, nbins, edges, range):
    (a,) = promote_dtypes_inexact(a)
    return _bin_edges(lax.reshape(a, (a.size,)), nbins, edges, range)


@numpy_function(jit=False)
def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """The edges histogram would use (weights are unused: there are no string bins)."""
    return _histogram_bin_edges(a, *_bins_static(bins), range)


@numpy_function(static=("nbins", "density"))
def _histogram(a, nbins, edges, range, weights, density):
    a = _arr(a)
    if weights is None:
        (a,) = promote_dtypes_inexact(a)
        weights = lax.full(a.shape, 1, a.dtype)
    else:
        if _arr(weights).shape != a.shape:
            raise PlaitValueError("histogram: weights must have a's shape")
        a, weights = promote_dtypes_inexact(a, weights)
    a, weights = lax.reshape(a, (a.size,)), lax.reshape(weights, (a.size,))
    edges = _bin_edges(a, nbins, edges, range)
    n = edges.shape[0]
    counts = lax.slice(_scatter_add(n, _bin_index(a, edges), weights), (1,), (n,))
    if density:
        widths = lax.sub(lax.slice(edges, (1,), (n,)), lax.slice(edges, (0,), (n - 1,)))
        total = R.sum(counts)
        counts = lax.div(lax.div(counts, widths), lax.broadcast_in_dim(total, counts.shape, ()))
    return counts, edges


@numpy_function(jit=False)
def histogram(a, bins=10, range=None, weights=None, density=None):
    """(counts, edges): the (weighted) number of a's entries in each bin, as floats (jax);
    bins are half-open but the last, which holds its right edge."""
    return _histogram(a, *_bins_static(bins), range, weights, bool(density))


@numpy_function(static=("nbins", "density"))
def _histogramdd(sample, nbins, edges, range, weights, density):
    sample = _arr(sample)
    if weights is None:
        (sample,) = promote_dtypes_inexact(sample)
    else:
        if _arr(weights).shape != sample.shape[:1]:
            raise PlaitValueError("histogramdd: there must be one weight per sample")
        sample, weights = promote_dtypes_inexact(sample, weights)
    if sample.ndim != 2:
        raise PlaitValueError(f"histogramdd: sample must be 2-D (N, D), got shape "
                              f"{sample.shape}")
    N, D = sample.shape
    if range is not None and len(range) != D:
        raise PlaitValueError(f"histogramdd: range must be {D} pairs or Nones")
    all_edges, flat, sizes = [], None, []
    for i in builtins.range(D):
        col = lax.reshape(lax.slice(sample, (0, i), (N, i + 1)), (N,))
        e = _bin_edges(col, nbins[i], edges[i], None if range is None else range[i])
        idx = search_sorted(e, col, "right")
        n = e.shape[0]
        last = lax.broadcast_in_dim(lax.reshape(lax.slice(e, (n - 1,), (n,)), ()), (N,), ())
        idx = lax.select(lax.eq(col, last), lax.sub(idx, 1), idx)
        all_edges.append(e)
        sizes.append(n + 1)
        flat = idx if flat is None else lax.add(lax.mul(flat, n + 1), idx)
    w = weights if weights is not None else lax.full((N,), 1, dtypes.config.default_int)
    hist = lax.reshape(_scatter_add(math.prod(sizes), flat, w), tuple(sizes))
    hist = lax.slice(hist, (1,) * D, tuple(s - 1 for s in sizes))
    if density:
        hist = lax.convert_element_type(hist, sample.dtype)
        hist = lax.div(hist, lax.broadcast_in_dim(R.sum(hist), hist.shape, ()))
        for i, e in enumerate(all_edges):
            n = e.shape[0]
            width = lax.sub(lax.slice(e, (1,), (n,)), lax.slice(e, (0,), (n - 1,)))
            hist = lax.div(hist, lax.broadcast_in_dim(width, hist.shape, (i,)))
    return hist, all_edges


def _per_dim_bins(bins, D):
    if isinstance(bins, (list, tuple)) or is_array(bins) and bins.ndim == 1 and D != 1 and \
            bins.shape[0] == D:
        if len(bins) != D:
            raise PlaitValueError(f"histogramdd: bins must have one entry per dimension ({D})")
        specs = [_bins_static(b) for b in bins]
    else:
        specs = [_bins_static(bins)] * D
    return tuple(s[0] for s in specs), [s[1] for s in specs]


def _pairs(range_):
    return None if range_ is None else [None if r is None else np.asarray(r) if not is_array(r)
                                        else r for r in range_]


@numpy_function(jit=False)
def histogramdd(sample, bins=10, range=None, weights=None, density=None):
    """(counts, [edges per dimension]) of N samples of D coordinates (sample: (N, D)); the
    counts are integers without weights (jax)."""
    sample = _arr(sample)
    D = sample.shape[1] if sample.ndim == 2 else 0
    nbins, edges = _per_dim_bins(bins, D)
    return _histogramdd(sample, nbins, edges, _pairs(range), weights, bool(density))


@numpy_function(jit=False)
def histogram2d(x, y, bins=10, range=None, weights=None, density=None):
    """(counts, x edges, y edges): histogramdd of the points (x, y)."""
    x, y = _arr(x), _arr(y)
    if not isinstance(bins, (int, np.integer)) and np.ndim(bins) == 1 and len(bins) not in (1, 2):
        bins = [bins, bins]  # one array of edges for both
    dt = promote_avals([x.aval, y.aval])[0]
    sample = lax.concatenate([lax.reshape(lax.convert_element_type(v, dt), (v.size, 1))
                              for v in (x, y)], 1)
    hist, edges = histogramdd(sample, bins, range, weights, density)
    return hist, edges[0], edges[1]


@numpy_function(static=("length",))
def _bincount(x, weights, length):
    w = lax.full(x.shape, 1, dtypes.config.default_int) if weights is None else _arr(weights)
    x = lax.max(x, lax.full(x.shape, 0, x.dtype))  # negative values count as 0 (jax)
    if x.size == 0 or length == 0:
        return lax.full((length,), 0, w.dtype)
    return _scatter_add(length, x, w)


@numpy_function(jit=False)
def bincount(x, weights=None, minlength=0, *, length=None):
    """How often each value 0, 1, ... occurs in the non-negative integer x (weighted: the
    sum of weights), max(x) + 1 or `minlength` entries; under jit, `length=` sets it."""
    x = _arr(x)
    if x.dtype == dtypes.bool_:
        x = lax.convert_element_type(x, dtypes.int32)
    if not dtypes.is_integer(x.dtype):
        raise PlaitTypeError(f"bincount: x must be integers, got {x.dtype}")
    if x.ndim != 1:
        raise PlaitValueError(f"bincount: x must be 1-D, got shape {x.shape}")
    if weights is not None and _arr(weights).shape != x.shape:
        raise PlaitValueError("bincount: weights must have x's shape")
    if length is None:
        top = builtins.max(concrete_count(R.max(x), "bincount", "length",
                                            "the number of bins"), 0) + 1 if x.size \
            else 0
        length = builtins.max(int(minlength), top)
    return _bincount(x, weights, int(length))

