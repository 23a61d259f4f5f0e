"""The array API standard's namespace inspection: `plait.numpy.__array_namespace_info__()` and
`__array_api_version__` (https://data-apis.org/array-api/2024.12/)."""

from __future__ import annotations

import numpy as np

from plait.core import dtypes
from plait.core.errors import PlaitValueError
from plait.runtime import device as _device
from plait.runtime import host as _host

__array_api_version__ = "2024.12"

_KINDS = {
    "bool": (dtypes.bool_,),
    "signed integer": (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64),
    "unsigned integer": (dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64),
    "real floating": (dtypes.float32, dtypes.float64),
    "complex floating": (dtypes.complex64, dtypes.complex128),
}
_KINDS["integral"] = _KINDS["signed integer"] + _KINDS["unsigned integer"]
_KINDS["numeric"] = _KINDS["integral"] + _KINDS["real floating"] + _KINDS["complex floating"]


class Info:
    """What `__array_namespace_info__()` returns: plait's capabilities, devices and dtypes."""

    def capabilities(self) -> dict:
        # boolean masks and value-dependent shapes work eagerly, but not under jit (as jax)
        return {"boolean indexing": False, "data-dependent shapes": False,
                "max dimensions": 64}

    def default_device(self):
        return _device.default_device()

    def devices(self) -> list:
        return _host.devices()

    def default_dtypes(self, *, device=None) -> dict:
        c = dtypes.config
        return {"real floating": c.default_float, "complex floating": c.default_complex,
                "integral": c.default_int, "indexing": c.default_int}

    def dtypes(self, *, device=None, kind=None) -> dict:
        """The dtypes of a kind (a name of the standard's, or a tuple of them), by name."""
        kinds = kind if isinstance(kind, tuple) else (kind,)
        out = {}
        for k in kinds:
            if k is None:
                found = _KINDS["bool"] + _KINDS["numeric"]
            elif k in _KINDS:
                found = _KINDS[k]
            else:
                raise PlaitValueError(f"unknown dtype kind {k!r}; kinds: " + ", ".join(_KINDS))
            out.update((np.dtype(d).name, np.dtype(d)) for d in found)
        return out


def __array_namespace_info__() -> Info:  # noqa: N807  (the standard's name)
    return Info()
