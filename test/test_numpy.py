"""plait.numpy vs NumPy: one record per function, run eagerly and under plait.jit (STYLE rule 9).

A record's `fn(xp, *operands)` is the same code on `numpy`, `plait.numpy` and `jax.numpy`.
Values are compared with NumPy's; dtypes with NumPy's, or with jax.numpy's (x64 on only when
an input is 64-bit) where plait follows JAX by design: Python scalars and lists default to
32 bits, small integers sum in int32, weak scalars take the array's dtype.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import zlib
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from test_numpy_ufuncs import TESTED as UFUNCS_TESTED
from usersite import first_line, raises_at

import plait
import plait.numpy as pnp
from plait.core import dtypes as plait_dtypes

b1, i8, u8, i32, i64 = (np.dtype(t) for t in ("bool", "int8", "uint8", "int32", "int64"))
f16, f32, f64, c64 = (np.dtype(t) for t in ("float16", "float32", "float64", "complex64"))

# operand shapes per case (shared across records: each distinct signature compiles a program)
UNARY = [((3, 4),), ((),)]
BINARY = [((3, 4), (4,)), ((), (3, 4)), ((3, 1), (1, 4))]
REDUCE = [((3, 4),), ((2, 3, 4),)]
MATRIX = [((3, 4),), ((2, 3, 4),)]
NOARGS = [()]

_RTOL = {f16: 1e-2, f32: 1e-5, f64: 1e-12, c64: 1e-5}


@dataclasses.dataclass(frozen=True)
class Rec:
    name: str
    fn: Callable
    shapes: tuple = tuple(UNARY)
    dtypes: tuple = (f32, f64, i32)  # an entry is one dtype for all operands or one per operand
    domain: tuple | str = "any"  # input values: one name for all operands or one per operand
    tol: float = 1.0  # a multiple of the dtype's default tolerance
    oracle: str = "numpy"  # where the expected dtype comes from: "numpy" or "jax"
    marks: tuple = ()


def _cases(recs):
    """(record, operand shapes, operand dtypes, modes): a record's first shapes with each of its
    dtypes and its other shapes with its first dtypes, under jit; its first case also eagerly
    (the same code, one compiled program per function and signature)."""
    for r in recs:
        for k, shapes in enumerate(r.shapes):
            for j, dts in enumerate(r.dtypes if k == 0 else r.dtypes[:1]):
                dts = dts if isinstance(dts, tuple) else (dts,) * len(shapes)
                sid = ",".join("x".join(map(str, s)) or "0d" for s in shapes) or "noargs"
                did = ",".join(d.name for d in dict.fromkeys(dts)) or "-"
                modes = ("eager", "jit") if k == j == 0 else ("jit",)
                yield pytest.param(r, shapes, dts, modes, id=f"{r.name}-{sid}-{did}",
                                   marks=r.marks)


def _operand(rng, shape, dt, domain):
    if dt == b1:
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        lo, hi = {"any": (-5, 6), "pos": (1, 6), "nonzero": (1, 6), "small": (0, 4),
                  "unit": (-1, 2), "nan": (-5, 6), "index": (-2, 2)}[domain]
        x = rng.integers(max(lo, 0) if dt.kind == "u" else lo, hi, shape)
        if domain == "nonzero":
            x = x * rng.choice([-1, 1] if dt.kind == "i" else [1], shape)
        return x.astype(dt)
    if domain == "pos":
        x = rng.uniform(0.5, 3.0, shape)
    elif domain == "unit":
        x = rng.uniform(-0.9, 0.9, shape)
    elif domain == "small":
        x = rng.uniform(0.0, 3.0, shape)
    elif domain == "nonzero":
        x = rng.uniform(0.5, 3.0, shape) * rng.choice([-1, 1], shape)
    else:
        x = rng.normal(0, 2, shape)
    if dt.kind == "c":
        x = x + 1j * rng.normal(0, 2, shape)
    if domain == "nan" and x.size > 2:
        x.reshape(-1)[:3] = [np.nan, np.inf, -np.inf]
    return np.asarray(x, dt)


def _operands(rec, shapes, dts, seed_text):
    rng = np.random.default_rng(zlib.crc32(seed_text.encode()))
    doms = rec.domain if isinstance(rec.domain, tuple) else (rec.domain,) * len(shapes)
    return [_operand(rng, s, d, dom) for s, d, dom in zip(shapes, dts, doms)]


def _expected_dtypes(rec, args, ref):
    if rec.oracle == "numpy":
        return jax.tree.map(lambda r: (np.asarray(r).dtype, None), ref)
    x64 = any(a.dtype.itemsize == (16 if a.dtype.kind == "c" else 8) for a in args)
    with jax.enable_x64(x64):
        out = jax.eval_shape(lambda *a: rec.fn(jnp, *a),
                             *[jax.ShapeDtypeStruct(a.shape, a.dtype) for a in args])
    return jax.tree.map(lambda s: (np.dtype(s.dtype), s.weak_type), out)


def _run(rec, args, mode):
    if mode == "eager":
        return rec.fn(pnp, *[pnp.asarray(a) for a in args])
    return plait.jit(lambda *a: rec.fn(pnp, *a))(*args)


def _check(out, ref, expected, dt_in, tol, where):
    if isinstance(ref, (list, tuple)):
        assert isinstance(out, (list, tuple)) and len(out) == len(ref), where
        for o, r, e in zip(out, ref, expected):
            _check(o, r, e, dt_in, tol, where)
        return
    assert isinstance(out, plait.Array), f"{where}: got {type(out).__name__}"
    dt, weak = expected
    assert out.dtype == dt, f"{where}: dtype {out.dtype}, expected {dt}"
    if weak is not None and dt != b1:  # jax marks `x_i32 > 0.5` weak; a weak bool acts as bool
        assert out.weak_type == weak, f"{where}: weak_type {out.weak_type}, expected {weak}"
    got, ref = np.asarray(out), np.asarray(ref)
    assert got.shape == ref.shape, f"{where}: shape {got.shape}, expected {ref.shape}"
    if dt.kind in "biu" and ref.dtype.kind in "biu":
        np.testing.assert_array_equal(got, ref, err_msg=where)
        return
    rtol = max(_RTOL.get(d, 0) for d in (*dt_in, dt)) * tol or 1e-6 * tol
    np.testing.assert_allclose(got.astype(ref.dtype), ref, rtol=rtol, atol=rtol, equal_nan=True,
                               err_msg=where)


def _differential(rec, shapes, dts, modes, request):
    args = _operands(rec, shapes, dts, request.node.name)
    with np.errstate(all="ignore"):
        ref = rec.fn(np, *[a.copy() for a in args])
    expected = _expected_dtypes(rec, args, ref)
    for mode in modes:
        _check(_run(rec, args, mode), ref, expected, dts, rec.tol, f"{rec.name} ({mode})")



FLOATS = (f32, f64, f16)
INEXACT_IN = (f32, f64, f16, i32)  # integers are promoted to float (jax: float32, not float64)

ELEMENTWISE = [
    Rec("sqrt", lambda xp, x: xp.sqrt(x), dtypes=INEXACT_IN, domain="pos", oracle="jax"),
    Rec("exp", lambda xp, x: xp.exp(x), dtypes=INEXACT_IN + (c64,), domain="unit", oracle="jax"),
    Rec("expm1", lambda xp, x: xp.expm1(x), dtypes=INEXACT_IN, domain="unit", oracle="jax"),
    Rec("log", lambda xp, x: xp.log(x), dtypes=INEXACT_IN, domain="pos", oracle="jax"),
    Rec("log1p", lambda xp, x: xp.log1p(x), dtypes=INEXACT_IN, domain="unit", oracle="jax"),
    Rec("sin", lambda xp, x: xp.sin(x), dtypes=INEXACT_IN, oracle="jax"),
    Rec("cos", lambda xp, x: xp.cos(x), dtypes=INEXACT_IN, oracle="jax"),
    Rec("tanh", lambda xp, x: xp.tanh(x), dtypes=INEXACT_IN, oracle="jax"),
    Rec("abs", lambda xp, x: xp.abs(x), dtypes=(f32, f64, i32, i8, u8, b1, c64)),
    Rec("sign", lambda xp, x: xp.sign(x), dtypes=(f32, f64, i32, u8)),
    Rec("floor", lambda xp, x: xp.floor(x), dtypes=FLOATS + (i32,)),
    Rec("square", lambda xp, x: xp.square(x), dtypes=(f32, f64, i32, c64)),
    Rec("isnan", lambda xp, x: xp.isnan(x), dtypes=(f32, f64, i32), domain="nan"),
    Rec("isfinite", lambda xp, x: xp.isfinite(x), dtypes=(f32, f64, i32, c64), domain="nan"),
    Rec("logical_not", lambda xp, x: xp.logical_not(x), dtypes=(b1, f32, i32), domain="unit"),
    Rec("astype", lambda xp, x: xp.astype(x, xp.int32), dtypes=(f32, f64, b1)),
    Rec("astype-f16", lambda xp, x: xp.astype(x, xp.float16), dtypes=(f32, i32, b1)),
    Rec("maximum", lambda xp, x, y: xp.maximum(x, y), BINARY, (f32, f64, i32, (i8, f16))),
    Rec("minimum", lambda xp, x, y: xp.minimum(x, y), BINARY, (f32, f64, i32, (u8, i8))),
    Rec("multiply", lambda xp, x, y: xp.multiply(x, y), BINARY, (f32, f64, i32, (f16, f32))),
    Rec("multiply-weak", lambda xp, x: xp.multiply(x, 3), dtypes=(f16, i8, u8, b1),
        oracle="jax"),
    Rec("equal", lambda xp, x, y: xp.equal(x, y), BINARY, (f32, i32, (i32, f64)), "unit"),
    Rec("logical_and", lambda xp, x, y: xp.logical_and(x, y), BINARY, (b1, f32), "unit"),
    Rec("logical_or", lambda xp, x, y: xp.logical_or(x, y), BINARY, (b1, i32), "unit"),
    Rec("mod", lambda xp, x, y: xp.mod(x, y), BINARY, (i32, f32, f64, i8),
        ("any", "nonzero")),
    Rec("floor_divide", lambda xp, x, y: xp.floor_divide(x, y), BINARY, (i32, f32, f64, u8),
        ("any", "nonzero")),
    Rec("power", lambda xp, x, y: xp.power(x, y), BINARY, (f32, f64), ("pos", "any")),
    Rec("power-int", lambda xp, x, y: xp.power(x, y), BINARY, (i32, i64), ("any", "small")),
    Rec("power-int-exponent", lambda xp, x: (xp.power(x, 3), x ** 2, x ** 0),
        dtypes=(f32, f64, i32, u8, f16), oracle="jax"),
    Rec("power-negative-exponent", lambda xp, x: (x ** -2, xp.power(x, -1)),
        dtypes=(f32, f64), domain="pos"),
    Rec("power-float-exponent", lambda xp, x: (xp.power(x, 0.5), x ** 1.5), dtypes=(f32, f64),
        domain="pos", oracle="jax"),
    Rec("where", lambda xp, c, x, y: xp.where(c, x, y),
        [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ()), ((), (3, 4), (1, 4))],
        ((b1, f32, f32), (b1, f64, i32), (b1, i32, f16)), oracle="jax"),
    Rec("where-scalars", lambda xp, x: xp.where(x > 0, x, 0.5), dtypes=(f32, f16, i32),
        oracle="jax"),
    Rec("clip", lambda xp, x: (xp.clip(x, -1, 1), xp.clip(x, None, 0.5), x.clip(0)),
        dtypes=(f32, f64, i32), oracle="jax"),
    Rec("clip-arrays", lambda xp, x, lo: xp.clip(x, lo, 2), BINARY, (f32, i32)),
]

_SUM_ETC = (f32, f64, i32, b1, i8)

REDUCTIONS = [
    Rec("sum", lambda xp, x: (xp.sum(x), xp.sum(x, axis=0), xp.sum(x, axis=-1, keepdims=True)),
        REDUCE + [((5,),)], _SUM_ETC, oracle="jax"),
    Rec("sum-axes", lambda xp, x: xp.sum(x, axis=(0, 2)), [((2, 3, 4),)], (f32, i64)),
    Rec("prod", lambda xp, x: (xp.prod(x), xp.prod(x, axis=0)), REDUCE, (f32, f64, i32, b1),
        "unit", oracle="jax"),
    Rec("mean", lambda xp, x: (xp.mean(x), xp.mean(x, axis=0), xp.mean(x, axis=-1, keepdims=True)),
        REDUCE, (f32, f64, i32, f16, b1), oracle="jax"),
    Rec("var", lambda xp, x: (xp.var(x), xp.var(x, axis=0), xp.var(x, axis=-1, ddof=1)),
        REDUCE, (f32, f64, i32, c64), oracle="jax"),
    Rec("std", lambda xp, x: (xp.std(x), xp.std(x, axis=-1, keepdims=True)), REDUCE,
        (f32, f64, i32), oracle="jax"),
    Rec("max", lambda xp, x: (xp.max(x), xp.max(x, axis=0), xp.max(x, axis=-1, keepdims=True)),
        REDUCE, (f32, f64, i32, u8, b1)),
    Rec("min", lambda xp, x: (xp.min(x), xp.min(x, axis=0)), REDUCE, (f32, f64, i32, u8, b1)),
    Rec("max-nan", lambda xp, x: (xp.max(x), xp.min(x)), [((5,),)], (f32,), "nan"),
    Rec("argmax", lambda xp, x: (xp.argmax(x), xp.argmax(x, axis=0), xp.argmax(x, axis=-1)),
        REDUCE, (f32, i32, b1), oracle="jax"),
    Rec("argmin", lambda xp, x: (xp.argmin(x), xp.argmin(x, axis=0), xp.argmin(x, axis=-1)),
        REDUCE, (f32, u8), oracle="jax"),
    Rec("argmax-keepdims", lambda xp, x: (xp.argmax(x, axis=1, keepdims=True),
                                          xp.argmin(x, keepdims=True)), [((3, 4),)], (f32,),
        oracle="jax"),
    Rec("sum-dtype", lambda xp, x: (xp.sum(x, dtype=xp.float16), xp.mean(x, 0, dtype=xp.float64),
                                    xp.cumsum(x, axis=1, dtype=xp.float32),
                                    xp.prod(x, dtype=xp.int64)), [((3, 4),)], (i32, f32),
        "unit"),
    Rec("argmax-nan", lambda xp, x: (xp.argmax(x), xp.argmin(x)), [((5,),)], (f32,), "nan",
        oracle="jax"),
    Rec("any", lambda xp, x: (xp.any(x), xp.any(x, axis=0)), REDUCE, (b1, f32, i32), "unit"),
    Rec("all", lambda xp, x: (xp.all(x), xp.all(x, axis=-1)), REDUCE, (b1, f32, i32), "unit"),
    Rec("cumsum", lambda xp, x: (xp.cumsum(x), xp.cumsum(x, axis=0), xp.cumsum(x, axis=-1)),
        REDUCE, (f32, f64, i32, b1), oracle="jax"),
    Rec("logsumexp", lambda xp, x: (_logsumexp(xp, x), _logsumexp(xp, x, axis=-1),
                                    _logsumexp(xp, x, axis=0, keepdims=True)),
        REDUCE, (f32, f64), oracle="jax"),
    Rec("logsumexp-inf", lambda xp, x: _logsumexp(xp, xp.log(x * 0), axis=-1), [((3, 4),)],
        (f32,), "pos"),
    Rec("allclose", lambda xp, x, y: (xp.asarray(xp.allclose(x, x + 1e-7)),
                                      xp.asarray(xp.allclose(x, y))),
        BINARY[:2], (f32, f64)),
]


def _logsumexp(xp, x, axis=None, keepdims=False):
    """jax.scipy / NumPy spelling of logsumexp (plait.numpy has it as a function)."""
    if xp is pnp:
        return pnp.logsumexp(x, axis=axis, keepdims=keepdims)
    if xp is jnp:
        return jax.scipy.special.logsumexp(x, axis=axis, keepdims=keepdims)
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


# leading dimensions only one operand has, or of size 1 in one or both
MATMUL_BROADCAST = [((4,), (2, 4, 5)), ((2, 3, 4), (4,)), ((2, 1, 3, 4), (6, 4, 5)),
                    ((1, 3, 4), (1, 4, 5)), ((2, 1, 3, 4), (1, 5, 4, 2)), ((5, 4, 2), (2, 1, 2, 3))]

LINALG = [
    Rec("dot", lambda xp, x, y: xp.dot(x, y),
        [((4,), (4,)), ((3, 4), (4,)), ((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((), (3, 4))],
        (f32, f64, i32, (i32, f32)), oracle="jax"),
    Rec("matmul", lambda xp, x, y: xp.matmul(x, y),
        [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)),
         ((2, 1, 3, 4), (5, 4, 2)), ((2, 3, 4), (4, 5)), *MATMUL_BROADCAST],
        (f32, f64, i32, c64)),
    Rec("outer", lambda xp, x, y: xp.outer(x, y), [((3,), (4,)), ((2, 2), (3,))], (f32, i32)),
    Rec("einsum-matmul", lambda xp, x, y: xp.einsum("ij,jk->ik", x, y), [((3, 4), (4, 5))],
        (f32, f64, (i32, f32)), oracle="jax"),
    Rec("einsum-batch-matmul", lambda xp, x, y: xp.einsum("bij,bjk->bik", x, y),
        [((2, 3, 4), (2, 4, 5))], (f32, f64)),
    Rec("einsum-trace", lambda xp, x: xp.einsum("ii->", x), [((4, 4),)], (f32, i32)),
    Rec("einsum-diag", lambda xp, x: xp.einsum("ii->i", x), [((4, 4),)], (f32,)),
    Rec("einsum-outer", lambda xp, x, y: xp.einsum("i,j->ij", x, y), [((3,), (4,))], (f32, i32)),
    Rec("einsum-transpose-sum", lambda xp, x: (xp.einsum("ijk->kj", x), xp.einsum("ijk", x)),
        [((2, 3, 4),)], (f32,)),
    Rec("einsum-3-operands", lambda xp, x, y, z: xp.einsum("ij,jk,kl->il", x, y, z),
        [((2, 3), (3, 4), (4, 5))], (f32, f64)),
    Rec("einsum-3-operands-batch", lambda xp, x, y, z: xp.einsum("bi,bij,bj->b", x, y, z),
        [((2, 3), (2, 3, 4), (2, 4))], (f32,)),
]

SHAPE = [
    Rec("reshape", lambda xp, x: (xp.reshape(x, (-1,)), xp.reshape(x, (2, -1, 2)),
                                  xp.reshape(x, (1, 12))), [((3, 4),), ((12,),)], (f32, i32)),
    Rec("reshape-0d", lambda xp, x: (xp.reshape(x, (1, 1)), xp.reshape(x, ())), [((),), ((1,),)],
        (f32,)),
    Rec("transpose", lambda xp, x: (xp.transpose(x), xp.transpose(x, (1, 0, 2)),
                                    xp.transpose(x, (-1, 0, 1))), [((2, 3, 4),)], (f32, b1)),
    Rec("expand_dims", lambda xp, x: (xp.expand_dims(x, 0), xp.expand_dims(x, -1),
                                      xp.expand_dims(x, (0, 2)), xp.expand_dims(x, (-1, 0))),
        MATRIX, (f32,)),
    Rec("squeeze", lambda xp, x: (xp.squeeze(x), xp.squeeze(x, 0), xp.squeeze(x, axis=(0, 2))),
        [((1, 3, 1),), ((1, 1, 1),)], (f32, i32)),
    Rec("broadcast_to", lambda xp, x: xp.broadcast_to(x, (2, 3, 4)),
        [((),), ((4,),), ((3, 1),), ((1, 3, 4),)], (f32, i32, b1)),
    Rec("concatenate", lambda xp, x, y: (xp.concatenate([x, y]), xp.concatenate([x, y], axis=-1),
                                         xp.concatenate((x, y), axis=None)),
        [((3, 4), (3, 4))], (f32, (i32, f32), (f16, f64)), oracle="jax"),
    Rec("stack", lambda xp, x, y: (xp.stack([x, y]), xp.stack([x, y], axis=-1),
                                   xp.stack((x, y, x), axis=-1)),
        [((), ()), ((4,), (4,)), ((3, 4), (3, 4))], (f32, (i32, f32)), oracle="jax"),
    Rec("split", lambda xp, x: (xp.split(x, 2), xp.split(x, [1, 3], axis=1),
                                xp.split(x, 4, axis=-1)), [((4, 4),)], (f32, i32)),
    Rec("tile", lambda xp, x: (xp.tile(x, 2), xp.tile(x, (2, 1)), xp.tile(x, (2, 1, 3))),
        [((),), ((3,),), ((2, 3),)], (f32, i32)),
    Rec("repeat", lambda xp, x: (xp.repeat(x, 2), xp.repeat(x, 3, axis=0),
                                 xp.repeat(x, 2, axis=-1)), MATRIX, (f32, i32)),
    Rec("repeat-list", lambda xp, x: xp.repeat(x, [1, 0, 2], axis=0), [((3, 4),)], (f32,)),
    Rec("moveaxis", lambda xp, x: (xp.moveaxis(x, 0, -1), xp.moveaxis(x, -1, 0),
                                   xp.moveaxis(x, (0, 1), (2, 0))), [((2, 3, 4),)], (f32,)),
    Rec("swapaxes", lambda xp, x: (xp.swapaxes(x, 0, 1), xp.swapaxes(x, -1, 0)), MATRIX, (f32,)),
    Rec("flip", lambda xp, x: (xp.flip(x), xp.flip(x, 0), xp.flip(x, (0, -1))), MATRIX,
        (f32, i32)),
    Rec("roll", lambda xp, x: (xp.roll(x, 1), xp.roll(x, -2, axis=0), xp.roll(x, 5, axis=-1),
                               xp.roll(x, (1, 2), axis=(0, 1))), MATRIX, (f32,)),
    Rec("ravel", lambda xp, x: (xp.ravel(x), x.ravel(), x.flatten()), [((),)] + MATRIX, (f32,)),
    Rec("pad-constant", lambda xp, x: (xp.pad(x, 1), xp.pad(x, ((0, 1), (2, 0))),
                                       xp.pad(x, (1, 2), constant_values=7),
                                       xp.pad(x, ([1, 0], [0, 2]))),
        [((3, 4),)], (f32, i32, u8)),
    Rec("pad-edge", lambda xp, x: (xp.pad(x, 2, mode="edge"), xp.pad(x, ((1, 0), (0, 3)),
                                                                     mode="edge")),
        [((3, 4),), ((2, 1),)], (f32, i32)),
    Rec("pad-1d", lambda xp, x: (xp.pad(x, (2, 1)), xp.pad(x, 1, mode="edge")), [((4,),)],
        (f32,)),
    Rec("tril", lambda xp, x: (xp.tril(x), xp.tril(x, -1), xp.tril(x, 2)),
        [((4, 4),), ((3, 5),), ((2, 3, 4),)], (f32, i32, b1)),
    Rec("triu", lambda xp, x: (xp.triu(x), xp.triu(x, 1), xp.triu(x, -2)),
        [((4, 4),), ((3, 5),), ((2, 3, 4),)], (f32, i32, b1)),
    Rec("diag-1d", lambda xp, x: (xp.diag(x), xp.diag(x, -1), xp.diag(x, 2)), [((3,),)],
        (f32, i32, b1)),
    Rec("diag-2d", lambda xp, x: (xp.diag(x), xp.diag(x, 1), xp.diag(x, -2), xp.diag(x, 6),
                                  xp.diag(x, -4)), [((4, 4),), ((3, 5),)], (f32, i32)),
    Rec("take", lambda xp, x, i: (xp.take(x, i), xp.take(x, i, axis=0), xp.take(x, i, axis=-1)),
        [((3, 4), (2,)), ((3, 4), (2, 2)), ((3, 4), ())], ((f32, i32), (i32, i64)),
        ("any", "index")),
    Rec("take-negative", lambda xp, x: xp.take(x, xp.asarray([-1, 0, -3]), axis=1),
        [((3, 4),)], (f32,)),
    Rec("take_along_axis", lambda xp, x, i: (xp.take_along_axis(x, i, axis=0),
                                             xp.take_along_axis(x, i, axis=-1)),
        [((3, 3), (3, 3)), ((3, 3), (3, 1)), ((2, 3), (2, 1))], ((f32, i32), (i32, i64)),
        ("any", "index")),
    Rec("take_along_axis-argsort", lambda xp, x: xp.take_along_axis(x, xp.asarray(
        np.argsort(np.arange(12).reshape(3, 4) % 5, axis=1)), axis=1), [((3, 4),)], (f32,)),
]

CREATION = [
    Rec("zeros", lambda xp: (xp.zeros(3), xp.zeros((2, 3)), xp.zeros((), xp.int32),
                             xp.zeros((2,), bool)), NOARGS, [()], oracle="jax"),
    Rec("ones", lambda xp: (xp.ones(3), xp.ones((2, 3), xp.int8), xp.ones((), xp.complex64)),
        NOARGS, [()], oracle="jax"),
    Rec("creation-64-bit", lambda xp: (
        xp.zeros(2, dtype=xp.float64), xp.ones((2,), xp.int64), xp.full(2, 1.5, xp.float64),
        xp.full(3, np.float64(2.5)), xp.array(np.arange(3, dtype=np.int64)),
        xp.asarray(np.float64(1)), xp.asarray([1.0, 2.0], xp.float64), xp.eye(2, dtype=xp.float64),
        xp.linspace(0, 10, 6, dtype=xp.float64), xp.arange(3, dtype=xp.int64)), NOARGS, [()]),
    Rec("full", lambda xp: (xp.full((2, 3), 1.5), xp.full(3, 7), xp.full((2,), 2, xp.float16),
                            xp.full((), True), xp.full((2, 2), 1 + 2j)),
        NOARGS, [()], oracle="jax"),
    Rec("full-array-fill", lambda xp, v: (xp.full((2, 3), v), xp.full(3, v, xp.float32)),
        [((),), ((3,),)], (f32, i32, f64)),
    Rec("zeros_like", lambda xp, x: (xp.zeros_like(x), xp.zeros_like(x, dtype=xp.float16)),
        UNARY[:2], (f32, i32, b1, f64)),
    Rec("ones_like", lambda xp, x: (xp.ones_like(x), xp.ones_like(x, dtype=xp.int8)),
        UNARY[:2], (f32, i32, b1, f64)),
    Rec("full_like", lambda xp, x: (xp.full_like(x, 3), xp.full_like(x, 2.5),
                                    xp.full_like(x, 1, dtype=xp.float16)),
        UNARY[:2], (f32, i32, f64)),
    Rec("array", lambda xp: (xp.array([1, 2, 3]), xp.array([[1.5, 2.0]]), xp.array(3.0),
                             xp.array([True, False]), xp.array([1, 2], dtype=xp.float16),
                             xp.array(7, ndmin=2)),
        NOARGS, [()], oracle="jax"),
    Rec("array-of-arrays", lambda xp, x, y: (xp.array([x, y]), xp.array((x, y), dtype=xp.float32),
                                             xp.array([x[0], 1.0, y[1]])),
        [((3,), (3,))], (f32, (i32, f32)), oracle="jax"),
    Rec("asarray", lambda xp, x: (xp.asarray(x), xp.asarray(x, dtype=xp.float16)), UNARY[:2],
        (f32, f64, i32)),
    Rec("asarray-python", lambda xp: (xp.asarray([1.0, 2.0]), xp.asarray(2), xp.asarray(2.5),
                                      xp.asarray([[1, 2]], xp.int8), xp.asarray(True)),
        NOARGS, [()], oracle="jax"),
    Rec("arange", lambda xp: (xp.arange(5), xp.arange(2, 8), xp.arange(1, 10, 3),
                              xp.arange(0.0, 1.0, 0.25), xp.arange(5, dtype=xp.float32),
                              xp.arange(4, 0, -1), xp.arange(0)),
        NOARGS, [()], oracle="jax"),
    Rec("linspace", lambda xp: (xp.linspace(0, 1, 5), xp.linspace(-1, 1, 4, endpoint=False),
                                xp.linspace(2, 3, 1), xp.linspace(0, 10, 6, dtype=xp.float16)),
        NOARGS, [()], oracle="jax"),
    Rec("linspace-int", lambda xp: (xp.linspace(0, 10, 5, dtype=xp.int32),
                                    xp.linspace(-5, 0, 4, dtype=xp.int32)), NOARGS, [()]),
    Rec("linspace-arrays", lambda xp, x, y: (xp.linspace(x, y, 5), xp.linspace(x, y, 4, axis=1),
                                             xp.linspace(x, y, 3, endpoint=False)),
        [((3,), (3,)), ((), (2,))], (f32, f64)),
    Rec("eye", lambda xp: (xp.eye(3), xp.eye(2, 4), xp.eye(4, k=1), xp.eye(3, 2, k=-1),
                           xp.eye(3, dtype=xp.int32)), NOARGS, [()], oracle="jax"),
    Rec("shape", lambda xp, x: xp.zeros(xp.shape(x) + (2,)), UNARY, (f32,), oracle="jax"),
]

METHODS = [
    Rec("method-sum", lambda xp, x: (x.sum(), x.sum(axis=0), x.sum(0, keepdims=True)), MATRIX,
        (f32, i32), oracle="jax"),
    Rec("method-T", lambda xp, x: (x.T, x.mT, x.transpose(), x.transpose(1, 0, 2)),
        [((2, 3, 4),)], (f32,)),
    Rec("method-T-2d", lambda xp, x: (x.T, x.transpose((1, 0))), [((3, 4),)], (i32,)),
    Rec("method-reshape", lambda xp, x: (x.reshape(4, 3), x.reshape((2, 6)), x.reshape(-1)),
        [((3, 4),)], (f32,)),
    Rec("method-astype", lambda xp, x: (x.astype(xp.float16), x.astype(np.int32),
                                        x.astype(bool)), UNARY, (f32, i32)),
    Rec("method-mean", lambda xp, x: (x.mean(), x.mean(axis=-1, keepdims=True),
                                      x.mean(axis=(0, 1))), MATRIX, (f32, i32), oracle="jax"),
    Rec("method-reductions", lambda xp, x: (x.max(), x.min(axis=0), x.prod(axis=-1),
                                            x.argmax(), x.argmin(axis=0), x.std(), x.var(axis=0),
                                            x.cumsum(axis=1)), MATRIX, (f32,), "unit",
        oracle="jax"),
    Rec("method-any-all", lambda xp, x: (x.any(), x.all(axis=0)), MATRIX, (b1,)),
    Rec("method-misc", lambda xp, x: (x.squeeze(), x.swapaxes(0, 1), x.repeat(2, axis=0),
                                      x.clip(-1, 1), x.round(), x.conj(), x.take(0)),
        [((3, 1),)], (f32,)),
    Rec("method-complex", lambda xp, x: (x.real, x.imag, x.conj(), xp.abs(x)), UNARY, (c64, f32)),
    Rec("method-dot", lambda xp, x, y: (x.dot(y), x @ y), [((3, 4), (4, 2))], (f32,)),
    Rec("operators", lambda xp, x, y: (x + y, x - y, x * y, x / y, -x, abs(x), +x,
                                       x < y, x <= y, x == y, x != y, x > y, x >= y),
        BINARY[:2], (f32, i32, (f16, f32)), ("any", "nonzero"), oracle="jax"),
    Rec("operators-int", lambda xp, x, y: (x // y, x % y, x ** 2, x & y, x | y, x ^ y, ~x),
        BINARY[:1], (i32, u8, (i8, i32)), ("any", "nonzero"), oracle="jax"),
    Rec("operators-scalars", lambda xp, x: (x + 1, 2 * x, x / 2, 1.5 - x, x ** 2, 3 // (x * 0 + 2),
                                            x > 0.5, 2 ** x),
        UNARY[:1], (f32, f16, i32, u8, f64), "small", oracle="jax"),
]

# the rest of the namespace: aliases and functions the list above does not need twice
MORE = [
    Rec("tan", lambda xp, x: xp.tan(x), dtypes=(f32, f64, i32), domain="unit", oracle="jax"),
    Rec("ceil", lambda xp, x: (xp.ceil(x), xp.trunc(x)), dtypes=(f32, f64, i32)),
    Rec("round", lambda xp, x: (xp.round(x), xp.around(x, 1), xp.round(x * 100, -1)),
        dtypes=(f32, f64, i32), tol=10),
    Rec("round-int", lambda xp, x: (xp.round(x * 7, -1), xp.round(x, 0), xp.around(x * 9, -1)),
        dtypes=(i32, i8, u8), domain="any"),
    Rec("round-complex", lambda xp, x: (xp.round(x), xp.round(x, 1)), dtypes=(c64,)),
    Rec("reciprocal", lambda xp, x: xp.reciprocal(x), dtypes=(f32, f64, c64), domain="nonzero"),
    Rec("negative", lambda xp, x: (xp.negative(x), xp.positive(x), xp.absolute(x)),
        dtypes=(f32, i8, c64)),
    Rec("add", lambda xp, x, y: (xp.add(x, y), xp.subtract(x, y)), BINARY, (f32, u8, (i32, f64))),
    # in bool, NumPy's + and sum are `or`, its * and prod `and`
    Rec("add-bool", lambda xp, x, y: (xp.add(x, y), x + y, xp.multiply(x, y), x * y,
                                      xp.sum(x, dtype=bool), xp.prod(y, axis=0, dtype=xp.bool_),
                                      xp.sum(y * 2, 0, bool)), BINARY, (b1,)),
    Rec("divide", lambda xp, x, y: (xp.divide(x, y), xp.true_divide(x, y)), BINARY,
        (f32, f64, i32, (f16, i8)), ("any", "nonzero"), oracle="jax"),
    Rec("remainder", lambda xp, x, y: (xp.remainder(x, y), xp.fmod(x, y)), BINARY, (i32, f32),
        ("any", "nonzero")),
    Rec("arctan2", lambda xp, x, y: xp.arctan2(x, y), BINARY, (f32, f64, i32), oracle="jax"),
    Rec("bitwise", lambda xp, x, y: (xp.bitwise_and(x, y), xp.bitwise_or(x, y),
                                     xp.bitwise_xor(x, y), xp.invert(x)), BINARY,
        (i32, u8, b1, (i8, i32))),
    Rec("logical_xor", lambda xp, x, y: xp.logical_xor(x, y), BINARY, (b1, f32), "unit"),
    Rec("compare", lambda xp, x, y: (xp.greater(x, y), xp.greater_equal(x, y), xp.less(x, y),
                                     xp.less_equal(x, y), xp.not_equal(x, y)), BINARY,
        (f32, i32, (u8, i8)), "unit"),
    Rec("isinf", lambda xp, x: (xp.isinf(x), xp.isnan(x)), dtypes=(f32, f64, i32, c64),
        domain="nan"),
    Rec("isclose", lambda xp, x, y: (xp.isclose(x, y), xp.isclose(x, x + 1e-3, atol=1e-2),
                                     xp.isclose(x, y, equal_nan=True)), BINARY[:2], (f32, f64),
        "nan"),
    Rec("array_equal", lambda xp, x: (xp.asarray(xp.array_equal(x, x)),
                                      xp.asarray(xp.array_equal(x, x + 1)),
                                      xp.asarray(xp.array_equal(x, x[:1]))), [((3, 4),)], (f32,)),
    Rec("count_nonzero", lambda xp, x: (xp.count_nonzero(x), xp.count_nonzero(x, axis=0)),
        REDUCE, (f32, i32, b1), "unit", oracle="jax"),
    Rec("real", lambda xp, x: (xp.real(x), xp.imag(x), xp.conj(x), xp.conjugate(x)),
        dtypes=(c64, f32, i32)),
    Rec("amax", lambda xp, x: (xp.amax(x, axis=1), xp.amin(x)), MATRIX, (f32, i8)),
    Rec("array_split", lambda xp, x: (xp.array_split(x, 2), xp.array_split(x, 3),
                                      xp.array_split(x, 2, axis=1), xp.array_split(x, [-1, 1])),
        [((4, 3),)], (f32,)),
    Rec("split-indices", lambda xp, x: (xp.split(x, [-1, 2], axis=1), xp.split(x, [3, 1]),
                                        xp.split(x, [])), [((4, 3),)], (f32,)),
    Rec("atleast_1d", lambda xp, x: (xp.atleast_1d(x), xp.atleast_2d(x)), [((),), ((3,),)],
        (f32,)),
    Rec("vstack", lambda xp, x, y: (xp.vstack([x, y]), xp.hstack([x, y])),
        [((3,), (3,)), ((2, 3), (2, 3))], (f32, (i32, f32)), oracle="jax"),
    Rec("diagonal", lambda xp, x: (xp.diagonal(x), xp.diagonal(x, 1), xp.diagonal(x, -1, 1, 2),
                                   xp.diagonal(x, 0, -1, 0)), [((3, 4, 5),)], (f32, i32)),
    Rec("fliplr", lambda xp, x: (xp.fliplr(x), xp.flipud(x)), MATRIX, (f32,)),
    Rec("identity", lambda xp: (xp.identity(3), xp.identity(2, xp.int32), xp.tri(3), xp.tri(2, 4, 1),
                                xp.tri(3, k=-1, dtype=xp.int8)), NOARGS, [()], oracle="jax"),
    Rec("empty", lambda xp, x: tuple(xp.zeros(e.shape, e.dtype) for e in (
        xp.empty((2, 3)), xp.empty(4, xp.int8), xp.empty_like(x))), UNARY, (f32, i32),
        oracle="jax"),
    Rec("inner", lambda xp, x, y: (xp.inner(x, y), xp.vdot(x, y)), [((4,), (4,))], (f32, c64)),
    Rec("inner-nd", lambda xp, x, y: xp.inner(x, y), [((2, 4), (3, 4)), ((), (4,))], (f32, i32)),
    # every form of `axes` NumPy takes: an int, a pair of ints, a pair of sequences, lists
    Rec("tensordot", lambda xp, x, y: (xp.tensordot(x, y, 1), xp.tensordot(x, y, ((0, 1), (1, 0))),
                                       xp.tensordot(x, y, ([0], [1])), xp.tensordot(x, y, 0),
                                       xp.tensordot(x, y, [[1, 0], [0, 1]]), xp.tensordot(x, y, (1, 0)),
                                       xp.tensordot(x, y, [-1, 0]), xp.tensordot(x, y, np.int64(1)),
                                       xp.tensordot(x, y, ((-1,), [-2])), xp.tensordot(x, y, axes=[[], []])),
        [((3, 4), (4, 3))], (f32, i32)),
    Rec("meshgrid", lambda xp, x, y: tuple(xp.meshgrid(x, y)) + tuple(xp.meshgrid(x, y, x,
                                                                                  indexing="ij")),
        [((3,), (2,))], (f32, (i32, f32))),
]

RECORDS = ELEMENTWISE + REDUCTIONS + LINALG + SHAPE + CREATION + METHODS + MORE
# plain Python functions of shapes and dtypes, checked in test_host_functions
HOST_FUNCTIONS = {"broadcast_shapes", "result_type", "ndim", "size", "shape"}
TESTED_ELSEWHERE = {
    "from_dlpack",  # test_jit.py::test_dlpack_both_ways (no NumPy oracle)
    "sort", "argsort",  # test_sort_and_argsort_match_numpy_with_ties_and_nans (ties, NaNs, kinds)
    *UFUNCS_TESTED,  # the ufunc-style functions of numpy/_ufuncs.py
}
# construction, shape, calculus, polynomials, dtype information: test_numpy_misc.py
TESTED_IN_NUMPY_MISC = frozenset("""
    append apply_along_axis apply_over_axes array_equiv array_repr array_str atleast_3d
    bartlett blackman block broadcast_arrays can_cast choose column_stack concat convolve
    copy correlate cross delete diag_indices diag_indices_from diagflat diff dsplit dstack
    ediff1d einsum_path fill_diagonal finfo frombuffer fromfile fromfunction fromiter
    frompyfunc fromstring geomspace get_printoptions gradient hamming hanning hsplit iinfo
    indices insert interp isdtype isscalar issubdtype iterable ix_ kaiser kron load logspace
    mask_indices matrix_transpose matvec packbits permute_dims piecewise place poly polyadd
    polyder polydiv polyfit polyint polymul polysub polyval printoptions promote_types put
    put_along_axis ravel_multi_index resize rollaxis roots rot90 save savez select
    set_printoptions trace trapezoid tril_indices tril_indices_from trim_zeros triu_indices
    triu_indices_from unpackbits unravel_index unstack unwrap vander vecdot vecmat vsplit
""".split())

# test_numpy_sort_stats.py: sort/search, sets, nan-reductions, order statistics, histograms,
# data-dependent shapes (their size=, fill_value= and NaN cases need their own checks)
SORT_STATS = {
    "argpartition", "argwhere", "average", "bincount", "compress", "corrcoef", "cov", "cumprod",
    "cumulative_prod", "cumulative_sum", "digitize", "extract", "flatnonzero", "histogram",
    "histogram2d", "histogram_bin_edges", "histogramdd", "intersect1d", "isin", "lexsort",
    "median", "nanargmax", "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean",
    "nanmedian", "nanmin", "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum",
    "nanvar", "nonzero", "partition", "percentile", "ptp", "quantile", "searchsorted",
    "setdiff1d", "setxor1d", "sort_complex", "union1d", "unique", "unique_all", "unique_counts",
    "unique_inverse", "unique_values",
}
# names a record reaches under another name: (alias, name)
ALIASES = {"absolute": "negative", "positive": "negative", "subtract": "add", "true_divide": "divide",
           "fmod": "remainder", "bitwise_and": "bitwise", "bitwise_or": "bitwise",
           "bitwise_xor": "bitwise", "invert": "bitwise", "greater": "compare",
           "greater_equal": "compare", "less": "compare", "less_equal": "compare",
           "not_equal": "compare", "imag": "real", "conj": "real", "conjugate": "real", "amin": "amax",
           "trunc": "ceil", "around": "round", "atleast_2d": "atleast_1d", "hstack": "vstack",
           "flipud": "fliplr", "tri": "identity", "empty_like": "empty", "vdot": "inner"}


def test_records_have_unique_names():
    names = [r.name for r in RECORDS]
    assert len(names) == len(set(names))


def test_every_function_has_a_record():
    public = {n for n in dir(pnp) if not n.startswith("_") and callable(getattr(pnp, n))
              and not isinstance(getattr(pnp, n), type)}
    covered = ({r.name.split("-")[0] for r in RECORDS} | HOST_FUNCTIONS | set(ALIASES)
               | TESTED_ELSEWHERE | TESTED_IN_NUMPY_MISC | SORT_STATS)
    assert public - covered == set()


def test_host_functions():
    x = pnp.zeros((2, 1, 3), pnp.int8)
    assert pnp.broadcast_shapes((2, 1), (3,), ()) == (2, 3)
    assert pnp.result_type(x, 1.0) == jnp.result_type(jnp.zeros(1, jnp.int8), 1.0)
    assert pnp.result_type(x, np.float16) == np.float16
    assert pnp.result_type(x, "int16", float) == jnp.result_type(jnp.int8, "int16", float)
    assert pnp.result_type(pnp.ones(2, pnp.float16), float) == np.float16
    assert (pnp.ndim(x), pnp.size(x), pnp.shape(x)) == (3, 6, (2, 1, 3))
    assert (pnp.ndim([[1, 2]]), pnp.size(3.0), pnp.shape([1, 2])) == (2, 1, (2,))
    with pytest.raises(plait.PlaitTypeError, match="cannot be broadcast"):
        pnp.broadcast_shapes((2,), (3,))


@pytest.mark.parametrize("rec, shapes, dts, modes", list(_cases(RECORDS)))
def test_matches_numpy(rec, shapes, dts, modes, request):
    _differential(rec, shapes, dts, modes, request)


# --- dtype semantics ---------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda xp, x: xp.sin(x) + 1.0, lambda xp, x: xp.sum(x * 2), lambda xp, x: xp.mean(x, 0),
    lambda xp, x: x @ x.T, lambda xp, x: xp.where(x > 0, x, 0), lambda xp, x: xp.exp(x) / 3,
    lambda xp, x: xp.concatenate([x, xp.zeros_like(x)]), lambda xp, x: xp.std(x),
    lambda xp, x: xp.linspace(0.0, 1.0, 3) + x[0, :3],
])
def test_float64_inputs_stay_float64(fn):
    x = np.random.default_rng(0).normal(size=(3, 4))
    for out in (fn(pnp, pnp.asarray(x)), plait.jit(lambda a: fn(pnp, a))(x)):
        assert out.dtype == np.float64
        np.testing.assert_allclose(np.asarray(out), fn(np, x), rtol=1e-12)



WEAK = [
    ("f16+1.0", lambda xp, x: x + 1.0, f16), ("i8*2", lambda xp, x: x * 2, i8),
    ("u8+1", lambda xp, x: x + 1, u8), ("i32+1.5", lambda xp, x: x + 1.5, i32),
    ("bool+1", lambda xp, x: x + 1, b1), ("f32*1j", lambda xp, x: x * 1j, f32),
    ("f16 max 0", lambda xp, x: xp.maximum(x, 0), f16), ("f64+1", lambda xp, x: x + 1, f64),
    ("(i32+1.5)*f16", lambda xp, x: (x.astype(xp.int32) + 1.5) * x, f16),
    ("where i32 0.5", lambda xp, x: xp.where(x > 0, x, 0.5), i32),
    ("asarray(2.0)+1", lambda xp, x: xp.asarray(2.0) + 1, f32),
    ("full 1.5", lambda xp, x: xp.full(3, 1.5) + x, f16),
    ("i64+1.0", lambda xp, x: x + 1.0, i64),
]


@pytest.mark.parametrize("fn, dt", [pytest.param(*w[1:3], id=w[0], marks=w[3] if len(w) > 3 else ())
                                    for w in WEAK])
def test_weak_scalar_promotion_follows_jax(fn, dt):
    x = np.ones(3, dt)
    with jax.enable_x64(dt.itemsize == 8):
        want = jax.eval_shape(lambda a: fn(jnp, a), jax.ShapeDtypeStruct(x.shape, dt))
    for out in (fn(pnp, pnp.asarray(x)), plait.jit(lambda a: fn(pnp, a))(x)):
        assert (out.dtype, out.weak_type) == (want.dtype, want.weak_type)


NUMPY_SCALARS = [np.float64(1.5), np.float32(1.5), np.float16(1.5), np.int64(3), np.int8(3),
                 np.uint8(3), np.complex128(1 + 2j), np.bool_(True)]


@pytest.mark.parametrize("s", NUMPY_SCALARS, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("dt", [np.dtype(np.float32), np.dtype(jnp.bfloat16), i32, u8,
                                np.dtype(np.float64)], ids=str)
def test_numpy_scalars_are_weak_like_python_scalars(s, dt):
    """`x_f32 / np.sqrt(d)` stays float32: a NumPy scalar promotes as the Python scalar it
    holds does in jax (eagerly, as a jit argument and as a constant the function reads)."""
    x = np.ones(3, dt)
    with jax.enable_x64(dt.itemsize == 8):
        want = jax.eval_shape(lambda a: a * s.item(), jax.ShapeDtypeStruct(x.shape, dt))
    outs = [pnp.asarray(x) * s, plait.jit(lambda a, b: a * b)(x, s),
            plait.jit(lambda a: a * s)(x)]
    for out in outs:
        assert (out.dtype, out.weak_type) == (want.dtype, want.weak_type)


def test_numpy_arrays_and_wide_numpy_integers_keep_their_dtype():
    """0-d NumPy arrays are arrays (strong), and a NumPy integer too large for the default int
    keeps its 64 bits rather than wrapping."""
    x = pnp.ones(3, np.float32)
    assert (x + np.array(1.5)).dtype == np.float64
    assert plait.jit(lambda a, b: a + b)(x, np.array(1.5)).dtype == np.float64
    big = np.int64(2**40)
    for out in (pnp.ones(3, np.int32) + big, plait.jit(lambda a: a + big)(np.ones(3, np.int32))):
        assert out.dtype == np.int64
        np.testing.assert_array_equal(np.asarray(out), np.ones(3, np.int64) + 2**40)


@pytest.mark.parametrize("dt, acc", [(b1, i32), (i8, i32), (u8, np.dtype("uint32")), (i32, i32),
                                     (i64, i64)])
def test_small_integers_accumulate_in_32_bits(dt, acc):
    """sum, prod and cumsum promote small integers to 32 bits: NumPy's rule with plait's int32
    default (NumPy's default int is int64; JAX keeps int8 in cumsum)."""
    x = np.arange(6).reshape(2, 3).astype(dt)
    for fn in (lambda xp, a: xp.sum(a, axis=0), lambda xp, a: xp.prod(a),
               lambda xp, a: xp.cumsum(a, axis=1)):
        for out in (fn(pnp, pnp.asarray(x)), plait.jit(lambda a: fn(pnp, a))(x)):  # noqa: B023
            assert out.dtype == acc
            np.testing.assert_array_equal(np.asarray(out), fn(np, x).astype(acc))


@pytest.mark.parametrize("sa, sb", [((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), *MATMUL_BROADCAST])
def test_matmul_grads_match_jax(sa, sb):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=sa).astype(np.float32), rng.normal(size=sb).astype(np.float32)
    g = plait.jit(plait.grad(lambda a, b: pnp.sum(pnp.sin(a @ b)), argnums=(0, 1)))(x, y)
    gj = jax.grad(lambda a, b: jnp.sum(jnp.sin(a @ b)), argnums=(0, 1))(x, y)
    for ours, theirs in zip(g, gj):
        np.testing.assert_allclose(np.asarray(ours), theirs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("sa, sb, in_axes", [((5, 2, 3, 4), (4, 6), (0, None)),
                                             ((2, 3, 4), (5, 4, 6), (None, 0)),
                                             ((3, 5, 4), (4, 6), (1, None)),
                                             ((4,), (5, 2, 4, 6), (None, 0))])
def test_vmap_of_matmul_and_its_grad_match_jax(sa, sb, in_axes):
    """The batching rule of a dot_general with several free dimensions on one side."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=sa).astype(np.float32), rng.normal(size=sb).astype(np.float32)
    g = lambda T, xp: T.vmap(T.grad(lambda a, b: xp.sum(xp.sin(a @ b)), argnums=(0, 1)),
                             in_axes=in_axes)
    ours = plait.jit(plait.vmap(lambda a, b: a @ b, in_axes=in_axes))(x, y), g(plait, pnp)(x, y)
    theirs = jax.vmap(lambda a, b: a @ b, in_axes=in_axes)(x, y), g(jax, jnp)(x, y)
    for o, t in zip(jax.tree.leaves(ours), jax.tree.leaves(theirs)):
        np.testing.assert_allclose(np.asarray(o), t, rtol=1e-4, atol=1e-5)


def test_matmul_broadcasts_no_operand():
    """`(b, s, d) @ (d, e)` is one dot_general contracting d, as in jax: broadcasting `w` to
    (b, d, e) for a batched dot made the backward pass save b copies of it. Its gradient
    contracts (b, s) of the cotangent and x, with no broadcast of `w` either."""
    x, w = np.ones((2, 3, 4), np.float32), np.ones((4, 5), np.float32)
    traced = plait.jit(lambda x, w: x @ w).lower(x, w).as_text("traced")
    assert "plait.broadcast_in_dim" not in traced and traced.count("plait.dot_general") == 1
    grads = plait.jit(plait.grad(lambda x, w: pnp.sum(pnp.tanh(x @ w)), argnums=(0, 1)))
    assert "tensor<2x4x5xf32>" not in grads.lower(x, w).as_text("plait")
    with pytest.raises(plait.PlaitTypeError, match="not aligned"):
        pnp.matmul(np.ones((2, 3, 4)), np.ones((3, 4, 5)))


def test_numpy_inputs_work_eagerly():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for out, ref in [(pnp.sum(x, axis=0), x.sum(0)), (pnp.sin(x), np.sin(x)),
                     (pnp.matmul(x, x.T), x @ x.T), (pnp.concatenate([x, x]), np.concatenate([x, x]))]:
        assert isinstance(out, plait.Array)
        np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-6)


def test_tensordot_rejects_axes_that_do_not_pair_up():
    x, y = pnp.ones((3, 4)), pnp.ones((4, 3))
    for axes in (([0, 1], [1]), 3, ([0, 0], [1, 1])):
        with pytest.raises((ValueError, IndexError)):  # NumPy: shape-mismatch, bad index
            np.tensordot(np.ones((3, 4)), np.ones((4, 3)), axes)
        with pytest.raises((plait.PlaitTypeError, plait.PlaitValueError), match="tensordot|repeated"):
            pnp.tensordot(x, y, axes)


# --- scalar types: dtypes that construct arrays, as jax.numpy's do ------------------------------

SCALAR_TYPES = ["bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
                "bool", "single", "double", "csingle", "cdouble", "int_", "uint", "float_",
                "complex_"]


def test_every_jax_scalar_type_of_a_plait_dtype_is_there():
    in_jax = {n for n in dir(jnp) if type(getattr(jnp, n)).__name__ == "_ScalarMeta"
              and np.dtype(getattr(jnp, n)) in plait_dtypes.SUPPORTED}
    assert in_jax == set(SCALAR_TYPES)


@pytest.mark.parametrize("name", SCALAR_TYPES)
def test_scalar_type_constructs_arrays(name):
    st, want = getattr(pnp, name), np.dtype(getattr(jnp, name))  # jax's dtype for the name
    x = st(3)
    assert isinstance(x, plait.Array) and x.shape == () and x.dtype == want and not x.weak_type
    np.testing.assert_array_equal(np.asarray(x), np.asarray(3, want))
    v = st([0, 1, 3])
    assert v.dtype == want
    np.testing.assert_array_equal(np.asarray(v), np.asarray([0, 1, 3], want))
    host = np.arange(3, dtype=np.float32)
    for out in (st(pnp.asarray(host)), plait.jit(lambda a: st(a))(host)):  # tracers convert
        assert out.dtype == want
        np.testing.assert_array_equal(np.asarray(out), host.astype(want))


@pytest.mark.parametrize("name", SCALAR_TYPES)
def test_scalar_type_is_a_dtype(name):
    st, want = getattr(pnp, name), np.dtype(getattr(jnp, name))
    assert np.dtype(st) == want and pnp.dtype(st) == want and st.dtype == want
    assert st == want and want == st and st == want.type
    assert pnp.zeros(3, st).dtype == want and pnp.ones(2).astype(st).dtype == want
    both = lambda a: pnp.concatenate([a.astype(st), pnp.zeros(2, dtype=st)])
    assert plait.jit(both)(np.ones(2)).dtype == want
    assert pnp.asarray([1, 2], dtype=st).dtype == want and np.zeros(2, st).dtype == want
    assert pnp.result_type(st) == want and pnp.result_type(pnp.zeros(1, pnp.bool_), st) == want
    assert pnp.sum(pnp.ones(2, pnp.int8), dtype=st).dtype == want
    assert pnp.ones(2, st).dtype == st and isinstance(want.type(1), st)
    assert {want: 1}[st] == 1 and {st: 1}[want] == 1


# --- arguments plait.numpy does not take -------------------------------------------------------

HERE = os.path.abspath(__file__)
_raises = functools.partial(raises_at, here=HERE)


def _public_functions():
    return sorted(n for n in dir(pnp) if not n.startswith("_") and callable(getattr(pnp, n))
                  and not isinstance(getattr(pnp, n), type))


# these pass keywords on (to the user's function, or to NumPy), as NumPy's and jax's do
PASS_KEYWORDS_ON = {"apply_along_axis", "fromfunction", "load", "piecewise", "printoptions",
                    "savez", "set_printoptions"}


@pytest.mark.parametrize("name", sorted(set(_public_functions()) - PASS_KEYWORDS_ON))
def test_unsupported_keyword_is_a_type_error_at_the_user_line(name):
    def call():
        return getattr(pnp, name)(pnp.ones(3), not_a_numpy_keyword="a")

    canonical = getattr(pnp, name).__name__  # an alias (amax, divide) names its function
    _raises(plait.PlaitTypeError, call, first_line(call) + 1, f"plait.numpy.{canonical}(",
            "'not_a_numpy_keyword'")


# a plait.numpy function takes fewer arguments than NumPy's; where NumPy's take more, they are
NOT_NUMPY_POSITIONS = {
    "atleast_1d", "atleast_2d",  # NumPy's take any number of arrays
    "einsum",  # NumPy's signature is (*operands, ...) with the subscripts first
    "empty_like",  # zeros_like, whose first argument NumPy calls `a`, not `prototype`
}


@pytest.mark.parametrize("name", sorted(set(_public_functions()) - NOT_NUMPY_POSITIONS))
def test_positional_arguments_are_numpys(name):
    """An argument passed by position or by keyword means what it means in NumPy (or, where
    NumPy's has no Python signature, jax.numpy): `pnp.std(x, 0, None, None, 1)` must not read
    NumPy's `out` as `ddof`."""
    def positional(f):
        params = inspect.signature(f).parameters.values()
        return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

    mine = positional(getattr(pnp, name))
    refs = []
    for ref in (np, jnp):
        try:
            refs.append(positional(getattr(ref, name)))
        except (AttributeError, ValueError, TypeError):  # not there, or a ufunc: no signature
            pass
    if not refs:
        assert name == "logsumexp" and mine == positional(jax.scipy.special.logsumexp)[:len(mine)]
        return
    assert any(mine == r[:len(mine)] for r in refs), (mine, refs)

def test_numpy_keywords_plait_lacks_name_the_keyword():
    x = pnp.arange(6.0).reshape(2, 3)

    def eager():
        return pnp.maximum(x, 1, dtype="float32")  # was: "argument of type str is not an array"

    def out_kw():
        return pnp.mean(x, out=np.zeros(3))

    def method(v):
        return v.sum(out=v)

    def traced(v):
        return pnp.sum(v, foo=1)

    def positional_out(v):
        return pnp.std(v, None, None, None, 1)  # NumPy: out=None, ddof=1

    _raises(plait.PlaitTypeError, eager, first_line(eager) + 1, "plait.numpy.maximum", "'dtype'")
    _raises(plait.PlaitTypeError, out_kw, first_line(out_kw) + 1, "plait.numpy.mean", "'out'")
    for how in (lambda f: f(x), lambda f: plait.jit(f)(x), lambda f: plait.grad(
            lambda v: f(v).sum())(x)):
        for f, what in ((method, ("plait.numpy.sum", "'out'")),
                        (traced, ("plait.numpy.sum", "'foo'")),
                        (positional_out, ("plait.numpy.std", "positional"))):
            _raises(plait.PlaitTypeError, lambda: how(f), first_line(f) + 1, *what)  # noqa: B023
    # the same calls without the extra argument still work, and agree with NumPy
    np.testing.assert_allclose(np.asarray(pnp.std(x, None, None, ddof=1)), np.std(np.asarray(x), ddof=1),
                               rtol=1e-6)
    np.testing.assert_allclose(np.asarray(x.sum(0, keepdims=True)), np.asarray(x).sum(0, keepdims=True))


@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_and_argsort_match_numpy_with_ties_and_nans(axis):
    x = np.array([[3.0, np.nan, 1.0, 1.0], [-0.0, 2.0, -np.inf, 2.0], [5.0, 5.0, 0.0, 5.0]],
                 np.float32)
    np.testing.assert_array_equal(np.asarray(pnp.sort(x, axis)), np.sort(x, axis))
    np.testing.assert_array_equal(np.asarray(pnp.argsort(x, axis)),
                                  np.argsort(x, axis, kind="stable"))
    # descending keeps equal elements in their order, as jax.numpy
    np.testing.assert_array_equal(np.asarray(pnp.argsort(x, axis, descending=True)),
                                  np.asarray(jnp.argsort(x, axis, descending=True)))
    np.testing.assert_array_equal(np.asarray(pnp.sort(x, axis, descending=True)),
                                  np.asarray(jnp.sort(x, axis, descending=True)))


def test_sort_gradients_follow_the_permutation():
    x = np.array([0.3, -1.2, 2.5, 0.7, -0.1], np.float32)
    w = np.arange(1.0, 6.0, dtype=np.float32)

    def f(np_mod, x):
        return np_mod.sum(np_mod.sort(x) * w) + np_mod.sum(np_mod.take(x, np_mod.argsort(-x)) ** 2)

    got = plait.grad(functools.partial(f, pnp))(x)
    want = jax.grad(functools.partial(f, jnp))(x)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)
