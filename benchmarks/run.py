"""plait vs jax, side by side in one process. Prints a markdown table of plait/jax ratios.

    python benchmarks/run.py            # everything (a few minutes on 2 CPU cores)
    python benchmarks/run.py dispatch   # only rows whose name contains "dispatch"

Each row times the same work in both libraries, alternating between them; the figure is the
median over repeats (minimum for microsecond dispatch loops). Lower ratio is better for plait.
"""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import jax.scipy.linalg  # noqa: E402
import numpy as np  # noqa: E402

import plait  # noqa: E402
import plait.numpy as pnp  # noqa: E402
import plait.random as pr  # noqa: E402
import plait.scipy  # noqa: E402
from plait import lax  # noqa: E402

ROWS: list = []


def bench(name, goal=None, devices=1):
    def deco(fn):
        ROWS.append((name, goal, devices, fn))
        return fn
    return deco


def per_call(fn, number: int, repeat: int = 7) -> float:
    """Minimum over repeats of the mean time per call, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t) / number)
    return best


def alternate(fa, fb, repeat: int = 5):
    """Median wall time of fa and fb (each called once per repeat, alternating)."""
    ta, tb = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        fa()
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        fb()
        tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def block(tree):
    for leaf in jax.tree_util.tree_leaves(tree):
        leaf.block_until_ready()
    return tree


# --- models ----------------------------------------------------------------------------------

def mlp_fn(np_mod, depth):
    def f(params, x):
        for w, b in params:
            x = np_mod.tanh(x @ w + b)
        return x
    return f


def mlp_loss(np_mod, depth):
    f = mlp_fn(np_mod, depth)

    def loss(params, batch):
        x, y = batch
        return np_mod.mean((f(params, x) - y) ** 2)
    return loss


def mlp_params(depth, width=64, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(scale=width ** -0.5, size=(width, width)).astype(np.float32),
             np.zeros(width, np.float32)) for _ in range(depth)]


def batch(seed=0, n=32, width=64):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, width)).astype(np.float32),
            rng.normal(size=(n, width)).astype(np.float32))


# --- spine ------------------------------------------------------------------------------------

@bench("jit dispatch, tiny function (µs)", 1.0)
def _dispatch_tiny():
    pf, jf = plait.jit(lambda x: x + 1), jax.jit(lambda x: x + 1)
    xp, xj = pnp.asarray(np.ones(8, np.float32)), jnp.ones(8, np.float32)
    block(pf(xp))
    block(jf(xj))
    tp = per_call(lambda: pf(xp), 5000)
    tj = per_call(lambda: jf(xj), 5000)
    return tp * 1e6, tj * 1e6


@bench("jit dispatch, 20-array dict argument (µs)", 1.0)
def _dispatch_dict():
    def f(d):
        return sum(d.values())
    pf, jf = plait.jit(f), jax.jit(f)
    dp = {f"a{i}": pnp.asarray(np.full(4, i, np.float32)) for i in range(20)}
    dj = {f"a{i}": jnp.full(4, i, np.float32) for i in range(20)}
    block(pf(dp))
    block(jf(dj))
    return per_call(lambda: pf(dp), 3000) * 1e6, per_call(lambda: jf(dj), 3000) * 1e6


@bench("eager elementwise x + y (µs)", 1.0)
def _eager_add():
    xp = pnp.asarray(np.ones(8, np.float32))
    xj = jnp.ones(8, np.float32)
    block(xp + xp)
    block(xj + xj)
    return per_call(lambda: xp + xp, 5000) * 1e6, per_call(lambda: xj + xj, 5000) * 1e6


def _trace_lower(depth, make_p, make_j, args):
    """Time tracing + lowering to StableHLO (no XLA compile) of a fresh function each time."""
    tp, tj = alternate(lambda: plait.jit(make_p()).lower(*args),
                       lambda: jax.jit(make_j()).lower(*args), repeat=7)
    return tp * 1e3, tj * 1e3


@bench("trace+lower, 3-layer MLP forward (ms)", 1.0)
def _tl3():
    return _trace_lower(3, lambda: mlp_fn(pnp, 3), lambda: mlp_fn(jnp, 3),
                        (mlp_params(3), batch()[0]))


@bench("trace+lower, 50-layer MLP forward (ms)", 1.0)
def _tl50():
    return _trace_lower(50, lambda: mlp_fn(pnp, 50), lambda: mlp_fn(jnp, 50),
                        (mlp_params(50), batch()[0]))


def _on_device(args, module):
    return jax.tree_util.tree_map(module.asarray, args)


def _compile_and_run(make_p, make_j, args):
    """XLA compile time (a fresh lowering each repeat) and the run time of the compiled
    program through each library's jit, on device-resident arguments."""
    lowered_p = [plait.jit(make_p()).lower(*args) for _ in range(3)]
    lowered_j = [jax.jit(make_j()).lower(*args) for _ in range(3)]
    tp, tj = alternate(lambda: lowered_p.pop().compile(), lambda: lowered_j.pop().compile(),
                       repeat=3)
    fp, fj = plait.jit(make_p()), jax.jit(make_j())
    ap, aj = _on_device(args, pnp), _on_device(args, jnp)
    block(fp(*ap))
    block(fj(*aj))
    rp = per_call(lambda: block(fp(*ap)), 50)
    rj = per_call(lambda: block(fj(*aj)), 50)
    compiled = (plait.jit(make_p()).lower(*args).compile(),
                jax.jit(make_j()).lower(*args).compile())
    return (tp * 1e3, tj * 1e3), (rp * 1e6, rj * 1e6), compiled


_CACHE: dict = {}


def _mlp50_forward():
    if "fwd" not in _CACHE:
        _CACHE["fwd"] = _compile_and_run(lambda: mlp_fn(pnp, 50), lambda: mlp_fn(jnp, 50),
                                         (mlp_params(50), batch()[0]))
    return _CACHE["fwd"]


@bench("XLA compile, 50-layer MLP forward (ms)", 1.0)
def _compile50():
    return _mlp50_forward()[0]


@bench("run, 50-layer MLP forward, batch 32 (µs)", 1.0)
def _run50():
    return _mlp50_forward()[1]


# --- autodiff ----------------------------------------------------------------------------------

@bench("trace+transform+lower, grad of 3-layer MLP (ms)", 0.5)
def _tl_grad3():
    return _trace_lower(3, lambda: plait.grad(mlp_loss(pnp, 3)),
                        lambda: jax.grad(mlp_loss(jnp, 3)), (mlp_params(3), batch()))


@bench("trace+transform+lower, grad of 50-layer MLP (ms)", 0.5)
def _tl_grad50():
    return _trace_lower(50, lambda: plait.grad(mlp_loss(pnp, 50)),
                        lambda: jax.grad(mlp_loss(jnp, 50)), (mlp_params(50), batch()))


def _many_grads(np_mod, ad_mod, n):
    """One program of n grad calls, each of its own function: sum_i grad(f_i)(x)."""
    fs = [(lambda k: lambda x: np_mod.sum(np_mod.sin(x) * k))(float(i + 1)) for i in range(n)]
    return lambda x: sum(ad_mod.grad(f)(x) for f in fs)


@bench("trace+transform+lower, 800 grad calls in one program (ms)", 1.0)
def _tl_many_grads():
    # generated functions are named and found through a symbol table: linear in their number
    return _trace_lower(800, lambda: _many_grads(pnp, plait, 800),
                        lambda: _many_grads(jnp, jax, 800), (np.ones(4, np.float32),))


def _grad50():
    if "grad" not in _CACHE:
        _CACHE["grad"] = _compile_and_run(lambda: plait.grad(mlp_loss(pnp, 50)),
                                          lambda: jax.grad(mlp_loss(jnp, 50)),
                                          (mlp_params(50), batch()))
    return _CACHE["grad"]


@bench("XLA compile, grad of 50-layer MLP (ms)", 1.0)
def _compile_grad50():
    return _grad50()[0]


@bench("run, grad of 50-layer MLP (µs)", 1.0)
def _run_grad50():
    return _grad50()[1]


def _peak_kib(compiled):
    stats = compiled.memory_analysis()
    return (stats.temp_size_in_bytes + stats.argument_size_in_bytes
            + stats.output_size_in_bytes - stats.alias_size_in_bytes) / 1024


@bench("compiled peak memory, grad of 50-layer MLP (KiB)", 1.0)
def _mem_grad50():
    cp, cj = _grad50()[2]
    return _peak_kib(cp), _peak_kib(cj)


def transformer_step(np_mod, ad_mod, heads=4):
    """One SGD step of a pre-norm transformer encoder (multi-head attention, GELU-free MLP)."""
    def norm(x):
        mu = np_mod.mean(x, axis=-1, keepdims=True)
        return (x - mu) / np_mod.sqrt(np_mod.mean((x - mu) ** 2, axis=-1, keepdims=True) + 1e-5)

    def split(t):  # (b, s, d) -> (b, h, s, d / h)
        b, s, d = t.shape
        return t.reshape(b, s, heads, d // heads).transpose(0, 2, 1, 3)

    def loss(params, x, y):
        for p in params:
            h = norm(x)
            q, k, v = (split(h @ p[w]) for w in ("wq", "wk", "wv"))
            s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])
            a = np_mod.exp(s - np_mod.max(s, axis=-1, keepdims=True))
            a = a / np_mod.sum(a, axis=-1, keepdims=True)
            o = (a @ v).transpose(0, 2, 1, 3).reshape(x.shape)
            x = x + o @ p["wo"]
            x = x + np_mod.tanh(norm(x) @ p["w1"]) @ p["w2"]
        return np_mod.mean((x - y) ** 2)

    def step(params, x, y):
        grads = ad_mod.grad(loss)(params, x, y)
        return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads)
    return step


def transformer_args(layers=12, width=64, batch=8, seq=32, seed=0):
    rng = np.random.default_rng(seed)
    w = lambda m, n: rng.normal(scale=m ** -0.5, size=(m, n)).astype(np.float32)
    params = [{"wq": w(width, width), "wk": w(width, width), "wv": w(width, width),
               "wo": w(width, width), "w1": w(width, 4 * width), "w2": w(4 * width, width)}
              for _ in range(layers)]
    x = rng.normal(size=(batch, seq, width)).astype(np.float32)
    return params, x, np.roll(x, 1, axis=1)


@bench("compiled peak memory, 12-layer transformer training step (KiB)", 1.0)
def _mem_transformer():
    args = transformer_args()
    return (_peak_kib(plait.jit(transformer_step(pnp, plait)).lower(*args).compile()),
            _peak_kib(jax.jit(transformer_step(jnp, jax)).lower(*args).compile()))


def cnn_step(np_mod, lax_mod, ad_mod):
    """One SGD step of a small ResNet (NHWC): a stem convolution, two residual blocks of two
    3x3 convolutions, a strided convolution, max pooling, global average pooling, a dense
    classifier and softmax cross-entropy."""
    def conv(x, w, stride=1):
        return lax_mod.conv_general_dilated(x, w, (stride, stride), "SAME",
                                            dimension_numbers=("NHWC", "HWIO", "NHWC"))

    def loss(params, x, y):
        h = np_mod.maximum(conv(x, params["stem"]), 0.0)
        for w1, w2 in params["blocks"]:
            h = np_mod.maximum(h + conv(np_mod.maximum(conv(h, w1), 0.0), w2), 0.0)
        h = np_mod.maximum(conv(h, params["down"], 2), 0.0)
        h = lax_mod.reduce_window(h, -np.inf, lax_mod.max, (1, 3, 3, 1), (1, 2, 2, 1), "SAME")
        logits = np_mod.mean(h, axis=(1, 2)) @ params["dense"]
        logp = logits - np_mod.log(np_mod.sum(np_mod.exp(logits), axis=1, keepdims=True))
        return -np_mod.mean(np_mod.sum(logp * y, axis=1))

    def step(params, x, y):
        grads = ad_mod.grad(loss)(params, x, y)
        return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads)
    return step


def cnn_args(batch=64, size=32, width=16, classes=10, seed=0):
    rng = np.random.default_rng(seed)
    w = lambda *s: rng.normal(scale=(2 / np.prod(s[:-1])) ** 0.5, size=s).astype(np.float32)
    params = {"stem": w(3, 3, 3, width),
              "blocks": [(w(3, 3, width, width), w(3, 3, width, width)) for _ in range(2)],
              "down": w(3, 3, width, 2 * width), "dense": w(2 * width, classes)}
    x = rng.normal(size=(batch, size, size, 3)).astype(np.float32)
    y = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, batch)]
    return params, x, y


@bench("trace+transform+lower, ResNet CNN training step (ms)", 0.5)
def _tl_cnn():
    return _trace_lower(0, lambda: cnn_step(pnp, lax, plait),
                        lambda: cnn_step(jnp, jax.lax, jax), cnn_args())


def _cnn():
    """Compile time, run time (a few calls: a step takes tens of ms) and the compiled
    programs of the CNN training step."""
    if "cnn" not in _CACHE:
        args = cnn_args()
        make_p, make_j = lambda: cnn_step(pnp, lax, plait), lambda: cnn_step(jnp, jax.lax, jax)
        lowered_p = [plait.jit(make_p()).lower(*args) for _ in range(3)]
        lowered_j = [jax.jit(make_j()).lower(*args) for _ in range(3)]
        tp, tj = alternate(lambda: lowered_p.pop().compile(),
                           lambda: lowered_j.pop().compile(), repeat=3)
        fp, fj = plait.jit(make_p()), jax.jit(make_j())
        ap, aj = _on_device(args, pnp), _on_device(args, jnp)
        block(fp(*ap))
        block(fj(*aj))
        rp, rj = alternate(lambda: block(fp(*ap)), lambda: block(fj(*aj)), repeat=9)
        compiled = (plait.jit(make_p()).lower(*args).compile(),
                    jax.jit(make_j()).lower(*args).compile())
        _CACHE["cnn"] = (tp * 1e3, tj * 1e3), (rp * 1e3, rj * 1e3), compiled
    return _CACHE["cnn"]


@bench("XLA compile, ResNet CNN training step (ms)", 1.0)
def _compile_cnn():
    return _cnn()[0]


@bench("run, ResNet CNN training step, 32x32 batch 64 (ms)", 1.0)
def _run_cnn():
    return _cnn()[1]


@bench("compiled peak memory, ResNet CNN training step (KiB)", 1.0)
def _mem_cnn():
    cp, cj = _cnn()[2]
    return _peak_kib(cp), _peak_kib(cj)


@bench("eager training step grad(lambda p: loss(p, batch)) (ms)", 0.2)
def _eager_loop():
    lp, lj = mlp_loss(pnp, 3), mlp_loss(jnp, 3)
    params_p = jax.tree_util.tree_map(pnp.asarray, mlp_params(3))
    params_j = jax.tree_util.tree_map(jnp.asarray, mlp_params(3))
    batches = [batch(seed) for seed in range(20)]

    def step_p(i):
        b = jax.tree_util.tree_map(pnp.asarray, batches[i % 20])
        return block(plait.grad(lambda p: lp(p, b))(params_p))

    def step_j(i):
        b = jax.tree_util.tree_map(jnp.asarray, batches[i % 20])
        return block(jax.grad(lambda p: lj(p, b))(params_j))

    step_p(0)
    step_j(0)
    counter = iter(range(10 ** 9))
    tp = per_call(lambda: step_p(next(counter)), 20, repeat=3)
    tj = per_call(lambda: step_j(next(counter)), 5, repeat=3)
    return tp * 1e3, tj * 1e3


# --- batching ----------------------------------------------------------------------------------

def _per_example(np_mod, ad_mod, vmap):
    loss = mlp_loss(np_mod, 3)

    def f(params, xs, ys):
        return vmap(ad_mod.grad(lambda p, x, y: loss(p, (x[None], y[None]))),
                    in_axes=(None, 0, 0))(params, xs, ys)
    return f


@bench("trace+transform+lower, vmap(grad) per-example MLP gradients (ms)", 0.5)
def _tl_vmap_grad():
    x, y = batch()
    return _trace_lower(3, lambda: _per_example(pnp, plait, plait.vmap),
                        lambda: _per_example(jnp, jax, jax.vmap), (mlp_params(3), x, y))


@bench("run, vmap(grad) per-example MLP gradients (µs)", 1.0)
def _run_vmap_grad():
    x, y = batch()
    return _compile_and_run(lambda: _per_example(pnp, plait, plait.vmap),
                            lambda: _per_example(jnp, jax, jax.vmap), (mlp_params(3), x, y))[1]


# --- control flow ----------------------------------------------------------------------------

def _rnn(np_mod, lax_mod):
    def loss(w, h, xs):
        def cell(h, x):
            h = np_mod.tanh(h @ w + x)
            return h, h
        _, hs = lax_mod.scan(cell, h, xs)
        return np_mod.sum(hs ** 2)
    return loss


def _rnn_args():
    rng = np.random.default_rng(0)
    return (rng.normal(scale=0.1, size=(32, 32)).astype(np.float32), np.zeros((8, 32), np.float32),
            rng.normal(size=(50, 8, 32)).astype(np.float32))


@bench("trace+transform+lower, grad of a 50-step scan RNN (ms)", 1.0)
def _tl_scan():
    return _trace_lower(0, lambda: plait.grad(_rnn(pnp, lax)),
                        lambda: jax.grad(_rnn(jnp, jax.lax)), _rnn_args())


@bench("run, grad of a 50-step scan RNN (µs)", 1.0)
def _run_scan():
    return _compile_and_run(lambda: plait.grad(_rnn(pnp, lax)),
                            lambda: jax.grad(_rnn(jnp, jax.lax)), _rnn_args())[1]


def _vmapped_while(np_mod, lax_mod, vmap):
    def newton(a):
        def body(c):
            x, i = c
            return x - (x * x - a) / (2 * x), i + 1
        return lax_mod.while_loop(lambda c: np_mod.abs(c[0] * c[0] - a) > 1e-4 * a, body,
                                  (a, 0))[0]
    return vmap(newton)


def _while_args():
    return (np.linspace(1.0, 1000.0, 256).astype(np.float32),)


@bench("trace+transform+lower, vmap of a while_loop (ms)", 1.0)
def _tl_while():
    return _trace_lower(0, lambda: _vmapped_while(pnp, lax, plait.vmap),
                        lambda: _vmapped_while(jnp, jax.lax, jax.vmap), _while_args())


@bench("run, vmap of a while_loop (µs)", 1.0)
def _run_while():
    return _compile_and_run(lambda: _vmapped_while(pnp, lax, plait.vmap),
                            lambda: _vmapped_while(jnp, jax.lax, jax.vmap), _while_args())[1]


# --- linear algebra ------------------------------------------------------------------------------

def _run_only(make_p, make_j, args, number=5):
    """Run time (ms) of one compiled program through each library's jit (heavy kernels: a few
    calls per repeat)."""
    fp, fj = plait.jit(make_p()), jax.jit(make_j())
    ap, aj = _on_device(args, pnp), _on_device(args, jnp)
    block(fp(*ap))
    block(fj(*aj))
    rp = per_call(lambda: block(fp(*ap)), number, repeat=3)
    rj = per_call(lambda: block(fj(*aj)), number, repeat=3)
    return rp * 1e3, rj * 1e3


def _gp_step(np_mod, ad_mod, linalg):
    """One gradient step on the negative log marginal likelihood of a GP with an RBF kernel:
    Cholesky, two triangular solves, log det, and their reverse-mode derivatives."""
    def nll(theta, x, y):
        lengthscale, signal, noise = np_mod.exp(theta[0]), np_mod.exp(theta[1]), \
            np_mod.exp(theta[2])
        d2 = np_mod.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1)
        k = signal * np_mod.exp(-0.5 * d2 / lengthscale ** 2) + noise * np_mod.eye(x.shape[0])
        c = linalg.cho_factor(k, lower=True)
        alpha = linalg.cho_solve(c, y)
        return 0.5 * y @ alpha + np_mod.sum(np_mod.log(np_mod.diagonal(c[0])))

    def step(theta, x, y):
        value, g = ad_mod.value_and_grad(nll)(theta, x, y)
        return theta - 1e-3 * g, value
    return step


def _gp_args(n=1024, d=3):
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, size=(n, d)).astype(np.float32)
    y = (np.sin(x).sum(-1) + 0.1 * rng.normal(size=n)).astype(np.float32)
    return np.array([0.0, 0.0, np.log(0.1)], np.float32), x, y


@bench("run, GP regression step: grad of the marginal likelihood, n=1024 (ms)", 1.0)
def _run_gp():
    return _run_only(lambda: _gp_step(pnp, plait, plait.scipy.linalg),
                     lambda: _gp_step(jnp, jax, jax.scipy.linalg), _gp_args())


def _eigh_args(batch=256, n=64):
    a = np.random.default_rng(0).normal(size=(batch, n, n)).astype(np.float32)
    return (a + np.swapaxes(a, -1, -2),)


@bench("run, batched eigh of 256 64×64 matrices (ms)", 1.0)
def _run_eigh():
    return _run_only(lambda: pnp.linalg.eigh, lambda: jnp.linalg.eigh, _eigh_args())


# --- sharding (8 simulated CPU devices) ----------------------------------------------------------

def _sharded_step(mesh_shape, axes, param_spec, batch_spec):
    from jax.sharding import Mesh, NamedSharding
    from jax.sharding import PartitionSpec as P

    mesh = Mesh(np.array(jax.devices()[:8]).reshape(mesh_shape), axes)
    shard = lambda spec: NamedSharding(mesh, spec)
    depth = 3
    params = mlp_params(depth, width=256)
    data = batch(n=256, width=256)
    bias_spec = P(param_spec[-1]) if len(param_spec) else P()
    p_sh = [(shard(param_spec), shard(bias_spec)) for _ in range(depth)]
    b_sh = (shard(batch_spec), shard(batch_spec))

    def step(np_mod, ad_mod):
        loss = mlp_loss(np_mod, depth)

        def f(params, b):
            g = ad_mod.grad(loss)(params, b)
            return jax.tree_util.tree_map(lambda p, d: p - 0.01 * d, params, g)
        return f

    fp = plait.jit(step(pnp, plait), in_shardings=(p_sh, b_sh), out_shardings=p_sh)
    fj = jax.jit(step(jnp, jax), in_shardings=(p_sh, b_sh), out_shardings=p_sh)
    ap = (jax.tree_util.tree_map(lambda x, s: plait.device_put(x, s), params, p_sh),
          jax.tree_util.tree_map(lambda x, s: plait.device_put(x, s), data, b_sh))
    aj = (jax.device_put(params, p_sh), jax.device_put(data, b_sh))
    block(fp(*ap))
    block(fj(*aj))
    rp = per_call(lambda: block(fp(*ap)), 20)
    rj = per_call(lambda: block(fj(*aj)), 20)
    hp = fp.lower(*ap).compile().as_text()
    hj = fj.lower(*aj).compile().as_text()
    return (rp * 1e6, rj * 1e6), (_collectives(hp), _collectives(hj))


def _collectives(hlo: str) -> int:
    return len(re.findall(r" (?:all-reduce|all-gather|reduce-scatter|collective-permute|"
                          r"all-to-all)(?:-start)?\(", hlo))


@bench("run, data-parallel MLP training step on 8 devices (µs)", 1.0, devices=8)
def _dp_run():
    from jax.sharding import PartitionSpec as P

    _CACHE["dp"] = _sharded_step((8,), ("data",), P(), P("data"))
    return _CACHE["dp"][0]


@bench("collectives in compiled HLO, data-parallel step (count)", 1.0, devices=8)
def _dp_coll():
    from jax.sharding import PartitionSpec as P

    if "dp" not in _CACHE:
        _CACHE["dp"] = _sharded_step((8,), ("data",), P(), P("data"))
    return _CACHE["dp"][1]


@bench("run, 2-D (data x model) MLP training step on 8 devices (µs)", 1.0, devices=8)
def _2d_run():
    from jax.sharding import PartitionSpec as P

    _CACHE["2d"] = _sharded_step((4, 2), ("data", "model"), P(None, "model"), P("data"))
    return _CACHE["2d"][0]


@bench("collectives in compiled HLO, 2-D step (count)", 1.0, devices=8)
def _2d_coll():
    from jax.sharding import PartitionSpec as P

    if "2d" not in _CACHE:
        _CACHE["2d"] = _sharded_step((4, 2), ("data", "model"), P(None, "model"), P("data"))
    return _CACHE["2d"][1]


# --- the persistent compilation cache: time to first result in a fresh process ---------------

_FIRST_RESULT = """
import os, sys, time
import numpy as np
sys.path.insert(0, {bench_dir!r})
from run import batch, mlp_loss, mlp_params
lib, cache = sys.argv[1], sys.argv[2]
if lib == "plait":
    import plait, plait.numpy as pnp
    plait.config.compilation_cache_dir = cache
    grad, np_mod = plait.grad, pnp
else:
    import jax, jax.numpy as jnp
    jax.config.update("jax_compilation_cache_dir", cache)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    grad, np_mod = jax.grad, jnp
mod = plait if lib == "plait" else jax
args = (mlp_params(50), batch())
t = time.perf_counter()
out = mod.jit(grad(mlp_loss(np_mod, 50)))(*args)
mod.block_until_ready(out)
print(time.perf_counter() - t)
"""


def _first_results():
    """Seconds to the first result of jit(grad(50-layer MLP)) in fresh processes: with an
    empty cache directory, then with the one the first process filled."""
    if "first" not in _CACHE:
        script = _FIRST_RESULT.format(bench_dir=os.path.dirname(os.path.abspath(__file__)))
        times = {}
        for lib in ("plait", "jax"):
            with tempfile.TemporaryDirectory() as cache:
                times[lib] = [float(subprocess.run(
                    [sys.executable, "-c", script, lib, cache], check=True,
                    capture_output=True, text=True).stdout) for _ in range(2)]
        _CACHE["first"] = times
    return _CACHE["first"]


@bench("time to first result, grad of 50-layer MLP, fresh process, empty disk cache (ms)", 1.0)
def _first_cold():
    t = _first_results()
    return t["plait"][0] * 1e3, t["jax"][0] * 1e3


@bench("time to first result, same, second process (warm disk cache) (ms)", 1.0)
def _first_warm():
    t = _first_results()
    return t["plait"][1] * 1e3, t["jax"][1] * 1e3


# --- random numbers ----------------------------------------------------------------------------

def _random_run(fp, fj):
    """Run time of a compiled sampler through each library's jit, keys as arguments."""
    pf, jf = plait.jit(fp), jax.jit(fj)
    kp, kj = pr.key(0), jax.random.key(0)
    block(pf(kp))
    block(jf(kj))
    tp, tj = alternate(lambda: block(pf(kp)), lambda: block(jf(kj)), repeat=7)
    return tp * 1e3, tj * 1e3


@bench("run, random.normal(key, (4096, 4096)) (ms)", 1.0)
def _random_normal():
    return _random_run(lambda k: pr.normal(k, (4096, 4096)),
                       lambda k: jax.random.normal(k, (4096, 4096)))


@bench("run, random.split(key, 10000) (ms)", 1.0)
def _random_split():
    return _random_run(lambda k: pr.key_data(pr.split(k, 10000)),
                       lambda k: jax.random.key_data(jax.random.split(k, 10000)))


def _dropout_step(np_mod, ad_mod, random):
    """An SGD step of a 3-layer MLP with dropout (rate 0.5) after each layer: bernoulli masks
    drawn from a key split per layer, in the forward and backward pass."""
    def loss(params, batch, key):
        x, y = batch
        for k, (w, b) in zip(random.split(key, len(params)), params):
            x = np_mod.tanh(x @ w + b)
            x = np_mod.where(random.bernoulli(k, 0.5, x.shape), x / 0.5, 0.0)
        return np_mod.mean((x - y) ** 2)

    def step(params, batch, key):
        grads = ad_mod.grad(loss)(params, batch, key)
        return jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads)
    return step


@bench("run, dropout training step: 3-layer MLP, batch 256, width 256 (ms)", 1.0)
def _dropout():
    args = (mlp_params(3, width=256), batch(n=256, width=256))
    fp, fj = plait.jit(_dropout_step(pnp, plait, pr)), jax.jit(_dropout_step(jnp, jax, jax.random))
    ap, aj = _on_device(args, pnp), _on_device(args, jnp)
    kp, kj = pr.key(0), jax.random.key(0)
    block(fp(*ap, kp))
    block(fj(*aj, kj))
    tp, tj = alternate(lambda: per_call(lambda: block(fp(*ap, kp)), 20),
                       lambda: per_call(lambda: block(fj(*aj, kj)), 20), repeat=5)
    return tp * 1e3, tj * 1e3


# --- sorting ---------------------------------------------------------------------------------

def _million():
    return (np.random.default_rng(0).normal(size=1_000_000).astype(np.float32),)


@bench("run, sort of 1M float32 (ms)", 1.0)
def _run_sort():
    return _run_only(lambda: lax.sort, lambda: jax.lax.sort, _million())


@bench("run, top_k(k=100) of 1M float32 (ms)", 1.0)
def _run_top_k():
    return _run_only(lambda: lambda x: lax.top_k(x, 100), lambda: lambda x: jax.lax.top_k(x, 100),
                     _million())


# --- plait.numpy ----------------------------------------------------------------------------

def _eager_and_jit(fp, fj, args, number=3):
    """(eager, jitted) run times (ms) of a NumPy-style function on device arrays."""
    ap, aj = _on_device(args, pnp), _on_device(args, jnp)
    jp, jj = plait.jit(fp), jax.jit(fj)
    out = []
    for p_fn, j_fn in ((fp, fj), (jp, jj)):
        block(p_fn(*ap))
        block(j_fn(*aj))
        tp, tj = alternate(lambda p_fn=p_fn: per_call(lambda: block(p_fn(*ap)), number, 1),
                           lambda j_fn=j_fn: per_call(lambda: block(j_fn(*aj)), number, 1),
                           repeat=3)
        out.append((tp * 1e3, tj * 1e3))
    return out


def _numpy_rows(name, fp, fj):
    _CACHE.setdefault(name, None)
    if _CACHE[name] is None:
        _CACHE[name] = _eager_and_jit(fp, fj, _million())
    return _CACHE[name]


@bench("numpy: sort of 1M float32, eager (ms)", 1.0)
def _np_sort_eager():
    return _numpy_rows("np_sort", pnp.sort, jnp.sort)[0]


@bench("numpy: sort of 1M float32, jit (ms)", 1.0)
def _np_sort_jit():
    return _numpy_rows("np_sort", pnp.sort, jnp.sort)[1]


@bench("numpy: median of 1M float32, eager (ms)", 1.0)
def _np_median_eager():
    return _numpy_rows("np_median", pnp.median, jnp.median)[0]


@bench("numpy: median of 1M float32, jit (ms)", 1.0)
def _np_median_jit():
    return _numpy_rows("np_median", pnp.median, jnp.median)[1]


def _unique(np_mod):
    return lambda x: np_mod.unique(np_mod.round(x * 100), size=1000, fill_value=0.0)


@bench("numpy: unique(size=1000) of 1M float32, eager (ms)", 1.0)
def _np_unique_eager():
    return _numpy_rows("np_unique", _unique(pnp), _unique(jnp))[0]


@bench("numpy: unique(size=1000) of 1M float32, jit (ms)", 1.0)
def _np_unique_jit():
    return _numpy_rows("np_unique", _unique(pnp), _unique(jnp))[1]


def _script(np_mod, x, y):
    """20 NumPy calls, as a user would type them at a prompt."""
    a = np_mod.sin(x) + np_mod.cos(y)
    b = np_mod.exp(-a * a) / (1 + np_mod.abs(y))
    c = np_mod.where(b > 0.5, b, -b)
    d = np_mod.sqrt(np_mod.abs(c)) * np_mod.tanh(x)
    e = np_mod.maximum(d, 0.1) - np_mod.minimum(a, 0.2)
    f = np_mod.log1p(np_mod.abs(e)) @ np_mod.transpose(x)
    return np_mod.mean(f, axis=0) + np_mod.std(e)


@bench("numpy: a 20-call NumPy script on 64x64 arrays, eager (µs)", 1.0)
def _np_script():
    rng = np.random.default_rng(0)
    args = tuple(rng.normal(size=(64, 64)).astype(np.float32) for _ in range(2))
    ap, aj = _on_device(args, pnp), _on_device(args, jnp)
    block(_script(pnp, *ap))
    block(_script(jnp, *aj))
    tp, tj = alternate(lambda: per_call(lambda: block(_script(pnp, *ap)), 50, repeat=1),
                       lambda: per_call(lambda: block(_script(jnp, *aj)), 50, repeat=1),
                       repeat=5)
    return tp * 1e6, tj * 1e6


# --- host callbacks ---------------------------------------------------------------------------

def _sgd_step(np_mod, ad_mod, debug_print):
    loss = mlp_loss(np_mod, 3)

    def step(params, batch):
        value, grads = ad_mod.value_and_grad(loss)(params, batch)
        if debug_print:
            ad_mod.debug.print("loss {}", value)
        return jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads)
    return step


def _with_without_print(lib, np_mod, args) -> float:
    with_p, without = (lib.jit(_sgd_step(np_mod, lib, p)) for p in (True, False))
    on_dev = _on_device(args, np_mod)
    block(with_p(*on_dev))
    block(without(*on_dev))
    tw, to = alternate(lambda: per_call(lambda: block(with_p(*on_dev)), 200),
                       lambda: per_call(lambda: block(without(*on_dev)), 200), repeat=3)
    return tw / to


@bench("debug.print of the loss in a jitted 3-layer MLP SGD step: step time with / without "
       "it (x)")
def _debug_print_step():
    args = (mlp_params(3), batch())
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        return (_with_without_print(plait, pnp, args), _with_without_print(jax, jnp, args))


def main(argv):
    pattern = argv[1] if len(argv) > 1 else ""
    gc.disable()
    print(f"plait {plait.__name__} with jax {jax.__version__} on {jax.devices()[0].platform} "
          f"({jax.devices()[0].device_kind}); {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    print()
    print("| benchmark | plait | jax | plait/jax | goal |")
    print("|---|---:|---:|---:|---:|")
    for name, goal, devices, fn in ROWS:
        if pattern not in name:
            continue
        if jax.device_count() < devices:
            print(f"| {name} | | | skipped: needs {devices} devices | |", flush=True)
            continue
        p, j = fn()
        goal_txt = f"≤ {goal}" if goal else ""
        ratio = f"{p / j:.2f}" if j else "n/a"
        print(f"| {name} | {p:.2f} | {j:.2f} | {ratio} | {goal_txt} |", flush=True)


if __name__ == "__main__":
    main(sys.argv)
