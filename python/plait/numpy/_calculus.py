"""Differences, integrals, interpolation, convolution and windows for `plait.numpy`: diff,
ediff1d, gradient, trapezoid, unwrap, interp, convolve, correlate, hamming, hanning, bartlett,
blackman, kaiser. Like jax.numpy, integer inputs of gradient, interp, convolve, correlate and
unwrap compute in floating point.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy._core import (
    _aval,
    absolute,
    asarray,
    broadcast_to,
    canon_axis,
    conj,
    cos,
    is_array,
    not_equal,
    numpy_function,
    promote_dtypes_inexact,
    real,
    sqrt,
    where,
)
from plait.numpy._indexing import take
from plait.numpy._reductions import cumsum
from plait.numpy._reductions import sum as _sum
from plait.numpy._shape import concatenate, ravel, reshape
from plait.numpy._sorting import argsort


def _arr(x):
    return x if is_array(x) else asarray(x)


def _slice(a, lo, hi, axis):
    return lax.slice_in_dim(a, lo, hi, axis=axis)


# --- differences and integrals ----------------------------------------------------------------

@numpy_function(static=("n", "axis"))
def diff(a, n=1, axis=-1, prepend=None, append=None):
    """The n-th discrete difference along axis (for bool, not_equal), after prepending and
    appending the given values (scalars are broadcast to one slice)."""
    a = _arr(a)
    if a.ndim == 0:
        raise PlaitValueError("diff requires input that is at least one dimensional")
    if n < 0:
        raise PlaitValueError(f"diff: order must be non-negative, got {n}")
    axis = canon_axis(axis, a.ndim)
    parts = []
    for extra in (prepend, a, append):
        if extra is None:
            continue
        e = _arr(extra)
        if e.ndim == 0:
            e = broadcast_to(e, a.shape[:axis] + (1,) + a.shape[axis + 1:])
        parts.append(e)
    if len(parts) > 1:
        a = concatenate(parts, axis)
    for _ in range(n):
        m = a.shape[axis]
        hi, lo = _slice(a, 1, builtins.max(m, 1), axis), _slice(a, 0, builtins.max(m - 1, 0), axis)
        a = not_equal(hi, lo) if a.dtype == dtypes.bool_ else hi - lo
    return a


@numpy_function()
def ediff1d(ary, to_end=None, to_begin=None):
    """The differences of the flattened ary, between to_begin and to_end (in ary's dtype)."""
    ary = ravel(ary)
    parts = [diff(ary)]
    if to_begin is not None:
        parts.insert(0, lax.convert_element_type(ravel(to_begin), ary.dtype))
    if to_end is not None:
        parts.append(lax.convert_element_type(ravel(to_end), ary.dtype))
    return concatenate(parts) if len(parts) > 1 else parts[0]


@numpy_function(static=("axis", "edge_order"))
def gradient(f, *varargs, axis=None, edge_order=None):
    """Second-order central differences inside, first-order ones at the edges, along each
    axis; spacings are scalars or coordinate arrays. One array for one axis, else a list."""
    if edge_order is not None and edge_order != 1:
        raise PlaitValueError("gradient: only edge_order=1 is supported, as in jax")
    (f,) = promote_dtypes_inexact(f)
    axes = tuple(range(f.ndim)) if axis is None else tuple(
        canon_axis(a, f.ndim) for a in ((axis,) if isinstance(axis, int) else axis))
    if not varargs:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and _aval(varargs[0]).ndim == 0:
        spacing = list(varargs) * len(axes)
    elif len(varargs) == len(axes):
        spacing = list(varargs)
    else:
        raise PlaitTypeError(f"gradient: expected 0, 1 or {len(axes)} spacings, got "
                             f"{len(varargs)}")
    out = [_gradient_along(f, ax, h) for ax, h in zip(axes, spacing)]
    return out[0] if len(out) == 1 else out


def _gradient_along(f, axis, h):
    n = f.shape[axis]
    if n < 2:
        raise PlaitValueError("gradient: each differentiated axis needs at least 2 elements")
    h = _arr(h)
    if h.ndim == 0:
        h = lax.convert_element_type(h, f.dtype) if h.dtype != f.dtype else h
        interior = (_slice(f, 2, n, axis) - _slice(f, 0, n - 2, axis)) / (2 * h)
        first = (_slice(f, 1, 2, axis) - _slice(f, 0, 1, axis)) / h
        last = (_slice(f, n - 1, n, axis) - _slice(f, n - 2, n - 1, axis)) / h
    else:
        if h.shape != (n,):
            raise PlaitValueError(f"gradient: coordinates must have shape ({n},), got {h.shape}")
        (dx,) = promote_dtypes_inexact(diff(h))
        shape = [1] * f.ndim
        shape[axis] = n - 1
        dx = reshape(lax.convert_element_type(dx, f.dtype), tuple(shape))
        dx1, dx2 = _slice(dx, 0, n - 2, axis), _slice(dx, 1, n - 1, axis)
        a = -dx2 / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        interior = (a * _slice(f, 0, n - 2, axis) + b * _slice(f, 1, n - 1, axis)
                    + c * _slice(f, 2, n, axis))
        first = (_slice(f, 1, 2, axis) - _slice(f, 0, 1, axis)) / _slice(dx, 0, 1, axis)
        last = (_slice(f, n - 1, n, axis) - _slice(f, n - 2, n - 1, axis)) / _slice(
            dx, n - 2, n - 1, axis)
    return concatenate([first, interior, last], axis)


@numpy_function(static=("axis",))
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of y along axis by the trapezoidal rule, at points x or spacing dx."""
    y = _arr(y)
    axis = canon_axis(axis, y.ndim)
    if x is None:
        (y,) = promote_dtypes_inexact(y)
        d = dx
    else:
        y, x = promote_dtypes_inexact(y, x)
        if x.ndim == 1:
            shape = [1] * y.ndim
            shape[axis] = x.shape[0]
            x = reshape(x, tuple(shape))
        d = diff(x, axis=axis)
    n = y.shape[axis]
    mid = _slice(y, 1, n, axis) + _slice(y, 0, builtins.max(n - 1, 0), axis)
    return _sum(d * mid, axis=axis) * 0.5


@numpy_function(static=("axis",))
def unwrap(p, discont=None, axis=-1, period=2 * math.pi):
    """p with jumps larger than discont (period/2 by default) taken modulo period along axis."""
    (p,) = promote_dtypes_inexact(p)
    axis = canon_axis(axis, p.ndim)
    dd = diff(p, axis=axis)
    if discont is None:
        discont = period / 2
    high = period / 2
    ddmod = (dd + high) % period - high
    ddmod = where((ddmod == -high) & (dd > 0), high, ddmod)
    correction = where(absolute(dd) < discont, 0, ddmod - dd)
    n = p.shape[axis]
    head = _slice(p, 0, builtins.min(n, 1), axis)
    return concatenate([head, _slice(p, 1, n, axis) + cumsum(correction, axis=axis)], axis)


# --- interpolation ----------------------------------------------------------------------------

@numpy_function(jit=False)
def interp(x, xp, fp, left=None, right=None, period=None):
    """The piecewise-linear interpolant of (xp, fp) at x; beyond xp, left and right (fp's ends
    by default, or 'extrapolate', as in jax); with period, xp and x are periodic."""
    for name, v in (("left", left), ("right", right)):
        if isinstance(v, str) and v != "extrapolate":
            raise PlaitValueError(f"interp: {name} must be a value or 'extrapolate', got {v!r}")
    extrapolate = (isinstance(left, str), isinstance(right, str))
    return _interp(x, xp, fp, None if extrapolate[0] else left,
                   None if extrapolate[1] else right, period, extrapolate)


@numpy_function(static=("extrapolate",), name="interp")
def _interp(x, xp, fp, left, right, period, extrapolate):
    x, xp = promote_dtypes_inexact(x, xp)
    (fp,) = promote_dtypes_inexact(fp)
    if xp.ndim != 1 or fp.ndim != 1 or xp.shape != fp.shape:
        raise PlaitValueError(f"interp: xp and fp must be 1-d of the same length, got "
                              f"{xp.shape} and {fp.shape}")
    if dtypes.is_complex(x.dtype):
        raise PlaitTypeError("interp: x and xp must be real")
    if period is not None:
        if left is not None or right is not None:
            raise PlaitValueError("interp: left and right are not used with period")
        period = absolute(_arr(period))
        x, xp = x % period, xp % period
        order = argsort(xp)
        xp, fp = take(xp, order), take(fp, order)
        xp = concatenate([xp[-1:] - period, xp, xp[:1] + period])
        fp = concatenate([fp[-1:], fp, fp[:1]])
    n = xp.shape[0]
    # xp's sorted positions: the count of xp <= x, clipped to an interval (searchsorted right)
    i = _sum(lax.convert_element_type(
        broadcast_to(xp, x.shape + (n,)) <= x[..., None], dtypes.int32), axis=-1)
    i = lax.clamp(lax.full(i.shape, 1, dtypes.int32), i,
                  lax.full(i.shape, builtins.max(n - 1, 1), dtypes.int32))
    x0, x1 = take(xp, i - 1, mode="clip"), take(xp, i, mode="clip")
    f0, f1 = take(fp, i - 1, mode="clip"), take(fp, i, mode="clip")
    dx = x1 - x0
    flat = absolute(dx) <= np.spacing(dtypes.finfo(dx.dtype).eps)
    slope = (f1 - f0) / where(flat, 1, dx)
    f = where(flat, f1, f0 + (x - x0).astype(slope.dtype) * slope)
    if period is None:
        if not extrapolate[0]:
            f = where(x < xp[0], fp[0] if left is None else left, f)
        if not extrapolate[1]:
            f = where(x > xp[-1], fp[-1] if right is None else right, f)
    return f


# --- convolution ------------------------------------------------------------------------------

def _conv1d(a, v, mode, name):
    """NumPy's 1-d convolve (v reversed) of real or complex a and v, a at least as long."""
    n, m = a.shape[0], v.shape[0]
    pads = {"valid": (0, 0), "same": (m // 2, m - m // 2 - 1), "full": (m - 1, m - 1)}
    if mode not in pads:
        raise PlaitValueError(f"{name}: mode must be 'full', 'same' or 'valid', got {mode!r}")
    if dtypes.is_complex(a.dtype):
        ar, ai, vr, vi = lax.real(a), lax.imag(a), lax.real(v), lax.imag(v)
        re = _conv1d(ar, vr, mode, name) - _conv1d(ai, vi, mode, name)
        im = _conv1d(ar, vi, mode, name) + _conv1d(ai, vr, mode, name)
        return lax.complex(re, im)
    out = lax.conv_general_dilated(lax.reshape(a, (1, 1, n)), lax.reshape(lax.rev(v, (0,)),
                                                                        (1, 1, m)),
                                   (1,), [pads[mode]])
    return lax.reshape(out, out.shape[2:])


def _conv_operands(a, v, name):
    a, v = promote_dtypes_inexact(a, v)
    if a.ndim != 1 or v.ndim != 1:
        raise PlaitValueError(f"{name} only supports 1-dimensional inputs, got {a.shape} and "
                              f"{v.shape}")
    if a.shape[0] == 0 or v.shape[0] == 0:
        raise PlaitValueError(f"{name}: inputs cannot be empty")
    return a, v


def _as(out, preferred_element_type):
    if preferred_element_type is None:
        return out
    return lax.convert_element_type(out, dtypes.canonicalize(preferred_element_type))


@numpy_function(static=("mode", "precision", "preferred_element_type"))
def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    """The discrete linear convolution of 1-d a and v ('full', 'same' or 'valid')."""
    a, v = _conv_operands(a, v, "convolve")
    if a.shape[0] < v.shape[0]:
        a, v = v, a
    return _as(_conv1d(a, v, mode, "convolve"), preferred_element_type)


@numpy_function(static=("mode", "precision", "preferred_element_type"))
def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    """The cross-correlation Σ a[n + k] conj(v[n]) of 1-d a and v ('valid', 'same', 'full')."""
    a, v = _conv_operands(a, v, "correlate")
    if a.shape[0] < v.shape[0]:  # c_av[k] = conj(c_va[-k])
        out = lax.rev(conj(_conv1d(v, lax.rev(conj(a), (0,)), mode, "correlate")), (0,))
    else:
        out = _conv1d(a, lax.rev(conj(v), (0,)), mode, "correlate")
    return _as(out, preferred_element_type)


# --- windows ----------------------------------------------------------------------------------

def _window_length(M) -> int:
    if is_array(M):
        raise PlaitTypeError("window length M must be a Python int (it sets the shape)")
    return int(M)


def _cosine_window(M, coeffs):
    M = _window_length(M)
    dt = dtypes.config.default_float
    if M < 1:
        return lax.full((0,), 0, dt)
    if M == 1:
        return lax.full((1,), 1, dt)
    n = lax.convert_element_type(lax.iota(dtypes.int32, M), dt) * (2 * math.pi / (M - 1))
    out = lax.full((M,), coeffs[0], dt)
    for k, c in enumerate(coeffs[1:], 1):
        out = out + c * cos(k * n)
    return out


@numpy_function(jit=False)
def hamming(M):
    """The Hamming window: 0.54 - 0.46 cos(2πn/(M-1))."""
    return _cosine_window(M, (0.54, -0.46))


@numpy_function(jit=False)
def hanning(M):
    """The Hann window: 0.5 - 0.5 cos(2πn/(M-1))."""
    return _cosine_window(M, (0.5, -0.5))


@numpy_function(jit=False)
def blackman(M):
    """The Blackman window: 0.42 - 0.5 cos(2πn/(M-1)) + 0.08 cos(4πn/(M-1))."""
    return _cosine_window(M, (0.42, -0.5, 0.08))


@numpy_function(jit=False)
def bartlett(M):
    """The triangular window: 1 - |2n/(M-1) - 1|."""
    M = _window_length(M)
    dt = dtypes.config.default_float
    if M < 1:
        return lax.full((0,), 0, dt)
    if M == 1:
        return lax.full((1,), 1, dt)
    n = lax.convert_element_type(lax.iota(dtypes.int32, M), dt)
    return 1 - absolute(n * (2 / (M - 1)) - 1)


def _i0(x, terms=100):
    """The modified Bessel function I0 by its power series Σ (x²/4)^k / (k!)² (x up to ~85)."""
    y = x * x * 0.25

    def body(k, carry):
        term, total = carry
        kf = lax.convert_element_type(k, x.dtype)
        term = term * y / (kf * kf)
        return term, total + term

    one = lax.full(x.shape, 1, x.dtype)
    return lax.fori_loop(1, terms, body, (one, one))[1]


@numpy_function(jit=False)
def kaiser(M, beta):
    """The Kaiser window: I0(β sqrt(1 - (2n/(M-1) - 1)²)) / I0(β)."""
    M = _window_length(M)
    dt = dtypes.config.default_float
    if M < 1:
        return lax.full((0,), 0, dt)
    if M == 1:
        return lax.full((1,), 1, dt)
    (beta,) = promote_dtypes_inexact(beta)
    beta = real(beta)
    n = lax.convert_element_type(lax.iota(dtypes.int32, M), beta.dtype)
    t = n * (2 / (M - 1)) - 1
    arg = beta * sqrt(lax.max(1 - t * t, lax.full((M,), 0, beta.dtype)))
    return _i0(arg) / _i0(broadcast_to(beta, (M,)))

