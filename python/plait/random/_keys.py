"""PRNG keys as jax.random makes them: seeding, split, fold_in and random bits, for jax's three
generators (`impl=`).

- "threefry2x32" (the default): a key is two uint32 words, hashed by Threefry-2x32. Counters
  follow `plait.config.threefry_partitionable` (jax's flag): partitionable draws hash each
  element's linear index, so a sharded draw needs no communication; the original layout pairs
  the first half of a flat counter array with the second.
- "rbg": four words, XLA's `rng_bit_generator` state for bits; split and fold_in apply threefry
  to each half of the key.
- "unsafe_rbg": as rbg, but split and fold_in hash with rng_bit_generator too (faster, no
  guarantees).

`key(seed)` wraps the words in a `PRNGKeyArray` (jax's typed keys, which carry their
generator); `PRNGKey(seed)` returns the raw uint32 words, read with
`plait.config.default_prng_impl`. Every function takes either, and jax's own keys. The
arithmetic is jax's, op for op, so the bits are jax's (rng_bit_generator's are XLA's, so they
match jax's on the same backend). Each public function runs as one staged program when called
eagerly (a jit inside), as jax's do.
"""

from __future__ import annotations

import math
import operator

import jax
import numpy as np

from plait import lax
from plait import numpy as pnp
from plait.core import dtypes
from plait.core.aval import Shaped
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.jitting import jit
from plait.lax._lax import _is_array
from plait.runtime.array import Array
from plait.tree_util import register_pytree_node_class

u32, u64 = dtypes.uint32, dtypes.uint64
THREEFRY, RBG, UNSAFE_RBG = "threefry2x32", "rbg", "unsafe_rbg"
_TAGS = {THREEFRY: "fry", RBG: "rbg", UNSAFE_RBG: "urbg"}  # jax's key dtype names
_WORDS = {THREEFRY: 2, RBG: 4, UNSAFE_RBG: 4}


@register_pytree_node_class
class PRNGKeyArray(Shaped):
    """An array of typed keys (jax's `key<fry>`, `key<rbg>`, `key<urbg>` dtypes): uint32 words
    of shape `shape + (words,)` underneath (`key_data`), and the generator they are for."""

    __slots__ = ("_base", "impl")

    def __init__(self, data, impl: str = THREEFRY):
        self._base, self.impl = data, impl

    def tree_flatten(self):
        return (self._base,), self.impl

    @classmethod
    def tree_unflatten(cls, impl, children):
        return cls(children[0], impl)

    @property
    def shape(self) -> tuple:
        return tuple(self._base.shape[:-1])

    @property
    def dtype(self) -> str:
        return f"key<{_TAGS[self.impl]}>"

    def __len__(self) -> int:
        if not self.shape:
            raise PlaitTypeError("len() of a single key")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, idx):
        idx = idx if isinstance(idx, tuple) else (idx,)
        if any(i is Ellipsis for i in idx):
            raise PlaitTypeError("key arrays are indexed without Ellipsis")
        return PRNGKeyArray(self._base[idx], self.impl)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        words = _WORDS[self.impl]
        return PRNGKeyArray(pnp.reshape(self._base, tuple(shape) + (words,)), self.impl)

    def __repr__(self) -> str:
        if isinstance(self._base, Array):
            return f"Array({np.asarray(self._base).tolist()}, dtype={self.dtype})"
        return f"PRNGKeyArray(shape={self.shape}, dtype={self.dtype})"


def _jax_key(x) -> bool:
    return isinstance(x, jax.Array) and jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key)


def key_data(keys):
    """The uint32 words of keys (the identity on a raw key)."""
    if isinstance(keys, PRNGKeyArray):
        return keys._base
    return check_key("key_data", keys, single=False)[0]._base


def _impl(impl) -> str:
    """The generator named by `impl=` (None: plait.config.default_prng_impl)."""
    if impl is None:
        return dtypes.config.default_prng_impl
    if impl not in _WORDS:
        raise PlaitValueError(f"unknown PRNG implementation {impl!r}; plait.random has "
                              + ", ".join(_WORDS))
    return impl


def _check_words(name: str, data, impl: str) -> None:
    words = _WORDS[impl]
    if data.dtype != u32 or data.ndim < 1 or data.shape[-1] != words:
        raise PlaitTypeError(f"{name}: expected a PRNG key (from plait.random.key or PRNGKey): "
                             f"{impl} keys are uint32 arrays of shape (..., {words}), got "
                             f"{data.dtype}{list(data.shape)}")


def wrap_key_data(key_bits, *, impl=None):
    """Typed keys from uint32 words of shape `(..., words)`."""
    impl = _impl(impl)
    x = key_bits if _is_array(key_bits) else pnp.asarray(key_bits)
    _check_words("wrap_key_data", x, impl)
    return PRNGKeyArray(x, impl)


def key_impl(keys) -> str:
    """The name of the generator `keys` are for."""
    return check_key("key_impl", keys, single=False)[0].impl


def check_key(name: str, key, single: bool = True):
    """(the key as a PRNGKeyArray, whether it was typed). Raw keys are uint32 arrays of the
    default generator's words (jax's legacy keys); a function of one key rejects key arrays."""
    if _jax_key(key):
        key = PRNGKeyArray(pnp.asarray(np.asarray(jax.random.key_data(key))),
                           _impl(str(jax.random.key_impl(key))))
    if isinstance(key, PRNGKeyArray):
        typed = True
    elif _is_array(key) or isinstance(key, (np.ndarray, jax.Array)):
        data, impl = (key if _is_array(key) else pnp.asarray(key)), _impl(None)
        _check_words(name, data, impl)
        key, typed = PRNGKeyArray(data, impl), False
    else:
        raise PlaitTypeError(f"{name}: expected a PRNG key (from plait.random.key or PRNGKey),"
                             f" got {type(key).__name__}")
    if single and key.shape:
        raise PlaitTypeError(f"{name} takes a single key, got a key array of shape "
                             f"{key.shape}; map over keys with plait.vmap")
    return key, typed


def _rewrap(key: PRNGKeyArray, typed: bool):
    return key if typed else key._base


# --- seeding ---------------------------------------------------------------------------------

def _seed_array(seed):
    """The seed as an integer scalar array: a Python int wraps into the default int."""
    if isinstance(seed, (bool, np.bool_)) or (
            not isinstance(seed, (int, np.integer)) and not _is_array(seed)
            and not isinstance(seed, (np.ndarray, jax.Array))):
        raise PlaitTypeError(f"PRNG seeds must be integers, got {type(seed).__name__}")
    if isinstance(seed, int):
        if not -2**63 <= seed < 2**63:
            raise PlaitValueError(f"seed {seed} does not fit in int64")
        seed = np.int64(seed).astype(dtypes.config.default_int)
    s = seed if _is_array(seed) else pnp.asarray(seed)
    if not dtypes.is_integer(s.dtype) or s.dtype == dtypes.bool_:
        raise PlaitTypeError(f"PRNG seeds must be integers, got {s.dtype}")
    if s.ndim != 0:
        raise PlaitTypeError(f"PRNG seeds must be scalars, got shape {tuple(s.shape)}")
    return s


def _seed_words(s):
    """[hi, lo]: the high and low 32 bits of the seed (hi is 0 for seeds of 32 bits or less)."""
    if s.dtype.itemsize == 8:
        hi = lax.convert_element_type(lax.shift_right_logical(s, 32), u32)
        lo = lax.convert_element_type(lax.bitwise_and(s, 0xFFFFFFFF), u32)
    else:
        hi, lo = lax.full((), 0, u32), lax.convert_element_type(s, u32)
    return lax.concatenate([lax.reshape(hi, (1,)), lax.reshape(lo, (1,))], 0)


def _seed_key(s, impl: str):
    """A key's words from a seed: rbg keys repeat the threefry words (as jax)."""
    words = _seed_words(s)
    return words if impl == THREEFRY else lax.concatenate([words, words], 0)


def key(seed, *, impl=None):
    """A typed key from an integer seed (jax.random.key)."""
    impl = _impl(impl)
    return PRNGKeyArray(_seed_key(_seed_array(seed), impl), impl)


def PRNGKey(seed, *, impl=None):  # noqa: N802  (jax's name)
    """The raw uint32 words of an integer seed's key (jax.random.PRNGKey)."""
    return _seed_key(_seed_array(seed), _impl(impl))


# --- the block function and its counters -------------------------------------------------------

def threefry_2x32(k, x0, x1):
    """Threefry-2x32 of counter words (x0, x1) under the key words k[0], k[1]."""
    shape = x0.shape
    k0 = lax.broadcast_in_dim(lax.reshape(lax.slice(k, (0,), (1,)), ()), shape, ())
    k1 = lax.broadcast_in_dim(lax.reshape(lax.slice(k, (1,), (2,)), ()), shape, ())
    return lax.threefry2x32(k0, k1, x0, x1)


def _hash_flat(k, count):
    """The original layout: the flat counters' first half paired with their second half."""
    n = count.shape[0]
    if n % 2:
        count = lax.concatenate([count, lax.full((1,), 0, u32)], 0)
    h = count.shape[0] // 2
    y0, y1 = threefry_2x32(k, lax.slice(count, (0,), (h,)), lax.slice(count, (h,), (2 * h,)))
    out = lax.concatenate([y0, y1], 0)
    return lax.slice(out, (0,), (n,)) if n % 2 else out


def _iota_2x32(shape):
    """The (high, low) words of each element's row-major linear index."""
    if not shape:
        zero = lax.full((), 0, u32)
        return zero, zero
    total = math.prod(shape)
    dt = u32 if total <= 2**32 else u64
    strides = [math.prod(shape[d + 1:]) for d in range(len(shape))]
    lin = None
    for d, stride in enumerate(strides):
        term = lax.mul(lax.broadcasted_iota(dt, shape, d), lax.full(shape, stride, dt))
        lin = term if lin is None else lax.add(lin, term)
    if dt == u32:
        return lax.full(shape, 0, u32), lin
    hi = lax.convert_element_type(lax.shift_right_logical(lin, lax.full(shape, 32, u64)), u32)
    return hi, lax.convert_element_type(lin, u32)


def _canonical_shape(name: str, shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise PlaitTypeError(f"{name}: shape must be a sequence of ints, got {shape!r}") from None
    if any(d < 0 for d in shape):
        raise PlaitValueError(f"{name}: negative dimension in shape {shape}")
    return shape


def _threefry_split(k, shape: tuple):
    if dtypes.config.threefry_partitionable:
        b0, b1 = threefry_2x32(k, *_iota_2x32(shape))
        return lax.concatenate([lax.reshape(b0, shape + (1,)), lax.reshape(b1, shape + (1,))],
                               len(shape))
    n = math.prod(shape)
    return lax.reshape(_hash_flat(k, lax.iota(u32, 2 * n)), shape + (2,))


def _halves(k):
    return lax.slice(k, (0,), (2,)), lax.slice(k, (2,), (4,))


def _unsafe_rbg_split(k, shape: tuple):
    """Every tenth row of rng_bit_generator's bits (jax's 'hash')."""
    n = math.prod(shape)
    _, rows = lax.rng_bit_generator(k, (10 * n, 4), u32)
    return lax.reshape(lax.slice(rows, (0, 0), (10 * n, 4), (10, 1)), shape + (4,))


def split_data(key: PRNGKeyArray, shape: tuple) -> PRNGKeyArray:
    """Keys of `shape` made from one key."""
    k = key._base
    if key.impl == THREEFRY:
        new = _threefry_split(k, shape)
    elif key.impl == RBG:
        new = lax.concatenate([_threefry_split(h, shape) for h in _halves(k)], len(shape))
    else:
        new = _unsafe_rbg_split(k, shape)
    return PRNGKeyArray(new, key.impl)


_split = jit(split_data, static_argnums=1)


def split(key, num=2):
    """`num` new keys (an int, or a shape of keys) from one."""
    k, typed = check_key("split", key)
    return _rewrap(_split(k, _canonical_shape("split", num)), typed)


def _threefry_fold_in(k, d):
    return _hash_flat(k, lax.concatenate([lax.full((1,), 0, u32), lax.reshape(d, (1,))], 0))


def fold_in_data(key: PRNGKeyArray, d) -> PRNGKeyArray:
    """A key made from a key and a uint32 scalar."""
    k = key._base
    if key.impl == THREEFRY:
        new = _threefry_fold_in(k, d)
    elif key.impl == RBG:
        new = lax.concatenate([_threefry_fold_in(h, d) for h in _halves(k)], 0)
    else:
        _, rows = lax.rng_bit_generator(_seed_key(d, RBG), (10, 4), u32)
        new = lax.bitwise_xor(k, lax.reshape(lax.slice(rows, (9, 0), (10, 4)), (4,)))
    return PRNGKeyArray(new, key.impl)


_fold_in = jit(fold_in_data)


def fold_in(key, data):
    """A new key from a key and an integer (the same in either counter layout)."""
    k, typed = check_key("fold_in", key)
    if isinstance(data, int) and not isinstance(data, bool):
        if not 0 <= data < 2**32:
            raise PlaitValueError(f"fold_in: data {data} is not a uint32")
        d = lax.full((), data, u32)
    else:
        d = data if _is_array(data) else pnp.asarray(data)
        if not dtypes.is_integer(d.dtype):
            raise PlaitTypeError(f"fold_in: data must be an integer, got {d.dtype}")
        if d.ndim != 0:
            raise PlaitTypeError(f"fold_in: data must be a scalar, got shape {tuple(d.shape)}")
        d = lax.convert_element_type(d, u32)
    return _rewrap(_fold_in(k, d), typed)


def random_bits(key: PRNGKeyArray, bit_width: int, shape: tuple):
    """uint{bit_width} random bits of `shape` from one key."""
    udt = np.dtype(f"uint{bit_width}")
    if key.impl != THREEFRY:
        return lax.rng_bit_generator(key._base, shape, udt)[1]
    return _threefry_bits(key._base, bit_width, udt, shape)


def _threefry_bits(k, bit_width: int, udt, shape: tuple):
    if dtypes.config.threefry_partitionable:
        b0, b1 = threefry_2x32(k, *_iota_2x32(shape))
        if bit_width == 64:
            hi = lax.shift_left(lax.convert_element_type(b0, u64), lax.full(shape, 32, u64))
            return lax.bitwise_or(hi, lax.convert_element_type(b1, u64))
        out = lax.bitwise_xor(b0, b1)
        return out if bit_width == 32 else lax.convert_element_type(out, udt)
    size = math.prod(shape)
    words = -(-bit_width * size // 32)
    bits = _hash_flat(k, lax.iota(u32, words))
    if bit_width == 64:
        hi = lax.convert_element_type(lax.slice(bits, (0,), (size,)), u64)
        lo = lax.convert_element_type(lax.slice(bits, (size,), (2 * size,)), u64)
        bits = lax.bitwise_or(lax.shift_left(hi, lax.full((size,), 32, u64)), lo)
    elif bit_width < 32:
        per = 32 // bit_width  # values per word, least significant first
        wide = lax.broadcast_in_dim(bits, (words, per), (0,))
        shifts = lax.mul(lax.broadcasted_iota(u32, (words, per), 1),
                         lax.full((words, per), bit_width, u32))
        parts = lax.bitwise_and(lax.shift_right_logical(wide, shifts),
                                lax.full((words, per), 2**bit_width - 1, u32))
        flat = lax.reshape(parts, (words * per,))
        bits = lax.convert_element_type(lax.slice(flat, (0,), (size,)), udt)
    return lax.reshape(bits, shape)


_bits = jit(random_bits, static_argnums=(1, 2))


def bits(key, shape=(), dtype=None):
    """Random unsigned integers of `dtype` (uint32 by default, uint64 with a 64-bit default
    int) and `shape`."""
    k, _ = check_key("bits", key)
    if dtype is None:
        dtype = u64 if dtypes.config.default_int.itemsize == 8 else u32
    dtype = dtypes.canonicalize(dtype)
    if not dtypes.is_unsigned(dtype):
        raise PlaitTypeError(f"bits: dtype must be an unsigned integer type, got {dtype}")
    return _bits(k, 8 * dtype.itemsize, _canonical_shape("bits", shape))


def clone(key):
    """The key itself (plait arrays are immutable)."""
    check_key("clone", key, single=False)
    return key
