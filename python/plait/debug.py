"""`plait.debug`: tools for finding bugs in user code (`print` and `callback`: host callbacks
with the values a program computes, as jax.debug's; `check_grads`: derivatives against finite
differences, as jax.test_util.check_grads)."""

from __future__ import annotations

import numpy as np

from plait.ad import jvp, vjp
from plait.callbacks import debug_callback as callback  # noqa: F401
from plait.callbacks import debug_print as print  # noqa: F401, A001
from plait.core import dtypes, pytree
from plait.core.errors import PlaitTypeError, PlaitValueError

EPS = 1e-4  # the finite-difference step
_TOLERANCE = {dtypes.float16: 1e-2, dtypes.bfloat16: 1e-1, dtypes.float32: 2e-3,
              dtypes.float64: 1e-5, dtypes.complex64: 1e-3, dtypes.complex128: 1e-5}


def check_grads(f, args, order: int, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Check the derivatives of `f` at `args` up to `order` in one random direction.

    "fwd": the JVP against central differences of `f`; "rev": the VJP against the JVP, as
    <ct, J t> == <J^T ct, t>. Higher orders check the JVP / VJP functions in turn. `atol` and
    `rtol` are numbers or {dtype: tolerance} (defaults per dtype, as jax's). Raises
    AssertionError naming the check and order that failed."""
    args = tuple(args)
    unknown = set(modes) - {"fwd", "rev"}
    if unknown or not modes:
        raise PlaitValueError(f"check_grads modes are 'fwd' and/or 'rev', got {tuple(modes)}")
    if int(order) != order or order < 1:
        raise PlaitValueError(f"check_grads order must be a positive integer, got {order}")
    host = pytree.tree_map(np.asarray, args)
    for x in pytree.tree_leaves(host):
        if not dtypes.is_inexact(dtypes.canonicalize(x.dtype)):
            raise PlaitTypeError(f"check_grads differentiates float and complex arguments, "
                                 f"got {x.dtype}")
    eps = EPS if eps is None else eps
    rng = np.random.RandomState(0)
    checker = _Checker(host, eps, rng, atol, rtol)

    def check(fun, k):
        if "fwd" in modes:
            checker.jvp(fun, f"order {k} JVP")
            if k < order:
                t = checker.random_like(host)
                check(lambda *a, fun=fun, t=t: jvp(fun, a, t)[1], k + 1)
        if "rev" in modes:
            checker.vjp(fun, f"order {k} VJP")
            if k < order:
                ct = checker.random_like(_to_host(fun(*host)))
                check(lambda *a, fun=fun, ct=ct: vjp(fun, *a)[1](ct), k + 1)

    check(f, 1)


class _Checker:
    def __init__(self, args, eps, rng, atol, rtol):
        self.args, self.eps, self.rng = args, eps, rng
        self.atol, self.rtol = atol, rtol

    def random_like(self, tree):
        def draw(x):
            x = np.asarray(x)
            r = self.rng.standard_normal(x.shape)
            if dtypes.is_complex(x.dtype):
                r = r + 1j * self.rng.standard_normal(x.shape)
            return r.astype(x.dtype)
        return pytree.tree_map(draw, tree)

    def numerical_jvp(self, fun, tangents):
        def step(sign):
            moved = pytree.tree_map(lambda x, t: (x + sign * self.eps * t).astype(x.dtype),
                                    self.args, tangents)
            return _to_host(fun(*moved))
        return pytree.tree_map(lambda p, m: (p - m) / (2 * self.eps), step(1), step(-1))

    def jvp(self, fun, what):
        tangents = self.random_like(self.args)
        out, t_out = jvp(fun, self.args, tangents)
        self.close(out, fun(*self.args), f"{what}: primal")
        self.close(t_out, self.numerical_jvp(fun, tangents), f"{what}: tangent")

    def vjp(self, fun, what):
        out, pullback = vjp(fun, *self.args)
        self.close(out, fun(*self.args), f"{what}: primal")
        tangents = self.random_like(self.args)
        t_out = self.numerical_jvp(fun, tangents)
        ct = self.random_like(_to_host(out))
        ct_in = pytree.tree_map(np.conj, _to_host(pullback(pytree.tree_map(np.conj, ct))))
        self.close(_inner(tangents, ct_in), _inner(t_out, ct), f"{what}: cotangent projection")

    def close(self, actual, expected, what):
        actual, expected = _to_host(actual), _to_host(expected)
        a_leaves, e_leaves = pytree.tree_leaves(actual), pytree.tree_leaves(expected)
        if len(a_leaves) != len(e_leaves):
            raise AssertionError(f"check_grads {what}: {len(a_leaves)} values, expected "
                                 f"{len(e_leaves)}")
        for a, e in zip(a_leaves, e_leaves):
            dt = np.result_type(a, e)
            np.testing.assert_allclose(a, e, atol=_tolerance(self.atol, dt),
                                       rtol=_tolerance(self.rtol, dt),
                                       err_msg=f"check_grads {what}")


def _tolerance(tol, dt) -> float:
    if tol is None or isinstance(tol, dict):
        table = {**_TOLERANCE, **{np.dtype(k): v for k, v in (tol or {}).items()}}
        return table.get(np.dtype(dt), _TOLERANCE[dtypes.float32])
    return float(tol)


def _to_host(tree):
    return pytree.tree_map(np.asarray, tree)


def _inner(xs, ys):
    """sum(x * y) over the leaves: the pairing of a tangent with a cotangent."""
    return sum(np.sum(np.asarray(x) * np.asarray(y))
               for x, y in zip(pytree.tree_leaves(xs), pytree.tree_leaves(ys)))
