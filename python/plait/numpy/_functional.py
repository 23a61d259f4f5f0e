"""Function-applying helpers of `plait.numpy`, built on `plait.vmap` as in jax.numpy:
vectorize, apply_along_axis, apply_over_axes, piecewise, fromfunction, frompyfunc / ufunc,
and einsum_path (NumPy's contraction planner, on shapes).
"""

from __future__ import annotations

import functools
import re

import numpy as np

from plait import lax
from plait.core import dtypes
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.numpy._construct import _arr, broadcast_arrays
from plait.numpy._core import (
    _aval,
    broadcast_shapes,
    broadcast_to,
    canon_axis,
    numpy_function,
    where,
)
from plait.numpy._reductions import any as _any
from plait.numpy._shape import expand_dims, moveaxis, stack
from plait.vmapping import vmap

# --- vectorize --------------------------------------------------------------------------------

_DIM = r"\w+"
_CORE = rf"\((?:{_DIM}(?:,\s*{_DIM})*)?\)"
_ARGS = rf"{_CORE}(?:,\s*{_CORE})*"
_SIGNATURE = rf"^\s*{_ARGS}\s*->\s*{_ARGS}\s*$"


def _parse_signature(signature: str):
    """NumPy's gufunc signature "(m,n),(n)->(m)" as lists of core-dimension names."""
    if not re.match(_SIGNATURE, signature):
        raise PlaitValueError(f"vectorize: not a valid gufunc signature: {signature!r}")
    ins, outs = signature.split("->")
    parse = lambda s: [tuple(re.findall(_DIM, arg)) for arg in re.findall(_CORE, s)]  # noqa: E731
    return parse(ins), parse(outs)


class vectorize:  # noqa: N801 (NumPy's name)
    """`vectorize(pyfunc, *, excluded=frozenset(), signature=None)`: pyfunc mapped with
    plait.vmap over the broadcast leading dimensions of its arguments; signature names each
    argument's core dimensions (NumPy's gufunc signature); excluded arguments (positions or
    keywords) are passed through unmapped."""

    def __init__(self, pyfunc, *, excluded=frozenset(), signature=None):
        self.pyfunc, self.excluded, self.signature = pyfunc, frozenset(excluded), signature
        functools.update_wrapper(self, pyfunc)

    def __call__(self, *args, **kwargs):
        excluded = {i: a for i, a in enumerate(args) if i in self.excluded}
        kw_excluded = {k: v for k, v in kwargs.items() if k in self.excluded}
        names = [k for k in kwargs if k not in self.excluded]
        mapped = [_arr(a) for i, a in enumerate(args) if i not in self.excluded]
        mapped += [_arr(kwargs[k]) for k in names]
        n_pos = len(args)

        def call(*vals):
            vals = list(vals)
            pos, it = [], iter(vals[:len(vals) - len(names)])
            for i in range(n_pos):
                pos.append(excluded[i] if i in excluded else next(it))
            kw = dict(zip(names, vals[len(vals) - len(names):]), **kw_excluded)
            return self.pyfunc(*pos, **kw)

        if self.signature is None:
            cores, outs = [()] * len(mapped), None
        else:
            cores, outs = _parse_signature(self.signature)
            if len(cores) != len(mapped):
                raise PlaitTypeError(f"vectorize: the signature {self.signature!r} has "
                                     f"{len(cores)} inputs, got {len(mapped)} arguments")
        _check_core_sizes(mapped, cores)
        batch = broadcast_shapes(*[a.shape[:a.ndim - len(c)] for a, c in zip(mapped, cores)])
        mapped = [broadcast_to(a, batch + a.shape[a.ndim - len(c):])
                  for a, c in zip(mapped, cores)]
        f = call
        for _ in batch:
            f = vmap(f)
        out = f(*mapped)
        if outs is not None and len(outs) > 1 and not (isinstance(out, tuple)
                                                       and len(out) == len(outs)):
            raise PlaitValueError(f"vectorize: the function must return {len(outs)} outputs")
        return out


def _check_core_sizes(arrays, cores):
    sizes = {}
    for a, core in zip(arrays, cores):
        if a.ndim < len(core):
            raise PlaitValueError(f"vectorize: an input with core dimensions {core} has only "
                                  f"{a.ndim} dimensions")
        for name, n in zip(core, a.shape[a.ndim - len(core):]):
            if sizes.setdefault(name, n) != n:
                raise PlaitValueError(f"vectorize: inconsistent size for core dimension "
                                      f"{name!r}: {sizes[name]} vs {n}")


# --- apply_* and piecewise --------------------------------------------------------------------

def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """func1d applied to the 1-d slices of arr along axis (with plait.vmap); its result's
    dimensions take axis' place."""
    arr = _arr(arr)
    axis = canon_axis(axis, arr.ndim)

    def func(x):
        return func1d(x, *args, **kwargs)

    for i in range(1, arr.ndim - axis):
        func = vmap(func, in_axes=i, out_axes=-1)
    for _ in range(axis):
        func = vmap(func, in_axes=0, out_axes=0)
    return func(arr)


@numpy_function(jit=False)
def apply_over_axes(func, a, axes):
    """func(a, axis) applied for each axis in turn; a result missing that axis gets it back."""
    a = _arr(a)
    for axis in (axes,) if isinstance(axes, int) else axes:
        b = _arr(func(a, axis))
        if b.ndim == a.ndim - 1:
            b = expand_dims(b, canon_axis(axis, a.ndim))
        elif b.ndim != a.ndim:
            raise PlaitValueError("apply_over_axes: function is not returning an array of the "
                                  "correct shape")
        a = b
    return a


def piecewise(x, condlist, funclist, *args, **kw):
    """funclist[i](x) (or the value funclist[i]) where condlist[i], the last condition that
    holds winning; one more function than conditions is the default. Every function is
    computed on all of x, as in jax."""
    x = _arr(x)
    if isinstance(condlist, (list, tuple)):
        conds = [_arr(c) for c in condlist]
    else:
        c = _arr(condlist)
        conds = [c[i] for i in range(c.shape[0])] if c.ndim > x.ndim else [c]
    if len(funclist) == len(conds) + 1:
        otherwise = ~_any(stack(broadcast_arrays(*conds)), axis=0)
        conds = [otherwise] + conds
        funclist = [funclist[-1]] + list(funclist[:-1])
    elif len(funclist) != len(conds):
        raise PlaitValueError(f"piecewise: with {len(conds)} conditions, funclist must have "
                              f"{len(conds)} or {len(conds) + 1} entries, got {len(funclist)}")
    out = lax.full(x.shape, 0, x.dtype)
    for c, f in zip(conds, funclist):
        val = f(x, *args, **kw) if callable(f) else f
        val = broadcast_to(_arr(val).astype(x.dtype), x.shape)
        out = where(broadcast_to(c, x.shape), val, out)
    return out


def fromfunction(function, shape, *, dtype=float, **kwargs):
    """function(i, j, ...) at every index of shape. As in jax, function is mapped with
    plait.vmap, so it sees scalar indices (NumPy calls it once on the index grids)."""
    shape = tuple(int(d) for d in shape)
    f = functools.partial(function, **kwargs)
    for i in range(len(shape)):
        in_axes = tuple(0 if i == j else None for j in range(len(shape)))
        f = vmap(f, in_axes=in_axes[::-1])
    dt = dtypes.canonicalize(dtype)
    return f(*(lax.iota(dt, n) for n in shape))


# --- ufunc ------------------------------------------------------------------------------------

class ufunc:  # noqa: N801 (NumPy's name)
    """A universal function from a Python scalar function, as jax.numpy's: broadcasting calls
    (via vectorize), `at`, and for two inputs and one output, outer, reduce and
    accumulate."""

    def __init__(self, func, /, nin, nout, *, name=None, identity=None):
        self.func, self.nin, self.nout, self.identity = func, nin, nout, identity
        self.__name__ = name or getattr(func, "__name__", "ufunc")
        self._call = vectorize(func)

    def __repr__(self) -> str:
        return f"<plait.numpy.ufunc '{self.__name__}'>"

    def __call__(self, *args):
        if len(args) != self.nin:
            raise PlaitTypeError(f"{self.__name__} takes {self.nin} arguments, got {len(args)}")
        return self._call(*args)

    def _binary(self, what):
        if self.nin != 2 or self.nout != 1:
            raise PlaitValueError(f"{self.__name__}.{what} needs a ufunc of 2 inputs and 1 "
                                  "output")

    def outer(self, A, B, /):
        """func(a, b) for each pair of elements, shape A.shape + B.shape."""
        self._binary("outer")
        A, B = _arr(A), _arr(B)
        return self(A.reshape(A.shape + (1,) * B.ndim), B)

    def reduce(self, a, axis=0, dtype=None, keepdims=False, initial=None):
        """func folded over axis from the left (from initial, else the identity for an
        empty axis)."""
        self._binary("reduce")
        a = _arr(a) if dtype is None else _arr(a).astype(dtype)
        if axis is None:
            a, axis = a.reshape(-1), 0
        axis = canon_axis(axis, a.ndim)
        x = moveaxis(a, axis, 0)
        acc = initial if initial is not None else self.identity
        start = 0
        if acc is None:
            if x.shape[0] == 0:
                raise PlaitValueError(f"zero-size reduction of {self.__name__} without an "
                                      "identity")
            acc, start = x[0], 1
        acc = broadcast_to(_arr(acc).astype(a.dtype), x.shape[1:])
        out = lax.fori_loop(start, x.shape[0], lambda i, c: self(c, x[i]).astype(a.dtype), acc)
        return expand_dims(out, axis) if keepdims else out

    def accumulate(self, a, axis=0, dtype=None):
        """The running func-fold along axis."""
        self._binary("accumulate")
        a = _arr(a) if dtype is None else _arr(a).astype(dtype)
        x = moveaxis(a, canon_axis(axis, a.ndim), 0)

        def step(carry, xi):
            c = self(carry, xi).astype(a.dtype)
            return c, c

        if x.shape[0] == 0:
            return a
        _, rest = lax.scan(step, x[0], x[1:])
        return moveaxis(lax.concatenate([x[:1], rest], 0), 0, axis)

    def at(self, a, indices, b=None, /, *, inplace=True):
        """a with a[i] = func(a[i], b) (func(a[i]) for one input) at each index in turn, so a
        repeated index is applied repeatedly; needs inplace=False, as in jax."""
        if inplace:
            raise PlaitValueError(f"{self.__name__}.at cannot update arrays in place (they are "
                                  "immutable); pass inplace=False")
        if self.nout != 1 or self.nin != (1 if b is None else 2):
            raise PlaitValueError(f"{self.__name__}.at needs {self.nin - 1} operand(s) b")
        a = _arr(a)
        idx = indices if isinstance(indices, tuple) else (indices,)
        idx = broadcast_arrays(*[_arr(i) for i in idx])
        shape = idx[0].shape
        flat = [i.reshape(-1) for i in idx]
        vals = None if b is None else broadcast_to(_arr(b).astype(a.dtype),
                                                   shape + a.shape[len(idx):]).reshape(
            (flat[0].shape[0],) + a.shape[len(idx):])

        def step(k, acc):
            where_ = tuple(i[k] for i in flat)
            new = self._call(acc[where_]) if vals is None else self._call(acc[where_], vals[k])
            return acc.at[where_].set(_arr(new).astype(a.dtype))

        return lax.fori_loop(0, flat[0].shape[0], step, a)


@numpy_function(jit=False)
def frompyfunc(func, /, nin, nout, *, identity=None):
    """A ufunc of func (which maps plait values, as under vmap)."""
    return ufunc(func, nin, nout, identity=identity)


# --- einsum_path ------------------------------------------------------------------------------

@numpy_function(jit=False)
def einsum_path(subscripts, /, *operands, optimize="auto"):
    """NumPy's contraction order and report for an einsum, planned on the operands' shapes."""
    strategy = "greedy" if optimize in ("auto", True) else optimize
    shapes = [np.broadcast_to(np.int8(0), _aval(o).shape) for o in operands]
    return np.einsum_path(subscripts, *shapes, optimize=strategy)
