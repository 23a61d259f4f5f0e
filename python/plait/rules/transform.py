"""The rules of the custom-rule calls (`dialect/transform.py`): custom_jvp_call and
custom_vjp_call call the user's rule functions under plait-jvp and stay calls under
plait-batch; custom_lin, the linear map of a custom_vjp, transposes into a call of the user's
backward function. (The transformation ops jvp, vjp, linear_transpose and vmap have no rules:
plait-expand replaces them first.)"""

from __future__ import annotations

from plait._mlir import ir
from plait.core.aval import ir_type
from plait.dialect import transform as T
from plait.dialect.builders import zeros_like
from plait.ir.funcs import function_type
from plait.transforms.batch import batch_function, batch_rule, move_bdim
from plait.transforms.jvp import jvp_rule
from plait.transforms.transpose import deftranspose, is_linear

# --- JVP ---------------------------------------------------------------------------------------


def _call(name: str, operands, result_types) -> list:
    call = ir.Operation.create("func.call", results=list(result_types), operands=list(operands),
                               attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
    return list(call.results)


def _all_tangents(ctx) -> list:
    """A tangent per operand, zeros materialised (user rules take arrays)."""
    return [t if t is not None else zeros_like(p) for p, t in zip(ctx.primals, ctx.tangents)]


def _symbol(op, attr: str) -> str:
    return ir.FlatSymbolRefAttr(op.attributes[attr]).value


@jvp_rule(T.custom_jvp_call)
def _jvp_custom_jvp(ctx):
    """Call the user's rule @jvp(primals..., tangents...) -> (outs..., tangent outs...)."""
    op = ctx.op
    rule = _symbol(op, "jvp")
    n_args = len(function_type(ctx.state.funcs[rule]).inputs) // 2
    n = len(op.results)
    outs = _call(rule, ctx.primals[:n_args] + _all_tangents(ctx)[:n_args],
                 [r.type for r in op.results] * 2)
    ctx.set_primal(outs[:n])
    return outs[n:]


@jvp_rule(T.custom_vjp_call)
def _jvp_custom_vjp(ctx):
    """outs, residuals = @fwd(args); tangent outs = custom_lin(residuals, tangents), the
    linear map plait-transpose turns into a call of the user's @bwd."""
    op = ctx.op
    fwd, bwd = _symbol(op, "fwd"), _symbol(op, "bwd")
    ftype = function_type(ctx.state.funcs[fwd])
    n_args, n = len(ftype.inputs), len(op.results)
    outs = _call(fwd, ctx.primals[:n_args], ftype.results)
    ctx.set_primal(outs[:n])
    res = outs[n:]
    return T.custom_lin.create(res + _all_tangents(ctx)[:n_args], [r.type for r in op.results],
                               callee=bwd, num_res=len(res))


# --- transposition ------------------------------------------------------------------------------

@deftranspose(T.custom_lin)
def _custom_lin_t(cts, operands, callee, num_res):
    """Run the user's backward function on the residuals and the output cotangents."""
    res = operands[:num_res]
    # the bwd rule gives every argument a cotangent, even those not differentiated here
    arg_types = [ir_type(x.aval) if is_linear(x) else x.type for x in operands[num_res:]]
    call = ir.Operation.create("func.call", results=arg_types, operands=list(res) + list(cts),
                               attributes={"callee": ir.FlatSymbolRefAttr.get(callee)})
    return [None] * num_res + list(call.results)


# --- batching -----------------------------------------------------------------------------------

@batch_rule(T.custom_jvp_call, T.custom_vjp_call)
def _batch_custom(ctx):
    """A custom-rule call stays one: the function and each rule are batched alike, every
    operand and result with its batch dim in front (tangents and cotangents share the layout
    of their primals)."""
    state, op, size = ctx.state, ctx.op, ctx.size
    xs = [move_bdim(x, d, 0, size) for x, d in zip(ctx.operands, ctx.bdims)]

    def batched(attr):
        name = _symbol(op, attr)
        n_in = len(function_type(state.funcs[name]).inputs)
        return batch_function(state, name, (0,) * n_in, size, ctx.axis_name, force_out=True)[0]

    callee = batched("callee")
    if op.name == T.custom_jvp_call.name:
        rules, opdef = {"jvp": batched("jvp")}, T.custom_jvp_call
    else:
        rules, opdef = {"fwd": batched("fwd"), "bwd": batched("bwd")}, T.custom_vjp_call
    results = opdef.create(xs, function_type(state.funcs[callee]).results, callee=callee, **rules)
    return results, [0] * len(results)
