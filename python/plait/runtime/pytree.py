"""The pytree registry of the C++ dispatch path: `plait.Array` is a node around its jax
buffer, so that C++ can unwrap and rewrap it. It mirrors every node type registered with jax,
now and later."""

from __future__ import annotations

from jax._src import tree_util as _jtu_impl
from jaxlib import _jax

from plait.runtime.array import Array

dispatch_registry = _jax.pytree.PyTreeRegistry()
dispatch_registry.register_dataclass_node(Array, ["_buf"], [])


def _mirror_existing() -> None:
    builtin = (tuple, list, dict, type(None))
    for typ, entry in list(_jtu_impl._registry.items()):
        if typ in builtin or typ is Array:
            continue
        try:
            dispatch_registry.register_node(typ, entry.to_iter, entry.from_iter)
        except ValueError:
            pass  # already registered


def _mirror_future() -> bool:
    """Make jax's register_pytree_node also register into plait's dispatch registry."""
    regs = getattr(_jtu_impl, "_all_registries", None)
    if not isinstance(regs, tuple):
        return False
    _jtu_impl._all_registries = regs + (dispatch_registry,)
    return True


_mirror_existing()
MIRRORS_REGISTRATIONS = _mirror_future()


def dispatch_flatten(tree):
    return dispatch_registry.flatten(tree)
