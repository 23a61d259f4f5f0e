"""Two processes x 4 CPU devices on 127.0.0.1: a sharded training step and a shard_map psum
over a mesh spanning both processes agree with one NumPy/jax computation."""

import json
import os
import socket
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reference():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 8)).astype(np.float32)
    w = rng.normal(size=(8, 6)).astype(np.float32)
    g = jax.grad(lambda w: jnp.mean(jnp.tanh(x @ w) ** 2))(w)
    return {"w": np.asarray(w - 0.1 * g), "colsum": x.sum(0, keepdims=True)}


def test_two_processes_agree_with_one():
    port = _free_port()
    worker = os.path.join(os.path.dirname(__file__), "multiprocess_worker.py")
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    procs = [subprocess.Popen([sys.executable, worker, str(port), str(i)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]
    ref = _reference()
    seen = 0
    for out, _ in outs:
        for line in (ln for ln in out.splitlines() if ln.startswith("{")):  # gloo logs too
            shard = json.loads(line)
            block = ref[shard["name"]][tuple(slice(a, b) for a, b in shard["index"])]
            np.testing.assert_allclose(np.array(shard["values"]).reshape(block.shape), block,
                                       rtol=1e-5, atol=1e-6)
            seen += 1
    assert seen == 2 * (4 + 4)  # each process: its 4 shards of each of the 2 arrays
