"""plait's layers point down (STYLE rule 14): checked on the source, by its imports.

Each module belongs to a layer; it may import its own layer and the ones below, at the top of
the file, and the import graph has no cycle. `plait-opt` (tools) loads nothing of the user
front end.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "python"

# Bottom to top. A module's layer is that of the longest prefix listed.
LAYERS = [
    ["plait._mlir", "plait.core"],   # the MLIR context; avals, dtypes, errors, locations
    ["plait.ir"],                     # IR utilities: functions, symbols, attribute codecs
    ["plait.dialect"],                # every op, with its traits and type rule
    ["plait.transforms"],             # the passes and their rule tables
    ["plait.lowering"],               # plait -> StableHLO + Shardy
    ["plait.rules"],                  # every op family's rules, registered into the tables
    ["plait.pipeline", "plait.tools"],  # pass pipelines; plait-opt
    ["plait.runtime"],                # devices, arrays, executables, the C++ dispatch path
    ["plait.staging"],                # tracing, concrete values, cache keys, the compile cache
    ["plait.jitting", "plait.ad", "plait.vmapping", "plait.custom", "plait.sharding",
     "plait.distributed", "plait.tree_util", "plait.debug", "plait.callbacks",
     "plait.experimental", "plait.export", "plait.profiler", "plait.interop"],  # the user API
    ["plait.lax", "plait.numpy", "plait.random",
     "plait.scipy", "plait.nn"],  # user namespaces built on the API
    ["plait"],                        # the package: re-exports
]


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best, level = "", None
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > len(best):
                best, level = p, i
    assert level is not None, f"{module} is in no layer"
    return level


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[:len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(path: pathlib.Path):
    """(imported plait module, line, whether inside a function) for each import of plait."""
    module = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    funcs = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef,
                                                             ast.AsyncFunctionDef))
             for n in ast.walk(f)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node, path.name == "__init__.py")
            # `from plait.x import y` may import the submodule plait.x.y
            names = [f"{target}.{a.name}" if _is_module(f"{target}.{a.name}") else target
                     for a in node.names]
        else:
            continue
        for name in names:
            if name == "plait" or name.startswith("plait."):
                yield name, node.lineno, id(node) in funcs


def _is_module(name: str) -> bool:
    p = ROOT / pathlib.Path(*name.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def _sources():
    return sorted(ROOT.glob("plait/**/*.py"))


def test_no_import_of_plait_inside_a_function():
    found = [f"{p.relative_to(ROOT)}:{line} imports {name}" for p in _sources()
             for name, line, inside in imports(p) if inside]
    assert not found, "imports inside functions (a layer is wrong):\n" + "\n".join(found)


def test_imports_point_down():
    found = []
    for p in _sources():
        me = module_name(p)
        for name, line, _ in imports(p):
            if layer_of(name) > layer_of(me):
                found.append(f"{p.relative_to(ROOT)}:{line}: {me} (layer {layer_of(me)}) "
                             f"imports {name} (layer {layer_of(name)})")
    assert not found, "imports pointing up a layer:\n" + "\n".join(found)


def test_no_import_cycle():
    graph = {module_name(p): {n for n, _, _ in imports(p) if n != module_name(p)}
             for p in _sources()}
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            w = _owner(w, graph)
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _owner(name, graph):
    while name not in graph and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def test_plait_opt_loads_no_front_end():
    import subprocess
    import sys

    code = ("import sys, plait.tools.opt; front = [m for m in sys.modules if m.split('.')[:2] in "
            "(['plait','jitting'],['plait','ad'],['plait','numpy'],['plait','lax'],"
            "['plait','staging'],['plait','runtime'],['plait','vmapping'])]; print(front)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", f"plait-opt imports the front end: {out}"
