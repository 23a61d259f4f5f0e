"""Transformation ops: they name a callee `func.func` by symbol, and a pass expands them.

Their result types follow from the callee's signature, so instead of an aval type rule they
declare `signature(callee_inputs, callee_results, params) -> (operand types, result types)`;
`plait-verify` checks operands and results against it.
"""

from __future__ import annotations

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core import dtypes
from plait.core.errors import PlaitTypeError
from plait.dialect.base import Int, Ints, OpDef, Str, Symbol
from plait.dialect.traits import CustomRule, Linear, Pure, Transformation


def tangent_type(t: ir.Type) -> ir.Type:
    """Tangents and cotangents have their primal's type (integers: integer zeros)."""
    return t


class CalleeOp(OpDef):
    """Base of ops that transform the function named by their `callee` attribute."""

    arity = None
    uses_callee = True

    def signature(self, ins: list, outs: list, params: dict) -> tuple[list, list]:
        raise NotImplementedError

    def infer(self, avals, **params):
        raise PlaitTypeError(f"{self.name} needs its callee's signature to infer types")

    def create(self, operands, result_types, **params) -> list[ir.Value]:
        """Emit the op at the current insertion point with explicit result types."""
        op = ir.Operation.create(self.name, results=list(result_types), operands=list(operands),
                                 attributes=self.encode_params(params))
        return list(op.results)

    def _indices(self, params, key, n, what):
        idx = tuple(params.get(key) or ())
        if len(set(idx)) != len(idx) or any(not 0 <= i < n for i in idx):
            raise PlaitTypeError(f"{self.name}: {key} {idx} must be distinct {what} indices "
                                 f"below {n}")
        return idx


class Jvp(CalleeOp):
    """`%outs..., %tangent_outs... = "plait.jvp"(%args..., %tangents...) {callee = @f,
    diff_args = array<i64: 0>}`: forward-mode derivative of @f along the tangents given
    for `diff_args` (the other arguments' tangents are zero)."""

    attrs = {"callee": Symbol(), "diff_args": Ints()}
    traits = (Pure(), Transformation())

    def signature(self, ins, outs, params):
        diff = self._indices(params, "diff_args", len(ins), "argument")
        return (list(ins) + [tangent_type(ins[i]) for i in diff],
                list(outs) + [tangent_type(t) for t in outs])


class Vjp(CalleeOp):
    """`%outs..., %arg_cts... = "plait.vjp"(%args..., %cts...) {callee = @f,
    diff_args = array<i64: 0>, ct_outs = array<i64: 0>}`: reverse-mode derivative of @f:
    cotangents for `ct_outs` in (others are zero), cotangents of `diff_args` out."""

    attrs = {"callee": Symbol(), "diff_args": Ints(), "ct_outs": Ints()}
    traits = (Pure(), Transformation())

    def signature(self, ins, outs, params):
        diff = self._indices(params, "diff_args", len(ins), "argument")
        cts = self._indices(params, "ct_outs", len(outs), "result")
        return (list(ins) + [tangent_type(outs[i]) for i in cts],
                list(outs) + [tangent_type(ins[i]) for i in diff])


class Transpose(CalleeOp):
    """`%cts... = "plait.linear_transpose"(%consts..., %out_cts...) {callee = @lin,
    linear_args = array<i64: 1>}`: the transpose of @lin, a function linear in
    `linear_args` (its other arguments are constants): cotangents of the outputs in,
    cotangents of the linear arguments out."""

    attrs = {"callee": Symbol(), "linear_args": Ints()}
    traits = (Pure(), Transformation())

    def signature(self, ins, outs, params):
        lin = self._indices(params, "linear_args", len(ins), "argument")
        consts = [t for i, t in enumerate(ins) if i not in lin]
        return consts + list(outs), [ins[i] for i in lin]


class Vmap(CalleeOp):
    """`%outs... = "plait.vmap"(%args...) {callee = @f, in_axes = array<i64: 0, -1>,
    out_axes = array<i64: 0>, axis_size = 8 : i64, axis_name = "i"}`: @f mapped over a new
    axis of size axis_size; in_axes[i] = -1 marks an unbatched argument."""

    attrs = {"callee": Symbol(), "in_axes": Ints(), "out_axes": Ints(), "axis_size": Int(),
             "axis_name": Str()}
    traits = (Pure(), Transformation())

    def signature(self, ins, outs, params):
        in_axes, out_axes, size = params["in_axes"], params["out_axes"], params["axis_size"]
        if len(in_axes) != len(ins) or len(out_axes) != len(outs):
            raise PlaitTypeError(f"{self.name}: in_axes/out_axes need one entry per "
                                 "argument/result")
        return ([batched_type(t, a, size, self) for t, a in zip(ins, in_axes)],
                [batched_type(t, a, size, self) for t, a in zip(outs, out_axes)])


def batched_type(t: ir.Type, axis: int, size: int, op) -> ir.Type:
    if axis == -1:
        return t
    a = _aval.aval_of_type(t)
    if not 0 <= axis <= a.ndim:
        raise PlaitTypeError(f"{op.name}: axis {axis} out of range for {t}")
    shape = list(a.shape)
    shape.insert(axis, size)
    return _aval.ir_type(a.update(shape=shape))


jvp = Jvp("plait.jvp", "Forward-mode derivative of a callee (expanded by plait-jvp).")
vjp = Vjp("plait.vjp", "Reverse-mode derivative of a callee (expanded by plait-linearize "
                       "then plait-transpose).")
linear_transpose = Transpose("plait.linear_transpose", "Transpose of a function linear in "
                                                      "some arguments (expanded by plait-transpose).")
vmap = Vmap("plait.vmap", "Vectorizing map of a callee (expanded by plait-batch).")


class CustomCall(CalleeOp):
    """A call of @callee whose derivative is user-defined (`plait.custom_jvp` / `custom_vjp`).

    `"plait.custom_jvp_call"(%args...) {callee = @f, jvp = @f_jvp}` and
    `"plait.custom_vjp_call"(%args...) {callee = @f, fwd = @f_fwd, bwd = @f_bwd}` compute
    @f; the autodiff passes use the rule functions instead of differentiating @f, and
    plait-expand turns what is left into plain calls."""

    traits = (Pure(), CustomRule())

    def signature(self, ins, outs, params):
        return list(ins), list(outs)


class CustomLin(CalleeOp):
    """`%t_outs... = "plait.custom_lin"(%residuals..., %tangents...) {callee = @f_bwd,
    num_res = 2 : i64}`: the linear map whose transpose is the user's backward function
    @f_bwd(residuals..., out_cts...) -> arg_cts (reverse mode of a custom_vjp)."""

    attrs = {"callee": Symbol(), "num_res": Int()}
    traits = (Pure(), CustomRule(), Linear(from_operand="num_res"))

    def signature(self, ins, outs, params):
        n = params["num_res"]
        return list(ins[:n]) + list(outs), list(ins[n:])


custom_jvp_call = CustomCall("plait.custom_jvp_call", CustomCall.__doc__.split("\n")[0],
                             attrs={"callee": Symbol(), "jvp": Symbol()})
custom_vjp_call = CustomCall("plait.custom_vjp_call", CustomCall.__doc__.split("\n")[0],
                             attrs={"callee": Symbol(), "fwd": Symbol(), "bwd": Symbol()})
custom_lin = CustomLin("plait.custom_lin", "Linear map transposed by a user backward function.")


def is_differentiable(dtype) -> bool:
    return dtypes.is_inexact(dtype)
