"""Eager application of a single plait op: a cached one-op `jit` per (op, parameters)."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=4096)
def _one_op(op, frozen_params):
    from plait.core.trace import bind
    from plait.jitting import new_jitted

    params = dict(frozen_params)

    def run(*args):
        return bind(op, *args, **params)

    run.__name__ = op.short_name
    return new_jitted(run)


def apply_op(op, args, params):
    return _one_op(op, tuple(sorted(params.items())))(*args)
