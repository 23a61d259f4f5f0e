# lit configuration: every .mlir file here runs its RUN lines with plait-opt and filecheck.
import os
import shutil
import sys

import lit.formats

config.name = "plait"
config.test_format = lit.formats.ShTest()
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, "Output")

bindir = os.path.dirname(sys.executable)
path = os.pathsep.join([bindir, os.environ.get("PATH", "")])
config.environment["PATH"] = path
# lit starts tools with a clean environment: keep PYTHONPATH so that plait-opt runs the plait
# under test (a worktree's python/), not whichever one is installed
if "PYTHONPATH" in os.environ:
    config.environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
for tool in ("plait-opt", "filecheck"):
    if shutil.which(tool, path=path) is None:
        lit_config.fatal(f"{tool} not found; run `pip install -e .[test]` first")
# Parse, print, parse again and print: both prints must be identical. (`cmp`, not lit's
# builtin `diff`: running that builtin sets PYTHONPATH to lit's own directory for the rest of
# the test, so later RUN lines would test the installed plait instead of this tree's.)
config.substitutions.append(
    ("%roundtrip", "plait-opt %s > %t.1 && plait-opt %t.1 > %t.2 && cmp %t.1 %t.2"))
# lit's internal shell sets PYTHONPATH to its own directory for its builtins (diff, cat) and
# keeps it for the rest of the test: name it on every plait-opt command instead
if "PYTHONPATH" in os.environ:
    config.substitutions.append(
        (r"(?<!')\bplait-opt\b", f"env PYTHONPATH={os.environ['PYTHONPATH']} plait-opt"))
