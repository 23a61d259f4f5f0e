"""jax.lax.reduce: a monoid's reduction when jax would pick one, else `plait.reduce` with the
computation traced into its region body."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from plait import jitting
from plait.core import aval as _aval
from plait.core import dtypes, pytree
from plait.core.errors import PlaitTypeError
from plait.dialect import ops as P
from plait.lax import _lax as lax
from plait.staging.callee import emit_region_op, into_region, trace_body
from plait.staging.concrete import concrete_value, has_concrete_value
from plait.staging.trace import Tracer, tracing


def _max_identity(dt):
    return -np.inf if dtypes.is_inexact(dt) else False if dt == dtypes.bool_ else \
        np.iinfo(dt).min


def _min_identity(dt):
    return np.inf if dtypes.is_inexact(dt) else True if dt == dtypes.bool_ else \
        np.iinfo(dt).max


# computation -> (reduction, its identity for a dtype, whether it needs a bool operand), as
# jax's _get_monoid_reducer
_MONOIDS = {
    lax.add: (lax.reduce_sum, lambda dt: 0, False),
    lax.mul: (lax.reduce_prod, lambda dt: 1, False),
    lax.max: (lax.reduce_max, _max_identity, False),
    lax.min: (lax.reduce_min, _min_identity, False),
    lax.bitwise_or: (lax.reduce_or, lambda dt: False, True),
    lax.bitwise_and: (lax.reduce_and, lambda dt: True, True),
    lax.bitwise_xor: (lax.reduce_xor, lambda dt: False, True),
}


def _monoid(computation, operands, inits):
    """The reduction of a monoid computation on one array whose init value is its identity
    (known now), else None."""
    if len(operands) != 1 or computation not in _MONOIDS:
        return None
    init = inits[0]
    if isinstance(init, Tracer):
        init = concrete_value(init, "reduce") if has_concrete_value(init) else None
    if init is None or np.ndim(init) != 0:
        return None
    reduction, identity, needs_bool = _MONOIDS[computation]
    dt = lax.aval_of(operands[0]).dtype
    if needs_bool and dt != dtypes.bool_:
        return None
    return reduction if np.asarray(init).item() == identity(dt) else None


def _init_like(v, dt):
    if isinstance(v, Tracer) or lax._is_array(v):
        if lax.aval_of(v).shape != () or lax.aval_of(v).dtype != dt:
            raise PlaitTypeError(f"reduce: init values must be scalars of their operand's "
                                 f"dtype {dt}, got {lax.aval_of(v).str_short()}")
        return v
    if np.ndim(v) != 0:
        raise PlaitTypeError(f"reduce: init values must be scalars, got shape {np.shape(v)}")
    return lax.full((), v, dt)


def reduce(operands, init_values, computation: Callable, dimensions: Sequence[int]):
    """jax.lax.reduce: reduce `operands` (an array or a pytree of arrays of one shape) over
    `dimensions` with `computation(a, b)`, starting from `init_values` (a matching pytree of
    scalars). `plait.lax.add`, `mul`, `max`, `min` (and `bitwise_and/or/xor` on bools) with
    their identity as init value give the monoid reductions; another computation traces into
    the body of a `plait.reduce` (differentiable in both modes, as in jax)."""
    if not tracing():  # one compiled program; the init value stays known (a monoid's identity)
        return jitting.new_jitted(lambda o: reduce(o, init_values, computation,
                                                   dimensions))(operands)
    leaves, tree = pytree.tree_flatten(operands)
    init_leaves, init_tree = pytree.tree_flatten(init_values)
    if tree != init_tree or not leaves:
        raise PlaitTypeError(f"reduce: operands {tree} and init_values {init_tree} must be "
                             "pytrees of one structure, with at least one array")
    shape = lax.aval_of(leaves[0]).shape
    ndim = len(shape)
    dims = tuple(int(d) + ndim if int(d) < 0 else int(d) for d in dimensions)
    monoid = _monoid(computation, leaves, init_leaves)
    if monoid is not None:
        return pytree.tree_unflatten(tree, [monoid(leaves[0], dims)])
    inits = [_init_like(v, lax.aval_of(x).dtype) for v, x in zip(init_leaves, leaves)]
    scalars = [lax.aval_of(x).update(shape=(), weak_type=False) for x in leaves]
    in_tree = pytree.tree_structure(((operands, operands), {}))
    body = trace_body(lambda a, b: computation(a, b), scalars * 2, in_tree, "reduce")
    if body.captures:
        raise PlaitTypeError("reduce: the computation uses traced or device arrays from "
                             "outside it; it may only combine its two arguments (and "
                             "constants)")
    if body.out_tree != tree or [a.strip_weak() for a in body.out_avals] != scalars:
        raise PlaitTypeError(f"reduce: the computation must return {tree} of scalars "
                             f"{[a.str_short() for a in scalars]}, got {body.out_tree} of "
                             f"{[a.str_short() for a in body.out_avals]}")
    if any(lax.aval_of(x).shape != shape for x in leaves):
        raise PlaitTypeError("reduce: the operands must have one shape, got "
                             f"{[lax.aval_of(x).shape for x in leaves]}")
    if len(set(dims)) != len(dims) or any(not 0 <= d < ndim for d in dims):
        raise PlaitTypeError(f"reduce: dimensions {tuple(dimensions)} must be distinct axes "
                             f"of a rank-{ndim} operand")
    out_shape = tuple(s for i, s in enumerate(shape) if i not in dims)
    out_avals = [a.update(shape=out_shape) for a in scalars]
    op, outs = emit_region_op(P.reduce, leaves + inits, out_avals, 1, dimensions=dims)
    into_region(body, op.regions[0], [_aval.ir_type(a) for a in scalars * 2], [])
    return pytree.tree_unflatten(tree, outs)
