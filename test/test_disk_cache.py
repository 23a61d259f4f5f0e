"""The persistent compilation cache: a second process loads what the first compiled; corrupt,
truncated or unwritable entries warn and recompile, never crash; concurrent writers are safe.
Values are checked against NumPy."""

import os
import subprocess
import sys
import textwrap
import threading
import warnings

import numpy as np
import pytest

import plait
import plait.numpy as pnp
from plait.runtime import disk_cache

X = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
SCRIPT = textwrap.dedent("""
    import sys, numpy as np, plait, plait.numpy as pnp
    from plait.runtime import disk_cache
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    g = plait.jit(plait.grad(lambda w: pnp.sum(pnp.tanh(x @ w) ** 2)))(np.ones((4, 2), np.float32))
    np.save(sys.argv[1], np.asarray(g))
    print(disk_cache.stats["hits"], disk_cache.stats["misses"])
""")


def _expected():
    h = np.tanh(X @ np.ones((4, 2), np.float32))
    return X.T @ (2 * h * (1 - h ** 2))


def test_a_second_process_loads_the_compiled_program(tmp_path):
    env = {**os.environ, "PLAIT_COMPILATION_CACHE_DIR": str(tmp_path / "cache")}
    runs = []
    for i in range(2):
        out = tmp_path / f"g{i}.npy"
        proc = subprocess.run([sys.executable, "-c", SCRIPT, str(out)], env=env,
                              capture_output=True, text=True, timeout=300, check=True)
        runs.append(tuple(map(int, proc.stdout.split())))
        np.testing.assert_allclose(np.load(out), _expected(), rtol=1e-5, atol=1e-6)
    (hits0, misses0), (hits1, misses1) = runs
    assert hits0 == 0 and misses0 >= 1
    assert hits1 == misses0 and misses1 == 0


@pytest.fixture
def cache_dir(tmp_path):
    plait.clear_caches()
    with plait.config.override(compilation_cache_dir=str(tmp_path)):
        yield tmp_path
    plait.clear_caches()


def _compile_and_run(scale):
    return plait.jit(lambda x: pnp.sin(x) * scale)(X)


def _entries(d):
    return sorted(p for p in d.iterdir() if p.suffix == ".plaitexe")


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b"garbage",
                                    lambda b: b[:-10] + bytes(10)])
def test_a_damaged_entry_warns_and_recompiles(cache_dir, damage):
    np.testing.assert_allclose(_compile_and_run(3.0), np.sin(X) * 3, rtol=1e-6)
    (entry,) = _entries(cache_dir)
    good = entry.read_bytes()  # (compiling again writes other bytes: it is not deterministic)
    entry.write_bytes(damage(good))
    plait.clear_caches()
    with pytest.warns(UserWarning, match="ignoring the compilation cache entry"):
        out = _compile_and_run(3.0)
    np.testing.assert_allclose(out, np.sin(X) * 3, rtol=1e-6)
    plait.clear_caches()
    hits = disk_cache.stats["hits"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(_compile_and_run(3.0), np.sin(X) * 3, rtol=1e-6)
    assert disk_cache.stats["hits"] == hits + 1


def test_concurrent_writers_leave_one_whole_entry(cache_dir):
    outs, errors = [], []

    def work():
        try:
            outs.append(np.asarray(_compile_and_run(5.0)))
        except Exception as e:  # noqa: BLE001  (reported below)
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for out in outs:
        np.testing.assert_allclose(out, np.sin(X) * 5, rtol=1e-6)
    assert len(_entries(cache_dir)) == 1
    assert not [p for p in cache_dir.iterdir() if p.suffix == ".tmp"]


def test_an_unwritable_directory_warns_and_runs(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    plait.clear_caches()
    with plait.config.override(compilation_cache_dir=str(blocker / "cache")):
        with pytest.warns(UserWarning, match="cannot write"):
            out = _compile_and_run(7.0)
    np.testing.assert_allclose(out, np.sin(X) * 7, rtol=1e-6)
