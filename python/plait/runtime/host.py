"""The devices PJRT gives plait, and getting results back to the host (jax's API)."""

from __future__ import annotations

import jax
import numpy as np

from plait.core import pytree
from plait.runtime.array import Array
from plait.runtime.device import is_jax_array


def devices(backend: str | None = None) -> list:
    """Every device of the backend, across processes."""
    return jax.devices(backend)


def local_devices(process_index: int | None = None, backend: str | None = None) -> list:
    """The devices this process (or `process_index`) drives."""
    return jax.local_devices(process_index, backend)


def device_count(backend: str | None = None) -> int:
    return jax.device_count(backend)


def local_device_count(backend: str | None = None) -> int:
    return jax.local_device_count(backend)


def default_backend() -> str:
    """The platform plait compiles for by default: "cpu", "gpu" or "tpu"."""
    return jax.default_backend()


def _is_device_array(x) -> bool:
    return type(x) is Array or is_jax_array(x)


def device_get(tree):
    """Each array of a pytree as a NumPy array on the host (other leaves as they are)."""
    return pytree.tree_map(lambda x: np.asarray(x) if _is_device_array(x) else x, tree)


def block_until_ready(tree):
    """Wait until every array of a pytree is computed; returns the pytree."""
    for x in pytree.tree_leaves(tree):
        if _is_device_array(x):
            x.block_until_ready()
    return tree
