"""``kizashi clusters``: emerging-area clusters over the embedded documents."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from core.console import console, err, print_json, table


def register(app: typer.Typer) -> None:
    app.command("clusters")(clusters)


def clusters(scope: Annotated[str, typer.Option(help="Name of this clustering; each scope keeps its own current clusters.")] = "works",
             label: Annotated[Optional[list[str]], typer.Option("--label", help="Document labels to cluster (default Work).")] = None,
             source: Annotated[Optional[str], typer.Option(help="Only documents FROM a Source whose key contains this.")] = None,
             resolution: Annotated[Optional[float], typer.Option(help="Leiden resolution: higher gives more, smaller clusters (default: by corpus size, 4.0 from 10k documents).")] = None,
             k: Annotated[int, typer.Option(help="Neighbours per document in the kNN graph.")] = 15,
             min_size: Annotated[int, typer.Option(help="Smallest cluster kept (0: max(10, n/1000)).")] = 0,
             as_of: Annotated[Optional[int], typer.Option(help="Last year counted for growth (default: last complete year).")] = None,
             show: Annotated[bool, typer.Option("--show", help="Only list the current clusters; compute nothing.")] = False,
             top: Annotated[int, typer.Option(help="Clusters to list.")] = 20,
             as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Cluster document embeddings (kNN graph + Leiden) and score emergence: novelty, growth, coherence, impact."""
    from graph import clusters as gc
    from cli.store import open_store

    with open_store() as store:
        report = None
        if not show:
            from analysis.clusters import Params, run

            with err.status(f"clustering scope {scope!r}…"):
                report = run(store, scope=scope, labels=tuple(label or ["Work"]), source=source,
                             params=Params(k=k, resolution=resolution, min_size=min_size), as_of=as_of)
        rows = gc.current(store, scope, top)
    if as_json:
        print_json({"run": report.__dict__ if report else None, "clusters": rows})
        return
    if report:
        console.print(f"[bold]{report.clusters}[/bold] clusters over {report.docs:,} documents "
                      f"({report.unclustered:,} unclustered) · as of {report.as_of} · "
                      f"{report.kept_ids} IDs kept, {report.new_ids} new · {report.related} technology links · "
                      f"times {report.seconds}")
    table(({"id": r["id"], "size": r["size"], "emergence": _f(r["emergence"]), "novelty": _f(r["p_novelty"]),
            "growth": _f(r["p_growth"]), "coherence": _f(r["p_coherence"]), "impact": _f(r["p_impact"]),
            "share×": _f(r["share_growth"]), "keywords": ", ".join((r["keywords_en"] or [])[:5] + (r["keywords_ja"] or [])[:3]),
            "technologies": ", ".join(t["key"] for t in r["technologies"])} for r in rows),
          title=f"Emerging areas ({scope}): parts are percentiles among clusters")


def _f(v) -> str:
    return "" if v is None else f"{v:.2f}"
