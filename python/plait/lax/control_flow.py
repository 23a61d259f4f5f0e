"""Structured control flow with JAX's names and semantics: cond, switch, while_loop, fori_loop,
scan. Each traces its branches / bodies into the regions of one plait region op; values the
Python functions close over become explicit operands.

Beyond JAX: `while_loop(..., max_trip_count=n)` is a bounded loop that reverse mode can
differentiate (it runs as a scan of n steps that stop changing the carry once `cond_fun`
is false).

`plait.config.debug_checks` (or `PLAIT_DEBUG_CHECKS=1`) turns on run-time checks that cost
time: a bounded while_loop whose `cond_fun` is still true after `max_trip_count` iterations
raises instead of stopping.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np

from plait import jitting
from plait.core import aval as _aval
from plait.core import dtypes, pytree
from plait.core.errors import PlaitTypeError, PlaitValueError, user_site
from plait.dialect import control as C
from plait.lax import _lax as lax
from plait.staging.callee import emit_region_op, into_region, trace_body, union_captures
from plait.staging.concrete import concrete_value, has_concrete_value
from plait.staging.trace import Tracer, current_trace, tracing

# --- tracing Python functions into regions -------------------------------------------------

def _site(fun) -> str:
    code = getattr(fun, "__code__", None)
    return f"{code.co_filename}:{code.co_firstlineno}" if code else repr(fun)


def _leaf_avals(leaves):
    return [jitting.leaf_aval(x) for x in leaves]


def _staged_if_eager(fn, *args):
    """Control flow outside any trace runs as one compiled program (like JAX's)."""
    if tracing():
        return None
    return jitting.new_jitted(fn)(*args)


def _same_types(a_avals, b_avals) -> bool:
    return [a.strip_weak() for a in a_avals] == [b.strip_weak() for b in b_avals]


def _describe(tree, avals) -> str:
    return f"{tree} of (" + ", ".join(a.str_short() for a in avals) + ")"


# --- cond / switch -----------------------------------------------------------------------------

def cond(pred, true_fun, false_fun, *operands):
    """`true_fun(*operands)` if pred else `false_fun(*operands)`; both are traced."""
    staged = _staged_if_eager(lambda p, ops: cond(p, true_fun, false_fun, *ops), pred,
                              operands)
    if staged is not None:
        return staged
    pa = jitting.leaf_aval(pred) if not isinstance(pred, Tracer) else pred.aval
    if pa.shape != ():
        raise PlaitTypeError(f"cond predicate must be a scalar, got shape {pa.shape}")
    if not (pa.dtype == dtypes.bool_ or dtypes.is_integer(pa.dtype)):
        raise PlaitTypeError(f"cond predicate must be a bool (or integer) scalar, got {pa.dtype}")
    index = lax.convert_element_type(lax.ne(pred, 0) if pa.dtype != dtypes.bool_ else pred,
                                     dtypes.int32)
    return _switch(index, [false_fun, true_fun], operands, ["false_fun", "true_fun"])


def switch(index, branches, *operands):
    """`branches[clamp(index, 0, len(branches) - 1)](*operands)`."""
    staged = _staged_if_eager(lambda i, ops: switch(i, branches, *ops), index, operands)
    if staged is not None:
        return staged
    ia = index.aval if isinstance(index, Tracer) else jitting.leaf_aval(index)
    if ia.shape != () or not dtypes.is_integer(ia.dtype):
        raise PlaitTypeError(f"switch index must be an integer scalar, got {ia.str_short()}")
    if not branches:
        raise PlaitValueError("switch needs at least one branch")
    i = lax.convert_element_type(index, dtypes.int32)
    i = lax.clamp(0, i, len(branches) - 1)
    return _switch(i, list(branches), operands, [f"branches[{k}]" for k in range(len(branches))])


def _switch(index, branches, operands, names):
    leaves, in_tree = pytree.tree_flatten((tuple(operands), {}))
    avals = _leaf_avals(leaves)
    traced = [trace_body(b, avals, in_tree, "branch") for b in branches]
    first = traced[0]
    for t, b, nm in zip(traced[1:], branches[1:], names[1:]):
        if t.out_tree != first.out_tree or not _same_types(t.out_avals, first.out_avals):
            raise PlaitTypeError(
                f"the branches of cond/switch must return the same types: {names[0]} "
                f"({_site(branches[0])}) returns {_describe(first.out_tree, first.out_avals)} "
                f"but {nm} ({_site(b)}) returns {_describe(t.out_tree, t.out_avals)}")
    union = union_captures(traced)
    out_avals = [a if all(t.out_avals[i].weak_type for t in traced) else a.strip_weak()
                 for i, a in enumerate(first.out_avals)]
    op, outs = emit_region_op(C.cond, [index] + leaves + union, out_avals, len(branches))
    arg_types = [_aval.ir_type(a) for a in avals]
    for t, region in zip(traced, op.regions):
        into_region(t, region, arg_types, union)
    return pytree.tree_unflatten(first.out_tree, outs)


# --- while_loop / fori_loop ------------------------------------------------------------------

def while_loop(cond_fun, body_fun, init_val, max_trip_count=None):
    """Repeat `val = body_fun(val)` while `cond_fun(val)`; returns the final val.

    `max_trip_count=n` (beyond JAX) bounds the loop so that reverse mode can differentiate
    it: it runs as a scan of n steps. It stops after n iterations even when `cond_fun` is
    still true, and returns the value reached then, without any error. With
    `plait.config.debug_checks` on (or `PLAIT_DEBUG_CHECKS=1`) that case raises a
    PlaitValueError naming the line of this call: eagerly, in transformations called outside
    jit, and when a jitted program that runs the loop at its top level returns. A loop nested
    in another loop's body or a transformation under jit is not checked (a warning at trace
    time says so)."""
    if max_trip_count is not None and dtypes.config.debug_checks:
        return _checked_bounded_while(cond_fun, body_fun, init_val, int(max_trip_count),
                                      user_site())
    staged = _staged_if_eager(lambda v: while_loop(cond_fun, body_fun, v, max_trip_count),
                              init_val)
    if staged is not None:
        return staged
    if max_trip_count is not None:
        return _bounded_while(cond_fun, body_fun, init_val, int(max_trip_count))
    leaves, tree = pytree.tree_flatten(init_val)
    weak = _leaf_avals(leaves)
    avals = [a.strip_weak() for a in weak]
    in_tree = pytree.tree_structure(((init_val,), {}))
    c = trace_body(cond_fun, weak, in_tree, "cond")
    _check_predicate(c, cond_fun)
    b = trace_body(body_fun, weak, in_tree, "body")
    promoted = _weak_promoted(leaves, weak, b)
    if promoted is not None:
        _discard(c)
        _discard(b)
        return while_loop(cond_fun, body_fun, pytree.tree_unflatten(tree, promoted))
    _check_carry(b, tree, avals, body_fun, "while_loop body_fun")
    union = union_captures([c, b])
    op, outs = emit_region_op(C.while_, union + leaves, avals, 2, num_consts=len(union))
    types = [_aval.ir_type(a) for a in avals]
    for t, region in zip((c, b), op.regions):
        into_region(t, region, types, union, consts_first=True)
    return pytree.tree_unflatten(tree, outs)


def _check_predicate(traced, cond_fun):
    if (len(traced.out_avals) != 1 or traced.out_avals[0].shape != ()
            or traced.out_avals[0].dtype != dtypes.bool_):
        raise PlaitTypeError(f"while_loop cond_fun ({_site(cond_fun)}) must return a bool "
                             f"scalar, got {_describe(traced.out_tree, traced.out_avals)}")


def _outputs(value) -> SimpleNamespace:
    """A Python value's leaves as a traced function's outputs, for the checks above."""
    leaves, tree = pytree.tree_flatten(value)
    return SimpleNamespace(out_tree=tree, out_avals=_leaf_avals(leaves))


def _checked_body(body_fun, val, what):
    """body_fun(*val) after the carry check, for loops built as scans of a wrapper."""
    new = body_fun(*val)
    leaves, tree = pytree.tree_flatten(val[-1])
    _check_carry(_outputs(new), tree, _leaf_avals(leaves), body_fun, what, allow_weak=True)
    return new


def _weak_promoted(leaves, avals, traced):
    """jax's rule for loop carries: a weakly typed initial value takes the dtype the body gives
    it (the loop is then traced again). The new leaves, or None when none changes."""
    if len(traced.out_avals) != len(avals):
        return None
    new, changed = list(leaves), False
    for i, (a, b) in enumerate(zip(avals, traced.out_avals)):
        if a.weak_type and a.shape == b.shape and a.dtype != b.dtype:
            new[i] = lax.convert_element_type(leaves[i], b.dtype, b.weak_type)
            changed = True
    return new if changed else None


def _discard(traced) -> None:
    """Erase the function of a trace that is not used (it is traced again)."""
    current_trace().builder.funcs.erase(traced.name)


def _check_carry(traced, tree, avals, fun, what, allow_weak=False):
    if allow_weak:  # a weak leaf's dtype may change: the loop promotes it (_weak_promoted)
        avals = [b if a.weak_type and a.shape == b.shape else a
                 for a, b in zip(avals, traced.out_avals)] + avals[len(traced.out_avals):]
    if traced.out_tree != tree or not _same_types(traced.out_avals, avals):
        changes = "; ".join(f"carry leaf {i}: {a.str_short()} -> {b.str_short()}"
                            for i, (a, b) in enumerate(zip(avals, traced.out_avals))
                            if a.strip_weak() != b.strip_weak())
        raise PlaitTypeError(
            f"{what} ({_site(fun)}) must return a carry of the same structure and types as its "
            f"input: input {_describe(tree, avals)}, output "
            f"{_describe(traced.out_tree, traced.out_avals)}" + (f" ({changes})" if changes
                                                                 else ""))


def _bounded_while(cond_fun, body_fun, init_val, n):
    def step(val, _):
        active = cond_fun(val)
        _check_predicate(_outputs(active), cond_fun)
        new = _checked_body(body_fun, (val,), "while_loop body_fun")
        return pytree.tree_map(lambda a, b: lax.select(lax.broadcast_in_dim(active, a.shape, ()), a, b),
                               new, val), None

    out, _ = scan(step, init_val, None, length=n)
    return out


def _checked_bounded_while(cond_fun, body_fun, init_val, n, site):
    """_bounded_while, then raise if cond_fun still holds (debug checks)."""
    def run(val):
        out = _bounded_while(cond_fun, body_fun, val, n)
        return out, cond_fun(out)

    out, exhausted = run(init_val) if tracing() else jitting.new_jitted(run)(init_val)
    error = PlaitValueError(f"while_loop: cond_fun is still true after max_trip_count={n} "
                            "iterations (debug checks are on; without them the loop stops "
                            "there silently). Raise max_trip_count, or use while_loop "
                            "without it where reverse mode is not needed.", site=site)
    if isinstance(exhausted, Tracer):
        trace = current_trace()
        if not has_concrete_value(exhausted) and exhausted._trace is trace \
                and trace.parent is None:
            trace.checks.append((exhausted, error))
            return out
        if not has_concrete_value(exhausted):
            warnings.warn(f"{site[0]}:{site[1]}: debug checks cannot check this "
                          f"while_loop(max_trip_count={n}) nested in a loop body or a "
                          "transformation under jit; it stops after max_trip_count "
                          "iterations unchecked", stacklevel=3)
            return out
        exhausted = concrete_value(exhausted, "while_loop's debug check")
    if np.asarray(exhausted):
        raise error
    return out


def fori_loop(lower, upper, body_fun, init_val):
    """`for i in range(lower, upper): val = body_fun(i, val)`; static bounds make a scan
    (differentiable in reverse mode), traced bounds a while_loop."""
    if isinstance(lower, (int, np.integer)) and isinstance(upper, (int, np.integer)):
        lo = int(lower)

        def step(carry, _):
            i, val = carry
            return (i + 1, _checked_body(body_fun, (i, val), "fori_loop body_fun")), None

        (_, out), _ = scan(step, (np.int32(lo), init_val), None,
                           length=max(int(upper) - lo, 0))
        return out
    def c(carry):
        return lax.lt(carry[0], carry[1])

    def b(carry):
        i, hi, val = carry
        return i + 1, hi, _checked_body(body_fun, (i, val), "fori_loop body_fun")

    i0 = lax.convert_element_type(lower, dtypes.int32)
    hi = lax.convert_element_type(upper, dtypes.int32)
    return while_loop(c, b, (i0, hi, init_val))[2]


# --- scan --------------------------------------------------------------------------------------

def scan(f, init, xs, length=None, reverse=False):
    """Loop `carry, y = f(carry, x)` over the leading axis of xs; returns (carry, stacked ys)."""
    staged = _staged_if_eager(lambda c, x: scan(f, c, x, length, reverse), init, xs)
    if staged is not None:
        return staged
    c_leaves, c_tree = pytree.tree_flatten(init)
    x_leaves, x_tree = pytree.tree_flatten(xs)
    c_weak = _leaf_avals(c_leaves)
    c_avals = [a.strip_weak() for a in c_weak]
    x_avals = _leaf_avals(x_leaves)
    lengths = {a.shape[0] for a in x_avals if a.shape}
    if any(not a.shape for a in x_avals):
        raise PlaitTypeError("scan xs must be arrays with a leading axis to scan over")
    if length is not None:
        lengths.add(int(length))
    if len(lengths) != 1:
        detail = ", ".join(str(a.shape) for a in x_avals)
        raise PlaitValueError(f"scan got inconsistent lengths: {sorted(lengths)} (xs shapes "
                              f"{detail}, length={length})" if lengths else
                              "scan needs xs or an explicit length")
    n = lengths.pop()
    slice_avals = [a.update(shape=a.shape[1:]) for a in x_avals]
    in_tree = pytree.tree_structure(((init, xs), {}))
    body = trace_body(lambda c, x: f(c, x), c_weak + slice_avals, in_tree, "scan_body")
    out = pytree.tree_unflatten(body.out_tree, list(range(len(body.out_avals))))
    if not (isinstance(out, tuple) and len(out) == 2):
        raise PlaitTypeError(f"scan body ({_site(f)}) must return a pair (carry, y)")
    c_idx = pytree.tree_leaves(out[0])
    y_idx, y_tree = pytree.tree_flatten(out[1])
    carry_traced = SimpleNamespace(out_tree=pytree.tree_structure(out[0]),
                                   out_avals=[body.out_avals[i] for i in c_idx])
    promoted = _weak_promoted(c_leaves, c_weak, carry_traced)
    if promoted is not None:
        _discard(body)
        return scan(f, pytree.tree_unflatten(c_tree, promoted), xs, length, reverse)
    _check_carry(carry_traced, c_tree, c_avals, f, "scan body")
    union = body.captures
    y_avals = [body.out_avals[i].strip_weak() for i in y_idx]
    stacked = [a.update(shape=(n,) + a.shape) for a in y_avals]
    op, outs = emit_region_op(C.scan, list(union) + c_leaves + x_leaves, c_avals + stacked, 1,
                     num_consts=len(union), num_carry=len(c_leaves), length=n,
                     reverse=bool(reverse))
    types = [_aval.ir_type(a) for a in c_avals + slice_avals]
    into_region(body, op.regions[0], types, union, consts_first=True)
    carry = pytree.tree_unflatten(c_tree, outs[:len(c_leaves)])
    ys = pytree.tree_unflatten(y_tree, outs[len(c_leaves):])
    return carry, ys

