"""plait-opt: run plait passes on textual MLIR, following mlir-opt's conventions.

    plait-opt input.mlir --plait-simplify="max-iterations=4" --plait-dce
    plait-opt input.mlir --pass-pipeline='builtin.module(plait-jvp,plait-simplify{max-iterations=4})'
    plait-opt bad.mlir --split-input-file --verify-diagnostics

Input is verified (MLIR's verifier, then `plait-verify`) before and after every pass. Every
diagnostic prints as `file:line:col: <severity>: message` on stderr; an error exits with status
1. plait-opt never shows a Python traceback for bad input.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass

from plait import pipeline  # noqa: F401  (registers every pass)
from plait._mlir import CONTEXT, LOCK, ir
from plait.core.errors import IRError, PlaitError
from plait.core.location import file_loc
from plait.transforms.base import PASSES, Diagnostic, run_passes
from plait.transforms.pass_pipeline import (
    PassPipelineError,
    parse_pass_options,
    parse_pass_pipeline,
)


@dataclass(frozen=True)
class Located:
    """A diagnostic as plait-opt prints it."""

    filename: str
    line: int
    col: int
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.col}: {self.severity}: {self.message}"


class DiagnosticError(Exception):
    """The input failed (its diagnostics were reported as they came)."""


def _position(loc: ir.Location, filename: str) -> tuple[str, int, int]:
    """(file, line, col) of a location; the parser's own buffer ("-") is `filename`."""
    f = file_loc(ir.Location.from_attr(loc.attr))
    if f is None:
        return filename, 0, 0
    return (filename if f.filename == "-" else f.filename), f.start_line, f.start_col


def _located(d: Diagnostic, filename: str) -> Located:
    return Located(*_position(d.location, filename), d.severity, d.message)


def _errors_of(e: Exception, filename: str) -> list[Located]:
    """The errors of an exception no pass reported."""
    if isinstance(e, ir.MLIRError) and e.error_diagnostics:
        return [Located(*_position(d.location, filename), "error", d.message)
                for d in e.error_diagnostics]
    if isinstance(e, ir.MLIRError):
        return [Located(filename, 0, 0, "error", e.message)]
    if isinstance(e, IRError) and getattr(e, "location", None) is not None:
        return [Located(*_position(e.location, filename), "error", e.bare_message)]
    if isinstance(e, PlaitError):
        return [Located(filename, 0, 0, "error", e.bare_message)]
    if isinstance(e, RecursionError):  # a pass recursing over a deep nest: a limit, not a bug
        return [Located(filename, 0, 0, "error", "input nested too deeply for plait-opt's "
                        "passes (Python's recursion limit)")]
    # A bug (in a rule, say): name it, and where the rule's op is when a rule raised it. An
    # exception from inside an MLIR callback may carry its Python traceback as text: keep its
    # last line (the exception itself).
    lines = [ln for ln in f"{type(e).__name__}: {e}".splitlines() if ln.strip()]
    message = "internal error: " + lines[-1].strip()
    message += "".join(f" ({note})" for note in getattr(e, "__notes__", ()))
    loc = getattr(e, "rule_location", None)
    where = _position(loc, filename) if loc is not None else (filename, 0, 0)
    return [Located(*where, "error", message)]


# MLIR's parser and printer recurse once per level of nesting (types, attributes, regions) and
# overflow the C stack (SIGSEGV) near 2,000 nested regions or 6,000 nested attributes: input
# nested deeper than this is refused before parsing. An 800-deep plait.cond nest is 1,600 deep.
MAX_NESTING = 2048
_BRACKET = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|->|[\[({<]|[\])}>]')


def nesting_error(source: str, filename: str) -> Located | None:
    """A diagnostic where `source` first nests brackets deeper than MAX_NESTING, if it does
    (strings, comments and `->` aside)."""
    depth = 0
    for m in _BRACKET.finditer(source):
        c = m.group()
        if c in "[({<":
            depth += 1
            if depth > MAX_NESTING:
                line = source.count("\n", 0, m.start()) + 1
                col = m.start() - source.rfind("\n", 0, m.start())
                return Located(filename, line, col, "error",
                               f"input nested more than {MAX_NESTING} deep (types, "
                               "attributes or regions); plait-opt does not parse it")
        elif c in "])}>":
            depth = max(depth - 1, 0)
    return None


def process(source: str, filename: str, passes: list, report, *, print_after_all: bool = False,
            debuginfo: bool = False) -> str:
    """Parse, verify, run `passes` and print the module. Every diagnostic goes to
    `report(Located)` as it comes; raises DiagnosticError if one was an error."""
    too_deep = nesting_error(source, filename)
    if too_deep is not None:
        report(too_deep)
        raise DiagnosticError()
    with LOCK, CONTEXT, ir.Location.unknown():
        try:
            module = ir.Module.parse(source)
            module.operation.verify()
            run_passes(module, [PASSES["plait-verify"]()] + passes,
                       print_after_all=print_after_all, verify_each=True,
                       diagnostic_handler=lambda d: report(_located(d, filename)))
        except Exception as e:  # every failure becomes a located diagnostic
            if getattr(e, "diagnostics", None) is None:  # not reported by a pass
                for d in _errors_of(e, filename):
                    report(d)
            raise DiagnosticError() from None
        return module.operation.get_asm(enable_debug_info=debuginfo)


# MLIR's annotation syntax: `// expected-<severity>[@+N|@-N|@above|@below] {{message}}`.
_EXPECTED = re.compile(r"//\s*expected-(error|warning|note|remark)\s*(@[+-]?\d+|@above|@below)?"
                       r"\s*\{\{(.*?)\}\}")


def _expected(source: str) -> list[tuple[int, str, str]]:
    out = []
    for i, line in enumerate(source.splitlines(), start=1):
        for m in _EXPECTED.finditer(line):
            kind, where, msg = m.groups()
            target = i
            if where == "@above":
                target = i - 1
            elif where == "@below":
                target = i + 1
            elif where:
                target = i + int(where[1:])
            out.append((target, kind, msg))
    return out


def verify_diagnostics(chunk: str, filename: str, passes, **kw) -> list[str]:
    """Problems with the `expected-*` annotations of one chunk (empty list: all matched).
    As in mlir-opt, every diagnostic of every severity must be expected."""
    produced: list[Located] = []
    try:
        process(chunk, filename, passes, produced.append, **kw)
    except DiagnosticError:
        pass
    problems = []
    for line, kind, msg in _expected(chunk):
        hit = next((d for d in produced if d.severity == kind and d.filename == filename
                    and d.line == line and msg in d.message), None)
        if hit is None:
            problems.append(f"{filename}:{line}: error: expected {kind} \"{msg}\" was not "
                            "produced")
        else:
            produced.remove(hit)
    problems += [f"{d} (unexpected {d.severity})" for d in produced]
    return problems


def _chunks(source: str, split: bool) -> list[str]:
    """Split on `// -----`, padding each chunk so its line numbers are the file's."""
    if not split:
        return [source]
    out, offset = [], 0
    for part in re.split(r"^// -----.*$\n?", source, flags=re.M):
        out.append("\n" * offset + part)
        offset += part.count("\n") + 1
    return out


# --- the command line -------------------------------------------------------------------------

def _pass_flags(argv: list[str]) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Split `--<pass>[=options]` flags, in order, from the other arguments."""
    flags, rest = [], []
    for i, arg in enumerate(argv):
        if arg == "--":
            rest += argv[i:]
            break
        name, eq, options = arg[2:].partition("=")
        if arg.startswith("--") and name in PASSES:
            flags.append((name, options if eq else None))
        else:
            rest.append(arg)
    return flags, rest


def passes_help() -> str:
    """The passes, their summaries and options, as `plait-opt --help` lists them."""
    lines = ["passes (run in the order given, after those of --pass-pipeline):"]
    for name, cls in sorted(PASSES.items()):
        lines.append(f"  --{name:<32} {cls.summary}")
        for o in cls.options():
            default = o.format(o.default)
            lines.append(f"      {o.name + '=<' + o.type_name + '>':<30} {o.help} "
                         f"(default: {default})")
    lines += ["", "A pass's options: --plait-simplify=\"max-iterations=4 test-convergence\", or "
              "in a pipeline,", "  --pass-pipeline=\"builtin.module(plait-expand,"
              "plait-simplify{max-iterations=4},plait-dce)\""]
    return "\n".join(lines)


def _arg_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="plait-opt", description=__doc__.splitlines()[0], allow_abbrev=False,
        usage="plait-opt [options] [--<pass>[=\"<options>\"] ...] [input]",
        epilog=passes_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", nargs="?", default="-", help="the input file (default: stdin)")
    ap.add_argument("-o", dest="output", default="-", help="the output file (default: stdout)")
    ap.add_argument("--pass-pipeline", default=None,
                    help="the passes to run, as 'builtin.module(pass-a{opt=1},pass-b)'")
    ap.add_argument("--split-input-file", action="store_true",
                    help="process each chunk between '// -----' lines on its own")
    ap.add_argument("--verify-diagnostics", action="store_true",
                    help="check the diagnostics against the expected-* comments")
    ap.add_argument("--mlir-print-ir-after-all", action="store_true",
                    help="print the IR after each pass")
    ap.add_argument("--mlir-print-debuginfo", action="store_true",
                    help="print locations in the output")
    return ap


def _read_passes(pipeline_text: str | None, flags) -> list:
    passes = parse_pass_pipeline(pipeline_text) if pipeline_text is not None else []
    for name, options in flags:
        try:
            passes.append(parse_pass_options(name, options))
        except PassPipelineError as e:  # shown in the flag as written
            flag = f"--{name}="
            raise PassPipelineError(e.reason, flag + options, len(flag) + e.pos) from None
    return passes


def main(argv=None) -> int:
    flags, rest = _pass_flags(sys.argv[1:] if argv is None else list(argv))
    args = _arg_parser().parse_args(rest)
    try:
        passes = _read_passes(args.pass_pipeline, flags)
    except PassPipelineError as e:
        print(f"plait-opt: {e.reason}\n{e.excerpt()}", file=sys.stderr)
        return 1
    try:
        raw = sys.stdin.buffer.read() if args.input == "-" else open(args.input, "rb").read()
        source = raw.decode("utf-8")
    except OSError as e:
        print(f"plait-opt: cannot read {args.input}: {e.strerror}", file=sys.stderr)
        return 1
    except UnicodeDecodeError:
        print(f"plait-opt: cannot read {args.input}: not UTF-8 text", file=sys.stderr)
        return 1
    filename = "<stdin>" if args.input == "-" else args.input
    kw = dict(print_after_all=args.mlir_print_ir_after_all, debuginfo=args.mlir_print_debuginfo)
    status, outputs = 0, []
    for chunk in _chunks(source, args.split_input_file):
        if args.verify_diagnostics:
            problems = verify_diagnostics(chunk, filename, passes, **kw)
            for p in problems:
                print(p, file=sys.stderr)
            status |= bool(problems)
            continue
        try:
            outputs.append(process(chunk, filename, passes,
                                   lambda d: print(d, file=sys.stderr), **kw))
        except DiagnosticError:
            status = 1
    text = "// -----\n".join(outputs)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        try:
            with open(args.output, "w") as f:
                f.write(text)
        except OSError as e:
            print(f"plait-opt: cannot write {args.output}: {e.strerror}", file=sys.stderr)
            return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
