"""``kizashi population stream SNAPSHOT_DIR``: population counts from an OpenAlex works snapshot,
streamed on Dask (analysis/population.py). Prints the counts; it writes nothing to the graph."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from core.console import console, err, print_json, table

app = typer.Typer(no_args_is_help=True, help="Population counts from an OpenAlex works snapshot (offline).")


@app.command("stream")
def stream_cmd(snapshot: Annotated[Path, typer.Argument(help="Snapshot root, its data/ directory or its works/ directory.")],
               scheduler: Annotated[Optional[str], typer.Option(help="A dask.distributed scheduler address (tcp://host:8786), "
                                                                "or a local Dask scheduler: processes (default), threads, sync.")] = None,
               workers: Annotated[int, typer.Option(help="Local worker processes or threads.")] = 2,
               evidence: Annotated[int, typer.Option(help="Evidence works kept per (technology, country).")] = 20,
               top: Annotated[int, typer.Option(help="Table: the technologies with most works.")] = 15,
               load: Annotated[bool, typer.Option("--load", help="Store the counts and totals in the graph (graph/counts.py).")] = False,
               as_json: Annotated[bool, typer.Option("--json", help="Every count row, total and evidence work.")] = False) -> None:
    """Full counts per (technology, country | institution lineage, year), all works and top 10%,
    mapped by the rules the graph uses; bad records go to the quarantine file. Without --load
    nothing is written to the graph."""
    from analysis.population import stream
    from core.errors import RecordError
    from core.settings import get_settings
    from ingest.quarantine import Quarantine

    pop = stream(snapshot, scheduler=scheduler, workers=workers, evidence_k=evidence,
                 max_record_bytes=get_settings().max_record_bytes)
    s = pop.summary
    qpath = None
    if pop.problems:
        q = Quarantine(get_settings().quarantine_dir / f"population-{datetime.now():%Y%m%dT%H%M%S}.jsonl")
        for p in pop.problems:
            q.add(RecordError(p.source, p.locator, p.reason, p.excerpt or ""))
        q.close()
        qpath = q.path
        err.print(f"[yellow]quarantined {q.count:,} records: {q.summary()}[/yellow]\n  each one in {q.path}")
    for m in s.manifest_mismatches:
        err.print(f"[yellow]{m}[/yellow]")
    loaded = None
    if load:
        from cli.store import open_store
        from graph.counts import write_counts, write_evidence

        with open_store() as store:
            loaded = write_counts(store, pop.rows, pop.totals)
            loaded["evidence"] = write_evidence(store, pop.evidence_rows())
        err.print(f"stored {loaded['counts']:,} counts, {loaded['totals']:,} totals and the evidence of "
                  f"{loaded['evidence']:,} (technology, country) cells in the graph")
    if as_json:
        print_json({"summary": {**asdict(s), "quarantine": str(qpath) if qpath else None, "loaded": loaded},
                    "rows": [r.model_dump() for r in pop.rows], "totals": [t.model_dump() for t in pop.totals],
                    "evidence": {t: {c: [asdict(e) for e in ws] for c, ws in per.items()}
                                 for t, per in pop.evidence.items()}})
        return
    rate = s.records_read / s.seconds if s.seconds else 0.0
    console.print(f"[bold]{s.snapshot}[/bold] as of {s.as_of}: {s.files} files · {s.records_read:,} records · "
                  f"{s.works:,} works · {s.duplicates:,} duplicates · {s.quarantined:,} quarantined · "
                  f"{s.counted:,} counted ({s.no_year:,} without a year) · {s.seconds:.1f} s = {rate:,.0f} records/s "
                  f"on {s.scheduler}", soft_wrap=True)
    works: dict[str, int] = {}
    top10: dict[str, int | None] = {}
    for t in pop.totals:
        works[t.technology] = works.get(t.technology, 0) + t.works
        if t.top10 is not None:
            top10[t.technology] = (top10.get(t.technology) or 0) + t.top10
    countries = pop.full_counts("country")
    rows = []
    for tech in sorted(works, key=lambda k: (-works[k], k))[:top]:
        lead = sorted(countries.get(tech, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        rows.append({"technology": tech, "works": works[tech], "top10": "—" if tech not in top10 else top10[tech],
                     "countries": len(countries.get(tech, {})), "most works": ", ".join(f"{c} {n}" for c, n in lead)})
    table(rows, title=f"full counts, {s.method} mapping, taxonomy {s.taxonomy_version}"
                      + ("" if load else " (not loaded into the graph)"))


def register(app_: typer.Typer) -> None:
    app_.add_typer(app, name="population")
