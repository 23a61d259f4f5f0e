"""plait's error types and the user source location they name.

Every error a user can cause is a `PlaitError` subclass whose message starts with the
user's `file:line` (the innermost frame outside plait's own package) and says what to do.
"""

from __future__ import annotations

import os
import sys

_PLAIT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _is_internal(filename: str) -> bool:
    return filename.startswith(_PLAIT_DIR) or filename.startswith("<frozen")


def user_frame(skip: int = 1):
    """The innermost Python frame that is not inside plait (or None)."""
    f = sys._getframe(skip)
    while f is not None and _is_internal(f.f_code.co_filename):
        f = f.f_back
    return f


def user_site() -> tuple[str, int] | None:
    f = user_frame(2)
    return (f.f_code.co_filename, f.f_lineno) if f is not None else None


class PlaitError(Exception):
    """Base of plait's user-facing errors; `site` is the user's (file, line)."""

    def __init__(self, message: str, site: tuple[str, int] | None = None):
        self.site = site if site is not None else user_site()
        self.bare_message = message
        prefix = f"{self.site[0]}:{self.site[1]}: " if self.site else ""
        super().__init__(prefix + message)


class PlaitTypeError(PlaitError, TypeError):
    """Wrong dtype or shape for an operation."""


class PlaitValueError(PlaitError, ValueError):
    """A bad value: an axis out of range, a bad in_axes, a wrong static argument."""


class PlaitNotImplementedError(PlaitError, NotImplementedError):
    """A jax.Array feature that plait, as jax, does not implement (`arr.flat`)."""


class ConcretizationError(PlaitError):
    """Python control flow or conversion needed the value of a traced array."""


class EscapedTracerError(PlaitError):
    """A traced value was used after the function that made it finished tracing."""


class IRError(PlaitError):
    """Invalid plait IR: a verifier or pass failure with the op's location."""


class CallbackError(PlaitError):
    """A host callback raised, or returned values of the wrong shape or dtype; `__cause__` is
    the callback's own exception."""
