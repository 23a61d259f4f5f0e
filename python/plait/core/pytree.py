"""Pytrees through `jax.tree_util` (a maintained C++ library): users' pytrees (dicts, lists,
dataclasses, Flax/Equinox modules) are handled by jax's default registry, in which a
`plait.Array` is a leaf. (The C++ dispatch path's own registry is in runtime/pytree.py.)"""

from __future__ import annotations

import jax.tree_util as jtu

tree_flatten = jtu.tree_flatten
tree_unflatten = jtu.tree_unflatten
tree_map = jtu.tree_map
tree_leaves = jtu.tree_leaves
tree_structure = jtu.tree_structure
