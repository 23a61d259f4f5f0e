"""NumPy references of the windowed reductions and convolutions (test_ops.py's oracles): every
window of an array as trailing axes, then a reduction or a contraction over them."""

from __future__ import annotations

import numpy as np


def _pad_axis(y, axis, lo, hi, value):
    def edge(k):
        shape = list(y.shape)
        shape[axis] = k
        return np.full(shape, value, y.dtype)
    y = np.concatenate([edge(max(lo, 0)), y, edge(max(hi, 0))], axis)
    stop = y.shape[axis] - max(-hi, 0)
    return y[(slice(None),) * axis + (slice(max(-lo, 0), stop),)]


def windows(x, init, window, strides, lo, hi, base, wdil):
    """(output..., window...): each window of x, base-dilated and padded with `init`."""
    x = np.asarray(x)
    y = np.full([(n - 1) * b + 1 if n else 0 for n, b in zip(x.shape, base)], init, x.dtype)
    y[tuple(slice(None, None, b) for b in base)] = x
    for axis, (a, b) in enumerate(zip(lo, hi)):
        y = _pad_axis(y, axis, a, b, init)
    extent = [(k - 1) * d + 1 for k, d in zip(window, wdil)]
    v = np.lib.stride_tricks.sliding_window_view(y, extent)
    return v[tuple(slice(None, None, s) for s in strides) + tuple(slice(None, None, d)
                                                                   for d in wdil)]


def reduce_window(reduce, x, init, **w):
    """`reduce` (np.sum, np.max, ...) over each window."""
    v = windows(x, init, *_window_args(w, x.ndim))
    n = x.ndim
    return reduce(v, axis=tuple(range(n, 2 * n))).astype(x.dtype)


def _window_args(w, n):
    ones = (1,) * n
    return (w["window_dimensions"], w.get("window_strides", ones), w.get("padding_low", (0,) * n),
            w.get("padding_high", (0,) * n), w.get("base_dilation", ones),
            w.get("window_dilation", ones))


def _flat_windows(x, init, w):
    v = windows(x, init, *_window_args(w, x.ndim))
    return v.reshape(v.shape[:x.ndim] + (-1,))


def _identity(direction, dt):
    if dt.kind == "f":
        return -np.inf if direction == "GE" else np.inf
    info = np.iinfo(dt)
    return info.min if direction == "GE" else info.max


def _chosen(x, direction, w):
    """Index (into each flattened window) of the first maximum (GE) or minimum (LE)."""
    v = _flat_windows(x, _identity(direction, x.dtype), w)
    return (np.argmax if direction == "GE" else np.argmin)(v, axis=-1)[..., None]


def select_and_gather_add(t, x, direction, **w):
    k = _chosen(x, direction, w)
    return np.take_along_axis(_flat_windows(t, 0, w), k, -1)[..., 0]


def select_and_scatter_add(s, x, direction, **w):
    k = _chosen(x, direction, w)
    where = np.take_along_axis(_flat_windows(np.arange(x.size).reshape(x.shape), -1, w), k, -1)
    where = where[..., 0]
    out = np.zeros(x.size, s.dtype)
    np.add.at(out, where[where >= 0], s[where >= 0])
    return out.reshape(x.shape)


def conv(x, w, strides, padding, lhs_dilation, rhs_dilation, dn, fgc=1, bgc=1):
    """conv_general_dilated: windows of the (N, C, spatial) input against the (O, I, spatial)
    kernel, one contraction per feature or batch group."""
    (lhs_spec, rhs_spec, out_spec), n = dn, x.ndim - 2
    x, w = np.transpose(x, lhs_spec), np.transpose(w, rhs_spec)
    one = (1, 1)
    v = windows(x, 0, one + w.shape[2:], one + tuple(strides),
                (0, 0) + tuple(lo for lo, _ in padding), (0, 0) + tuple(hi for _, hi in padding),
                one + tuple(lhs_dilation), one + tuple(rhs_dilation))
    out_spatial = v.shape[2:2 + n]
    v = v.reshape(v.shape[:2] + (-1, int(np.prod(w.shape[2:]))))  # (N, C, P, K)
    k = w.reshape(w.shape[:2] + (-1,))  # (O, I, K)
    groups = max(fgc, bgc)
    vs = np.split(v, groups, axis=0 if bgc > 1 else 1)
    ks = np.split(k, groups, axis=0)
    out = np.concatenate([np.einsum("ncpk,ock->nop", a, b) for a, b in zip(vs, ks)], axis=1)
    out = out.reshape(out.shape[:2] + out_spatial)
    return np.transpose(out, np.argsort(out_spec))


def cumulative(ufunc, x, axis, reverse):
    flip = (lambda a: np.flip(a, axis)) if reverse else (lambda a: a)
    return flip(ufunc.accumulate(flip(x), axis=axis, dtype=x.dtype))
