"""Checks that an error names the user's file:line (house rule 5), shared by the test files."""

import pytest


def raises_at(exc, call, line, *fragments, here):
    """`call()` raises `exc` whose message starts with `here:line:` and contains `fragments`."""
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    assert msg.startswith(f"{here}:{line}:"), msg
    for frag in fragments:
        assert frag in msg, msg
    return msg


def first_line(fun) -> int:
    return fun.__code__.co_firstlineno
