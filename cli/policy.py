"""``kizashi ingest policy PATH_OR_URL…``: policy documents (PDF, HTML, text; English and
Japanese), Federal Register JSONL, and the export-controls reference YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from core.settings import get_settings


def register(app: typer.Typer) -> None:
    @app.command("policy")
    def policy(paths_or_urls: Annotated[list[str], typer.Argument(help="Files, directories or http(s) URLs.")],
               save: Annotated[Optional[Path], typer.Option("--save", help="Keep fetched documents here, to re-read offline.")] = None,
               force: Annotated[bool, typer.Option("--force", help="Rewrite documents even when unchanged.")] = False,
               ner: Annotated[bool, typer.Option("--ner/--no-ner", help="Japanese: run GiNZA's NER besides the gazetteers.")] = True) -> None:
        """Policy documents: their mentions of countries, organizations, materials and technologies, and
        the export-control events they state (2023年8月 輸出管理措置開始 (ガリウム・ゲルマニウム) …)."""
        from graph.country import name_all
        from graph.policy import export_controls, write_policy
        from ingest.policy import inputs
        from core.console import table
        from cli.ingest import _store, run_source

        s = get_settings()
        found = inputs(paths_or_urls, s.max_record_bytes, save, ner, s.http_retries, s.http_timeout_seconds)
        with _store() as store:
            run_source(store, "policy", found, paths_or_urls, force, writer=write_policy)
            name_all(store)
            events = export_controls(store)
        if events:
            table(({"by": e["country"], "material": e["material"], "month": e["month"], "basis": ", ".join(e["basis"] or []),
                    "documents": len(e["documents"])} for e in events), title="Export-control events in the graph")
