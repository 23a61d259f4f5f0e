"""`plait.export`: a jitted function as data, run in another process without its Python source
(jax.export's API). An `Exported` holds the program as a StableHLO portable artifact (stable
across StableHLO versions within their compatibility window), its calling convention (argument
and result pytrees and avals), the arrays it closes over, the platform it was lowered for and
the plait version. `serialize()` gives bytes; `deserialize(bytes).call(*args)` runs them."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
from jaxlib import _jax
from jaxlib.mlir.dialects import stablehlo

from plait._mlir import scope
from plait.core import dtypes, pytree
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError, PlaitValueError
from plait.core.version import version
from plait.dialect.callback import HOST_CALLBACKS_ATTR
from plait.jitting import Jitted, jit
from plait.runtime.array import Array
from plait.runtime.executable import compile_stablehlo
from plait.runtime.host import default_backend
from plait.staging.leaves import leaf_aval, leaf_buffer
from plait.staging.trace import tracing

CALLING_CONVENTION_VERSION = 1  # bump when the serialized layout or the calling convention change
_FORMAT = "plait.export"


class Exported:
    """A program exported by `export(f)(*args)`: call it, or `serialize()` it."""

    def __init__(self, *, fun_name: str, in_tree, in_avals, out_tree, out_avals, consts,
                 module: bytes, platform: str, plait_version: str,
                 calling_convention_version: int = CALLING_CONVENTION_VERSION):
        self.fun_name = fun_name
        self.in_tree, self.out_tree = in_tree, out_tree
        self.in_avals, self.out_avals = tuple(in_avals), tuple(out_avals)
        self.consts = list(consts)  # host arrays passed before the arguments
        self.mlir_module_serialized = module
        self.platform = platform
        self.plait_version = plait_version
        self.calling_convention_version = calling_convention_version
        self._executable = None

    def __repr__(self) -> str:
        ins = ", ".join(a.str_short() for a in self.in_avals)
        return f"Exported({self.fun_name}({ins}) for {self.platform})"

    def mlir_module(self) -> str:
        """The StableHLO program as text."""
        with scope():
            return str(_jax.mlir.deserialize_portable_artifact(self.mlir_module_serialized))

    def call(self, *args, **kwargs):
        """Run the program on arguments of the exported structure and avals."""
        if tracing():
            raise PlaitTypeError("calling an Exported inside a plait trace (jit, grad, vmap) "
                                 "is not supported; call it on arrays")
        if default_backend() != self.platform:
            raise PlaitValueError(f"{self!r} was lowered for {self.platform} and cannot run "
                                  f"on {default_backend()}")
        leaves, tree = pytree.tree_flatten((args, kwargs))
        if tree != self.in_tree:
            raise PlaitTypeError(f"{self.fun_name} was exported for arguments {self.in_tree}, "
                                 f"got {tree}")
        avals = [leaf_aval(x) for x in leaves]
        if [a.strip_weak() for a in avals] != [a.strip_weak() for a in self.in_avals]:
            raise PlaitTypeError(
                f"{self.fun_name} was exported for ("
                + ", ".join(a.str_short() for a in self.in_avals) + "), got ("
                + ", ".join(a.str_short() for a in avals) + ")")
        exe = self._compiled()
        consts = [leaf_buffer(c, leaf_aval(c)) for c in self.consts]
        outs = exe(consts + [leaf_buffer(x, a) for x, a in zip(leaves, self.in_avals)])
        return pytree.tree_unflatten(self.out_tree, [Array(b) for b in outs])

    def _compiled(self):
        if self._executable is None:
            with scope():
                module = _jax.mlir.deserialize_portable_artifact(self.mlir_module_serialized)
                in_avals = [leaf_aval(c) for c in self.consts] + list(self.in_avals)
                self._executable = compile_stablehlo(module, in_avals, self.out_avals)
        return self._executable

    def serialize(self) -> bytes:
        """Bytes that `deserialize` turns back into this Exported (in any process)."""
        header = {
            "format": _FORMAT, "calling_convention_version": self.calling_convention_version,
            "plait_version": self.plait_version, "fun_name": self.fun_name,
            "platform": self.platform,
            "in_tree": _encode_tree(self.in_tree), "out_tree": _encode_tree(self.out_tree),
            "in_avals": [_encode_aval(a) for a in self.in_avals],
            "out_avals": [_encode_aval(a) for a in self.out_avals],
        }
        consts = io.BytesIO()
        np.savez(consts, *[np.asarray(c) for c in self.consts])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("header.json", json.dumps(header))
            z.writestr("consts.npz", consts.getvalue())
            z.writestr("module.stablehlo", self.mlir_module_serialized)
        return out.getvalue()


def export(fun, platform: str | None = None):
    """`export(f)(*args)`: trace and lower `f` (a function or `plait.jit` of one) for these
    arguments (arrays or ShapeDtypeStructs) into an Exported."""
    jitted = fun if isinstance(fun, Jitted) else jit(fun)
    if platform is not None and platform != default_backend():
        raise PlaitValueError(f"plait exports for the platform it runs on "
                              f"({default_backend()}), not {platform}")

    def do_export(*args, **kwargs) -> Exported:
        lowered = jitted.lower(*args, **kwargs)
        staged = lowered.staged
        _check_exportable(staged, jitted)
        leaves, in_tree = pytree.tree_flatten(_dynamic(jitted, args, kwargs))
        for tree in (in_tree, staged.out_tree):  # refuse now what serialize() could not write
            _encode_tree(tree)
        with scope():
            if HOST_CALLBACKS_ATTR in lowered._lowered_module.operation.attributes:
                raise PlaitValueError("export of a program with host callbacks (debug.print, "
                                      "pure_callback, ...) is not supported: the Python "
                                      "functions cannot leave this process")
            module = io.BytesIO()
            lowered._lowered_module.operation.write_bytecode(module)
            target = stablehlo.get_version_from_compatibility_requirement(
                stablehlo.StablehloCompatibilityRequirement.WEEK_4)
            serialized = _jax.mlir.serialize_portable_artifact(module.getvalue(), target)
        return Exported(
            fun_name=getattr(jitted.fun, "__name__", "fn"), in_tree=in_tree,
            in_avals=[leaf_aval(x) for x in leaves], out_tree=staged.out_tree,
            out_avals=staged.out_avals,
            consts=[np.asarray(b) for b in list(staged.closure_bufs) + list(staged.consts)],
            module=serialized, platform=default_backend(), plait_version=version())
    return do_export


def deserialize(data: bytes) -> Exported:
    """The Exported that `Exported.serialize()` wrote."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            header = json.loads(z.read("header.json"))
            consts = np.load(io.BytesIO(z.read("consts.npz")))
            consts = [consts[f"arr_{i}"] for i in range(len(consts.files))]
            module = z.read("module.stablehlo")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise PlaitValueError(f"not a serialized plait Exported ({type(e).__name__}: {e})") \
            from None
    if header.get("format") != _FORMAT:
        raise PlaitValueError("not a serialized plait Exported")
    version = header.get("calling_convention_version")
    if not isinstance(version, int) or version > CALLING_CONVENTION_VERSION:
        raise PlaitValueError(f"an Exported of calling convention version {version}; this "
                              f"plait reads versions up to {CALLING_CONVENTION_VERSION}")
    return Exported(
        fun_name=header["fun_name"], in_tree=_decode_tree(header["in_tree"]),
        in_avals=[_decode_aval(a) for a in header["in_avals"]],
        out_tree=_decode_tree(header["out_tree"]),
        out_avals=[_decode_aval(a) for a in header["out_avals"]], consts=consts,
        module=module, platform=header["platform"], plait_version=header["plait_version"],
        calling_convention_version=version)


# --- what can be exported ----------------------------------------------------------------------

def _check_exportable(staged, jitted) -> None:
    if getattr(staged, "mesh", None) is not None:
        raise PlaitValueError("export of a program partitioned over a mesh is not supported")
    if staged.host_outs:
        raise PlaitValueError(f"{getattr(jitted.fun, '__name__', 'fn')} returns float0 "
                              "(integer-input gradient) values, which export cannot carry")
    if staged.checks:
        raise PlaitValueError("export of a program with run-time checks "
                              "(plait.config.debug_checks) is not supported")


def _dynamic(jitted, args, kwargs):
    dyn_args, dyn_kwargs, _ = jitted.signature.split(args, kwargs)
    return tuple(dyn_args), dict(dyn_kwargs)  # as `call(*args, **kwargs)` receives them


# --- the calling convention as JSON ------------------------------------------------------------

def _encode_aval(a: ShapedArray) -> list:
    return [list(a.shape), a.dtype.name, a.weak_type]


def _decode_aval(e) -> ShapedArray:
    shape, dtype, weak = e
    return ShapedArray(tuple(shape), dtypes.canonicalize(np.dtype(dtype)), bool(weak))


_LEAF = object()


def _encode_tree(treedef):
    """A pytree structure of tuples, lists, dicts and None as JSON; other nodes are refused."""
    example = pytree.tree_unflatten(treedef, [_LEAF] * treedef.num_leaves)
    return _encode_node(example)


def _encode_node(x):
    if x is _LEAF:
        return "*"
    if x is None:
        return None
    if type(x) is tuple:
        return {"tuple": [_encode_node(c) for c in x]}
    if type(x) is list:
        return {"list": [_encode_node(c) for c in x]}
    if type(x) is dict:
        if not all(isinstance(k, str) for k in x):
            raise PlaitTypeError("export takes dicts with string keys in its arguments and "
                                 "results")
        return {"dict": {k: _encode_node(v) for k, v in x.items()}}
    raise PlaitTypeError(f"export cannot serialize a pytree node of type {type(x).__name__}; "
                         "use tuples, lists, dicts and None in arguments and results")


def _decode_tree(e):
    return pytree.tree_structure(_decode_node(e))


def _decode_node(e):
    if e == "*":
        return 0
    if e is None:
        return None
    (kind, children), = e.items()
    if kind == "dict":
        return {k: _decode_node(v) for k, v in children.items()}
    nodes = [_decode_node(c) for c in children]
    return tuple(nodes) if kind == "tuple" else nodes
