"""plait-autodiff: expand every jvp / vjp / transpose op, innermost first, to a fixpoint.

The driver of the three AD passes: plait-jvp (forward mode), plait-linearize (JVP + partial
evaluation into forward and linear functions) and plait-transpose (transpose the linear
function). Their outputs are plain plait ops, so a derivative can be differentiated again.
"""

from __future__ import annotations

from dataclasses import dataclass

from plait._mlir import ir
from plait.dialect import OPS
from plait.dialect.traits import CustomRule
from plait.dialect.transform import custom_lin
from plait.transforms.base import Pass, fail
from plait.transforms.batch import expand_vmap_op
from plait.transforms.dce import DCEPass
from plait.transforms.expand import ModuleState, callee_of, replace_with_call
from plait.transforms.jvp import expand_all, expand_jvp_op
from plait.transforms.linearize import expand_vjp_op, linearize_function
from plait.transforms.transpose import expand_transpose_op, transpose_function

AD_EXPANSIONS = {"plait.jvp": expand_jvp_op, "plait.vjp": expand_vjp_op,
                 "plait.linear_transpose": expand_transpose_op}
EXPANSIONS = {**AD_EXPANSIONS, "plait.vmap": expand_vmap_op}


def expand_autodiff(module) -> bool:
    return expand_all(module, AD_EXPANSIONS)


def expand_transformations(module) -> bool:
    """Expand every transformation op (autodiff and vmap), innermost first."""
    return expand_all(module, EXPANSIONS)


def vjp_functions(state: ModuleState, callee: str, diff_args: tuple, ct_outs: tuple,
                  transpose: bool = True) -> tuple[str, str]:
    """The functions a `plait.vjp` of @callee expands to, generated into the module: the
    forward one, @fwd(args) -> (outs, residuals), and the backward one,
    @lin_T(residuals, cotangents of ct_outs) -> cotangents of diff_args; without `transpose`,
    the linear one instead, @lin(residuals, tangents of diff_args) -> tangents of ct_outs.
    Returns their names."""
    fwd, lin, n_res = linearize_function(state, callee, tuple(diff_args), tuple(ct_outs))
    if transpose:
        lin = transpose_function(state, lin, tuple(range(n_res, n_res + len(diff_args))))
    return fwd, lin


@dataclass
class AutodiffPass(Pass):
    name = "plait-autodiff"
    summary = "Expand all autodiff ops (plait-jvp, plait-linearize, plait-transpose) to a fixpoint."

    def run(self, module):
        expand_autodiff(module)


@dataclass
class ExpandPass(Pass):
    name = "plait-expand"
    summary = "Expand every transformation op (autodiff and vmap), innermost first."

    def run(self, module):
        expand_transformations(module)
        finalize_custom_calls(module)


def finalize_custom_calls(module) -> None:
    """Custom-rule calls left after differentiation are plain calls of their function."""
    DCEPass().run(module)  # generated helpers nobody calls (e.g. JVPs already transposed)
    left = []

    def visit(op):
        opdef = OPS.get(op.name)
        if opdef is not None and opdef.has(CustomRule):
            left.append(op)
        return ir.WalkResult.ADVANCE

    module.walk(visit)
    state = ModuleState(module) if left else None  # a call in a region inlines its callee
    for op in left:
        if op.name == custom_lin.name:
            raise fail(op, "forward-mode differentiation (jvp, jacfwd) of a custom_vjp function "
                           "is not supported; use reverse mode or define a custom_jvp")
        replace_with_call(op, callee_of(op), list(op.operands), state)
