"""dtypes: the set plait supports, JAX's promotion lattice with weak types, and defaults.

dtypes are per array: a float64 input stays float64. Python scalars are *weak*: they take
the dtype of the array they meet (`x_f16 + 1.0` is float16) and default to `config`'s
float32 / int32 / complex64 on their own.
"""

from __future__ import annotations

import contextlib
import functools
import os

import ml_dtypes
import numpy as np

from plait.core.errors import PlaitTypeError, PlaitValueError

bool_ = np.dtype(np.bool_)
int8, int16, int32, int64 = (np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = (np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64))
bfloat16 = np.dtype(ml_dtypes.bfloat16)
float16, float32, float64 = (np.dtype(t) for t in (np.float16, np.float32, np.float64))
complex64, complex128 = np.dtype(np.complex64), np.dtype(np.complex128)

SUPPORTED = (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
             bfloat16, float16, float32, float64, complex64, complex128)
_SUPPORTED_SET = frozenset(SUPPORTED)


class Config:
    """plait's settings (`plait.config`): the defaults for arrays made from Python scalars and
    lists, `debug_checks` (run-time checks that cost time; `PLAIT_DEBUG_CHECKS=1`),
    `debug_nans` / `debug_infs` (a NaN / Inf in a result raises FloatingPointError at the line
    of the op that made it; `PLAIT_DEBUG_NANS=1`, `PLAIT_DEBUG_INFS=1`),
    `threefry_partitionable` (jax's flag of that name: the counter layout of plait.random's
    split and bits, True by default as in jax), `default_prng_impl` (jax's flag of that name:
    the generator of keys made without `impl=` and of raw keys: "threefry2x32", "rbg" or
    "unsafe_rbg"), and `compilation_cache_dir` (compiled programs
    kept on disk for other processes; `PLAIT_COMPILATION_CACHE_DIR`).

    Traced programs depend on the dtypes and flags, so caches key on `key()`; a cache that
    cannot (jaxlib's C++ dispatch cache) subscribes to `on_change` and is cleared."""

    _DTYPES = ("default_int", "default_float", "default_complex")
    _FLAGS = ("debug_checks", "debug_nans", "debug_infs", "threefry_partitionable")
    _CHOICES = {"default_prng_impl": ("threefry2x32", "rbg", "unsafe_rbg")}
    _PATHS = ("compilation_cache_dir",)  # not in key(): programs do not depend on them
    _SETTINGS = _DTYPES + _FLAGS + tuple(_CHOICES) + _PATHS

    def __init__(self) -> None:
        object.__setattr__(self, "on_change", [])
        self.default_int = int32
        self.default_float = float32
        self.default_complex = complex64
        for flag in ("debug_checks", "debug_nans", "debug_infs"):  # PLAIT_DEBUG_CHECKS=1, ...
            setattr(self, flag, os.environ.get(f"PLAIT_{flag.upper()}", "") not in ("", "0"))
        self.threefry_partitionable = True
        self.default_prng_impl = "threefry2x32"
        self.compilation_cache_dir = os.environ.get("PLAIT_COMPILATION_CACHE_DIR") or None

    def __setattr__(self, name, value) -> None:
        if name in self._DTYPES:
            value = np.dtype(value)
            if value not in _SUPPORTED_SET:
                raise PlaitTypeError(f"plait.config.{name}: dtype {value} is not supported")
        elif name in self._FLAGS:
            value = bool(value)
        elif name in self._CHOICES:
            if value not in self._CHOICES[name]:
                raise PlaitValueError(f"plait.config.{name}: {value!r} is not one of "
                                      + ", ".join(self._CHOICES[name]))
        elif name in self._PATHS:
            value = os.fspath(value) if value else None
        else:
            raise AttributeError(f"plait.config has no setting {name!r}; settings: "
                                 + ", ".join(self._SETTINGS))
        object.__setattr__(self, name, value)
        object.__setattr__(self, "_key", tuple(getattr(self, f, None)
                                               for f in self._DTYPES + self._FLAGS
                                               + tuple(self._CHOICES)))
        for callback in self.on_change:
            callback()

    def key(self) -> tuple:
        return self._key

    def update(self, name: str, value) -> None:
        """Set a setting by name, as `jax.config.update` does."""
        self._check_name(name)
        setattr(self, name, value)

    def _check_name(self, name: str) -> None:
        if name not in self._SETTINGS:
            raise PlaitValueError(f"plait.config has no setting {name!r}; settings: "
                                  + ", ".join(self._SETTINGS))

    @contextlib.contextmanager
    def override(self, **settings):
        """`with plait.config.override(default_float="float64"):` these settings inside the
        block, the previous ones after it (also when it raises). Settings are per process, not
        per thread."""
        old = {}
        try:
            for name, value in settings.items():
                self._check_name(name)
                old[name] = getattr(self, name)
                setattr(self, name, value)
            yield self
        finally:
            for name, value in old.items():
                setattr(self, name, value)

    def default_for_kind(self, kind: str) -> np.dtype:
        return {"b": bool_, "i": self.default_int, "f": self.default_float,
                "c": self.default_complex}[kind]


config = Config()


def is_float(dt: np.dtype) -> bool:
    return dt.kind == "f" or dt == bfloat16


def is_complex(dt: np.dtype) -> bool:
    return dt.kind == "c"


def is_inexact(dt: np.dtype) -> bool:
    return is_float(dt) or is_complex(dt)


def is_integer(dt: np.dtype) -> bool:
    return dt.kind in "iu"


def is_unsigned(dt: np.dtype) -> bool:
    return dt.kind == "u"


def kind(dt: np.dtype) -> str:
    """'b', 'i' (signed or unsigned), 'f' or 'c'."""
    if dt == bool_:
        return "b"
    if is_integer(dt):
        return "i"
    return "c" if is_complex(dt) else "f"


def canonicalize(dt) -> np.dtype:
    """np.dtype of a user-given dtype; raises for what plait cannot represent."""
    if dt is float:
        return config.default_float
    if dt is int:
        return config.default_int
    if dt is complex:
        return config.default_complex
    if dt is bool:
        return bool_
    d = np.dtype(dt)
    if d not in _SUPPORTED_SET:
        raise PlaitTypeError(f"dtype {d} is not supported by plait; supported: "
                             + ", ".join(str(s) for s in SUPPORTED))
    return d


def real_dtype(dt: np.dtype) -> np.dtype:
    return {complex64: float32, complex128: float64}.get(dt, dt)


def complex_dtype(dt: np.dtype) -> np.dtype:
    return complex128 if dt in (float64, complex128) else complex64


def finfo(dt: np.dtype):
    return ml_dtypes.finfo(dt) if dt == bfloat16 else np.finfo(dt)


# --- JAX's type promotion lattice -------------------------------------------------------------
# Nodes are dtypes plus the weak kinds "i*", "f*", "c*" of Python scalars. The join (least upper
# bound) of two nodes is the promoted type; a weak result takes config's default dtype and stays
# weak.
_LATTICE = {
    bool_: ["i*"],
    "i*": [uint8, int8],
    uint8: [int16, uint16], uint16: [int32, uint32], uint32: [int64, uint64], uint64: ["f*"],
    int8: [int16], int16: [int32], int32: [int64], int64: ["f*"],
    "f*": ["c*", bfloat16, float16],
    bfloat16: [float32], float16: [float32], float32: [float64, complex64], float64: [complex128],
    "c*": [complex64], complex64: [complex128], complex128: [],
}


def _upper_sets() -> dict:
    ups: dict = {}

    def up(n):
        if n not in ups:
            s = {n}
            for m in _LATTICE[n]:
                s |= up(m)
            ups[n] = frozenset(s)
        return ups[n]

    for n in _LATTICE:
        up(n)
    return ups


_UP = _upper_sets()


@functools.cache
def _join(a, b):
    common = _UP[a] & _UP[b]
    (least,) = [n for n in common if all(m in _UP[n] for m in common)]
    return least


def _node(dt: np.dtype, weak: bool):
    if weak and dt != bool_:
        return {"i": "i*", "f": "f*", "c": "c*"}[kind(dt)]
    return dt


def promote(*types: tuple[np.dtype, bool]) -> tuple[np.dtype, bool]:
    """Promote (dtype, weak_type) pairs as JAX does; returns the result's (dtype, weak_type).

    A weak result takes config's default dtype of its kind, but 64 bits when a non-weak
    64-bit integer took part (`x_int64 + 1.0` is float64: dtypes are per array)."""
    node = _node(*types[0])
    for t in types[1:]:
        node = _join(node, _node(*t))
    if isinstance(node, str):
        wide = any(not w and is_integer(d) and d.itemsize == 8 for d, w in types)
        if wide and node != "i*":
            return {"f*": float64, "c*": complex128}[node], True
        return config.default_for_kind(node[0]), True
    return node, False


def python_scalar_dtype(x) -> np.dtype:
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return config.default_int
    if isinstance(x, float):
        return config.default_float
    if isinstance(x, complex):
        return config.default_complex
    raise TypeError(type(x))


def dtype_of_value(x) -> tuple[np.dtype, bool]:
    """(dtype, weak_type) plait gives a host value. NumPy arrays keep their dtype; Python and
    NumPy scalars are weak (a hyperparameter `np.sqrt(d)` does not turn float32 work into
    float64), except a NumPy integer too large for the default int, which keeps its dtype."""
    if isinstance(x, np.ndarray):
        return canonicalize(x.dtype), False
    if isinstance(x, np.generic):  # before Python scalars: np.float64 is a float
        return numpy_scalar_dtype(x)
    if isinstance(x, (bool, int, float, complex)):
        return python_scalar_dtype(x), not isinstance(x, bool)
    raise PlaitTypeError(f"{type(x).__name__} is not an array type plait understands")


def numpy_scalar_dtype(x: np.generic) -> tuple[np.dtype, bool]:
    dt = canonicalize(x.dtype)
    k = kind(dt)
    if k == "b":
        return bool_, False
    default = config.default_for_kind(k)
    if k == "i" and not np.iinfo(default).min <= int(x) <= np.iinfo(default).max:
        return dt, False
    return default, True
