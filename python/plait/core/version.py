"""plait's version, as installed."""

from __future__ import annotations

import functools
import importlib.metadata


@functools.cache
def version() -> str:
    try:
        return importlib.metadata.version("plait")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
