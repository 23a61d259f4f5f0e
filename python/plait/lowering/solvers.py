"""What the lowerings of the decompositions share: the LAPACK (CPU) and cuSOLVER / hipSOLVER
(GPU) kernels jaxlib registers with PJRT, their names per platform and dtype, and the
StableHLO around the calls (failed factorizations to NaN, triangle masks).

Every value here is StableHLO: these helpers run inside lowering rules.
"""

from __future__ import annotations

import numpy as np

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.lowering.stablehlo import compare, create, i64, i64s, target_platform

_PREFIX = {dtypes.float32: "s", dtypes.float64: "d", dtypes.complex64: "c",
           dtypes.complex128: "z"}
# The GPU libraries of each GPU platform: (solver, sparse, jaxlib's own kernels)
_GPU = {"cuda": ("cusolver", "cusparse", "cu"), "rocm": ("hipsolver", "hipsparse", "hip")}


def platform() -> str:
    return target_platform()


def is_gpu() -> bool:
    return platform() in _GPU


def lapack(fn: str, dtype: np.dtype) -> str:
    """The CPU target of LAPACK routine `fn` for `dtype`: lapack('potrf', f32) = lapack_spotrf_ffi."""
    return f"lapack_{_PREFIX[dtype]}{fn}_ffi"


def gpu(kind: str, fn: str) -> str:
    """A GPU target: gpu('solver', 'potrf') = cusolver_potrf_ffi on CUDA (dtype-generic)."""
    solver, sparse, own = _GPU[platform()]
    if kind == "solver":
        return f"{solver}_{fn}_ffi"
    if kind == "sparse":
        return f"{sparse}_{fn}_ffi"
    return f"{own}_{fn}"


def char(c: str) -> ir.Attribute:
    """A LAPACK character option ('L', 'N', ...), as the kernels decode it (ui8)."""
    return ir.IntegerAttr.get(ir.IntegerType.get_unsigned(8), ord(c))


def flag(b: bool) -> ir.Attribute:
    return ir.BoolAttr.get(bool(b))


def u8(v: int) -> ir.Attribute:
    return ir.IntegerAttr.get(ir.IntegerType.get_unsigned(8), int(v))


# --- small StableHLO builders -------------------------------------------------------------------

def ttype(shape, dtype) -> ir.Type:
    return _aval.ir_type(ShapedArray(tuple(shape), dtype))


def aval(v: ir.Value) -> ShapedArray:
    return _aval.aval_of(v)


def op(name: str, result_type, *operands, **attrs) -> ir.Value:
    return create(name, [result_type], operands, attrs).results[0]


def same(name: str, *operands) -> ir.Value:
    """An elementwise op whose result has the first operand's type."""
    return op(name, operands[0].type, *operands)


def splat(shape, dtype, value) -> ir.Value:
    """A constant filled with `value` (complex: two real splats)."""
    if dtypes.is_complex(dtype):
        r = dtypes.real_dtype(dtype)
        v = complex(value)
        return op("stablehlo.complex", ttype(shape, dtype), splat(shape, r, v.real),
                  splat(shape, r, v.imag))
    t = ttype(shape, dtype)
    el = t.element_type
    attr = ir.IntegerAttr.get(el, int(value)) if isinstance(el, ir.IntegerType) else \
        ir.FloatAttr.get(el, float(value))
    return op("stablehlo.constant", t, value=ir.DenseElementsAttr.get_splat(t, attr))


def zeros(t: ir.Type) -> ir.Value:
    a = _aval.aval_of_type(t)
    return splat(a.shape, a.dtype, 0)


def iota(shape, dtype, dim: int) -> ir.Value:
    return op("stablehlo.iota", ttype(shape, dtype), iota_dimension=i64(dim))


def bcast(v: ir.Value, shape, dims) -> ir.Value:
    return op("stablehlo.broadcast_in_dim", ttype(shape, aval(v).dtype), v,
              broadcast_dimensions=i64s(dims))


def select(pred, a, b) -> ir.Value:
    return op("stablehlo.select", a.type, pred, a, b)


def cmp(a, b, direction: str) -> ir.Value:
    return compare(a, b, direction, ttype(aval(a).shape, dtypes.bool_))


def convert(v, dtype) -> ir.Value:
    return op("stablehlo.convert", ttype(aval(v).shape, dtype), v)


def transpose(v, perm) -> ir.Value:
    a = aval(v)
    return op("stablehlo.transpose", ttype([a.shape[p] for p in perm], a.dtype), v,
              permutation=i64s(perm))


def mT_perm(rank: int) -> list:
    return list(range(rank - 2)) + [rank - 1, rank - 2]


def slice_last(v, starts, limits) -> ir.Value:
    """v[..., s0:l0, s1:l1] over its trailing len(starts) dimensions."""
    a = aval(v)
    lead = a.ndim - len(starts)
    start = [0] * lead + list(starts)
    limit = list(a.shape[:lead]) + list(limits)
    return op("stablehlo.slice", ttype([h - s for s, h in zip(start, limit)], a.dtype), v,
              start_indices=i64s(start), limit_indices=i64s(limit),
              strides=i64s([1] * a.ndim))


def pad_last(v, highs) -> ir.Value:
    """v with zeros appended to its trailing len(highs) dimensions."""
    a = aval(v)
    hi = [0] * (a.ndim - len(highs)) + list(highs)
    shape = [d + h for d, h in zip(a.shape, hi)]
    return op("stablehlo.pad", ttype(shape, a.dtype), v, splat((), a.dtype, 0),
              edge_padding_low=i64s([0] * a.ndim), edge_padding_high=i64s(hi),
              interior_padding=i64s([0] * a.ndim))


def conj(v) -> ir.Value:
    a = aval(v)
    if not dtypes.is_complex(a.dtype):
        return v
    rt = ttype(a.shape, dtypes.real_dtype(a.dtype))
    re, im = op("stablehlo.real", rt, v), op("stablehlo.imag", rt, v)
    return op("stablehlo.complex", v.type, re, op("stablehlo.negate", rt, im))


def tri_mask(shape, k: int = 0, lower: bool = True) -> ir.Value:
    """Where row - col >= -k (lower: on and below diagonal k) or <= -k (upper), broadcast over
    the batch dimensions of `shape`."""
    m, n = shape[-2:]
    rows, cols = iota((m, n), dtypes.int32, 0), iota((m, n), dtypes.int32, 1)
    if k:
        rows = same("stablehlo.add", rows, splat((m, n), dtypes.int32, k))
    mask = cmp(rows, cols, "GE" if lower else "LE")
    return bcast(mask, shape, [len(shape) - 2, len(shape) - 1])


def tril(v, k: int = 0) -> ir.Value:
    return select(tri_mask(aval(v).shape, k, True), v, zeros(v.type))


def triu(v, k: int = 0) -> ir.Value:
    return select(tri_mask(aval(v).shape, k, False), v, zeros(v.type))


def eye(t: ir.Type) -> ir.Value:
    """Ones on the main diagonal of each (batch of) matrices of type t, zeros elsewhere."""
    a = _aval.aval_of_type(t)
    m, n = a.shape[-2:]
    on = cmp(iota((m, n), dtypes.int32, 0), iota((m, n), dtypes.int32, 1), "EQ")
    on = bcast(on, a.shape, [a.ndim - 2, a.ndim - 1])
    return select(on, splat(a.shape, a.dtype, 1), zeros(t))


def ok_where(info: ir.Value, direction: str = "EQ") -> ir.Value:
    """info `direction` 0, per matrix of the batch (LAPACK's success)."""
    return cmp(info, splat(aval(info).shape, dtypes.int32, 0), direction)


def nan_unless(ok: ir.Value, x: ir.Value) -> ir.Value:
    """x, with NaN for each matrix of the batch whose `ok` is false (jax's convention for a
    failed factorization)."""
    a, b = aval(x), aval(ok).ndim
    mask = bcast(ok, a.shape, list(range(b)))
    return select(mask, x, splat(a.shape, a.dtype, np.nan))
