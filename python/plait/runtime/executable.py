"""Compiling StableHLO through PJRT and running the result on device buffers."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import numpy as np
from jaxlib import _jax
from jaxlib import xla_client as xc

from plait._mlir import ir
from plait.core.aval import ShapedArray, aval_of_type
from plait.core.errors import PlaitValueError
from plait.dialect.callback import CPU_TARGET, HOST_CALLBACKS_ATTR
from plait.runtime import callbacks as _callbacks
from plait.runtime import device as _device
from plait.runtime import disk_cache


class _Loaded:
    """What XLA reports about a loaded executable (`self.loaded`)."""

    def memory_stats(self):
        return self.loaded.get_compiled_memory_stats()

    def hlo_text(self) -> str:
        return self.loaded.hlo_modules()[0].to_string()

    def cost_analysis(self) -> dict:
        return self.loaded.cost_analysis()

    def execute(self, bufs: list) -> list:
        try:
            results = self.loaded.execute_sharded(bufs)
        except _jax.JaxRuntimeError:
            _callbacks.raise_pending()
            raise
        return results.consume_with_handlers(self._handlers)


class Executable(_Loaded):
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
        _device.check_live(bufs)
        return self.execute(list(bufs))


def compile_stablehlo(module: ir.Module, in_avals, out_avals, device=None) -> Executable:
    device = device or _device.default_device()
    loaded = disk_cache.compile_and_load(device.client, module, xc.DeviceList((device,)),
                                         xc.CompileOptions(),
                                         _host_callbacks(module, device.platform))
    return Executable(loaded, in_avals, out_avals, device)


def _host_callbacks(module: ir.Module, platform: str) -> list:
    """What PJRT calls for each callback custom call of the module, by its `index` (on a GPU,
    the calls are retargeted to jaxlib's GPU callback)."""
    attrs = module.operation.attributes
    if HOST_CALLBACKS_ATTR not in attrs:
        return []
    ids = ir.DenseI64ArrayAttr(attrs[HOST_CALLBACKS_ATTR])
    calls = [None] * len(ids)
    target = ir.StringAttr.get(CPU_TARGET.replace("_cpu_", "_gpu_"))

    def visit(op):
        if op.name == "stablehlo.custom_call" and \
                ir.StringAttr(op.attributes["call_target_name"]).value == CPU_TARGET:
            i = ir.IntegerAttr(ir.DictAttr(op.attributes["backend_config"])["index"]).value
            types = [r.type for r in op.results]
            ordered = bool(types) and not isinstance(types[0], ir.RankedTensorType)
            avals = [aval_of_type(t) for t in types[1 if ordered else 0:]]
            calls[i] = _callbacks.host_callback(ids[i], avals, ordered)
            if platform != "cpu":
                op.attributes["call_target_name"] = target
        return ir.WalkResult.ADVANCE
    module.operation.walk(visit)
    return calls


def cost_analysis(module: ir.Module, device=None) -> dict:
    """XLA's cost estimate (flops, bytes accessed, ...) of a StableHLO module as written, before
    XLA optimises it."""
    device = device or _device.default_device()
    computation = _jax.mlir.mlir_module_to_xla_computation(
        module.operation.get_asm(binary=True), use_tuple_args=False, return_tuple=False)
    return _jax.hlo_module_cost_analysis(device.client, computation.get_hlo_module())


class ShardedExecutable(_Loaded):
    """A program partitioned over a mesh by Shardy: global arrays in and out.

    PJRT does not check input shardings (a mismatch crashes the process), so each input is
    compared with the sharding the program was compiled for and resharded if it differs.
    """

    def __init__(self, loaded, in_avals, out_avals, in_shardings, out_shardings):
        self.loaded = loaded
        self.in_avals, self.out_avals = list(in_avals), list(out_avals)
        self.in_shardings, self.out_shardings = list(in_shardings), list(out_shardings)
        self._handlers = [_device.result_handler(a, s) for a, s in zip(out_avals, out_shardings)]

    def __call__(self, bufs: Sequence) -> list:
        _device.check_live(bufs)
        args = []
        for k, (b, s) in enumerate(zip(bufs, self.in_shardings)):
            if not b.sharding.is_equivalent_to(s, len(b.shape)):
                try:
                    b = jax.device_put(b, s)
                except ValueError as e:
                    raise PlaitValueError(
                        f"input {k} is laid out as {b.sharding}, but the program was compiled "
                        f"for {s}, and it cannot be resharded here ({e}); device_put it to "
                        "that sharding first") from None
            args.append(b)
        return self.execute(args)


def compile_sharded(module: ir.Module, mesh, in_avals, out_avals, in_shardings,
                    out_shardings) -> ShardedExecutable:
    """Compile for every device of `mesh` with Shardy (options as jax passes them)."""
    devices = list(mesh.devices.flat)
    opts = xc.CompileOptions()
    opts.num_replicas = 1
    opts.num_partitions = len(devices)
    build = opts.executable_build_options
    build.use_spmd_partitioning = True
    build.use_shardy_partitioner = True
    opts.device_assignment = xc.DeviceAssignment.create(
        np.array([d.id for d in devices], np.int32).reshape(1, len(devices)))
    loaded = disk_cache.compile_and_load(devices[0].client, module, xc.DeviceList(tuple(devices)),
                                         opts, _host_callbacks(module, devices[0].platform))
    return ShardedExecutable(loaded, in_avals, out_avals, in_shardings, out_shardings)
