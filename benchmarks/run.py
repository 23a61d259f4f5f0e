"""plait vs jax, side by side in one process. Prints a markdown table of plait/jax ratios.

    python benchmarks/run.py            # everything (a few minutes on 2 CPU cores)
    python benchmarks/run.py dispatch   # only rows whose name contains "dispatch"

Each row times the same work in both libraries, alternating between them; the figure is the
median over repeats (minimum for microsecond dispatch loops). Lower ratio is better for plait.
"""

from __future__ import annotations

import gc
import os
import platform
import re
import statistics
import sys
import time

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import jax.scipy.linalg  # noqa: E402
import numpy as np  # noqa: E402

import plait  # noqa: E402
import plait.numpy as pnp  # noqa: E402
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
