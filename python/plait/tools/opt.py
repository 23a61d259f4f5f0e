"""plait-opt: run plait passes on textual MLIR, following mlir-opt's conventions.

    plait-opt input.mlir --plait-simplify --plait-dce
    plait-opt input.mlir --pass-pipeline='builtin.module(plait-jvp,plait-simplify)'
    plait-opt input.mlir --pass-pipeline='builtin.module(plait-lower-to-stablehlo{platform=cuda})'
    plait-opt bad.mlir --split-input-file --verify-diagnostics

Input is verified (MLIR's verifier, then `plait-verify`) before and after every pass. Errors
print as `file:line:col: error: message` and exit with status 1; plait-opt never shows a
Python traceback for bad input.
"""

from __future__ import annotations

import argparse
import re
import sys

from plait import pipeline  # noqa: F401  (registers every pass)
from plait._mlir import CONTEXT, LOCK, ir
from plait.core.errors import IRError, PlaitError
from plait.core.location import file_loc
from plait.transforms.base import PASSES, run_passes


class Diagnostic:
    def __init__(self, filename: str, line: int, col: int, message: str):
        self.filename, self.line, self.col, self.message = filename, line, col, message

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.col}: error: {self.message}"


class DiagnosticError(Exception):
    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(map(str, diagnostics)))
        self.diagnostics = diagnostics


def _position(loc: ir.Location, filename: str) -> tuple[str, int, int]:
    """(file, line, col) of a location; the parser's own buffer ("-") is `filename`."""
    f = file_loc(ir.Location.from_attr(loc.attr))
    if f is None:
        return filename, 0, 0
    return (filename if f.filename == "-" else f.filename), f.start_line, f.start_col


def _diagnostics(e: Exception, filename: str) -> list[Diagnostic]:
    if isinstance(e, ir.MLIRError) and e.error_diagnostics:
        return [Diagnostic(*_position(d.location, filename), d.message)
                for d in e.error_diagnostics]
    if isinstance(e, ir.MLIRError):
        return [Diagnostic(filename, 0, 0, e.message)]
    if isinstance(e, IRError) and getattr(e, "location", None) is not None:
        return [Diagnostic(*_position(e.location, filename), e.bare_message)]
    if isinstance(e, PlaitError):
        return [Diagnostic(filename, 0, 0, e.bare_message)]
    # An exception from inside an MLIR callback carries its Python traceback as text: keep its
    # last line (the exception itself).
    lines = [ln for ln in f"{type(e).__name__}: {e}".splitlines() if ln.strip()]
    return [Diagnostic(filename, 0, 0, "internal error: " + lines[-1].strip())]


def _parse_pipeline(text: str) -> list:
    """Pass names, and passes built from MLIR's option syntax `name{key=value ...}`."""
    m = re.fullmatch(r"\s*builtin\.module\((.*)\)\s*", text)
    body = m.group(1) if m else text
    passes = []
    for name, opts in re.findall(r"\s*([^,{\s]+)\s*(?:\{([^}]*)\})?\s*,?", body):
        if name not in PASSES:
            raise SystemExit(f"plait-opt: unknown pass '{name}' (known: "
                             f"{', '.join(sorted(PASSES))})")
        if opts is None or not opts.strip():
            passes.append(name)
            continue
        kwargs = dict(kv.split("=", 1) for kv in opts.split())
        try:
            passes.append(PASSES[name](**kwargs))
        except TypeError:
            raise SystemExit(f"plait-opt: pass '{name}' has no options {sorted(kwargs)}") \
                from None
    return passes


def process(source: str, filename: str, passes: list[str], *, print_after_all: bool = False,
            debuginfo: bool = False) -> str:
    """Parse, verify, run `passes`, and print; raises DiagnosticError on bad IR."""
    with LOCK, CONTEXT, ir.Location.unknown():
        try:
            module = ir.Module.parse(source)
            module.operation.verify()
            run_passes(module, ["plait-verify"] + passes, print_after_all=print_after_all,
                       verify_each=True)
        except Exception as e:  # every failure becomes a located diagnostic
            raise DiagnosticError(_diagnostics(e, filename)) from None
        return module.operation.get_asm(enable_debug_info=debuginfo)


# MLIR's annotation syntax; plait-opt only emits errors, so an expected note, warning or remark
# is reported as not produced.
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
    """Problems with the expected-error annotations of one chunk (empty list: all matched)."""
    expected = _expected(chunk)
    try:
        process(chunk, filename, passes, **kw)
        produced = []
    except DiagnosticError as e:
        produced = e.diagnostics
    problems = []
    unmatched = list(produced)
    for line, kind, msg in expected:
        hit = next((d for d in unmatched if kind == "error" and d.filename == filename
                    and d.line == line and msg in d.message), None)
        if hit is None:
            problems.append(f"{filename}:{line}: error: expected {kind} \"{msg}\" was not "
                            "produced")
        else:
            unmatched.remove(hit)
    problems += [f"{d} (unexpected error)" for d in unmatched]
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="plait-opt", description=__doc__.splitlines()[0])
    ap.add_argument("input", nargs="?", default="-")
    ap.add_argument("-o", dest="output", default="-")
    ap.add_argument("--pass-pipeline", default=None)
    ap.add_argument("--split-input-file", action="store_true")
    ap.add_argument("--verify-diagnostics", action="store_true")
    ap.add_argument("--mlir-print-ir-after-all", action="store_true")
    ap.add_argument("--mlir-print-debuginfo", action="store_true")
    for name, cls in sorted(PASSES.items()):
        ap.add_argument(f"--{name}", action="append_const", const=name, dest="passes",
                        help=cls.summary)
    args = ap.parse_args(argv)
    passes = list(args.passes or [])
    if args.pass_pipeline:
        passes = _parse_pipeline(args.pass_pipeline) + passes
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
            outputs.append(process(chunk, filename, passes, **kw))
        except DiagnosticError as e:
            print(e, file=sys.stderr)
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
