"""Windowed reductions and cumulative reductions.

`reduce_window_sum/max/min` reduce each (strided, padded, dilated) window of an array with a
fixed monoid; `reduce_window` does it with a region body, over several arrays at once.
`select_and_gather_add` picks, in each window, the element of its second operand that
`reduce_window_max` (direction GE) or `_min` (LE) would pick, and returns the matching element of
its first: the JVP of max pooling. `select_and_scatter_add` adds each element of its first
operand at that position instead: its transpose. `cumprod`, `cummax`, `cummin` and
`cumlogsumexp` are inclusive prefix reductions along an axis, as `cumsum` is. Attributes follow StableHLO's
reduce_window (padding as `padding_low` and `padding_high`). Their rules are in
`rules/windows.py`.
"""

from __future__ import annotations

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import Bool, Int, Ints, OpDef, Str
from plait.dialect.control import RegionOp, block_of, yielded
from plait.dialect.elementwise import ANY, FLOAT, NUMERIC, _check_kind
from plait.dialect.traits import HasRegions, Linear, Pure, SameOperandsAndResultShape

WINDOW_ATTRS = ("window_dimensions", "window_strides", "padding_low", "padding_high",
                "base_dilation", "window_dilation")


def _err(op: OpDef, msg: str) -> PlaitTypeError:
    return PlaitTypeError(f"{op.name}: {msg}")


def dilate(size: int, dilation: int) -> int:
    """The size of `size` elements with `dilation - 1` holes between neighbours."""
    return 0 if size == 0 else (size - 1) * dilation + 1


def window_shape(op: OpDef, shape, window_dimensions, window_strides, padding_low,
                 padding_high, base_dilation, window_dilation, what: str = "operand",
                 names=WINDOW_ATTRS) -> tuple:
    """The shape of the windows' results over an array of `shape` (StableHLO's reduce_window
    and convolution rule). A window larger than the padded, dilated input is an error, as is
    an attribute of the wrong length or a stride or dilation below 1."""
    n = len(shape)
    for name, v in zip(names, (window_dimensions, window_strides, padding_low,
                                      padding_high, base_dilation, window_dilation)):
        if len(v) != n:
            raise _err(op, f"{name} {tuple(v)} needs one entry per {what} dimension ({n})")
    for name, v in zip(names[:2] + names[4:], (window_dimensions, window_strides,
                                               base_dilation, window_dilation)):
        if any(d < 1 for d in v):
            raise _err(op, f"{name} {tuple(v)} must be positive")
    out = []
    for d, (size, k, s, lo, hi, bd, wd) in enumerate(zip(
            shape, window_dimensions, window_strides, padding_low, padding_high, base_dilation,
            window_dilation)):
        padded = dilate(size, bd) + lo + hi
        window = dilate(k, wd)
        if padded < window:
            raise _err(op, f"the window ({window} with dilation) is larger than the padded "
                           f"{what} ({padded}) along dimension {d}: {what} shape "
                           f"{tuple(shape)}, {names[0]} {tuple(window_dimensions)}, padding "
                           f"{tuple(zip(padding_low, padding_high))}")
        out.append((padded - window) // s + 1)
    return tuple(out)


def _window_params(params: dict) -> list:
    return [params[k] for k in WINDOW_ATTRS]


class ReduceWindowMonoid(OpDef):
    """`"plait.reduce_window_sum"(%x) {window_dimensions = array<i64: 2, 2>, window_strides =
    array<i64: 2, 2>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>,
    base_dilation = array<i64: 1, 1>, window_dilation = array<i64: 1, 1>}`"""

    arity = 1
    attrs = {k: Ints() for k in WINDOW_ATTRS}
    traits = (Pure(),)
    kinds = NUMERIC

    def infer(self, avals, **params):
        (x,) = avals
        _check_kind(self, x.dtype, self.kinds)
        shape = window_shape(self, x.shape, *_window_params(params))
        return [ShapedArray(shape, x.dtype, x.weak_type)]


reduce_window_sum = ReduceWindowMonoid("plait.reduce_window_sum", "Sum over each window.",
                                       traits=(Linear(0),))
reduce_window_max = ReduceWindowMonoid("plait.reduce_window_max",
                                       "Maximum over each window (padding is -inf).", kinds=ANY)
reduce_window_min = ReduceWindowMonoid("plait.reduce_window_min",
                                       "Minimum over each window (padding is +inf).", kinds=ANY)


class ReduceWindow(RegionOp):
    """`%r = "plait.reduce_window"(%x, %init) {window_dimensions, ...} ({ ^bb0(%a: tensor<f32>,
    %b: tensor<f32>): ... "plait.yield"(%c) })`

    n arrays of one shape and n scalar initial values (padding takes them too); the body
    takes (a_1..a_n, b_1..b_n) scalars and yields n; results are the windows' reductions."""

    attrs = {k: Ints() for k in WINDOW_ATTRS}
    traits = (Pure(), HasRegions(1))

    def verify_blocks(self, op: ir.Operation, params: dict) -> None:
        operands = list(op.operands)
        n = len(operands) // 2
        if not operands or len(operands) % 2:
            raise _err(self, f"takes n arrays and n initial values, got {len(operands)} "
                             "operands")
        avals = [_aval.aval_of(v) for v in operands]
        xs, inits = avals[:n], avals[n:]
        for x, init in zip(xs, inits):
            if x.shape != xs[0].shape:
                raise _err(self, "its arrays must have one shape, got "
                                 + " and ".join(str(a.shape) for a in xs))
            if init.shape != () or init.dtype != x.dtype:
                raise _err(self, f"initial values must be scalars of their array's dtype, got "
                                 f"{init.str_short()} for {x.str_short()}")
        shape = window_shape(self, xs[0].shape, *_window_params(params))
        scalars = [_aval.ir_type(a.update(shape=())) for a in xs] * 2
        block = block_of(op.regions[0])
        got = [a.type for a in block.arguments]
        if got != scalars:
            raise _err(self, f"the body takes {_fmt(got)} but must take {_fmt(scalars)}")
        outs = [v.type for v in yielded(block)]
        if outs != scalars[:n]:
            raise _err(self, f"the body yields {_fmt(outs)} but must yield {_fmt(scalars[:n])}")
        want = [_aval.ir_type(ShapedArray(shape, x.dtype)) for x in xs]
        results = [r.type for r in op.results]
        if results != want:
            raise _err(self, f"result types {_fmt(results)} differ from {_fmt(want)}")


def _fmt(types) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


reduce_window = ReduceWindow("plait.reduce_window",
                             "Reduce each window of n arrays with a region body.")

DIRECTIONS = ("GE", "LE")


class SelectAndGatherAdd(OpDef):
    """`"plait.select_and_gather_add"(%t, %x) {direction = "GE", window_dimensions, ...}`

    In each window of x, the element max (GE) or min (LE) picks; the result holds the element
    of t at its position."""

    arity = 2
    attrs = {"direction": Str(DIRECTIONS), **{k: Ints() for k in WINDOW_ATTRS}}
    traits = (Pure(), Linear(0))

    def infer(self, avals, direction, **params):
        t, x = avals
        _check_kind(self, x.dtype, ANY)
        if t.shape != x.shape or t.dtype != x.dtype:
            raise _err(self, f"its operands must have one shape and dtype, got {t.str_short()} "
                             f"and {x.str_short()}")
        shape = window_shape(self, x.shape, *_window_params(params))
        return [ShapedArray(shape, t.dtype, t.weak_type)]


select_and_gather_add = SelectAndGatherAdd(
    "plait.select_and_gather_add", "The first operand's element where max/min of each window "
    "of the second is.")

_SCATTER_ATTRS = ("window_dimensions", "window_strides", "padding_low", "padding_high")


class SelectAndScatterAdd(OpDef):
    """`"plait.select_and_scatter_add"(%s, %x) {direction = "GE", window_dimensions,
    window_strides, padding_low, padding_high}`

    Zeros shaped like x, to which each element of s (one per window of x) is added where max
    (GE) or min (LE) of its window is. Padding is never selected."""

    arity = 2
    attrs = {"direction": Str(DIRECTIONS), **{k: Ints() for k in _SCATTER_ATTRS}}
    traits = (Pure(), Linear(0))

    def infer(self, avals, direction, window_dimensions, window_strides, padding_low,
              padding_high):
        s, x = avals
        _check_kind(self, x.dtype, ANY)
        if s.dtype != x.dtype:
            raise _err(self, f"its operands must have one dtype, got {s.dtype} and {x.dtype}")
        ones = (1,) * x.ndim
        shape = window_shape(self, x.shape, window_dimensions, window_strides, padding_low,
                             padding_high, ones, ones)
        if s.shape != shape:
            raise _err(self, f"source shape {s.shape} differs from the shape of x's windows "
                             f"{shape}")
        return [ShapedArray(x.shape, s.dtype, s.weak_type)]


select_and_scatter_add = SelectAndScatterAdd(
    "plait.select_and_scatter_add", "Add each element of the source where max/min of its "
    "window of the second operand is.")


class Cumulative(OpDef):
    """`"plait.cumprod"(%x) {axis = 0 : i64, reverse = false}` (as `plait.cumsum`, which is
    declared with the structural ops)"""

    arity = 1
    attrs = {"axis": Int(), "reverse": Bool()}
    traits = (Pure(), SameOperandsAndResultShape())
    kinds = NUMERIC

    def infer(self, avals, axis, reverse=False):
        (x,) = avals
        if not 0 <= axis < x.ndim:
            raise _err(self, f"axis {axis} out of range for rank {x.ndim}")
        _check_kind(self, x.dtype, self.kinds)
        return [x]


cumprod = Cumulative("plait.cumprod", "Inclusive prefix product along an axis (reverse: suffix).")
cummax = Cumulative("plait.cummax", "Inclusive prefix maximum along an axis (reverse: suffix).")
cummin = Cumulative("plait.cummin", "Inclusive prefix minimum along an axis (reverse: suffix).")
cumlogsumexp = Cumulative("plait.cumlogsumexp",
                          "Inclusive prefix log-sum-exp along an axis (reverse: suffix).",
                          kinds=FLOAT)

__all__ = ["reduce_window_sum", "reduce_window_max", "reduce_window_min", "reduce_window",
           "select_and_gather_add", "select_and_scatter_add", "cumprod", "cummax", "cummin",
           "cumlogsumexp"]
