"""`plait.lax` special functions, with jax.lax's names and signatures."""

from __future__ import annotations

from plait.dialect import ops as P
from plait.lax._lax import _binary, _unary

erf_inv, lgamma, digamma = map(_unary, (P.erf_inv, P.lgamma, P.digamma))
polygamma, nextafter = map(_binary, (P.polygamma, P.next_after))
