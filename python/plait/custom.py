"""User-defined derivatives and rematerialisation: custom_jvp, custom_vjp, checkpoint.

As in JAX: `f.defjvp(rule)` / `f.defvjp(fwd, bwd)` attach rules, `nondiff_argnums` names
arguments passed through unchanged (they must be hashable static values here). When traced,
`f` and its rules become functions of the module and a `plait.custom_jvp_call` /
`plait.custom_vjp_call` op names them; the autodiff passes use the rules. Outside any trace,
calling `f` just runs it. The rules must not close over traced values of an enclosing
function (pass them as arguments).
"""

from __future__ import annotations

import functools

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import pytree
from plait.core.errors import PlaitTypeError
from plait.core.location import user_location
from plait.dialect import transform as T
from plait.dialect.base import REMAT_ATTR
from plait.staging.callee import emit, trace_callee
from plait.staging.eager import constant_tracer, is_dynamic
from plait.staging.leaves import leaf_aval
from plait.staging.trace import Tracer, current_trace, tracing


def _split_nondiff(args, nondiff_argnums):
    static = tuple(args[i] for i in nondiff_argnums)
    dyn = tuple(a for i, a in enumerate(args) if i not in nondiff_argnums)
    return static, dyn


def _rejoin(static, dyn, nondiff_argnums, n):
    it_s, it_d = iter(static), iter(dyn)
    return [next(it_s) if i in nondiff_argnums else next(it_d) for i in range(n)]


def _trace_rule(fn, leaves, in_tree, what: str, in_avals=None):
    traced = trace_callee(fn, leaves, in_tree, [True] * len(leaves), name=what,
                          in_avals=in_avals)
    if traced.captures:
        raise PlaitTypeError(f"the {what} rule closes over a traced value of the enclosing "
                             "function; pass such values as arguments instead")
    return traced


def _avals(leaves) -> list:
    return [leaf_aval(x).strip_weak() for x in leaves]


def _zeros(leaf) -> Tracer:
    return constant_tracer(leaf_aval(leaf).strip_weak(), 0)


class custom_jvp:
    """A function with a user-defined JVP rule: `@custom_jvp def f(x): ...` then
    `@f.defjvp def f_jvp(primals, tangents): return f(*primals), tangent_out`."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        self._rule_call = None  # while tracing the rule: the call it differentiates

    def defjvp(self, jvp):
        self.jvp = jvp
        return jvp

    def __call__(self, *args):
        if self.jvp is None:
            raise PlaitTypeError(f"no JVP rule defined for custom_jvp function "
                                 f"{self.__name__}; use .defjvp")
        if not tracing():
            return self.fun(*args)
        static, dyn = _split_nondiff(args, self.nondiff_argnums)
        n = len(args)
        leaves, in_tree = pytree.tree_flatten((dyn, {}))
        if self._rule_call is not None:
            return self._call_in_rule(static, leaves, in_tree, args)
        f = trace_callee(lambda *d: self.fun(*_rejoin(static, d, self.nondiff_argnums, n)),
                         leaves, in_tree, [True] * len(leaves), name=self.__name__)

        def rule(*flat):
            k = len(flat) // 2
            primals = pytree.tree_unflatten(pytree.tree_structure(dyn), list(flat[:k]))
            tangents = pytree.tree_unflatten(pytree.tree_structure(dyn), list(flat[k:]))
            out, t_out = self.jvp(*static, primals, tangents)
            o_leaves, o_tree = pytree.tree_flatten(out)
            t_leaves, t_tree = pytree.tree_flatten(t_out)
            if o_tree != f.out_tree or t_tree != f.out_tree:
                raise PlaitTypeError(f"the custom JVP rule of {self.__name__} must return "
                                     f"(output, tangent) both shaped like the output "
                                     f"{f.out_tree}; got {o_tree} and {t_tree}")
            return tuple(o_leaves) + tuple(t_leaves)

        pending: list = []
        self._rule_call = (static, in_tree, _avals(leaves), f, pending)
        try:
            r = _trace_rule(rule, leaves + leaves, pytree.tree_flatten(
                (tuple(leaves + leaves), {}))[1], "jvp")
        finally:
            self._rule_call = None
        for op in pending:
            op.attributes["jvp"] = ir.FlatSymbolRefAttr.get(r.name)
        n_out = len(f.out_avals)
        for k, (got, want) in enumerate(zip(r.out_avals, f.out_avals + f.out_avals)):
            if got.strip_weak() != want.strip_weak():  # the rule's call is typed as f's outputs
                what = "primal output" if k < n_out else "tangent"
                raise PlaitTypeError(f"the custom JVP rule of {self.__name__} returned a {what} "
                                     f"of type {got.strip_weak()} for an output of type "
                                     f"{want.strip_weak()}")
        outs = emit(T.custom_jvp_call, list(leaves) + list(f.captures), f.out_avals,
                    callee=f.name, jvp=r.name)
        return pytree.tree_unflatten(f.out_tree, outs)

    def _call_in_rule(self, static, leaves, in_tree, args):
        """f called inside its own rule on arguments like those of the call being
        differentiated is again a custom_jvp_call with this rule, so that higher derivatives
        use the rule too (as in JAX); any other call is a plain call."""
        c_static, c_tree, c_avals, f, pending = self._rule_call
        if (any(a is not b for a, b in zip(static, c_static)) or in_tree != c_tree
                or _avals(leaves) != c_avals or f.captures):
            return self.fun(*args)
        outs = emit(T.custom_jvp_call, list(leaves), f.out_avals, callee=f.name,
                    jvp=f.name)  # a placeholder until the rule has a name
        pending.append(outs[0].value.owner)
        return pytree.tree_unflatten(f.out_tree, outs)


class custom_vjp:
    """A function with user-defined reverse mode: `f.defvjp(fwd, bwd)` where
    `fwd(*args) -> (out, residuals)` and `bwd(residuals, out_ct) -> tuple of arg cts`."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None
        self._in_rule = False

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        if self.fwd is None:
            raise PlaitTypeError(f"no VJP rules defined for custom_vjp function "
                                 f"{self.__name__}; use .defvjp(fwd, bwd)")
        if not tracing() or self._in_rule:
            return self.fun(*args)
        static, dyn = _split_nondiff(args, self.nondiff_argnums)
        n = len(args)
        leaves, in_tree = pytree.tree_flatten((dyn, {}))
        dyn_tree = pytree.tree_structure(dyn)
        f = trace_callee(lambda *d: self.fun(*_rejoin(static, d, self.nondiff_argnums, n)),
                         leaves, in_tree, [True] * len(leaves), name=self.__name__)
        res_tree = []

        def fwd(*flat):
            d = pytree.tree_unflatten(dyn_tree, list(flat))
            out, res = self.fwd(*_rejoin(static, d, self.nondiff_argnums, n))
            o_leaves, o_tree = pytree.tree_flatten(out)
            if o_tree != f.out_tree:
                raise PlaitTypeError(f"the fwd rule of {self.__name__} returned an output "
                                     f"shaped {o_tree}, but the function returns {f.out_tree}")
            r_leaves, r_tree = pytree.tree_flatten(res)
            res_tree.append(r_tree)
            return tuple(o_leaves) + tuple(r_leaves)

        self._in_rule = True
        try:
            fw = _trace_rule(fwd, leaves, in_tree, "fwd")
        finally:
            self._in_rule = False
        res_avals = fw.out_avals[len(f.out_avals):]
        n_res = len(res_avals)

        def bwd(*flat):
            res = pytree.tree_unflatten(res_tree[0], list(flat[:n_res]))
            ct = pytree.tree_unflatten(f.out_tree, list(flat[n_res:]))
            cts = self.bwd(*static, res, ct)
            if not isinstance(cts, tuple):
                raise PlaitTypeError(f"the bwd rule of {self.__name__} must return a tuple "
                                     f"with one cotangent per differentiable argument, got "
                                     f"{type(cts).__name__}")
            if len(cts) == len(dyn):  # None: a zero cotangent for the whole argument, as in JAX
                cts = tuple(pytree.tree_map(_zeros, a) if c is None else c
                            for c, a in zip(cts, dyn))
            c_leaves, c_tree = pytree.tree_flatten(cts)
            if c_tree != dyn_tree:
                raise PlaitTypeError(f"the bwd rule of {self.__name__} returned cotangents "
                                     f"shaped {c_tree}, but the arguments are shaped "
                                     f"{dyn_tree}")
            return tuple(c_leaves)

        bw_avals = [a.strip_weak() for a in res_avals + list(f.out_avals)]
        bw_leaves = [None] * len(bw_avals)
        bw = _trace_rule(bwd, bw_leaves, pytree.tree_flatten((tuple(range(len(bw_avals))), {}))[1],
                         "bwd", in_avals=bw_avals)
        for got, arg in zip(bw.out_avals, leaves):
            want = leaf_aval(arg)
            if got.shape != want.shape or got.dtype != want.dtype:
                raise PlaitTypeError(f"the bwd rule of {self.__name__} returned a cotangent of "
                                     f"type {got.strip_weak()} for an argument of type "
                                     f"{want.strip_weak()}")
        outs = emit(T.custom_vjp_call, list(leaves) + list(f.captures), f.out_avals,
                    callee=f.name, fwd=fw.name, bwd=bw.name)
        return pytree.tree_unflatten(f.out_tree, outs)


# --- checkpoint (rematerialisation) ----------------------------------------------------------

class checkpoint_policies:
    """What a checkpointed function saves for the backward pass (the rest is recomputed)."""

    nothing_saveable = "nothing_saveable"
    dots_saveable = "dots_saveable"
    everything_saveable = "everything_saveable"


def checkpoint(fun, policy=None):
    """`fun`, but its reverse mode recomputes its intermediate values instead of storing them
    (policy `dots_saveable` keeps matrix products)."""
    policy = policy or checkpoint_policies.nothing_saveable

    @functools.wraps(fun)
    def remat(*args):
        if not tracing():
            return fun(*args)
        leaves, in_tree = pytree.tree_flatten((args, {}))
        dynamic = [is_dynamic(x) for x in leaves]
        f = trace_callee(fun, leaves, in_tree, dynamic, name=getattr(fun, "__name__", "remat"))
        trace = current_trace()
        operands = [trace.to_value(x)[0] for x, d in zip(leaves, dynamic) if d] + [
            trace.to_value(c)[0] for c in f.captures]
        with trace.ip, user_location():
            call = ir.Operation.create(
                "func.call", results=[_aval.ir_type(a) for a in f.out_avals], operands=operands,
                attributes={"callee": ir.FlatSymbolRefAttr.get(f.name),
                            REMAT_ATTR: ir.StringAttr.get(policy)})
        outs = [Tracer(v, a, trace) for v, a in zip(call.results, f.out_avals)]
        return pytree.tree_unflatten(f.out_tree, outs)

    return remat


remat = checkpoint
