"""Every plait op has every rule, and its traits keep their promises (STYLE rules 2 and 13): a
missing rule is a failing test.

A rule is the op's own (`plait/rules/`) or the one a trait gives it, which the pass applying it
derives; so the tests ask each pass which rule it would apply (`rule_for`).
"""

import contextlib

import numpy as np
import pytest

from plait import rules
from plait._mlir import ir
from plait.core.aval import ShapedArray
from plait.core.errors import IRError, PlaitTypeError
from plait.dialect import OPS
from plait.dialect import control as C
from plait.dialect.base import OpDef
from plait.dialect.elementwise import Unary
from plait.dialect.traits import (
    CustomRule,
    HasRegions,
    Linear,
    Pure,
    SameOperandsAndResultShape,
    Transformation,
)
from plait.ir.funcs import finish_func, new_func
from plait.lowering.stablehlo import lowering_for
from plait.transforms import batch, jvp, shard_propagate
from plait.transforms.base import run_passes
from plait.transforms.dce import DCEPass
from plait.transforms.shard_propagate import backward_rules, forward_rules, region_rules
from plait.transforms.transpose import deftranspose, transpose_rules


def _ops():
    """The ops rules apply to: not the transformations and custom-rule calls, which
    plait-expand replaces first, nor plait.yield, which its region op's rules handle."""
    return sorted(n for n, d in OPS.items() if not d.has(Transformation)
                  and not d.has(CustomRule) and n != C.yield_.name)


def _has_operands(name):
    return OPS[name].arity != 0  # an op of no operands takes no tangent, no batch dim


def test_every_op_has_a_lowering():
    missing = [n for n in _ops() if lowering_for(n) is None]
    assert not missing, f"ops without a lowering to StableHLO: {missing}"


def test_every_op_has_a_jvp_rule():
    """Its own, or the one its Linear trait gives."""
    missing = [n for n in _ops() if _has_operands(n) and jvp.rule_for(n) is None]
    assert not missing, f"ops without a JVP rule: {missing}"


def test_a_linear_op_has_a_transpose_rule():
    missing = [n for n, d in OPS.items() if d.has(Linear) and n not in transpose_rules]
    assert not missing, f"ops with a Linear trait but no transpose rule: {missing}"


def test_an_op_with_a_transpose_rule_is_linear():
    """plait-transpose checks the linear operands against the Linear traits: a rule of an op
    without one could never run."""
    stray = [n for n in transpose_rules if not OPS[n].has(Linear)]
    assert not stray, f"ops with a transpose rule but no Linear trait: {stray}"


def test_every_op_has_a_batching_rule():
    """Its own, or the Elementwise one."""
    missing = [n for n in _ops() if _has_operands(n) and batch.rule_for(n) is None]
    assert not missing, f"ops without a batching rule: {missing}"


def test_every_op_has_a_sharding_rule():
    """An op nothing can be said about is an explicit `unknown` entry, not a gap."""
    missing = [n for n in _ops() if shard_propagate.rule_for(forward_rules, n) is None
               and n not in region_rules]
    assert not missing, f"ops without a sharding rule: {missing}"
    both = sorted(set(forward_rules) & set(region_rules))
    assert not both, f"ops with a sharding rule and a region sharding rule: {both}"


def test_every_op_has_a_docstring_with_a_summary():
    for name in _ops():
        assert (OPS[name].__doc__ or "").strip(), f"{name} has no docstring"


# --- what traits promise ------------------------------------------------------------------------

@contextlib.contextmanager
def declared(op):
    """An op declared for one test, forgotten after it."""
    try:
        yield op
    finally:
        rules.unregister(op)


class _Effect(OpDef):
    """`%y = "plait.test_effect"(%x)`: an op without the Pure trait."""

    arity = 1

    def infer(self, avals):
        return list(avals)


def _unused(name: str) -> bool:
    """Whether plait-dce erases an op `name` whose result no one uses (built bare: DCE reads
    no more than the op's traits and uses)."""
    t = ir.RankedTensorType.get([4], ir.F32Type.get())
    module = ir.Module.create()
    f, block = new_func(module.operation, "main", [t], ir.Location.unknown())
    del f.attributes["sym_visibility"]  # public: symbol DCE keeps it
    opdef = OPS[name]
    with ir.InsertionPoint(block):
        regions = 0 if not opdef.has(HasRegions) else max(opdef.region_count, 1)
        ir.Operation.create(name, results=[t], operands=list(block.arguments), regions=regions)
    finish_func(f, block, list(block.arguments), ir.Location.unknown())
    DCEPass().run(module.operation)
    return f'"{name}"' not in str(module)


@pytest.mark.parametrize("name", sorted(n for n, d in OPS.items() if d.has(Pure)))
def test_an_unused_pure_op_is_erased_by_dce(name):
    assert _unused(name), f"plait-dce keeps an unused {name}"


def test_an_op_that_is_not_pure_is_kept_by_dce():
    with declared(_Effect("plait.test_effect", "An op with an effect.")):
        assert not _unused("plait.test_effect"), "plait-dce erased an op that is not Pure"


def test_an_elementwise_op_gets_batching_and_sharding_rules():
    """From its traits alone: a new Elementwise op declares no batching or sharding rule."""
    with declared(Unary("plait.test_twice", "2x.", stablehlo="stablehlo.add")) as op:
        assert op.has(SameOperandsAndResultShape)
        assert batch.rule_for(op.name) is batch.elementwise_batch
        assert shard_propagate.rule_for(forward_rules, op.name) is shard_propagate.same_forward
        assert shard_propagate.rule_for(backward_rules, op.name) is \
            shard_propagate.same_backward
        assert lowering_for(op.name) is not None
        assert jvp.rule_for(op.name) is None  # a derivative is the one thing it must add


def test_a_linear_op_gets_its_jvp_from_its_trait():
    with declared(Unary("plait.test_negate", "-x.", traits=(Linear(0),),
                        stablehlo="stablehlo.negate")) as op:
        assert jvp.rule_for(op.name) is jvp.linear_jvp


def test_the_verifier_checks_what_the_traits_promise():
    """SameOperandsAndResultShape checks the operand shapes before the op's type rule runs."""
    f32 = np.dtype(np.float32)
    with pytest.raises(PlaitTypeError, match="operands must have equal shapes"):
        OPS["plait.add"].type_check([ShapedArray((4,), f32), ShapedArray((3,), f32)])



# --- rules check their own shape (STYLE rule 17) ------------------------------------------------

_F = """
func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.test_bad"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""
_T = "tensor<4xf32>"
_MAIN = {
    "plait-jvp": f"""func.func @main(%x: {_T}, %t: {_T}) -> {_T} {{
  %0:2 = "plait.jvp"(%x, %t) {{callee = @f, diff_args = array<i64: 0>}}
      : ({_T}, {_T}) -> ({_T}, {_T})
  return %0#1 : {_T}
}}""",
    "plait-transpose": f"""func.func @main(%t: {_T}) -> {_T} {{
  %0 = "plait.linear_transpose"(%t) {{callee = @f, linear_args = array<i64: 0>}} : ({_T}) -> {_T}
  return %0 : {_T}
}}""",
    "plait-batch": """func.func @main(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = "plait.vmap"(%x) {callee = @f, in_axes = array<i64: 0>, out_axes = array<i64: 0>,
                         axis_size = 2 : i64, axis_name = ""}
      : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}""",
}


@pytest.mark.parametrize("pass_name", list(_MAIN))
def test_a_rule_returning_the_wrong_number_of_values_fails_naming_the_op(pass_name):
    op = Unary("plait.test_bad", "Its rules return two values.", traits=(Linear(0),),
               stablehlo="stablehlo.negate")
    with declared(op):
        jvp.defjvp(op)(lambda primals, tangents, outs: [tangents[0]] * 2)
        deftranspose(op)(lambda cts, operands: [cts[0]] * 2)
        batch.defbatch(op)(lambda operands, bdims, size: (operands * 2, bdims * 2))
        module = ir.Module.parse(_F + _MAIN[pass_name])
        with pytest.raises(IRError, match="rule of 'plait.test_bad' returned 2 "):
            run_passes(module, [pass_name])
