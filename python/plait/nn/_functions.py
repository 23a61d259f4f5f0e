"""jax.nn's activations, softmax family, standardize and one_hot, composed from plait ops.

Each follows jax.nn's formulation, so values and derivatives are jax's: relu and relu6 have
custom JVPs (derivative 0 at the kinks), softmax has jax's custom JVP (y * (t - sum(y t))),
log_softmax subtracts a stop_gradient max, softplus is logaddexp(x, 0) with logaddexp's JVP.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from plait import lax
from plait import numpy as pnp
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.custom import custom_jvp
from plait.numpy._core import numpy_function, promote_dtypes_inexact, promote_inexact
from plait.scipy import special

__all__ = ["celu", "elu", "gelu", "glu", "hard_sigmoid", "hard_silu", "hard_swish",
           "hard_tanh", "identity", "leaky_relu", "log1mexp", "log_sigmoid", "log_softmax",
           "logmeanexp", "logsumexp", "mish", "one_hot", "relu", "relu6", "selu", "sigmoid",
           "silu", "soft_sign", "softmax", "softplus", "sparse_plus", "sparse_sigmoid",
           "squareplus", "standardize", "swish", "tanh"]


def _zeros(x):
    return lax.full(x.shape, 0, x.dtype)


def _masked(x, where, fill):
    return x if where is None else pnp.where(where, x, fill)


# --- rectifiers ----------------------------------------------------------------------------------

@custom_jvp
def _relu(x):
    return pnp.maximum(x, 0)


@_relu.defjvp
def _relu_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _relu(x), lax.select(x > 0, t, _zeros(t))


@numpy_function()
def relu(x):
    """max(x, 0), with derivative 0 at 0 (as jax.nn.relu)."""
    return _relu(pnp.asarray(x))


@custom_jvp
def _relu6(x):
    return pnp.minimum(pnp.maximum(x, 0), 6.0)


@_relu6.defjvp
def _relu6_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _relu6(x), lax.select((x > 0) & (x < 6), t, _zeros(t))


@numpy_function()
def relu6(x):
    """min(max(x, 0), 6), with derivative 0 at 0 and 6 (float for integer x, as jax's)."""
    (x,) = promote_inexact(x)
    return _relu6(x)


@numpy_function()
def leaky_relu(x, negative_slope=1e-2):
    """x for x >= 0, negative_slope * x below."""
    x = pnp.asarray(x)
    return pnp.where(x >= 0, x, negative_slope * x)


@numpy_function()
def elu(x, alpha=1.0):
    """x for x > 0, alpha (exp(x) - 1) otherwise (the exp of x only where x <= 0)."""
    x = pnp.asarray(x)
    return pnp.where(x > 0, x, alpha * pnp.expm1(pnp.where(x > 0, 0.0, x)))


@numpy_function()
def celu(x, alpha=1.0):
    """max(x, 0) + alpha (exp(min(x, 0) / alpha) - 1)."""
    return pnp.maximum(x, 0.0) + alpha * pnp.expm1(pnp.minimum(x, 0.0) / alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@numpy_function()
def selu(x):
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


@numpy_function()
def hard_tanh(x):
    """x clipped to [-1, 1] (derivative 1 at the ends, as jax's)."""
    x = pnp.asarray(x)
    return pnp.where(x > 1, 1, pnp.where(x < -1, -1, x))


@numpy_function()
def hard_sigmoid(x):
    """relu6(x + 3) / 6."""
    return relu6(x + 3.0) / 6.0


@numpy_function()
def hard_silu(x):
    """x * hard_sigmoid(x)."""
    x = pnp.asarray(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


@numpy_function()
def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 in between, x for x >= 1."""
    x = pnp.asarray(x)
    return pnp.where(x <= -1.0, 0.0, pnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


@numpy_function()
def sparse_sigmoid(x):
    """clip((x + 1) / 2, 0, 1), the derivative of sparse_plus."""
    return 0.5 * pnp.clip(x + 1.0, 0.0, 2.0)


# --- smooth activations --------------------------------------------------------------------------

def _replace_inf(x):
    return pnp.where(x == np.inf, 0.0, x)


@custom_jvp
def _logaddexp(a, b):
    delta = a - b
    return pnp.where(pnp.isnan(delta), a + b,
                     pnp.maximum(a, b) + pnp.log1p(pnp.exp(-pnp.abs(delta))))


@_logaddexp.defjvp
def _logaddexp_jvp(primals, tangents):
    (a, b), (ta, tb) = primals, tangents
    out = _logaddexp(a, b)
    return out, (ta * pnp.exp(_replace_inf(a) - _replace_inf(out))
                 + tb * pnp.exp(_replace_inf(b) - _replace_inf(out)))


@numpy_function()
def softplus(x):
    """log(1 + exp(x)), as jax's logaddexp(x, 0)."""
    (x,) = promote_inexact(x)
    return _logaddexp(x, _zeros(x))


@numpy_function()
def soft_sign(x):
    """x / (|x| + 1)."""
    x = pnp.asarray(x)
    return x / (pnp.abs(x) + 1)


@numpy_function()
def sigmoid(x):
    """1 / (1 + exp(-x)) (lax.logistic)."""
    return lax.logistic(x)


@numpy_function()
def silu(x):
    """x * sigmoid(x)."""
    x = pnp.asarray(x)
    return x * lax.logistic(x)


swish = silu


@numpy_function()
def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x)."""
    return -softplus(-pnp.asarray(x))


@numpy_function()
def mish(x):
    """x * tanh(softplus(x))."""
    x = pnp.asarray(x)
    return x * pnp.tanh(softplus(x))


@numpy_function()
def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2."""
    x, b = pnp.asarray(x), pnp.asarray(b)
    return (x + pnp.sqrt(x * x + b)) / 2


@numpy_function(static=("approximate",))
def gelu(x, approximate=True):
    """x Phi(x): the tanh approximation by default, else exactly, x/2 erfc(-x/sqrt(2))."""
    (x,) = promote_inexact(x)
    dt = x.dtype
    if approximate:
        c = pnp.asarray(np.sqrt(2 / np.pi), dt)
        return x * (0.5 * (1.0 + pnp.tanh(c * (x + 0.044715 * (x * x * x)))))
    z = -x * pnp.asarray(np.sqrt(0.5), dt)
    if dt.itemsize < 4:  # erfc's rational approximations need float32's range and precision
        z = z.astype(np.float32)
    return (0.5 * x * special.erfc(z).astype(dt)).astype(dt)


@numpy_function(static=("axis",))
def glu(x, axis=-1):
    """The first half of x along `axis` times the sigmoid of the second half."""
    x = pnp.asarray(x)
    if x.shape[axis] % 2:
        raise PlaitValueError(f"glu: the size of axis {axis} must be even, got "
                              f"{x.shape[axis]}")
    a, b = pnp.split(x, 2, axis)
    return a * lax.logistic(b)


@numpy_function()
def identity(x):
    """x, unchanged."""
    return pnp.asarray(x)


tanh = pnp.tanh


@custom_jvp
def _log1mexp(x):
    return pnp.where(x < math.log(2.0), pnp.log(-pnp.expm1(-x)), pnp.log1p(-pnp.exp(-x)))


@_log1mexp.defjvp
def _log1mexp_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _log1mexp(x), t / pnp.expm1(x)


@numpy_function()
def log1mexp(x):
    """log(1 - exp(-x)) for x >= 0, accurate near 0 and for large x."""
    (x,) = promote_inexact(x)
    return _log1mexp(x)


# --- softmax family ------------------------------------------------------------------------------

def _softmax_impl(x, axis, where):
    x_max = pnp.max(_masked(x, where, -np.inf), axis=axis, keepdims=True)
    unnormalized = pnp.exp(_masked(x, where, -np.inf) - x_max)
    y = unnormalized / pnp.sum(unnormalized, axis=axis, keepdims=True)
    return _masked(y, where, 0.0)


@functools.partial(custom_jvp, nondiff_argnums=(1,))
def _softmax(x, axis):
    return _softmax_impl(x, axis, None)


@_softmax.defjvp
def _softmax_jvp(axis, primals, tangents):
    (x,), (t,) = primals, tangents
    y = _softmax(x, axis)
    return y, y * (t - pnp.sum(y * t, axis=axis, keepdims=True))


@functools.partial(custom_jvp, nondiff_argnums=(2,))
def _softmax_where(x, where, axis):
    return _softmax_impl(x, axis, where)


@_softmax_where.defjvp
def _softmax_where_jvp(axis, primals, tangents):
    (x, where), (t, _) = primals, tangents
    y = _softmax_where(x, where, axis)
    return y, y * (t - pnp.sum(_masked(y * t, where, 0.0), axis=axis, keepdims=True))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


@numpy_function(static=("axis",))
def softmax(x, axis=-1, where=None):
    """exp(x) / sum(exp(x)) over `axis`, the max subtracted first; jax's custom JVP. With
    `where`, only those elements take part and the others are 0."""
    (x,) = promote_inexact(x)
    axis = _axis(axis)
    if where is None:
        return _softmax(x, axis)
    return _softmax_where(x, pnp.asarray(where, bool), axis)


@numpy_function(static=("axis",))
def log_softmax(x, axis=-1, where=None):
    """x - logsumexp(x) over `axis`; with `where`, the others are -inf."""
    (x,) = promote_inexact(x)
    axis = _axis(axis)
    x = _masked(x, where, -np.inf)
    shifted = x - lax.stop_gradient(pnp.max(x, axis=axis, keepdims=True))
    e = _masked(pnp.exp(shifted), where, 0.0)
    out = shifted - pnp.log(pnp.sum(e, axis=axis, keepdims=True))
    return _masked(out, where, -np.inf)


@numpy_function(static=("axis", "keepdims", "return_sign"))
def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(|sum(b exp(a))|) over `axis` (jax.nn.logsumexp); `where` masks elements out."""
    a, b = (promote_inexact(a)[0], None) if b is None else promote_dtypes_inexact(a, b)
    a = _masked(a, where, -np.inf)
    return special.logsumexp(a, axis=_axis(axis), b=b, keepdims=keepdims,
                             return_sign=return_sign)


def _count(x, axis, where, keepdims, dtype):
    if where is None:
        axes = range(x.ndim) if axis is None else np.atleast_1d(axis)
        n = math.prod(x.shape[i] for i in axes)
        return pnp.asarray(n, dtype)
    w = pnp.broadcast_to(pnp.asarray(where, bool), x.shape)
    return pnp.sum(w.astype(dtype), axis=axis, keepdims=keepdims)


@numpy_function(static=("axis", "keepdims"))
def logmeanexp(x, axis=None, where=None, keepdims=False):
    """logsumexp(x) - log(n), n the number of elements reduced."""
    axis = _axis(axis)
    lse = logsumexp(x, axis=axis, keepdims=keepdims, where=where)
    return lse - pnp.log(_count(pnp.asarray(x), axis, where, keepdims, lse.dtype))


def _mean(x, axis, where):
    if where is None:
        return pnp.mean(x, axis=axis, keepdims=True)
    (x,) = promote_inexact(x)
    total = pnp.sum(pnp.where(where, x, 0), axis=axis, keepdims=True)
    return total / _count(x, axis, where, True, x.dtype)


@numpy_function(static=("axis", "algorithm"))
def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *,
                algorithm="fast"):
    """(x - mean) / sqrt(variance + epsilon), mean and variance over `axis` unless given;
    `algorithm` "fast" takes the variance as mean(x^2) - mean(x)^2 (clipped at 0), "stable"
    as mean((x - mean)^2)."""
    if algorithm not in ("fast", "stable"):
        raise PlaitValueError(f"standardize: unknown algorithm {algorithm!r}; expected "
                              "'fast' or 'stable'")
    axis = _axis(axis)
    x = pnp.asarray(x)
    if mean is None:
        mean = _mean(x, axis, where)
    if variance is None:
        if algorithm == "stable":
            variance = _mean(pnp.square(x - mean), axis, where)
        else:
            variance = pnp.clip(_mean(pnp.square(x), axis, where) - pnp.square(mean), 0)
    return (x - mean) * lax.rsqrt(pnp.asarray(variance + epsilon))


@numpy_function(static=("num_classes", "dtype", "axis"))
def _one_hot(x, num_classes, dtype, axis):
    if isinstance(axis, str):  # a named vmap axis: this device's index along it
        size = lax.axis_size(axis)
        if num_classes != size:
            raise PlaitValueError(f"one_hot: num_classes must be the size of axis {axis!r}, "
                                  f"but {num_classes} != {size}")
        return (x == lax.axis_index(axis)).astype(dtype)
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise PlaitValueError(f"one_hot: axis {axis} is out of range for a result of rank "
                              f"{x.ndim + 1}")
    axis = axis % (x.ndim + 1)
    shape = [1] * x.ndim
    shape.insert(axis, num_classes)
    classes = lax.broadcasted_iota(x.dtype, shape, axis)
    return (pnp.expand_dims(x, axis) == classes).astype(dtype)


def one_hot(x, num_classes, *, dtype=None, axis=-1):
    """x's indices as one-hot vectors of length num_classes along `axis` (zeros for an
    index out of range); `axis` may name a vmap axis."""
    if not isinstance(num_classes, (int, np.integer)):
        raise PlaitTypeError(f"one_hot: num_classes must be a static int, got "
                             f"{type(num_classes).__name__}")
    dtype = dtypes.config.default_float if dtype is None else dtypes.canonicalize(dtype)
    return _one_hot(pnp.asarray(x), int(num_classes), dtype, axis)
