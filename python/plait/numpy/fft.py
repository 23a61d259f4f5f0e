"""`plait.numpy.fft`: NumPy's discrete Fourier transforms, on `plait.lax.fft`.

`norm` is "backward" (the default: inverse transforms divide by N), "ortho" (both by √N) or
"forward" (forward transforms divide by N). Real input to a complex transform becomes complex
(float32 → complex64, float64 → complex128, integers → the default complex type); the real
transforms (rfft...) take real input only. An FFT is linear: grad, jvp, vmap and jit apply.
"""

from __future__ import annotations

import math

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy._core import asarray, conj, is_array, numpy_function
from plait.numpy._shape import canon_axes, moveaxis, roll

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_NORMS = (None, "backward", "ortho", "forward")
_SWAP = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _complex(x):
    dt = x.dtype
    if dtypes.is_complex(dt):
        return x
    if dtypes.is_float(dt) and dt in (dtypes.float32, dtypes.float64):
        return lax.convert_element_type(x, dtypes.complex_dtype(dt))
    target = dtypes.complex128 if dt.itemsize == 8 and not dtypes.is_float(dt) else \
        dtypes.config.default_complex
    return lax.convert_element_type(x, target)


def _real(x, name):
    dt = x.dtype
    if dtypes.is_complex(dt):
        raise PlaitTypeError(f"fft.{name}: needs real input, got {dt}")
    if dt in (dtypes.float32, dtypes.float64):
        return x
    return lax.convert_element_type(x, dtypes.float64 if dt.itemsize == 8 and
                                     not dtypes.is_float(dt) else dtypes.config.default_float)


def _resize(x, axis: int, n: int):
    """x cropped or zero-padded to length n along axis."""
    have = x.shape[axis]
    if n == have:
        return x
    if n < have:
        return lax.slice_in_dim(x, 0, n, axis=axis)
    config = [(0, 0, 0)] * x.ndim
    config[axis] = (0, n - have, 0)
    return lax.pad(x, lax.full((), 0, x.dtype), config)


def _scale(x, norm, n: int, inverse: bool):
    if norm not in _NORMS:
        raise PlaitValueError(f"fft: norm must be 'backward', 'ortho' or 'forward', got {norm!r}")
    if norm == "ortho":
        factor = math.sqrt(n) if inverse else 1 / math.sqrt(n)
    elif norm == "forward":
        factor = n if inverse else 1 / n
    else:
        return x
    return lax.mul(x, lax.full(x.shape, factor, x.dtype))


def _axes_and_sizes(x, s, axes, name):
    if axes is None:
        axes = tuple(range(x.ndim)) if s is None else tuple(range(x.ndim - len(s), x.ndim))
    axes = canon_axes(axes, x.ndim)
    if len(set(axes)) != len(axes):
        raise PlaitValueError(f"fft.{name}: repeated axes {axes}")
    if s is not None and len(s) != len(axes):
        raise PlaitValueError(f"fft.{name}: s {tuple(s)} and axes {axes} differ in length")
    return axes, s


def _transform(x, kind: str, axes, lengths):
    """lax.fft over `axes` (moved last), at most three at a time: complex transforms are
    separable; a real one does the last axis as RFFT first (IRFFT last)."""
    x = moveaxis(x, axes, tuple(range(x.ndim - len(axes), x.ndim)))
    r = len(axes)
    if kind in ("FFT", "IFFT"):
        for start in range(0, r, 3):
            chunk = tuple(range(start, min(start + 3, r)))
            x = _trailing(x, kind, chunk, lengths, r)
    elif kind == "RFFT":
        x = lax.fft(x, "RFFT", lengths[-1:])
        for start in range(0, r - 1, 3):
            x = _trailing(x, "FFT", tuple(range(start, min(start + 3, r - 1))), lengths, r)
    else:
        for start in range(0, r - 1, 3):
            x = _trailing(x, "IFFT", tuple(range(start, min(start + 3, r - 1))), lengths, r)
        x = lax.fft(x, "IRFFT", lengths[-1:])
    return moveaxis(x, tuple(range(x.ndim - r, x.ndim)), axes)


def _trailing(x, kind, chunk, lengths, r):
    """A complex transform over the fft axes `chunk` (of the r trailing ones)."""
    first = x.ndim - r
    picked = [first + c for c in chunk]
    x = moveaxis(x, picked, tuple(range(x.ndim - len(chunk), x.ndim)))
    x = lax.fft(x, kind, tuple(x.shape[-len(chunk):]))
    return moveaxis(x, tuple(range(x.ndim - len(chunk), x.ndim)), picked)


def _c2c(a, s, axes, norm, inverse, name):
    x = a if is_array(a) else asarray(a)
    axes, s = _axes_and_sizes(x, s, axes, name)
    x = _complex(x)
    if s is not None:
        for ax, n in zip(axes, s):
            x = _resize(x, ax, int(n))
    lengths = tuple(x.shape[ax] for ax in axes)
    if not axes:
        return x
    y = _transform(x, "IFFT" if inverse else "FFT", axes, lengths)
    return _scale(y, norm, math.prod(lengths), inverse)


def _r2c(a, s, axes, norm, name):
    x = a if is_array(a) else asarray(a)
    axes, s = _axes_and_sizes(x, s, axes, name)
    x = _real(x, name)
    if s is not None:
        for ax, n in zip(axes, s):
            x = _resize(x, ax, int(n))
    lengths = tuple(x.shape[ax] for ax in axes)
    y = _transform(x, "RFFT", axes, lengths)
    return _scale(y, norm, math.prod(lengths), False)


def _c2r(a, s, axes, norm, name):
    x = a if is_array(a) else asarray(a)
    axes, s = _axes_and_sizes(x, s, axes, name)
    x = _complex(x)
    if s is None:
        s = [x.shape[ax] for ax in axes[:-1]] + [2 * (x.shape[axes[-1]] - 1)]
    lengths = tuple(int(n) for n in s)
    if lengths[-1] < 1:
        raise PlaitValueError(f"fft.{name}: invalid output length {lengths[-1]}")
    for ax, n in zip(axes[:-1], lengths[:-1]):
        x = _resize(x, ax, n)
    x = _resize(x, axes[-1], lengths[-1] // 2 + 1)
    y = _transform(x, "IRFFT", axes, lengths)
    return _scale(y, norm, math.prod(lengths), True)


def _one(n):
    return None if n is None else (n,)


_STATIC = ("n", "axis", "norm")
_STATIC_N = ("s", "axes", "norm")


@numpy_function(static=_STATIC)
def fft(a, n=None, axis=-1, norm=None):
    """The 1-D discrete Fourier transform."""
    return _c2c(a, _one(n), (axis,), norm, False, "fft")


@numpy_function(static=_STATIC)
def ifft(a, n=None, axis=-1, norm=None):
    """The inverse 1-D discrete Fourier transform."""
    return _c2c(a, _one(n), (axis,), norm, True, "ifft")


@numpy_function(static=_STATIC_N)
def fft2(a, s=None, axes=(-2, -1), norm=None):
    """The 2-D discrete Fourier transform."""
    return _c2c(a, s, axes, norm, False, "fft2")


@numpy_function(static=_STATIC_N)
def ifft2(a, s=None, axes=(-2, -1), norm=None):
    """The inverse 2-D discrete Fourier transform."""
    return _c2c(a, s, axes, norm, True, "ifft2")


@numpy_function(static=_STATIC_N)
def fftn(a, s=None, axes=None, norm=None):
    """The n-D discrete Fourier transform (all axes by default)."""
    return _c2c(a, s, axes, norm, False, "fftn")


@numpy_function(static=_STATIC_N)
def ifftn(a, s=None, axes=None, norm=None):
    """The inverse n-D discrete Fourier transform."""
    return _c2c(a, s, axes, norm, True, "ifftn")


@numpy_function(static=_STATIC)
def rfft(a, n=None, axis=-1, norm=None):
    """The 1-D transform of real input: the n//2 + 1 non-negative frequencies."""
    return _r2c(a, _one(n), (axis,), norm, "rfft")


@numpy_function(static=_STATIC)
def irfft(a, n=None, axis=-1, norm=None):
    """The inverse of rfft: real output of length n (default 2 (m - 1))."""
    return _c2r(a, _one(n), (axis,), norm, "irfft")


@numpy_function(static=_STATIC_N)
def rfft2(a, s=None, axes=(-2, -1), norm=None):
    """The 2-D transform of real input."""
    return _r2c(a, s, axes, norm, "rfft2")


@numpy_function(static=_STATIC_N)
def irfft2(a, s=None, axes=(-2, -1), norm=None):
    """The inverse of rfft2."""
    return _c2r(a, s, axes, norm, "irfft2")


@numpy_function(static=_STATIC_N)
def rfftn(a, s=None, axes=None, norm=None):
    """The n-D transform of real input."""
    return _r2c(a, s, axes, norm, "rfftn")


@numpy_function(static=_STATIC_N)
def irfftn(a, s=None, axes=None, norm=None):
    """The inverse of rfftn."""
    return _c2r(a, s, axes, norm, "irfftn")


@numpy_function(static=_STATIC)
def hfft(a, n=None, axis=-1, norm=None):
    """The transform of a Hermitian-symmetric signal (given by its first half): a real
    spectrum of length n (default 2 (m - 1))."""
    return _c2r(conj(a), _one(n), (axis,), _SWAP[norm], "hfft")


@numpy_function(static=_STATIC)
def ihfft(a, n=None, axis=-1, norm=None):
    """The inverse of hfft: the first n//2 + 1 values of a Hermitian-symmetric signal."""
    return conj(_r2c(a, _one(n), (axis,), _SWAP[norm], "ihfft"))


def _freq_dtype(dtype):
    return dtypes.config.default_float if dtype is None else dtypes.canonicalize(dtype)


@numpy_function(static=("n", "dtype"))
def fftfreq(n, d=1.0, *, dtype=None):
    """The sample frequencies of an n-point transform with spacing d: [0, 1, ..., -1] / (d n)."""
    dt = _freq_dtype(dtype)
    k = lax.iota(dtypes.int32, n)
    k = lax.select(lax.lt(k, (n + 1) // 2), k, lax.sub(k, n))
    return lax.div(lax.convert_element_type(k, dt), lax.mul(lax.full((n,), d, dt), n))


@numpy_function(static=("n", "dtype"))
def rfftfreq(n, d=1.0, *, dtype=None):
    """The non-negative sample frequencies of rfft: [0, 1, ..., n//2] / (d n)."""
    dt = _freq_dtype(dtype)
    m = n // 2 + 1
    k = lax.convert_element_type(lax.iota(dtypes.int32, m), dt)
    return lax.div(k, lax.mul(lax.full((m,), d, dt), n))


def _shift(x, axes, sign: int):
    x = x if is_array(x) else asarray(x)
    axes = tuple(range(x.ndim)) if axes is None else canon_axes(axes, x.ndim)
    return roll(x, tuple(sign * (x.shape[ax] // 2) for ax in axes), axes)


@numpy_function(static=("axes",))
def fftshift(x, axes=None):
    """Move the zero frequency to the middle (of `axes`, all by default)."""
    return _shift(x, axes, 1)


@numpy_function(static=("axes",))
def ifftshift(x, axes=None):
    """The inverse of fftshift."""
    return _shift(x, axes, -1)

