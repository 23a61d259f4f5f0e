"""Op records shared by test_ad.py and test_vmap.py (STYLE rule 9).

A `Case` exercises one plait op: `fn(L, *operands)` is the same code on `PL` (plait.lax and
plait.numpy) and `JX` (jax.lax and jax.numpy), so jax is the oracle by name. Operands are drawn
from value domains that keep them away from non-differentiable points (ties of max/min,
integers for floor, zero for abs, branch cuts for complex log); records with `fd=False` sit
on such points on purpose, where jax's convention is the oracle. `hyp(draw)` draws operand
shapes for the property tests; the fixed `args` shapes are shared by the oracle tests so
compiled programs are reused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import plait
import plait.lax
import plait.numpy as pnp

PL = SimpleNamespace(lax=plait.lax, np=pnp, vmap=plait.vmap, name="plait")
JX = SimpleNamespace(lax=jax.lax, np=jnp, vmap=jax.vmap, name="jax")

f64, c128, i32, b1 = (np.dtype(t) for t in ("float64", "complex128", "int32", "bool"))


@dataclasses.dataclass(frozen=True)
class Arg:
    """One operand: its shape for the fixed tests, dtype and value domain."""

    shape: tuple
    dtype: np.dtype = f64
    domain: str = "any"


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    op: str  # the plait op under test, without the "plait." prefix
    fn: Callable
    args: tuple
    hyp: Callable | None = None  # draw -> one shape per operand
    ad: bool = True  # differentiable in its inexact operands
    fd: bool = True  # differentiable at the drawn points (else only jax is the oracle)
    rev: bool = True  # reverse mode applies (not to an unbounded while loop)
    second: bool = True  # differentiable twice (not eig: its JVP differentiates eigenvectors)
    eps: float = 1e-6  # finite-difference step
    tol: float = 1e-6

    @property
    def diff(self) -> list[int]:
        """Indices of the operands that get tangents (inexact dtypes)."""
        return [i for i, a in enumerate(self.args) if a.dtype.kind in "fc"]


# --- operand values -----------------------------------------------------------------------------

def _real(rng, shape, domain):
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "unit":
        return rng.uniform(-0.8, 0.8, shape)
    if domain == "nonzero":
        return rng.uniform(0.5, 2.0, shape) * rng.choice([-1, 1], shape)
    if domain == "frac":  # away from integers and halves (floor, ceil, round)
        return rng.integers(-3, 3, shape) + rng.choice([0.2, 0.3, 0.7, 0.8], shape) \
            + rng.uniform(-0.05, 0.05, shape)
    if domain == "distinct":  # pairwise gaps >= 0.2 (max, min, argmax; no ties)
        n = int(np.prod(shape))
        return (rng.permutation(n) * 0.3 + rng.uniform(0, 0.1, n) - 0.15 * n).reshape(shape)
    if domain == "zeros":  # some rows with one or two exact zeros (reduce_prod)
        x = rng.uniform(0.5, 1.5, shape) * rng.choice([-1, 1], shape)
        flat = x.reshape(-1)
        flat[:: 5] = 0.0
        return x
    if domain.startswith("ties"):  # small integers: ties of max/min/clamp, zeros of abs
        lo, hi = {"ties": (-1, 1), "ties_lo": (-1, 0), "ties_hi": (0, 1)}[domain]
        return rng.integers(lo, hi + 1, shape).astype(float)
    if domain == "lo":
        return rng.uniform(-1.5, -1.0, shape)
    if domain == "hi":
        return rng.uniform(1.0, 1.5, shape)
    if domain == "clampx":  # below, inside or above [lo, hi] of the lo/hi domains
        return rng.choice([-2.0, 0.0, 2.0], shape) + rng.uniform(-0.4, 0.4, shape)
    assert domain == "any", domain
    return rng.normal(0.0, 1.0, shape)


def operand(rng, arg: Arg, shape=None):
    shape = arg.shape if shape is None else tuple(shape)
    dt, dom = arg.dtype, arg.domain
    if dt == b1:
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        kind, _, n = dom.partition(":")
        n = int(n)
        if kind == "perm":  # distinct indices below n
            return rng.permutation(n)[:int(np.prod(shape))].reshape(shape).astype(dt)
        assert kind == "idx", dom
        return rng.integers(0, n, shape).astype(dt)
    x = _real(rng, shape, dom)
    if dt.kind == "c":
        x = x + 1j * rng.normal(0.0, 1.0, shape)
    return np.asarray(x, dt)  # an array even for shape (): NumPy scalars are Python scalars


def operands(case: Case, seed, shapes=None):
    rng = np.random.default_rng(seed)
    shapes = shapes or [a.shape for a in case.args]
    return [operand(rng, a, s) for a, s in zip(case.args, shapes)]


def like(rng, x):
    """Random arrays of the shapes and dtypes of the leaves of x (tangents, cotangents); the
    leaves may be jax.ShapeDtypeStructs."""
    def leaf(a):
        shp, dt = np.shape(a), np.dtype(a.dtype)
        if dt.kind == "c":
            return np.asarray(rng.normal(size=shp) + 1j * rng.normal(size=shp), dt)
        return np.asarray(rng.normal(size=shp), dt)
    return jax.tree.map(leaf, x)


def split(case: Case, xs):
    """(inexact operands, a function of them that closes over the others)."""
    diff = case.diff
    fixed = {i: x for i, x in enumerate(xs) if i not in diff}

    def with_fixed(L):
        def f(*ds):
            it = iter(ds)
            return case.fn(L, *[fixed[i] if i in fixed else next(it) for i in range(len(xs))])
        return f

    return [xs[i] for i in diff], with_fixed


# --- shape strategies -----------------------------------------------------------------------------

def shape(min_dims=0, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def same(n, **kw):
    """n operands of one drawn shape (elementwise ops)."""
    return lambda draw: (draw(shape(**kw)),) * n


def _side(draw, lo=1, hi=4):
    return draw(st.integers(lo, hi))


# --- helper functions of the records -------------------------------------------------------------

def _gt0(L, x):
    return L.lax.gt(x, L.lax.full_like(x, 0)) if L is JX else L.lax.gt(x, 0.0)


def _reduce(L, name, x, axes):
    return getattr(L.lax, name)(x, tuple(axes))


def _scalar_idx(i):
    return Arg((), i32, f"idx:{i}")


def _gather_rows(L, x, idx):
    dn = L.lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,),
                                      start_index_map=(0, 1))
    return L.lax.gather(x, idx, dn, slice_sizes=(1, 2), mode="clip")


def _gather_batched(L, x, idx):
    """take_along_axis-like: one element per row (operand batching dims)."""
    dn = L.lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(1,),
                                      start_index_map=(1,), operand_batching_dims=(0,),
                                      start_indices_batching_dims=(0,))
    return L.lax.gather(x, idx, dn, slice_sizes=(1, 1), mode="clip")


def _scatter_add_windows(L, x, idx, u):
    """Blocks of two rows; a block reaching past the end is dropped whole."""
    dn = L.lax.ScatterDimensionNumbers(update_window_dims=(1, 2), inserted_window_dims=(),
                                       scatter_dims_to_operand_dims=(0,))
    return L.lax.scatter_add(x, idx, u, dn)


def _dot(lc, rc, lb=(), rb=()):
    return lambda L, a, b: L.lax.dot_general(a, b, ((lc, rc), (lb, rb)))


def _matmul_shapes(draw):
    a, b, c = _side(draw), _side(draw), _side(draw)
    return (a, b), (b, c)


def _ones_for(L, v, shape):
    """Ones; on jax, v * 0 + 1: jax cannot transpose a pad linear in its padding value alone
    (its rule sums a None cotangent of the operand)."""
    return np.ones(shape) if L is PL else L.lax.add(L.lax.mul(L.lax.broadcast(v, shape), 0.0),
                                                     1.0)


def _pad(L, x, v):
    return L.lax.pad(x, v, ((1, 2, 0), (-1, 1, 1)))


# --- the records ----------------------------------------------------------------------------------

M = (3, 4)
A1 = Arg(M)
U1 = same(1)
U2 = same(2)

UNARY = [
    Case("neg", "neg", lambda L, x: L.lax.neg(x), (A1,), U1),
    Case("abs", "abs", lambda L, x: L.lax.abs(x), (Arg(M, domain="nonzero"),), U1),
    Case("abs_complex", "abs", lambda L, x: L.lax.abs(x), (Arg(M, c128, "nonzero"),), U1),
    Case("abs_at_zero", "abs", lambda L, x: L.lax.abs(x), (Arg(M, domain="ties"),), U1, fd=False),
    Case("sign", "sign", lambda L, x: L.lax.mul(L.lax.sign(x), x), (Arg(M, domain="nonzero"),),
         U1),
    Case("exp", "exp", lambda L, x: L.lax.exp(x), (A1,), U1),
    Case("exp_complex", "exp", lambda L, x: L.lax.exp(x), (Arg(M, c128),), U1),
    Case("log", "log", lambda L, x: L.lax.log(x), (Arg(M, domain="pos"),), U1),
    Case("log_complex", "log", lambda L, x: L.lax.log(x), (Arg(M, c128, "pos"),), U1),
    Case("log1p", "log1p", lambda L, x: L.lax.log1p(x), (Arg(M, domain="pos"),), U1),
    Case("expm1", "expm1", lambda L, x: L.lax.expm1(x), (A1,), U1),
    Case("sqrt", "sqrt", lambda L, x: L.lax.sqrt(x), (Arg(M, domain="pos"),), U1),
    Case("sqrt_complex", "sqrt", lambda L, x: L.lax.sqrt(x), (Arg(M, c128, "pos"),), U1),
    Case("rsqrt", "rsqrt", lambda L, x: L.lax.rsqrt(x), (Arg(M, domain="pos"),), U1),
    Case("sin", "sin", lambda L, x: L.lax.sin(x), (A1,), U1),
    Case("sin_complex", "sin", lambda L, x: L.lax.sin(x), (Arg(M, c128),), U1),
    Case("cos", "cos", lambda L, x: L.lax.cos(x), (A1,), U1),
    Case("tan", "tan", lambda L, x: L.lax.tan(x), (Arg(M, domain="unit"),), U1),
    Case("tanh", "tanh", lambda L, x: L.lax.tanh(x), (A1,), U1),
    Case("tanh_complex", "tanh", lambda L, x: L.lax.tanh(x), (Arg(M, c128, "unit"),), U1),
    Case("logistic", "logistic", lambda L, x: L.lax.logistic(x), (A1,), U1),
    Case("erf", "erf", lambda L, x: L.lax.erf(x), (A1,), U1),
    # finite differences see the identity: only jax knows the derivative is cut
    Case("stop_gradient", "stop_gradient", lambda L, x: L.lax.mul(L.lax.stop_gradient(x), x),
         (A1,), U1, fd=False),
    Case("floor", "floor", lambda L, x: L.lax.add(L.lax.floor(x), x), (Arg(M, domain="frac"),),
         U1),
    Case("ceil", "ceil", lambda L, x: L.lax.mul(L.lax.ceil(x), x), (Arg(M, domain="frac"),), U1),
    Case("round", "round", lambda L, x: L.lax.mul(L.lax.round(x), x), (Arg(M, domain="frac"),),
         U1),
    Case("is_finite", "is_finite",
         lambda L, x: L.lax.select(L.lax.is_finite(x), L.lax.mul(x, x), x), (A1,), U1),
    Case("not", "not", lambda L, x: L.lax.select(L.lax.bitwise_not(_gt0(L, x)), L.lax.neg(x), x),
         (Arg(M, domain="nonzero"),), U1),
    Case("real", "real", lambda L, x: L.lax.real(x), (Arg(M, c128),), U1),
    Case("imag", "imag", lambda L, x: L.lax.imag(x), (Arg(M, c128),), U1),
]


BINARY = [
    Case("add", "add", lambda L, x, y: L.lax.add(x, y), (A1, A1), U2),
    Case("sub", "sub", lambda L, x, y: L.lax.sub(x, y), (A1, A1), U2),
    Case("mul", "mul", lambda L, x, y: L.lax.mul(x, y), (A1, A1), U2),
    Case("mul_complex", "mul", lambda L, x, y: L.lax.mul(x, y), (Arg(M, c128), Arg(M, c128)), U2),
    Case("div", "div", lambda L, x, y: L.lax.div(x, y), (A1, Arg(M, domain="nonzero")), U2),
    Case("div_complex", "div", lambda L, x, y: L.lax.div(x, y),
         (Arg(M, c128), Arg(M, c128, "nonzero")), U2),
    # x = y * (n + frac): away from the jumps of rem
    Case("rem", "rem", lambda L, y, f: L.lax.rem(L.lax.mul(y, f), y),
         (Arg(M, domain="nonzero"), Arg(M, domain="frac")), U2),
    Case("pow", "pow", lambda L, x, y: L.lax.pow(x, y), (Arg(M, domain="pos"), A1), U2),
    Case("pow_complex", "pow", lambda L, x, y: L.lax.pow(x, y), (Arg(M, c128, "pos"), Arg(M, c128)),
         U2),
    Case("max", "max", lambda L, x, y: L.lax.max(x, y), (Arg(M, domain="distinct"),) * 2, U2),
    Case("min", "min", lambda L, x, y: L.lax.min(x, y), (Arg(M, domain="distinct"),) * 2, U2),
    Case("max_ties", "max", lambda L, x, y: L.lax.max(x, y), (Arg(M, domain="ties"),) * 2, U2,
         fd=False),
    Case("atan2", "atan2", lambda L, x, y: L.lax.atan2(x, y), (Arg(M, domain="nonzero"),) * 2, U2),
    Case("and", "and", lambda L, x, y: L.lax.select(L.lax.bitwise_and(_gt0(L, x), _gt0(L, y)),
                                                     x, L.lax.mul(x, y)),
         (Arg(M, domain="nonzero"),) * 2, U2),
    Case("or", "or", lambda L, x, y: L.lax.select(L.lax.bitwise_or(_gt0(L, x), _gt0(L, y)),
                                                   x, L.lax.mul(x, y)),
         (Arg(M, domain="nonzero"),) * 2, U2),
    Case("xor", "xor", lambda L, x, y: L.lax.select(L.lax.bitwise_xor(_gt0(L, x), _gt0(L, y)),
                                                     x, L.lax.mul(x, y)),
         (Arg(M, domain="nonzero"),) * 2, U2),
    Case("complex", "complex", lambda L, x, y: L.lax.complex(x, y), (A1, A1), U2),
    Case("compare", "compare", lambda L, x, y: L.lax.select(L.lax.lt(x, y), L.lax.mul(x, y),
                                                            L.lax.sub(x, y)),
         (Arg(M, domain="distinct"),) * 2, U2),
    Case("select", "select", lambda L, p, x, y: L.lax.select(p, x, y), (Arg(M, b1), A1, A1),
         lambda draw: (draw(shape()),) * 3),
    Case("clamp", "clamp", lambda L, lo, x, hi: L.lax.clamp(lo, x, hi),
         (Arg(M, domain="lo"), Arg(M, domain="clampx"), Arg(M, domain="hi")),
         lambda draw: (draw(shape()),) * 3),
    Case("clamp_ties", "clamp", lambda L, lo, x, hi: L.lax.clamp(lo, x, hi),
         (Arg(M, domain="ties_lo"), Arg(M, domain="ties"), Arg(M, domain="ties_hi")),
         lambda draw: (draw(shape()),) * 3, fd=False),
    Case("convert_to_complex", "convert",
         lambda L, x: L.lax.mul(L.lax.convert_element_type(x, c128), L.lax.complex(x, x)),
         (A1,), U1),
    Case("convert_to_real", "convert",
         lambda L, x: L.lax.convert_element_type(L.lax.mul(x, x), f64), (Arg(M, c128),), U1),
    Case("convert_f32", "convert",
         lambda L, x: L.lax.convert_element_type(L.lax.exp(L.lax.convert_element_type(
             x, np.float32)), f64), (A1,), U1, eps=1e-3, tol=2e-3),
    Case("convert_int", "convert",
         lambda L, x: L.lax.add(L.lax.convert_element_type(
             L.lax.convert_element_type(x, i32), f64), x), (Arg(M, domain="frac"),), U1),
]

STRUCTURAL = [
    Case("constant", "constant",
         lambda L, x: L.lax.mul(x, np.arange(1.0, 13.0).reshape(M)), (A1,)),
    Case("iota", "iota",
         lambda L, x: L.lax.mul(x, L.lax.broadcasted_iota(f64, x.shape, x.ndim - 1)), (A1,),
         same(1, min_dims=1)),
    Case("broadcast_in_dim", "broadcast_in_dim",
         lambda L, x: L.lax.broadcast_in_dim(
             x, (2,) + tuple(3 if d == 1 else d for d in x.shape),
             tuple(range(1, x.ndim + 1))), (Arg((3, 1)),), U1),
    Case("reshape", "reshape", lambda L, x: L.lax.reshape(x, x.shape[::-1]),
         (Arg((2, 3, 4)),), same(1, min_dims=2)),
    Case("transpose", "transpose",
         lambda L, x: L.lax.transpose(x, tuple(range(1, x.ndim)) + (0,)), (Arg((2, 3, 4)),),
         same(1, min_dims=2)),
    Case("slice", "slice",
         lambda L, x: L.lax.slice(x, [d // 3 for d in x.shape], list(x.shape),
                                  [2 if d > 2 else 1 for d in x.shape]), (Arg((4, 5)),),
         same(1, min_dims=1)),
    Case("rev", "rev", lambda L, x: L.lax.rev(x, tuple(sorted({0, x.ndim - 1}))), (Arg((3, 4)),),
         same(1, min_dims=1)),
    Case("pad", "pad", _pad, (Arg((3, 4)), Arg(())),
         lambda draw: (draw(shape(2, 2)), ())),
    Case("concatenate", "concatenate", lambda L, x, y, z: L.lax.concatenate([x, y, z], 1),
         (Arg((3, 1)), Arg((3, 4)), Arg((3, 2))),
         lambda draw: (lambda a: ((a, _side(draw)), (a, _side(draw)), (a, _side(draw))))(
             _side(draw))),
    # constant operands next to differentiated ones: their zero tangents are no linear inputs
    Case("concatenate_with_constant", "concatenate",
         lambda L, x, y: L.lax.concatenate([x, np.ones((1,) + x.shape[1:]), y], 0),
         (Arg((2, 3)), Arg((3, 3))), lambda draw: (lambda m: ((_side(draw), m), (2, m)))(
             _side(draw))),
    Case("pad_value_only", "pad", lambda L, v: L.lax.pad(_ones_for(L, v, (2, 3)), v,
                                                         ((1, 0, 1),) * 2), (Arg(()),)),
    Case("scatter_into_constant", "scatter", lambda L, i, u: L.np.zeros((5, 3), f64).at[i].add(u),
         (Arg((4,), i32, "idx:5"), Arg((4, 3))),
         lambda draw: (lambda n: ((n,), (n, 3)))(_side(draw))),
    Case("dynamic_update_slice_update_only", "dynamic_update_slice",
         lambda L, u: L.lax.dynamic_update_slice(np.ones((4, 5)), u, (1, 2)), (Arg((2, 3)),),
         lambda draw: ((_side(draw, 1, 4), _side(draw, 1, 5)),)),
    Case("dynamic_slice", "dynamic_slice",
         lambda L, x, i, j: L.lax.dynamic_slice(x, (i, j), (2, 3)),
         (Arg((4, 5)), _scalar_idx(4), _scalar_idx(5)),
         lambda draw: ((_side(draw, 2, 4), _side(draw, 3, 5)), (), ())),
    # start indices past the end are clamped
    Case("dynamic_slice_clamped", "dynamic_slice",
         lambda L, x: L.lax.dynamic_slice(x, (3, 1), (2, 2)), (Arg((4, 5)),),
         lambda draw: ((_side(draw, 2, 4), _side(draw, 2, 5)),)),
    Case("dynamic_update_slice", "dynamic_update_slice",
         lambda L, x, u, i, j: L.lax.dynamic_update_slice(x, u, (i, j)),
         (Arg((4, 5)), Arg((2, 3)), _scalar_idx(4), _scalar_idx(5)),
         lambda draw: ((_side(draw, 2, 4), _side(draw, 3, 5)), (2, 3), (), ())),
    Case("gather_index", "gather", lambda L, x, i: x[i], (Arg((5, 3)), Arg((4,), i32, "idx:5")),
         lambda draw: ((5, _side(draw)), (_side(draw),))),
    Case("gather_windows", "gather", _gather_rows, (Arg((5, 4)), Arg((3, 2), i32, "idx:3")),
         lambda draw: ((5, 4), (_side(draw), 2))),
    # start indices past the end are clamped (jax: mode="clip")
    Case("gather_clamped", "gather", _gather_rows, (Arg((5, 4)), Arg((3, 2), i32, "idx:8")),
         lambda draw: ((5, 4), (_side(draw), 2))),
    Case("gather_batching_dims", "gather", _gather_batched,
         (Arg((3, 5)), Arg((3, 1), i32, "idx:5")),
         lambda draw: (lambda n: ((n, 5), (n, 1)))(_side(draw))),
    Case("scatter_set", "scatter", lambda L, x, i, u: x.at[i].set(u),
         (Arg((5, 3)), Arg((3,), i32, "perm:5"), Arg((3, 3))),
         lambda draw: (lambda n, m: ((5, m), (n,), (n, m)))(_side(draw, 1, 5), _side(draw))),
    Case("scatter_add", "scatter", lambda L, x, i, u: x.at[i].add(u),
         (Arg((5, 3)), Arg((4,), i32, "idx:5"), Arg((4, 3))),
         lambda draw: (lambda n, m: ((5, m), (n,), (n, m)))(_side(draw), _side(draw))),
    # updates at indices past the end are dropped
    Case("scatter_add_dropped", "scatter", lambda L, x, i, u: x.at[i].add(u),
         (Arg((5, 3)), Arg((4,), i32, "idx:8"), Arg((4, 3))),
         lambda draw: (lambda n, m: ((5, m), (n,), (n, m)))(_side(draw), _side(draw))),
    Case("scatter_add_windows", "scatter", _scatter_add_windows,
         (Arg((5, 3)), Arg((4, 1), i32, "idx:5"), Arg((4, 2, 3))),
         lambda draw: (lambda n, m: ((5, m), (n, 1), (n, 2, m)))(_side(draw), _side(draw))),
    Case("cumsum", "cumsum", lambda L, x: L.lax.cumsum(x, axis=x.ndim - 1), (A1,),
         same(1, min_dims=1)),
    Case("cumsum_reverse", "cumsum", lambda L, x: L.lax.cumsum(x, axis=0, reverse=True), (A1,),
         same(1, min_dims=1)),
    Case("dot_general", "dot_general", _dot((1,), (0,)), (Arg((3, 4)), Arg((4, 2))),
         _matmul_shapes),
    Case("dot_general_batched", "dot_general", _dot((2,), (0,), (1,), (1,)),
         (Arg((3, 2, 4)), Arg((4, 2, 5))),
         lambda draw: (lambda a, b, c, d: ((a, b, c), (c, b, d)))(*[_side(draw) for _ in "abcd"])),
    Case("dot_general_two_contractions", "dot_general", _dot((1, 2), (1, 0)),
         (Arg((3, 4, 2)), Arg((2, 4))),
         lambda draw: (lambda a, b, c: ((a, b, c), (c, b)))(*[_side(draw) for _ in "abc"])),
    Case("dot_general_complex", "dot_general", _dot((1,), (0,)),
         (Arg((3, 4), c128), Arg((4, 2), c128)), _matmul_shapes),
]


def _red(name, axes=(1,), domain="any", shp=(3, 4), fd=True):
    return Case(f"{name}_{''.join(map(str, axes))}" + ("" if fd else "_ties"), name,
                lambda L, x: _reduce(L, name, x, [a % x.ndim for a in axes]),
                (Arg(shp, domain=domain),), same(1, min_dims=max(axes) + 1), fd=fd)


REDUCTIONS = [
    _red("reduce_sum"), _red("reduce_sum", (0, 2), shp=(2, 3, 4)),
    _red("reduce_prod", domain="nonzero"), _red("reduce_prod", (0, 1), "zeros"),
    _red("reduce_max", domain="distinct"), _red("reduce_max", (0, 2), "distinct", (2, 3, 4)),
    _red("reduce_min", domain="distinct"), _red("reduce_max", domain="ties", fd=False),
    Case("reduce_and", "reduce_and",
         lambda L, x: L.lax.select(L.lax.broadcast_in_dim(
             L.lax.reduce_and(_gt0(L, x), (1,)), x.shape, (0,)), x, L.lax.mul(x, x)),
         (Arg(M, domain="nonzero"),), same(1, min_dims=2, max_dims=2)),
    Case("reduce_or", "reduce_or",
         lambda L, x: L.lax.select(L.lax.broadcast_in_dim(
             L.lax.reduce_or(_gt0(L, x), (1,)), x.shape, (0,)), x, L.lax.mul(x, x)),
         (Arg(M, domain="nonzero"),), same(1, min_dims=2, max_dims=2)),
    Case("argmax", "argmax",
         lambda L, x: L.lax.mul(L.lax.convert_element_type(L.lax.argmax(x, 1, np.int32), f64),
                                L.lax.reduce_max(x, (1,))),
         (Arg(M, domain="distinct"),), same(1, min_dims=2, max_dims=2)),
    Case("argmin", "argmin",
         lambda L, x: L.lax.mul(L.lax.convert_element_type(L.lax.argmin(x, 0, np.int32), f64),
                                L.lax.reduce_min(x, (0,))),
         (Arg(M, domain="distinct"),), same(1, min_dims=2, max_dims=2)),
]

# Integer and bool ops on their own (batching only: nothing to differentiate).
INTEGER = [
    Case("and_int", "and", lambda L, x, y: L.lax.bitwise_and(x, y),
         (Arg(M, i32, "idx:8"),) * 2, U2, ad=False),
    Case("or_int", "or", lambda L, x, y: L.lax.bitwise_or(x, y), (Arg(M, i32, "idx:8"),) * 2, U2,
         ad=False),
    Case("xor_int", "xor", lambda L, x, y: L.lax.bitwise_xor(x, y), (Arg(M, i32, "idx:8"),) * 2,
         U2, ad=False),
    Case("not_int", "not", lambda L, x: L.lax.bitwise_not(x), (Arg(M, i32, "idx:8"),), U1,
         ad=False),
    Case("compare_raw", "compare", lambda L, x, y: L.lax.ge(x, y), (Arg(M, i32, "idx:3"),) * 2, U2,
         ad=False),
    Case("argmax_raw", "argmax", lambda L, x: L.lax.argmax(x, x.ndim - 1, np.int32),
         (Arg((3, 4), domain="distinct"),), same(1, min_dims=1), ad=False),
    Case("argmin_raw", "argmin", lambda L, x: L.lax.argmin(x, 0, np.int32),
         (Arg((3, 4), domain="distinct"),), same(1, min_dims=1), ad=False),
    Case("is_finite_raw", "is_finite", lambda L, x: L.lax.is_finite(L.lax.div(x, x)),
         (A1,), U1, ad=False),
    Case("reduce_and_raw", "reduce_and", lambda L, x: L.lax.reduce_and(x, (0,)), (Arg(M, b1),),
         same(1, min_dims=1), ad=False),
    Case("reduce_or_raw", "reduce_or", lambda L, x: L.lax.reduce_or(x, (x.ndim - 1,)),
         (Arg(M, b1),), same(1, min_dims=1), ad=False),
]


def _cond(L, p, x, y):
    return L.lax.cond(p, lambda a: L.lax.mul(L.lax.sin(a), y), lambda a: L.lax.cos(a), x)


def _switch(L, i, x):
    return L.lax.switch(i, [L.lax.sin, L.lax.exp, lambda a: L.lax.mul(a, a)], x)


def _scan(reverse):
    def fn(L, c, xs):
        body = lambda c, x: (L.lax.mul(L.lax.sin(c), x), L.lax.mul(c, x))
        return L.lax.scan(body, c, xs, reverse=reverse)
    return fn


def _while(L, x, y):
    body = lambda c: (c[0] + 1, L.lax.mul(L.lax.sin(c[1]), y))
    return L.lax.while_loop(lambda c: c[0] < 3, body, (0, x))[1]


def _while_data(L, x):
    """A trip count that depends on x (batched: lanes stop at different steps)."""
    small = lambda c: L.lax.lt(L.lax.reduce_sum(L.lax.mul(c, c), tuple(range(c.ndim))), 30.0)
    return L.lax.while_loop(small, lambda c: L.lax.mul(c, 1.5), x)


def _scan_shapes(draw):
    return (lambda n, m: ((m,), (n, m)))(_side(draw), _side(draw))


CONTROL = [
    Case("cond", "cond", _cond, (Arg((), b1), A1, A1),
         lambda draw: (lambda s: ((), s, s))(draw(shape()))),
    Case("switch", "cond", _switch, (_scalar_idx(4), A1), lambda draw: ((), draw(shape()))),
    Case("scan", "scan", _scan(False), (Arg((4,)), Arg((3, 4))), _scan_shapes),
    Case("scan_reverse", "scan", _scan(True), (Arg((4,)), Arg((3, 4))), _scan_shapes),
    Case("while", "while", _while, (A1, A1), U2, rev=False),
    Case("while_data_dependent", "while", _while_data, (Arg((3,)),), U1, rev=False),
]


def _over_i(body):
    """body mapped over the leading axis, which is named "i" for its collectives."""
    return lambda L, x: L.vmap(lambda r: body(L, r), axis_name="i")(x)


def _three(draw):
    return ((3,) + draw(shape(max_dims=2)),)


COLLECTIVES = [
    Case("psum", "psum", _over_i(lambda L, r: L.lax.mul(L.lax.psum(r, "i"), r)), (A1,), _three),
    Case("all_gather", "all_gather", _over_i(lambda L, r: L.lax.all_gather(L.lax.sin(r), "i")),
         (A1,), _three),
    Case("psum_scatter", "psum_scatter",
         _over_i(lambda L, r: L.lax.psum_scatter(L.lax.mul(r, r), "i", tiled=True)),
         (Arg((3, 6)),), lambda draw: ((3, 3 * _side(draw, 1, 2)),)),
    Case("ppermute", "ppermute",
         _over_i(lambda L, r: L.lax.ppermute(L.lax.sin(r), "i", ((0, 1), (1, 2), (2, 0)))),
         (A1,), _three),
    Case("axis_index", "axis_index", _over_i(lambda L, r: L.lax.mul(r, L.lax.broadcast_in_dim(
        L.lax.convert_element_type(L.lax.axis_index("i"), f64), r.shape, ()))), (A1,), _three),
]

def _gate(op):
    """x where op(i) > 3, else x * x: the integer op decides which derivative flows."""
    return lambda L, x, i: L.lax.select(L.lax.gt(op(L, i), L.lax.full(i.shape, 3, i.dtype)), x,
                                        L.lax.mul(x, x))


_I = Arg(M, i32, "idx:40")
_SHIFT = lambda L, i: L.lax.shift_left(i, L.lax.full(i.shape, 1, i.dtype))  # noqa: E731
_SHR = lambda L, i: L.lax.shift_right_logical(i, L.lax.full(i.shape, 2, i.dtype))  # noqa: E731
_SAR = lambda L, i: L.lax.shift_right_arithmetic(L.lax.neg(i), L.lax.full(i.shape, 1, i.dtype))  # noqa: E731, E501
_POPCOUNT = lambda L, i: L.lax.population_count(i)  # noqa: E731
_CLZ = lambda L, i: L.lax.sub(L.lax.full(i.shape, 32, i.dtype), L.lax.clz(i))  # noqa: E731
_BITCAST = lambda L, i: L.lax.convert_element_type(  # noqa: E731
    L.lax.bitcast_convert_type(i, np.uint8)[..., 0], i32)


def _sort_values(L, k, v):
    return L.lax.sort_key_val(k, v, 0)[1]


def _sort_dim(L, x, y):
    return L.lax.sort((x, y), dimension=1, num_keys=1)


BITS_AND_SPECIAL = [
    Case("shift_left", "shift_left", _gate(_SHIFT), (A1, _I), U2),
    Case("shift_right_logical", "shift_right_logical", _gate(_SHR), (A1, _I), U2),
    Case("shift_right_arithmetic", "shift_right_arithmetic", _gate(_SAR), (A1, _I), U2),
    Case("population_count", "population_count", _gate(_POPCOUNT), (A1, _I), U2),
    Case("clz", "clz", _gate(_CLZ), (A1, _I), U2),
    Case("bitcast_convert", "bitcast_convert", _gate(_BITCAST), (A1, _I), U2),
    Case("erf_inv", "erf_inv", lambda L, x: L.lax.erf_inv(x), (Arg(M, domain="unit"),), U1),
    Case("lgamma", "lgamma", lambda L, x: L.lax.lgamma(x), (Arg(M, domain="pos"),), U1),
    Case("digamma", "digamma", lambda L, x: L.lax.digamma(x), (Arg(M, domain="pos"),), U1),
    Case("polygamma", "polygamma", lambda L, x: L.lax.polygamma(L.lax.full(x.shape, 1.0, f64), x),
         (Arg(M, domain="pos"),), U1),
    # sorted by distinct float keys, or by integer keys carrying float values
    Case("sort", "sort", lambda L, x: L.lax.sort(x, 0), (Arg((5, 3), domain="distinct"),),
         same(1, min_dims=1)),
    Case("sort_key_val", "sort", _sort_values, (Arg((5,), i32, "perm:5"), Arg((5,))),
         lambda draw: (lambda n: ((n,), (n,)))(_side(draw))),
    Case("sort_two_operands", "sort", _sort_dim, (Arg((2, 4), domain="distinct"), Arg((2, 4))),
         lambda draw: (lambda s: (s, s))((_side(draw), _side(draw)))),
    Case("top_k", "top_k", lambda L, x: L.lax.top_k(x, 2)[0], (Arg((3, 4), domain="distinct"),),
         lambda draw: ((_side(draw), _side(draw, 2, 4)),)),
    Case("next_after_raw", "next_after", lambda L, x, y: L.lax.nextafter(x, y), (A1, A1), U2,
         ad=False),
    Case("shift_left_raw", "shift_left", lambda L, i: _SHIFT(L, i), (_I,), U1, ad=False),
    Case("bitcast_convert_raw", "bitcast_convert",
         lambda L, i: L.lax.bitcast_convert_type(i, np.uint8), (_I,), U1, ad=False),
    Case("top_k_indices", "top_k", lambda L, x: L.lax.top_k(x, 2)[1],
         (Arg((3, 4), domain="distinct"),), lambda draw: ((_side(draw), _side(draw, 2, 4)),),
         ad=False),
]


def _conv(strides, padding, lhs_dilation=None, rhs_dilation=None, dn=None, fgc=1, bgc=1):
    return lambda L, x, w: L.lax.conv_general_dilated(
        x, w, strides, padding, lhs_dilation, rhs_dilation, dn, feature_group_count=fgc,
        batch_group_count=bgc)


def _conv_shapes(draw):
    """NCHW input and OIHW kernel of drawn sizes (a 2x2 kernel fits every input)."""
    n, c, o = _side(draw, 1, 2), _side(draw, 1, 3), _side(draw, 1, 3)
    return (n, c, _side(draw, 2, 5), _side(draw, 2, 5)), (o, c, 2, 2)


def _batch_group_shapes(draw):
    """Batch and output features in two groups."""
    n, c, w, o = _side(draw, 1, 2), _side(draw, 1, 3), _side(draw, 3, 6), _side(draw, 1, 2)
    return (2 * n, c, w), (2 * o, c, 3)


def _window(name, window, strides, padding, base=None, wdil=None):
    init = {"add": 0.0, "max": -np.inf, "min": np.inf}[name]
    return lambda L, x: L.lax.reduce_window(x, init, getattr(L.lax, name), window, strides,
                                            padding, base, wdil)


def _window_shapes(draw):
    return ((_side(draw, 1, 2), _side(draw, 3, 6), _side(draw, 3, 6)),)


def _window_mul(L, x):
    """A generic body: the product over each window (forward mode only, as in jax)."""
    return L.lax.reduce_window(x, 1.0, L.lax.mul, (1, 2, 2), (1, 1, 2), "SAME")


def _cum(name, reverse=False):
    return lambda L, x: getattr(L.lax, name)(x, axis=x.ndim - 1, reverse=reverse)


WINDOWS = [
    Case("conv", "conv_general_dilated", _conv((2, 1), [(1, 0), (0, 1)], rhs_dilation=(1, 2)),
         (Arg((2, 3, 5, 6)), Arg((4, 3, 2, 2))), _conv_shapes),
    Case("conv_nhwc_lhs_dilation_groups", "conv_general_dilated",
         _conv((1, 1), [(1, 1), (0, 1)], (2, 1), None, ("NHWC", "HWIO", "NHWC"), fgc=2),
         (Arg((2, 4, 3, 4)), Arg((2, 2, 2, 6))),
         lambda draw: ((_side(draw, 1, 2), _side(draw, 2, 4), _side(draw, 2, 4), 4),
                       (2, 2, 2, 2 * _side(draw, 1, 3)))),
    Case("conv_batch_groups", "conv_general_dilated", _conv((1,), "SAME", bgc=2),
         (Arg((4, 3, 5)), Arg((6, 3, 3))), _batch_group_shapes),
    Case("reduce_window_sum", "reduce_window_sum", _window("add", (1, 2, 3), (1, 2, 1), "SAME",
                                                           (1, 1, 2)),
         (Arg((2, 5, 4)),), _window_shapes),
    Case("reduce_window_max", "reduce_window_max", _window("max", (1, 3, 2), (1, 2, 1), "SAME"),
         (Arg((2, 5, 4), domain="distinct"),), _window_shapes),
    # jax has no VJP with window dilation (test_windows.py checks plait's against its JVP)
    Case("reduce_window_max_base_dilation", "reduce_window_max",
         _window("max", (1, 2, 2), (1, 1, 2), [(0, 0), (1, 0), (0, 1)], (1, 2, 1)),
         (Arg((2, 5, 4), domain="distinct"),), _window_shapes),
    Case("reduce_window_min", "reduce_window_min", _window("min", (1, 2, 2), (1, 2, 2), "VALID"),
         (Arg((2, 5, 4), domain="distinct"),), _window_shapes),
    Case("reduce_window_generic", "reduce_window", _window_mul, (Arg((2, 5, 4)),),
         _window_shapes, rev=False),
    Case("cumprod", "cumprod", _cum("cumprod"), (Arg(M, domain="nonzero"),), same(1, min_dims=1)),
    Case("cumprod_zeros_reverse", "cumprod", _cum("cumprod", True), (Arg(M, domain="zeros"),),
         same(1, min_dims=1)),
    Case("cummax", "cummax", _cum("cummax"), (Arg(M, domain="distinct"),), same(1, min_dims=1)),
    Case("cummin_reverse", "cummin", _cum("cummin", True), (Arg(M, domain="distinct"),),
         same(1, min_dims=1)),
    Case("cumlogsumexp", "cumlogsumexp", _cum("cumlogsumexp", True), (A1,), same(1, min_dims=1)),
]



# --- linear algebra and FFT ----------------------------------------------------------------------

def _mH(L, x):
    return L.np.conj(L.np.swapaxes(x, -1, -2))


def _hpd(L, x):
    """x xᴴ + n I: Hermitian positive definite, well conditioned."""
    n = x.shape[-1]
    return L.np.matmul(x, _mH(L, x)) + n * np.eye(n)


def _dominant(L, x):
    """x + n I: well conditioned (diagonally dominant for x's normal entries)."""
    return x + 2 * x.shape[-1] * np.eye(x.shape[-1], x.shape[-2])


def _square_shapes(n_ops=1, extra=None):
    """A stack of square matrices (and matching right-hand sides)."""
    def draw_fn(draw):
        batch, n = draw(shape(max_dims=1)), _side(draw, 1, 4)
        mats = (batch + (n, n),) * n_ops
        return mats if extra is None else mats + (batch + extra(n, _side(draw)),)
    return draw_fn


def _matrix_shapes(draw):
    return (draw(shape(max_dims=1)) + (_side(draw), _side(draw)),)


def _tri(left, lower, transpose=False, conjugate=False, unit=False):
    return lambda L, a, b: L.lax.linalg.triangular_solve(
        _dominant(L, a), b, left_side=left, lower=lower, transpose_a=transpose,
        conjugate_a=conjugate, unit_diagonal=unit)


def _tri_shapes(left):
    return _square_shapes(1, (lambda n, k: (n, k)) if left else (lambda n, k: (k, n)))


def _eigh(L, x):
    v, w = L.lax.linalg.eigh(_hpd(L, x))
    # the phase of each column is free; the projector v_k v_kᴴ is not
    return L.np.einsum("...ik,...jk->...kij", v, L.np.conj(v)), w


def _svd(L, x):
    u, s, vh = L.lax.linalg.svd(x, full_matrices=False)
    # the signs of u's columns and vh's rows are free; u_ik vh_kj is not
    return L.np.einsum("...ik,...kj->...kij", u, vh), s


def _qr(full):
    return lambda L, x: L.lax.linalg.qr(x, full_matrices=full)


def _pivots_gather(L, x, pivots):
    return x[L.lax.linalg.lu_pivots_to_permutation(pivots, x.shape[0])]


def _tridiagonal_solve(L, dl, d, du, b):
    return L.lax.linalg.tridiagonal_solve(dl, d + 6.0, du, b)


def _fft(kind, lengths):
    return lambda L, x: L.lax.fft(x, kind, lengths)


S3 = Arg((3, 3))
S3C = Arg((3, 3), c128)
B3 = Arg((2, 3, 3))

LINALG = [
    Case("cholesky", "cholesky", lambda L, x: L.lax.linalg.cholesky(_hpd(L, x)), (S3,),
         _square_shapes()),
    Case("cholesky_complex", "cholesky", lambda L, x: L.lax.linalg.cholesky(_hpd(L, x)), (S3C,),
         _square_shapes()),
    Case("cholesky_batched", "cholesky", lambda L, x: L.lax.linalg.cholesky(_hpd(L, x)), (B3,)),
    Case("triangular_solve_left_lower", "triangular_solve", _tri(True, True),
         (S3, Arg((3, 2))), _tri_shapes(True)),
    Case("triangular_solve_right_upper_transpose", "triangular_solve",
         _tri(False, False, transpose=True), (S3, Arg((2, 3))), _tri_shapes(False)),
    Case("triangular_solve_adjoint_complex", "triangular_solve",
         _tri(True, False, transpose=True, conjugate=True), (S3C, Arg((3, 2), c128)),
         _tri_shapes(True)),
    Case("triangular_solve_conjugate_unit", "triangular_solve",
         _tri(False, True, conjugate=True, unit=True), (S3C, Arg((2, 3), c128)),
         _tri_shapes(False)),
    Case("triangular_solve_batched", "triangular_solve", _tri(True, True),
         (B3, Arg((2, 3, 4)))),
    Case("lu", "lu", lambda L, x: L.lax.linalg.lu(x)[0], (Arg((4, 4)),), _square_shapes()),
    Case("lu_complex", "lu", lambda L, x: L.lax.linalg.lu(x)[0], (Arg((3, 3), c128),),
         _square_shapes()),
    Case("lu_wide", "lu", lambda L, x: L.lax.linalg.lu(x)[0], (Arg((3, 5)),), _matrix_shapes),
    Case("lu_tall", "lu", lambda L, x: L.lax.linalg.lu(x)[0], (Arg((5, 3)),), _matrix_shapes),
    Case("lu_pivots_to_permutation", "lu_pivots_to_permutation", _pivots_gather,
         (Arg((4, 3)), Arg((3,), i32, "idx:4"))),
    Case("qr_reduced", "qr", _qr(False), (Arg((4, 3)),),
         lambda draw: (lambda b, n: (b + (n + _side(draw, 0, 2), n),))(
             draw(shape(max_dims=1)), _side(draw))),
    Case("qr_square_complex", "qr", _qr(True), (Arg((3, 3), c128),), _square_shapes()),
    Case("qr_wide", "qr", _qr(False), (Arg((3, 5)),)),
    Case("qr_full_tall", "qr", _qr(True), (Arg((5, 3)),)),
    Case("svd", "svd", _svd, (Arg((4, 3)),), _matrix_shapes),
    Case("svd_complex", "svd", _svd, (Arg((3, 4), c128),), _matrix_shapes),
    Case("svd_values", "svd", lambda L, x: L.lax.linalg.svd(x, compute_uv=False),
         (Arg((2, 3, 4)),), _matrix_shapes),
    Case("eigh", "eigh", _eigh, (S3,), _square_shapes()),
    Case("eigh_complex", "eigh", _eigh, (S3C,), _square_shapes()),
    Case("eig_values", "eig", lambda L, x: L.lax.linalg.eig(
        x, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0],
         (Arg((3, 3)),), _square_shapes(), second=False),
    Case("eig_vectors", "eig", lambda L, x: L.lax.linalg.eig(
        x, compute_left_eigenvectors=False, enable_eigvec_derivs=True), (Arg((3, 3)),),
         _square_shapes(), second=False),
    Case("tridiagonal_solve", "tridiagonal_solve", _tridiagonal_solve,
         (Arg((4,)), Arg((4,)), Arg((4,)), Arg((4, 2))),
         lambda draw: (lambda b, m, k: (b + (m,),) * 3 + (b + (m, k),))(
             draw(shape(max_dims=1)), _side(draw), _side(draw))),
    Case("fft", "fft", _fft("FFT", (4,)), (Arg((3, 4), c128),)),
    Case("ifft_2d", "fft", _fft("IFFT", (3, 4)), (Arg((2, 3, 4), c128),)),
    Case("rfft", "fft", _fft("RFFT", (6,)), (Arg((2, 6)),)),
    Case("rfft_2d", "fft", _fft("RFFT", (3, 5)), (Arg((3, 5)),)),
    Case("irfft", "fft", _fft("IRFFT", (6,)), (Arg((2, 4), c128),)),
    Case("irfft_odd_2d", "fft", _fft("IRFFT", (2, 5)), (Arg((2, 3), c128),)),
]

# Not differentiable, as in jax: values and batching only.
NOT_DIFFERENTIABLE = [
    Case("lu_outputs", "lu", lambda L, x: L.lax.linalg.lu(x), (Arg((3, 4)),), _matrix_shapes,
         ad=False),
    Case("geqrf", "geqrf", lambda L, x: L.lax.linalg.geqrf(x), (Arg((4, 3)),), _matrix_shapes,
         ad=False),
    Case("householder_product", "householder_product",
         lambda L, x: L.lax.linalg.householder_product(*L.lax.linalg.geqrf(x)),
         (Arg((4, 3)),), lambda draw: (lambda b, n: (b + (n + _side(draw, 0, 2), n),))(
             draw(shape(max_dims=1)), _side(draw)), ad=False),
    Case("schur", "schur", lambda L, x: L.lax.linalg.schur(x, compute_schur_vectors=False),
         (Arg((3, 3)),), ad=False),
    Case("tridiagonal", "tridiagonal", lambda L, x: L.lax.linalg.tridiagonal(_hpd(L, x))[1:3],
         (Arg((2, 4, 4)),), _square_shapes(), ad=False),
]

def _unary_case(name, domain="any", dtype=f64, **kw):
    return Case(name if dtype == f64 else f"{name}_complex", name,
                lambda L, x: getattr(L.lax, name)(x), (Arg(M, dtype, domain),), U1, **kw)


def _ipow(y):
    return lambda L, x: L.lax.integer_pow(x, y)


ELEMENTWISE2 = [
    _unary_case("sinh"),
    _unary_case("sinh", dtype=c128),
    _unary_case("cosh"),
    _unary_case("asin", "unit"),
    _unary_case("asin", "unit", c128),
    _unary_case("acos", "unit"),
    _unary_case("atan"),
    _unary_case("atan", "unit", c128),
    _unary_case("asinh"),
    Case("acosh", "acosh", lambda L, x: L.lax.acosh(L.lax.add(x, 1.0)),
         (Arg(M, domain="pos"),), U1),
    _unary_case("atanh", "unit"),
    _unary_case("atanh", "unit", c128),
    _unary_case("cbrt", "nonzero"),
    _unary_case("erfc"),
    _unary_case("exp2"),
    _unary_case("exp2", dtype=c128),
    Case("integer_pow", "integer_pow", _ipow(3), (A1,), U1),
    Case("integer_pow_square", "integer_pow", _ipow(2), (A1,), U1),
    Case("integer_pow_negative", "integer_pow", _ipow(-3), (Arg(M, domain="nonzero"),), U1),
    Case("integer_pow_zero", "integer_pow", lambda L, x: L.lax.mul(L.lax.integer_pow(x, 0), x),
         (A1,), U1),
    Case("integer_pow_complex", "integer_pow", _ipow(5), (Arg(M, c128, "unit"),), U1),
    Case("reciprocal", "integer_pow", lambda L, x: L.lax.reciprocal(x),
         (Arg(M, domain="nonzero"),), U1),
    # with float64's own bits it is the identity, so finite differences apply. Rounded to
    # float16's bits, only jax's convention (the tangent rounded too) is the oracle, and a
    # rounding is linear only up to rounding: no transpose identity
    Case("reduce_precision", "reduce_precision",
         lambda L, x: L.lax.mul(L.lax.reduce_precision(x, 11, 52), x), (A1,), U1),
    Case("reduce_precision_f16", "reduce_precision",
         lambda L, x: L.lax.mul(L.lax.reduce_precision(x, 5, 10), x), (A1,), U1, fd=False,
         rev=False),
]


def _at(a):
    """A function of x with a fixed first operand a (differentiated in x alone)."""
    return lambda name: lambda L, x: getattr(L.lax, name)(L.np.full_like(x, a), x)


def _betainc_x(L, x):
    """I_t(2.5, 1.5) at t = logistic(x) in (0, 1): a and b fixed (jax differentiates in x only)."""
    t = L.lax.logistic(x)
    return L.lax.betainc(L.np.full_like(t, 2.5), L.np.full_like(t, 1.5), t)


_POS2 = (Arg(M, domain="pos"), Arg(M, domain="pos"))

# The incomplete gamma and beta functions, zeta and the Bessel functions. igamma's second
# derivative in a is igamma_grad_a's first, which jax does not define: second order in x alone.
SPECIAL2 = [
    Case("igamma", "igamma", lambda L, a, x: L.lax.igamma(a, x), _POS2, U2, second=False),
    Case("igamma_x", "igamma", _at(1.7)("igamma"), (Arg(M, domain="pos"),), U1),
    Case("igammac", "igammac", lambda L, a, x: L.lax.igammac(a, x), _POS2, U2, second=False),
    Case("igammac_x", "igammac", _at(0.6)("igammac"), (Arg(M, domain="pos"),), U1),
    Case("igamma_grad_a", "igamma_grad_a", lambda L, a, x: L.lax.igamma_grad_a(a, x), _POS2, U2,
         ad=False),
    Case("random_gamma_grad", "random_gamma_grad",
         lambda L, a, x: L.lax.random_gamma_grad(a, x), _POS2, U2, ad=False),
    Case("betainc_x", "regularized_incomplete_beta", _betainc_x, (A1,), U1),
    Case("betainc", "regularized_incomplete_beta",
         lambda L, a, b, x: L.lax.betainc(a, b, L.lax.logistic(x)), _POS2 + (A1,), same(3),
         ad=False),
    Case("zeta", "zeta", lambda L, x, q: L.lax.zeta(L.lax.add(x, L.np.ones_like(x)), q),
         _POS2, U2, ad=False),
    Case("bessel_i0e", "bessel_i0e", lambda L, x: L.lax.bessel_i0e(x),
         (Arg(M, domain="nonzero"),), U1),
    Case("bessel_i1e", "bessel_i1e", lambda L, x: L.lax.bessel_i1e(x), (A1,), U1),
]


# --- select_n, optimization_barrier, reduce, scatter variants, collectives, indexing ----------

def _add_mul(L, a, b):
    """a + b + ab: associative and commutative, and no monoid jax or plait would pick."""
    return L.lax.add(L.lax.add(a, b), L.lax.mul(a, b))


def _reduce_generic(dims):
    return lambda L, x: L.lax.reduce(x, 0.0, lambda a, b: _add_mul(L, a, b), dims)


def _argmax_pair(L):
    def body(a, b):
        (av, ai), (bv, bi) = a, b
        pick = L.lax.gt(av, bv)
        return L.lax.select(pick, av, bv), L.lax.select(pick, ai, bi)
    return body


def _reduce_argmax(L, x):
    """An argmax-style reduction over (value, index) pairs; the values' tangents follow."""
    idx = L.lax.broadcasted_iota(i32, x.shape, 1)
    v, i = L.lax.reduce((x, idx), (-np.inf, np.int32(0)), _argmax_pair(L), (1,))
    return L.lax.mul(v, L.lax.convert_element_type(i, f64))


def _rows(L, x, i, u, fn, **kw):
    dn = L.lax.ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,),
                                       scatter_dims_to_operand_dims=(0,))
    return getattr(L.lax, fn)(x, i[:, None], u, dn, **kw)


def _scatter_rows(draw):
    return (lambda n, m: ((5, m), (n,), (n, m)))(_side(draw, 1, 5), _side(draw))


_XOR = lambda L, i: L.lax.broadcast_in_dim(L.lax.reduce_xor(i, (1,)), i.shape, (0,))  # noqa: E731


def _pextreme(name):
    """pmax/pmin over "i"; jax defines no derivative for them, so its side is the same
    extreme of an all_gather (whose derivative jax has: the tangent where it is)."""
    def body(L, r):
        if L is PL:
            return getattr(L.lax, name)(r, "i")
        return getattr(L.np, name[1:])(L.lax.all_gather(r, "i"), 0)
    return _over_i(body)


def _apply_rows(L, x, i):
    dn = L.lax.ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,),
                                       scatter_dims_to_operand_dims=(0,))
    return L.lax.scatter_apply(x, i[:, None], L.np.sin, dn, update_shape=(i.shape[0],
                                                                          x.shape[1]))


LAXOPS2 = [
    Case("select_n", "select_n", lambda L, w, a, b, c: L.lax.select_n(w, a, b, c),
         (Arg(M, i32, "idx:3"), A1, A1, A1), same(4)),
    Case("select_n_bool", "select_n", lambda L, w, a, b: L.lax.select_n(w, a, b),
         (Arg(M, b1), A1, A1), same(3)),
    Case("select_n_scalar_which", "select_n", lambda L, w, a, b: L.lax.select_n(w, a, b, a),
         (Arg((), i32, "idx:3"), A1, A1), lambda draw: (lambda s: ((), s, s))(draw(shape()))),
    Case("optimization_barrier", "optimization_barrier",
         lambda L, x, y: L.lax.optimization_barrier((L.lax.sin(x), L.lax.mul(x, y))),
         (A1, A1), U2),
    Case("optimization_barrier_int", "optimization_barrier",
         lambda L, x, i: L.lax.mul(*L.lax.optimization_barrier(
             (x, L.lax.convert_element_type(i, f64)))), (A1, Arg(M, i32, "idx:5")), U2),
    Case("reduce_xor", "reduce_xor", _gate(_XOR), (A1, _I), same(2, min_dims=2, max_dims=2)),
    Case("reduce_generic", "reduce", _reduce_generic((1,)), (Arg(M, domain="unit"),),
         same(1, min_dims=2)),
    Case("reduce_generic_axes", "reduce", _reduce_generic((0, 2)),
         (Arg((2, 3, 2), domain="unit"),), same(1, min_dims=3)),
    # jax's JVP of a reduce with an integer operand fails: values and vmap here, the
    # derivatives against central differences in test_laxops.py
    Case("reduce_argmax_pairs", "reduce", _reduce_argmax, (Arg(M, domain="distinct"),),
         same(1, min_dims=2), ad=False),
    Case("scatter_mul", "scatter_mul",
         lambda L, x, i, u: _rows(L, x, i, u, "scatter_mul", unique_indices=True),
         (Arg((5, 3)), Arg((3,), i32, "perm:5"), Arg((3, 3))), _scatter_rows),
    # repeated indices: differentiable in the operand alone (as jax)
    Case("scatter_mul_repeated", "scatter_mul",
         lambda L, x, i: x.at[i].multiply(np.linspace(-2.0, 2.0, 3)),
         (Arg((5, 3)), Arg((4,), i32, "idx:5")), lambda draw: ((5, 3), (_side(draw),))),
    Case("scatter_min", "scatter_min", lambda L, x, i, u: x.at[i].min(u),
         (Arg((5, 3)), Arg((4,), i32, "idx:5"), Arg((4, 3))), _scatter_rows),
    Case("scatter_max", "scatter_max", lambda L, x, i, u: x.at[i].max(u),
         (Arg((5, 3)), Arg((4,), i32, "idx:8"), Arg((4, 3))), _scatter_rows),
    # ties between the operand and updates share the tangent (jax's rule)
    Case("scatter_max_ties", "scatter_max",
         lambda L, x, i, u: _rows(L, x, i, u, "scatter_max"),
         (Arg((5, 3), domain="ties"), Arg((4,), i32, "idx:5"), Arg((4, 3), domain="ties")),
         _scatter_rows, fd=False),
    Case("scatter_apply", "while", _apply_rows, (Arg((5, 3)), Arg((4,), i32, "idx:5")),
         ad=False),
    Case("scatter_apply_unique", "select", lambda L, x, i: x.at[i].apply(
        L.np.sin, unique_indices=True), (Arg((5, 3)), Arg((3,), i32, "perm:5")), ad=False),
    Case("pmax", "pmax", _pextreme("pmax"), (Arg(M, domain="distinct"),), _three),
    Case("pmin", "pmin", _pextreme("pmin"), (Arg(M, domain="distinct"),), _three),
    Case("all_to_all", "all_to_all",
         _over_i(lambda L, r: L.lax.all_to_all(L.lax.sin(r), "i", 0, 1)), (Arg((3, 3, 2)),)),
    Case("all_to_all_tiled", "all_to_all",
         _over_i(lambda L, r: L.lax.all_to_all(L.lax.mul(r, r), "i", 1, 0, tiled=True)),
         (Arg((3, 2, 6)),)),
    Case("dynamic_index_in_dim", "dynamic_slice",
         lambda L, x, i: L.lax.dynamic_index_in_dim(x, i, 1, keepdims=False),
         (A1, _scalar_idx(4))),
    Case("dynamic_update_index_in_dim", "dynamic_update_slice",
         lambda L, x, u, i: L.lax.dynamic_update_index_in_dim(x, u, i, 0),
         (A1, Arg((4,)), _scalar_idx(3))),
    Case("dynamic_slice_in_dim", "dynamic_slice",
         lambda L, x, i: L.lax.dynamic_slice_in_dim(x, i, 2, axis=-1), (A1, _scalar_idx(4))),
    Case("dynamic_update_slice_in_dim", "dynamic_update_slice",
         lambda L, x, u, i: L.lax.dynamic_update_slice_in_dim(x, u, i, 1),
         (A1, Arg((3, 2)), _scalar_idx(4))),
    Case("index_and_slice_in_dim", "slice", lambda L, x: L.lax.mul(
        L.lax.index_in_dim(x, -1, 1), L.lax.slice_in_dim(x, None, -2, 2, 1)), (A1,)),
    Case("expand_squeeze_collapse", "reshape", lambda L, x: L.lax.collapse(L.lax.squeeze(
        L.lax.expand_dims(L.lax.sin(x), (0, -1)), (0,)), 0, 2), (A1,)),
    Case("split_tile", "broadcast_in_dim", lambda L, x: L.lax.tile(
        L.lax.split(x, (1, 3), axis=1)[1], (2, 1)), (A1,)),
]

CASES = (UNARY + BINARY + STRUCTURAL + REDUCTIONS + INTEGER + BITS_AND_SPECIAL + CONTROL
         + COLLECTIVES + WINDOWS + LINALG + NOT_DIFFERENTIABLE
         + ELEMENTWISE2 + SPECIAL2 + LAXOPS2)
# Ops without a record here, and why.
ELSEWHERE = {
    "next_after": "jax defines no derivative to compare with; values and batching above "
                  "(next_after_raw), its JVP in test_random.py",
    "threefry2x32": "uint32 only: Random123 known answers, vmap and sharding in test_random.py",
    "rng_bit_generator": "integers only: values vs jax and vmap in test_random.py",
    "yield": "the terminator of regions: in every cond, scan and while record",
    "shard_map": "needs a device mesh: grad, jvp and vmap of it in test_sharding.py",
    "sharding_constraint": "needs a device mesh: under grad and vmap in test_sharding.py",
    "select_and_gather_add": "the JVP of reduce_window_max/min: their records run it to second "
                             "order in both modes; vmapped in test_windows.py",
    "select_and_scatter_add": "the VJP of reduce_window_max/min: their records run it to second "
                              "order in both modes; vmapped in test_windows.py",
    "callback": "calls Python on the host: under jit, grad, vmap, scan and shard_map against "
                "jax in test_callbacks.py",
    "pure_callback": "calls Python on the host and has no derivative: values, vmap methods "
                     "and custom_jvp against jax in test_callbacks.py",
    "igamma_grad_a": "jax defines no derivative of it: its derivative in x (igamma's second "
                     "mixed derivative) against central differences in test_scipy.py",
    "zeta": "jax.lax.zeta has no derivative: the derivative in q against central differences "
            "and scipy in test_scipy.py",
}
# Ops that raise for a JVP, as in jax (their NOT_DIFFERENTIABLE records check values and vmap).
NO_AD = {"geqrf", "householder_product", "schur", "tridiagonal", "random_gamma_grad"}
AD_CASES = [c for c in CASES if c.ad]
assert len({c.name for c in CASES}) == len(CASES)
