"""Passes as an MLIR engineer expects them: options are dataclass fields read from MLIR's
textual pipeline by a parser, passes report diagnostics of every severity, plait-verify reports
every error, a bug in a rule surfaces as itself, and pass state lives on the pass or its
driver. (lit_tests/ runs the same through plait-opt.)
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import json
import pathlib
import re
from dataclasses import dataclass
from typing import Literal

import pytest

from plait._mlir import CONTEXT, LOCK, ir
from plait.core.errors import IRError
from plait.lowering import stablehlo as lowering
from plait.tools import opt
from plait.transforms import batch, transpose
from plait.transforms.base import PASSES, Pass, option, run_passes
from plait.transforms.op_stats import OpStatsPass
from plait.transforms.pass_pipeline import (
    PassPipelineError,
    parse_pass_options,
    parse_pass_pipeline,
)
from plait.transforms.simplify import SimplifyPass

ROOT = pathlib.Path(__file__).resolve().parent.parent

ADD_ZERO = """
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = "plait.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "plait.add"(%x, %zero) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""


def run_on(source: str, passes, **kw) -> str:
    with LOCK, CONTEXT, ir.Location.unknown():
        module = ir.Module.parse(source)
        run_passes(module, passes, **kw)
        return str(module)


class Mode(enum.Enum):
    FAST = "fast"
    EXACT = "exact"


@pytest.fixture
def test_pass():
    """`test-options`, a pass with one option of each kind, registered for one test."""

    @dataclass
    class OptionsPass(Pass):
        name = "test-options"
        summary = "Options of every kind."

        count: int = option(3, "an int")
        scale: float = option(1.5, "a number")
        flag: bool = option(False, "a bool")
        label: str = option("x", "a string")
        mode: Mode = option(Mode.FAST, "an Enum")
        order: Literal["up", "down"] = option("up", "a Literal")

        def run(self, module):
            pass

    yield OptionsPass
    del PASSES["test-options"]


# --- options and the pipeline parser ----------------------------------------------------------

def test_every_pass_is_a_dataclass_whose_options_have_help():
    for name, cls in PASSES.items():
        assert "__dataclass_fields__" in vars(cls), f"{name}: decorate {cls.__name__} @dataclass"
        for o in cls.options():
            assert o.help, f"{name}: option {o.name} has no help"
            assert o.parse(o.format(o.default)) == o.default, (name, o.name)


def test_options_of_every_kind_are_read_from_the_pipeline(test_pass):
    (p,) = parse_pass_pipeline("builtin.module(test-options{count=-7 scale=0.25 flag "
                               "label='a b{c}' mode=exact order=down})")
    assert p == test_pass(count=-7, scale=0.25, flag=True, label="a b{c}", mode=Mode.EXACT,
                          order="down")
    assert [o.name for o in test_pass.options()] == ["count", "scale", "flag", "label", "mode",
                                                     "order"]


def test_a_pass_prints_as_a_pipeline_element_that_reads_back(test_pass):
    p = test_pass(count=2, flag=True, label="two words", mode=Mode.EXACT)
    text = f"builtin.module({p},plait-dce)"
    assert str(p) == ("test-options{count=2 scale=1.5 flag=true label='two words' mode=exact "
                      "order=up}")
    assert parse_pass_pipeline(text) == [p, PASSES["plait-dce"]()]


def test_the_flag_form_reads_the_same_options():
    assert parse_pass_options("plait-simplify", "max-iterations=3 test-convergence") == \
        SimplifyPass(max_iterations=3, test_convergence=True)
    assert parse_pass_options("plait-simplify", None) == SimplifyPass()


def test_pipelines_allow_spaces_and_are_empty_or_not():
    assert parse_pass_pipeline("builtin.module()") == []
    passes = parse_pass_pipeline("  builtin.module( plait-expand , plait-simplify{ "
                                 "max-iterations=4 } ,plait-dce )  ")
    assert [p.name for p in passes] == ["plait-expand", "plait-simplify", "plait-dce"]
    assert passes[1].max_iterations == 4


@pytest.mark.parametrize("text, message, column", [
    ("builtin.module(plait-dce", "expected ',' or ')' after a pass, found the end", 24),
    ("builtin.module(plait-dce,)", "expected a pass name, found ')'", 25),
    ("builtin.module(,plait-dce)", "expected a pass name, found ','", 15),
    ("builtin.module plait-dce", "expected '(' after the anchor 'builtin.module', found 'p'",
     15),
    ("builtin.module(plait-dce) x", "expected the end of the pipeline after ')'", 26),
    ("(plait-dce)", "expected an anchor op name such as 'builtin.module', found '('", 0),
    ("plait-dce", "write 'builtin.module(plait-dce)'", 0),
    ("builtin.module(plait-nope)", "unknown pass 'plait-nope'", 15),
    ("func.func(plait-dce)", "unsupported anchor 'func.func'", 0),
    ("builtin.module(plait-dce, func.func(plait-cse))",
     "nested pipeline 'func.func(...)' is not supported", 26),
    ("builtin.module(builtin.module(plait-cse))",
     "nested pipeline 'builtin.module(...)' is not supported", 15),
    ("builtin.module(func.func(plait-nope))", "unknown pass 'plait-nope'", 25),
    ("builtin.module(plait-dce{x=1})", "pass 'plait-dce' has no option 'x' (its options: none)",
     25),
    ("builtin.module(plait-simplify{max-iterations=1.5})",
     "option 'max-iterations' of 'plait-simplify' expects an integer, got '1.5'", 45),
    ("builtin.module(plait-simplify{max-iterations})",
     "option 'max-iterations' of 'plait-simplify' needs a value (int)", 30),
    ("builtin.module(plait-simplify{test-convergence=yes})",
     "option 'test-convergence' of 'plait-simplify' expects true or false, got 'yes'", 47),
    ("builtin.module(plait-simplify{max-iterations=1 max-iterations=2})",
     "option 'max-iterations' of 'plait-simplify' is given twice", 47),
    ("builtin.module(plait-simplify{max-iterations=1", "expected '}' to close the options", 46),
    ("builtin.module(plait-simplify{max-iterations=1,plait-dce)",
     "expected '}' to close the options", 57),
    ("builtin.module(plait-simplify{max-iterations=-2})",
     "pass 'plait-simplify': max-iterations must be -1 (no limit) or more, got -2", 15),
    ("builtin.module(plait-simplify{max-iterations='3})", "unterminated '-quoted value", 45),
    ("builtin.module(plait-simplify{max-iterations=5=})",
     "option 'max-iterations' of 'plait-simplify' expects an integer, got '5='", 45),
])
def test_pipeline_errors_say_what_was_expected_where(text, message, column):
    with pytest.raises(PassPipelineError) as info:
        parse_pass_pipeline(text)
    assert message in info.value.reason
    assert info.value.pos == column
    assert info.value.excerpt() == f"  {text}\n  {' ' * column}^"


@pytest.mark.parametrize("options, message", [
    ("mode=slow", "option 'mode' of 'test-options' expects one of fast|exact, got 'slow'"),
    ("order=sideways", "option 'order' of 'test-options' expects one of up|down, got 'sideways'"),
    ("scale=wide", "option 'scale' of 'test-options' expects a number, got 'wide'"),
    ("label", "option 'label' of 'test-options' needs a value (string)"),
])
def test_ill_typed_options_are_errors(test_pass, options, message):
    with pytest.raises(PassPipelineError, match=re.escape(message)):
        parse_pass_options("test-options", options)


def test_max_iterations_bounds_the_greedy_driver():
    """max-iterations=0 folds nothing; the default folds x + 0 (then DCE); test-convergence
    fails when the driver stops before it sees that nothing changes any more."""
    assert '"plait.add"' in run_on(ADD_ZERO, [SimplifyPass(max_iterations=0)])
    assert '"plait.add"' not in run_on(ADD_ZERO, [SimplifyPass()])
    assert '"plait.add"' not in run_on(ADD_ZERO, [SimplifyPass(max_iterations=-1)])
    with pytest.raises(IRError, match="did not converge within max-iterations=1"):
        run_on(ADD_ZERO, [SimplifyPass(max_iterations=1, test_convergence=True)])
    assert '"plait.add"' not in run_on(ADD_ZERO, [SimplifyPass(max_iterations=2,
                                                               test_convergence=True)])


# --- diagnostics ------------------------------------------------------------------------------

@dataclass
class ReportingPass(Pass):
    """Reports at each plait.exp: a remark, a warning, a note and (with `fail`) an error."""

    name = "test-reporting"
    summary = "Reports diagnostics of every severity."

    fail: bool = option(False, "also report an error at each plait.exp")

    def run(self, module):
        def visit(op):
            if op.name == "plait.exp":
                self.emit_remark(op, "a remark")
                self.emit_warning(op, "a warning")
                self.emit_note(op, "a note")
                if self.fail:
                    self.emit_error(op, "an error")
                    self.emit_error(op.location, "another error")
            return ir.WalkResult.ADVANCE

        module.walk(visit)


del PASSES["test-reporting"]  # defined for these tests only

TWO_EXPS = """
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "plait.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
"""


def test_diagnostics_reach_the_handler_with_their_location_and_severity():
    seen = []
    run_on(TWO_EXPS, [ReportingPass()], diagnostic_handler=seen.append)
    assert [(str(d.location), d.severity, d.message) for d in seen] == [
        (f'loc("-":{line}:8)', severity, f"a {severity}")
        for line in (3, 4) for severity in ("remark", "warning", "note")]


def test_by_default_errors_are_raised_and_the_rest_printed(capsys):
    run_on(TWO_EXPS, [ReportingPass()])
    err = capsys.readouterr().err.splitlines()
    assert err == [f"-:{line}:8: {s}: a {s}" for line in (3, 4)
                   for s in ("remark", "warning", "note")]


def test_emitted_errors_fail_the_pass_after_it_ran_with_every_error():
    seen = []
    with pytest.raises(IRError) as info:
        run_on(TWO_EXPS, [ReportingPass(fail=True), "plait-dce"], diagnostic_handler=seen.append)
    e = info.value
    assert e.site == ("-", 3) and e.bare_message.startswith("an error\n")
    assert [(d.message, str(d.location)) for d in e.diagnostics] == [
        ("an error", 'loc("-":3:8)'), ("another error", 'loc("-":3:8)'),
        ("an error", 'loc("-":4:8)'), ("another error", 'loc("-":4:8)')]
    assert [d.severity for d in seen].count("error") == 4  # and plait-dce never ran


def test_verify_diagnostics_matches_every_severity():
    chunk = TWO_EXPS.replace(
        '  %0 = "plait.exp"',
        "  // expected-remark@+3 {{a remark}}\n  // expected-warning@+2 {{a warning}}\n"
        "  // expected-note@+1 {{a note}}\n  %0 = \"plait.exp\"")
    problems = opt.verify_diagnostics(chunk, "in.mlir", [ReportingPass()])
    # the second exp's three diagnostics are not expected; the first's all are
    assert problems == [f"in.mlir:7:8: {s}: a {s} (unexpected {s})"
                        for s in ("remark", "warning", "note")]
    missing = opt.verify_diagnostics(chunk.replace("a warning}}", "a warming}}"), "in.mlir",
                                     [ReportingPass()])
    assert 'in.mlir:6: error: expected warning "a warming" was not produced' in missing


# --- plait-verify: every error ----------------------------------------------------------------

def test_verify_reports_every_error_and_each_problem_of_an_op():
    source = """
func.func @f(%x: tensor<4xf32>, %i: tensor<4xi32>) -> tensor<4xf32> {
  %0 = "plait.exp"(%i) : (tensor<4xi32>) -> tensor<4xi32>
  %1 = "plait.neg"(%x) {fast = true} : (tensor<4xf32>) -> tensor<4xf16>
  %2 = "plait.frobnicate"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %x : tensor<4xf32>
}
"""
    with pytest.raises(IRError) as info:
        run_on(source, ["plait-verify"])
    assert [(d.location.__str__(), d.message) for d in info.value.diagnostics] == [
        ('loc("-":3:8)', "plait.exp takes floating or complex operands, got int32"),
        ('loc("-":4:8)', "'plait.neg' has unknown attribute(s) fast"),
        ('loc("-":4:8)', "'plait.neg' result types (tensor<4xf16>) do not match the inferred "
                         "(tensor<4xf32>)"),
        ('loc("-":5:8)', "unknown op 'plait.frobnicate'")]
    assert info.value.site == ("-", 3)


# --- a bug in a rule is a bug, named --------------------------------------------------------

TRANSPOSE_NEG = """
func.func @f(%ct: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.linear_transpose"(%ct) {callee = @lin, linear_args = array<i64: 0>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func private @lin(%t: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.neg"(%t) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""


def _buggy_rule(ctx):
    return ctx.cts[0] + 1  # a TypeError: ir.Value has no +


def test_a_type_error_in_a_transpose_rule_is_a_bug_not_cannot_transpose(monkeypatch):
    monkeypatch.setitem(transpose.transpose_rules, "plait.neg", _buggy_rule)
    with pytest.raises(TypeError) as info:
        run_on(TRANSPOSE_NEG, ["plait-transpose"])
    assert not isinstance(info.value, IRError)
    assert "in the transpose rule of 'plait.neg'" in info.value.__notes__


def test_plait_opt_names_the_buggy_rule_at_its_op(monkeypatch):
    monkeypatch.setitem(transpose.transpose_rules, "plait.neg", _buggy_rule)
    seen = []
    with pytest.raises(opt.DiagnosticError):
        opt.process(TRANSPOSE_NEG, "in.mlir", [PASSES["plait-transpose"]()], seen.append)
    (d,) = seen
    assert (d.line, d.col, d.severity) == (8, 8, "error")
    assert d.message.startswith("internal error: TypeError: unsupported operand type(s) for +")
    assert d.message.endswith("(in the transpose rule of 'plait.neg')")


def test_a_bug_in_a_batching_rule_names_the_rule(monkeypatch):
    def buggy(ctx):
        raise KeyError("oops")

    monkeypatch.setitem(batch.batch_rules, "plait.neg", buggy)
    source = """
func.func @f(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = "plait.vmap"(%x) {callee = @g, in_axes = array<i64: 0>, out_axes = array<i64: 0>,
                         axis_size = 8 : i64, axis_name = ""} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}
func.func private @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "plait.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""
    with pytest.raises(KeyError) as info:
        run_on(source, ["plait-batch"])
    assert info.value.__notes__ == ["in the batching rule of 'plait.neg'"]



def test_a_bug_in_a_lowering_rule_names_the_rule(monkeypatch):
    def buggy(op, params, operands, result_types):
        raise KeyError("oops")

    monkeypatch.setitem(lowering.lowerings, "plait.exp", buggy)
    with pytest.raises(KeyError) as info:
        run_on(ADD_ZERO, ["plait-lower-to-stablehlo"])
    assert info.value.__notes__ == ["in the lowering rule of 'plait.exp'"]
    assert str(info.value.rule_location) == 'loc("-":5:8)'


# --- analyses ---------------------------------------------------------------------------------

def test_op_stats_counts_the_ops_by_name(capsys):
    p = OpStatsPass(json=True)
    run_on(ADD_ZERO, [p])
    expected = {"builtin.module": 1, "func.func": 1, "func.return": 1, "plait.add": 1,
                "plait.constant": 1, "plait.exp": 1}
    assert p.counts == expected
    assert json.loads(capsys.readouterr().err) == expected


def test_report_unused_remarks_at_each_unused_op():
    seen = []
    run_on(ADD_ZERO, ["plait-report-unused"], diagnostic_handler=seen.append)
    assert [(str(d.location), d.severity, d.message) for d in seen] == [
        ('loc("-":5:8)', "remark", "the result of 'plait.exp' is never used")]


# --- pass state lives on the pass or its driver -----------------------------------------------

RULE_TABLES = {"PASSES", "folds", "lowerings", "jvp_rules", "transpose_rules", "batch_rules",
               "forward_rules", "backward_rules", "region_rules"}
MUTATORS = {"append", "extend", "insert", "pop", "popitem", "clear", "update", "setdefault",
            "add", "remove", "discard"}


def _module_state_changed_by_functions(path: pathlib.Path) -> list[str]:
    """Module-level names a function of the module changes (`X.append(...)`, `X[k] = v`)."""
    tree = ast.parse(path.read_text())
    names = {t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
             for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
             if isinstance(t, ast.Name)}
    changed = set()
    for f in ast.walk(tree):
        if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(f):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in MUTATORS and isinstance(node.func.value, ast.Name):
                changed.add(node.func.value.id)
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            changed.update(t.value.id for t in targets
                           if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name))
            if isinstance(node, ast.Global):
                changed.update(node.names)
    return sorted((changed & names) - RULE_TABLES)


def test_passes_keep_no_mutable_state_at_module_level():
    """No function of a pass module changes a module-level name other than a rule table (a
    registry filled at import): a run's state (a stack of vmap axis names, a memo) lives on
    the pass or its driver."""
    found = {path.name: names
             for d in ("transforms", "lowering")
             for path in sorted((ROOT / "python/plait" / d).glob("*.py"))
             if (names := _module_state_changed_by_functions(path))}
    assert not found, found


def test_pass_fields_are_options_not_state():
    """The diagnostics a run reports are on the pass, but no option (not an __init__ field)."""
    assert "diagnostics" not in [f.name for f in dataclasses.fields(SimplifyPass) if f.init]
    assert [o.name for o in OpStatsPass.options()] == ["json"]
