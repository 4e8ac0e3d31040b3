"""``kizashi orgs …``: resolve organizations across sources, explain a merge, list
country disagreements, and measure resolution against the gold set.

The analyst's corrections live in ``<KIZASHI_HOME>/org_overrides.csv`` (columns
``action,name,target,country,note``; actions ``merge`` NAME into TARGET, ``split``
NAME off, ``country`` of NAME is COUNTRY, ``parent`` of NAME is TARGET). ``name`` and
``target`` are organization keys or names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from core.console import console, print_json, table
from core.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="One resolved world of organizations and countries.")

GOLD = Path(__file__).resolve().parent.parent / "tests" / "gold" / "org_resolution.csv"


def overrides_path() -> Path:
    return get_settings().home / "org_overrides.csv"


def resolve_graph(store: Any, overrides: Path | None = None, threshold: float = 92.0) -> dict[str, Any]:
    """Read every Organization, resolve, write the resolution back; a summary."""
    from analysis import orgs as ao
    from analysis.org_overrides import read_overrides
    from graph import orgs as go

    rows = go.read_orgs(store)
    records = [ao.Org(key=r["key"], name=r["name"], country=r["country"], ror=r["ror"], openalex_id=r["openalex_id"],
                      works=r["works"]) for r in rows]
    table_path = overrides or overrides_path()
    ovr = read_overrides(table_path)
    res = ao.resolve(records, go.read_parents(store), ovr, threshold)
    props = [{"key": k, "canonical": c, "rollup": res.rollup[k], "form": res.form[k]} for k, c in res.canonical.items()]
    links = [{"source": k, "target": res.canonical[k], "method": l.method, "score": l.score,
              "detail": l.detail} for k, l in res.joined_by.items()]
    countries = [{"key": c, "country": code, "basis": basis} for c, (code, basis) in res.country.items() if code]
    parents = [{"child": c, "parent": p, "detail": d} for c, p, d in res.parents]
    go.write_resolution(store, props, links, countries, parents)
    go.name_countries(store)
    methods: dict[str, int] = {}
    for l in res.joined_by.values():
        methods[l.method] = methods.get(l.method, 0) + 1
    return {"organizations": len(records), "resolved": len(set(res.canonical.values())), "merged": len(links),
            "by_method": methods, "overrides": len(ovr), "overrides_file": str(table_path),
            "overrides_unmatched": [f"line {o.line}: {o.action} {o.name}" for o in res.overrides_unmatched],
            "country_disagreements": len(res.disagreements(records))}


def raw_disagreements(store: Any, limit: int = 200_000) -> list[dict[str, Any]]:
    """Author affiliations whose raw text names a different country than the institution's."""
    from analysis.org_places import SAME_COUNTRY, address_country
    from graph import orgs as go

    out = []
    for r in go.raw_affiliations(store, limit):
        stated = {c for c in (address_country(s) for s in r["raw"]) if c}
        if stated and r["country"] not in stated and not any((r["country"], c) in SAME_COUNTRY for c in stated):
            out.append({"organization": r["key"], "name": r["name"], "country": r["country"],
                        "raw_countries": sorted(stated), "raw": r["raw"][0][:120], "work": r["work"]})
    return out


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="orgs")


@app.command("resolve")
def resolve(overrides: Annotated[Optional[Path], typer.Option(help="Override table (default <home>/org_overrides.csv).")] = None,
            threshold: Annotated[float, typer.Option(help="Fuzzy-match cut-off, 0-100.")] = 92.0,
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Resolve every Organization in the graph (SAME_AS to a canonical node, rollup to parents, countries)."""
    from cli.store import open_store

    with open_store() as store:
        summary = resolve_graph(store, overrides, threshold)
    if as_json:
        print_json(summary)
        return
    console.print(f"[bold]{summary['organizations']:,}[/bold] organization records → {summary['resolved']:,} organizations "
                  f"({summary['merged']:,} merged: {summary['by_method']}); {summary['overrides']} overrides from "
                  f"{summary['overrides_file']}; {summary['country_disagreements']:,} country disagreements inside clusters")
    for u in summary["overrides_unmatched"]:
        console.print(f"[yellow]override matched no organization: {u}[/yellow]")


@app.command("explain")
def explain(name: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Why NAME (a key or a name) resolves the way it does: its canonical organization, every merge with
    method and score, its parents and its country."""
    from graph import orgs as go
    from ingest.orgkey import match_form, name_key
    from cli.store import open_store

    with open_store() as store:
        found = [go.explain(store, k) for k in go.find(store, name, name_key(name), match_form(name))]
    found = [f for f in found if f]
    if as_json:
        print_json(found)
        return
    if not found:
        console.print(f"no organization named {name!r} (run `kizashi orgs resolve` first if it is new)")
        raise typer.Exit(1)
    for f in found:
        o, c = f["org"], f["canonical"]
        console.print(f"[bold]{o['name']}[/bold] ({o['key']}, {f['works']} works, match form '{o.get('match_form')}')")
        if c["key"] == o["key"]:
            console.print("  is canonical")
        else:
            console.print(f"  resolves to [bold]{c['name']}[/bold] ({c['key']})")
        console.print(f"  country: {c.get('resolved_country') or c.get('country')} (basis: {c.get('country_basis') or 'source'})")
        if f["ancestors"]:
            console.print("  parents: " + " → ".join(f"{a['name']} ({a['key']})" for a in f["ancestors"]))
        if f["members"]:
            table([{"member": m["name"], "key": m["key"], "country": m["country"], "method": m["method"],
                    "score": m["score"], "why": m["detail"]} for m in f["members"]], title="Merged into the canonical organization")


@app.command("disagreements")
def disagreements(limit: Annotated[int, typer.Option(help="Rows to print.")] = 50,
                  as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Institutions whose country differs from what their raw affiliation strings say."""
    from cli.store import open_store

    with open_store() as store:
        rows = raw_disagreements(store)
    if as_json:
        print_json(rows[:limit])
        return
    console.print(f"{len(rows):,} affiliations name another country than their institution's")
    table(rows[:limit])


@app.command("gold")
def gold(path: Annotated[Path, typer.Option(help="Gold CSV: name,source,source_country,organization,country.")] = GOLD,
         threshold: Annotated[float, typer.Option()] = 92.0, show: Annotated[int, typer.Option(help="Errors to list.")] = 10,
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Precision and recall of resolution on the hand-made gold set (no database needed)."""
    from analysis.org_gold import evaluate, read_gold

    s = evaluate(read_gold(path), threshold)
    data = {"names": s.names, "organizations": s.organizations, "precision": round(s.precision, 4),
            "recall": round(s.recall, 4), "country_accuracy": round(s.country_accuracy, 4),
            "true_pairs": s.true_pairs, "predicted_pairs": s.predicted_pairs,
            "false_merges": s.false_merges[:show], "missed": s.missed[:show]}
    if as_json:
        print_json(data)
        return
    console.print(f"{s.names} names of {s.organizations} organizations: precision {s.precision:.3f}, recall {s.recall:.3f} "
                  f"(pairs: {s.true_pairs} true, {s.predicted_pairs} predicted); country accuracy {s.country_accuracy:.3f}")
    for a, b in s.false_merges[:show]:
        console.print(f"  false merge: {a!r} ~ {b!r}")
    for a, b in s.missed[:show]:
        console.print(f"  missed: {a!r} ~ {b!r}")
