"""Compiling StableHLO through PJRT and running the result on device buffers."""

from __future__ import annotations

from collections.abc import Sequence

from jaxlib import xla_client as xc
from plait._mlir import ir
from plait.core.aval import ShapedArray
from plait.runtime import device as _device


class Executable:
    """A loaded PJRT executable on one device: flat buffers in, flat buffers out."""

    def __init__(self, loaded, in_avals: Sequence[ShapedArray], out_avals: Sequence[ShapedArray],
                 device):
        self.loaded = loaded
        self.in_avals = list(in_avals)
        self.out_avals = list(out_avals)
        self.device = device
        self.sharding = _device.single_device_sharding(device)
        self._handlers = [_device.result_handler(a, self.sharding) for a in out_avals]

    def __call__(self, bufs: Sequence) -> list:
        return self.loaded.execute_sharded(list(bufs)).consume_with_handlers(self._handlers)

    def memory_stats(self):
        return self.loaded.get_compiled_memory_stats()

    def hlo_text(self) -> str:
        return self.loaded.hlo_modules()[0].to_string()


def compile_stablehlo(module: ir.Module, in_avals, out_avals, device=None) -> Executable:
    device = device or _device.default_device()
    loaded = device.client.compile_and_load(module, xc.DeviceList((device,)), xc.CompileOptions())
    return Executable(loaded, in_avals, out_avals, device)
