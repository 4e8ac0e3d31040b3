"""``kizashi counts fetch``: population counts from the OpenAlex API's ``group_by`` (or a
directory saved by an earlier ``--save``), loaded into the graph."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

from core.console import console, err, print_json, table

app = typer.Typer(no_args_is_help=True, help="Population counts (whole literature) per technology, country, institution and year.")


@app.command("fetch")
def fetch(tech: Annotated[Optional[list[str]], typer.Option("--tech", help="Technology key (repeat).")] = None,
          all_techs: Annotated[bool, typer.Option("--all", help="Every technology with a search definition.")] = False,
          years: Annotated[str, typer.Option(help="Publication years, YYYY-YYYY.")] = "2004-2023",
          span: Annotated[int, typer.Option(min=1, help="Years per counted span, ending on the last year "
                                                       "(1: per year, about 6× the calls).")] = 5,
          institutions: Annotated[str, typer.Option(help="Institution tables for the 'latest' span or 'every' span.")] = "latest",
          save: Annotated[Optional[Path], typer.Option(help="Keep every live answer here, for --replay.")] = None,
          replay: Annotated[Optional[Path], typer.Option(help="Read answers saved by --save instead of calling the API.")] = None,
          no_cache: Annotated[bool, typer.Option("--no-cache", help="Ask the API even for answers cached on disk.")] = False,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Count works per country and institution (top 200) and span of years, all and top 10%, and load them."""
    from cli.store import open_store
    from core.errors import ConfigError
    from core.settings import get_settings
    from graph.counts import write_counts
    from ingest import openalex_counts as oc
    from ingest.quarantine import Quarantine
    from ingest.taxonomy import load_definitions

    if bool(tech) == all_techs:
        raise ConfigError("name the technologies with --tech KEY (repeatable) or pass --all, not both")
    if save is not None and replay is not None:
        raise ConfigError("--save and --replay exclude each other (a replay makes no calls to save)")
    defs = load_definitions()
    keys = sorted(defs.by_tech) if all_techs else list(dict.fromkeys(tech or ()))
    unknown = [k for k in keys if k not in defs.by_tech]
    if unknown:
        raise ConfigError(f"no search definition for {', '.join(unknown)} (ingest/definitions.yaml)")
    if institutions not in ("latest", "every"):
        raise ConfigError(f"--institutions {institutions!r}: want 'latest' or 'every'")
    wanted = oc.parse_years(years)
    plan = oc.spans(wanted, span)
    settings = get_settings()
    client = None
    saved: list = []
    if replay is not None:
        saved = list(oc.read_saved(replay))
    else:
        key = settings.openalex_api_key.get_secret_value() if settings.openalex_api_key else None
        client = oc.CountsClient(settings.openalex_url, api_key=key, mailto=settings.openalex_mailto,
                                 requests_per_second=settings.openalex_requests_per_second, retries=settings.http_retries,
                                 timeout=settings.http_timeout_seconds,
                                 cache_dir=None if no_cache else settings.cache / "openalex-counts", save_dir=save,
                                 per_page=min(settings.openalex_per_page, oc.MAX_GROUPS))
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    q = Quarantine(settings.quarantine_dir / f"counts-{stamp}.jsonl")
    report = []
    try:
        with open_store() as store:
            for k in keys:
                d = defs[k]
                pages = saved if client is None else oc.fetch_counts(client, d, plan, institutions)  # type: ignore[arg-type]
                got = oc.to_counts(d, pages, wanted)
                for p in got.problems:
                    q.add(p)
                written = write_counts(store, got.rows, got.totals, batch_size=settings.batch_size)
                report.append({"technology": k, "definition": d.id, "pages": got.pages, "totals": written["totals"],
                               "rows": written["counts"], "works": sum(t.works for t in got.totals),
                               "no_country": sum(got.no_country.values()), "capped_years": len(got.capped_years),
                               "beyond_cap": got.beyond_cap, "problems": len(got.problems)})
    finally:
        q.close()
    calls = {"calls": client.calls if client else 0, "cached": client.cached if client else 0}
    if as_json:
        print_json({"years": [wanted[0], wanted[-1]], "spans": [list(p) for p in plan], **calls, "technologies": report, "quarantine": str(q.path) if q.count else None})
        return
    table(report, title=f"population counts {wanted[0]}–{wanted[-1]} in {len(plan)} spans ({'replayed from ' + str(replay) if replay else 'OpenAlex API'})")
    if client is not None:
        console.print(f"API calls {calls['calls']:,} · answers from the cache {calls['cached']:,}")
    if any(r["pages"] == 0 for r in report):
        err.print("[yellow]no answers for some technologies (see pages = 0)[/yellow]")
    if q.count:
        console.print(f"  quarantined: {q.summary()}\n  each one in {q.path}", soft_wrap=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="counts")
