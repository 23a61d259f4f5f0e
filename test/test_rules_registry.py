"""Every plait op has every rule (STYLE rule 2): a missing rule is a failing test."""

from plait.dialect import OPS
from plait.dialect.transform import CALLS, TRANSFORMS
from plait.lowering import lowerings
from plait.transforms.batch import batch_rules, region_batch_rules
from plait.transforms.jvp import jvp_call_rules, jvp_rules
from plait.transforms.shard_propagate import forward_rules, region_rules
from plait.transforms.transpose import region_transpose_rules, transpose_rules

# Transformation and custom-rule call ops are expanded by plait-expand before any rule applies.
TRANSFORM_OPS = {t.name for t in TRANSFORMS + CALLS}

# Ops that are not linear in any operand, so they never take a tangent in a linear function:
# their JVP rules emit only the linear ops below.
NONLINEAR = {
    "plait.abs", "plait.sign", "plait.exp", "plait.log", "plait.log1p", "plait.expm1",
    "plait.sqrt", "plait.rsqrt", "plait.sin", "plait.cos", "plait.tan", "plait.tanh",
    "plait.logistic", "plait.erf", "plait.floor", "plait.ceil", "plait.round",
    "plait.is_finite", "plait.not", "plait.rem", "plait.pow", "plait.max", "plait.min",
    "plait.atan2", "plait.and", "plait.or", "plait.xor", "plait.compare", "plait.clamp",
    "plait.constant", "plait.iota", "plait.reduce_prod", "plait.reduce_max",
    "plait.reduce_min", "plait.reduce_and", "plait.reduce_or", "plait.argmax",
    "plait.argmin", "plait.axis_index",
}
# Ops without operands are never batched (nothing to map over).
NO_OPERANDS = {"plait.constant", "plait.iota", "plait.axis_index"}


# plait.yield ends the regions of region ops, whose own rules handle it.
TERMINATORS = {"plait.yield"}


def _ops():
    return sorted(n for n in OPS if n not in TRANSFORM_OPS | TERMINATORS)


def test_every_op_has_a_lowering():
    missing = [n for n in _ops() if n not in lowerings]
    assert not missing, f"ops without a lowering to StableHLO: {missing}"


def test_every_op_has_a_jvp_rule():
    missing = [n for n in _ops() if n not in jvp_rules and n not in jvp_call_rules]
    assert not missing, f"ops without a JVP rule: {missing}"


def test_every_linear_op_has_a_transpose_rule():
    missing = [n for n in _ops() if n not in transpose_rules and n not in region_transpose_rules
               and n not in NONLINEAR]
    assert not missing, f"linear ops without a transpose rule: {missing}"
    stale = [n for n in NONLINEAR if n in transpose_rules or n not in OPS]
    assert not stale, f"NONLINEAR lists ops that are linear or gone: {stale}"


def test_every_op_has_a_batching_rule():
    missing = [n for n in _ops() if n not in batch_rules and n not in region_batch_rules
               and n not in NO_OPERANDS]
    assert not missing, f"ops without a batching rule: {missing}"


def test_every_op_has_a_sharding_rule():
    """An op nothing can be said about is an explicit `_unknown` entry, not a gap."""
    missing = [n for n in _ops() if n not in forward_rules and n not in region_rules]
    assert not missing, f"ops without a sharding rule: {missing}"
    both = sorted(set(forward_rules) & set(region_rules))
    assert not both, f"ops with a sharding rule and a region sharding rule: {both}"


def test_every_op_has_a_docstring_with_a_summary():
    for name in _ops():
        assert (OPS[name].__doc__ or "").strip(), f"{name} has no docstring"
