"""Special functions: erf_inv, lgamma, digamma, polygamma, next_after, zeta, bessel_i1e, the
incomplete gamma family (igamma, igammac, igamma_grad_a, random_gamma_grad), the regularized
incomplete beta function and bessel_i0e.

All Pure and Elementwise on floating operands. Those with a CHLO op lower one-to-one to it,
which XLA expands into its own polynomial approximations: plait emits the same ops as jax, so
the values are the same bits (jax.random's normal is `erf_inv` of a uniform, poisson calls
`lgamma`). The others have no StableHLO counterpart; their lowerings in `rules/special.py`
expand them into StableHLO formulas (series, continued fractions, Chebyshev expansions), as
jax expands them into its own primitives.
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
zeta = Binary("plait.zeta", "zeta(x, q): the Hurwitz zeta function, the sum over n >= 0 of "
              "(n + q)**-x.", kinds=FLOAT, stablehlo="chlo.zeta")
bessel_i0e = Unary("plait.bessel_i0e", "exp(-|x|) I0(x), the scaled modified Bessel function "
                   "of order 0.", kinds=FLOAT)
bessel_i1e = Unary("plait.bessel_i1e", "exp(-|x|) I1(x), the scaled modified Bessel function "
                   "of order 1.", kinds=FLOAT, stablehlo="chlo.bessel_i1e")
igamma = Binary("plait.igamma", "igamma(a, x): the regularized lower incomplete gamma "
                "function P(a, x).", kinds=FLOAT)
igammac = Binary("plait.igammac", "igammac(a, x): the regularized upper incomplete gamma "
                 "function Q(a, x) = 1 - P(a, x).", kinds=FLOAT)
igamma_grad_a = Binary("plait.igamma_grad_a", "igamma_grad_a(a, x): d/da of igamma(a, x).",
                       kinds=FLOAT)
random_gamma_grad = Binary("plait.random_gamma_grad", "random_gamma_grad(a, x): dx/da of a "
                           "Gamma(a, 1) sample x at a fixed CDF value (the reparameterisation "
                           "gradient of jax.random.gamma).", kinds=FLOAT)


class Ternary(Binary):
    """`%r = "plait.<op>"(%a, %b, %x) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
    -> tensor<4xf32>`"""

    arity = 3


regularized_incomplete_beta = Ternary(
    "plait.regularized_incomplete_beta", "regularized_incomplete_beta(a, b, x): the regularized "
    "incomplete beta function I_x(a, b).", kinds=FLOAT)
next_after = Binary("plait.next_after", "next_after(x, y): the float after x toward y.",
                    kinds=FLOAT, stablehlo="chlo.next_after")
