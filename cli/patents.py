"""``kizashi ingest patents PATH…``: USPTO full-text XML, Patent Public Search
JSON, EPO OPS / DOCDB / publication-server XML and PatentsView tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.settings import get_settings


def register(app: typer.Typer) -> None:
    @app.command("patents")
    def patents(paths: Annotated[list[Path], typer.Argument(help="Patent files or directories (formats are recognised by content).")],
                force: Annotated[bool, typer.Option("--force", help="Rewrite records even when unchanged.")] = False) -> None:
        """Patent files and folders, of every supported office format."""
        from graph.patent import write_patents
        from ingest.patents import inputs
        from cli.ingest import _store, run_source

        found = inputs(paths, get_settings().max_record_bytes)
        with _store() as store:
            run_source(store, "patents", found, [str(p) for p in paths], force, writer=write_patents)
