"""jax.random's samplers, op for op: the same StableHLO reaches XLA, so the samples are jax's
bits (under jit; eager calls stage each sampler as one program, as jax does)."""

from __future__ import annotations

import functools
import math

import ml_dtypes
import numpy as np

from plait import lax
from plait import numpy as pnp
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.jitting import jit
from plait.lax import control_flow
from plait.lax._lax import _is_array
from plait.random._keys import _canonical_shape, check_key, random_bits, split_data

u32 = dtypes.uint32


def _asarray(x):
    return x if _is_array(x) else pnp.asarray(x)


def _float_dtype(name: str, dtype):
    dt = dtypes.config.default_float if dtype is None else dtypes.canonicalize(dtype)
    if not dtypes.is_float(dt):
        raise PlaitTypeError(f"{name}: dtype must be a floating type, got {dt}")
    return dt


def _check_shape(name: str, shape: tuple, *param_shapes) -> None:
    try:
        out = np.broadcast_shapes(shape, *param_shapes)
    except ValueError:
        out = None
    if out != shape:
        raise PlaitValueError(f"{name}: the parameter shapes {list(param_shapes)} do not "
                              f"broadcast to shape {shape}")


def _const(dt, v):
    return lax.full((), v, dt)


def _to_rank(x, rank: int):
    return lax.reshape(x, (1,) * (rank - x.ndim) + tuple(x.shape))


def _bcast(x, shape):
    """x (of rank len(shape), sizes 1 or equal) broadcast to shape."""
    if tuple(x.shape) == tuple(shape):
        return x
    keep = tuple(i for i, d in enumerate(x.shape) if d == shape[i])
    return lax.broadcast_in_dim(lax.reshape(x, tuple(x.shape[i] for i in keep)), shape, keep)


def _binop(f, a, b):
    """f on two arrays of one rank, broadcast as NumPy (jax's implicit rank promotion)."""
    shape = tuple(max(p, q) for p, q in zip(a.shape, b.shape))
    return f(_bcast(a, shape), _bcast(b, shape))


# --- uniform and its kin -----------------------------------------------------------------------

def _finfo(dt):
    return ml_dtypes.finfo(dt)


@functools.partial(jit, static_argnums=(1, 2))
def _uniform(k, shape, dtype, minval, maxval):
    fi = _finfo(dtype)
    nbits, nmant = fi.bits, fi.nmant
    rng_bits = 8 if nmant < 8 else nbits
    udt = np.dtype(f"uint{nbits}")
    b = random_bits(k, rng_bits, shape)
    if rng_bits != nbits:
        b = lax.convert_element_type(b, udt)
    one_bits = np.array(1.0, dtype).view(udt)
    mant = lax.shift_right_logical(b, lax.full(shape, rng_bits - nmant, udt))
    fbits = lax.bitwise_or(mant, lax.full(shape, one_bits, udt))
    floats = lax.sub(lax.bitcast_convert_type(fbits, dtype), lax.full(shape, 1.0, dtype))
    lo = _to_rank(lax.convert_element_type(minval, dtype), len(shape))
    hi = _to_rank(lax.convert_element_type(maxval, dtype), len(shape))
    span = _binop(lax.sub, hi, lo)
    out = lax.add(lax.mul(floats, _bcast(span, shape)), _bcast(lo, shape))
    return lax.max(_bcast(lo, shape), out)


def _bounds(name, shape, *vals):
    vals = [_asarray(v) for v in vals]
    _check_shape(name, shape, *(tuple(v.shape) for v in vals))
    return vals


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0):
    """Uniform floats in [minval, maxval) (maxval itself after rounding, as jax)."""
    k, _ = check_key("uniform", key)
    shape, dtype = _canonical_shape("uniform", shape), _float_dtype("uniform", dtype)
    minval, maxval = _bounds("uniform", shape, minval, maxval)
    return _uniform(k, shape, dtype, minval, maxval)


def _normal_real(k, shape, dtype):
    lo = -(1 - float(_finfo(dtype).epsneg))
    u = _uniform(k, shape, dtype, np.array(lo, dtype), np.array(1.0, dtype))
    return lax.mul(lax.full(shape, np.sqrt(2), dtype), lax.erf_inv(u))


@functools.partial(jit, static_argnums=(1, 2))
def _normal(k, shape, dtype):
    if dtypes.is_complex(dtype):
        rdt = dtypes.real_dtype(dtype)
        sub = split_data(k, (2,))
        re = _normal_real(sub[0], shape, rdt)
        im = _normal_real(sub[1], shape, rdt)
        return lax.div(lax.complex(re, im), lax.full(shape, np.sqrt(2) + 0j, dtype))
    return _normal_real(k, shape, dtype)


def normal(key, shape=(), dtype=None):
    """Standard normal samples (erf_inv of a uniform, as jax; complex: unit variance)."""
    k, _ = check_key("normal", key)
    dt = dtypes.config.default_float if dtype is None else dtypes.canonicalize(dtype)
    if not dtypes.is_inexact(dt):
        raise PlaitTypeError(f"normal: dtype must be a floating or complex type, got {dt}")
    return _normal(k, _canonical_shape("normal", shape), dt)


@functools.partial(jit, static_argnums=(3, 4))
def _truncated_normal(k, lower, upper, shape, dtype):
    sqrt2 = np.array(np.sqrt(2), dtype)
    lower = lax.convert_element_type(lower, dtype)
    upper = lax.convert_element_type(upper, dtype)
    a = lax.erf(lax.div(lower, lax.full(lower.shape, sqrt2, dtype)))
    b = lax.erf(lax.div(upper, lax.full(upper.shape, sqrt2, dtype)))
    u = _uniform(k, shape, dtype, a, b)
    out = lax.mul(lax.full(shape, sqrt2, dtype), lax.erf_inv(u))
    lo = _to_rank(lax.nextafter(lower, lax.full(lower.shape, np.inf, dtype)), len(shape))
    hi = _to_rank(lax.nextafter(upper, lax.full(upper.shape, -np.inf, dtype)), len(shape))
    return lax.min(_bcast(hi, shape), lax.max(_bcast(lo, shape), out))


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Normal samples truncated to (lower, upper)."""
    k, _ = check_key("truncated_normal", key)
    dtype = _float_dtype("truncated_normal", dtype)
    lower, upper = _asarray(lower), _asarray(upper)
    if shape is None:
        shape = np.broadcast_shapes(lower.shape, upper.shape)
    shape = _canonical_shape("truncated_normal", shape)
    _check_shape("truncated_normal", shape, tuple(lower.shape), tuple(upper.shape))
    return _truncated_normal(k, lower, upper, shape, dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _bernoulli(k, p, shape, mode):
    dt = p.dtype
    if mode == "high":
        u = _uniform(k, (2,) + shape, dt, np.array(0, dt), np.array(1, dt))
        u1 = lax.reshape(lax.slice_in_dim(u, 0, 1, axis=0), shape)
        u2 = lax.reshape(lax.slice_in_dim(u, 1, 2, axis=0), shape)
        u2 = lax.mul(u2, lax.full(shape, 2.0 ** -_finfo(dt).nmant, dt))
        pb = _bcast(_to_rank(p, len(shape)), shape)
        return lax.lt(u2, lax.sub(pb, u1))
    u = _uniform(k, shape, dt, np.array(0, dt), np.array(1, dt))
    return lax.lt(u, _bcast(_to_rank(p, len(shape)), shape))


def bernoulli(key, p=0.5, shape=None, mode="low"):
    """True with probability p (p's float dtype draws the uniforms, as jax)."""
    k, _ = check_key("bernoulli", key)
    if mode not in ("low", "high"):
        raise PlaitValueError(f"bernoulli: mode must be 'low' or 'high', got {mode!r}")
    p = _asarray(p)
    if not dtypes.is_float(p.dtype):
        p = lax.convert_element_type(p, dtypes.config.default_float)
    shape = tuple(p.shape) if shape is None else _canonical_shape("bernoulli", shape)
    _check_shape("bernoulli", shape, tuple(p.shape))
    return _bernoulli(k, p, shape, mode)


def rademacher(key, shape=(), dtype=None):
    """-1 or +1 with equal probability."""
    k, _ = check_key("rademacher", key)
    dt = dtypes.config.default_int if dtype is None else dtypes.canonicalize(dtype)
    shape = _canonical_shape("rademacher", shape)
    b = lax.convert_element_type(_bernoulli(k, _asarray(np.array(0.5, dtypes.config.default_float)), shape, "low"), dt)
    return lax.sub(lax.mul(lax.full(shape, 2, dt), b), lax.full(shape, 1, dt))
