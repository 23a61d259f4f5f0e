"""Host callbacks: `plait.pure_callback` and `plait.callback` (debug and io callbacks).

The Python function called is named by `callback`, an id in the process's registry of host
callbacks (`runtime/callbacks.py`); the results' types are attributes, since nothing in the
operands tells them. They lower to jaxlib's Python callback custom call (`rules/callback.py`).
"""

from __future__ import annotations

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core.errors import PlaitTypeError
from plait.dialect.base import Attr, Bool, Int, OpDef, Str
from plait.dialect.traits import Pure

# The module attribute listing the callback ids a lowered module calls, in `index` order.
HOST_CALLBACKS_ATTR = "plait.host_callbacks"
CPU_TARGET = "xla_ffi_python_cpu_callback"  # jaxlib's typed-FFI Python callback custom call
VMAP_METHODS = ("sequential", "expand_dims", "broadcast_all")
KINDS = ("debug", "io")


class Types(Attr):
    """A tuple of avals, stored as an array of tensor types."""

    def encode(self, v):
        return ir.ArrayAttr.get([ir.TypeAttr.get(_aval.ir_type(a)) for a in v])

    def decode(self, a):
        if not isinstance(a, ir.ArrayAttr):
            raise PlaitTypeError(f"expected an array of tensor types, got {a}")
        out = []
        for t in a:
            if not isinstance(t, ir.TypeAttr):
                raise PlaitTypeError(f"expected a tensor type, got {t}")
            out.append(_aval.aval_of_type(t.value))
        return tuple(out)


class _Callback(OpDef):
    def infer(self, avals, callback, result_types=(), **params):
        if callback is None or callback < 0:
            raise PlaitTypeError(f"{self.name} needs a callback id")
        return [a.strip_weak() for a in result_types or ()]


class PureCallback(_Callback):
    """`%y = "plait.pure_callback"(%x) {callback = 3 : i64, result_types = [tensor<3xf32>],
    vmap_method = "sequential"}`: the results of a Python function without side effects,
    called on the host. Unused, it is erased; equal ones are merged."""

    attrs = {"callback": Int(), "result_types": Types(), "vmap_method": Str(VMAP_METHODS)}
    traits = (Pure(),)


class Callback(_Callback):
    """`"plait.callback"(%x) {callback = 3 : i64, kind = "debug", ordered = false,
    result_types = []}`: a Python function with side effects, called on the host (kind
    "debug": no results, runs on primal values; "io": may return results). Ordered ones run
    in program order."""

    attrs = {"callback": Int(), "result_types": Types(), "kind": Str(KINDS),
             "ordered": Bool()}

    def infer(self, avals, callback, result_types=(), kind="debug", ordered=False):
        if kind == "debug" and result_types:
            raise PlaitTypeError(f"{self.name}: a debug callback has no results")
        return super().infer(avals, callback, result_types)


pure_callback = PureCallback("plait.pure_callback", "Call a pure Python function on the host.")
callback = Callback("plait.callback", "Call a Python function with side effects on the host.")
