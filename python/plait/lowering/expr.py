"""Elementwise formulas written in StableHLO: `E`, an `ir.Value` with arithmetic, and a while
loop over lists of them, for lowering rules that expand an op into a formula (the incomplete
gamma and beta functions, Bessel i0e) instead of naming one StableHLO op.

Every operand of a formula has one shape; a Python number stands for a constant of the other
operand's type. Everything emitted is StableHLO or CHLO, at the current insertion point.
"""

from __future__ import annotations

import numpy as np

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.lowering.stablehlo import binary_body, compare, create, i64s


def _splat(t: ir.Type, value) -> ir.Value:
    el = ir.RankedTensorType(t).element_type
    attr = ir.IntegerAttr.get(el, int(value)) if isinstance(el, ir.IntegerType) else \
        ir.FloatAttr.get(el, float(value))
    return create("stablehlo.constant", [t], [],
                  {"value": ir.DenseElementsAttr.get_splat(t, attr)}).results[0]


def _binary(name: str):
    """The method pair (x op y, y op x) of a binary op."""
    return (lambda self, y: self._op(name, y), lambda self, y: self._op(name, y, True))


def _compare(direction: str):
    return lambda self, y: self._cmp(y, direction)


class E:
    """A StableHLO value in a formula: `a * x + 1`, `x < y`, `p & q` emit the ops."""

    __slots__ = ("v",)

    def __init__(self, v: ir.Value):
        self.v = v

    @property
    def aval(self) -> ShapedArray:
        return _aval.aval_of(self.v)

    def like(self, value) -> E:
        """A constant of this value's type."""
        return E(_splat(self.v.type, value))

    def _other(self, y) -> ir.Value:
        return y.v if isinstance(y, E) else _splat(self.v.type, y)

    def _op(self, name: str, y=None, swap: bool = False) -> E:
        operands = [self.v] if y is None else [self.v, self._other(y)]
        if swap:
            operands.reverse()
        return E(create(name, [self.v.type], operands).results[0])

    __add__, __radd__ = _binary("stablehlo.add")
    __sub__, __rsub__ = _binary("stablehlo.subtract")
    __mul__, __rmul__ = _binary("stablehlo.multiply")
    __truediv__, __rtruediv__ = _binary("stablehlo.divide")
    __and__ = _binary("stablehlo.and")[0]
    __or__ = _binary("stablehlo.or")[0]
    __lt__, __le__, __gt__, __ge__ = (_compare(d) for d in ("LT", "LE", "GT", "GE"))
    eq, ne = _compare("EQ"), _compare("NE")

    def __neg__(self):
        return self._op("stablehlo.negate")

    def __invert__(self):
        return self._op("stablehlo.not")

    def _cmp(self, y, direction: str) -> E:
        bt = _aval.ir_type(self.aval.update(dtype=dtypes.bool_, weak_type=False))
        return E(compare(self.v, self._other(y), direction, bt))

    __hash__ = None  # __eq__ is not overloaded: use eq


def unary(name: str, x: E) -> E:
    return x._op(name)


def log(x: E) -> E:
    return unary("stablehlo.log", x)


def log1p(x: E) -> E:
    return unary("stablehlo.log_plus_one", x)


def exp(x: E) -> E:
    return unary("stablehlo.exponential", x)


def sqrt(x: E) -> E:
    return unary("stablehlo.sqrt", x)


def absolute(x: E) -> E:
    return unary("stablehlo.abs", x)


def sign(x: E) -> E:
    return unary("stablehlo.sign", x)


def lgamma(x: E) -> E:
    return unary("chlo.lgamma", x)


def digamma(x: E) -> E:
    return unary("chlo.digamma", x)


def isnan(x: E) -> E:
    return x.ne(x)


def where(pred: E, a, b) -> E:
    """a where pred, else b (either may be a number)."""
    like = a if isinstance(a, E) else b
    a, b = (v.v if isinstance(v, E) else _splat(like.v.type, v) for v in (a, b))
    return E(create("stablehlo.select", [a.type], [pred.v, a, b]).results[0])


def any_(pred: E) -> E:
    """A scalar: whether pred holds anywhere."""
    scalar = _aval.ir_type(ShapedArray((), dtypes.bool_))
    false = _splat(scalar, False)
    r = create("stablehlo.reduce", [scalar], [pred.v, false],
               {"dimensions": i64s(range(pred.aval.ndim))}, regions=1)
    binary_body(r.regions[0], scalar, lambda x, y: create("stablehlo.or", [scalar],
                                                          [x, y]).results[0])
    return E(r.results[0])


def convert(x: E, dtype: np.dtype) -> E:
    t = _aval.ir_type(x.aval.update(dtype=dtype, weak_type=False))
    return E(create("stablehlo.convert", [t], [x.v]).results[0])


def while_loop(cond, body, init: list[E]) -> list[E]:
    """`while cond(vals): vals = body(vals)` on lists of E; the regions see only the carried
    values (pass every value they use in `init`)."""
    types = [v.v.type for v in init]
    loop = create("stablehlo.while", types, [v.v for v in init], regions=2)
    for region, fn in ((loop.regions[0], lambda vs: [cond(vs)]), (loop.regions[1], body)):
        block = region.blocks.append(*types)
        with ir.InsertionPoint(block):
            out = fn([E(a) for a in block.arguments])
            create("stablehlo.return", [], [v.v for v in out])
    return [E(r) for r in loop.results]


def polyval(coefficients, x: E) -> E:
    """The polynomial with `coefficients` (highest power first) at x, by Horner's rule."""
    y = x.like(coefficients[0])
    for c in coefficients[1:]:
        y = y * x + c
    return y
