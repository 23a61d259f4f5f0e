"""Windowed and cumulative reductions with jax.lax's names and conventions: reduce_window,
cumsum, cumprod, cummax, cummin, cumlogsumexp and associative_scan."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from plait import jitting
from plait.core import aval as _aval
from plait.core import dtypes, pytree
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.dialect import ops as P
from plait.dialect.windows import WINDOW_ATTRS, window_shape
from plait.lax import _lax as lax
from plait.lax.convolution import padtype_to_pads
from plait.staging.callee import emit_region_op, into_region, trace_body
from plait.staging.concrete import concrete_value, has_concrete_value
from plait.staging.trace import Tracer, bind, tracing


def _cumulative(op, doc):
    def f(operand, axis: int = 0, reverse: bool = False):
        return bind(op, operand, axis=int(axis), reverse=bool(reverse))
    f.__name__ = op.short_name
    f.__doc__ = doc
    return f


cumprod = _cumulative(P.cumprod, "Cumulative product along `axis` (from the end if reverse).")
cummax = _cumulative(P.cummax, "Cumulative maximum along `axis` (from the end if reverse).")
cummin = _cumulative(P.cummin, "Cumulative minimum along `axis` (from the end if reverse).")
cumlogsumexp = _cumulative(P.cumlogsumexp,
                           "Cumulative log-sum-exp along `axis` (from the end if reverse).")


# --- reduce_window ---------------------------------------------------------------------------

def _identity_of(computation, dt):
    """The monoid plait.lax `computation` is, with its identity for dtype dt, or None."""
    if computation is lax.add:
        return P.reduce_window_sum, 0
    if computation is lax.max:
        return P.reduce_window_max, (-np.inf if dtypes.is_inexact(dt) else
                                     False if dt == dtypes.bool_ else np.iinfo(dt).min)
    if computation is lax.min:
        return P.reduce_window_min, (np.inf if dtypes.is_inexact(dt) else
                                     True if dt == dtypes.bool_ else np.iinfo(dt).max)
    return None


def _monoid(computation, operands, inits):
    """The reduce_window_sum/max/min op of a computation on one array whose init value is
    that monoid's identity (known now), else None (as jax picks its monoid primitives)."""
    init = inits[0] if len(operands) == 1 else None
    if isinstance(init, Tracer):
        init = concrete_value(init, "reduce_window") if has_concrete_value(init) else None
    if init is None or np.ndim(init) != 0:
        return None
    found = _identity_of(computation, lax.aval_of(operands[0]).dtype)
    if found is None:
        return None
    op, identity = found
    return op if np.asarray(init).item() == identity else None


def _window_params(shape, window_dimensions, window_strides, padding, base_dilation,
                   window_dilation) -> dict:
    n = len(shape)
    ones = (1,) * n
    window_dimensions = tuple(int(d) for d in window_dimensions)
    strides = ones if window_strides is None else tuple(int(d) for d in window_strides)
    base = ones if base_dilation is None else tuple(int(d) for d in base_dilation)
    wdil = ones if window_dilation is None else tuple(int(d) for d in window_dilation)
    if isinstance(padding, str):
        dilated = [(k - 1) * d + 1 for k, d in zip(window_dimensions, wdil)]
        pads = padtype_to_pads(shape, dilated, strides, padding)
    else:
        try:
            pads = [(int(lo), int(hi)) for lo, hi in padding]
        except (TypeError, ValueError):
            raise PlaitValueError(f"reduce_window: padding must be 'VALID', 'SAME', "
                                  f"'SAME_LOWER' or (low, high) pairs, got {padding!r}") from None
    return dict(window_dimensions=window_dimensions, window_strides=strides,
                padding_low=tuple(lo for lo, _ in pads), padding_high=tuple(hi for _, hi in pads),
                base_dilation=base, window_dilation=wdil)


def _init_like(v, dt):
    if isinstance(v, Tracer) or (lax._is_array(v) and v.dtype == dt):
        if lax.aval_of(v).shape != () or lax.aval_of(v).dtype != dt:
            raise PlaitTypeError(f"reduce_window: init values must be scalars of their "
                                 f"operand's dtype {dt}, got {lax.aval_of(v).str_short()}")
        return v
    if np.ndim(v) != 0:
        raise PlaitTypeError(f"reduce_window: init values must be scalars, got shape "
                             f"{np.shape(v)}")
    return lax.full((), v, dt)


def reduce_window(operand, init_value, computation: Callable, window_dimensions: Sequence[int],
                  window_strides: Sequence[int] | None = None, padding="VALID",
                  base_dilation: Sequence[int] | None = None,
                  window_dilation: Sequence[int] | None = None):
    """jax.lax.reduce_window: reduce each window of `operand` (an array or a pytree of arrays
    of one shape) with `computation(a, b)`, starting from `init_value` (a matching pytree of
    scalars), which also fills the padding. `plait.lax.add`, `max` or `min` with their
    identity as init value give reduce_window_sum/max/min, whose reverse-mode derivatives
    exist; another computation traces into the op's body (forward mode only, as in jax)."""
    if not tracing():  # one compiled program; the init value stays known (a monoid's identity)
        return jitting.new_jitted(lambda o: reduce_window(
            o, init_value, computation, window_dimensions, window_strides, padding,
            base_dilation, window_dilation))(operand)
    leaves, tree = pytree.tree_flatten(operand)
    init_leaves, init_tree = pytree.tree_flatten(init_value)
    if tree != init_tree or not leaves:
        raise PlaitTypeError(f"reduce_window: operand {tree} and init_value {init_tree} must "
                             "be pytrees of one structure, with at least one array")
    shape = lax.aval_of(leaves[0]).shape
    params = _window_params(shape, window_dimensions, window_strides, padding, base_dilation,
                            window_dilation)
    monoid = _monoid(computation, leaves, init_leaves)
    if monoid is not None:
        return pytree.tree_unflatten(tree, [bind(monoid, leaves[0], **params)])
    inits = [_init_like(v, lax.aval_of(x).dtype) for v, x in zip(init_leaves, leaves)]
    scalars = [lax.aval_of(x).update(shape=(), weak_type=False) for x in leaves]
    in_tree = pytree.tree_structure(((operand, operand), {}))
    body = trace_body(lambda a, b: computation(a, b), scalars * 2, in_tree, "reduce_window")
    if body.captures:
        raise PlaitTypeError("reduce_window: the computation uses traced or device arrays from "
                             "outside it; it may only combine its two arguments (and "
                             "constants)")
    if body.out_tree != tree or [a.strip_weak() for a in body.out_avals] != scalars:
        raise PlaitTypeError(f"reduce_window: the computation must return {tree} of scalars "
                             f"{[a.str_short() for a in scalars]}, got {body.out_tree} of "
                             f"{[a.str_short() for a in body.out_avals]}")
    out_shape = window_shape(P.reduce_window, shape, *(params[k] for k in WINDOW_ATTRS))
    out_avals = [a.update(shape=out_shape) for a in scalars]
    op, outs = emit_region_op(P.reduce_window, leaves + inits, out_avals, 1, **params)
    into_region(body, op.regions[0], [_aval.ir_type(a) for a in scalars * 2], [])
    return pytree.tree_unflatten(tree, outs)


# --- associative_scan ------------------------------------------------------------------------

def _interleave(a, b, axis: int):
    """a[0], b[0], a[1], b[1], ... along axis (len(a) == len(b) or len(b) + 1)."""
    n, m = a.shape[axis], b.shape[axis]
    op = lax.bitwise_or if a.dtype == dtypes.bool_ else lax.add
    pad_a, pad_b = [(0, 0, 0)] * a.ndim, [(0, 0, 0)] * b.ndim
    pad_a[axis] = (0, 1 if n == m else 0, 1)
    pad_b[axis] = (1, 0 if n == m else 1, 1)
    return op(lax.pad(a, lax.full((), 0, a.dtype), pad_a),
              lax.pad(b, lax.full((), 0, b.dtype), pad_b))


def associative_scan(fn: Callable, elems, reverse: bool = False, axis: int = 0):
    """jax.lax.associative_scan: the inclusive scan of an associative `fn(a, b)` over pytrees
    of arrays along `axis`, in O(log n) depth (odd elements combined recursively, then the
    even ones)."""
    if not tracing():  # one compiled program, not one per step
        return jitting.new_jitted(lambda e: associative_scan(fn, e, reverse, axis))(elems)
    leaves, tree = pytree.tree_flatten(elems)
    if not leaves:
        raise PlaitValueError("associative_scan needs at least one array")
    ndim = lax.aval_of(leaves[0]).ndim
    if not -ndim <= axis < ndim:
        raise PlaitValueError(f"associative_scan: axis {axis} out of range for rank {ndim}")
    axis %= ndim
    n = lax.aval_of(leaves[0]).shape[axis]
    if any(lax.aval_of(x).shape[axis] != n for x in leaves):
        raise PlaitValueError("associative_scan: the arrays must have one length along the "
                              f"axis, got shapes {[lax.aval_of(x).shape for x in leaves]}")
    if reverse:
        leaves = [lax.rev(x, (axis,)) for x in leaves]

    def combine(a, b):
        out = fn(pytree.tree_unflatten(tree, a), pytree.tree_unflatten(tree, b))
        return pytree.tree_leaves(out)

    def part(xs, start, stop=None, stride=1):
        return [lax.slice_in_dim(x, start, x.shape[axis] if stop is None else stop, stride,
                                 axis) for x in xs]

    def scan(xs):
        k = xs[0].shape[axis]
        if k < 2:
            return xs
        odd = scan(combine(part(xs, 0, k - 1, 2), part(xs, 1, None, 2)))
        rest = part(xs, 2, None, 2)
        even = combine(part(odd, 0, odd[0].shape[axis] - 1) if k % 2 == 0 else odd, rest)
        even = [lax.concatenate([part([x], 0, 1)[0], e], axis) for x, e in zip(xs, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    out = scan(leaves)
    if reverse:
        out = [lax.rev(x, (axis,)) for x in out]
    return pytree.tree_unflatten(tree, out)
