"""The house's shape, checked on every run: imports run one way, no circles, short modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.layers import LAYERS, back_arrows, cycles, edges, modules

REPO = Path(__file__).resolve().parent.parent
MAX_LINES = 420   # "about 400": a module past this is doing more than one job


def test_no_import_runs_up_the_layers() -> None:
    bad = back_arrows(REPO)
    assert not bad, "imports against the layer order core → ingest → graph → analysis → api|ui → cli:\n" + \
        "\n".join(map(str, bad))


def test_no_import_circles() -> None:
    assert cycles(REPO) == []


def test_core_imports_nothing_of_ours() -> None:
    assert [str(e) for e in edges(REPO) if e.source.startswith("core") and not e.target.startswith("core")] == []


def test_modules_stay_short() -> None:
    long = {m: n for m, p in modules(REPO).items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _cypher_literals(path: Path) -> list[int]:
    """Lines of string constants that are Cypher statements: they open with a clause keyword
    and go on to a node pattern or a clause that only Cypher has."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = " ".join(node.value.split())
            # Clause keywords are written in capitals throughout the code base, prose is not.
            head = text.split(" ", 1)[0]
            if head in {"MATCH", "MERGE", "UNWIND", "OPTIONAL", "CALL", "CREATE"} and "(" in text and \
                    any(k in text for k in (" RETURN ", " SET ", " DELETE ", "]->", ")-[", "<-[")):
                out.append(node.lineno)
    return out


def test_every_cypher_string_lives_in_graph() -> None:
    found = {m: lines for m, p in modules(REPO).items() if not m.startswith("graph") and (lines := _cypher_literals(p))}
    assert found == {}


# --- the checks themselves fail when they should -----------------------------------

def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    for pkg in LAYERS:
        (root / pkg).mkdir(exist_ok=True)
        (root / pkg / "__init__.py").touch()
    return root


def test_a_deliberate_back_import_is_caught(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "core/settings.py": "X = 1\n",
        "ingest/reader.py": "from core.settings import X\n",
        # the back-arrow: ingest reaching up into graph, hidden inside a function
        "ingest/sneaky.py": "def f():\n    from graph import store\n    return store\n",
        "graph/store.py": "import ingest.reader\n",
        "api/app.py": "from ui import page\n",
        "ui/page.py": "import analysis\n",
    })
    bad = {(e.source, e.target, e.lazy) for e in back_arrows(root)}
    assert bad == {("ingest.sneaky", "graph.store", True), ("api.app", "ui.page", False)}


def test_a_deliberate_circle_is_caught(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "graph/a.py": "from graph import b\n",
        "graph/b.py": "def f():\n    from graph.a import g\n",
        "graph/c.py": "from graph import a\n",
    })
    assert cycles(root) == [["graph.a", "graph.b"]]


@pytest.mark.parametrize("text, is_cypher", [
    ("MATCH (n:Work) RETURN n.key", True),
    ("UNWIND $rows AS r MERGE (w:Work {key: r.key}) SET w += r.props", True),
    ("match the title case-insensitively (see RETURN codes)", False),
    ("MATCH the (first) author, then SET aside the rest", True),   # capitals and a clause: treated as Cypher
    ("Create a key (admin) and print it once", False),
])
def test_the_cypher_detector(tmp_path: Path, text: str, is_cypher: bool) -> None:
    p = tmp_path / "m.py"
    p.write_text(f"Q = {text!r}\n")
    assert bool(_cypher_literals(p)) is is_cypher
