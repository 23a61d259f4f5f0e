"""Train a small convolutional network with plait on a synthetic image task: tell apart
16x16 noisy images of a horizontal bar, a vertical bar, a diagonal and a square outline, at
random positions. Convolutions (NHWC, 'SAME' padding), max pooling and average pooling
(lax.reduce_window), ten SGD steps per compiled call (lax.scan over minibatches); weights
drawn and minibatches shuffled with plait.random.

    python examples/train_cnn.py
"""

import time

import numpy as np

import plait
import plait.nn as nn
import plait.numpy as pnp
from plait import lax

SIZE, CLASSES = 16, 4
DN = ("NHWC", "HWIO", "NHWC")


def make_images(rng, n):
    """n noisy images (n, 16, 16, 1) and their labels: each shape is drawn at a random
    position, the label says which shape."""
    labels = rng.integers(0, CLASSES, n)
    images = rng.normal(scale=0.3, size=(n, SIZE, SIZE)).astype(np.float32)
    for img, label, (r, c) in zip(images, labels, rng.integers(2, SIZE - 8, size=(n, 2))):
        if label == 0:
            img[r + 3, c:c + 6] += 1.0
        elif label == 1:
            img[r:r + 6, c + 3] += 1.0
        elif label == 2:
            img[r + np.arange(6), c + np.arange(6)] += 1.0
        else:
            img[r, c:c + 5] += 1.0
            img[r + 4, c:c + 5] += 1.0
            img[r:r + 5, c] += 1.0
            img[r:r + 5, c + 4] += 1.0
    return images[..., None], labels.astype(np.int32)


def init(key):
    k1, k2, k3 = plait.random.split(key, 3)
    he = nn.initializers.variance_scaling(2.0, "fan_in", "normal")  # normal, variance 2/fan_in
    return {"w1": he(k1, (3, 3, 1, 8)), "b1": pnp.zeros(8),
            "w2": he(k2, (3, 3, 8, 16)), "b2": pnp.zeros(16),
            "w3": he(k3, (4 * 4 * 16, CLASSES)), "b3": pnp.zeros(CLASSES)}


def forward(params, x):
    h = lax.conv_general_dilated(x, params["w1"], (1, 1), "SAME", dimension_numbers=DN)
    h = nn.relu(h + params["b1"])
    h = lax.reduce_window(h, -np.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")  # 8x8
    h = lax.conv_general_dilated(h, params["w2"], (1, 1), "SAME", dimension_numbers=DN)
    h = nn.relu(h + params["b2"])
    h = lax.reduce_window(h, 0.0, lax.add, (1, 2, 2, 1), (1, 2, 2, 1), "VALID") / 4  # 4x4
    return h.reshape(h.shape[0], -1) @ params["w3"] + params["b3"]


def loss(params, x, y):
    logits = forward(params, x)
    logp = nn.log_softmax(logits, axis=1)
    return -pnp.mean(pnp.take_along_axis(logp, y[:, None], axis=1))


@plait.jit
def train_steps(params, xs, ys):
    """10 SGD steps in one compiled program (a scan over minibatches)."""
    def step(p, batch):
        value, g = plait.value_and_grad(loss)(p, *batch)
        return plait.tree_util.tree_map(lambda w, gw: w - 0.05 * gw, p, g), value
    return lax.scan(step, params, (xs, ys))


def main():
    rng = np.random.default_rng(0)
    images, labels = make_images(rng, 12000)
    key, init_key = plait.random.split(plait.random.key(0))
    params = init(init_key)
    t0 = time.perf_counter()
    first = None
    for epoch in range(30):
        key, shuffle_key = plait.random.split(key)  # 400 images drawn without replacement
        batch = np.asarray(plait.random.permutation(shuffle_key, len(images))[:400])
        params, losses = train_steps(params, images[batch].reshape(10, 40, SIZE, SIZE, 1),
                                     labels[batch].reshape(10, 40))
        first = float(losses[0]) if first is None else first
        if epoch % 10 == 0 or epoch == 29:
            print(f"call {epoch:2d}  loss {float(losses[-1]):.4f}")
    print(f"30 calls x 10 steps in {(time.perf_counter() - t0) * 1e3:.0f} ms (first compiles)")
    last = float(losses[-1])
    assert last < 0.5 * first, (first, last)
    test_x, test_y = make_images(np.random.default_rng(1), 1000)
    acc = float(pnp.mean(pnp.argmax(plait.jit(forward)(params, test_x), axis=1) == test_y))
    print(f"loss {first:.3f} -> {last:.3f}, held-out accuracy {acc:.3f}")
    assert acc > 0.8, acc  # chance is 0.25


if __name__ == "__main__":
    main()
