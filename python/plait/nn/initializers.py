"""`plait.nn.initializers`: jax.nn.initializers on plait.random. An initializer is a function
`init(key, shape, dtype=None)`; for the same key it draws jax's numbers (plait.random's bits
are jax.random's), so a model initialised in plait starts where it would in jax.

    w = plait.nn.initializers.glorot_uniform()(plait.random.key(0), (784, 256))
"""

from __future__ import annotations

import math
import typing

import numpy as np

from plait import numpy as pnp
from plait import random
from plait.core import dtypes
from plait.core.errors import PlaitValueError

__all__ = ["Initializer", "constant", "delta_orthogonal", "glorot_normal", "glorot_uniform", "he_normal",
           "he_uniform", "kaiming_normal", "kaiming_uniform", "lecun_normal", "lecun_uniform",
           "normal", "ones", "orthogonal", "truncated_normal", "uniform", "variance_scaling",
           "xavier_normal", "xavier_uniform", "zeros"]


@typing.runtime_checkable
class Initializer(typing.Protocol):
    """What an initializer is: a function of a key, a shape and a dtype."""

    def __call__(self, key, shape, dtype=None, out_sharding=None):
        raise NotImplementedError


def _dtype(dtype):
    return dtypes.config.default_float if dtype is None else dtypes.canonicalize(dtype)


def _shape(shape):
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(
        int(d) for d in shape)


def _no_sharding(name, out_sharding):
    if out_sharding is not None:
        raise PlaitValueError(f"nn.initializers.{name}: out_sharding is not supported; place "
                              "the result with plait.device_put")


def zeros(key, shape, dtype=None, out_sharding=None):
    """An array of zeros (the key is unused)."""
    _no_sharding("zeros", out_sharding)
    return pnp.zeros(_shape(shape), _dtype(dtype))


def ones(key, shape, dtype=None, out_sharding=None):
    """An array of ones (the key is unused)."""
    _no_sharding("ones", out_sharding)
    return pnp.ones(_shape(shape), _dtype(dtype))


def constant(value, dtype=None):
    """An initializer filling with `value`."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("constant", out_sharding)
        return pnp.full(_shape(shape), value, _dtype(dtype))
    return init


def uniform(scale=1e-2, dtype=None):
    """An initializer drawing uniformly from [0, scale)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("uniform", out_sharding)
        dt = _dtype(dtype)
        return random.uniform(key, _shape(shape), dt) * pnp.asarray(scale, dt)
    return init


def normal(stddev=1e-2, dtype=None):
    """An initializer drawing from a normal distribution of mean 0 and `stddev`."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("normal", out_sharding)
        dt = _dtype(dtype)
        return random.normal(key, _shape(shape), dt) * pnp.asarray(stddev, dt)
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """An initializer drawing stddev * (a standard normal truncated to [lower, upper])."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("truncated_normal", out_sharding)
        dt = _dtype(dtype)
        return random.truncated_normal(key, lower, upper, _shape(shape), dt) * pnp.asarray(
            stddev, dt)
    return init


def _prod(shape, axes):
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    if any(not -len(shape) <= a < len(shape) for a in axes):
        raise PlaitValueError(f"variance_scaling: axes {axes} out of range for a weights "
                              f"shape {shape}")
    return math.prod(shape[a] for a in axes)


def _compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    """(fan_in, fan_out): the sizes of in_axis and out_axis times the receptive field (the
    other axes but batch_axis)."""
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise PlaitValueError(f"can't compute input and output sizes of a {len(shape)}-"
                              "dimensional weights tensor with the default in_axis; it must "
                              "be at least 2D, or give in_axis")
    in_size, out_size = _prod(shape, in_axis), _prod(shape, out_axis)
    receptive_field = math.prod(shape) / in_size / out_size / _prod(shape, batch_axis)
    return in_size * receptive_field, out_size * receptive_field


def _complex_uniform(key, shape, dtype):
    """Uniform on the unit disk scaled to variance 1: sqrt(2 u) e^(2 pi i v)."""
    key_r, key_theta = random.split(key)
    real = dtypes.real_dtype(dtype)
    r = pnp.sqrt(2 * random.uniform(key_r, shape, real)).astype(dtype)
    theta = 2 * np.pi * random.uniform(key_theta, shape, real).astype(dtype)
    return r * pnp.exp(1j * theta)


def _complex_truncated_normal(key, upper, shape, dtype):
    """A complex normal whose modulus is truncated at `upper`."""
    key_r, key_theta = random.split(key)
    real = dtypes.real_dtype(dtype)
    t = ((1 - pnp.exp(pnp.asarray(-(upper ** 2), dtype)))
         * random.uniform(key_r, shape, real).astype(dtype))
    r = pnp.sqrt(-pnp.log(1 - t))
    theta = 2 * np.pi * random.uniform(key_theta, shape, real).astype(dtype)
    return r * pnp.exp(1j * theta)


_MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
_DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(),
                     dtype=None):
    """An initializer with variance scale / n, n the fan-in, fan-out, their mean or their
    geometric mean (`mode`), drawn from a truncated normal, a normal or a uniform
    distribution (`distribution`); complex dtypes draw from their complex analogues."""
    if mode not in _MODES:
        raise PlaitValueError(f"variance_scaling: invalid mode {mode!r}; expected one of "
                              f"{_MODES}")
    if distribution not in _DISTRIBUTIONS:
        raise PlaitValueError(f"variance_scaling: invalid distribution {distribution!r}; "
                              f"expected one of {_DISTRIBUTIONS}")

    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("variance_scaling", out_sharding)
        shape, dt = _shape(shape), _dtype(dtype)
        fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
        denominator = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
                       "fan_geo_avg": (fan_in * fan_out) ** 0.5}[mode]
        variance = pnp.asarray(scale / denominator, dt)
        real = not dtypes.is_complex(dt)
        if distribution == "truncated_normal":
            if real:  # .8796...: the std of a standard normal truncated to [-2, 2]
                stddev = pnp.sqrt(variance) / pnp.asarray(.87962566103423978, dt)
                return random.truncated_normal(key, -2, 2, shape, dt) * stddev
            stddev = pnp.sqrt(variance) / pnp.asarray(.95311164380491208, dt)
            return _complex_truncated_normal(key, 2, shape, dt) * stddev
        if distribution == "normal":
            return random.normal(key, shape, dt) * pnp.sqrt(variance)
        if real:
            return random.uniform(key, shape, dt, -1) * pnp.sqrt(3 * variance)
        return _complex_uniform(key, shape, dt) * pnp.sqrt(variance)
    return init


def glorot_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(1, "fan_avg", "uniform") (Glorot & Bengio, 2010)."""
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis, out_axis, batch_axis, dtype)


def glorot_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(1, "fan_avg", "truncated_normal")."""
    return variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis, out_axis, batch_axis,
                            dtype)


def lecun_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(1, "fan_in", "uniform")."""
    return variance_scaling(1.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def lecun_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(1, "fan_in", "truncated_normal")."""
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis,
                            dtype)


def he_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(2, "fan_in", "uniform") (He et al., 2015)."""
    return variance_scaling(2.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def he_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(2, "fan_in", "truncated_normal")."""
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis,
                            dtype)


xavier_uniform, xavier_normal = glorot_uniform, glorot_normal
kaiming_uniform, kaiming_normal = he_uniform, he_normal


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """An initializer of (semi-)orthogonal matrices: the shape flattened to (rows, columns)
    with `column_axis` the columns, times `scale`."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("orthogonal", out_sharding)
        shape, dt = _shape(shape), _dtype(dtype)
        if len(shape) < 2:
            raise PlaitValueError("orthogonal initializer requires at least a 2D shape")
        if 0 in shape:
            return pnp.zeros(shape, dt)
        n_rows, n_cols = math.prod(shape) // shape[column_axis], shape[column_axis]
        q = random.orthogonal(key, n_rows, (), dt, n_cols)
        q = pnp.reshape(q, tuple(np.delete(shape, column_axis)) + (n_cols,))
        return pnp.asarray(scale, dt) * pnp.moveaxis(q, -1, column_axis)
    return init


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """An initializer for 1D, 2D and 3D convolution kernels (3D, 4D or 5D shapes, channels
    last): an orthogonal (in, out) matrix at the kernel's centre, zeros elsewhere."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("delta_orthogonal", out_sharding)
        shape, dt = _shape(shape), _dtype(dtype)
        if len(shape) not in (3, 4, 5):
            raise PlaitValueError("delta_orthogonal initializer requires a 3D, 4D or 5D shape")
        if shape[-1] < shape[-2]:
            raise PlaitValueError("delta_orthogonal: fan_in (shape[-2]) must be at most "
                                  "fan_out (shape[-1])")
        ortho = orthogonal(scale, column_axis, dt)(key, shape[-2:])
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        return pnp.zeros(shape, dt).at[centre].set(ortho)
    return init
