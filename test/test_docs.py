"""Executable docs (STYLE rule 10): the README tour and the runnable examples in docs/ run.

Every ```python block of README.md runs; in docs/*.md, the blocks whose first line is
`# runnable` (the others are excerpts of plait's source). The blocks of one file run in
order as one script, in a fresh interpreter, so a doc cannot lean on state the test session
set up, and a later block may use an earlier one's names.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)
MARK = "# runnable"


def runnable_blocks(path: pathlib.Path) -> list[str]:
    blocks = FENCE.findall(path.read_text(encoding="utf-8"))
    if path.name == "README.md":
        return blocks
    return [b for b in blocks if b.startswith(MARK + "\n")]


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_tour_is_found():
    assert runnable_blocks(ROOT / "README.md"), "README.md has no ```python block"


@pytest.mark.parametrize("path", [d for d in DOCS if runnable_blocks(d)],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_doc_runs(path, tmp_path):
    script = tmp_path / f"{path.stem}.py"
    script.write_text("\n\n".join(runnable_blocks(path)), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, (
        f"the runnable blocks of {path.relative_to(ROOT)} failed:\n{proc.stderr[-4000:]}")
