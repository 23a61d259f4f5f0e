"""plait.numpy's sort/search, set, nan-reduction, order-statistic, histogram and
data-dependent-shape functions against NumPy (values) and jax.numpy (dtypes, jax's documented
deviations, `size=` semantics, gradients), eagerly and under plait.jit.

A case's `fn(xp, *operands)` is the same code on numpy, plait.numpy and jax.numpy. The
operands are 32-bit, so jax (x64 off) gives the dtypes plait follows by design; where jax
deviates from NumPy in value (an order within a partition, nanargmax of all-NaN, the
"nearest" tie rule, the fill slots of `size=`), the case's oracle is jax.
"""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from usersite import first_line, raises_at

import plait
import plait.numpy as pnp

pytestmark = pytest.mark.filterwarnings("ignore:All-NaN slice:RuntimeWarning")

HERE = os.path.abspath(__file__)
rng = np.random.default_rng(0)
F = rng.normal(size=(3, 4)).astype(np.float32)
FN = F.copy()
FN[0, 1] = FN[2, 3] = np.nan
FN_ALLNAN = FN.copy()
FN_ALLNAN[1] = np.nan
I = rng.integers(-3, 4, (3, 4)).astype(np.int32)
DUPS = np.array([3, 1, 2, 3, 1, 5, 5, 0], np.int32)
OTHER = np.array([1, 7, 7, 2, 9], np.int32)
SORTED = np.array([-1.0, 0.0, 0.0, 2.5, 3.0, np.nan], np.float32)
V = np.array([[-2.0, 0.0, 1.0], [2.5, 7.0, np.nan]], np.float32)
W = rng.uniform(0.1, 1.0, (3, 4)).astype(np.float32)
Q = np.array([0.0, 0.25, 0.5, 0.9, 1.0], np.float32)
SAMPLE = rng.normal(size=(30,)).astype(np.float32)
POINTS = rng.normal(size=(25, 3)).astype(np.float32)
COUNTS = np.array([0, 1, 1, 3, 4, 4, 4], np.int32)


def case(name, fn, *args, oracle="numpy", jit=True, tol=1e-5):
    return pytest.param(fn, args, oracle, jit, tol, id=name)


CASES = [
    # sort / search
    case("sort", lambda xp, x: xp.sort(x, axis=0), FN),
    case("sort-none-desc", lambda xp, x: xp.sort(x, axis=None, descending=True), I,
         oracle="jax"),
    case("argsort", lambda xp, x: xp.argsort(x, axis=1, stable=True), I),
    case("argsort-desc", lambda xp, x: xp.argsort(x, descending=True, stable=True), I,
         oracle="jax"),
    case("sort-complex", lambda xp, x: xp.sort(x + 1j * x[::-1]), I.astype(np.float32)),
    case("lexsort", lambda xp, a, b: xp.lexsort((a, b)), I[0], I[1]),
    case("lexsort-2d", lambda xp, x: xp.lexsort(x, axis=0), I),
    case("partition", lambda xp, x: xp.sort(xp.partition(x, 2, axis=1), axis=1), F),
    case("partition-kth", lambda xp, x: xp.partition(x, 2, axis=1)[:, 2], F),
    case("argpartition-kth", lambda xp, x: xp.take_along_axis(
        x, xp.argpartition(x, 1, axis=0), axis=0)[1], F),
    case("sort_complex", lambda xp, x: xp.sort_complex(x), I),
    case("searchsorted-left", lambda xp, a, v: xp.searchsorted(a, v), SORTED, V),
    case("searchsorted-right", lambda xp, a, v: xp.searchsorted(a, v, side="right"), SORTED, V),
    case("searchsorted-sorter", lambda xp, a, v: xp.searchsorted(a, v, sorter=xp.argsort(a)),
         DUPS, OTHER),
    case("searchsorted-method", lambda xp, a, v: xp.searchsorted(a, v, method="compare_all"),
         SORTED, V, oracle="jax"),
    case("digitize", lambda xp, x, b: xp.digitize(x, b), V, SORTED[:5]),
    case("digitize-right", lambda xp, x, b: xp.digitize(x, b, right=True), V, SORTED[:5]),
    case("digitize-decreasing", lambda xp, x, b: xp.digitize(x, b[::-1]), V, SORTED[:5]),
    # order statistics
    case("median", lambda xp, x: xp.median(x), F),
    case("median-axis", lambda xp, x: xp.median(x, axis=1, keepdims=True), F),
    case("median-int", lambda xp, x: xp.median(x, axis=0), I, oracle="jax"),
    case("median-nan", lambda xp, x: xp.median(x, axis=1), FN),
    case("nanmedian", lambda xp, x: xp.nanmedian(x, axis=1), FN_ALLNAN),
    *[case(f"quantile-{m}", lambda xp, x, q, m=m: xp.quantile(x, q, axis=(0, 1), method=m),
           F, Q) for m in ("linear", "lower", "higher", "midpoint", "inverted_cdf")],
    case("quantile-nearest", lambda xp, x, q: xp.quantile(x, q, axis=0, method="nearest"),
         F, Q, oracle="jax"),
    case("quantile-keepdims", lambda xp, x: xp.quantile(x, 0.3, axis=1, keepdims=True), F),
    case("quantile-weights", lambda xp, x, w, q: xp.quantile(
        x, q, axis=1, method="inverted_cdf", weights=w), F, W, Q),
    case("nanquantile", lambda xp, x, q: xp.nanquantile(x, q, axis=1), FN_ALLNAN, Q),
    case("percentile", lambda xp, x: xp.percentile(x, 30.0, axis=0), F),
    case("percentile-int", lambda xp, x: xp.percentile(x, 75.0), I, oracle="jax"),
    case("nanpercentile", lambda xp, x: xp.nanpercentile(x, 60.0, method="lower"), FN),
    # nan-reductions and cumulative functions
    case("nansum", lambda xp, x: xp.nansum(x, axis=0), FN_ALLNAN),
    case("nansum-int", lambda xp, x: xp.nansum(x), I, oracle="jax"),
    case("nanprod", lambda xp, x: xp.nanprod(x, axis=1, keepdims=True), FN_ALLNAN),
    case("nanmean", lambda xp, x: xp.nanmean(x, axis=1), FN),
    case("nanmean-int", lambda xp, x: xp.nanmean(x, axis=0), I, oracle="jax"),
    case("nanvar", lambda xp, x: xp.nanvar(x, axis=0, ddof=1), FN),
    case("nanstd", lambda xp, x: xp.nanstd(x), FN),
    case("nanmax", lambda xp, x: xp.nanmax(x, axis=1), FN_ALLNAN),
    case("nanmin", lambda xp, x: xp.nanmin(x, axis=0), FN),
    case("nanargmax", lambda xp, x: xp.nanargmax(x, axis=0), FN),
    case("nanargmin", lambda xp, x: xp.nanargmin(x), FN),
    case("nanargmax-allnan", lambda xp, x: xp.nanargmax(x, axis=1), FN_ALLNAN, oracle="jax"),
    case("nancumsum", lambda xp, x: xp.nancumsum(x, axis=1), FN),
    case("nancumprod", lambda xp, x: xp.nancumprod(x), FN),
    case("cumprod", lambda xp, x: xp.cumprod(x, axis=0), F),
    case("cumprod-int8", lambda xp, x: xp.cumprod(x.astype(xp.int8), axis=1), I, oracle="jax"),
    case("cumulative_sum", lambda xp, x: xp.cumulative_sum(x, axis=1, include_initial=True), I,
         oracle="jax"),
    case("cumulative_prod", lambda xp, x: xp.cumulative_prod(x[0], include_initial=True), F),
    case("ptp", lambda xp, x: xp.ptp(x, axis=1), F),
    case("average", lambda xp, x: xp.average(x, axis=0), I, oracle="jax"),
    case("average-weights", lambda xp, x, w: xp.average(x, axis=1, weights=w[0],
                                                        returned=True), F, W),
    case("count_nonzero", lambda xp, x: xp.count_nonzero(x, axis=0), I, oracle="jax"),
    case("cov", lambda xp, x: xp.cov(x), F),
    case("cov-y-rowvar", lambda xp, x, y: xp.cov(x, y, rowvar=False), F, W),
    case("cov-weights", lambda xp, x, f, a: xp.cov(x, fweights=f, aweights=a, ddof=2), F,
         np.array([1, 2, 1, 3], np.int32), W[0]),
    case("corrcoef", lambda xp, x: xp.corrcoef(x), F),
    case("corrcoef-xy", lambda xp, x, y: xp.corrcoef(x, y), F[0], W[0]),
    # set functions (eager: their own sizes; under jit only with size=, below)
    case("unique", lambda xp, x: xp.unique(x, return_index=True, return_inverse=True,
                                           return_counts=True), DUPS, jit=False),
    case("unique-2d-inverse", lambda xp, x: xp.unique(x, return_inverse=True), I, jit=False),
    case("unique-axis", lambda xp, x: xp.unique(x, axis=0, return_index=True,
                                                return_inverse=True, return_counts=True),
         np.array([[1, 2], [0, 5], [1, 2], [0, 4]], np.int32), jit=False),
    case("unique-nan", lambda xp, x: xp.unique(x), np.array([1, np.nan, 0, np.nan], np.float32),
         jit=False),
    case("unique_values", lambda xp, x: xp.unique_values(x), DUPS, jit=False, oracle="jax"),
    case("unique_counts", lambda xp, x: tuple(xp.unique_counts(x)), DUPS, jit=False),
    case("unique_inverse", lambda xp, x: tuple(xp.unique_inverse(x)), I, jit=False),
    case("unique_all", lambda xp, x: tuple(xp.unique_all(x)), DUPS, jit=False),
    case("union1d", lambda xp, a, b: xp.union1d(a, b), DUPS, OTHER, jit=False),
    case("intersect1d", lambda xp, a, b: xp.intersect1d(a, b, return_indices=True), DUPS,
         OTHER, jit=False),
    case("setdiff1d", lambda xp, a, b: xp.setdiff1d(a, b), DUPS, OTHER, jit=False),
    case("setdiff1d-unique", lambda xp, a, b: xp.setdiff1d(a, b, assume_unique=True),
         np.array([4, 1, 3, 2], np.int32), OTHER, jit=False),
    case("setxor1d", lambda xp, a, b: xp.setxor1d(a, b), DUPS, OTHER, jit=False),
    case("isin", lambda xp, a, b: xp.isin(a, b), I, OTHER),
    case("isin-invert-sort", lambda xp, a, b: xp.isin(a, b, invert=True, method="sort"), I,
         OTHER, oracle="jax"),
    # histograms
    case("histogram", lambda xp, x: xp.histogram(x), SAMPLE, oracle="jax"),
    case("histogram-range-density", lambda xp, x: xp.histogram(x, 5, range=(-1.0, 1.0),
                                                               density=True), SAMPLE),
    case("histogram-edges-weights", lambda xp, x, e: xp.histogram(x, e, weights=x * x), SAMPLE,
         np.array([-1.0, 0.0, 0.5, 2.0], np.float32)),
    case("histogram_bin_edges", lambda xp, x: xp.histogram_bin_edges(x, 4), I),
    case("histogram2d", lambda xp, p: xp.histogram2d(p[:, 0], p[:, 1], bins=(3, 4),
                                                    weights=p[:, 2]), POINTS),
    case("histogramdd", lambda xp, p: xp.histogramdd(p, bins=3, density=True), POINTS),
    case("histogramdd-counts", lambda xp, p: xp.histogramdd(p, bins=(2, 3, 2))[0], POINTS,
         oracle="jax"),
    case("bincount", lambda xp, x: xp.bincount(x, minlength=7), COUNTS, jit=False),
    case("bincount-weights", lambda xp, x, w: xp.bincount(x, w[0, :7]), COUNTS,
         np.tile(W, (1, 2)), jit=False),
    # data-dependent shapes, eagerly
    case("nonzero", lambda xp, x: xp.nonzero(x), I, jit=False),
    case("flatnonzero", lambda xp, x: xp.flatnonzero(x), I, jit=False),
    case("argwhere", lambda xp, x: xp.argwhere(x > 0), I, jit=False),
    case("where-1", lambda xp, x: xp.where(x < 0), I, jit=False),
    case("extract", lambda xp, x: xp.extract(x > 0, x * 2), I, jit=False),
    case("compress", lambda xp, c, x: xp.compress(c, x, axis=1), np.array([1, 0, 1]), F,
         jit=False),
    case("mask-index", lambda xp, x: x[x > 0], F, jit=False),
]

SIZED = [  # under jit too: size= (and fill_value=) as jax
    case("nonzero-size", lambda xp, x: xp.nonzero(x, size=9, fill_value=-1), I,
         oracle="jax"),
    case("nonzero-size-short", lambda xp, x: xp.nonzero(x, size=2, fill_value=(7, 8)), I,
         oracle="jax"),
    case("flatnonzero-size", lambda xp, x: xp.flatnonzero(x, size=12), I, oracle="jax"),
    case("argwhere-size", lambda xp, x: xp.argwhere(x > 1, size=5, fill_value=9), I,
         oracle="jax"),
    case("where-1-size", lambda xp, x: xp.where(x > 0, size=6), I, oracle="jax"),
    case("extract-size", lambda xp, x: xp.extract(x > 0, x, size=8, fill_value=-5), I,
         oracle="jax"),
    case("compress-size", lambda xp, c, x: xp.compress(c, x, axis=1, size=3), np.array([1, 0, 1]),
         F, oracle="jax"),
    case("unique-size", lambda xp, x: xp.unique(x, return_index=True, return_inverse=True,
                                                return_counts=True, size=8), DUPS, oracle="jax"),
    case("unique-size-fill", lambda xp, x: xp.unique(x, return_counts=True, size=3,
                                                     fill_value=-1), DUPS, oracle="jax"),
    case("unique-axis-size", lambda xp, x: xp.unique(x, axis=1, size=5, fill_value=0), I,
         oracle="jax"),
    case("unique_all-size", lambda xp, x: tuple(xp.unique_all(x, size=8)), DUPS, oracle="jax"),
    case("union1d-size", lambda xp, a, b: xp.union1d(a, b, size=10), DUPS, OTHER,
         oracle="jax"),
    case("intersect1d-size", lambda xp, a, b: xp.intersect1d(a, b, return_indices=True,
                                                             size=4), DUPS, OTHER, oracle="jax"),
    case("setdiff1d-size", lambda xp, a, b: xp.setdiff1d(a, b, size=5), DUPS, OTHER,
         oracle="jax"),
    case("setxor1d-size", lambda xp, a, b: xp.setxor1d(a, b, size=8, fill_value=0), DUPS,
         OTHER, oracle="jax"),
    case("bincount-length", lambda xp, x: xp.bincount(x, length=3), COUNTS, oracle="jax"),
]


def _check(got, want, tol, where):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want), where
        for g, w in zip(got, want):
            _check(g, w, tol, where)
        return
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{where}: shape {got.shape}, expected {want.shape}"
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want, err_msg=where)
    else:
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True, err_msg=where)


def _dtypes(out):
    return jax.tree.map(lambda a: np.dtype(a.dtype), out)


def _run(fn, args, oracle, jit, tol):
    ref = fn(jnp if oracle == "jax" else np, *[a.copy() for a in args])
    want_dtypes = _dtypes(fn(jnp, *args))
    modes = ("eager", "jit") if jit else ("eager",)
    for mode in modes:
        out = fn(pnp, *[pnp.asarray(a) for a in args]) if mode == "eager" else \
            plait.jit(lambda *a: fn(pnp, *a))(*args)
        _check(out, ref, tol, mode)
        assert _dtypes(out) == want_dtypes, mode


@pytest.mark.parametrize("fn, args, oracle, jit, tol", CASES + SIZED)
def test_against_numpy_and_jax(fn, args, oracle, jit, tol):
    _run(fn, args, oracle, jit, tol)


def test_eager_results_follow_the_data_call_after_call():
    """The same shapes, different counts: each eager call has its own result shape (a
    compiled program must not carry the first call's size over)."""
    for x in (DUPS, DUPS[::-1] * 0 + 2, np.arange(8, dtype=np.int32)):
        np.testing.assert_array_equal(pnp.unique(x), np.unique(x))
        np.testing.assert_array_equal(pnp.nonzero(x - 2)[0], np.nonzero(x - 2)[0])
        np.testing.assert_array_equal(pnp.bincount(x), np.bincount(x))


# --- gradients against jax --------------------------------------------------------------------

GRADS = {
    "median": lambda xp, x: xp.median(x, axis=1).sum(),
    "quantile": lambda xp, x: (xp.quantile(x, xp.array([0.1, 0.7]), axis=0) ** 2).sum(),
    "quantile-lower": lambda xp, x: xp.quantile(x, 0.4, method="lower"),
    "percentile": lambda xp, x: xp.percentile(x, 35.0, axis=1).sum(),
    "nanmedian": lambda xp, x: xp.nanmedian(x, axis=0).sum(),
    "nanquantile": lambda xp, x: xp.nanquantile(x, 0.3, axis=1).sum(),
    "nansum": lambda xp, x: (xp.nansum(x, axis=0) ** 2).sum(),
    "nanprod": lambda xp, x: xp.nanprod(x, axis=0).sum(),
    "nanmean": lambda xp, x: (xp.nanmean(x, axis=1) ** 2).sum(),
    "nanvar": lambda xp, x: xp.nanvar(x, axis=1).sum(),
    "nanstd": lambda xp, x: xp.nanstd(x),
    "nanmax": lambda xp, x: xp.nanmax(x, axis=0).sum(),
    "nanmin": lambda xp, x: xp.nanmin(x, axis=1).sum(),
    "nancumsum": lambda xp, x: (xp.nancumsum(x, axis=1) ** 2).sum(),
    "nancumprod": lambda xp, x: xp.nancumprod(x, axis=1).sum(),
    "cumprod": lambda xp, x: xp.cumprod(x, axis=0).sum(),
    "average": lambda xp, x: xp.average(x, axis=1, weights=xp.arange(1.0, 5.0)).sum(),
    "cov": lambda xp, x: (xp.cov(x) ** 2).sum(),
    "corrcoef": lambda xp, x: (xp.corrcoef(x) ** 2).sum(),
    "sort": lambda xp, x: (xp.sort(x, axis=0) * xp.arange(4.0)).sum(),
    "extract-size": lambda xp, x: (xp.extract(x > 0, x, size=5) ** 2).sum(),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_grad_against_jax(name):
    f = GRADS[name]
    x = FN if name.startswith("nan") else F
    want = jax.grad(lambda v: f(jnp, v))(x)
    for got in (plait.grad(lambda v: f(pnp, v))(x), plait.jit(plait.grad(lambda v: f(pnp, v)))(x)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5, equal_nan=True)


def test_eager_grad_through_data_dependent_shape():
    """Outside jit the count is concrete, also inside grad (no size= needed)."""
    def f(v):
        return (pnp.extract(v > 0, v) ** 3).sum() + pnp.unique(v).sum()
    want = 3 * F**2 * (F > 0) + 1  # F's entries are distinct: unique passes each through once
    np.testing.assert_allclose(plait.grad(f)(F), want, rtol=1e-5)


def test_vmap_of_sized_functions():
    f = lambda xp, x: (xp.nonzero(x > 0, size=4, fill_value=-1)[0],  # noqa: E731
                       xp.unique(x, size=4), xp.searchsorted(xp.sort(x), 0.0))
    _check(plait.vmap(lambda x: f(pnp, x))(F), jax.vmap(lambda x: f(jnp, x))(F), 1e-6, "vmap")


def test_array_methods():
    x = pnp.asarray(F[0])
    for name, args, kwargs in [("sort", (), {}), ("argsort", (), {}),
                               ("searchsorted", (0.0,), {}), ("nonzero", (), {}),
                               ("cumprod", (), {}), ("ptp", (), {}),
                               ("compress", (F[0] > 0,), {})]:
        got = getattr(x, name)(*args, **kwargs)
        want = getattr(jnp.asarray(F[0]), name)(*args, **kwargs)
        _check(got, want, 1e-6, name)
    assert x.argpartition(1)[1] == np.argsort(F[0])[1]
    got = plait.jit(lambda v: v.compress(v > 0, size=4, fill_value=-1.0))(F[0])
    _check(got, jnp.compress(F[0] > 0, F[0], size=4, fill_value=-1.0), 1e-6, "compress size")


# --- errors at the user's line ----------------------------------------------------------------

def _nonzero(x):
    return pnp.nonzero(x)


def _unique(x):
    return pnp.unique(x, return_counts=True)


def _where(x):
    return pnp.where(x > 0)


def _argwhere(x):
    return pnp.argwhere(x)


def _extract(x):
    return pnp.extract(x > 0, x)


def _setdiff(x):
    return pnp.setdiff1d(x, x[:2])


def _intersect(x):
    return pnp.intersect1d(x, x[:2])


def _bincount(x):
    return pnp.bincount(x)


def _mask(x):
    return x[x > 0]


@pytest.mark.parametrize("fun, arg", [(_nonzero, "size="), (_unique, "size="),
                                      (_where, "size="), (_argwhere, "size="),
                                      (_extract, "size="), (_setdiff, "size="),
                                      (_intersect, "size="), (_bincount, "length="),
                                      (_mask, "size=")])
def test_jit_without_size_is_an_error_at_the_users_line(fun, arg):
    raises_at(plait.ConcretizationError, lambda: plait.jit(fun)(DUPS), first_line(fun) + 1,
              arg, "jit", here=HERE)


def test_bad_arguments_are_plait_errors():
    raises_at(plait.PlaitValueError, lambda: pnp.nonzero(DUPS, size=-1),
              first_line(test_bad_arguments_are_plait_errors) + 1, "size", here=HERE)
    raises_at(plait.PlaitValueError, lambda: pnp.quantile(F, 0.5, method="weird"),
              first_line(test_bad_arguments_are_plait_errors) + 3, "method", here=HERE)
    raises_at(plait.PlaitValueError, lambda: pnp.where(F, 1.0),
              first_line(test_bad_arguments_are_plait_errors) + 5, "three", here=HERE)
    raises_at(plait.PlaitValueError, lambda: pnp.searchsorted(F, 0.0),
              first_line(test_bad_arguments_are_plait_errors) + 7, "one-dimensional",
              here=HERE)
    raises_at(plait.PlaitValueError, lambda: pnp.partition(F, 4),
              first_line(test_bad_arguments_are_plait_errors) + 10, "kth", here=HERE)


# --- properties on drawn shapes (few examples: each shape compiles) -----------------------------

_SETTINGS = settings(max_examples=6, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(n=st.integers(0, 12), k=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_unique_and_searchsorted_match_numpy(n, k, seed):
    r = np.random.default_rng(seed)
    x = r.integers(0, k, n).astype(np.int32)
    for got, want in zip(pnp.unique(x, return_index=True, return_inverse=True,
                                    return_counts=True),
                         np.unique(x, return_index=True, return_inverse=True,
                                   return_counts=True)):
        np.testing.assert_array_equal(got, want)
    s = np.sort(x)
    v = r.integers(-1, k + 1, 5).astype(np.int32)
    for side in ("left", "right"):
        np.testing.assert_array_equal(pnp.searchsorted(s, v, side), np.searchsorted(s, v, side))


@_SETTINGS
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=st.integers(0, 2**16),
       q=st.floats(0.0, 1.0, width=32))
def test_quantile_and_nanquantile_match_numpy(shape, seed, q):
    r = np.random.default_rng(seed)
    x = r.normal(size=shape).astype(np.float32)
    axis = int(r.integers(0, len(shape)))
    np.testing.assert_allclose(pnp.quantile(x, q, axis=axis), np.quantile(x, q, axis=axis),
                               rtol=1e-5, atol=1e-5)
    x.reshape(-1)[r.integers(0, x.size)] = np.nan
    want = np.nanquantile(x, q, axis=axis)
    np.testing.assert_allclose(pnp.nanquantile(x, q, axis=axis), want, rtol=1e-5, atol=1e-5)


@_SETTINGS
@given(n=st.integers(1, 40), bins=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_histogram_matches_numpy(n, bins, seed):
    x = np.random.default_rng(seed).normal(size=n).astype(np.float32)
    counts, edges = pnp.histogram(x, bins)
    want_counts, want_edges = np.histogram(x, bins)
    np.testing.assert_allclose(edges, want_edges, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(counts, want_counts)
