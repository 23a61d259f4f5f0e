"""Passes: dataclasses whose `name` is their `plait-opt` flag and whose fields are their options,
run by MLIR's PassManager.

A pass is a `@dataclass` subclass of `Pass`. It sets `name` (kebab-case: the CLI flag and the
lit file's name) and `summary` (its line in `plait-opt --help`), declares its options as fields
made with `option(default, help)` — typed int, float, bool, str, a `Literal` of strings or an
`Enum`; the field `max_iterations` is the option `max-iterations` — and implements
`run(module)`.

A pass reports at an op's location. `raise fail(op, msg)` stops it with an `IRError`;
`self.emit_error(op, msg)` lets it go on and fails it when it returns, with every error it
emitted; `emit_warning`, `emit_remark` and `emit_note` only report. The driver (`run_passes`)
hands each `Diagnostic` to its handler (plait-opt prints `file:line:col: remark: ...`; the
default prints warnings, remarks and notes on stderr) and raises the first error as an
`IRError` naming the op's source line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from plait._mlir import CONTEXT, ir, passmanager
from plait.core.errors import IRError, PlaitError
from plait.core.location import file_loc, site_of

PASSES: dict[str, type[Pass]] = {}

SEVERITIES = ("error", "warning", "remark", "note")


@dataclass(frozen=True)
class Diagnostic:
    """A message a pass reported at a location; `severity` is one of SEVERITIES."""

    severity: str
    location: ir.Location
    message: str

    def __str__(self) -> str:
        f = file_loc(self.location)
        where = f"{f.filename}:{f.start_line}:{f.start_col}" if f is not None else "<unknown>"
        return f"{where}: {self.severity}: {self.message}"


DiagnosticHandler = Callable[[Diagnostic], None]


def print_diagnostic(d: Diagnostic) -> None:
    """The default handler: errors are raised, everything else is printed on stderr."""
    if d.severity != "error":
        print(d, file=sys.stderr)


# --- options ----------------------------------------------------------------------------------

def option(default, help: str):
    """A pass option: a dataclass field with its default and its line in `plait-opt --help`."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class PassOption:
    """One option of a pass, read from its dataclass field."""

    name: str  # kebab-case, as written in a pipeline
    field: str  # the dataclass field (snake_case)
    type: object  # int, float, bool, str, a Literal of strings or an Enum subclass
    default: object
    help: str

    @property
    def choices(self) -> tuple | None:
        if typing.get_origin(self.type) is typing.Literal:
            return typing.get_args(self.type)
        if isinstance(self.type, type) and issubclass(self.type, enum.Enum):
            return tuple(m.value for m in self.type)
        return None

    @property
    def type_name(self) -> str:
        choices = self.choices
        if choices is not None:
            return "|".join(map(str, choices))
        return {int: "int", float: "number", bool: "bool", str: "string"}[self.type]

    def parse(self, text: str | None):
        """The value of `text` (None: the option named without `=value`); raises ValueError."""
        if text is None:
            if self.type is bool:
                return True
            raise ValueError(f"needs a value ({self.type_name})")
        choices = self.choices
        if choices is not None:
            if text not in map(str, choices):
                raise ValueError(f"expects one of {self.type_name}, got '{text}'")
            return self.type(text) if isinstance(self.type, type) else text
        if self.type is bool:
            if text not in ("true", "false", "1", "0"):
                raise ValueError(f"expects true or false, got '{text}'")
            return text in ("true", "1")
        if self.type in (int, float):
            try:
                return self.type(text)
            except ValueError:
                kind = "an integer" if self.type is int else "a number"
                raise ValueError(f"expects {kind}, got '{text}'") from None
        return text

    def format(self, value) -> str:
        """`value` as parse reads it back."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, enum.Enum):
            value = value.value
        text = str(value)
        if isinstance(value, str) and (not text or any(c in text for c in " \t{}'\",()")):
            return "'" + text + "'" if "'" not in text else '"' + text + '"'
        return text


# --- passes -----------------------------------------------------------------------------------

@dataclass
class Pass:
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    # What the last run reported (the driver hands it on); not an option.
    diagnostics: list[Diagnostic] = field(default_factory=list, init=False, repr=False,
                                          compare=False)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name:
            PASSES[cls.name] = cls

    @classmethod
    def options(cls) -> list[PassOption]:
        hints = typing.get_type_hints(cls)
        return [PassOption(f.name.replace("_", "-"), f.name, hints[f.name], f.default,
                           f.metadata.get("help", ""))
                for f in dataclasses.fields(cls) if f.init]

    def run(self, module: ir.Operation) -> None:
        raise NotImplementedError

    def __str__(self) -> str:
        """The pass as a pipeline element: `name{option=value ...}`."""
        opts = " ".join(f"{o.name}={o.format(getattr(self, o.field))}" for o in self.options())
        return f"{self.name}{{{opts}}}" if opts else self.name

    def emit_error(self, op, message: str) -> None:
        """Report an error at `op` (an op or a location) and go on; the pass fails when it
        returns."""
        self._emit("error", op, message)

    def emit_warning(self, op, message: str) -> None:
        self._emit("warning", op, message)

    def emit_remark(self, op, message: str) -> None:
        self._emit("remark", op, message)

    def emit_note(self, op, message: str) -> None:
        self._emit("note", op, message)

    def _emit(self, severity: str, op, message: str) -> None:
        loc = op if isinstance(op, ir.Location) else op.location
        self.diagnostics.append(Diagnostic(severity, loc, message))


def fail(op, message: str) -> IRError:
    """An IRError located at `op` (raise it)."""
    loc = op.location
    err = IRError(message, site=site_of(loc))
    err.location = loc
    return err


@contextlib.contextmanager
def naming_rule(kind: str, op: ir.Operation):
    """Around a call of an op's `kind` rule: an exception from the rule that is not a plait
    error is a bug in the rule; it propagates as itself, with a note naming the rule (and
    `rule_location`, the op's location, for plait-opt)."""
    try:
        yield
    except PlaitError:
        raise
    except Exception as e:
        e.add_note(f"in the {kind} rule of '{op.name}'")
        if getattr(e, "rule_location", None) is None:
            with contextlib.suppress(AttributeError):
                e.rule_location = op.location  # the innermost rule's op
        raise


def plait_funcs(module: ir.Operation):
    """The func.func ops of a module."""
    return [op for op in module.regions[0].blocks[0].operations if op.operation.name == "func.func"]


# --- running passes ---------------------------------------------------------------------------

def run_passes(module: ir.Module | ir.Operation, passes, *, print_after_all: bool = False,
               verify_each: bool = False,
               diagnostic_handler: DiagnosticHandler | None = None) -> None:
    """Run plait passes (objects or names) through an MLIR PassManager.

    Each pass's diagnostics go to `diagnostic_handler` (every severity), or by default
    `print_diagnostic`; a pass that reported an error, or raised one with `fail`, stops the
    run with an IRError at the first error (`.diagnostics`: all of that pass's errors)."""
    op = module.operation if isinstance(module, ir.Module) else module
    handler = diagnostic_handler or print_diagnostic
    with CONTEXT:
        pm = passmanager.PassManager("builtin.module")
        for p in passes:
            p = PASSES[p]() if isinstance(p, str) else p
            pm.add(_as_callback(p, verify_each, handler), name=p.name)
        if print_after_all:
            pm.enable_ir_printing(print_after_all=True)
        pm.run(op)


def _as_callback(p: Pass, verify_each: bool, handler: DiagnosticHandler):
    def callback(op, pass_):
        run_pass(p, op, handler)
        if verify_each and p.name != "plait-verify":
            run_pass(PASSES["plait-verify"](), op, handler)
    return callback


def run_pass(p: Pass, op: ir.Operation, handler: DiagnosticHandler = print_diagnostic) -> None:
    """Run one pass on `op`, hand its diagnostics to `handler`, and raise its first error."""
    p.diagnostics.clear()
    try:
        p.run(op)
    except IRError as e:
        if getattr(e, "location", None) is not None and not hasattr(e, "diagnostics"):
            p.diagnostics.append(Diagnostic("error", e.location, e.bare_message))
            e.diagnostics = [p.diagnostics[-1]]
        raise
    finally:
        for d in p.diagnostics:
            handler(d)
    errors = [d for d in p.diagnostics if d.severity == "error"]
    if errors:
        raise _error_of(errors)


def _error_of(errors: list[Diagnostic]) -> IRError:
    """One IRError for the errors a pass emitted: the first, then the others by location."""
    first = errors[0]
    err = IRError(first.message + "".join(f"\n{d}" for d in errors[1:]),
                  site=site_of(first.location))
    err.location, err.diagnostics = first.location, errors
    return err
