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
    """The shipped taxonomy: technologies, parents and list memberships."""
    from ingest.taxonomy import load_taxonomy

    tax = load_taxonomy()
    rows = [{"key": t.key, "name": t.name, "name_ja": t.name_ja, "parent": t.parent, "lists": len(t.lists),
             "materials": ",".join(m.key for m in t.materials)} for t in tax.technologies]
    if as_json:
        print_json({"version": tax.version, "technologies": rows})
    else:
        table(rows, title=f"taxonomy {tax.version}")


def map_cmd(method: Annotated[str, typer.Option(help="rule | embedding | hybrid")] = "hybrid",
            label: Annotated[Optional[list[str]], typer.Option(help="Document label(s); default all.")] = None,
            page: Annotated[int, typer.Option(help="Documents per transaction.")] = 1000,
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Map every Work, Patent and PolicyDocument to technologies: ABOUT {score, method} edges,
    replacing this method's previous edges."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from analysis.mapping import Mapper, map_documents
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
