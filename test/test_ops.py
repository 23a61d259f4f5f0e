"""Every data op of the plait dialect vs NumPy, for every dtype it accepts (STYLE rule 9).

An op record names the op, calls it through `plait.lax` and through a NumPy reference, and
says which dtype kinds the op accepts. One `plait.jit` program applies the op to operands of
every accepted dtype (one compile per program): for elementwise ops at several fixed shapes
at once, for the others at shapes and attributes Hypothesis draws (one program per draw).
Tracing the op on each other dtype must raise `PlaitTypeError`. Float16 and bfloat16
references are computed in float32 and rounded.

Control-flow, collective, sharding and transformation ops (dialect/control.py, collective.py,
sharding.py, transform.py) have their own tests; `test_every_data_op_has_a_record` keeps this file complete.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable

import hypothesis.extra.numpy as hnp
import jax
import ml_dtypes
import numpy as np
import pytest
import scipy.special as sp
import window_refs as wr
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import plait
import plait.lax as lax
from plait.core import dtypes
from plait.dialect import bits, conv, elementwise, linalg, reduce, sort, special, structural, windows
from plait.dialect import ops as P
from plait.dialect.base import OpDef
from plait.staging.trace import bind

b1, i8, u8, i32, i64 = (np.dtype(t) for t in ("bool", "int8", "uint8", "int32", "int64"))
f16, bf16 = np.dtype("float16"), np.dtype(ml_dtypes.bfloat16)
f32, f64, c64, c128 = (np.dtype(t) for t in ("float32", "float64", "complex64", "complex128"))
ALL = (b1, i8, u8, i32, i64, f16, bf16, f32, f64, c64, c128)
LOW = (f16, bf16)
_RTOL = {f16: 2e-3, bf16: 1.6e-2, f32: 2e-6, f64: 1e-13, c64: 2e-6, c128: 1e-13}

ANY, NUMERIC, INEXACT, FLOAT, REAL, LOGICAL = "bifc", "ifc", "fc", "f", "if", "bi"
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
RANKED = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
ELEMENTWISE_SHAPES = [(), (2, 3)]  # all in one program: elementwise ops ignore shapes


@dataclasses.dataclass(frozen=True)
class OpRec:
    name: str  # the op's short name, then an optional "-variant"
    fn: Callable  # fn(*operands, **params) with plait.lax
    ref: Callable  # ref(*operands, **params) with NumPy
    kinds: str | tuple  # the dtype kinds ("bifc") or the dtypes the op accepts
    arity: int = 1
    domain: tuple | str = "any"  # operand values, one name for all operands or one per operand
    gen: Callable | None = None  # shape -> strategy of (operand shapes, params); None: elementwise
    shapes: st.SearchStrategy = SHAPES
    fixed: tuple = ()  # per operand: a dtype it always has, or None for the tested dtype
    out: Callable = lambda dt, **params: dt  # the result dtype(s)
    tol: float = 1.0
    skip: tuple = ()  # dtypes left to a separate test (a known bug)
    rejects: bool = True  # check that every dtype not accepted raises (off for variants)
    marks: tuple = ()

    def accepts(self, dt) -> bool:
        return dt in self.kinds if isinstance(self.kinds, tuple) else dtypes.kind(dt) in self.kinds



def _operand(rng, shape, dt, domain):
    if dt == b1:
        return np.asarray(rng.random(shape) < 0.5)
    if dt.kind in "iu":
        lo, hi = {"any": (-5, 6), "pos": (1, 6), "nonzero": (1, 6), "small": (0, 4),
                  "unit": (-1, 2), "half": (-5, 6), "nan": (-5, 6), "cast": (0, 100)}[domain]
        x = rng.integers(max(lo, 0) if dt.kind == "u" else lo, hi, shape)
        if domain == "nonzero" and dt.kind == "i":
            x = x * rng.choice([-1, 1], shape)
        return np.asarray(x).astype(dt)
    x = {"any": lambda: rng.normal(0, 2, shape), "pos": lambda: rng.uniform(0.5, 4, shape),
         "unit": lambda: rng.uniform(-0.9, 0.9, shape), "small": lambda: rng.uniform(0, 3, shape),
         "nonzero": lambda: rng.uniform(0.5, 4, shape) * rng.choice([-1, 1], shape),
         "half": lambda: rng.integers(-8, 9, shape) / 2, "nan": lambda: rng.normal(0, 2, shape),
         "cast": lambda: rng.uniform(0, 100, shape)}[domain]()
    if dt.kind == "c":
        x = x + 1j * rng.normal(0, 2, shape)
    if domain == "nan" and x.size >= 3:
        x.reshape(-1)[rng.choice(x.size, 2, replace=False)] = [np.nan, -np.inf]
    return np.asarray(x).astype(dt)


def _compare(got, ref, dt, tol, where):
    if isinstance(ref, tuple):
        for g, r in zip(got, ref):
            _compare(g, r, dt, tol, where)
        return
    got = np.asarray(got)
    assert got.shape == ref.shape, f"{where}: shape {got.shape}, expected {ref.shape}"
    if ref.dtype.kind in "biu":
        np.testing.assert_array_equal(got, ref, err_msg=where)
        return
    rtol = max(_RTOL[dt] if dt in _RTOL else 0, _RTOL.get(ref.dtype, 0)) * tol
    wide = np.complex128 if ref.dtype.kind == "c" else np.float64
    np.testing.assert_allclose(got.astype(wide), ref.astype(wide), rtol=rtol, atol=rtol,
                               equal_nan=True, err_msg=where)


def _reference(rec, operands, dt, params):
    """NumPy's result; float16/bfloat16 operands are computed in float32 and rounded back."""
    ops = [x.astype(f32) if x.dtype in LOW else x for x in operands]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        ref = rec.ref(*ops, **params)
    out = rec.out(dt, **params)
    if isinstance(ref, tuple):
        return tuple(np.asarray(r).astype(o) for r, o in zip(ref, out))
    return np.asarray(ref).astype(out)


def _dtype_of(out):
    return tuple(_dtype_of(o) for o in out) if isinstance(out, (tuple, list)) else out.dtype


_DRAWN: set = set()  # records whose first draw (with every dtype) has run


def _run(rec, data, dts):
    """One program applying the op to operands of every dtype in `dts` (and, for elementwise
    ops, of every shape in ELEMENTWISE_SHAPES); then the rejected dtypes. Each dtype costs a
    kernel to compile, so a record's later draws keep to two dtypes."""
    if rec.gen is None:
        cases = [((s,) * rec.arity, {}) for s in ELEMENTWISE_SHAPES]
    else:
        cases = [data.draw(rec.gen(data.draw(rec.shapes, label="shape")), label="case")]
        if rec.name in _DRAWN:
            dts = [dt for dt in dts if dt in (f32, i32)] or dts[:1]
        _DRAWN.add(rec.name)
    params = cases[0][1]
    rng = np.random.default_rng(0)

    def operands(dt, shapes):
        doms = rec.domain if isinstance(rec.domain, tuple) else (rec.domain,) * len(shapes)
        fixed = rec.fixed or (None,) * len(shapes)
        return [_operand(rng, s, f or dt, d) for s, f, d in zip(shapes, fixed, doms)]

    groups = [(dt, operands(dt, shapes)) for dt in dts for shapes, _ in cases]
    outs = plait.jit(lambda gs: [rec.fn(*g, **params) for g in gs])([g for _, g in groups])
    for (dt, g), out in zip(groups, outs):
        where = f"{rec.name} {dt.name} {[x.shape for x in g]} {params}"
        want = rec.out(dt, **params)
        assert _dtype_of(out) == want, f"{where}: dtype {_dtype_of(out)}, expected {want}"
        _compare(out, _reference(rec, g, dt, params), dt, rec.tol, where)
    for dt in ALL if rec.rejects else ():
        if not rec.accepts(dt) and dt not in rec.skip:
            with pytest.raises(plait.PlaitTypeError):
                plait.jit(lambda *xs: rec.fn(*xs, **params))(*operands(dt, cases[0][0]))


# --- references NumPy lacks ------------------------------------------------------------------------

def _div(x, y):
    if x.dtype.kind in "iu":  # integer division rounds toward zero (C, StableHLO)
        q = np.abs(x.astype(np.int64)) // np.abs(y.astype(np.int64))
        return (q * np.sign(x) * np.sign(y)).astype(x.dtype)
    return x / y


def _logistic(x):
    return 1 / (1 + np.exp(-x))


def _convert_all(x):
    return tuple(x.real.astype(d) if x.dtype.kind == "c" and d.kind != "c" and d != b1
                 else (x != 0) if d == b1 else x.astype(d) for d in ALL)


def _clamp(lo, x, hi):
    return np.minimum(np.maximum(x, lo), hi)


def _pad(x, v, lo, hi, interior):
    for ax, (l, h, it) in enumerate(zip(lo, hi, interior)):
        n = x.shape[ax]
        size = n + max(n - 1, 0) * it
        grown = np.full(x.shape[:ax] + (size,) + x.shape[ax + 1:], v, x.dtype)
        grown[(slice(None),) * ax + (slice(None, None, it + 1),)] = x
        edge = lambda k: np.full(x.shape[:ax] + (k,) + x.shape[ax + 1:], v, x.dtype)  # noqa: B023
        grown = np.concatenate([edge(max(l, 0)), grown, edge(max(h, 0))], ax)
        stop = grown.shape[ax] - max(-h, 0)
        x = grown[(slice(None),) * ax + (slice(max(-l, 0), stop),)]
    return x


def _clamped_starts(starts, sizes, shape):
    """jax's lax: a negative start counts from the end, then starts are clamped to fit."""
    starts = [int(s) + d if int(s) < 0 else int(s) for s, d in zip(starts, shape)]
    return [min(max(s, 0), d - z) for s, z, d in zip(starts, sizes, shape)]


def _dynamic_slice(x, starts, sizes):
    st_ = _clamped_starts(starts, sizes, x.shape)
    return x[tuple(slice(s, s + z) for s, z in zip(st_, sizes))]


def _dynamic_update_slice(x, upd, starts):
    y = x.copy()
    st_ = _clamped_starts(starts, upd.shape, x.shape)
    y[tuple(slice(s, s + z) for s, z in zip(st_, upd.shape))] = upd
    return y


def _scatter(mode):
    def ref(x, upd, idx, **_):
        y = x.copy()
        for k, i in enumerate(idx[:, 0]):
            if 0 <= i < x.shape[0]:  # out-of-bounds updates are dropped
                y[i] = y[i] + upd[k] if mode == "add" and x.dtype != b1 else \
                    (y[i] | upd[k]) if mode == "add" else upd[k]
        return y
    return ref


def _reduce_logical(ufunc, x, axes):
    return ufunc.reduce(x, axis=axes) if x.dtype != b1 else \
        (np.all if ufunc is np.bitwise_and else np.any)(x, axis=axes)


def _unsigned(x):
    return x.view(np.dtype(f"u{x.dtype.itemsize}"))


def _shift_right_logical(x, y):
    return (_unsigned(x) >> _unsigned(y)).view(x.dtype)


def _shift_right_arithmetic(x, y):
    signed = np.dtype(f"i{x.dtype.itemsize}")
    return (x.view(signed) >> y.view(signed)).view(x.dtype)


def _clz(x):
    width = 8 * x.dtype.itemsize
    return np.array([width - int(v).bit_length() for v in _unsigned(x).ravel()]).reshape(x.shape)


_BITCAST_TARGETS = (i8, u8, i32, i64, f32, f64)


def _bitcast_targets(dt):
    """The dtypes of `dt`'s width or narrower."""
    return tuple(d for d in _BITCAST_TARGETS if d.itemsize <= dt.itemsize)


def _bitcast_ref(x):
    flat = x.reshape(-1)  # NumPy views a 0-d array only as a dtype of its width
    return tuple(flat.view(d).reshape(x.shape + ((x.itemsize // d.itemsize,) if d.itemsize <
                                                  x.itemsize else ()))
                 for d in _bitcast_targets(x.dtype))


def _top_k_ref(x, k):
    idx = np.argsort(-x.astype(np.float64), axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, idx, -1), idx


def _sort_key_val_ref(x, v, dimension):
    idx = np.argsort(x, axis=dimension, kind="stable")
    return np.take_along_axis(x, idx, dimension), np.take_along_axis(v, idx, dimension)


# --- attribute strategies --------------------------------------------------------------------------

def _with(params_strategy, shapes=None):
    """A `gen` for a unary op whose attributes depend on the operand shape."""
    return lambda s: params_strategy(s).map(lambda p: ((s,) if shapes is None else shapes(s), p))


@st.composite
def _broadcast_case(draw, s):
    dims, shape = [], []
    for d in s:
        while draw(st.booleans()):
            shape.append(draw(st.integers(1, 3)))
        dims.append(len(shape))
        shape.append(d if d != 1 else draw(st.integers(1, 3)))
    if draw(st.booleans()):
        shape.append(2)
    return (s,), {"shape": tuple(shape), "broadcast_dimensions": tuple(dims)}


@st.composite
def _slice_params(draw, s):
    starts, limits, strides = [], [], []
    for d in s:
        lo = draw(st.integers(0, d))
        starts.append(lo)
        limits.append(draw(st.integers(lo, d)))
        strides.append(draw(st.integers(1, 3)))
    return {"start_indices": tuple(starts), "limit_indices": tuple(limits),
            "strides": tuple(strides)}


@st.composite
def _dynamic_slice_case(draw, s):
    sizes = tuple(draw(st.integers(0, d)) for d in s)
    # negative starts wrap, then all are clamped
    starts = tuple(np.asarray(draw(st.integers(-d - 2, d + 1)), np.int32) for d in s)
    return (s,), {"starts": starts, "sizes": sizes}


@st.composite
def _dus_case(draw, s):
    upd = tuple(draw(st.integers(0, d)) for d in s)
    starts = tuple(np.asarray(draw(st.integers(-d - 2, d + 1)), np.int32) for d in s)
    return (s, upd), {"starts": starts}


@st.composite
def _concatenate_case(draw, s):
    dim = draw(st.integers(0, len(s) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    shapes = tuple(s[:dim] + (k,) + s[dim + 1:] for k in [s[dim]] + sizes)
    return shapes, {"dimension": dim}


@st.composite
def _pad_case(draw, s):
    lo, hi, it = [], [], []
    for d in s:
        interior = draw(st.integers(0, 2))
        size = d + (d - 1) * interior
        low = draw(st.integers(-min(size, 2), 2))
        lo.append(low)
        hi.append(draw(st.integers(-min(size + low, 2), 2)))
        it.append(interior)
    return (s, ()), {"lo": tuple(lo), "hi": tuple(hi), "interior": tuple(it)}


@st.composite
def _gather_case(draw, s):
    window = draw(st.integers(1, s[0]))
    idx = np.asarray(draw(st.lists(st.integers(-2, s[0] + 1), min_size=1, max_size=4)), np.int32)
    return (s,), {"idx": idx[:, None], "window": window}


def _gather(x, idx, window):
    collapse = window == 1  # collapse the indexed dim (x[i]) or keep a window of it (x[i:i+w])
    dn = lax.GatherDimensionNumbers(
        offset_dims=tuple(range(1, x.ndim + (not collapse))),
        collapsed_slice_dims=(0,) if collapse else (), start_index_map=(0,))
    return lax.gather(x, idx, dn, (window,) + x.shape[1:])


def _gather_ref(x, idx, window):
    starts = np.clip(idx[:, 0], 0, x.shape[0] - window)  # StableHLO clamps start indices
    out = np.stack([x[s:s + window] for s in starts])
    return out[:, 0] if window == 1 else out


@st.composite
def _scatter_case(draw, s, unique):
    n = s[0]
    pool = st.integers(-1, n)  # -1 and n are out of bounds: dropped
    idx = draw(st.lists(pool, min_size=1, max_size=4, unique=unique))
    return (s, (len(idx),) + s[1:]), {"idx": np.asarray(idx, np.int32)[:, None]}


def _scatter_fn(mode):
    def fn(x, upd, idx):
        dn = lax.ScatterDimensionNumbers(update_window_dims=tuple(range(1, x.ndim)),
                                         inserted_window_dims=(0,),
                                         scatter_dims_to_operand_dims=(0,))
        return (lax.scatter if mode == "set" else lax.scatter_add)(x, idx, upd, dn)
    return fn


def _axes(s):
    return st.lists(st.integers(0, len(s) - 1), min_size=1, unique=True).map(
        lambda a: {"axes": tuple(a)})


def _axis(s):
    return st.integers(0, len(s) - 1).map(lambda a: {"axis": a})


_DOT_CASES = [  # (lhs shape, rhs shape, ((lc, rc), (lb, rb)), einsum)
    ((3,), (3,), (((0,), (0,)), ((), ())), "i,i->"),
    ((2, 3), (3, 4), (((1,), (0,)), ((), ())), "ij,jk->ik"),
    ((3, 2), (3, 4), (((0,), (0,)), ((), ())), "ji,jk->ik"),
    ((2, 3), (4,), (((), ()), ((), ())), "ij,k->ijk"),
    ((2, 2, 3), (2, 3, 4), (((2,), (1,)), ((0,), (0,))), "bij,bjk->bik"),
    ((3, 2, 4), (4, 2, 3), (((0, 2), (2, 0)), ((1,), (1,))), "ibj,jbi->b"),
]


def _dot_case(_):
    return st.sampled_from(_DOT_CASES).map(
        lambda c: ((c[0], c[1]), {"dimension_numbers": c[2], "spec": c[3]}))


@st.composite
def _top_k_case(draw, s):
    return (s,), {"k": draw(st.integers(0, s[-1]))}


def _real(dt, **_):
    return dtypes.real_dtype(dt)


def _bool(dt, **_):
    return b1



UNARY = [
    OpRec("neg", lax.neg, np.negative, NUMERIC),
    OpRec("abs", lax.abs, np.abs, NUMERIC, out=_real, skip=(u8,)),
    OpRec("sign", lax.sign, np.sign, NUMERIC, skip=(u8,)),
    OpRec("stop_gradient", lax.stop_gradient, lambda x: x, NUMERIC, rejects=False),  # any dtype
    OpRec("exp", lax.exp, np.exp, INEXACT, domain="unit"),
    OpRec("log", lax.log, np.log, INEXACT, domain="pos"),
    OpRec("log1p", lax.log1p, np.log1p, INEXACT, domain="unit"),
    OpRec("expm1", lax.expm1, np.expm1, INEXACT, domain="unit"),
    OpRec("sqrt", lax.sqrt, np.sqrt, INEXACT, domain="pos"),
    OpRec("rsqrt", lax.rsqrt, lambda x: 1 / np.sqrt(x), INEXACT, domain="pos"),
    OpRec("sin", lax.sin, np.sin, INEXACT),
    OpRec("cos", lax.cos, np.cos, INEXACT),
    OpRec("tan", lax.tan, np.tan, INEXACT, domain="unit"),
    OpRec("tanh", lax.tanh, np.tanh, INEXACT),
    OpRec("logistic", lax.logistic, _logistic, INEXACT),
    OpRec("erf", lax.erf, np.vectorize(math.erf, otypes=[np.float64]), FLOAT),
    OpRec("floor", lax.floor, np.floor, FLOAT, domain="half"),
    OpRec("ceil", lax.ceil, np.ceil, FLOAT, domain="half"),
    OpRec("round", lax.round, np.round, FLOAT, domain="half"),
    OpRec("is_finite", lax.is_finite, np.isfinite, FLOAT, domain="nan", out=_bool),
    OpRec("not", lax.bitwise_not, np.invert, LOGICAL),
    OpRec("real", lax.real, np.real, "c", out=_real),
    OpRec("imag", lax.imag, np.imag, "c", out=_real),
]

BINARY = [
    OpRec("add", lax.add, np.add, NUMERIC, 2),
    OpRec("sub", lax.sub, np.subtract, NUMERIC, 2),
    OpRec("mul", lax.mul, np.multiply, NUMERIC, 2),
    OpRec("div", lax.div, _div, NUMERIC, 2, ("any", "nonzero")),
    OpRec("rem", lax.rem, np.fmod, REAL, 2, ("any", "nonzero")),
    OpRec("pow", lax.pow, np.power, NUMERIC, 2, ("pos", "small")),
    OpRec("max", lax.max, np.maximum, ANY, 2, "nan", skip=(c64, c128)),
    OpRec("min", lax.min, np.minimum, ANY, 2, "nan", skip=(c64, c128)),
    OpRec("max-complex", lax.max, np.maximum, (c64, c128), 2, "unit", rejects=False),
    OpRec("min-complex", lax.min, np.minimum, (c64, c128), 2, "unit", rejects=False),
    OpRec("atan2", lax.atan2, np.arctan2, FLOAT, 2),
    OpRec("and", lax.bitwise_and, np.bitwise_and, LOGICAL, 2),
    OpRec("or", lax.bitwise_or, np.bitwise_or, LOGICAL, 2),
    OpRec("xor", lax.bitwise_xor, np.bitwise_xor, LOGICAL, 2),
    OpRec("complex", lax.complex, lambda re, im: re + 1j * im, (f32, f64), 2,
          out=lambda dt, **_: dtypes.complex_dtype(dt)),
    OpRec("compare-EQ", lax.eq, np.equal, ANY, 2, "unit", out=_bool),
    OpRec("compare-NE", lax.ne, np.not_equal, ANY, 2, "unit", out=_bool),
    OpRec("compare-LT", lax.lt, np.less, "bif", 2, "nan", out=_bool),
    OpRec("compare-LE", lax.le, np.less_equal, "bif", 2, "unit", out=_bool),
    OpRec("compare-GT", lax.gt, np.greater, "bif", 2, "unit", out=_bool),
    OpRec("compare-GE", lax.ge, np.greater_equal, "bif", 2, "nan", out=_bool),
    OpRec("select", lax.select, np.where, ANY, 3, fixed=(b1, None, None)),
    OpRec("clamp", lax.clamp, _clamp, REAL, 3, ("unit", "any", "pos")),
]

STRUCTURAL = [
    OpRec("convert", lambda x: tuple(lax.convert_element_type(x, d) for d in ALL), _convert_all,
          ANY, domain="cast", gen=lambda s: st.just(((s,), {})), shapes=st.just((2, 3)),
          out=lambda dt, **_: ALL),
    OpRec("constant", lambda dt_probe: (lax.full((2, 3), 1, dt_probe.dtype),
                                        lax.convert_element_type(np.arange(4), dt_probe.dtype)),
          lambda x: (np.ones((2, 3)), np.arange(4)), ANY, shapes=st.just(()),
          out=lambda dt, **_: (dt, dt)),
    OpRec("iota", lambda dt_probe, shape, dimension: lax.broadcasted_iota(
        dt_probe.dtype, shape, dimension),
          lambda x, shape, dimension: np.indices(shape)[dimension], NUMERIC, shapes=st.just(()),
          gen=lambda _: st.tuples(SHAPES.filter(len), st.integers(0, 2)).filter(
              lambda c: c[1] < len(c[0])).map(lambda c: (((),), {"shape": c[0],
                                                                 "dimension": c[1]}))),
    OpRec("broadcast_in_dim", lax.broadcast_in_dim,
          lambda x, shape, broadcast_dimensions: np.broadcast_to(
              x.reshape([x.shape[broadcast_dimensions.index(i)] if i in broadcast_dimensions
                         else 1 for i in range(len(shape))]), shape), ANY, gen=_broadcast_case,
          shapes=SHAPES),
    OpRec("reshape", lambda x, shape: lax.reshape(x, shape), np.reshape, ANY,
          gen=_with(lambda s: st.sampled_from([(int(np.prod(s)),), s[::-1], (1,) + s, s + (1,)])
                    .map(lambda n: {"shape": n})), shapes=SHAPES),
    OpRec("transpose", lambda x, axes: lax.transpose(x, axes), np.transpose, ANY,
          gen=_with(lambda s: st.permutations(range(len(s))).map(lambda p: {"axes": tuple(p)})),
          shapes=SHAPES),
    OpRec("slice", lax.slice,
          lambda x, start_indices, limit_indices, strides: x[tuple(
              slice(a, b, c) for a, b, c in zip(start_indices, limit_indices, strides))],
          ANY, gen=_with(_slice_params), shapes=SHAPES),
    OpRec("dynamic_slice", lambda x, starts, sizes: lax.dynamic_slice(x, starts, sizes),
          _dynamic_slice, ANY, gen=_dynamic_slice_case, shapes=SHAPES),
    OpRec("dynamic_update_slice", lambda x, u, starts: lax.dynamic_update_slice(x, u, starts),
          _dynamic_update_slice, ANY, 2, gen=_dus_case, shapes=SHAPES),
    OpRec("concatenate", lambda *xs, dimension: lax.concatenate(xs, dimension),
          lambda *xs, dimension: np.concatenate(xs, dimension), ANY, gen=_concatenate_case,
          shapes=RANKED),
    OpRec("pad", lambda x, v, lo, hi, interior: lax.pad(x, v, list(zip(lo, hi, interior))),
          _pad, ANY, 2, gen=_pad_case, shapes=SHAPES),
    OpRec("rev", lambda x, dims: lax.rev(x, dims), lambda x, dims: np.flip(x, dims), ANY,
          gen=_with(lambda s: st.lists(st.integers(0, max(len(s) - 1, 0)), unique=True,
                                       max_size=len(s)).map(lambda d: {"dims": tuple(d)})),
          shapes=SHAPES),
    OpRec("gather", _gather, _gather_ref, ANY, gen=_gather_case, shapes=RANKED),
    OpRec("scatter-set", _scatter_fn("set"), _scatter("set"), ANY, 2,
          gen=lambda s: _scatter_case(s, True), shapes=RANKED),
    OpRec("scatter-add", _scatter_fn("add"), _scatter("add"), ANY, 2,
          gen=lambda s: _scatter_case(s, False), shapes=RANKED),
    OpRec("cumsum", lambda x, axis, reverse: lax.cumsum(x, axis, reverse),
          lambda x, axis, reverse: np.flip(np.cumsum(np.flip(x, axis), axis, x.dtype), axis)
          if reverse else np.cumsum(x, axis, x.dtype), NUMERIC, shapes=RANKED, tol=4,
          gen=_with(lambda s: st.tuples(st.integers(0, len(s) - 1), st.booleans()).map(
              lambda a: {"axis": a[0], "reverse": a[1]}))),
]

REDUCTIONS = [
    OpRec("reduce_sum", lambda x, axes: lax.reduce_sum(x, axes),
          lambda x, axes: np.sum(x, axes, x.dtype), NUMERIC, gen=_with(_axes), shapes=RANKED,
          tol=4),
    OpRec("reduce_prod", lambda x, axes: lax.reduce_prod(x, axes),
          lambda x, axes: np.prod(x, axes, x.dtype), NUMERIC, domain="unit", gen=_with(_axes),
          shapes=RANKED, tol=4),
    OpRec("reduce_max", lambda x, axes: lax.reduce_max(x, axes), lambda x, axes: np.max(x, axes),
          ANY, domain="nan", gen=_with(_axes), shapes=RANKED, skip=(c64, c128)),
    OpRec("reduce_min", lambda x, axes: lax.reduce_min(x, axes), lambda x, axes: np.min(x, axes),
          ANY, domain="nan", gen=_with(_axes), shapes=RANKED, skip=(c64, c128)),
    OpRec("reduce_max-complex", lambda x, axes: lax.reduce_max(x, axes),
          lambda x, axes: np.max(x, axes), (c64, c128), gen=_with(_axes), shapes=RANKED,
          rejects=False),
    OpRec("reduce_min-complex", lambda x, axes: lax.reduce_min(x, axes),
          lambda x, axes: np.min(x, axes), (c64, c128), gen=_with(_axes), shapes=RANKED,
          rejects=False),
    OpRec("reduce_and", lambda x, axes: lax.reduce_and(x, axes),
          lambda x, axes: _reduce_logical(np.bitwise_and, x, axes), LOGICAL, domain="unit",
          gen=_with(_axes), shapes=RANKED),
    OpRec("reduce_or", lambda x, axes: lax.reduce_or(x, axes),
          lambda x, axes: _reduce_logical(np.bitwise_or, x, axes), LOGICAL, domain="unit",
          gen=_with(_axes), shapes=RANKED),
    OpRec("argmax", lambda x, axis: lax.argmax(x, axis), lambda x, axis: np.argmax(x, axis),
          "bif", domain="nan", gen=_with(_axis), shapes=RANKED, out=lambda dt, **_: i32),
    OpRec("argmin", lambda x, axis: lax.argmin(x, axis, i64), lambda x, axis: np.argmin(x, axis),
          "bif", domain="nan", gen=_with(_axis), shapes=RANKED, out=lambda dt, **_: i64),
    OpRec("dot_general", lambda x, y, dimension_numbers, spec: lax.dot_general(
        x, y, dimension_numbers), lambda x, y, dimension_numbers, spec: np.einsum(spec, x, y),
          NUMERIC, 2, "unit", gen=_dot_case, shapes=st.just(()), tol=4),
]

BITS = [
    OpRec("shift_left", lax.shift_left, np.left_shift, "i", 2, ("any", "small")),
    OpRec("shift_right_logical", lax.shift_right_logical, _shift_right_logical, "i", 2,
          ("any", "small")),
    OpRec("shift_right_arithmetic", lax.shift_right_arithmetic, _shift_right_arithmetic, "i", 2,
          ("any", "small")),
    OpRec("population_count", lax.population_count, lambda x: np.bitwise_count(_unsigned(x)),
          "i"),
    OpRec("clz", lax.clz, _clz, "i"),
    # float16 and bfloat16 in test_bitcast_convert_low_precision: the references here see them
    # as float32
    OpRec("bitcast_convert", lambda x: tuple(lax.bitcast_convert_type(x, d)
                                             for d in _bitcast_targets(x.dtype)),
          _bitcast_ref, "if", out=lambda dt, **_: _bitcast_targets(dt), skip=LOW),
]

SPECIAL = [
    OpRec("erf_inv", lax.erf_inv, sp.erfinv, FLOAT, domain="unit", tol=4),
    OpRec("lgamma", lax.lgamma, sp.gammaln, FLOAT, domain="pos", tol=4),
    OpRec("digamma", lax.digamma, sp.psi, FLOAT, domain="pos", tol=4),
    OpRec("polygamma", lambda x: tuple(lax.polygamma(lax.full(x.shape, m, x.dtype), x)
                                       for m in (0, 1, 2)),
          lambda x: tuple(sp.polygamma(m, x) for m in (0, 1, 2)), FLOAT, domain="pos",
          out=lambda dt, **_: (dt,) * 3, tol=8),
    # float16 and bfloat16 in test_nextafter_low_precision: one ulp is lost in float32
    OpRec("next_after", lax.nextafter, np.nextafter, FLOAT, 2, "nan", skip=LOW),
    OpRec("sort", lambda x, axis: lax.sort(x, axis),
          lambda x, axis: np.sort(x, axis, kind="stable"), "bif", domain="nan",
          gen=_with(_axis), shapes=RANKED),
    OpRec("sort-key_val", lambda x, v, dimension: lax.sort_key_val(x, v, dimension),
          _sort_key_val_ref, "bif", 2, ("nan", "any"), gen=lambda s: _axis(s).map(
              lambda p: ((s, s), {"dimension": p["axis"]})), shapes=RANKED, fixed=(None, f32),
          out=lambda dt, **_: (dt, f32), rejects=False),
    OpRec("top_k", lambda x, k: lax.top_k(x, k), _top_k_ref, "if", domain="unit",
          gen=_top_k_case, shapes=RANKED, out=lambda dt, **_: (dt, i32)),
]



# (operand shape, window attributes): each window fits its operand
_WINDOW_CASES = [
    ((2, 5, 4), dict(window_dimensions=(1, 2, 2), window_strides=(1, 2, 1))),
    ((5, 6), dict(window_dimensions=(3, 2), window_strides=(2, 2), padding_low=(1, 0),
                  padding_high=(1, 1))),
    ((4, 4), dict(window_dimensions=(2, 2), padding_low=(0, -1), padding_high=(1, 0),
                  base_dilation=(2, 1), window_dilation=(1, 2))),
    ((7,), dict(window_dimensions=(3,), window_strides=(2,), window_dilation=(2,))),
]
_ONES = dict(window_strides=None, padding_low=None, padding_high=None, base_dilation=None,
             window_dilation=None)


def _window_case(_):
    return st.sampled_from(_WINDOW_CASES).map(lambda c: ((c[0],), dict(_ONES, **c[1])))


def _window_full(p, n):
    ones, zeros = (1,) * n, (0,) * n
    return dict(window_dimensions=p["window_dimensions"],
                window_strides=p["window_strides"] or ones,
                padding_low=p["padding_low"] or zeros, padding_high=p["padding_high"] or zeros,
                base_dilation=p["base_dilation"] or ones,
                window_dilation=p["window_dilation"] or ones)


def _lax_window(computation, identity):
    def fn(x, **p):
        w = _window_full(p, x.ndim)
        pads = list(zip(w["padding_low"], w["padding_high"]))
        return lax.reduce_window(x, identity(x.dtype), computation, w["window_dimensions"],
                                 w["window_strides"], pads, w["base_dilation"],
                                 w["window_dilation"])
    return fn


def _lowest(dt):
    return -np.inf if dt.kind in "fc" or dt == bf16 else False if dt == b1 else np.iinfo(dt).min


def _highest(dt):
    return np.inf if dt.kind in "fc" or dt == bf16 else True if dt == b1 else np.iinfo(dt).max


def _ref_window(reduce, identity):
    return lambda x, **p: wr.reduce_window(reduce, x, identity(x.dtype),
                                           **_window_full(p, x.ndim))


def _select_op(op, direction):
    return lambda a, x, **p: bind(op, a, x, direction=direction, **_window_full(p, x.ndim))


def _select_scatter_case(_):
    """select_and_scatter_add: an operand, its windows' source, no dilation."""
    def case(c):
        shape, p = c
        full = _window_full(dict(_ONES, **p), len(shape))
        out = windows.window_shape(P.select_and_scatter_add, shape, *full.values())
        return (out, shape), {k: full[k] for k in ("window_dimensions", "window_strides",
                                                   "padding_low", "padding_high")}
    return st.sampled_from([c for c in _WINDOW_CASES if "base_dilation" not in c[1]
                            and "window_dilation" not in c[1]]).map(case)


def _select_scatter_op(direction):
    return lambda s, x, **p: bind(P.select_and_scatter_add, s, x, direction=direction, **p)


_CONV_CASES = [  # (lhs shape, rhs shape, strides, padding, lhs / rhs dilation, layouts, groups)
    ((2, 3, 5, 4), (4, 3, 2, 2), (1, 2), [(1, 0), (0, 1)], (1, 1), (1, 1), None, 1, 1),
    ((2, 5, 3, 4), (3, 2, 2, 6), (2, 1), [(0, 1), (1, 1)], (1, 2), (2, 1),
     ("NHWC", "HWIO", "NHWC"), 2, 1),
    ((4, 3, 6), (4, 3, 3), (1,), [(1, 1)], (1,), (2,), ("NCW", "OIW", "NWC"), 1, 2),
    ((1, 2, 3, 3, 2), (2, 2, 1, 2, 3), (1, 1, 1), [(0, 0), (1, 0), (0, 1)], (1, 1, 2),
     (1, 1, 1), ("NDHWC", "DHWIO", "NCDHW"), 1, 1),
]


def _conv_case(_):
    def case(c):
        lhs, rhs, strides, pads, ld, rd, layout, fgc, bgc = c
        dn = lax.conv_dimension_numbers(lhs, rhs, layout)
        return (lhs, rhs), dict(strides=strides, padding=pads, lhs_dilation=ld,
                                rhs_dilation=rd, dn=tuple(map(tuple, dn)), fgc=fgc, bgc=bgc)
    return st.sampled_from(_CONV_CASES).map(case)


def _conv_fn(x, w, strides, padding, lhs_dilation, rhs_dilation, dn, fgc, bgc):
    return lax.conv_general_dilated(x, w, strides, padding, lhs_dilation, rhs_dilation,
                                    lax.ConvDimensionNumbers(*dn), feature_group_count=fgc,
                                    batch_group_count=bgc)


def _cum_rec(name, ufunc, kinds, domain="any", tol=4.0):
    return OpRec(name, lambda x, axis, reverse: getattr(lax, name)(x, axis, reverse),
                 lambda x, axis, reverse: wr.cumulative(ufunc, x, axis, reverse), kinds,
                 domain=domain, shapes=RANKED, tol=tol,
                 gen=_with(lambda s: st.tuples(st.integers(0, len(s) - 1), st.booleans()).map(
                     lambda a: {"axis": a[0], "reverse": a[1]})))


WINDOWS = [
    OpRec("reduce_window_sum", _lax_window(lax.add, lambda dt: 0),
          _ref_window(np.sum, lambda dt: 0), NUMERIC, gen=_window_case, shapes=st.just(()),
          tol=4),
    OpRec("reduce_window_max", _lax_window(lax.max, _lowest), _ref_window(np.max, _lowest),
          ANY, domain="nan", gen=_window_case, shapes=st.just(()), skip=(c64, c128)),
    OpRec("reduce_window_min", _lax_window(lax.min, _highest), _ref_window(np.min, _highest),
          ANY, domain="nan", gen=_window_case, shapes=st.just(()), skip=(c64, c128)),
    OpRec("reduce_window_max-complex", _lax_window(lax.max, _lowest),
          _ref_window(np.max, _lowest), (c64, c128), gen=_window_case, shapes=st.just(()),
          rejects=False),
    # a body of its own (not the max monoid, which a bare lax.max would select)
    OpRec("reduce_window", _lax_window(lambda a, b: lax.max(a, b), _lowest),
          _ref_window(np.max, _lowest), ANY, gen=_window_case, shapes=st.just(()),
          skip=(c64, c128)),
    OpRec("select_and_gather_add", _select_op(P.select_and_gather_add, "GE"),
          lambda t, x, **p: wr.select_and_gather_add(t, x, "GE", **_window_full(p, x.ndim)),
          (f32, f64), 2, gen=lambda s: _window_case(s).map(lambda c: ((c[0][0],) * 2, c[1])),
          shapes=st.just(()), rejects=False),
    OpRec("select_and_gather_add-min", _select_op(P.select_and_gather_add, "LE"),
          lambda t, x, **p: wr.select_and_gather_add(t, x, "LE", **_window_full(p, x.ndim)),
          (f32, f64), 2, gen=lambda s: _window_case(s).map(lambda c: ((c[0][0],) * 2, c[1])),
          shapes=st.just(()), rejects=False),
    OpRec("select_and_scatter_add", _select_scatter_op("GE"),
          lambda s, x, **p: wr.select_and_scatter_add(s, x, "GE", **p), (f32, f64), 2,
          gen=_select_scatter_case, shapes=st.just(()), rejects=False),
    OpRec("select_and_scatter_add-min", _select_scatter_op("LE"),
          lambda s, x, **p: wr.select_and_scatter_add(s, x, "LE", **p), (f32, f64), 2,
          gen=_select_scatter_case, shapes=st.just(()), rejects=False),
    OpRec("conv_general_dilated", _conv_fn, wr.conv, NUMERIC, 2, "unit", gen=_conv_case,
          shapes=st.just(()), tol=4),
    _cum_rec("cumprod", np.multiply, NUMERIC, "unit"),
    _cum_rec("cummax", np.maximum, NUMERIC),
    _cum_rec("cummin", np.minimum, NUMERIC),
    _cum_rec("cumlogsumexp", np.logaddexp, FLOAT),
]

_POWERS, _NEGATIVE_POWERS = (0, 1, 2, 3, 5), (-1, -2, -3)


def _rounded(x, dt):
    return x.astype(dt).astype(x.dtype)


ELEMENTWISE2 = [
    OpRec("sinh", lax.sinh, np.sinh, INEXACT, domain="unit"),
    OpRec("cosh", lax.cosh, np.cosh, INEXACT, domain="unit"),
    OpRec("asin", lax.asin, np.arcsin, INEXACT, domain="unit", tol=2),
    OpRec("acos", lax.acos, np.arccos, INEXACT, domain="unit", tol=2),
    OpRec("atan", lax.atan, np.arctan, INEXACT, tol=2),
    OpRec("asinh", lax.asinh, np.arcsinh, INEXACT, tol=2),
    OpRec("acosh", lax.acosh, np.arccosh, INEXACT, domain="cast", tol=2),
    OpRec("atanh", lax.atanh, np.arctanh, INEXACT, domain="unit", tol=2),
    OpRec("cbrt", lax.cbrt, np.cbrt, FLOAT, tol=2),
    OpRec("erfc", lax.erfc, sp.erfc, FLOAT, tol=4),
    OpRec("exp2", lax.exp2, np.exp2, INEXACT, domain="unit", tol=2),
    OpRec("integer_pow", lambda x: tuple(lax.integer_pow(x, y) for y in _POWERS),
          lambda x: tuple(x ** y for y in _POWERS), NUMERIC, domain="unit",
          out=lambda dt, **_: (dt,) * len(_POWERS), tol=4),
    OpRec("integer_pow-negative", lambda x: tuple(lax.integer_pow(x, y)
                                                  for y in _NEGATIVE_POWERS),
          lambda x: tuple(x ** float(y) for y in _NEGATIVE_POWERS), INEXACT, domain="nonzero",
          out=lambda dt, **_: (dt,) * len(_NEGATIVE_POWERS), tol=4, rejects=False),
    OpRec("reduce_precision", lambda x: (lax.reduce_precision(x, 5, 10),
                                         lax.reduce_precision(x, 8, 7)),
          lambda x: (_rounded(x, f16), _rounded(x, bf16)), FLOAT,
          out=lambda dt, **_: (dt, dt)),
]


def _jax64(fn):
    """A jax.lax function as a reference, in float64 where the operands are."""
    def ref(*xs):
        with jax.enable_x64(True):
            return np.asarray(fn(*xs))
    return ref


SPECIAL2 = [
    OpRec("igamma", lax.igamma, sp.gammainc, FLOAT, 2, "pos", tol=4),
    OpRec("igammac", lax.igammac, sp.gammaincc, FLOAT, 2, "pos", tol=4),
    OpRec("igamma_grad_a", lax.igamma_grad_a, _jax64(jax.lax.igamma_grad_a), FLOAT, 2, "pos",
          tol=4),
    OpRec("random_gamma_grad", lax.random_gamma_grad, _jax64(jax.lax.random_gamma_grad), FLOAT,
          2, "pos", tol=4),
    OpRec("regularized_incomplete_beta", lax.betainc, sp.betainc, FLOAT, 3,
          ("pos", "pos", "unit"), tol=8),
    OpRec("zeta", lax.zeta, sp.zeta, FLOAT, 2, "pos", tol=8),  # NaN below x = 1, as SciPy
    OpRec("bessel_i0e", lax.bessel_i0e, sp.i0e, FLOAT, tol=4),
    OpRec("bessel_i1e", lax.bessel_i1e, sp.i1e, FLOAT, tol=4),
]


def _scatter_combine(name, ufunc):
    def fn(x, upd, idx):
        dn = lax.ScatterDimensionNumbers(update_window_dims=tuple(range(1, x.ndim)),
                                         inserted_window_dims=(0,),
                                         scatter_dims_to_operand_dims=(0,))
        return getattr(lax, name)(x, idx, upd, dn)

    def ref(x, upd, idx):
        y = x.copy()
        for k, i in enumerate(idx[:, 0]):
            if 0 <= i < x.shape[0]:  # out-of-bounds updates are dropped
                y[i] = ufunc(y[i], upd[k])
        return y
    return fn, ref


def _reduce_xor_ref(x, axes):
    return np.logical_xor.reduce(x, axis=axes) if x.dtype == b1 else \
        np.bitwise_xor.reduce(x, axis=axes)


def _reduce_max_body(x, axes):
    """lax.reduce with a body of its own (not the max monoid a bare lax.max would select)."""
    return lax.reduce(x, _lowest(x.dtype), lambda a, b: lax.max(a, b), axes)


LAXOPS2 = [
    OpRec("select_n", lambda w, a, b: lax.select_n(w, a, b), lambda w, a, b: np.where(w, b, a),
          ANY, 3, fixed=(b1, None, None)),
    OpRec("select_n-int32", lambda w, a, b, c, d: lax.select_n(w, a, b, c, d),
          lambda w, a, b, c, d: np.choose(w, [a, b, c, d]), ANY, 5,
          ("small", "any", "any", "any", "any"), fixed=(i32, None, None, None, None),
          rejects=False),
    OpRec("optimization_barrier", lambda x, y: lax.optimization_barrier((x, y)),
          lambda x, y: (x, y), ANY, 2, out=lambda dt, **_: (dt, dt)),
    OpRec("reduce_xor", lambda x, axes: lax.reduce_xor(x, axes), _reduce_xor_ref, LOGICAL,
          domain="unit", gen=_with(_axes), shapes=RANKED),
    OpRec("reduce", _reduce_max_body, lambda x, axes: np.max(x, axes), "bif", domain="nan",
          gen=_with(_axes), shapes=RANKED, rejects=False),
    OpRec("scatter_mul", *_scatter_combine("scatter_mul", np.multiply), NUMERIC, 2, "unit",
          gen=lambda s: _scatter_case(s, False), shapes=RANKED, tol=4),
    OpRec("scatter_min", *_scatter_combine("scatter_min", np.minimum), "bif", 2,
          gen=lambda s: _scatter_case(s, False), shapes=RANKED),
    OpRec("scatter_max", *_scatter_combine("scatter_max", np.maximum), "bif", 2,
          gen=lambda s: _scatter_case(s, False), shapes=RANKED),
]

RECORDS = (UNARY + BINARY + STRUCTURAL + REDUCTIONS + BITS + SPECIAL + WINDOWS + ELEMENTWISE2
           + SPECIAL2 + LAXOPS2)
# a few draws per op (each compiles one program); no shrinking: derandomized draws reproduce
_SETTINGS = settings(max_examples=3, deadline=None, derandomize=True, database=None,
                     phases=(Phase.explicit, Phase.generate))


@pytest.mark.parametrize("rec", [pytest.param(r, id=r.name, marks=r.marks) for r in RECORDS])
@given(data=st.data())
@_SETTINGS
def test_op_matches_numpy(rec, data):
    _run(rec, data, [dt for dt in ALL if rec.accepts(dt) and dt not in rec.skip])


@pytest.mark.parametrize("fn, ref", [
    pytest.param(lax.sign, np.sign, id="sign"),
    pytest.param(lax.abs, np.abs, id="abs"),
])
def test_unsigned_sign_abs(fn, ref):
    x = np.array([0, 3, 255], np.uint8)
    np.testing.assert_array_equal(np.asarray(plait.jit(fn)(x)), ref(x))


_NAN_PAIR = (np.array([np.nan + 1j, 1, 2j], np.complex64), np.array([0, np.nan, 1], np.complex64))


@pytest.mark.parametrize("fn, ref, args", [
    pytest.param(lax.max, np.maximum, _NAN_PAIR, id="max"),
    pytest.param(lax.min, np.minimum, _NAN_PAIR, id="min"),
    pytest.param(lambda x: lax.reduce_max(x, (0,)), np.max, _NAN_PAIR[1:], id="reduce_max"),
    pytest.param(lambda x: lax.reduce_min(x, (0,)), np.min, _NAN_PAIR[1:], id="reduce_min"),
])
def test_complex_max_min_propagate_nan(fn, ref, args):
    with np.errstate(invalid="ignore"):
        want = ref(*args)
    np.testing.assert_array_equal(np.asarray(plait.jit(fn)(*args)), want)


def test_every_data_op_has_a_record():
    declared = {v.name.split(".", 1)[1] for m in (elementwise, structural, reduce, linalg, bits,
                                                  special, sort, conv, windows)
                for v in vars(m).values() if isinstance(v, OpDef)}
    covered = {r.name.split("-")[0] for r in RECORDS}
    assert declared - covered == set()


@pytest.mark.parametrize("dt", LOW)
def test_bitcast_convert_low_precision(dt):
    x = np.array([[1.5, -2.0], [0.1, np.inf]], dt)
    got = plait.jit(lambda x: (lax.bitcast_convert_type(x, np.int16),
                               lax.bitcast_convert_type(x, np.uint8)))(x)
    np.testing.assert_array_equal(np.asarray(got[0]), x.view(np.int16))
    np.testing.assert_array_equal(np.asarray(got[1]), x.view(np.uint8).reshape(2, 2, 2))


def test_bitcast_convert_to_a_wider_dtype():
    """The trailing dimension is consumed; it must be the ratio of the widths."""
    x = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    got = plait.jit(lambda x: (lax.bitcast_convert_type(x, np.uint32),
                               lax.bitcast_convert_type(x[..., :2], np.int16)))(x)
    np.testing.assert_array_equal(np.asarray(got[0]), x.view(np.uint32)[..., 0])
    np.testing.assert_array_equal(np.asarray(got[1]), x[..., :2].copy().view(np.int16)[..., 0])
    with pytest.raises(plait.PlaitTypeError, match="trailing dimension of 4"):
        plait.jit(lambda x: lax.bitcast_convert_type(x, np.uint32))(x[..., :3])


@pytest.mark.parametrize("dt", LOW)
def test_nextafter_low_precision(dt):
    x = np.array([1.0, -2.0, 0.0, 0.0, np.inf], dt)
    y = np.array([2.0, -3.0, 1.0, -1.0, 0.0], dt)
    bits = x.view(np.uint16).astype(np.int32)
    step = np.array([1, 1, 1, 0x8001, -1])  # away from 0 is +1, toward it -1 (in magnitude)
    want = np.where(x == 0, step, bits + step).astype(np.uint16).view(dt)
    np.testing.assert_array_equal(np.asarray(plait.jit(lax.nextafter)(x, y)), want)


@pytest.mark.parametrize("num_keys", [1, 2])
def test_sort_num_keys_and_nan_order_match_jax(num_keys):
    """-NaN first and NaN last, -0.0 equal to 0.0 (equal keys keep their order), ties in the
    first key broken by the second with num_keys=2."""
    a = np.array([1.0, np.nan, -0.0, 0.0, -np.nan, 1.0, -np.inf, 2.0], np.float32)
    b = np.array([3, 1, 2, 0, 5, 1, 7, 6], np.int32)
    c = np.arange(8, dtype=np.float32)
    got = plait.jit(lambda *xs: lax.sort(xs, num_keys=num_keys))(a, b, c)
    want = jax.jit(lambda *xs: jax.lax.sort(xs, num_keys=num_keys))(a, b, c)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(np.asarray(g).view(np.uint8), np.asarray(w).view(np.uint8))
