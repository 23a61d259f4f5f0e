"""jax.nn.dot_product_attention, its 'xla' implementation: logits in float32 or wider, masks
as a large negative number, softmax in float32, grouped-query attention by folding the query
heads into (kv heads, groups)."""

from __future__ import annotations

import numpy as np

from plait import lax
from plait import numpy as pnp
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.nn._functions import logsumexp, softmax

__all__ = ["dot_product_attention"]


def _ensure_4d(t):
    t = pnp.asarray(t)
    return pnp.reshape(t, (1,) * (4 - t.ndim) + t.shape) if t.ndim < 4 else t


def _check(t, shape, dtype, name):
    if t is None:
        return
    if t.ndim != len(shape):
        raise PlaitValueError(f"dot_product_attention: {name} must have {len(shape)} "
                              f"dimensions, got shape {tuple(t.shape)}")
    if dtype is not None and t.dtype != dtype:
        raise PlaitTypeError(f"dot_product_attention: {name} dtype must be {dtype}, got "
                             f"{t.dtype}")
    if any(w != -1 and g != w for g, w in zip(t.shape, shape)):
        raise PlaitValueError(f"dot_product_attention: {name} shape must be "
                              f"{tuple(shape)} (-1: any), got {tuple(t.shape)}")


def _large_negative(dt):
    return -0.7 * min(float(dtypes.finfo(dt).max), float(np.finfo(np.float32).max))


def _grouped(t, K, G):
    """A (B|1, N|1, T, S) bias or mask as (B|1, K, G, T, S) or (B|1, 1, 1, T, S)."""
    if t is None:
        return None
    b, n, tt, s = t.shape
    return pnp.reshape(t, (b, 1, 1, tt, s) if n == 1 else (b, K, G, tt, s))


def _mask(T, S, mask, is_causal, q_len, kv_len, window):
    """What to keep of the (B, K, G, T, S) logits, broadcastable to them; None: all."""
    q_pos = lax.broadcasted_iota(np.int32, (T, S), 0)
    k_pos = lax.broadcasted_iota(np.int32, (T, S), 1)
    keep = [] if mask is None else [mask]
    if is_causal:
        keep.append(q_pos >= k_pos)
    if window is not None:
        left, right = window
        keep.append((q_pos <= k_pos + left) & (q_pos >= k_pos - right))
    if q_len is not None:
        keep.append((q_pos[:, :1] < q_len[:, None, None])[:, None, None])
    if kv_len is not None:
        keep.append((k_pos[:1] < kv_len[:, None, None])[:, None, None])
    out = None
    for k in keep:
        out = k if out is None else out & k
    return out


def _attention(query, key, value, bias, mask, is_causal, scale, q_len, kv_len, window,
               return_residual):
    B, T, N, H = query.shape
    _, S, K, _ = key.shape
    G = N // K
    logits_dtype = dtypes.promote((query.dtype, False), (dtypes.float32, False))[0]
    q = pnp.reshape(query, (B, T, K, G, H)).astype(logits_dtype)
    logits = pnp.einsum("BTKGH,BSKH->BKGTS", q, key.astype(logits_dtype))
    logits = logits * pnp.asarray(scale, logits_dtype)
    if bias is not None:
        logits = (logits + _grouped(bias, K, G)).astype(logits_dtype)
    keep = _mask(T, S, _grouped(mask, K, G), is_causal, q_len, kv_len, window)
    if keep is not None:
        logits = pnp.where(keep, logits, pnp.asarray(_large_negative(logits_dtype),
                                                     logits_dtype))
    logits = logits.astype(np.float32)
    probs = softmax(logits, axis=-1).astype(key.dtype)
    encoded = pnp.einsum("BKGTS,BSKH->BTKGH", probs, value)
    encoded = pnp.reshape(encoded, (B, T, N, H))
    if q_len is not None:
        encoded = encoded * (lax.broadcasted_iota(np.int32, (1, T, 1, 1), 1)
                             < q_len[:, None, None, None]).astype(encoded.dtype)
    if not return_residual:
        return encoded
    lse = logsumexp(logits, axis=-1).astype(key.dtype)  # B K G T
    lse = pnp.reshape(pnp.transpose(lse, (0, 3, 1, 2)), (B, T, N))
    return encoded, lax.stop_gradient(lse)


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None,
                          is_causal=False, query_seq_lengths=None,
                          key_value_seq_lengths=None, local_window_size=None,
                          implementation=None, return_residual=False):
    """softmax(Q K^T * scale + bias, masked) V per head, as jax.nn.dot_product_attention with
    implementation None or 'xla'. query is (B, T, N, H) or (T, N, H), key and value
    (B, S, K, H) or (S, K, H) with N a multiple of K (grouped-query attention); bias and mask
    (a boolean, True = attend) broadcast to (B, N, T, S); scale defaults to 1/sqrt(H)."""
    if implementation not in (None, "xla"):
        raise PlaitValueError(f"dot_product_attention: implementation {implementation!r} is "
                              "not supported; plait has 'xla' (and None, the same)")
    query = pnp.asarray(query)
    out_shape = query.shape
    query, key, value = _ensure_4d(query), _ensure_4d(key), _ensure_4d(value)
    bias = None if bias is None else _ensure_4d(bias)
    mask = None if mask is None else _ensure_4d(mask)
    q_len = None if query_seq_lengths is None else pnp.asarray(query_seq_lengths)
    kv_len = None if key_value_seq_lengths is None else pnp.asarray(key_value_seq_lengths)
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)
    B, S, K, H = key.shape
    _check(value, [B, S, K, H], key.dtype, "value")
    _check(query, [B, -1, -1, H], key.dtype, "query")
    _check(mask, [-1] * 4, np.dtype(bool), "mask")
    _check(bias, [-1] * 4, None, "bias")
    _check(q_len, [B], np.dtype(np.int32), "query_seq_lengths")
    _check(kv_len, [B], np.dtype(np.int32), "key_value_seq_lengths")
    if query.shape[-2] % K:
        raise PlaitValueError(f"dot_product_attention: the number of query heads must be a "
                              f"multiple of key/value heads, got {query.shape[-2]} and {K}")
    scale = 1.0 / np.sqrt(H) if scale is None else scale
    out = _attention(query, key, value, bias, mask, is_causal, scale, q_len, kv_len,
                     local_window_size, return_residual)
    if return_residual:
        return pnp.reshape(out[0], out_shape), pnp.reshape(out[1], out_shape[:-1])
    return pnp.reshape(out, out_shape)
