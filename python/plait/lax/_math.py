"""`plait.lax` hyperbolic, inverse trigonometric and power functions, with jax.lax's names and
signatures."""

from __future__ import annotations

import operator

from plait.dialect import ops as P
from plait.lax._lax import _unary
from plait.staging.trace import bind

sinh, cosh, asin, acos, atan, asinh, acosh, atanh = map(_unary, (
    P.sinh, P.cosh, P.asin, P.acos, P.atan, P.asinh, P.acosh, P.atanh))
cbrt, erfc, exp2 = map(_unary, (P.cbrt, P.erfc, P.exp2))


def integer_pow(x, y: int):
    """x**y for a static integer y, by repeated multiplication (integers may not take y < 0)."""
    return bind(P.integer_pow, x, y=operator.index(y))


def reciprocal(x):
    """1/x, as jax: `integer_pow(x, -1)`."""
    return integer_pow(x, -1)


def reduce_precision(operand, exponent_bits: int, mantissa_bits: int):
    """Round to a float format of `exponent_bits` and `mantissa_bits` (XLA's ReducePrecision),
    keeping the dtype: `reduce_precision(x, 8, 7)` rounds float32 to bfloat16's values."""
    return bind(P.reduce_precision, operand, exponent_bits=operator.index(exponent_bits),
                mantissa_bits=operator.index(mantissa_bits))
