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
        raise PlaitTypeError(f"bernoulli: p must have a floating dtype, got {p.dtype}")
    shape = tuple(p.shape) if shape is None else _canonical_shape("bernoulli", shape)
    _check_shape("bernoulli", shape, tuple(p.shape))
    return _bernoulli(k, p, shape, mode)


def rademacher(key, shape=(), dtype=None):
    """-1 or +1 with equal probability."""
    k, _ = check_key("rademacher", key)
    dt = dtypes.config.default_int if dtype is None else dtypes.canonicalize(dtype)
    shape = _canonical_shape("rademacher", shape)
    half = _asarray(np.array(0.5, dtypes.config.default_float))
    b = lax.convert_element_type(_bernoulli(k, half, shape, "low"), dt)
    return lax.sub(lax.mul(lax.full(shape, 2, dt), b), lax.full(shape, 1, dt))


# --- integers ----------------------------------------------------------------------------------

def _clip_convert(v, dt):
    """v clipped to what both its dtype and dt hold, then converted to dt (jax's)."""
    vi, di = np.iinfo(v.dtype), np.iinfo(dt)
    lo, hi = max(vi.min, di.min), min(vi.max, di.max)
    clipped = lax.clamp(lax.full(v.shape, lo, v.dtype), v, lax.full(v.shape, hi, v.dtype))
    return lax.convert_element_type(clipped, dt)


@functools.partial(jit, static_argnums=(3, 4))
def _randint(k, minval, maxval, shape, dtype):
    if not dtypes.is_integer(minval.dtype):
        minval = lax.convert_element_type(minval, dtypes.config.default_int)
    if not dtypes.is_integer(maxval.dtype):
        maxval = lax.convert_element_type(maxval, dtypes.config.default_int)
    top = _clip_convert(lax.full((), np.iinfo(dtype).max, dtype), maxval.dtype)
    out_of_range = lax.gt(maxval, lax.broadcast_in_dim(top, maxval.shape, ()))
    minval = _to_rank(_clip_convert(minval, dtype), len(shape))
    maxval = _to_rank(_clip_convert(maxval, dtype), len(shape))
    out_of_range = _to_rank(out_of_range, len(shape))
    nbits = 8 * dtype.itemsize
    keys = split_data(k, (2,))
    higher, lower = random_bits(keys[0], nbits, shape), random_bits(keys[1], nbits, shape)
    udt = np.dtype(f"uint{nbits}")
    span = lax.convert_element_type(_binop(lax.sub, maxval, minval), udt)
    span = lax.select(_binop(lax.le, maxval, minval), lax.full(span.shape, 1, udt), span)
    grow = lax.bitwise_and(_bcast(out_of_range, span.shape), _binop(lax.gt, maxval, minval))
    span = lax.select(grow, lax.add(span, lax.full(span.shape, 1, udt)), span)
    mult = lax.rem(lax.full(span.shape, 2 ** (nbits // 2), udt), span)
    mult = lax.rem(lax.mul(mult, mult), span)
    span, mult = _bcast(span, shape), _bcast(mult, shape)
    offset = lax.add(lax.mul(lax.rem(higher, span), mult), lax.rem(lower, span))
    offset = lax.rem(offset, span)
    return lax.add(_bcast(minval, shape), lax.convert_element_type(offset, dtype))


def randint(key, shape, minval, maxval, dtype=None):
    """Integers in [minval, maxval) (jax's modulus of 2 * nbits random bits)."""
    k, _ = check_key("randint", key)
    dtype = dtypes.config.default_int if dtype is None else dtypes.canonicalize(dtype)
    if not dtypes.is_integer(dtype) or dtype == dtypes.bool_:
        raise PlaitTypeError(f"randint: dtype must be an integer type, got {dtype}")
    shape = _canonical_shape("randint", shape)
    minval, maxval = _bounds("randint", shape, minval, maxval)
    if dtype.itemsize < 4:  # sampled in 32 bits to keep the bias small, as jax
        info = np.iinfo(dtype)
        i32 = dtypes.int32
        minval = pnp.clip(lax.convert_element_type(minval, i32), int(info.min), int(info.max))
        maxval = pnp.clip(lax.convert_element_type(maxval, i32), int(info.min),
                          int(info.max) + 1)
        return lax.convert_element_type(_randint(k, minval, maxval, shape, i32), dtype)
    return _randint(k, minval, maxval, shape, dtype)


# --- samplers of one uniform -------------------------------------------------------------------

def _uniform_c(k, shape, dt, lo, hi):
    return _uniform(k, shape, dt, np.array(lo, dt), np.array(hi, dt))


def _tiny(dt):
    return float(_finfo(dt).tiny)


@functools.partial(jit, static_argnums=(1, 2))
def _exponential(k, shape, dt):
    u = _uniform_c(k, shape, dt, 0.0, 1.0)
    return lax.neg(lax.log1p(lax.neg(u)))


@functools.partial(jit, static_argnums=(1, 2, 3))
def _gumbel(k, shape, dt, mode):
    if mode == "high":
        u = _uniform_c(k, (2,) + shape, dt, 0.0, 1.0)
        u0 = lax.reshape(lax.slice_in_dim(u, 0, 1, axis=0), shape)
        u1 = lax.reshape(lax.slice_in_dim(u, 1, 2, axis=0), shape)
        small = lax.add(lax.add(u0, lax.mul(lax.full(shape, 2.0 ** -_finfo(dt).nmant, dt), u1)),
                        lax.full(shape, _tiny(dt), dt))
        x = lax.select(lax.ge(u0, lax.full(shape, 0.5, dt)), u0, small)
        return lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x)))))
    u = _uniform_c(k, shape, dt, _tiny(dt), 1.0)
    return lax.neg(lax.log(lax.neg(lax.log(u))))


@functools.partial(jit, static_argnums=(1, 2))
def _laplace(k, shape, dt):
    u = _uniform_c(k, shape, dt, -1.0 + float(_finfo(dt).epsneg), 1.0)
    return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


@functools.partial(jit, static_argnums=(1, 2))
def _logistic(k, shape, dt):
    x = _uniform_c(k, shape, dt, _tiny(dt), 1.0)
    return lax.sub(lax.log(x), lax.log1p(lax.neg(x)))


@functools.partial(jit, static_argnums=(1, 2))
def _cauchy(k, shape, dt):
    u = _uniform_c(k, shape, dt, float(_finfo(dt).eps), 1.0)
    return lax.tan(lax.mul(lax.full(shape, np.pi, dt), lax.sub(u, lax.full(shape, 0.5, dt))))


def _simple(name, impl, doc):
    def sampler(key, shape=(), dtype=None):
        k, _ = check_key(name, key)
        return impl(k, _canonical_shape(name, shape), _float_dtype(name, dtype))
    sampler.__name__ = sampler.__qualname__ = name
    sampler.__doc__ = doc
    return sampler


exponential = _simple("exponential", _exponential, "Exponential samples of rate 1.")
laplace = _simple("laplace", _laplace, "Laplace samples (location 0, scale 1).")
logistic = _simple("logistic", _logistic, "Logistic samples (location 0, scale 1).")
cauchy = _simple("cauchy", _cauchy, "Cauchy samples (location 0, scale 1).")


def _gumbel_mode(mode):
    mode = "low" if mode is None else mode
    if mode not in ("low", "high"):
        raise PlaitValueError(f"gumbel: mode must be 'low' or 'high', got {mode!r}")
    return mode


def gumbel(key, shape=(), dtype=None, mode=None):
    """Standard Gumbel samples; mode 'high' spends twice the bits on small uniforms."""
    k, _ = check_key("gumbel", key)
    return _gumbel(k, _canonical_shape("gumbel", shape), _float_dtype("gumbel", dtype),
                   _gumbel_mode(mode))


# --- categorical, permutation, choice ----------------------------------------------------------

def _axis(name, axis, ndim):
    if not -ndim <= axis < ndim:
        raise PlaitValueError(f"{name}: axis {axis} is out of range for rank {ndim}")
    return axis % ndim


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None):
    """Indices drawn with log-probabilities `logits` along `axis` (Gumbel-max)."""
    k, _ = check_key("categorical", key)
    logits = _asarray(logits)
    if not dtypes.is_float(logits.dtype):
        raise PlaitTypeError(f"categorical: logits must be floats, got {logits.dtype}")
    if logits.ndim == 0:
        raise PlaitValueError("categorical: logits must have at least one dimension")
    ax = _axis("categorical", axis, logits.ndim)
    batch = tuple(d for i, d in enumerate(logits.shape) if i != ax)
    shape = batch if shape is None else _canonical_shape("categorical", shape)
    _check_shape("categorical", shape, batch)
    mode = _gumbel_mode(mode)
    prefix = shape[:len(shape) - len(batch)]
    if replace:
        gshape = list(shape[len(shape) - len(batch):])
        gshape.insert(ax, logits.shape[ax])
        g = _gumbel(k, prefix + tuple(gshape), logits.dtype, mode)
        z = g + pnp.expand_dims(logits, tuple(range(len(prefix))))
        return pnp.argmax(z, axis=ax + len(prefix))
    n = math.prod(prefix)
    if n > logits.shape[ax]:
        raise PlaitValueError(f"categorical: number of samples without replacement ({n}) "
                              f"cannot exceed number of categories ({logits.shape[ax]})")
    z = logits + _gumbel(k, tuple(logits.shape), logits.dtype, mode)
    _, idx = lax.top_k(pnp.moveaxis(z, ax, -1), n)
    return lax.reshape(idx, shape, (idx.ndim - 1, *range(idx.ndim - 1)))


def _shuffle(k, x, axis: int):
    rounds = int(np.ceil(3 * np.log(max(1, x.size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        keys = split_data(k, (2,))
        k, sub = keys[0], keys[1]
        sort_keys = random_bits(sub, 32, tuple(x.shape))
        _, x = lax.sort_key_val(sort_keys, x, axis)
    return x


def _arange(n):
    return lax.iota(dtypes.config.default_int, n)


def permutation(key, x, axis=0, independent=False):
    """A random permutation of range(x) (an int) or of x along axis (each slice on its own
    with independent=True)."""
    k, _ = check_key("permutation", key)
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return _shuffle(k, _arange(int(x)), 0)
    x = _asarray(x)
    if x.ndim == 0:
        raise PlaitTypeError("permutation: x must be an integer or at least 1-dimensional")
    axis = _axis("permutation", axis, x.ndim)
    if independent or x.ndim == 1:
        return _shuffle(k, x, axis)
    return pnp.take(x, _shuffle(k, _arange(x.shape[axis]), 0), axis=axis)


def choice(key, a, shape=(), replace=True, p=None, axis=0, mode=None):
    """Samples of a (or of range(a)) along axis, with or without replacement, optionally
    with probabilities p."""
    k, _ = check_key("choice", key)
    if not isinstance(shape, (tuple, list)):
        raise PlaitTypeError(f"choice: shape must be a sequence, got {shape!r}")
    shape = _canonical_shape("choice", shape)
    scalar = isinstance(a, (int, np.integer)) and not isinstance(a, bool)
    arr = None if scalar else _asarray(a)
    if not scalar and arr.ndim == 0:
        raise PlaitTypeError("choice: a must be an int or an array of rank 1 or more")
    if not scalar:
        axis = _axis("choice", axis, arr.ndim)
    n_inputs = int(a) if scalar else arr.shape[axis]
    n_draws = math.prod(shape)
    out_dtype = dtypes.config.default_int if scalar else arr.dtype
    if n_draws == 0:
        return pnp.zeros(shape, out_dtype)
    if n_inputs <= 0:
        raise PlaitValueError("choice: a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise PlaitValueError(f"choice: cannot take a larger sample (size {n_draws}) than the "
                              f"population (size {n_inputs}) when replace=False")
    if p is None:
        if replace:
            ind = randint(k, shape, 0, n_inputs)
            result = ind if scalar else pnp.take(arr, ind, axis=axis)
        else:
            perm = permutation(k, n_inputs if scalar else arr, axis)
            result = lax.slice_in_dim(perm, 0, n_draws, axis=0 if scalar else axis)
    else:
        if isinstance(p, (np.ndarray, list, tuple)) and not (np.asarray(p) >= 0).all():
            raise PlaitValueError("choice: probabilities p must be non-negative numbers")
        p = _asarray(p)
        if not dtypes.is_inexact(p.dtype):
            p = lax.convert_element_type(p, dtypes.config.default_float)
        if tuple(p.shape) != (n_inputs,):
            raise PlaitValueError(f"choice: p must be None or a 1-D vector of the size of "
                                  f"a.shape[axis] ({n_inputs}), got shape {tuple(p.shape)}")
        if replace:
            c = pnp.cumsum(p)
            r = c[-1] * (1 - _uniform_c(k, shape, c.dtype, 0.0, 1.0))
            # searchsorted(c, r, side='left'): how many cumulative sums lie below r
            ind = pnp.sum(pnp.expand_dims(r, -1) > c, axis=-1, dtype=dtypes.config.default_int)
        else:
            g = _gumbel(k, (n_inputs,), p.dtype, _gumbel_mode(mode)) + pnp.log(p)
            ind = lax.convert_element_type(lax.top_k(g, n_draws)[1], dtypes.config.default_int)
        result = ind if scalar else pnp.take(arr, ind, axis=axis)
    new = shape if scalar else tuple(arr.shape[:axis]) + shape + tuple(arr.shape[axis + 1:])
    return pnp.reshape(result, new)
