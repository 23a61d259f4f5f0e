"""`plait.from_jax`: a function written with jax, run as plait ops.

jax only traces and lowers the function (`jax.jit(f).lower` at the avals plait gives it); its
StableHLO is raised into the plait dialect (`plait-raise-stablehlo`) and inlined into the
plait trace that calls it, so plait's passes (grad, vmap, jit, sharding) transform it like any
plait function. The raised module is cached per input structure and avals.
"""

from __future__ import annotations

import threading
import warnings

import jax
from jax.interpreters import mlir as jax_mlir

from plait._mlir import CONTEXT, LOCK, ir
from plait.core import aval as _aval
from plait.core.aval import ShapedArray
from plait.core.errors import IRError, PlaitTypeError, _is_internal, user_site
from plait.jitting import jit
from plait.lowering.raising import inline_into, raise_stablehlo
from plait.staging.trace import Tracer, current_trace

# jax lowers lax.stop_gradient to nothing (its StableHLO needs no derivatives); while from_jax
# has jax lower a function, it lowers to a custom call that is raised to plait.stop_gradient,
# so that plait's derivatives stop where jax's would. Anywhere else, jax's own rule.
STOP_GRADIENT_TARGET = "plait.stop_gradient"
_lowering = threading.local()


def _lower_stop_gradient(ctx, x):
    if not getattr(_lowering, "marked", False):
        return [x]
    return list(ir.Operation.create(
        "stablehlo.custom_call", results=[x.type], operands=[x],
        attributes={"call_target_name": ir.StringAttr.get(STOP_GRADIENT_TARGET)}).results)


jax_mlir.register_lowering(
    jax.make_jaxpr(jax.lax.stop_gradient)(0.0).eqns[0].primitive, _lower_stop_gradient)


# Primitives whose derivative is a rule of their own, which their StableHLO does not carry. A
# custom_linear_solve differentiates through a matvec it does not lower, while its solve reads
# stop_gradient(a): there, stop_gradient is left out, so plait differentiates the solve itself.
# custom_jvp rules (relu, softmax, logsumexp, ...) are not looked for: differentiating their
# primal agrees with them but at points of measure zero. A custom_vjp rule may not (gradient
# clipping, straight-through estimators): it is warned of.
USER_RULES = frozenset({"custom_vjp_call", "custom_vjp_call_jaxpr", "custom_lin"})
CUSTOM_DERIVATIVES = frozenset({"custom_linear_solve", "custom_root"}) | USER_RULES


def _custom_derivatives(jaxpr) -> set:
    """The CUSTOM_DERIVATIVES primitives in a jaxpr and the jaxprs inside it."""
    found, stack = set(), [jaxpr]
    while stack:
        for eqn in stack.pop().eqns:
            if eqn.primitive.name in CUSTOM_DERIVATIVES:
                found.add(eqn.primitive.name)
            for p in eqn.params.values():
                for sub in p if isinstance(p, (tuple, list)) else (p,):
                    inner = getattr(sub, "jaxpr", sub)
                    if hasattr(inner, "eqns"):
                        stack.append(inner)
    return found


def from_jax(fun):
    """A plait-callable computing `fun`, a function written with jax (jax.numpy, jax.lax,
    optax, ...): `plait.grad(plait.from_jax(f))` differentiates f with plait's passes.

    Arguments and results are pytrees of arrays (jax.tree_util's). Outside a trace the call is
    a `plait.jit` of it. Arrays `fun` closes over stay jax's: jax traces them as constants."""
    return FromJax(fun)


class FromJax:
    """`from_jax(fun)`. Its state is in slots, so that plait.jit keys it by identity and never
    rebuilds `fun` with tracers in place of the jax arrays it closes over."""

    __slots__ = ("fun", "_cache")

    def __init__(self, fun):
        self.fun = fun
        self._cache: dict = {}

    @property
    def __name__(self) -> str:
        return getattr(self.fun, "__name__", "from_jax")

    def __repr__(self) -> str:
        return f"from_jax({self.fun!r})"

    def __call__(self, *args, **kwargs):
        trace = current_trace()
        if trace is None:
            return jit(self)(*args, **kwargs)
        leaves, in_tree = jax.tree_util.tree_flatten((args, kwargs))
        values, avals = [], []
        for x in leaves:
            v, a = trace.to_value(x)
            values.append(v)
            avals.append(a)
        key = (in_tree, tuple(avals))
        if key not in self._cache:
            try:
                self._cache[key] = _raise(self.fun, in_tree, avals)
            except IRError as e:  # at a jax op whose source is plait's: at the caller's line
                if e.site is not None and not _is_internal(e.site[0]):
                    raise
                raise IRError(e.bare_message) from None
        module, out_tree, out_avals = self._cache[key]
        with LOCK, CONTEXT:
            outs = inline_into(module.operation, "main", values, trace.ip)
        return jax.tree_util.tree_unflatten(
            out_tree, [Tracer(v, a, trace) for v, a in zip(outs, out_avals)])


def _raise(fun, in_tree, avals):
    """jax's StableHLO of `fun` at `avals`, raised: (module, output tree, output avals)."""
    def flat(*leaves):
        args, kwargs = jax.tree_util.tree_unflatten(in_tree, leaves)
        return fun(*args, **kwargs)

    specs = [jax.ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type) for a in avals]
    # plait's dtypes are per array: a 64-bit input stays one (jax traces with 64-bit types only
    # then, so that jax code written for its default keeps its Python-int dtypes otherwise)
    wide = any(a.dtype.itemsize == 8 for a in avals)
    with jax.enable_x64(wide):
        traced = jax.jit(flat, keep_unused=True).trace(*specs)
        hidden = _custom_derivatives(traced.jaxpr.jaxpr)
        if hidden & USER_RULES:
            site = user_site() or ("<unknown>", 0)
            warnings.warn_explicit(
                f"from_jax({getattr(fun, '__name__', fun)}): jax's StableHLO keeps no "
                "custom_vjp backward rule: plait differentiates the forward computation "
                "instead, which may differ from jax.grad", UserWarning, site[0], site[1])
        _lowering.marked = not hidden
        try:
            lowered = traced.lower()
        finally:
            _lowering.marked = False
    text = lowered.as_text(debug_info=True)
    out_leaves, out_tree = jax.tree_util.tree_flatten(lowered.out_info)
    out_avals = [ShapedArray(o.shape, o.dtype, bool(getattr(o, "weak_type", False)))
                 for o in out_leaves]
    with LOCK, CONTEXT:
        module = ir.Module.parse(text)
        main = next(op.operation for op in module.body.operations
                    if op.operation.name == "func.func"
                    and ir.StringAttr(op.operation.attributes["sym_name"]).value == "main")
        got = [a.type for a in main.regions[0].blocks[0].arguments]
        want = [_aval.ir_type(a) for a in avals]
        if got != want:
            raise PlaitTypeError(f"from_jax({getattr(fun, '__name__', fun)}): jax lowered it "
                                 f"for arguments {[str(t) for t in got]}, not "
                                 f"{[str(t) for t in want]}")
        raise_stablehlo(module.operation)
    return module, out_tree, out_avals
