"""NumPy's index tricks for `plait.numpy`: `mgrid`, `ogrid`, `r_`, `c_`, `s_`, `index_exp`.

A slice `start:stop:step` makes `arange(start, stop, step)`, or with an imaginary step `nj`,
`linspace(start, stop, n)`, as in NumPy; its bounds must be Python numbers.
"""

from __future__ import annotations

import numpy as np

from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy._core import asarray, is_array
from plait.numpy._shape import arange, concatenate, linspace, meshgrid, reshape, stack


def _slice_values(s: slice):
    start = 0 if s.start is None else s.start
    step = 1 if s.step is None else s.step
    for v in (start, s.stop, step):
        if is_array(v):
            raise PlaitTypeError("index tricks need Python numbers in slices (the result's "
                                 "length must be static)")
    if isinstance(step, complex):
        return linspace(start, s.stop, int(abs(step)))
    return arange(start, s.stop, step)


class _Grid:
    def __init__(self, sparse: bool, name: str):
        self.sparse, self.name = sparse, name

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _slice_values(key)
        axes = [_slice_values(k) for k in key]
        grids = meshgrid(*axes, indexing="ij")
        if self.sparse:
            return [reshape(a, tuple(len(a) if i == j else 1 for j in range(len(axes))))
                    for i, a in enumerate(axes)]
        return stack(grids, 0)

    def __repr__(self) -> str:
        return f"plait.numpy.{self.name}"


mgrid = _Grid(sparse=False, name="mgrid")
"""`mgrid[0:3, 0:4]`: the dense (2, 3, 4) grid of indices; an imaginary step counts points."""
ogrid = _Grid(sparse=True, name="ogrid")
"""`ogrid[0:3, 0:4]`: an open grid, arrays of shapes (3, 1) and (1, 4)."""


class _AxisConcat:
    """`r_` and `c_`: concatenate slices, scalars and arrays, led by an optional directive
    string "axis[,ndmin[,trans1d]]" or "r"/"c" (row/column matrices)."""

    def __init__(self, axis: int, ndmin: int, trans1d: int, name: str):
        self.axis, self.ndmin, self.trans1d, self.name = axis, ndmin, trans1d, name

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        axis, ndmin, trans1d = self.axis, self.ndmin, self.trans1d
        matrix = None
        if key and isinstance(key[0], str):
            directive, key = key[0], key[1:]
            if directive in ("r", "c"):  # NumPy's matrices are 2-d arrays here, as in jax
                matrix = directive
            else:
                try:
                    vals = [int(x) for x in directive.split(",")]
                except ValueError:
                    raise PlaitValueError(f"{self.name}: could not understand directive "
                                          f"{directive!r}") from None
                axis, ndmin, trans1d = (vals + [ndmin, trans1d][len(vals) - 1:])[:3]
        out = concatenate([self._part(k, ndmin, trans1d) for k in key], axis)
        if matrix is not None and out.ndim == 1:
            out = reshape(out, (1, -1) if matrix == "r" else (-1, 1))
        return out

    @staticmethod
    def _part(k, ndmin: int, trans1d: int):
        if isinstance(k, slice):
            arr = _slice_values(k)
        elif isinstance(k, str):
            raise PlaitValueError("a directive string must come first in r_/c_")
        else:
            arr = asarray(k)
        if arr.ndim >= ndmin:
            return arr
        out = reshape(arr, (1,) * (ndmin - arr.ndim) + arr.shape)
        if trans1d != -1 and arr.ndim:  # NumPy's placement of the original axes
            k2 = ndmin - arr.ndim
            k1 = trans1d + k2 + 1 if trans1d < 0 else trans1d
            axes = list(range(ndmin))
            out = out.transpose(axes[:k1] + axes[k2:] + axes[k1:k2])
        return out

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"plait.numpy.{self.name}"


r_ = _AxisConcat(axis=0, ndmin=1, trans1d=-1, name="r_")
"""`r_[1:4, 0, x]`: slices, scalars and arrays concatenated along the first axis."""
c_ = _AxisConcat(axis=-1, ndmin=2, trans1d=0, name="c_")
"""`c_[x, y]`: 1-d arrays as columns, concatenated along the last axis."""

s_ = np.s_
index_exp = np.index_exp
