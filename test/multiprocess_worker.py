"""One process of test_distributed.py: 4 local CPU devices, a mesh over both processes."""

import json
import os
import sys

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"

import numpy as np  # noqa: E402

import plait  # noqa: E402

port, pid = sys.argv[1], int(sys.argv[2])
plait.distributed.initialize(f"127.0.0.1:{port}", 2, pid)

import jax  # noqa: E402

import plait.numpy as pnp  # noqa: E402
from plait import lax  # noqa: E402
from plait.sharding import Mesh, NamedSharding  # noqa: E402
from plait.sharding import PartitionSpec as P  # noqa: E402

devices = np.array(jax.devices()).reshape(4, 2)
mesh = Mesh(devices, ("data", "model"))
rng = np.random.default_rng(0)
x = rng.normal(size=(16, 8)).astype(np.float32)
w = rng.normal(size=(8, 6)).astype(np.float32)


def loss(w, x):
    return pnp.mean(pnp.tanh(x @ w) ** 2)


step = plait.jit(lambda w, x: w - 0.1 * plait.grad(loss)(w, x),
                 in_shardings=(NamedSharding(mesh, P(None, "model")), NamedSharding(mesh, P("data"))),
                 out_shardings=NamedSharding(mesh, P(None, "model")))
new_w = step(w, x)
colsum = plait.shard_map(lambda a: lax.psum(a.sum(0, keepdims=True), "data"), mesh,
                         in_specs=P("data", None), out_specs=P(None, None))(x)
for name, arr in (("w", new_w), ("colsum", colsum)):
    for shard in arr.addressable_shards:
        index = [[s.start or 0, s.stop if s.stop is not None else n]
                 for s, n in zip(shard.index, arr.shape)]
        print(json.dumps({"name": name, "index": index,
                          "values": np.asarray(shard.data).ravel().tolist()}), flush=True)
