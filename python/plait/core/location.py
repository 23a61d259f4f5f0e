"""MLIR locations for the user's source line: the innermost frame outside plait."""

from __future__ import annotations

import contextlib
import threading

from plait._mlir import CONTEXT, ir
from plait.core.errors import PlaitTypeError, _is_internal

_CACHE: dict = {}
_SCOPES = threading.local()  # .names: the named_scope stack of this thread


@contextlib.contextmanager
def named_scope(name: str):
    """`with plait.named_scope("encoder"):` ops traced inside carry the name (nested scopes
    join with "/") in their locations, and the compiled program in each op's `op_name`, which
    profiles show."""
    if not isinstance(name, str) or not name:
        raise PlaitTypeError(f"named_scope takes a non-empty str, got {name!r}")
    names = getattr(_SCOPES, "names", ())
    _SCOPES.names = (*names, name)
    try:
        yield
    finally:
        _SCOPES.names = names


def user_location(skip: int = 2) -> ir.Location:
    """`loc("file.py":line:col)` of the innermost non-plait frame (cached per bytecode offset)."""
    import sys

    f = sys._getframe(skip)
    while f is not None and _is_internal(f.f_code.co_filename):
        f = f.f_back
    if f is None:
        return ir.Location.unknown(CONTEXT)
    key = (f.f_code, f.f_lasti, getattr(_SCOPES, "names", ()))
    loc = _CACHE.get(key)
    if loc is None:
        line, col = f.f_lineno, 0
        for i, pos in enumerate(f.f_code.co_positions()):
            if i == f.f_lasti // 2:
                line, col = pos[0] or line, (pos[2] or 0) + 1
                break
        loc = ir.Location.file(f.f_code.co_filename, line, col, CONTEXT)
        if key[2]:
            loc = ir.Location.name("/".join(key[2]), loc, CONTEXT)
        _CACHE[key] = loc
    return loc


def file_loc(loc: ir.Location) -> ir.FileLineColLoc | None:
    """The file location inside `loc`, looking through name, call-site and fused locations."""
    while True:
        if isinstance(loc, ir.FileLineColLoc):
            return loc
        if isinstance(loc, ir.NameLoc):
            loc = loc.child_loc
        elif isinstance(loc, ir.CallSiteLoc):
            loc = loc.callee
        elif isinstance(loc, ir.FusedLoc) and loc.locations:
            loc = loc.locations[0]
        else:
            return None


def site_of(loc: ir.Location) -> tuple[str, int] | None:
    """(file, line) of a location."""
    f = file_loc(loc)
    return None if f is None else (f.filename, f.start_line)
