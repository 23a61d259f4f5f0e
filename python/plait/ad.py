"""Autodiff front end: grad, value_and_grad, jvp, vjp, linearize (names and semantics of JAX).

Each function traces the user's function into its own `func.func` and emits a transformation
op (`plait.jvp` / `plait.vjp`) naming it; plait-autodiff expands the op. Called outside any
trace, the transformation is staged out and compiled through jit's cache, keyed on the
function's code and closure, so a fresh `lambda p: loss(p, batch)` per step is compiled once.
"""

from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict

import numpy as np

from plait import pipeline
from plait._mlir import ir, scope
from plait.core import aval as _aval
from plait.core import dtypes, pytree
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.dialect import ops as P
from plait.dialect import transform as T
from plait.ir.funcs import function_type, lookup_func, symbol_name
from plait.runtime.array import Array
from plait.runtime.device import default_platform
from plait.runtime.executable import compile_stablehlo
from plait.staging.cache import CompiledEntry, remember
from plait.staging.callee import Traced, emit, trace_callee
from plait.staging.eager import constant_tracer, is_dynamic, needs_staging, run_staged
from plait.staging.keys import FunctionKey
from plait.staging.leaves import leaf_aval, leaf_buffer
from plait.staging.stage import stage
from plait.staging.trace import Tracer, bind
from plait.transforms.autodiff import expand_transformations, vjp_functions
from plait.transforms.expand import ModuleState
from plait.vmapping import vmap

float0 = np.dtype([("float0", np.void, 0)])


# --- arguments --------------------------------------------------------------------------------

def _argnums_tuple(argnums, nargs: int, fun) -> tuple:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not isinstance(i, int) or not -nargs <= i < nargs:
            raise PlaitValueError(
                f"argnums {argnums} is out of range for {getattr(fun, '__name__', 'the function')}"
                f" called with {nargs} positional argument(s)")
    return tuple(i % nargs for i in nums)


def _flat_args(args, kwargs, argnums):
    """Leaves of (args, kwargs), which are dynamic, and which belong to `argnums`."""
    leaves, in_tree = pytree.tree_flatten((tuple(args), dict(kwargs)))
    owner = []
    for i, a in enumerate(args):
        owner += [i] * len(pytree.tree_leaves(a))
    owner += [None] * (len(leaves) - len(owner))
    diff = [o in argnums for o in owner]
    dynamic = [d or is_dynamic(x) for x, d in zip(leaves, diff)]
    return leaves, in_tree, dynamic, diff


def _check_diff_dtypes(leaves, diff, allow_int: bool, what: str):
    for x, d in zip(leaves, diff):
        if not d:
            continue
        dt = leaf_aval(x).dtype
        if not dtypes.is_inexact(dt) and not allow_int:
            raise PlaitTypeError(
                f"{what} requires real- or complex-valued inputs (a floating or complex dtype), "
                f"but got {dt}. To differentiate with respect to integer or bool inputs "
                "(getting float0 zeros), pass allow_int=True.")


def _float0_zeros(x):
    return np.zeros(np.shape(x), float0)


# --- value_and_grad / grad --------------------------------------------------------------------

def value_and_grad(fun, argnums=0, has_aux=False, allow_int=False):
    """`(value, grad)` of a scalar function (JAX semantics: argnums, has_aux, allow_int)."""

    @functools.wraps(fun)
    def vg(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), fun)
        single = isinstance(argnums, int)
        if needs_staging(args, kwargs):
            key = ("value_and_grad", nums, single, has_aux, allow_int)
            return run_staged(key, lambda f, a, k: _value_and_grad_traced(
                f, nums, single, has_aux, allow_int, a, k), fun, args, kwargs,
                lambda a, k, leaves: _flat_args(a, k, nums)[2])
        return _value_and_grad_traced(fun, nums, single, has_aux, allow_int, args, kwargs)

    return vg


def grad(fun, argnums=0, has_aux=False, allow_int=False):
    """Gradient of a scalar function with respect to `argnums` (pytrees allowed)."""
    vg = value_and_grad(fun, argnums, has_aux, allow_int)

    @functools.wraps(fun)
    def g(*args, **kwargs):
        out, grads = vg(*args, **kwargs)
        return (grads, out[1]) if has_aux else grads

    return g


def _scalar_output_index(traced: Traced, has_aux: bool) -> int:
    out = pytree.tree_unflatten(traced.out_tree, list(range(len(traced.out_avals))))
    if has_aux:
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise PlaitTypeError("with has_aux=True the function must return a pair "
                                 "(value, aux)")
        out = out[0]
    idx = pytree.tree_leaves(out)
    if len(idx) != 1:
        raise PlaitTypeError("grad requires a function returning one scalar, got a pytree "
                             f"with {len(idx)} leaves; use jacrev or vjp instead")
    va = traced.out_avals[idx[0]]
    if va.shape != () or not dtypes.is_inexact(va.dtype):
        raise PlaitTypeError(f"grad requires a scalar output of a floating dtype, got "
                             f"{va.str_short()}; use jacrev or vjp for non-scalar outputs")
    if dtypes.is_complex(va.dtype):
        raise PlaitTypeError(f"grad requires a real-valued output, got {va.str_short()}; "
                             "differentiate its real part, or use vjp for complex outputs")
    return idx[0]


def _value_and_grad_traced(fun, nums, single, has_aux, allow_int, args, kwargs):
    leaves, in_tree, dynamic, diff = _flat_args(args, kwargs, nums)
    _check_diff_dtypes(leaves, diff, allow_int, "grad")
    traced = trace_callee(fun, leaves, in_tree, dynamic)
    vi = _scalar_output_index(traced, has_aux)
    dyn_idx = [i for i, d in enumerate(dynamic) if d]
    in_avals = [leaf_aval(leaves[i]) for i in dyn_idx]
    diff_pos = tuple(k for k, i in enumerate(dyn_idx)
                     if diff[i] and dtypes.is_inexact(in_avals[k].dtype))
    operands = ([leaves[i] for i in dyn_idx] + list(traced.captures)
                + [constant_tracer(traced.out_avals[vi].strip_weak(), 1.0)])
    result_avals = list(traced.out_avals) + [in_avals[k].strip_weak() for k in diff_pos]
    res = emit(T.vjp, operands, result_avals, callee=traced.name, diff_args=diff_pos,
               ct_outs=(vi,))
    n_out = len(traced.out_avals)
    cts = {dyn_idx[k]: ct for k, ct in zip(diff_pos, res[n_out:])}
    starts = [0]
    for a in args:
        starts.append(starts[-1] + len(pytree.tree_leaves(a)))
    parts = []
    for i in nums:  # in argnums order, which need not be argument order
        flat = [cts[j] if j in cts else _float0_zeros(leaves[j])
                for j in range(starts[i], starts[i + 1])]
        parts.append(pytree.tree_unflatten(pytree.tree_structure(args[i]), flat))
    grads = parts[0] if single else tuple(parts)
    return pytree.tree_unflatten(traced.out_tree, res[:n_out]), grads


# --- jvp ---------------------------------------------------------------------------------------

def jvp(fun, primals, tangents, has_aux=False):
    """`(fun(*primals), derivative of fun at primals along tangents)`; pytrees allowed."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise PlaitTypeError("jvp expects primals and tangents as tuples or lists")
    if len(primals) != len(tangents):
        raise PlaitValueError(f"jvp got {len(primals)} primals but {len(tangents)} tangents")
    primals, tangents = tuple(primals), tuple(tangents)
    if needs_staging((primals, tangents), {}):
        return run_staged(("jvp", has_aux), lambda f, a, k: _jvp_traced(f, a[0], a[1], has_aux),
                          fun, (primals, tangents), {},
                          lambda a, k, leaves: [not _is_float0(x) for x in leaves])
    return _jvp_traced(fun, primals, tangents, has_aux)


def _jvp_traced(fun, primals, tangents, has_aux):
    leaves, in_tree = pytree.tree_flatten((primals, {}))
    t_leaves, t_tree = pytree.tree_flatten((tangents, {}))
    if in_tree != t_tree:
        raise PlaitTypeError(f"jvp: primals and tangents differ in structure: {in_tree} vs "
                             f"{t_tree}")
    in_avals = [leaf_aval(x) for x in leaves]
    for pa, t in zip(in_avals, t_leaves):
        check_tangent(t, pa, "jvp: a tangent", "primal")
    traced = trace_callee(fun, leaves, in_tree, [True] * len(leaves))
    diff = tuple(i for i, a in enumerate(in_avals) if dtypes.is_inexact(a.dtype))
    operands = list(leaves) + list(traced.captures) + [
        _cast_tangent(t_leaves[i], in_avals[i]) for i in diff]
    result_avals = [a.strip_weak() for a in traced.out_avals] * 2
    res = emit(T.jvp, operands, result_avals, callee=traced.name, diff_args=diff)
    n = len(traced.out_avals)
    out = pytree.tree_unflatten(traced.out_tree, res[:n])
    t_out = pytree.tree_unflatten(traced.out_tree, res[n:])
    if has_aux:
        return out[0], t_out[0], out[1]
    return out, t_out


def check_tangent(t, aval: ShapedArray, what: str, of: str) -> None:
    """A tangent or cotangent has the shape and dtype of its primal or output, as jax requires
    (a Python or NumPy scalar is weak: it takes the dtype). An integer or bool primal's tangent
    is float0 zeros, or any array of its shape (plait ignores it)."""
    shape = np.shape(t)
    if not dtypes.is_inexact(aval.dtype) or _is_float0(t):
        bad = shape != aval.shape
    else:
        ta = leaf_aval(t)
        bad = shape != aval.shape or (ta.dtype != aval.dtype and not ta.weak_type)
    if bad:
        got = f"float0{list(shape)}" if _is_float0(t) else leaf_aval(t).strip_weak().str_short()
        article = "an" if of[0] in "aeiou" else "a"
        raise PlaitTypeError(f"{what} of type {got} was given for {article} {of} of type "
                             f"{aval.strip_weak().str_short()}: they must match in shape and "
                             "dtype")


def _is_float0(t) -> bool:
    return isinstance(t, np.ndarray) and t.dtype == float0


def _cast_tangent(t, aval: ShapedArray):
    if not isinstance(t, (Tracer, Array)):
        return np.asarray(t, aval.dtype)
    return t if t.dtype == aval.dtype else bind(P.convert, t, new_dtype=aval.dtype)


# --- vjp and linearize: forward once, residuals stored ----------------------------------------

def vjp(fun, *primals, has_aux=False):
    """`(fun(*primals), pullback)`; pullback(cts) gives the cotangents of the primals.

    Outside a trace the forward runs once as its own compiled program that also returns the
    residuals; the pullback runs only the backward program on them.
    """
    if needs_staging(primals, {}):
        return _eager_split(fun, primals, has_aux, transpose=True)
    return _traced_vjp(fun, primals, has_aux)


def linearize(fun, *primals):
    """`(fun(*primals), f_jvp)` where f_jvp(*tangents) evaluates the linearization, reusing
    the residuals of the single forward evaluation."""
    if needs_staging(primals, {}):
        return _eager_split(fun, primals, False, transpose=False)
    out = fun(*primals)
    return out, lambda *tangents: jvp(fun, primals, tangents)[1]


def _traced_vjp(fun, primals, has_aux):
    leaves, in_tree = pytree.tree_flatten((tuple(primals), {}))
    out_all = fun(*primals)
    out, aux = out_all if has_aux else (out_all, None)
    main = (lambda *a: fun(*a)[0]) if has_aux else fun

    def pullback(ct):
        ct_leaves, ct_tree = pytree.tree_flatten(ct)
        traced = trace_callee(main, leaves, in_tree, [True] * len(leaves))
        if ct_tree != traced.out_tree:
            raise PlaitTypeError(f"pullback: cotangent structure {ct_tree} differs from the "
                                 f"output structure {traced.out_tree}")
        for c, a in zip(ct_leaves, traced.out_avals):
            check_tangent(c, a, "pullback: a cotangent", "output")
        in_avals = [leaf_aval(x) for x in leaves]
        diff = tuple(i for i, a in enumerate(in_avals) if dtypes.is_inexact(a.dtype))
        operands = list(leaves) + list(traced.captures) + [
            _cast_tangent(c, a) for c, a in zip(ct_leaves, traced.out_avals)]
        res = emit(T.vjp, operands, list(traced.out_avals) + [in_avals[i].strip_weak()
                                                               for i in diff],
                   callee=traced.name, diff_args=diff,
                   ct_outs=tuple(range(len(traced.out_avals))))
        cts = dict(zip(diff, res[len(traced.out_avals):]))
        flat = [cts[i] if i in cts else _float0_zeros(leaves[i]) for i in range(len(leaves))]
        return pytree.tree_unflatten(in_tree, flat)[0]

    return (out, pullback, aux) if has_aux else (out, pullback)


class _Split:
    """A function's forward program (outputs + residuals) and its linear program: the
    backward (transposed) one for vjp, the tangent one for linearize."""

    def __init__(self, fwd, lin, n_out, n_main, out_tree, aux_tree, diff, out_avals):
        self.fwd, self.lin, self.n_out, self.n_main = fwd, lin, n_out, n_main
        self.out_tree, self.aux_tree = out_tree, aux_tree
        self.diff, self.out_avals = diff, out_avals

    def retargeted(self, staged) -> _Split:
        """This split's programs for a new trace of the same path (its own constants)."""
        fwd = CompiledEntry(staged, self.fwd.executable)
        return _Split(fwd, self.lin, self.n_out, self.n_main, self.out_tree, self.aux_tree,
                      self.diff, self.out_avals)


_SPLITS: OrderedDict = OrderedDict()  # (LRU, as jit's cache)
_RETRACE = object()  # _SPLITS marker: retrace each call, then look up by the IR traced


def _eager_split(fun, primals, has_aux, transpose: bool):
    leaves, in_tree = pytree.tree_flatten(tuple(primals))
    avals = [leaf_aval(x) for x in leaves]
    fkey = FunctionKey(fun)
    key = (fkey.key, in_tree, tuple(avals), has_aux, transpose)
    closure = [leaf_buffer(x, leaf_aval(x)) for x in fkey.arrays]
    arg_bufs = [leaf_buffer(x, a) for x, a in zip(leaves, avals)]
    split = _SPLITS.get(key)
    if split is None or split is _RETRACE:
        call_tree = pytree.tree_structure((tuple(primals), {}))
        staged, trees = _stage_split(fun, fkey, call_tree, avals, has_aux, closure + arg_bufs)
        if staged.retrace:  # it depends on more than the key: one split per IR traced
            remember(_SPLITS, key, _RETRACE)
            with scope():
                key = (key, hashlib.sha256(str(staged.module).encode()).digest())
            cached = _SPLITS.get(key)
            if cached is not None:
                split = cached.retargeted(staged)
        if split is None or split is _RETRACE:
            split = _build_split(staged, trees, avals, transpose)
            remember(_SPLITS, key, split)
    bufs = split.fwd.call_flat(closure, arg_bufs)
    outs, res = bufs[:split.n_out], bufs[split.n_out:]
    main = pytree.tree_unflatten(split.out_tree, [Array(b) for b in outs[:split.n_main]])
    aux = pytree.tree_unflatten(split.aux_tree, [Array(b) for b in outs[split.n_main:]])

    def backward(ct):
        ct_leaves, ct_tree = pytree.tree_flatten(ct)
        if ct_tree != split.out_tree:
            raise PlaitTypeError(f"pullback: cotangent structure {ct_tree} differs from the "
                                 f"output structure {split.out_tree}")
        for c, a in zip(ct_leaves, split.out_avals):
            check_tangent(c, a, "pullback: a cotangent", "output")
        ct_bufs = [leaf_buffer(c, a) for c, a in zip(ct_leaves, split.out_avals)]
        it = iter(Array(b) for b in split.lin.call_flat([], list(res) + ct_bufs))
        flat = [next(it) if i in split.diff else _float0_zeros(leaves[i])
                for i in range(len(leaves))]
        return pytree.tree_unflatten(in_tree, flat)

    def forward_tangent(*tangents):
        t_leaves, t_tree = pytree.tree_flatten(tuple(tangents))
        if t_tree != in_tree:
            raise PlaitTypeError(f"linearized function: tangent structure {t_tree} differs "
                                 f"from the primals' {in_tree}")
        for t, a in zip(t_leaves, avals):
            check_tangent(t, a, "linearized function: a tangent", "primal")
        t_bufs = [leaf_buffer(t, avals[i].strip_weak())
                  for i, t in enumerate(t_leaves) if i in split.diff]
        outs = split.lin.call_flat([], list(res) + t_bufs)
        return pytree.tree_unflatten(split.out_tree, [Array(b) for b in outs])

    if not transpose:
        return main, forward_tangent
    return (main, backward, aux) if has_aux else (main, backward)


def _stage_split(fun, fkey, in_tree, avals, has_aux, concrete_args):
    """Trace fun on the actual arguments (so Python may branch on their values)."""
    trees = {}

    def apply(f, args, kwargs):
        out = f(*args, **kwargs)
        main, aux = out if has_aux else (out, ())
        trees["out"], trees["aux"] = pytree.tree_structure(main), pytree.tree_structure(aux)
        trees["n_main"] = len(pytree.tree_leaves(main))
        return (main, aux)

    with scope():
        staged = stage(fun, fkey, in_tree, avals, lambda t: t, apply=apply,
                               concrete_args=concrete_args)
    return staged, trees


def _build_split(staged, trees, avals, transpose):
    """Generate the forward and linear (or transposed) halves of the staged function's vjp,
    and compile each."""

    with scope():
        module = staged.module.operation
        expand_transformations(module)  # those inside fun
        primal = _rename(module, "main", "primal")
        n_pre = len(staged.in_avals) - len(avals)
        diff = tuple(i for i, a in enumerate(avals) if dtypes.is_inexact(a.dtype))
        n_main = trees["n_main"]
        outs = list(function_type_of(primal).results)
        fwd_name, lin_name = vjp_functions(ModuleState(module), "primal",
                                           tuple(n_pre + i for i in diff), tuple(range(n_main)),
                                           transpose)
        programs = []
        for name in (fwd_name, lin_name):
            m = pipeline.clone_module(staged.module)
            _make_entry(m.operation, name)
            pipeline.optimize(m)
            pipeline.lower(m, default_platform())
            programs.append(m)
    compiled = [_compile_entry(m) for m in programs]
    fwd = CompiledEntry(staged, compiled[0])
    lin = CompiledEntry(_Bare(), compiled[1])
    out_avals = [_aval.aval_of_type(t) for t in outs[:n_main]]
    return _Split(fwd, lin, len(outs), n_main, trees["out"], trees["aux"], set(diff), out_avals)


class _Bare:
    """Stand-in for a Staged without captured constants (the linear program has none)."""

    consts: list = []


def function_type_of(func_op):

    return function_type(func_op)


def _rename(module, old: str, new: str):

    f = lookup_func(module, old)
    f.attributes["sym_name"] = ir.StringAttr.get(new)
    return f


def _make_entry(module, name: str) -> None:
    """Make @name the module's public @main; every other function private."""

    for op in module.regions[0].blocks[0].operations:
        o = op.operation
        if o.name != "func.func":
            continue
        if symbol_name(o) == name:
            o.attributes["sym_name"] = ir.StringAttr.get("main")
            if "sym_visibility" in o.attributes:
                del o.attributes["sym_visibility"]
        else:
            o.attributes["sym_visibility"] = ir.StringAttr.get("private")


def _compile_entry(module):

    with scope():
        ft = function_type_of(lookup_func(module.operation, "main"))
        return compile_stablehlo(module, [_aval.aval_of_type(t) for t in ft.inputs],
                                 [_aval.aval_of_type(t) for t in ft.results])


# --- Jacobians and Hessians: vmap of jvp / vjp over a standard basis ---------------------------

def jacfwd(fun, argnums=0, has_aux=False):
    """Jacobian by forward mode: vmap of jvp over the standard basis of the inputs."""
    return _jacobian(fun, argnums, has_aux, forward=True)


def jacrev(fun, argnums=0, has_aux=False, allow_int=False):
    """Jacobian by reverse mode: vmap of vjp over the standard basis of the outputs."""
    return _jacobian(fun, argnums, has_aux, forward=False)


def hessian(fun, argnums=0, has_aux=False):
    """Hessian as jacfwd(jacrev(fun))."""
    return jacfwd(jacrev(fun, argnums, has_aux), argnums, has_aux)


def _jacobian(fun, argnums, has_aux, forward: bool):
    @functools.wraps(fun)
    def jac(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), fun)
        single = isinstance(argnums, int)
        if needs_staging(args, kwargs):
            key = ("jacfwd" if forward else "jacrev", nums, single, has_aux)
            return run_staged(key, lambda f, a, k: _jacobian_traced(f, nums, single, has_aux,
                                                                 forward, a, k),
                           fun, args, kwargs, lambda a, k, leaves: _flat_args(a, k, nums)[2])
        return _jacobian_traced(fun, nums, single, has_aux, forward, args, kwargs)

    return jac


def _check_real(avals, what: str) -> None:
    """jax's rule: a Jacobian of complex values needs holomorphic=True, which plait lacks."""
    for a in avals:
        if not dtypes.is_float(a.dtype):
            raise PlaitTypeError(f"{what} (a floating dtype), got {a.str_short()}; use jvp or "
                                 "vjp for complex values")


def _basis(avals, dtype):
    """Rows of the identity, split into one array per aval: leaf k gets shape (N,) + shape_k."""
    n = sum(a.size for a in avals)
    rows, cols = (bind(P.iota, shape=(n, n), dtype=dtypes.int32, dimension=d) for d in (0, 1))
    eye = bind(P.convert, bind(P.compare, rows, cols, direction="EQ"), new_dtype=dtype)
    out, start = [], 0
    for a in avals:
        out.append(_reshape(_slice_axis(eye, 1, start, start + a.size), (n,) + a.shape))
        start += a.size
    return out


def _slice_axis(x, axis: int, start: int, stop: int):
    starts, limits = [0] * x.ndim, list(x.shape)
    starts[axis], limits[axis] = start, stop
    return bind(P.slice, x, start_indices=tuple(starts), limit_indices=tuple(limits),
                strides=(1,) * x.ndim)


def _reshape(x, shape):
    return bind(P.reshape, x, new_sizes=tuple(shape))


def _jacobian_traced(fun, nums, single, has_aux, forward, args, kwargs):

    diff_args = [args[i] for i in nums]
    d_leaves, d_tree = pytree.tree_flatten(tuple(diff_args))
    _check_diff_dtypes(d_leaves, [True] * len(d_leaves), False,
                       "jacfwd" if forward else "jacrev")
    d_avals = [leaf_aval(x) for x in d_leaves]
    if forward:
        _check_real(d_avals, "jacfwd requires real-valued inputs")

    def partial_fun(*dargs):
        full = list(args)
        for i, a in zip(nums, dargs):
            full[i] = a
        return fun(*full, **kwargs)

    if has_aux:
        main = lambda *d: partial_fun(*d)[0]
        aux = partial_fun(*diff_args)[1]
    else:
        main, aux = partial_fun, None
    if forward:
        dtype = dtypes.promote(*[(a.dtype, False) for a in d_avals])[0]
        basis = _basis(d_avals, dtype)

        def push(*ts):
            tangents = pytree.tree_unflatten(d_tree, list(ts))
            return jvp(main, tuple(diff_args), tuple(tangents))[1]

        y = main(*diff_args)
        jac_t = vmap(push, out_axes=-1)(*basis)  # leaves: out.shape + (N,)

        def unravel(out_leaf):
            parts, start = [], 0
            for a in d_avals:
                block = _slice_axis(out_leaf, out_leaf.ndim - 1, start, start + a.size)
                parts.append(_reshape(block, out_leaf.shape[:-1] + a.shape))
                start += a.size
            return pytree.tree_unflatten(d_tree, parts)

        jac = pytree.tree_map(unravel, jac_t)
        _ = y
    else:
        y, pullback = vjp(main, *diff_args)
        y_leaves, y_tree = pytree.tree_flatten(y)
        y_avals = [leaf_aval(v) for v in y_leaves]
        _check_real(y_avals, "jacrev requires real-valued outputs")
        dtype = dtypes.promote(*[(a.dtype, False) for a in y_avals])[0]
        basis = _basis(y_avals, dtype)
        cts = vmap(lambda *rows: pullback(pytree.tree_unflatten(y_tree, list(rows))))(*basis)
        ct_leaves = pytree.tree_leaves(cts)  # leaf k: (M,) + in_shape_k
        per_out, start = [], 0
        for ya in y_avals:
            parts = [_reshape(_slice_axis(c, 0, start, start + ya.size), ya.shape + a.shape)
                     for c, a in zip(ct_leaves, d_avals)]
            per_out.append(pytree.tree_unflatten(d_tree, parts))
            start += ya.size
        jac = pytree.tree_unflatten(y_tree, per_out)
    if single:
        jac = pytree.tree_map(lambda t: t[0], jac, is_leaf=lambda t: isinstance(t, tuple)
                              and len(t) == len(nums))
    return (jac, aux) if has_aux else jac
