"""Special functions: erf_inv, lgamma, digamma, polygamma, and next_after.

All Pure and Elementwise on floating operands, lowered one-to-one to their CHLO ops, which XLA
expands into its own polynomial approximations: plait emits the same ops as jax, so the values
are the same bits (jax.random's normal is `erf_inv` of a uniform, poisson calls `lgamma`).
Their rules are in `rules/special.py`.
"""

from __future__ import annotations

from plait.dialect.elementwise import FLOAT, Binary, Unary

erf_inv = Unary("plait.erf_inv", "Inverse error function on (-1, 1).", kinds=FLOAT,
                stablehlo="chlo.erf_inv")
lgamma = Unary("plait.lgamma", "log|Gamma(x)|.", kinds=FLOAT, stablehlo="chlo.lgamma")
digamma = Unary("plait.digamma", "The digamma function, d/dx lgamma(x).", kinds=FLOAT,
                stablehlo="chlo.digamma")
polygamma = Binary("plait.polygamma", "polygamma(m, x): the m-th derivative of digamma at x "
                   "(m a whole number).", kinds=FLOAT, stablehlo="chlo.polygamma")
next_after = Binary("plait.next_after", "next_after(x, y): the float after x toward y.",
                    kinds=FLOAT, stablehlo="chlo.next_after")
