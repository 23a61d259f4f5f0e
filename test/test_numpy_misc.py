"""plait.numpy's construction, shape, index, polynomial, window, calculus and dtype-information
functions vs NumPy (values) and jax.numpy (dtypes where plait follows jax, and derivatives),
eagerly and under plait.jit; and the coverage of jax.numpy's namespace.
"""

from __future__ import annotations

import io

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
from test_numpy import Rec, _differential
from usersite import raises_at

import plait
import plait.numpy as pnp
from plait.core.errors import ConcretizationError, PlaitTypeError, PlaitValueError

b1, u8, i32, i64 = (np.dtype(t) for t in ("bool", "uint8", "int32", "int64"))
f16, f32, f64, c64 = (np.dtype(t) for t in ("float16", "float32", "float64", "complex64"))

V = [((6,),)]
M = [((3, 4),)]
T3 = [((2, 3, 4),)]

CONSTRUCT = [
    Rec("append", lambda xp, a, b: (xp.append(a, b), xp.append(a, b, axis=0)),
        [((3, 4), (2, 4))], (f32, i32, (i32, f32)), oracle="jax"),
    Rec("insert-int", lambda xp, a: (xp.insert(a, 1, 7), xp.insert(a, -1, [5, 6, 7], axis=1),
                                     xp.insert(a, [1], [[5], [6], [7]], axis=1),
                                     xp.insert(a, 2, [1, 2, 3, 4], axis=0)),
        M, (f32, i32)),
    Rec("insert-seq", lambda xp, a: (xp.insert(a, [0, 2, 2], [7, 8, 9], axis=1),
                                     xp.insert(a, slice(0, 3, 2), 5)), M, (f32, i32)),
    Rec("delete", lambda xp, a: (xp.delete(a, 1, axis=0), xp.delete(a, [0, 3], axis=1),
                                 xp.delete(a, slice(None, None, 2)), xp.delete(a, -1)),
        M, (f32, i32)),
    Rec("resize", lambda xp, a: (xp.resize(a, (5, 3)), xp.resize(a, 7), xp.resize(a, (0,))),
        M, (f32, i32)),
    Rec("block", lambda xp, a, b: (xp.block([[a, b], [b, a]]), xp.block([a[0], b[0]]),
                                   xp.block(a)),
        [((2, 2), (2, 2))], (f32, (f32, i32)), oracle="jax"),
    Rec("column_stack", lambda xp, a, b: xp.column_stack([a, b, a]), [((4,), (4,))],
        (f32, i32)),
    Rec("dstack", lambda xp, a, b: (xp.dstack([a, b]), xp.dstack([a[0], b[0]])),
        [((2, 3), (2, 3))], (f32, i32)),
    Rec("hvd-split", lambda xp, a: (xp.hsplit(a, 2), xp.vsplit(a, [1]), xp.dsplit(a, [1, 3]),
                                    xp.hsplit(a[0, 0], 2)), [((2, 4, 4),)], (f32, i32)),
    Rec("atleast_3d", lambda xp, a, b, c: xp.atleast_3d(a, b, c),
        [((), (3,), (2, 3))], (f32, i32)),
    Rec("atleast_1d_2d-many", lambda xp, a, b: (xp.atleast_1d(a, b), xp.atleast_2d(a, b)),
        [((), (3,))], (f32,)),
    Rec("broadcast_arrays", lambda xp, a, b: xp.broadcast_arrays(a, b, 1.0),
        [((3, 1), (4,))], (f32, (i32, f32)), oracle="jax"),
    Rec("unstack", lambda xp, a: (xp.unstack(a), xp.unstack(a, axis=-1)), T3, (f32,)),
    Rec("permute_dims", lambda xp, a: (xp.permute_dims(a, (2, 0, 1)), xp.matrix_transpose(a)),
        T3, (f32, i32)),
    Rec("rollaxis", lambda xp, a: (xp.rollaxis(a, 2), xp.rollaxis(a, 0, 3), xp.rollaxis(a, 1, 1),
                                   xp.rollaxis(a, -1, -2)), T3, (f32,)),
    Rec("rot90", lambda xp, a: tuple(xp.rot90(a, k, axes) for k in (-1, 0, 1, 2, 3, 5)
                                     for axes in ((0, 1), (2, 0))), T3, (f32, i32)),
    Rec("concat-copy-diagflat", lambda xp, a, b: (xp.concat([a, b], axis=1), xp.copy(a),
                                                  xp.diagflat(a), xp.diagflat(b[0], -1)),
        [((2, 2), (2, 3))], (f32, i32)),
    Rec("array_equiv", lambda xp, a, b: (xp.array_equiv(a, a[:1]), xp.array_equiv(a, b),
                                         xp.array_equiv(a[0], a)),
        [((3, 4), (2, 4))], (f32, i32)),
    Rec("select", lambda xp, a: (xp.select([a < 0, a > 1], [a, a * 2], -1.5),
                                 xp.select([a > 0], [a])), M, (f32, i32), oracle="jax"),
    Rec("kron", lambda xp, a, b: (xp.kron(a, b), xp.kron(a[0], b), xp.kron(b, a[0, 0])),
        [((2, 3), (3, 2))], (f32, i32, (f32, i32)), oracle="jax"),
    Rec("cross", lambda xp, a, b: (xp.cross(a, b), xp.cross(a[:, :2], b),
                                   xp.cross(a[:, :2], b[:, :2]), xp.cross(a.T, b.T, axis=0),
                                   xp.cross(a, b, axisc=0)),
        [((4, 3), (4, 3))], (f32, i32, f64)),
    Rec("trace", lambda xp, a: (xp.trace(a), xp.trace(a, 1), xp.trace(a, -1, 2, 1),
                                xp.trace(a, axis1=1, axis2=2, dtype=xp.float32)),
        [((3, 4, 4),)], (f32, i32, f64), oracle="jax"),
    Rec("vecdot-matvec-vecmat", lambda xp, a, b: (xp.vecdot(a, b[0]), xp.matvec(a, b[0]),
                                                  xp.vecmat(b[0], a.T), xp.matvec(a[None], b)),
        [((3, 4), (2, 4))], (f32, c64, i32)),
    Rec("fill_diagonal", lambda xp, a: (_fill_diagonal(xp, a, 9),
                                        _fill_diagonal(xp, a, xp.arange(2), wrap=True),
                                        _fill_diagonal(xp, a.T, -1.0, wrap=True)),
        [((7, 3),)], (f32, i32)),
    Rec("choose", lambda xp, a, b, c: (xp.choose(c % 2, [a, b], mode="wrap"),
                                       xp.choose(c, [a, b, a], mode="clip"),
                                       xp.choose(c, [a, b], mode="wrap")),
        [((3, 4), (3, 4), (3, 4))], ((f32, f32, i32), (i32, i32, i32)), ("any", "any", "small")),
    Rec("put", lambda xp, a, i: (_inplace(xp, "put", a, i, xp.arange(3), mode="clip"),
                                 _inplace(xp, "put", a, i * 4, -2.0, mode="wrap")),
        [((3, 4), (5,))], ((f32, i32),), ("any", "small")),
    Rec("put_along_axis", lambda xp, a, i: (
        _inplace(xp, "put_along_axis", a, i, 9, axis=1),
        _inplace(xp, "put_along_axis", a.T, i.T[:1], -1, axis=0)),
        [((3, 4), (3, 2))], ((f32, i32), (i32, i32)), ("any", "small")),
    Rec("place", lambda xp, a: _place(xp, a, a > 0, [10, 20, 30]), M, (f32, i32)),
    Rec("indices", lambda xp: (xp.indices((2, 3)), xp.indices((2, 3), sparse=True),
                               xp.indices((3,), dtype=xp.int8)), [()], ((),), oracle="jax"),
    Rec("tri-diag-indices", lambda xp, a: (
        xp.tril_indices(3), xp.triu_indices(4, 1, 2), xp.tril_indices_from(a, -1),
        xp.triu_indices_from(a), xp.diag_indices(3, 3), xp.diag_indices_from(a[:3, :3])),
        M, (f32,), oracle="jax"),
    Rec("ix_", lambda xp, a: a[xp.ix_(np.array([0, 2]), np.array([True, False, True, True]))],
        M, (f32, i32)),
    Rec("ravel_multi_index", lambda xp, i, j: (
        xp.ravel_multi_index((i, j), (4, 4), mode="clip"),
        xp.ravel_multi_index((i, j), (3, 5), mode="wrap", order="F")),
        [((5,), (5,))], (i32,), "index", oracle="jax"),
    Rec("unravel_index", lambda xp, i: xp.unravel_index(i, (2, 3, 4)), [((6,),)], (i32,),
        "small", oracle="jax"),
    Rec("packbits", lambda xp, a: (xp.packbits(a), xp.packbits(a, axis=1),
                                   xp.packbits(a, axis=0, bitorder="little")),
        [((3, 11),)], (b1, i32), "unit"),
    Rec("unpackbits", lambda xp, a: (xp.unpackbits(a), xp.unpackbits(a, axis=1),
                                     xp.unpackbits(a, axis=0, count=-3),
                                     xp.unpackbits(a, count=40, bitorder="little")),
        [((2, 3),)], (u8,), "small"),
    Rec("geomspace-logspace", lambda xp: (
        xp.geomspace(1, 1000, 4), xp.geomspace(-2, -32, 5, endpoint=False),
        xp.logspace(0, 3, 4), xp.logspace(1, 2, 5, base=2.0, endpoint=False),
        xp.geomspace(xp.array([1.0, 2.0]), 8.0, 3, axis=1)), [()], ((),), oracle="jax"),
    Rec("vander", lambda xp, a: (xp.vander(a), xp.vander(a, 3, increasing=True),
                                 xp.vander(a, 0)), V, (f32, i32), oracle="jax"),
]


def _inplace(xp, name, a, *args, **kwargs):
    """NumPy's in-place update on a copy, plait's inplace=False."""
    if xp is np:
        a = a.copy()
        getattr(np, name)(a, *args, **kwargs)
        return a
    return getattr(xp, name)(a, *args, inplace=False, **kwargs)


def _place(xp, a, mask, vals):
    return _inplace(xp, "place", a, mask, vals)


def _fill_diagonal(xp, a, val, wrap=False):
    return _inplace(xp, "fill_diagonal", a, val, wrap=wrap)


def _f32(*values):
    return np.array(values, np.float32)


CALCULUS = [
    Rec("diff", lambda xp, a: (xp.diff(a), xp.diff(a, 2, axis=0), xp.diff(a, 0),
                               xp.diff(a, prepend=0, append=a[:, :1]),
                               xp.diff(a > 0)), M, (f32, i32), oracle="jax"),
    Rec("ediff1d", lambda xp, a: (xp.ediff1d(a), xp.ediff1d(a, to_begin=-1, to_end=[8, 9])),
        M, (f32, i32)),
    Rec("gradient", lambda xp, a, x: (xp.gradient(a), xp.gradient(a, 0.5, axis=1),
                                      xp.gradient(a, x, axis=1), xp.gradient(a[0], x)),
        [((3, 5), (5,))], (f32, f64), oracle="jax"),
    Rec("trapezoid", lambda xp, a, x: (xp.trapezoid(a), xp.trapezoid(a, dx=0.5, axis=0),
                                       xp.trapezoid(a, x), xp.trapezoid(a, xp.stack([x] * 3))),
        [((3, 5), (5,))], (f32, f64, (i32, f32)), oracle="jax"),
    Rec("unwrap", lambda xp, a: (xp.unwrap(a * 3), xp.unwrap(a * 3, axis=0),
                                 xp.unwrap(a * 3, discont=4.0), xp.unwrap(a, period=2.0)),
        M, (f32, f64), oracle="jax"),
    Rec("interp", lambda xp, x: (
        xp.interp(x, _f32(-1.0, 0.0, 0.5, 2.0), _f32(3.0, -1.0, 2.0, 0.0)),
        xp.interp(x, _f32(-1.0, 0.0, 2.0), _f32(3.0, -1.0, 2.0), left=-9, right=9),
        xp.interp(x, _f32(3.0, 0.0, 1.0), _f32(2.0, 3.0, -1.0), period=4.0)),
        M, (f32, f64), oracle="jax"),
    Rec("convolve", lambda xp, a, v: tuple(xp.convolve(a, v, m) for m in ("full", "same",
                                                                          "valid")),
        [((7,), (3,)), ((3,), (6,)), ((5,), (4,))], (f32, f64, c64), oracle="jax"),
    Rec("correlate", lambda xp, a, v: tuple(xp.correlate(a, v, m) for m in ("full", "same",
                                                                            "valid")),
        [((7,), (3,)), ((3,), (6,)), ((5,), (4,))], (f32, f64, c64), oracle="jax"),
    Rec("windows", lambda xp: tuple(
        f(n) for f in (xp.hamming, xp.hanning, xp.bartlett, xp.blackman) for n in (0, 1, 6, 7)
    ) + (xp.kaiser(8, 5.0), xp.kaiser(1, 2.0), xp.kaiser(9, 14)), [()], ((),), oracle="jax",
        tol=10),
]

POLY = [
    Rec("poly", lambda xp, r: xp.poly(r), V, (f32, f64), oracle="jax", tol=10),
    Rec("polyadd-sub", lambda xp, a, b: (xp.polyadd(a, b), xp.polysub(a, b),
                                         xp.polysub(b, a)),
        [((4,), (2,))], (f32, i32, (i32, f32)), oracle="jax"),
    Rec("polymul", lambda xp, a, b: xp.polymul(a, b), [((4,), (2,))], (f32, f64),
        oracle="jax"),
    Rec("polyder-polyint", lambda xp, p: (xp.polyder(p), xp.polyder(p, 3), xp.polyint(p),
                                          xp.polyint(p, 2, np.array([1.0, 2.0])), xp.polyint(p, 2, 3.0)),
        V, (f32, f64), oracle="jax"),
    Rec("polyval", lambda xp, p, x: xp.polyval(p, x), [((4,), (3, 2)), ((1,), ())],
        (f32, f64), oracle="jax"),
]


@pytest.mark.parametrize("rec", CONSTRUCT + CALCULUS + POLY, ids=lambda r: r.name)
def test_against_numpy(rec, request):
    for k, shapes in enumerate(rec.shapes):
        for j, dts in enumerate(rec.dtypes if k == 0 else rec.dtypes[:1]):
            dts = dts if isinstance(dts, tuple) else (dts,) * len(shapes)
            _differential(rec, shapes, dts, ("eager", "jit") if k == j == 0 else ("jit",),
                          request)
