"""Fuzzing plait-opt: seeded mutations of the lit inputs, each run through a pass.

A mutation deletes or duplicates a line, swaps two tokens, changes a number, an attribute's
value or a type, or drops an attribute. Whatever the input, plait-opt must answer with
located diagnostics or a module: no signal, no "internal error", no Python exception name.

The cases run in one child interpreter that calls plait-opt's `main` in-process (a crash there
fails the test and names the case). `python test/test_fuzz_opt.py SEED COUNT` runs a campaign
by hand and prints each failing case.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import pathlib
import random
import re
import subprocess
import sys

from plait.tools import opt
from plait.transforms.base import PASSES

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIT = ROOT / "lit_tests"

# Every builtin exception's name ("ValueError", "KeyError", ...), and a traceback's header.
_EXC_NAMES = sorted(n for n, v in vars(builtins).items()
                    if isinstance(v, type) and issubclass(v, BaseException))
BAD_OUTPUT = re.compile(r"internal error|Traceback|\b(" + "|".join(_EXC_NAMES) + r")\b")

_TOKEN = re.compile(r'"[^"\n]*"|[%@^#!]?[\w.$-]+|[^\s\w]')
_NUMBER = re.compile(r"(?<![\w%#@^.])-?\d+(\.\d+)?(?![\w.])")
_ATTR_VALUE = re.compile(r"(\b[a-z_]+ = )([^,}]+)")
_ATTR_DICT = re.compile(r"(?<=\) ){(?=\w)")
_CUSTOM_OP = re.compile(r"(?<=\n)\s*(return|call @\w+)")
_TYPE = re.compile(r"\b(f32|f16|bf16|f64|i1|i8|i32|i64|ui32|ui64)\b|tensor<[^<>]*>")

NUMBERS = ["0", "-1", "1", "2", "7", "-9223372036854775808", "9223372036854775807",
           "4611686018427387904", "1.5", "1e300"]
ATTR_VALUES = ["1 : i64", "-1 : i64", "@nope", "@f", '"s"', "true", "unit", "[]", "[1, @f]",
               "array<i64>", "array<i64: 0, 0>", "array<i64: -5>", "array<i32: 1>",
               "dense<1.0> : tensor<f32>", "dense<[1, 2]> : tensor<2xi32>", "1.0 : f32",
               "{a = 1 : i64}", "f32", "tensor<2xf32>", '#sdy.sharding<@mesh, [{}]>',
               "2 : i32", "0 : i64", "100 : i64"]
ATTR_NAMES = ["plait.remat", "callee", "jvp", "fwd", "bwd", "diff_args", "ct_outs", "axes", "axis_name",
              "axis_size", "in_axes", "out_axes", "num_consts", "value", "sharding",
              "mesh_axes", "linear_args", "remat", "new_sizes", "dimension"]
TYPES = ["f32", "i32", "f16", "i1", "ui64", "tensor<f32>", "tensor<4xi32>", "tensor<?xf32>",
         "tensor<0xf32>", "tensor<4x4xf32>", "tensor<2x3xbf16>", "tuple<f32>", "index"]


def lit_chunks() -> list[str]:
    """The inputs of every lit file, one per `// -----` chunk, without RUN/CHECK lines."""
    chunks = []
    for path in sorted(LIT.glob("*.mlir")):
        for chunk in re.split(r"^// -----.*$", path.read_text(), flags=re.M):
            lines = [ln for ln in chunk.splitlines() if not ln.lstrip().startswith("//")]
            if any(ln.strip() for ln in lines):
                chunks.append("\n".join(lines) + "\n")
    return chunks


def _sub(rng: random.Random, pattern: re.Pattern, text: str, make) -> str:
    matches = list(pattern.finditer(text))
    if not matches:
        return text
    m = rng.choice(matches)
    return text[:m.start()] + make(m) + text[m.end():]


def _entry(rng: random.Random) -> str:
    return f"{rng.choice(ATTR_NAMES)} = {rng.choice(ATTR_VALUES)}"


def mutate(rng: random.Random, text: str) -> str:
    """One random mutation of `text` (sometimes two)."""
    lines = text.splitlines()
    kind = rng.randrange(9)
    if kind == 0 and len(lines) > 1:  # delete a line
        del lines[rng.randrange(len(lines))]
        text = "\n".join(lines) + "\n"
    elif kind == 1:  # duplicate a line
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        text = "\n".join(lines) + "\n"
    elif kind == 2:  # swap two tokens
        toks = list(_TOKEN.finditer(text))
        if len(toks) > 1:
            a, b = sorted(rng.sample(toks, 2), key=lambda m: m.start())
            text = (text[:a.start()] + b.group() + text[a.end():b.start()] + a.group()
                    + text[b.end():])
    elif kind == 3:
        text = _sub(rng, _NUMBER, text, lambda m: rng.choice(NUMBERS))
    elif kind == 4:
        text = _sub(rng, _ATTR_VALUE, text, lambda m: m.group(1) + rng.choice(ATTR_VALUES))
    elif kind == 5:
        text = _sub(rng, _TYPE, text, lambda m: rng.choice(TYPES))
    elif kind == 6:  # drop an attribute entry
        text = _sub(rng, _ATTR_VALUE, text, lambda m: "")
    elif kind == 7:  # add an attribute to an op's dictionary
        text = _sub(rng, _ATTR_DICT, text, lambda m: f"{{{_entry(rng)}, ")
    else:  # add an attribute to a custom-form op (`return {callee = 1 : i64} %x`)
        text = _sub(rng, _CUSTOM_OP, text, lambda m: f"{m.group()} {{{_entry(rng)}}}")
    return mutate(rng, text) if rng.random() < 0.2 else text


def cases(seed: int, count: int) -> list[tuple[str, str]]:
    """`count` (pass flag, input) pairs: mutated lit inputs, every pass in turn."""
    rng = random.Random(seed)
    chunks, passes = lit_chunks(), sorted(PASSES)
    return [("--" + passes[i % len(passes)], mutate(rng, rng.choice(chunks)))
            for i in range(count)]


def run_case(flag: str, text: str) -> tuple[int, str]:
    """plait-opt `flag` on `text`, in-process: (exit status, stderr)."""
    err = io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(text.encode()))
    old_stdin, sys.stdin = sys.stdin, stdin
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = opt.main(["-", flag])
    except BaseException as e:  # plait-opt itself must never raise
        return -1, f"raised {type(e).__name__}: {e}"
    finally:
        sys.stdin = old_stdin
    return status, err.getvalue()


def campaign(seed: int, count: int) -> int:
    """Run the cases, printing each before it runs (a crash names it) and each failure."""
    failures = 0
    for i, (flag, text) in enumerate(cases(seed, count)):
        print(f"case {i} {flag}", flush=True)
        status, err = run_case(flag, text)
        if status not in (0, 1) or BAD_OUTPUT.search(err):
            failures += 1
            print(f"FAIL {flag} status {status}\n--- input\n{text}--- stderr\n{err}", flush=True)
    print(f"done {count} cases, {failures} failures", flush=True)
    return failures


def test_mutated_lit_inputs_never_crash_or_show_internal_errors():
    proc = subprocess.run([sys.executable, __file__, "0", "600"], capture_output=True,
                          text=True, timeout=900, env=dict(os.environ))
    last = proc.stdout.strip().splitlines()[-1:] or ["nothing"]
    failures = "".join(re.findall(r"^FAIL .*?^--- stderr\n.*?\n", proc.stdout, re.M | re.S))
    assert last == ["done 600 cases, 0 failures"], (
        f"exit status {proc.returncode} after {last[0]}\n{failures[:8000]}\n"
        f"{proc.stderr[-3000:]}")


if __name__ == "__main__":
    sys.exit(min(campaign(int(sys.argv[1]), int(sys.argv[2])), 1))
