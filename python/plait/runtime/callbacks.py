"""The process's registry of host callbacks: Python functions that compiled programs call.

A callback op names its function by an id here (`plait.callback {callback = 3}`), so the IR,
and the compile caches keyed by it, tell two functions apart. Lowering lists the id of each
callback custom call in the module's `plait.host_callbacks` attribute (the call's `index`);
compiling hands PJRT one `_Call` per custom call, in that order. A function registered under
an equal key (a debug print of the same format, the same function) gets the same id, so
retracing it reuses the compiled program.

An exception in a callback cannot cross XLA: it is kept here, and the program's caller raises
it as a `CallbackError` from the original (`raise_pending`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from plait.core.errors import CallbackError

_LOCK = threading.Lock()
_BY_KEY: dict = {}       # key -> id
_ENTRIES: list = []      # id -> _Entry (kept for the life of the process)
_PENDING: list = []      # (entry, exception) raised by callbacks, oldest first


class _Entry:
    """A registered function, the user's line that registered it, and its name."""

    def __init__(self, fn, site, name: str):
        self.fn, self.site, self.name = fn, site, name


class _Call:
    """An entry as one custom call runs it: a token passed through when ordered, results
    checked against the call's result types (PJRT would take wrong ones silently)."""

    def __init__(self, entry: _Entry, out_avals, ordered: bool):
        self.entry, self.out_avals, self.ordered = entry, tuple(out_avals), ordered

    def __call__(self, *args):
        if self.ordered:
            token, *args = args
        try:
            outs = self.check(self.entry.fn(*args))
        except BaseException as e:  # noqa: BLE001  (re-raised by the program's caller)
            with _LOCK:
                _PENDING.append((self.entry, e))
            raise
        return (token, *outs) if self.ordered else outs

    def check(self, outs) -> tuple:
        name, site = self.entry.name, self.entry.site
        outs = () if outs is None and not self.out_avals else outs
        if not isinstance(outs, (tuple, list)):
            outs = (outs,)
        if len(outs) != len(self.out_avals):
            raise CallbackError(f"the callback {name} returned {len(outs)} values, expected "
                                f"{len(self.out_avals)}", site=site)
        checked = []
        for i, (x, a) in enumerate(zip(outs, self.out_avals)):
            # a Python scalar is weakly typed: it takes the declared dtype
            x = np.asarray(x, a.dtype if isinstance(x, (bool, int, float, complex)) else None)
            if x.shape != a.shape or x.dtype != a.dtype:
                raise CallbackError(
                    f"the callback {name} returned {x.dtype}{list(x.shape)} as result {i}, "
                    f"but result_shape_dtypes says {a.str_short()}", site=site)
            checked.append(np.asarray(x, order="C"))
        return tuple(checked)


def register(fn, *, site=None, key=None) -> int:
    """The id of `fn` (or of the function registered under `key`), registering it if new."""
    key = ("fn", fn) if key is None else key
    try:
        hash(key)
    except TypeError:
        key = ("id", id(fn))
    with _LOCK:
        i = _BY_KEY.get(key)
        if i is None:
            name = getattr(fn, "__name__", type(fn).__name__)
            i = _BY_KEY[key] = len(_ENTRIES)
            _ENTRIES.append(_Entry(fn, site, name))
        return i


def host_callback(callback_id: int, out_avals: Sequence, ordered: bool) -> _Call:
    """What PJRT calls for one custom call of the function `callback_id`."""
    return _Call(_ENTRIES[callback_id], out_avals, ordered)


def raise_pending() -> None:
    """Raise the exception a callback raised while a program ran, if one did (the program's
    own error is then XLA's report of it)."""
    with _LOCK:
        if not _PENDING:
            return
        entry, e = _PENDING[0]
        _PENDING.clear()
    if isinstance(e, CallbackError):
        raise e from None
    raise CallbackError(f"the callback {entry.name} raised {type(e).__name__}: {e}",
                        site=entry.site) from e
