"""``kizashi embed`` (vectors onto nodes) and ``kizashi search`` (semantic search, EN or JA)."""

from __future__ import annotations

import time
from typing import Annotated, Optional

import typer

from core.console import console, err, print_json, table


def register(app: typer.Typer) -> None:
    app.command("embed")(embed)
    app.command("search")(search)


def embed(label: Annotated[Optional[list[str]], typer.Option("--label", help="Only these labels (Work, Patent, PolicyDocument…).")] = None,
          model: Annotated[Optional[str], typer.Option(help="Embedder (default: the KIZASHI_EMBEDDER setting).")] = None,
          batch: Annotated[int, typer.Option(help="Texts per encode call and write transaction.")] = 512,
          force: Annotated[bool, typer.Option(help="Re-encode even unchanged texts.")] = False,
          mapped_only: Annotated[bool, typer.Option(help="Only documents mapped to a technology (kizashi map).")] = False,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Embed titles + abstracts (and policy text) into each node; unchanged texts are skipped.

    A different model is staged beside the current vectors and swapped in when complete: until
    then search keeps the current model, and an interrupted switch resumes where it stopped."""
    from rich.progress import Progress, TextColumn

    from analysis.embed import embed_nodes, get_embedder
    from cli.store import open_store

    emb = get_embedder(model)
    t0 = time.perf_counter()
    with open_store() as store, Progress(TextColumn("{task.description}"), console=err, transient=True,
                                          disable=as_json) as bar:
        task = bar.add_task("scanning…")

        def progress(lb: str, scanned: int, encoded: int) -> None:
            rate = encoded / max(time.perf_counter() - t0, 1e-9)
            bar.update(task, description=f"{lb}: {scanned:,} scanned · {encoded:,} encoded · {rate:.1f} texts/s")

        reports = embed_nodes(store, emb, labels=label, batch=batch, force=force, progress=progress, mapped_only=mapped_only)
    rows = [{"label": r.label, "nodes": r.nodes, "encoded": r.encoded, "unchanged": r.unchanged, "no_text": r.empty,
             "seconds": round(r.seconds, 1), "texts_per_s": round(r.rate, 1),
             "encode_share": round(r.encode_seconds / r.seconds, 3) if r.seconds else None,
             "replaced": r.replaced} for r in reports]
    if as_json:
        print_json({"model": emb.name, "dim": emb.dim, "labels": rows})
        return
    if not rows:
        console.print("nothing to embed: no Work, Patent or PolicyDocument nodes")
        return
    table(rows, title=f"Embeddings ({emb.name}, {emb.dim}-d)")


def search(query: Annotated[str, typer.Argument(help="Free text in English or Japanese.")],
           k: Annotated[int, typer.Option("-k", help="Number of hits.")] = 10,
           label: Annotated[Optional[list[str]], typer.Option("--label", help="Only these labels.")] = None,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Semantic search over works, patents and policy documents (vector index)."""
    from analysis.embed import search as run_search
    from cli.store import open_store

    with open_store() as store:
        hits = run_search(store, query, k=k, labels=label)
    if as_json:
        print_json(hits)
        return
    table(({"score": round(h["score"], 3), "label": h["label"], "year": h["year"], "key": h["key"],
            "title": (h["title"] or "")[:90]} for h in hits), title=f"Search: {query}")
