"""Building values inside rules and passes, at the current insertion point and location."""

from __future__ import annotations

import builtins

from plait._mlir import ir
from plait.core.aval import aval_of
from plait.core.dtypes import is_complex, real_dtype
from plait.dialect import elementwise as E
from plait.dialect.base import splat_attr
from plait.dialect.structural import constant


def full_like(v: ir.Value, value, dtype=None) -> ir.Value:
    """A constant shaped like `v` (optionally of another dtype) filled with `value`."""
    a = aval_of(v)
    dt = a.dtype if dtype is None else dtype
    if is_complex(dt):
        rt = real_dtype(dt)
        z = builtins.complex(value)
        re = constant(value=splat_attr(a.shape, rt, z.real))
        im = constant(value=splat_attr(a.shape, rt, z.imag))
        return E.complex(re, im)
    return constant(value=splat_attr(a.shape, dt, value))


def zeros_like(v: ir.Value) -> ir.Value:
    return full_like(v, 0)


def add_any(a, b):
    """Sum of two tangents/cotangents where None is a symbolic zero."""
    if a is None:
        return b
    if b is None:
        return a
    return E.add(a, b)
