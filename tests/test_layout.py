"""The kit's layout: the shared core imports no contract half, the halves import each other
never, and the modules of ``conformance/`` form no import cycle (function-level imports count)."""

from __future__ import annotations

import ast
from pathlib import Path



ROOT = Path(__file__).resolve().parent.parent / "conformance"
HALVES = ("conformance.callbacks", "conformance.streams")


def _modules() -> dict[str, Path]:
    mods = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in MODULES)
    resolved = set()
    for module in found:
        while module and module not in MODULES:
            module = module.rpartition(".")[0]
        if module and module != name:
            resolved.add(module)
    return resolved


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _half(name: str) -> str | None:
    return next((h for h in HALVES if name == h or name.startswith(h + ".")), None)


def test_core_imports_no_half():
    bad = sorted(f"{m} -> {d}" for m, deps in GRAPH.items() if _half(m) is None
                 and m.startswith("conformance") and not m.startswith("conformance.adapters")
                 for d in deps if _half(d) is not None)
    assert not bad, "core modules import a contract half:\n" + "\n".join(bad)


def test_halves_do_not_import_each_other():
    bad = sorted(f"{m} -> {d}" for m, deps in GRAPH.items() if _half(m) is not None
                 for d in deps if _half(d) not in (None, _half(m)))
    assert not bad, "one half imports the other:\n" + "\n".join(bad)


def _cycles() -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                out.append(sorted(scc))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return out


def _is_package_parent(a: str, b: str) -> bool:
    return b.startswith(a + ".") or a.startswith(b + ".")


def test_no_import_cycle():
    # A package importing its own submodule (``__init__`` re-exports) is not a cycle between modules.
    graph_edges = {m: {d for d in deps if not _is_package_parent(m, d)} for m, deps in GRAPH.items()}
    GRAPH_SAVED = dict(GRAPH)
    try:
        GRAPH.clear()
        GRAPH.update(graph_edges)
        cycles = _cycles()
    finally:
        GRAPH.clear()
        GRAPH.update(GRAPH_SAVED)
    assert not cycles, "import cycles among conformance modules:\n" + "\n".join(" <-> ".join(c) for c in cycles)
