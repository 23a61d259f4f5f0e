"""Set functions for `plait.numpy`: unique and unique_*, union1d, intersect1d, setdiff1d,
setxor1d, isin.

Each sorts, marks the entries it keeps with a mask, and compacts them into a result of static
length: `size=` under jit, as in jax (slots past the actual entries hold `fill_value`, by
default the first entry, as jax), or the mask's count, read eagerly (see `_nonzero`).
"""

from __future__ import annotations

from typing import NamedTuple

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitValueError
from plait.numpy._core import (
    _promote_all,
    asarray,
    canon_axis,
    is_array,
    isnan,
    numpy_function,
)
from plait.numpy._indexing import _take
from plait.numpy._nonzero import check_size, compact, concrete_count, count_true, flat_indices
from plait.numpy._sorting import _keys, search_sorted, sort_along


def _arr(x):
    return x if is_array(x) else asarray(x)


def _ravel(x):
    x = _arr(x)
    return lax.reshape(x, (x.size,))


def _rows(x, idx):
    return _take.traced(x, idx, 0, "clip", None)


def _sorted_rows(aux, equal_nan):
    """(sorted rows of the 2-D aux, the permutation, a mask of each run's first row)."""
    n, m = aux.shape
    idt = dtypes.config.default_int
    cols = [lax.reshape(lax.slice(aux, (0, j), (n, j + 1)), (n,)) for j in range(m)]
    keys = [k for c in cols for k in _keys(c)]
    perm = lax.sort((*keys, lax.iota(idt, n)), dimension=0, num_keys=len(keys))[-1] \
        if keys else lax.iota(idt, n)
    s = _rows(aux, perm)
    if n == 0:
        return s, perm, lax.full((0,), False, dtypes.bool_)
    first = lax.full((1,), True, dtypes.bool_)
    if n == 1 or m == 0:
        rest = lax.full((n - 1,), False, dtypes.bool_)
    else:
        lo, hi = lax.slice(s, (0, 0), (n - 1, m)), lax.slice(s, (1, 0), (n, m))
        neq = lax.ne(hi, lo)
        if equal_nan and dtypes.is_inexact(aux.dtype):
            neq = lax.bitwise_and(neq, lax.bitwise_not(lax.bitwise_and(isnan(hi), isnan(lo))))
        rest = lax.reduce_or(neq, (1,))
    return s, perm, lax.concatenate([first, rest], 0)


def _as_rows(ar, axis):
    """ar with `axis` first, as a 2-D (len, rest) array, and the shape of one row."""
    if axis is None:
        return lax.reshape(ar, (ar.size, 1)), ()
    ax = canon_axis(axis, ar.ndim)
    perm = (ax,) + tuple(d for d in range(ar.ndim) if d != ax)
    moved = lax.transpose(ar, perm)
    row = moved.shape[1:]
    return lax.reshape(moved, (moved.shape[0], int(_prod(row)))), row


def _prod(shape):
    out = 1
    for d in shape:
        out *= d
    return out


@numpy_function(static=("axis", "equal_nan"))
def _unique_count(ar, axis, equal_nan):
    aux, _ = _as_rows(_arr(ar), axis)
    return count_true(_sorted_rows(aux, equal_nan)[2])


@numpy_function(static=("return_index", "return_inverse", "return_counts", "axis", "equal_nan",
                        "size"))
def _unique_sized(ar, return_index, return_inverse, return_counts, axis, equal_nan, size,
                  fill_value):
    ar = _arr(ar)
    aux, row = _as_rows(ar, axis)
    n = aux.shape[0]
    s, perm, mask = _sorted_rows(aux, equal_nan)
    idx, valid = flat_indices(mask, size)
    values = _rows(s, idx) if n else lax.full((size, aux.shape[1]), 0, ar.dtype)
    if fill_value is not None:
        fill = lax.convert_element_type(_arr(fill_value), ar.dtype)
        values = lax.select(lax.broadcast_in_dim(valid, values.shape, (0,)), values,
                            lax.broadcast_in_dim(fill, values.shape, ()))
    values = lax.reshape(values, (size,) + row)
    if axis is not None:
        ax = canon_axis(axis, ar.ndim)
        perm_back = tuple(range(1, ax + 1)) + (0,) + tuple(range(ax + 1, ar.ndim))
        values = lax.transpose(values, perm_back)
    out = [values]
    idt = dtypes.config.default_int
    if return_index:
        out.append(_rows(perm, idx) if n else lax.full((size,), 0, idt))
    if return_inverse:
        inv = lax.sub(lax.cumsum(lax.convert_element_type(mask, idt)), 1) if n else \
            lax.full((0,), 0, idt)
        inv = lax.sort((perm, inv), num_keys=1)[1] if n else inv  # scattered back by perm
        out.append(lax.reshape(inv, ar.shape) if axis is None else inv)
    if return_counts:
        starts, more = flat_indices(mask, size + 1)
        ends = lax.select(lax.slice(more, (1,), (size + 1,)), lax.slice(starts, (1,), (size + 1,)),
                          lax.full((size,), n, idt))
        counts = lax.sub(ends, lax.slice(starts, (0,), (size,)))
        out.append(lax.select(valid, counts, lax.full((size,), 0, idt)))
    return out[0] if len(out) == 1 else tuple(out)


def _unique(ar, return_index, return_inverse, return_counts, axis, equal_nan, size, fill_value,
            name):
    ar = _arr(ar)
    if axis is not None:
        canon_axis(axis, ar.ndim)
    if size is None:
        size = concrete_count(_unique_count(ar, axis, equal_nan), name)
    else:
        check_size(size, name)
    n = ar.size if axis is None else ar.shape[canon_axis(axis, ar.ndim)]
    if n == 0 and size and fill_value is None:
        raise PlaitValueError(f"{name}: for an empty input with a nonzero size, pass fill_value")
    return _unique_sized(ar, bool(return_index), bool(return_inverse), bool(return_counts), axis,
                         bool(equal_nan), int(size), fill_value)


@numpy_function(jit=False)
def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, size=None, fill_value=None, sorted=True):
    """The sorted unique entries of ar (flattened for axis=None; else the unique slices along
    axis), with the indices of their first occurrences, the inverse (ar's entries as indices
    into the result; ar's shape for axis=None, as NumPy 2) and their counts on request."""
    return _unique(ar, return_index, return_inverse, return_counts, axis, equal_nan, size,
                   fill_value, "unique")


class UniqueAllResult(NamedTuple):
    values: object
    indices: object
    inverse_indices: object
    counts: object


class UniqueCountsResult(NamedTuple):
    values: object
    counts: object


class UniqueInverseResult(NamedTuple):
    values: object
    inverse_indices: object


@numpy_function(jit=False)
def unique_all(x, /, *, size=None, fill_value=None):
    """The array API's unique_all: values, first indices, inverse (x's shape), counts; NaNs
    are distinct."""
    return UniqueAllResult(*_unique(x, True, True, True, None, False, size, fill_value,
                                    "unique_all"))


@numpy_function(jit=False)
def unique_counts(x, /, *, size=None, fill_value=None):
    return UniqueCountsResult(*_unique(x, False, False, True, None, False, size, fill_value,
                                       "unique_counts"))


@numpy_function(jit=False)
def unique_inverse(x, /, *, size=None, fill_value=None):
    return UniqueInverseResult(*_unique(x, False, True, False, None, False, size, fill_value,
                                        "unique_inverse"))


@numpy_function(jit=False)
def unique_values(x, /, *, size=None, fill_value=None):
    return _unique(x, False, False, False, None, False, size, fill_value, "unique_values")


# --- isin ---------------------------------------------------------------------------------------

def _in1d(ar1, ar2, invert, method):
    """Whether each entry of the 1-D ar1 is in the 1-D ar2 (both of one dtype)."""
    if ar1.size == 0 or ar2.size == 0:
        return lax.full(ar1.shape, bool(invert), dtypes.bool_)
    if method in ("auto", "compare_all"):
        eq = lax.eq(lax.broadcast_in_dim(ar1, (ar1.size, ar2.size), (0,)),
                    lax.broadcast_in_dim(ar2, (ar1.size, ar2.size), (1,)))
        found = lax.reduce_or(eq, (1,))
    elif method in ("binary_search", "sort"):
        s = sort_along(ar2, 0)
        last = lax.full(ar1.shape, s.size - 1, dtypes.config.default_int)
        pos = lax.min(search_sorted(s, ar1, "left"), last)
        found = lax.eq(_rows(s, pos), ar1)
    else:
        raise PlaitValueError(f"isin: method={method!r} is not one of 'auto', 'compare_all', "
                              "'binary_search', 'sort'")
    return lax.bitwise_not(found) if invert else found


@numpy_function(static=("assume_unique", "invert", "method"))
def isin(element, test_elements, assume_unique=False, invert=False, *, method="auto"):
    """Whether each entry of element is among test_elements (shaped like element)."""
    element, test_elements = _promote_all([element, test_elements])
    shape = element.shape
    out = _in1d(lax.reshape(element, (element.size,)),
                lax.reshape(test_elements, (test_elements.size,)), invert, method)
    return lax.reshape(out, shape)


# --- union1d, intersect1d, setdiff1d, setxor1d --------------------------------------------------

def _sorted_unique_mask(x):
    """(x sorted, the permutation, a mask of each run's first entry) of a 1-D x."""
    s, perm, mask = _sorted_rows(lax.reshape(x, (x.size, 1)), False)
    return lax.reshape(s, (x.size,)), perm, mask


def _setdiff_candidates(ar1, ar2, assume_unique):
    if assume_unique:  # NumPy keeps ar1's order then
        return ar1, _in1d(ar1, ar2, True, "auto")
    s, _, first = _sorted_unique_mask(ar1)
    return s, lax.bitwise_and(first, _in1d(s, ar2, True, "auto"))


def _setxor_candidates(ar1, ar2, assume_unique):
    s1, _, first1 = _sorted_unique_mask(ar1)
    s2, _, first2 = _sorted_unique_mask(ar2)
    keep = lax.concatenate([lax.bitwise_and(first1, _in1d(s1, ar2, True, "auto")),
                            lax.bitwise_and(first2, _in1d(s2, ar1, True, "auto"))], 0)
    c = lax.concatenate([s1, s2], 0)
    if c.size == 0:
        return c, keep
    # the kept entries first, sorted: their count marks the result
    idt = dtypes.config.default_int
    drop = lax.convert_element_type(lax.bitwise_not(keep), idt)
    order = lax.sort((drop, *_keys(c), lax.iota(idt, c.size)), num_keys=1 + len(_keys(c)))[-1]
    ordered = _rows(c, order)
    count = count_true(keep)
    return ordered, lax.lt(lax.iota(idt, c.size), lax.broadcast_in_dim(count, (c.size,), ()))


_CANDIDATES = {"setdiff1d": _setdiff_candidates, "setxor1d": _setxor_candidates}


def _flat_pair(ar1, ar2):
    ar1, ar2 = _promote_all([ar1, ar2])
    return lax.reshape(ar1, (ar1.size,)), lax.reshape(ar2, (ar2.size,))


@numpy_function(static=("op", "assume_unique"))
def _setop_count(ar1, ar2, op, assume_unique):
    return count_true(_CANDIDATES[op](*_flat_pair(ar1, ar2), assume_unique)[1])


@numpy_function(static=("op", "assume_unique", "size"))
def _setop_sized(ar1, ar2, op, assume_unique, size, fill_value):
    x, keep = _CANDIDATES[op](*_flat_pair(ar1, ar2), assume_unique)
    if x.size == 0:
        return lax.full((size,), 0 if fill_value is None else fill_value, x.dtype)
    if fill_value is None and op == "setdiff1d":
        fill_value = 0  # jax's default here
    return compact(x, keep, size, fill_value)


def _setop(op, ar1, ar2, assume_unique, size, fill_value):
    if size is None:
        size = concrete_count(_setop_count(ar1, ar2, op, bool(assume_unique)), op)
    else:
        check_size(size, op)
    return _setop_sized(ar1, ar2, op, bool(assume_unique), int(size), fill_value)


@numpy_function(jit=False)
def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """The unique entries of ar1 not in ar2, sorted (in ar1's order with assume_unique);
    fill_value defaults to 0, as jax."""
    return _setop("setdiff1d", ar1, ar2, assume_unique, size, fill_value)


@numpy_function(jit=False)
def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """The sorted entries in exactly one of ar1 and ar2."""
    return _setop("setxor1d", ar1, ar2, assume_unique, size, fill_value)


@numpy_function(jit=False)
def union1d(ar1, ar2, *, size=None, fill_value=None):
    """The sorted unique entries of ar1 and ar2 together."""
    ar1, ar2 = _promote_all([ar1, ar2])
    both = lax.concatenate([_ravel(ar1), _ravel(ar2)], 0)
    return _unique(both, False, False, False, None, True, size, fill_value, "union1d")


def _intersect_candidates(ar1, ar2):
    s1, perm1, first1 = _sorted_unique_mask(ar1)
    return s1, lax.bitwise_and(first1, _in1d(s1, ar2, False, "auto")), perm1


@numpy_function()
def _intersect_count(ar1, ar2):
    return count_true(_intersect_candidates(*_flat_pair(ar1, ar2))[1])


@numpy_function(static=("return_indices", "size"))
def _intersect_sized(ar1, ar2, return_indices, size, fill_value):
    ar1, ar2 = _flat_pair(ar1, ar2)
    s1, keep, perm1 = _intersect_candidates(ar1, ar2)
    if s1.size == 0 or ar2.size == 0:
        empty = lax.full((size,), 0 if fill_value is None else fill_value, ar1.dtype)
        idt = dtypes.config.default_int
        return (empty, lax.full((size,), ar1.size, idt), lax.full((size,), ar2.size, idt)) \
            if return_indices else empty
    values = compact(s1, keep, size, fill_value)
    if not return_indices:
        return values
    idx, valid = flat_indices(keep, size)
    idt = dtypes.config.default_int
    i1 = lax.select(valid, _rows(perm1, idx), lax.full((size,), ar1.size, idt))
    s2, perm2, _ = _sorted_unique_mask(ar2)
    pos = lax.min(search_sorted(s2, values, "left"), lax.full((size,), ar2.size - 1, idt))
    i2 = lax.select(valid, _rows(perm2, pos), lax.full((size,), ar2.size, idt))
    return values, i1, i2


@numpy_function(jit=False)
def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None,
                fill_value=None):
    """The sorted unique entries in both ar1 and ar2; with return_indices, also the indices of
    their first occurrences in each (ar1.size and ar2.size in the fill slots, as jax)."""
    if size is None:
        size = concrete_count(_intersect_count(ar1, ar2), "intersect1d")
    else:
        check_size(size, "intersect1d")
    return _intersect_sized(ar1, ar2, bool(return_indices), int(size), fill_value)
