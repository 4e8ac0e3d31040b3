"""``kizashi taxonomy load|diff|show`` and ``kizashi map``: the technology taxonomy in the
graph, and which documents are about which technology."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from core.console import console, err, print_json, table

app = typer.Typer(no_args_is_help=True, help="The bilingual technology taxonomy and its official-list mappings.")


@app.command("load")
def load(path: Annotated[Optional[Path], typer.Option(help="Taxonomy YAML (default: the shipped one).")] = None,
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Load technologies, official list items, IN_LIST and DEPENDS_ON edges (idempotent)."""
    from ingest.taxonomy import load_taxonomy
    from graph.technology import write_taxonomy
    from cli.store import open_store

    tax = load_taxonomy(path)
    with open_store() as store:
        counts = write_taxonomy(store, tax)
    if as_json:
        print_json({"version": tax.version, **counts})
        return
    console.print(f"taxonomy [bold]{tax.version}[/bold]: {counts['technologies']} technologies, "
                  f"{counts['list_items']} list items in {len(tax.lists)} lists, {counts['in_list']} IN_LIST, "
                  f"{counts['depends_on']} DEPENDS_ON")


@app.command("diff")
def diff(old: Path, new: Path, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What a taxonomy version change adds, removes, renames, moves, and re-maps."""
    from ingest.taxonomy import diff as tdiff
    from ingest.taxonomy import read

    d = tdiff(read(old), read(new))
    if as_json:
        print_json(d.as_dict())
    else:
        console.print(f"taxonomy {d.old_version} → {d.new_version}")
        if d.empty:
            console.print("no changes")
        for k in d.added:
            console.print(f"[green]+ added[/green]   {k}")
        for k in d.removed:
            console.print(f"[red]- removed[/red] {k}")
        for k, o, n in d.renamed:
            console.print(f"~ renamed {k}: {o!r} → {n!r}")
        for k, o, n in d.moved:
            console.print(f"~ moved   {k}: parent {o} → {n}")
        for title, rows in (("terms", d.terms), ("lists", d.lists), ("materials", d.materials)):
            for k, a, r in rows:
                console.print(f"~ {title:9s} {k}: " + " ".join([*(f"+{x}" for x in a), *(f"-{x}" for x in r)]))
        for k in d.reused:
            console.print(f"[red]! reused retired key[/red] {k}")
    if d.reused:
        raise typer.Exit(1)


@app.command("show")
def show(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The shipped taxonomy: technologies, parents, list memberships (ASPI by name) and each
    technology's search definition with its rendered OpenAlex filter and arXiv query."""
    from analysis.mapping_thresholds import load_calibration
    from ingest.taxonomy import arxiv_query, load_definitions, load_taxonomy, openalex_filter

    tax = load_taxonomy()
    defs = load_definitions(tax=tax)
    items = tax.items
    cal = load_calibration("rule")
    rows = []
    for t in tax.technologies:
        d = defs[t.key]
        aspi = [{"id": items[m.item].id, "name": items[m.item].name, "verified": m.verified}
                for m in t.lists if items[m.item].list == "aspi_tracker_technologies" and items[m.item].parent]
        rows.append({"key": t.key, "name": t.name, "name_ja": t.name_ja, "parent": t.parent,
                     "lists": [m.item for m in t.lists], "aspi": aspi,
                     "materials": [m.key for m in t.materials],
                     "definition": {"id": d.id, "version": d.version,
                                    "openalex": d.openalex.model_dump(), "openalex_filter": openalex_filter(d),
                                    "arxiv": d.arxiv.model_dump(), "arxiv_search_query": arxiv_query(d),
                                    "text": {**d.text.model_dump(), "terms_en": len(t.terms_en), "terms_ja": len(t.terms_ja),
                                             "min_rule": cal.get(t.key).min_rule}}})
    if as_json:
        print_json({"version": tax.version, "definitions_version": defs.version, "technologies": rows})
        return
    table([{"key": r["key"], "name": r["name"], "name_ja": r["name_ja"], "parent": r["parent"] or "",
            "aspi": "; ".join(a["name"] for a in r["aspi"]), "lists": len(r["lists"]),
            "definition": r["definition"]["id"]} for r in rows],
          title=f"taxonomy {tax.version}, definitions {defs.version}")


@app.command("precision")
def precision(data: Annotated[Path, typer.Option(help="The shared data directory the labels refer to.")] = Path("../shared/data"),
              labels: Annotated[Optional[Path], typer.Option(help="Labels CSV (default: tests/labels/definition_precision.csv).")] = None,
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Precision of each technology's text rules on the hand-labelled sample (N, 90% Wilson interval)."""
    from analysis.definition_quality import LABELS_PATH, MIN_N, measure, read_labels

    rep = measure(data, read_labels(labels or LABELS_PATH))
    if as_json:
        print_json(rep.as_dict())
        return
    table([{"tech": r.tech, "labelled": r.labelled, "N": r.n, "relevant": r.relevant,
            "precision": "" if r.precision is None else f"{r.precision:.2f}",
            "90% interval": "" if r.lo is None else f"[{r.lo:.2f}, {r.hi:.2f}]",
            "note": "too broad" if r.too_broad else ("" if r.judged else f"N<{MIN_N}")} for r in rep.rows],
          title=f"rule precision, taxonomy {rep.taxonomy_version}")
    console.print(f"pooled: {rep.relevant}/{rep.n} = {rep.precision:.2f} [{rep.lo:.2f}, {rep.hi:.2f}]; "
                  f"too broad: {', '.join(rep.too_broad) or 'none'}")


def map_cmd(method: Annotated[str, typer.Option(help="rule | embedding | hybrid")] = "hybrid",
            label: Annotated[Optional[list[str]], typer.Option(help="Document label(s); default all.")] = None,
            page: Annotated[int, typer.Option(help="Documents per transaction.")] = 1000,
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Map every Work, Patent and PolicyDocument to technologies: ABOUT {score, method} edges,
    replacing this method's previous edges."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from analysis.mapping import Mapper
    from analysis.mapping_write import map_documents
    from ingest.taxonomy import load_taxonomy
    from graph import technology as gt
    from cli.store import open_store
    from core.errors import ConfigError

    if method not in ("rule", "embedding", "hybrid"):
        raise ConfigError(f"--method {method}: use rule, embedding or hybrid")
    tax = load_taxonomy()
    with open_store() as store:
        if gt.loaded_version(store) != tax.version:
            write = gt.write_taxonomy(store, tax)
            err.print(f"[dim]loaded taxonomy {tax.version} ({write['technologies']} technologies)[/dim]")
        mapper = Mapper(tax, method=method)
        labels = [lb for lb in gt.present_document_labels(store) if not label or lb in label]
        totals = {lb: gt.count_documents(store, lb) for lb in labels}
        t0 = time.perf_counter()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[edges]} edges"),
                      TimeElapsedColumn(), console=err, transient=False) as prog:
            tasks = {lb: prog.add_task(lb, total=totals[lb], edges=0) for lb in labels}
            seen = {lb: 0 for lb in labels}

            def progress(lb: str, n: int, e: int) -> None:
                seen[lb] += e
                prog.update(tasks[lb], advance=n, edges=seen[lb])

            reports = map_documents(store, mapper, labels, page=page, progress=progress)
    secs = time.perf_counter() - t0
    data = {"method": method, "taxonomy_version": tax.version, "seconds": round(secs, 1),
            "labels": [vars(r) for r in reports]}
    if as_json:
        print_json(data)
        return
    table(data["labels"], title=f"ABOUT edges ({method}, taxonomy {tax.version}, {secs:.1f} s)")


def register(app_: typer.Typer) -> None:
    app_.add_typer(app, name="taxonomy")
    app_.command("map")(map_cmd)
