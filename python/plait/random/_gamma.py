"""Gamma-family samplers (Marsaglia-Tsang with one key per element, as jax.random) and their
implicit reparameterisation gradient, and Poisson (Knuth below 10, Hormann's PTRS above)."""

from __future__ import annotations

import functools
import math

import numpy as np

from plait import lax
from plait import numpy as pnp
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.custom import custom_jvp
from plait.jitting import jit
from plait.lax import control_flow as cf
from plait.random._keys import _canonical_shape, check_key, split_data
from plait.random._samplers import (
    _asarray,
    _check_shape,
    _exponential,
    _finfo,
    _float_dtype,
    _normal,
    _uniform_c,
    rademacher,
)
from plait.vmapping import vmap


def _c(x, v):
    return lax.full(x.shape, v, x.dtype)


def _gamma_one(k, alpha, log_space: bool):
    """One sample of Gamma(alpha) from one key (jax's _gamma_one, op for op)."""
    dt = alpha.dtype
    zero, one = _c(alpha, 0), _c(alpha, 1)
    boost = lax.ge(alpha, one)
    alpha_orig = alpha
    alpha = lax.select(boost, alpha, lax.add(alpha, one))
    d = lax.sub(alpha, _c(alpha, 1 / 3))
    c = lax.div(_c(alpha, 1 / 3), lax.sqrt(d))

    def cond(s):
        _, x2, v, u = s
        squeeze = lax.ge(u, lax.sub(one, lax.mul(_c(u, 0.0331), lax.mul(x2, x2))))
        rest = lax.ge(lax.log(u), lax.add(lax.mul(x2, _c(u, 0.5)),
                                          lax.mul(d, lax.add(lax.sub(one, v), lax.log(v)))))
        return lax.bitwise_and(squeeze, rest)

    def next_xv(s):
        keys = split_data(s[0], (2,))
        x = _normal(keys[1], (), dt)
        return keys[0], x, lax.add(one, lax.mul(x, c))

    def body(s):
        keys = split_data(s[0], (3,))
        _, x, v = cf.while_loop(lambda s: lax.le(s[2], zero), next_xv,
                                (keys[1], zero, _c(alpha, -1)))
        u = _uniform_c(keys[2], (), dt, 0.0, 1.0)
        return keys[0], lax.mul(x, x), lax.mul(lax.mul(v, v), v), u

    keys = split_data(k, (2,))
    _, _, v, _ = cf.while_loop(cond, body, (keys[0], zero, one, _c(alpha, 2)))
    if log_space:
        ls = lax.neg(_exponential(keys[1], (), dt))
        lb = lax.select(lax.bitwise_or(boost, lax.eq(ls, zero)), zero,
                        lax.mul(ls, lax.div(one, alpha_orig)))
        return lax.add(lax.add(lax.log(d), lax.log(v)), lb)
    s = lax.sub(one, _uniform_c(keys[1], (), dt, 0.0, 1.0))
    b = lax.select(boost, one, lax.pow(s, lax.div(one, alpha_orig)))
    return lax.mul(lax.mul(d, v), b)


def _gamma_samples(keys, alphas, log_space: bool):
    return vmap(functools.partial(_gamma_one, log_space=log_space))(keys, alphas)


@functools.partial(custom_jvp, nondiff_argnums=(2,))
def _gamma_flat(keys, alphas, log_space):
    return _gamma_samples(keys, alphas, log_space)


@_gamma_flat.defjvp
def _gamma_flat_jvp(log_space, primals, tangents):
    keys, alphas = primals
    out = _gamma_samples(keys, alphas, log_space)
    if log_space:
        x = pnp.exp(out)
        x = pnp.where(x == 0, pnp.full_like(x, float(_finfo(x.dtype).tiny)), x)
        grad = lax.random_gamma_grad(alphas, x) / x
    else:
        grad = lax.random_gamma_grad(alphas, out)
    return out, tangents[1] * grad


@functools.partial(jit, static_argnums=(2, 3))
def _gamma(k, a, shape, log_space):
    n = math.prod(shape)
    a = pnp.broadcast_to(a, shape)
    keys = split_data(k, (n,))
    return pnp.reshape(_gamma_flat(keys, pnp.reshape(a, (n,)), log_space), shape)


def _gamma_args(name, key, a, shape, dtype):
    k, _ = check_key(name, key)
    dtype = _float_dtype(name, dtype)
    a = _asarray(a)
    shape = tuple(a.shape) if shape is None else _canonical_shape(name, shape)
    _check_shape(name, shape, tuple(a.shape))
    return k, lax.convert_element_type(a, dtype), shape


def gamma(key, a, shape=None, dtype=None):
    """Gamma(a) samples (scale 1), differentiable in a (implicit reparameterisation)."""
    k, a, shape = _gamma_args("gamma", key, a, shape, dtype)
    return _gamma(k, a, shape, False)


def loggamma(key, a, shape=None, dtype=None):
    """log of Gamma(a) samples, accurate for small a."""
    k, a, shape = _gamma_args("loggamma", key, a, shape, dtype)
    return _gamma(k, a, shape, True)


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) samples (from two log-gamma draws)."""
    k, _ = check_key("beta", key)
    dtype = _float_dtype("beta", dtype)
    a, b = _asarray(a), _asarray(b)
    shape = (np.broadcast_shapes(a.shape, b.shape) if shape is None
             else _canonical_shape("beta", shape))
    _check_shape("beta", shape, tuple(a.shape), tuple(b.shape))
    a, b = lax.convert_element_type(a, dtype), lax.convert_element_type(b, dtype)
    keys = split_data(k, (2,))
    la = _gamma(keys[0], a, shape, True)
    lb = _gamma(keys[1], b, shape, True)
    m = lax.max(la, lb)
    ga, gb = pnp.exp(la - m), pnp.exp(lb - m)
    return ga / (ga + gb)


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) samples along the last axis."""
    k, _ = check_key("dirichlet", key)
    dtype = _float_dtype("dirichlet", dtype)
    alpha = _asarray(alpha)
    if alpha.ndim < 1:
        raise PlaitValueError("dirichlet requires alpha.ndim >= 1, got 0")
    shape = (tuple(alpha.shape[:-1]) if shape is None
             else _canonical_shape("dirichlet", shape))
    _check_shape("dirichlet", shape, tuple(alpha.shape[:-1]))
    lg = _gamma(k, lax.convert_element_type(alpha, dtype), shape + tuple(alpha.shape[-1:]),
                True)
    z = lg - pnp.max(lg, axis=-1, keepdims=True)  # softmax: the shift has no gradient
    e = pnp.exp(z)
    return e / pnp.sum(e, axis=-1, keepdims=True)


def chisquare(key, df, shape=None, dtype=None):
    """Chi-square samples of df degrees of freedom."""
    k, df, shape = _gamma_args("chisquare", key, df, shape, dtype)
    half = lax.div(df, _c(df, 2))
    return lax.mul(pnp.exp(_gamma(k, half, shape, True)), lax.full(shape, 2, df.dtype))


def t(key, df, shape=None, dtype=None):
    """Student's t samples of df degrees of freedom."""
    k, df, shape = _gamma_args("t", key, df, shape, dtype)
    keys = split_data(k, (2,))
    n = _normal(keys[0], shape, df.dtype)
    half = lax.div(df, _c(df, 2))
    g = _gamma(keys[1], half, shape, False)
    return n * pnp.sqrt(half / g)


def generalized_normal(key, p, shape=(), dtype=None):
    """Generalized normal samples: density proportional to exp(-|x|**p)."""
    k, _ = check_key("generalized_normal", key)
    dtype = _float_dtype("generalized_normal", dtype)
    shape = _canonical_shape("generalized_normal", shape)
    p = _asarray(p)
    return _generalized_normal(k, p, shape, dtype)


def _generalized_normal(k, p, shape, dtype):
    keys = split_data(k, (2,))
    inv = 1 / p
    g = _gamma(keys[0], lax.convert_element_type(inv, dtype), shape, False)
    r = rademacher(keys[1], shape, dtype)
    return r * g ** inv


def ball(key, d, p=2, shape=(), dtype=None):
    """Uniform samples from the unit p-ball of dimension d."""
    k, _ = check_key("ball", key)
    dtype = _float_dtype("ball", dtype)
    shape = _canonical_shape("ball", shape)
    if not isinstance(d, (int, np.integer)) or d < 1:
        raise PlaitValueError(f"ball: d must be a positive int, got {d!r}")
    keys = split_data(k, (2,))
    g = _generalized_normal(keys[0], _asarray(p), (*shape, int(d)), dtype)
    e = _exponential(keys[1], shape, dtype)
    return g / ((pnp.sum(pnp.abs(g) ** p, axis=-1) + e) ** (1 / p))[..., None]


# --- Poisson -----------------------------------------------------------------------------------

def _poisson_knuth(k, lam, shape, dtype, max_iters):
    f32 = dtypes.float32

    def body(s):
        i, n, rng, lp = s
        keys = split_data(rng, (2,))
        n = lax.select(lp > -lam, n + 1, n)
        u = _uniform_c(keys[1], shape, f32, 0.0, 1.0)
        return i + 1, n, keys[0], lp + pnp.log(u)

    def cond(s):
        return pnp.any(s[3] > -lam) & (s[0] < max_iters)

    init = (lax.full((), 0, dtype), lax.full(shape, 0, dtype), k, lax.full(shape, 0, f32))
    return cf.while_loop(cond, body, init)[1] - 1


def _poisson_rejection(k, lam, shape, dtype, max_iters):
    log_lam = lax.log(lam)
    b = 0.931 + 2.53 * lax.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    f32 = dtypes.float32

    def body(s):
        i, k_out, accepted, rng = s
        keys = split_data(rng, (3,))
        u = _uniform_c(keys[1], shape, f32, 0.0, 1.0) - 0.5
        v = _uniform_c(keys[2], shape, f32, 0.0, 1.0)
        us = 0.5 - abs(u)
        n = lax.floor((2 * a / us + b) * u + lam + 0.43)
        s_ = lax.log(v * inv_alpha / (a / (us * us) + b))
        t_ = -lam + n * log_lam - lax.lgamma(n + 1)
        accept1 = (us >= 0.07) & (v <= v_r)
        reject = (n < 0) | ((us < 0.013) & (v > us))
        accept = accept1 | (~reject & (s_ <= t_))
        return i + 1, lax.select(accept, n, k_out), accepted | accept, keys[0]

    def cond(s):
        return pnp.any(~s[2]) & (s[0] < max_iters)

    init = (lax.full((), 0, dtype), lax.full(shape, -1, f32),
            lax.full(shape, False, dtypes.bool_), k)
    return lax.convert_element_type(cf.while_loop(cond, body, init)[1], dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _poisson(k, lam, shape, dtype):
    use_knuth = pnp.isnan(lam) | (lam < 10)
    lam_k = lax.select(use_knuth, lam, pnp.zeros_like(lam))
    lam_r = lax.select(use_knuth, pnp.full_like(lam, 1e5), lam)
    max_iters = np.iinfo(dtype).max
    out = lax.select(use_knuth, _poisson_knuth(k, lam_k, shape, dtype, max_iters),
                     _poisson_rejection(k, lam_r, shape, dtype, max_iters))
    return lax.select(lam == 0, pnp.zeros_like(out), out)


def poisson(key, lam, shape=None, dtype=None):
    """Poisson(lam) counts (lam is taken in float32, as jax)."""
    k, _ = check_key("poisson", key)
    dtype = dtypes.config.default_int if dtype is None else dtypes.canonicalize(dtype)
    if not dtypes.is_integer(dtype) or dtype == dtypes.bool_:
        raise PlaitTypeError(f"poisson: dtype must be an integer type, got {dtype}")
    lam = _asarray(lam)
    shape = tuple(lam.shape) if shape is None else _canonical_shape("poisson", shape)
    _check_shape("poisson", shape, tuple(lam.shape))
    lam = lax.convert_element_type(pnp.broadcast_to(lam, shape), dtypes.float32)
    return _poisson(k, lam, shape, dtype)
