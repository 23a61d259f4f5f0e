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


# --- the README's two commands ---------------------------------------------------------------

def make_dry_run(target: str) -> list[str]:
    """The commands `make <target>` runs, without running them."""
    proc = subprocess.run(["make", "--no-print-directory", "-n", "-C", str(ROOT), target,
                           f"PYTHON={sys.executable}"], capture_output=True, text=True, check=True)
    return proc.stdout.splitlines()


def test_make_demo_installs_only_the_package():
    installs = [c for c in make_dry_run("demo") if "pip install" in c]
    assert installs and not any("[test]" in c for c in installs), installs
    assert any("[test]" in c for c in make_dry_run("test"))


def test_make_test_prints_the_pytest_summary(tmp_path):
    """`make test`'s pytest flags, with pyproject's addopts, still print `N passed`."""
    (pytest_cmd,) = [c for c in make_dry_run("test") if " -m pytest " in c]
    flags = pytest_cmd.split(" -m pytest ", 1)[1].split()[:-1]  # without the test path
    (tmp_path / "test_one.py").write_text("def test_one():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", *flags, "-c", str(ROOT / "pyproject.toml"),
                           "-p", "no:cacheprovider", str(tmp_path / "test_one.py")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and re.search(r"\b1 passed\b", proc.stdout), proc.stdout
