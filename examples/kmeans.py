"""k-means clustering with plait.jit and plait.numpy, checked against a NumPy reference.

    python examples/kmeans.py
"""

import time

import numpy as np

import plait
import plait.numpy as pnp


@plait.jit
def kmeans_step(points, centroids):
    """One Lloyd iteration: assign each point to its nearest centroid, then re-average."""
    d2 = (pnp.sum(points**2, axis=1, keepdims=True) - 2.0 * points @ centroids.T
          + pnp.sum(centroids**2, axis=1))
    assign = pnp.argmin(d2, axis=1)
    onehot = (assign[:, None] == pnp.arange(centroids.shape[0])).astype(points.dtype)
    counts = pnp.sum(onehot, axis=0)
    sums = onehot.T @ points
    new = pnp.where(counts[:, None] > 0, sums / pnp.maximum(counts, 1.0)[:, None], centroids)
    inertia = pnp.sum(pnp.min(d2, axis=1))
    return new, inertia


def numpy_step(points, centroids):
    d2 = ((points[:, None, :] - centroids[None]) ** 2).sum(-1)
    assign = d2.argmin(1)
    new = centroids.copy()
    for k in range(len(centroids)):
        if (assign == k).any():
            new[k] = points[assign == k].mean(0)
    return new, d2.min(1).sum()


def main():
    rng = np.random.default_rng(0)
    true_centers = rng.normal(scale=6.0, size=(5, 2)).astype(np.float32)
    points = (true_centers[rng.integers(0, 5, 2000)]
              + rng.normal(size=(2000, 2))).astype(np.float32)
    init = points[rng.choice(len(points), 5, replace=False)]

    c, c_ref = pnp.asarray(init), init
    x = pnp.asarray(points)
    t0 = time.perf_counter()
    for it in range(20):
        c, inertia = kmeans_step(x, c)
        c_ref, inertia_ref = numpy_step(points, c_ref)
        if it % 5 == 0:
            print(f"iter {it:2d}  inertia plait {float(inertia):10.2f}  numpy {inertia_ref:10.2f}")
    elapsed = time.perf_counter() - t0
    np.testing.assert_allclose(np.asarray(c), c_ref, rtol=1e-4, atol=1e-4)
    print("final centroids (plait):\n", np.asarray(c))
    print(f"matches NumPy; 20 iterations in {elapsed * 1e3:.1f} ms (first includes compile)")
    print("traced plait IR of one step:")
    print(kmeans_step.lower(x, c).as_text("plait")[:600], "...")


if __name__ == "__main__":
    main()
