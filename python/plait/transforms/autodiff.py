"""plait-autodiff: expand every jvp / vjp / transpose op, innermost first, to a fixpoint.

The driver of the three AD passes: plait-jvp (forward mode), plait-linearize (JVP + partial
evaluation into forward and linear functions) and plait-transpose (transpose the linear
function). Their outputs are plain plait ops, so a derivative can be differentiated again.
"""

from __future__ import annotations

from plait.transforms.base import Pass
from plait.transforms.jvp import expand_all, expand_jvp_op
from plait.transforms.linearize import expand_vjp_op
from plait.transforms.transpose import expand_transpose_op

AD_EXPANSIONS = (("plait.jvp", expand_jvp_op), ("plait.vjp", expand_vjp_op),
                 ("plait.linear_transpose", expand_transpose_op))


def expand_autodiff(module) -> bool:
    changed_any = False
    while True:
        changed = False
        for op_name, expand in AD_EXPANSIONS:
            changed |= expand_all(module, op_name, expand)
        if not changed:
            return changed_any
        changed_any = True


class AutodiffPass(Pass):
    name = "plait-autodiff"
    summary = "Expand all autodiff ops (plait-jvp, plait-linearize, plait-transpose) to a fixpoint."

    def run(self, module):
        expand_autodiff(module)


class ExpandPass(Pass):
    name = "plait-expand"
    summary = "Expand every transformation op (autodiff and vmap), innermost first."

    def run(self, module):
        from plait.transforms.batch import expand_vmap_op

        while expand_autodiff(module) | expand_all(module, "plait.vmap", expand_vmap_op):
            pass
