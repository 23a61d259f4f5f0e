"""`plait.lax` special functions, with jax.lax's names and signatures."""

from __future__ import annotations

from plait.dialect import ops as P
from plait.lax._lax import _binary, _elementwise, _unary

erf_inv, lgamma, digamma, bessel_i0e, bessel_i1e = map(_unary, (
    P.erf_inv, P.lgamma, P.digamma, P.bessel_i0e, P.bessel_i1e))
polygamma, nextafter, zeta = map(_binary, (P.polygamma, P.next_after, P.zeta))
igamma, igammac, igamma_grad_a, random_gamma_grad = map(_binary, (
    P.igamma, P.igammac, P.igamma_grad_a, P.random_gamma_grad))


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b); differentiable in x only (jax)."""
    return _elementwise(P.regularized_incomplete_beta, a, b, x)
