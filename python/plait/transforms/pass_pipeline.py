"""MLIR's textual pass pipeline, read into plait pass objects.

    pipeline ::= anchor `(` (element (`,` element)*)? `)`
    element  ::= pipeline | pass-name options?
    options  ::= `{` (key (`=` value)?)* `}`
    value    ::= `"..."` | `'...'` | `{...}` (balanced) | characters up to a space or `}`

as `mlir-opt --pass-pipeline` reads it, e.g.
`builtin.module(plait-expand,plait-simplify{max-iterations=4 test-convergence},plait-dce)`.
The one anchor is `builtin.module`: every plait pass runs on the whole module (its functions
call one another), so a nested anchor such as `func.func(...)` is parsed, then rejected.
An option given without a value is `true` (bool options only). `parse_pass_options` reads the
option text of the flag form, `--plait-simplify="max-iterations=4"`.
"""

from __future__ import annotations

from plait.core.errors import PlaitValueError
from plait.transforms.base import PASSES, Pass

ANCHOR = "builtin.module"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.$")


class PassPipelineError(PlaitValueError):
    """A malformed pipeline, an unknown pass or a bad option, at a position of the text."""

    def __init__(self, message: str, text: str, pos: int):
        self.text, self.pos = text, pos
        super().__init__(f"{message}\n{self.excerpt()}")
        self.reason = message

    def excerpt(self) -> str:
        """The text with a caret under the position."""
        return f"  {self.text}\n  {' ' * self.pos}^"


def parse_pass_pipeline(text: str) -> list[Pass]:
    """The passes of `anchor(pass-a{opt=1},pass-b)`, in order."""
    parser = _Parser(text)
    parser.skip_space()
    anchor_pos = parser.pos
    anchor = parser.name("an anchor op name such as 'builtin.module'")
    parser.skip_space()
    if parser.peek() != "(" and anchor in PASSES:
        raise parser.error(f"a pipeline names the op its passes run on: write "
                           f"'{ANCHOR}({text.strip()})'", anchor_pos)
    passes = parser.nested(anchor)
    if anchor != ANCHOR:
        raise parser.error(f"unsupported anchor '{anchor}': plait passes run on the whole "
                           f"module, so a pipeline is '{ANCHOR}(...)'", anchor_pos)
    parser.skip_space()
    if parser.pos != len(text):
        raise parser.error("expected the end of the pipeline after ')'")
    return passes


def parse_pass_options(name: str, options: str | None) -> Pass:
    """The pass `name` with `options` ("key=value key2"; None: the defaults)."""
    cls = PASSES.get(name)
    if cls is None:
        raise PassPipelineError(f"unknown pass '{name}'", name, 0)
    if options is None:
        return cls()
    parser = _Parser(options)
    return _make(cls, parser.options_until(None), options, 0)


class _Parser:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def error(self, message: str, pos: int | None = None) -> PassPipelineError:
        return PassPipelineError(message, self.text, self.pos if pos is None else pos)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_space(self) -> None:
        while self.peek().isspace():
            self.pos += 1

    def expect(self, char: str, what: str) -> None:
        self.skip_space()
        if self.peek() != char:
            found = f"'{self.peek()}'" if self.peek() else "the end of the pipeline"
            raise self.error(f"expected {what}, found {found}")
        self.pos += 1

    def name(self, what: str) -> str:
        start = self.pos
        while self.peek() and self.peek() in _NAME_CHARS:
            self.pos += 1
        if self.pos == start:
            found = f"'{self.peek()}'" if self.peek() else "the end of the pipeline"
            raise self.error(f"expected {what}, found {found}")
        return self.text[start:self.pos]

    def nested(self, anchor: str) -> list[Pass]:
        """`(element, ...)` after `anchor`."""
        self.expect("(", f"'(' after the anchor '{anchor}'")
        elements = []
        self.skip_space()
        if self.peek() == ")":
            self.pos += 1
        else:
            while True:
                self.skip_space()
                elements.append(self.element())
                self.skip_space()
                if self.peek() == ",":
                    self.pos += 1
                    continue
                self.expect(")", "',' or ')' after a pass")
                break
        return elements

    def element(self) -> Pass:
        start = self.pos
        name = self.name("a pass name")
        self.skip_space()
        if self.peek() == "(":
            self.nested(name)  # parsed first: an error inside it is reported as such
            raise self.error(f"nested pipeline '{name}(...)' is not supported: plait passes "
                             "run on the whole module (a function's callees live there)", start)
        cls = PASSES.get(name)
        if cls is None:
            raise self.error(f"unknown pass '{name}'", start)
        if self.peek() != "{":
            return cls()
        self.pos += 1
        return _make(cls, self.options_until("}"), self.text, start)

    def options_until(self, close: str | None) -> list[tuple[str, str | None, int, int]]:
        """(key, value or None, key position, value position) up to `close` (None: the end)."""
        out = []
        while True:
            self.skip_space()
            if close is not None and self.peek() == close:
                self.pos += 1
                return out
            if not self.peek():
                if close is None:
                    return out
                raise self.error(f"expected '{close}' to close the options")
            key_pos = self.pos
            key = self.name("an option name")
            value, value_pos = None, self.pos
            if self.peek() == "=":
                self.pos += 1
                value_pos = self.pos
                value = self.value()
            elif self.peek() and not self.peek().isspace() and self.peek() != close:
                raise self.error(f"expected '=' or a space after the option '{key}'")
            out.append((key, value, key_pos, value_pos))

    def value(self) -> str:
        quote = self.peek()
        if quote in ("'", '"'):
            start = self.pos
            end = self.text.find(quote, start + 1)
            if end < 0:
                raise self.error(f"unterminated {quote}-quoted value", start)
            self.pos = end + 1
            return self.text[start + 1:end]
        if quote == "{":
            start, depth = self.pos, 0
            while self.peek():
                depth += {"{": 1, "}": -1}.get(self.peek(), 0)
                self.pos += 1
                if depth == 0:
                    return self.text[start + 1:self.pos - 1]
            raise self.error("expected '}' to close the value", start)
        start = self.pos
        while self.peek() and not self.peek().isspace() and self.peek() != "}":
            self.pos += 1
        return self.text[start:self.pos]


def _make(cls: type[Pass], items, text: str, pos: int) -> Pass:
    """The pass `cls` (named at `pos` of `text`) with the options `items` set."""
    options = {o.name: o for o in cls.options()}
    values = {}
    for key, value, key_pos, value_pos in items:
        opt = options.get(key)
        if opt is None:
            known = ", ".join(options) or "none"
            raise PassPipelineError(f"pass '{cls.name}' has no option '{key}' (its options: "
                                    f"{known})", text, key_pos)
        if opt.field in values:
            raise PassPipelineError(f"option '{key}' of '{cls.name}' is given twice", text,
                                    key_pos)
        try:
            values[opt.field] = opt.parse(value)
        except ValueError as e:
            raise PassPipelineError(f"option '{key}' of '{cls.name}' {e}", text,
                                    key_pos if value is None else value_pos) from None
    try:
        return cls(**values)
    except ValueError as e:  # the pass's own check of its options (__post_init__)
        raise PassPipelineError(f"pass '{cls.name}': {e}", text, pos) from None
