"""Host callbacks: Python functions called from compiled programs (jax's `pure_callback`,
`experimental.io_callback`, `debug.callback` and `debug.print`).

Each emits a callback op naming the function by its id in the process's registry
(`runtime/callbacks.py`); the program calls it through PJRT's host callbacks, in the same
program (nothing is split). Arguments are pytrees: array leaves reach the function as NumPy
arrays, other leaves (strings, None, ...) as they are.
"""

from __future__ import annotations

import string
import sys

import numpy as np

from plait.core import pytree
from plait.core.errors import PlaitTypeError, PlaitValueError, user_site
from plait.dialect.callback import VMAP_METHODS, callback
from plait.dialect.callback import pure_callback as _pure_callback_op
from plait.runtime import callbacks as _registry
from plait.runtime.array import Array
from plait.runtime.device import is_jax_array
from plait.staging.leaves import leaf_aval
from plait.staging.trace import Tracer, bind

_DYNAMIC = (Array, Tracer, np.ndarray, np.generic, bool, int, float, complex)


def _check_callable(fn, what: str) -> None:
    if not callable(fn):
        raise PlaitTypeError(f"{what} expects a callable, got {type(fn).__name__}")


def _split(args, kwargs):
    """(array leaves, tree, {position: static leaf}) of (args, kwargs), as jax splits them."""
    leaves, tree = pytree.tree_flatten((args, kwargs))
    dynamic, static = [], {}
    for i, x in enumerate(leaves):
        if isinstance(x, _DYNAMIC) or is_jax_array(x):
            dynamic.append(x)
        else:
            static[i] = x
    return dynamic, tree, static


def _merge(tree, dynamic, static: dict):
    it = iter(dynamic)
    n = len(dynamic) + len(static)
    leaves = [static[i] if i in static else next(it) for i in range(n)]
    return pytree.tree_unflatten(tree, leaves)


def _hashable(static: dict):
    items = tuple(sorted(static.items()))
    try:
        hash(items)
    except TypeError:
        return None
    return items


def _results(outs) -> list:
    return outs if isinstance(outs, list) else [outs]


def _result_avals(result_shape_dtypes):
    leaves, tree = pytree.tree_flatten(result_shape_dtypes)
    try:
        avals = tuple(leaf_aval(x).strip_weak() for x in leaves)
    except PlaitTypeError:
        raise PlaitTypeError("result_shape_dtypes takes a pytree of ShapeDtypeStructs (or "
                             f"arrays), got {result_shape_dtypes!r}") from None
    return avals, tree


def _with_results(fn, in_tree, static, out_tree, name):
    """`fn` as the registry calls it: flat arrays in, flat results (checked by tree) out."""

    def host(*flat):
        args, kwargs = _merge(in_tree, flat, static)
        leaves, tree = pytree.tree_flatten(fn(*args, **kwargs))
        if tree != out_tree:
            raise PlaitValueError(f"the callback {name} returned a {tree}, but "
                                  f"result_shape_dtypes is a {out_tree}")
        return leaves

    host.__name__ = name
    return host


def _register(host, key, static):
    statics = _hashable(static)
    key = None if statics is None else key + (statics,)
    return _registry.register(host, site=user_site(), key=key)


def pure_callback(callback_fn, result_shape_dtypes, *args, vmap_method=None, **kwargs):
    """Call a pure Python function on the host: `result_shape_dtypes` (a pytree of
    ShapeDtypeStructs) says what it returns. Under vmap it is called per `vmap_method`:
    "sequential" (once per element), "expand_dims" (once, unbatched arguments with a leading
    axis of size 1) or "broadcast_all" (once, every argument batched). It has no derivative:
    give it one with custom_jvp."""
    _check_callable(callback_fn, "pure_callback")
    if vmap_method == "sequential_unrolled":  # plait's sequential calls are unrolled anyway
        vmap_method = "sequential"
    if vmap_method is not None and vmap_method not in VMAP_METHODS:
        raise PlaitValueError(f"vmap_method must be one of {', '.join(VMAP_METHODS)} or None, "
                              f"got {vmap_method!r}")
    out_avals, out_tree = _result_avals(result_shape_dtypes)
    dynamic, in_tree, static = _split(args, kwargs)
    name = getattr(callback_fn, "__name__", type(callback_fn).__name__)
    host = _with_results(callback_fn, in_tree, static, out_tree, name)
    cid = _register(host, ("pure", callback_fn, in_tree, out_tree, out_avals), static)
    outs = bind(_pure_callback_op, *dynamic, callback=cid, result_types=out_avals,
                vmap_method=vmap_method)
    return pytree.tree_unflatten(out_tree, _results(outs))


def io_callback(callback_fn, result_shape_dtypes, *args, ordered=False, **kwargs):
    """Call a Python function with side effects on the host; `ordered`: in program order
    with the other ordered callbacks. It is never erased, and has no derivative."""
    _check_callable(callback_fn, "io_callback")
    out_avals, out_tree = _result_avals(result_shape_dtypes)
    dynamic, in_tree, static = _split(args, kwargs)
    name = getattr(callback_fn, "__name__", type(callback_fn).__name__)
    host = _with_results(callback_fn, in_tree, static, out_tree, name)
    cid = _register(host, ("io", callback_fn, in_tree, out_tree, out_avals, ordered), static)
    outs = bind(callback, *dynamic, callback=cid, result_types=out_avals, kind="io",
                ordered=bool(ordered))
    return pytree.tree_unflatten(out_tree, _results(outs))


def debug_callback(callback_fn, *args, ordered=False, **kwargs):
    """Call `callback_fn(*args, **kwargs)` on the host for its side effects, with the
    values the program computes (under vmap, once per batch element; under grad, on the
    primal values)."""
    _check_callable(callback_fn, "debug.callback")
    dynamic, in_tree, static = _split(args, kwargs)
    name = getattr(callback_fn, "__name__", type(callback_fn).__name__)

    def host(*flat):
        a, kw = _merge(in_tree, flat, static)
        callback_fn(*a, **kw)
        return ()

    host.__name__ = name
    cid = _register(host, ("debug", callback_fn, in_tree, ordered), static)
    bind(callback, *dynamic, callback=cid, result_types=(), kind="debug", ordered=bool(ordered))


class _FormatChecker(string.Formatter):
    """str.format, also refusing arguments the format does not use (as jax.debug.print)."""

    def check_unused_args(self, used_args, args, kwargs):
        unused = [a for i, a in enumerate(args) if i not in used_args]
        unused += [k for k in kwargs if k not in used_args]
        if unused:
            raise PlaitValueError(f"debug.print format leaves arguments unused: {unused}")


def _check_format(fmt: str, args, kwargs) -> None:
    try:
        _FormatChecker().format(fmt, *args, **kwargs)
    except (IndexError, KeyError) as e:
        raise PlaitValueError(f"debug.print format {fmt!r} names {e}, which is not among its "
                              "arguments") from None


def debug_print(fmt: str, *args, ordered=False, **kwargs) -> None:
    """Print `fmt.format(*args, **kwargs)` with the values the program computes, as
    jax.debug.print: under jit, vmap (once per element), grad (primals), scan (once per
    iteration)."""
    if not isinstance(fmt, str):
        raise PlaitTypeError(f"debug.print expects a format string, got {type(fmt).__name__}")
    _check_format(fmt, args, kwargs)
    options = tuple(np.get_printoptions().items())
    dynamic, in_tree, static = _split(args, kwargs)

    def host(*flat):
        a, kw = _merge(in_tree, flat, static)
        with np.printoptions(**dict(options)):
            sys.stdout.write(fmt.format(*a, **kw) + "\n")
        return ()

    host.__name__ = "debug.print"
    cid = _register(host, ("print", fmt, in_tree, options, ordered), static)
    bind(callback, *dynamic, callback=cid, result_types=(), kind="debug", ordered=bool(ordered))
