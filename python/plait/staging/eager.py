"""Transformations called outside any trace (`plait.grad(f)(x)`, eager `vmap`, `lax.scan`):
staged out as one program and compiled through jit's cache, keyed on what `f` reads."""

from __future__ import annotations

import numpy as np

from plait.core import pytree
from plait.core.aval import ShapedArray
from plait.core.location import user_location
from plait.dialect.base import splat_attr
from plait.dialect.structural import constant
from plait.runtime.array import Array
from plait.runtime.device import is_jax_array
from plait.staging.cache import lookup_or_compile
from plait.staging.keys import FunctionKey, value_key
from plait.staging.leaves import arg_shardings, leaf_aval, leaf_buffer
from plait.staging.trace import Tracer, current_trace, tracing


def is_dynamic(x) -> bool:
    return isinstance(x, (Tracer, Array, np.ndarray, np.generic, float, complex)) or \
        is_jax_array(x)


def constant_tracer(aval: ShapedArray, value) -> Tracer:
    trace = current_trace()
    (v,), (a,) = constant.build([], [], {"value": splat_attr(aval.shape, aval.dtype, value)},
                                ip=trace.ip, loc=user_location())
    return Tracer(v, a, trace)


def run_staged(transform_key, apply, fun, args, kwargs, dynamic_mask_fn):
    """Run `apply(fun, args, kwargs)` as one compiled program (jit's cache, fun's code key)."""
    leaves, in_tree = pytree.tree_flatten((tuple(args), dict(kwargs)))
    dynamic = dynamic_mask_fn(args, kwargs, leaves)
    statics = tuple((i, value_key(x)) for i, (x, d) in enumerate(zip(leaves, dynamic))
                    if not d)
    dyn_leaves = [x for x, d in zip(leaves, dynamic) if d]
    dyn_tree = pytree.tree_structure(dyn_leaves)
    avals = [leaf_aval(x) for x in dyn_leaves]
    static_vals = {i: x for i, (x, d) in enumerate(zip(leaves, dynamic)) if not d}

    def rebuild(dyn):
        """Dynamic leaves (tracers) back into ((args, kwargs),) with the static leaves."""
        it = iter(dyn)
        full = [static_vals[i] if i in static_vals else next(it) for i in range(len(leaves))]
        return (pytree.tree_unflatten(in_tree, full),), {}

    def apply_to(f, a, k):
        ((args_, kwargs_),) = a
        return apply(f, args_, kwargs_)

    fkey = FunctionKey(fun)
    closure = [leaf_buffer(x, leaf_aval(x)) for x in fkey.arrays]
    bufs = [leaf_buffer(x, a) for x, a in zip(dyn_leaves, avals)]
    per_leaf = arg_shardings(dyn_leaves)
    shardings = None if all(s is None for s in per_leaf) else \
        HashableShardings(per_leaf, None, None)
    entry = lookup_or_compile(fun, fkey, dyn_tree, avals, statics, rebuild,
                                      transform=transform_key, apply=apply_to,
                                      concrete_args=closure + bufs, shardings=shardings)
    return entry.wrap(entry.call_flat(closure, bufs))


def needs_staging(args, kwargs) -> bool:
    if tracing():
        return False
    for x in pytree.tree_leaves((args, kwargs)):
        if type(x) is Tracer:
            return False
    return True


class HashableShardings(tuple):
    """(per-leaf in shardings, out_shardings prefix) as part of a cache key."""

    def __new__(cls, per_leaf, out, out_key):
        self = super().__new__(cls, (per_leaf, out))
        self._key = (per_leaf, out_key)
        return self

    def __hash__(self):
        return hash(self._key)

    def __eq__(self, other):
        return isinstance(other, HashableShardings) and self._key == other._key


