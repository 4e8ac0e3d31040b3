"""The import rule, read from the code itself: every ``import`` and ``from … import``
(also those inside functions, which run later but bind the same way) is parsed
with ``ast`` and resolved to a module of ours.

Layers, bottom to top; a module may import its own layer or a lower one::

    core → ingest → graph → analysis → api | ui → cli

api and ui share a floor but never import each other: the dashboard reads only
through the API's HTTP routes. Nothing imports cli.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LAYERS: dict[str, int] = {"core": 0, "ingest": 1, "graph": 2, "analysis": 3, "api": 4, "ui": 4, "cli": 5}


@dataclass(frozen=True)
class Edge:
    source: str      # importing module, dotted
    target: str      # imported module, dotted (the deepest module of ours that exists)
    line: int
    lazy: bool       # inside a function body

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}" + (" (inside a function)" if self.lazy else "")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    out = {}
    for pkg in LAYERS:
        base = root / pkg
        if base.is_dir():
            for p in sorted(base.rglob("*.py")):
                out[module_name(root, p)] = p
    return out


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest prefix of a dotted name that is one of our modules."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        cand = ".".join(parts[:i])
        if cand in known:
            return cand
    return None


def _package(mod: str, path: Path) -> list[str]:
    parts = mod.split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def edges(root: Path) -> Iterator[Edge]:
    known = modules(root)
    for mod, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        lazy_nodes = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                      for n in ast.walk(f) if n is not f}
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = _package(mod, path)[: len(_package(mod, path)) - node.level + 1]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                # ``from graph import server`` imports the module graph.server.
                names = [f"{prefix}.{a.name}" for a in node.names] or [prefix]
            for n in names:
                target = _resolve(n, known)
                if target and target != mod:
                    yield Edge(mod, target, node.lineno, id(node) in lazy_nodes)


def back_arrows(root: Path) -> list[Edge]:
    """Imports that run up the layers, or sideways between api and ui."""
    bad = []
    for e in edges(root):
        src, dst = e.source.split(".")[0], e.target.split(".")[0]
        if LAYERS[dst] > LAYERS[src] or (src != dst and LAYERS[dst] == LAYERS[src]):
            bad.append(e)
    return bad


def cycles(root: Path) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), lazy imports included."""
    graph: dict[str, set[str]] = {}
    for e in edges(root):
        graph.setdefault(e.source, set()).add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out
