"""The persistent compilation cache: compiled executables on disk, so that another process
compiling the same program loads it instead (`plait.config.compilation_cache_dir`, or
`PLAIT_COMPILATION_CACHE_DIR`).

An entry is keyed by the StableHLO (as bytecode, locations included), the compile options,
the devices' platform and kind, and the jaxlib and plait versions. Each file holds a checksum
of its payload, checked before the payload reaches PJRT (garbage there could crash the
process); an unreadable, corrupt or stale entry is ignored with a warning and rewritten.
Writers write a temporary file and rename it into place, so concurrent writers are safe."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import warnings

import jaxlib

from plait.core import dtypes
from plait.core.version import version

logger = logging.getLogger("plait")
_MAGIC = b"plait-executable-1\n"
stats = {"hits": 0, "misses": 0, "writes": 0}


def compile_and_load(client, module, device_list, options, host_callbacks=()):
    """`client.compile_and_load(module, device_list, options, host_callbacks)`, through the
    disk cache when one is configured (never for a program calling host callbacks: Python
    functions do not serialize)."""
    directory = dtypes.config.compilation_cache_dir
    if not directory or host_callbacks:
        return client.compile_and_load(module, device_list, options, list(host_callbacks))
    path = os.path.join(directory, _key(client, module, device_list, options) + ".plaitexe")
    loaded = _read(client, path, device_list, options)
    if loaded is not None:
        stats["hits"] += 1
        return loaded
    stats["misses"] += 1
    loaded = client.compile_and_load(module, device_list, options)
    _write(directory, path, client.serialize_executable(loaded))
    return loaded


def _key(client, module, device_list, options) -> str:
    h = hashlib.sha256()
    ir_bytes = io.BytesIO()
    module.operation.write_bytecode(ir_bytes)
    for part in (ir_bytes.getvalue(), options.SerializeAsString(),
                 client.platform.encode(), client.platform_version.encode(),
                 "|".join(d.device_kind for d in device_list).encode(),
                 jaxlib.__version__.encode(), version().encode(),
                 os.environ.get("XLA_FLAGS", "").encode()):
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _read(client, path: str, device_list, options):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except (FileNotFoundError, NotADirectoryError):  # no entry yet
        return None
    except OSError as e:
        return _ignore(path, f"unreadable ({e})")
    head = len(_MAGIC) + 32
    if not data.startswith(_MAGIC) or hashlib.sha256(data[head:]).digest() != data[len(_MAGIC):head]:
        return _ignore(path, "corrupt (its checksum does not match)")
    try:
        return client.deserialize_executable(data[head:], device_list, options)
    except Exception as e:  # a stale entry that PJRT refuses
        return _ignore(path, f"not loadable ({type(e).__name__}: {e})")


def _ignore(path: str, why: str):
    warnings.warn(f"plait: ignoring the compilation cache entry {path}: {why}", stacklevel=4)
    return None


def _write(directory: str, path: str, payload: bytes) -> None:
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)  # atomic: a reader sees the old entry or the whole new one
        stats["writes"] += 1
    except OSError as e:
        warnings.warn(f"plait: cannot write the compilation cache entry {path}: {e}",
                      stacklevel=4)
