"""`plait.vmap` (JAX's names and semantics): emits a `plait.vmap` op; plait-batch expands it."""

from __future__ import annotations

import functools

from jax._src.tree_util import broadcast_prefix

from plait.core import pytree
from plait.core.errors import PlaitValueError
from plait.dialect import transform as T
from plait.staging.callee import emit, trace_callee
from plait.staging.eager import is_dynamic, needs_staging, run_staged
from plait.staging.leaves import leaf_aval
from plait.staging.trace import axis_scope


def vmap(fun, in_axes=0, out_axes=0, axis_size=None, axis_name=None):
    """Map `fun` over a new leading (or `in_axes`) axis of its arguments."""
    _check_axes_spec(in_axes, "in_axes")
    _check_axes_spec(out_axes, "out_axes")

    @functools.wraps(fun)
    def batched(*args, **kwargs):
        if needs_staging(args, kwargs):
            key = ("vmap", _freeze(in_axes), _freeze(out_axes), axis_size, axis_name)
            return run_staged(key, lambda f, a, k: _vmap_traced(f, in_axes, out_axes, axis_size,
                                                             axis_name, a, k),
                           fun, args, kwargs, lambda a, k, leaves: [is_dynamic(x)
                                                                    for x in leaves])
        return _vmap_traced(fun, in_axes, out_axes, axis_size, axis_name, args, kwargs)

    return batched


def _check_axes_spec(spec, what):
    for leaf in pytree.tree_leaves(spec):
        if not isinstance(leaf, int):
            raise PlaitValueError(f"vmap {what} must be ints, None, or pytrees of them, got "
                                  f"{leaf!r}")


def _freeze(spec):
    leaves, tree = pytree.tree_flatten(spec, is_leaf=lambda x: x is None)
    return tree, tuple(leaves)


def _leaf_axes(in_axes, args, kwargs):
    """One axis (or None) per leaf of (args, kwargs); kwargs map over axis 0."""
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if isinstance(in_axes, tuple) and len(in_axes) != len(args):
        raise PlaitValueError(f"vmap in_axes has {len(in_axes)} entries but the function was "
                              f"called with {len(args)} positional arguments; in_axes must be "
                              "an int, None, or a tuple with one entry per argument")
    try:
        axes = broadcast_prefix(in_axes, tuple(args), is_leaf=lambda x: x is None)
    except ValueError as e:
        raise PlaitValueError(f"vmap in_axes {in_axes!r} does not match the structure of the "
                              f"arguments: {e}") from None
    return axes + [0] * len(pytree.tree_leaves(kwargs))


def _vmap_traced(fun, in_axes, out_axes, axis_size, axis_name, args, kwargs):
    leaves, in_tree = pytree.tree_flatten((tuple(args), dict(kwargs)))
    axes = _leaf_axes(in_axes, args, kwargs)
    dynamic = [is_dynamic(x) for x in leaves]
    sizes, avals, leaf_axes = [], [], []
    for k, (x, a, d) in enumerate(zip(leaves, axes, dynamic)):
        if not d:
            if a is not None:
                raise PlaitValueError(f"vmap: argument leaf {k} ({type(x).__name__}) is not an "
                                      f"array but its in_axes is {a}; use None for it")
            continue
        aval = leaf_aval(x)
        if a is None:
            avals.append(aval)
            leaf_axes.append(-1)
            continue
        if not -aval.ndim <= a < aval.ndim:
            raise PlaitValueError(f"vmap: in_axes {a} is out of range for argument leaf {k} of "
                                  f"shape {aval.shape}")
        a %= aval.ndim
        sizes.append((k, a, aval.shape[a]))
        avals.append(aval.update(shape=aval.shape[:a] + aval.shape[a + 1:]))
        leaf_axes.append(a)
    size = _axis_size(sizes, axis_size)
    with axis_scope(axis_name, size):
        traced = trace_callee(fun, leaves, in_tree, dynamic, in_avals=avals)
    try:
        o_axes = broadcast_prefix(out_axes, pytree.tree_unflatten(
            traced.out_tree, [0] * len(traced.out_avals)), is_leaf=lambda x: x is None)
    except ValueError as e:
        raise PlaitValueError(f"vmap out_axes {out_axes!r} does not match the structure of the "
                              f"outputs: {e}") from None
    result_avals, out_attr = [], []
    for a, av in zip(o_axes, traced.out_avals):
        if a is None:
            result_avals.append(av)
            out_attr.append(-1)
            continue
        if not -(av.ndim + 1) <= a <= av.ndim:
            raise PlaitValueError(f"vmap: out_axes {a} is out of range for an output of rank "
                                  f"{av.ndim}")
        a %= av.ndim + 1
        shape = list(av.shape)
        shape.insert(a, size)
        result_avals.append(av.update(shape=tuple(shape)))
        out_attr.append(a)
    operands = [x for x, d in zip(leaves, dynamic) if d] + list(traced.captures)
    in_attr = leaf_axes + [-1] * len(traced.captures)
    res = emit(T.vmap, operands, result_avals, callee=traced.name, in_axes=tuple(in_attr),
               out_axes=tuple(out_attr), axis_size=size, axis_name=axis_name or "")
    return pytree.tree_unflatten(traced.out_tree, res)


def _axis_size(sizes, axis_size):
    if sizes:
        distinct = {s for _, _, s in sizes}
        if len(distinct) > 1 or (axis_size is not None and axis_size not in distinct):
            detail = "; ".join(f"argument leaf {k} has size {s} along axis {a}"
                               for k, a, s in sizes)
            raise PlaitValueError("vmap got inconsistent sizes for the mapped axis: " + detail
                                  + (f"; axis_size is {axis_size}" if axis_size else ""))
        return sizes[0][2]
    if axis_size is None:
        raise PlaitValueError("vmap needs at least one mapped argument (an in_axes that is not "
                              "None) or an explicit axis_size")
    return int(axis_size)
