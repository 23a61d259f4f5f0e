"""Multi-process plait: `initialize` connects this process to the others through the PJRT
distributed runtime (jax's), after which `jax.devices()` lists every process's devices and a
mesh may span them. Call it before anything touches a device."""

from __future__ import annotations

import jax


def initialize(coordinator_address: str, num_processes: int, process_id: int,
               local_device_ids=None) -> None:
    jax.distributed.initialize(coordinator_address=coordinator_address,
                               num_processes=num_processes, process_id=process_id,
                               local_device_ids=local_device_ids)


def process_index() -> int:
    return jax.process_index()


def process_count() -> int:
    return jax.process_count()
