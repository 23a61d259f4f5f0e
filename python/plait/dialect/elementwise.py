"""Elementwise ops: unary, binary, compare, select, select_n, clamp, convert.

Operands of an elementwise op have equal shapes and dtypes (broadcasting and promotion are
the front end's job, as in StableHLO); each op lists the dtype kinds it accepts. Every op
here is Pure and Elementwise, which gives it its batching and sharding rules and the shape
check of its verifier; an op with a one-to-one StableHLO counterpart names it (`stablehlo=`),
which is its lowering. Its other rules are in `rules/elementwise.py`.
"""

from __future__ import annotations

import numpy as np

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import DType, Int, OpDef, Str
from plait.dialect.traits import Commutative, Elementwise, Linear, Pure

# dtype classes: the kinds (from dtypes.kind) an op accepts
BOOL, INT, FLOAT, COMPLEX = "b", "i", "f", "c"
NUMERIC = INT + FLOAT + COMPLEX
INEXACT = FLOAT + COMPLEX
REAL = INT + FLOAT
LOGICAL = BOOL + INT
ANY = BOOL + NUMERIC
_KIND_NAMES = {"b": "bool", "i": "integer", "f": "floating", "c": "complex"}


def _check_kind(op: OpDef, dt: np.dtype, allowed: str) -> None:
    if dtypes.kind(dt) not in allowed:
        names = " or ".join(_KIND_NAMES[k] for k in allowed)
        raise PlaitTypeError(f"{op.name} takes {names} operands, got {dt}")


def _same_dtypes(op: OpDef, avals) -> None:
    a0 = avals[0]
    for a in avals[1:]:
        if a.dtype != a0.dtype:
            raise PlaitTypeError(f"{op.name} operands must have equal dtypes, got "
                                 + " and ".join(str(b.dtype) for b in avals))


def _weak(avals) -> bool:
    return all(a.weak_type for a in avals)


class Unary(OpDef):
    """`%y = "plait.<op>"(%x) : (tensor<4xf32>) -> tensor<4xf32>`"""

    arity = 1
    traits = (Pure(), Elementwise())
    kinds = NUMERIC
    result_dtype = None  # a fixed result dtype (bool for is_finite), else the operand's

    def infer(self, avals):
        (x,) = avals
        _check_kind(self, x.dtype, self.kinds)
        if self.result_dtype is not None:
            return [ShapedArray(x.shape, self.result_dtype)]
        return [x]


class RealPart(Unary):
    """Unary op from complex to its real dtype (abs, real, imag); identity dtype otherwise."""

    def infer(self, avals):
        (x,) = avals
        _check_kind(self, x.dtype, self.kinds)
        return [ShapedArray(x.shape, dtypes.real_dtype(x.dtype), x.weak_type)]


neg = Unary("plait.neg", "Negation: y = -x.", traits=(Linear(0),), stablehlo="stablehlo.negate")
abs = RealPart("plait.abs", "Absolute value; complex |x| is real.")
sign = Unary("plait.sign", "Sign: -1, 0 or 1 (x/|x| for complex).")
exp = Unary("plait.exp", "Exponential e**x.", kinds=INEXACT, stablehlo="stablehlo.exponential")
log = Unary("plait.log", "Natural logarithm.", kinds=INEXACT, stablehlo="stablehlo.log")
log1p = Unary("plait.log1p", "log(1 + x), accurate near 0.", kinds=INEXACT,
              stablehlo="stablehlo.log_plus_one")
expm1 = Unary("plait.expm1", "exp(x) - 1, accurate near 0.", kinds=INEXACT,
              stablehlo="stablehlo.exponential_minus_one")
sqrt = Unary("plait.sqrt", "Square root.", kinds=INEXACT, stablehlo="stablehlo.sqrt")
rsqrt = Unary("plait.rsqrt", "Reciprocal square root 1/sqrt(x).", kinds=INEXACT,
              stablehlo="stablehlo.rsqrt")
sin = Unary("plait.sin", "Sine.", kinds=INEXACT, stablehlo="stablehlo.sine")
cos = Unary("plait.cos", "Cosine.", kinds=INEXACT, stablehlo="stablehlo.cosine")
tan = Unary("plait.tan", "Tangent.", kinds=INEXACT, stablehlo="stablehlo.tan")
tanh = Unary("plait.tanh", "Hyperbolic tangent.", kinds=INEXACT, stablehlo="stablehlo.tanh")
logistic = Unary("plait.logistic", "Logistic sigmoid 1/(1+exp(-x)).", kinds=INEXACT,
                 stablehlo="stablehlo.logistic")
erf = Unary("plait.erf", "Error function.", kinds=FLOAT, stablehlo="chlo.erf")
floor = Unary("plait.floor", "Round toward -inf.", kinds=FLOAT, stablehlo="stablehlo.floor")
ceil = Unary("plait.ceil", "Round toward +inf.", kinds=FLOAT, stablehlo="stablehlo.ceil")
round = Unary("plait.round", "Round half to even.", kinds=FLOAT,
              stablehlo="stablehlo.round_nearest_even")
stop_gradient = Unary("plait.stop_gradient", "The identity, whose derivative is zero: a value the "
                      "AD passes do not differentiate through (jax.lax.stop_gradient).")
is_finite = Unary("plait.is_finite", "True where x is neither inf nor nan.", kinds=FLOAT,
                  result_dtype=dtypes.bool_, stablehlo="stablehlo.is_finite")
not_ = Unary("plait.not", "Logical (bool) or bitwise (integer) not.", kinds=LOGICAL,
             stablehlo="stablehlo.not")
real = RealPart("plait.real", "Real part of a complex number.", kinds=COMPLEX,
                traits=(Linear(0),), stablehlo="stablehlo.real")
imag = RealPart("plait.imag", "Imaginary part of a complex number.", kinds=COMPLEX,
                traits=(Linear(0),), stablehlo="stablehlo.imag")

# hyperbolic and inverse trigonometric functions, cube root, erfc and exp2: lowered as jax
# lowers them (CHLO, which XLA expands), so the values are jax's bits
sinh = Unary("plait.sinh", "Hyperbolic sine.", kinds=INEXACT, stablehlo="chlo.sinh")
cosh = Unary("plait.cosh", "Hyperbolic cosine.", kinds=INEXACT, stablehlo="chlo.cosh")
asin = Unary("plait.asin", "Inverse sine.", kinds=INEXACT, stablehlo="chlo.asin")
acos = Unary("plait.acos", "Inverse cosine.", kinds=INEXACT, stablehlo="chlo.acos")
atan = Unary("plait.atan", "Inverse tangent.", kinds=INEXACT, stablehlo="chlo.atan")
asinh = Unary("plait.asinh", "Inverse hyperbolic sine.", kinds=INEXACT, stablehlo="chlo.asinh")
acosh = Unary("plait.acosh", "Inverse hyperbolic cosine.", kinds=INEXACT,
              stablehlo="chlo.acosh")
atanh = Unary("plait.atanh", "Inverse hyperbolic tangent.", kinds=INEXACT,
              stablehlo="chlo.atanh")
cbrt = Unary("plait.cbrt", "Cube root.", kinds=FLOAT, stablehlo="stablehlo.cbrt")
erfc = Unary("plait.erfc", "Complementary error function 1 - erf(x).", kinds=FLOAT,
             stablehlo="chlo.erfc")
exp2 = Unary("plait.exp2", "Base-2 exponential 2**x.", kinds=INEXACT)


class IntegerPow(Unary):
    """`%z = "plait.integer_pow"(%x) {y = 3 : i64} : (tensor<4xf32>) -> tensor<4xf32>`"""

    attrs = {"y": Int()}

    def infer(self, avals, y):
        (x,) = avals
        _check_kind(self, x.dtype, NUMERIC)
        if y < 0 and dtypes.kind(x.dtype) == INT:
            raise PlaitTypeError(f"{self.name}: integers cannot be raised to negative powers, "
                                 f"got {x.dtype} to the power {y}")
        return [x]


integer_pow = IntegerPow("plait.integer_pow", "x**y for a static integer y (by repeated "
                         "multiplication; 1/x**-y for y < 0).")


class ReducePrecision(Unary):
    """`%z = "plait.reduce_precision"(%x) {exponent_bits = 5 : i64, mantissa_bits = 10 : i64}
    : (tensor<4xf32>) -> tensor<4xf32>`"""

    attrs = {"exponent_bits": Int(), "mantissa_bits": Int()}

    def infer(self, avals, exponent_bits, mantissa_bits):
        (x,) = avals
        _check_kind(self, x.dtype, FLOAT)
        if exponent_bits < 1:
            raise PlaitTypeError(f"{self.name}: exponent_bits must be positive, got "
                                 f"{exponent_bits}")
        if mantissa_bits < 0:
            raise PlaitTypeError(f"{self.name}: mantissa_bits must be non-negative, got "
                                 f"{mantissa_bits}")
        return [x]


# Linear as in jax: its JVP and its transpose are itself
reduce_precision = ReducePrecision(
    "plait.reduce_precision", "Round to the nearest float of `exponent_bits` exponent and "
    "`mantissa_bits` mantissa bits (overflow to inf), kept in the operand's dtype.",
    traits=(Linear(0),))


class Binary(OpDef):
    """`%z = "plait.<op>"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>`"""

    arity = 2
    traits = (Pure(), Elementwise())
    kinds = NUMERIC

    def infer(self, avals):
        _same_dtypes(self, avals)
        _check_kind(self, avals[0].dtype, self.kinds)
        return [avals[0].update(weak_type=_weak(avals))]


add = Binary("plait.add", "Addition.", traits=(Commutative(), Linear(0, 1)),
             stablehlo="stablehlo.add")
sub = Binary("plait.sub", "Subtraction.", traits=(Linear(0, 1),), stablehlo="stablehlo.subtract")
mul = Binary("plait.mul", "Multiplication.", traits=(Commutative(), Linear(0), Linear(1)),
             stablehlo="stablehlo.multiply")
div = Binary("plait.div", "Division (integers round toward zero).", traits=(Linear(0),),
             stablehlo="stablehlo.divide", operand_names=("numerator", "denominator"))
rem = Binary("plait.rem", "Remainder with the sign of the dividend (C fmod).", kinds=REAL,
             stablehlo="stablehlo.remainder")
pow = Binary("plait.pow", "Power x**y.", kinds=NUMERIC, stablehlo="stablehlo.power")
max = Binary("plait.max", "Elementwise maximum (NaN-propagating).", kinds=ANY)
min = Binary("plait.min", "Elementwise minimum (NaN-propagating).", kinds=ANY)
atan2 = Binary("plait.atan2", "Two-argument arctangent atan2(x, y) of x/y.", kinds=FLOAT,
               stablehlo="stablehlo.atan2")
and_ = Binary("plait.and", "Logical or bitwise and.", kinds=LOGICAL,
              traits=(Commutative(),), stablehlo="stablehlo.and")
or_ = Binary("plait.or", "Logical or bitwise or.", kinds=LOGICAL, traits=(Commutative(),),
             stablehlo="stablehlo.or")
xor = Binary("plait.xor", "Logical or bitwise exclusive or.", kinds=LOGICAL,
             traits=(Commutative(),), stablehlo="stablehlo.xor")


class MakeComplex(OpDef):
    """`%z = "plait.complex"(%re, %im) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xcomplex<f32>>`"""

    arity = 2
    traits = (Pure(), Elementwise(), Linear(0, 1))
    stablehlo = "stablehlo.complex"

    def infer(self, avals):
        _same_dtypes(self, avals)
        if avals[0].dtype not in (dtypes.float32, dtypes.float64):
            raise PlaitTypeError(f"{self.name} takes float32 or float64 operands, "
                                 f"got {avals[0].dtype}")
        return [ShapedArray(avals[0].shape, dtypes.complex_dtype(avals[0].dtype))]


complex = MakeComplex("plait.complex", "Complex number from real and imaginary parts.")

DIRECTIONS = ("EQ", "NE", "LT", "LE", "GT", "GE")


class Compare(OpDef):
    """`%p = "plait.compare"(%x, %y) {direction = "LT"} : (...) -> tensor<4xi1>`

    Floats compare as IEEE (NaN unordered); complex operands allow only EQ and NE.
    """

    arity = 2
    attrs = {"direction": Str(DIRECTIONS)}
    traits = (Pure(), Elementwise())

    def infer(self, avals, direction):
        if direction not in DIRECTIONS:
            raise PlaitTypeError(f"{self.name} direction must be one of {DIRECTIONS}")
        _same_dtypes(self, avals)
        if dtypes.is_complex(avals[0].dtype) and direction not in ("EQ", "NE"):
            raise PlaitTypeError(f"{self.name} {direction} is not defined for complex operands")
        return [ShapedArray(avals[0].shape, dtypes.bool_)]


compare = Compare("plait.compare", "Elementwise comparison with a direction EQ NE LT LE GT GE.")


class Select(OpDef):
    """`%z = "plait.select"(%pred, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> ...`"""

    arity = 3
    traits = (Pure(), Elementwise(), Linear(1, 2))
    operand_names = ("predicate", "on_true", "on_false")
    stablehlo = "stablehlo.select"

    def infer(self, avals):
        p, x, y = avals
        if p.dtype != dtypes.bool_:
            raise PlaitTypeError(f"{self.name} predicate must be bool, got {p.dtype}")
        _same_dtypes(self, [x, y])
        return [x.update(weak_type=_weak([x, y]))]


select = Select("plait.select", "Elementwise choice: pred ? on_true : on_false.")


class SelectN(OpDef):
    """`%z = "plait.select_n"(%which, %c0, %c1, %c2) : (tensor<4xi32>, tensor<4xf32>, ...) ->
    tensor<4xf32>`

    Case `which` of the cases, element by element: `which` is bool (two cases at most: false
    picks c0) or int32 (in [0, n); out-of-range values pick an unspecified case, as in jax)."""

    traits = (Pure(), Elementwise(), Linear(from_operand=1))
    operand_names = ("which",)

    def infer(self, avals):
        if len(avals) < 2:
            raise PlaitTypeError(f"{self.name} takes `which` and at least one case, got "
                                 f"{len(avals)} operands")
        which, cases = avals[0], avals[1:]
        if which.dtype not in (dtypes.bool_, dtypes.int32):
            raise PlaitTypeError(f"{self.name} `which` must be bool or int32, got {which.dtype}")
        if which.dtype == dtypes.bool_ and len(cases) > 2:
            raise PlaitTypeError(f"{self.name} with a bool `which` takes at most 2 cases, got "
                                 f"{len(cases)}")
        _same_dtypes(self, cases)
        return [cases[0].update(weak_type=_weak(cases))]


select_n = SelectN("plait.select_n", "Elementwise choice of case `which` among n cases.")


class Clamp(OpDef):
    """`%z = "plait.clamp"(%lo, %x, %hi) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> ...`"""

    arity = 3
    traits = (Pure(), Elementwise())
    stablehlo = "stablehlo.clamp"

    def infer(self, avals):
        _same_dtypes(self, avals)
        _check_kind(self, avals[0].dtype, REAL)
        return [avals[1]]


clamp = Clamp("plait.clamp", "Elementwise min(max(x, lo), hi).")


class Convert(OpDef):
    """`%y = "plait.convert"(%x) {new_dtype = f16} : (tensor<4xf32>) -> tensor<4xf16>`

    Complex to real keeps the real part; to bool tests for nonzero.
    """

    arity = 1
    attrs = {"new_dtype": DType()}
    traits = (Pure(), Elementwise(), Linear(0))

    def infer(self, avals, new_dtype):
        (x,) = avals
        return [ShapedArray(x.shape, new_dtype)]


convert = Convert("plait.convert", "Convert element type (C-style casts, float->int truncates).")
