"""A command whose optional extra is missing says which extra to install, not a traceback."""

from __future__ import annotations

import subprocess
import sys

# Imports of spacy fail as on a core-only install (a None entry in sys.modules makes `import` raise
# ModuleNotFoundError with that name), then the real CLI runs.
NO_SPACY = """
import sys
for m in ("spacy", "ginza", "ja_ginza"):
    sys.modules[m] = None
sys.argv = ["kizashi", *sys.argv[1:]]
from cli.main import main
main()
"""


def test_missing_extra_names_the_install_line(cli_env, tmp_path) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text("量子コンピュータの研究開発を推進する。", encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", NO_SPACY, "ingest", "policy", str(doc)], env=cli_env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "pip install 'kizashi[nlp]'" in out.stderr and "Traceback" not in out.stderr


def test_other_missing_modules_still_raise() -> None:
    from cli.main import missing_extra

    assert missing_extra(ModuleNotFoundError("x", name="streamlit")) == "pip install 'kizashi[ui]'"
    assert missing_extra(ModuleNotFoundError("x", name="sklearn.neighbors")) == "pip install 'kizashi[embed]'"
    assert missing_extra(ModuleNotFoundError("x", name="no_such_module_of_ours")) is None
