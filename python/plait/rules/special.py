"""The rules of the special functions (`dialect/special.py`): their derivatives. Batching,
sharding and lowering follow from their traits and declarations."""

from __future__ import annotations

import math

from plait.dialect import ops as P
from plait.dialect.builders import full_like
from plait.rules.elementwise import defderivative
from plait.transforms.base import fail
from plait.transforms.jvp import defjvp, jvp_rule

# d/dx erf_inv(x) = sqrt(pi)/2 * exp(erf_inv(x)**2)
defderivative(P.erf_inv)(
    lambda x, y: P.mul(full_like(y, math.sqrt(math.pi) / 2), P.exp(P.mul(y, y))))
defderivative(P.lgamma)(lambda x, y: P.digamma(x))
defderivative(P.digamma)(lambda x, y: P.polygamma(full_like(x, 1), x))


@jvp_rule(P.polygamma)
def _polygamma_jvp(ctx):
    """d/dx polygamma(m, x) = polygamma(m + 1, x); m is an order, not differentiable (jax)."""
    (m, x), (tm, tx) = ctx.primals, ctx.tangents
    if tm is not None:
        raise fail(ctx.op, "polygamma(m, x) is not differentiable in m")
    ctx.emit_primal()
    return [None if tx is None else P.mul(tx, P.polygamma(P.add(m, full_like(m, 1)), x))]


@defjvp(P.next_after)
def _next_after_jvp(primals, tangents, outs):
    """next_after(x, y) moves x by one ulp: slope 1 in x, 0 in y."""
    return [tangents[0]]
