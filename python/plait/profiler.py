"""`plait.profiler`: traces of what plait runs, through jaxlib's profiler (XLA's profiler
session), viewable in TensorBoard's profile plugin or Perfetto. Ops made under
`plait.named_scope(...)` carry the scope's name into the compiled program (HLO `op_name`)."""

from __future__ import annotations

import contextlib
import os
import threading

from jaxlib import _profiler

from plait.core.errors import PlaitValueError
from plait.runtime.device import default_device

_LOCK = threading.Lock()
_session: dict = {}  # "session", "log_dir" while a trace runs


def start_trace(log_dir: os.PathLike | str) -> None:
    """Start collecting a trace of host and device activity; `stop_trace` writes it under
    `log_dir` (plugins/profile/<run>/*.xplane.pb). One trace at a time."""
    with _LOCK:
        if _session:
            raise PlaitValueError("a profiler trace is already running; stop_trace() first")
        default_device()  # the backend exists before the session, so its tracer is included
        _session["session"] = _profiler.ProfilerSession(_profiler.ProfileOptions())
        _session["log_dir"] = os.fspath(log_dir)


def stop_trace() -> None:
    """Stop the running trace and write it to its `log_dir`."""
    with _LOCK:
        if not _session:
            raise PlaitValueError("no profiler trace is running")
        session, log_dir = _session.pop("session"), _session.pop("log_dir")
        session.stop_and_export(log_dir)


@contextlib.contextmanager
def trace(log_dir: os.PathLike | str):
    """`with plait.profiler.trace("/tmp/tb"):` a trace of the block, written when it ends."""
    start_trace(log_dir)
    try:
        yield
    finally:
        stop_trace()


class TraceAnnotation(_profiler.TraceMe):
    """`with TraceAnnotation("step"):` a named span of host time in the trace."""
