"""The one MLIR context plait builds in, and the jaxlib MLIR modules it uses.

jaxlib bundles MLIR's Python bindings with func, stablehlo, chlo and sdy. plait's own dialect is
made of unregistered `plait.*` ops, so the context allows unregistered dialects.
"""

from __future__ import annotations

import atexit
import sys
import threading

import jax  # noqa: F401  (imported before jaxlib.mlir, which otherwise turns on C++ info logs)
from jaxlib.mlir import ir, passmanager  # noqa: F401  (re-exported)
from jaxlib.mlir._mlir_libs import _jax_mlir_ext
from jaxlib.mlir._mlir_libs import _mlir as _cext
from jaxlib.mlir._mlir_libs._mlir import rewrite  # noqa: F401  (re-exported)
from jaxlib.mlir.dialects import chlo, func, sdy  # noqa: F401  (re-exported)
from jaxlib.mlir.dialects import stablehlo as hlo

hlo.register_stablehlo_passes()

# Wrapping an op of namespace `plait` into an OpView makes the bindings import
# `jaxlib.mlir.dialects.plait`; a failed import is not cached and costs ~15 µs per op.
sys.modules.setdefault("jaxlib.mlir.dialects.plait", sys.modules[__name__])


@_cext.register_dialect
class PlaitDialect(ir.Dialect):
    DIALECT_NAMESPACE = "plait"


def _make_context() -> ir.Context:
    ctx = ir.Context()
    registry = ir.DialectRegistry()
    _jax_mlir_ext.register_dialects(registry)
    ctx.append_dialect_registry(registry)
    ctx.load_all_available_dialects()
    hlo.register_dialect(ctx)
    chlo.register_dialect(ctx)
    sdy.register_dialect(ctx)
    ctx.allow_unregistered_dialects = True
    return ctx


CONTEXT: ir.Context = _make_context()
# plait builds in this context, with an unknown default location, by default (main thread).
_DEFAULT_LOC = ir.Location.unknown(CONTEXT)
CONTEXT.__enter__()
_DEFAULT_LOC.__enter__()
atexit.register(CONTEXT.__exit__, None, None, None)  # left entered at shutdown, exit aborts
atexit.register(_DEFAULT_LOC.__exit__, None, None, None)

# MLIR contexts are not thread-safe: tracing, passes and lowering hold this lock.
LOCK = threading.RLock()


class _Scope:
    """`with scope():` holds LOCK and enters CONTEXT and an unknown default location. The
    bindings keep the entered context and location per thread (the main thread's are entered
    above), so building IR from any other thread needs them entered there; and IR is built by
    one thread at a time. Reentrant."""

    __slots__ = ()

    def __enter__(self):
        LOCK.acquire()
        try:
            CONTEXT.__enter__()
            _DEFAULT_LOC.__enter__()
        except BaseException:
            LOCK.release()
            raise

    def __exit__(self, *exc):
        try:
            _DEFAULT_LOC.__exit__(*exc)
            CONTEXT.__exit__(*exc)
        finally:
            LOCK.release()


_SCOPE = _Scope()


def scope() -> _Scope:
    return _SCOPE
