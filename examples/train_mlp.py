"""Train a small MLP classifier with plait: weights drawn and minibatches shuffled with
plait.random, jit of a grad step, vmap for per-example gradient norms, lax.scan for several
steps per call.

    python examples/train_mlp.py
"""

import time

import numpy as np

import plait
import plait.nn as nn
import plait.numpy as pnp
from plait import lax


def init(key, sizes):
    keys = plait.random.split(key, len(sizes) - 1)
    he = nn.initializers.variance_scaling(2.0, "fan_in", "normal")  # normal, variance 2/fan_in
    return [(he(k, (m, n)), pnp.zeros(n)) for k, m, n in zip(keys, sizes[:-1], sizes[1:])]


def forward(params, x):
    for w, b in params[:-1]:
        x = nn.relu(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def loss(params, x, y):
    logits = forward(params, x)
    logp = nn.log_softmax(logits, axis=1)
    return -pnp.mean(pnp.take_along_axis(logp, y[:, None], axis=1))


@plait.jit
def train_steps(params, xs, ys):
    """10 SGD steps in one compiled program (a scan over minibatches)."""
    def step(p, batch):
        x, y = batch
        value, g = plait.value_and_grad(loss)(p, x, y)
        return [(w - 0.1 * gw, b - 0.1 * gb) for (w, b), (gw, gb) in zip(p, g)], value
    return lax.scan(step, params, (xs, ys))


@plait.jit
def per_example_grad_norms(params, x, y):
    grads = plait.vmap(plait.grad(lambda p, xi, yi: loss(p, xi[None], yi[None])),
                       in_axes=(None, 0, 0))(params, x, y)
    return pnp.sqrt(sum(pnp.sum(g.reshape(g.shape[0], -1) ** 2, axis=1)
                        for g in plait.tree_util.tree_leaves(grads)))


def main():
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=3.0, size=(4, 2))
    labels = rng.integers(0, 4, 40000)
    points = (centers[labels] + rng.normal(size=(40000, 2))).astype(np.float32)
    labels = labels.astype(np.int32)
    key, init_key = plait.random.split(plait.random.key(0))
    params = init(init_key, [2, 64, 64, 4])
    t0 = time.perf_counter()
    for epoch in range(40):
        key, shuffle_key = plait.random.split(key)
        batch = np.asarray(plait.random.permutation(shuffle_key, len(points))[:1000])
        params, losses = train_steps(params, points[batch].reshape(10, 100, 2),
                                     labels[batch].reshape(10, 100))
        if epoch % 10 == 0:
            print(f"epoch {epoch:2d}  loss {float(losses[-1]):.4f}")
    print(f"40 calls x 10 steps in {(time.perf_counter() - t0) * 1e3:.0f} ms (first compiles)")
    acc = float(pnp.mean(pnp.argmax(forward(params, points), axis=1) == labels))
    print(f"train accuracy {acc:.3f}")
    assert acc > 0.7, acc  # four overlapping clusters; chance is 0.25
    norms = per_example_grad_norms(params, points[:8], labels[:8])
    print("per-example gradient norms:", np.round(np.asarray(norms), 4))


if __name__ == "__main__":
    main()
