"""``kizashi rank`` (compute and materialise rankings) and ``kizashi shortlist`` (the ES-X table)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from core.console import console, err, print_json, table
from core.errors import ConfigError
from core.ranking import RankingRow, weights_text
from analysis.rank_runs import params_from, run_rankings
from core.settings import get_settings


def _weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    try:
        return {k.strip(): float(v) for k, v in (p.split("=") for p in text.split(","))}
    except ValueError:
        raise ConfigError(f"weights {text!r}: expected name=value,name=value") from None


def _fmt(r: RankingRow, k: str) -> str:
    v, lo, hi = getattr(r, k), getattr(r, k + "_lo"), getattr(r, k + "_hi")
    if v is None:
        return ""
    return f"{v:.3f} [{lo:.3f}–{hi:.3f}]" if lo is not None and hi is not None else f"{v:.3f}"


def register(app: typer.Typer) -> None:
    @app.command("rank")
    def rank_cmd(technology: Annotated[Optional[list[str]], typer.Option("--technology", "-t", help="Technology key (repeat); default all.")] = None,
                 by: Annotated[list[str], typer.Option(help="country and/or organization (repeat).")] = ["country", "organization"],  # noqa: B006
                 window: Annotated[list[str], typer.Option(help="'all' or YYYY-YYYY (repeat).")] = ["all"],  # noqa: B006
                 counting: Annotated[list[str], typer.Option(help="fractional and/or full (repeat).")] = ["fractional", "full"],  # noqa: B006
                 profile: Annotated[Optional[str], typer.Option(help="Alliance profile name.")] = None,
                 weights: Annotated[Optional[str], typer.Option(help="Score weights, e.g. papers=0.4,top10=0.3,patents=0.2,growth=0.1")] = None,
                 bootstrap: Annotated[Optional[int], typer.Option(help="Bootstrap resamples.")] = None,
                 seed: Annotated[Optional[int], typer.Option(help="Bootstrap seed.")] = None,
                 top: Annotated[int, typer.Option(help="Rows to print per technology.")] = 5,
                 as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Compute lead rankings per technology (intervals, concentration, bloc shares) and store them in the graph."""
        from cli.store import open_store

        settings = get_settings()
        with open_store() as store:
            rks = run_rankings(store, technology or None, by, window, counting, profile or settings.rank_profile,
                               bootstrap, seed, _weights(weights))
        if not rks:
            err.print("[yellow]nothing to rank: no Technology with ABOUT links in the graph (kizashi taxonomy …)[/yellow]")
            raise typer.Exit(1)
        if as_json:
            print_json([{"key": r.key, "technology": r.technology, "by": r.by, "window": r.window,
                         "counting": r.counting, "basis": r.summary.get("basis"), "n": r.summary.get("n"),
                         "thin": r.summary.get("thin"), "summary": r.summary,
                         "rows": [x.model_dump() for x in r.rows[:top]]} for r in rks])
            return
        for r in rks:
            if r.counting != "fractional" or not r.rows:
                continue
            s = r.summary
            d = s["documents"]
            title = (f"{r.technology} · by {r.by} · {r.window} · {r.counting} · works {d['works_attributed']}/{d['works']} "
                     f"attributed, families {d['families_attributed']}/{d['patent_families']} · HHI {s.get('hhi')} · "
                     f"risk {s.get('monopoly_risk')}"
                     f"{' · contested' if s.get('contested') else ''} · basis {s.get('basis')}, N {s.get('n')}"
                     f"{' · TOO LITTLE EVIDENCE: not ranked' if s.get('thin') else ''}")
            table(({"rank": x.rank if x.rank is not None else "thin", "id": x.id, "name": x.name, "bloc": x.bloc,
                    "N": x.n, "papers (frac)": x.papers_fractional, "share [90% CI]": _fmt(x, "papers_share"),
                    "top10% share": _fmt(x, "top10_share"), "h": x.h_index, "families": x.patent_families,
                    "RCA": x.rca, "score": x.score, "weighted": x.score_weighted,
                    "evidence": f"{x.evidence_works}w/{x.evidence_families}f"} for x in r.rows[:top]), title=title)
        console.print(f"[green]{len(rks)} rankings stored[/green] (snapshot {rks[0].snapshot_id}, profile {rks[0].profile})")

    @app.command("shortlist")
    def shortlist_cmd(out: Annotated[Optional[Path], typer.Option(help="Write .csv or .xlsx (briefing table).")] = None,
                      window: Annotated[str, typer.Option()] = "all",
                      counting: Annotated[str, typer.Option()] = "fractional",
                      profile: Annotated[Optional[str], typer.Option()] = None,
                      weights: Annotated[Optional[str], typer.Option(help="e.g. " + weights_text(sep="="))] = None,
                      list_: Annotated[Optional[list[str]], typer.Option("--list", help="Only technologies in this official list (repeat).")] = None,
                      as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """The ES-X shortlist: Japan's position, dependence on countries of concern, emergence, policy attention."""
        from analysis import profiles, shortlist
        from cli.store import open_store

        settings = get_settings()
        prof = profiles.load(profile or settings.rank_profile, settings.home)
        with open_store() as store:
            sl = shortlist.from_store(store, prof, window, counting, _weights(weights), list_ or None,
                                      params_from(settings, window, counting))
        if out is not None:
            if out.suffix.lower() == ".xlsx":
                out.write_bytes(shortlist.to_xlsx(sl))
            elif out.suffix.lower() == ".csv":
                out.write_text(shortlist.to_csv(sl.rows), encoding="utf-8")
            else:
                raise ConfigError(f"--out {out}: use a .csv or .xlsx file name")
            err.print(f"wrote {len(sl.rows)} technologies to {out}")
        if as_json:
            print_json({"rows": sl.rows, "weights": sl.weights, "formulas": sl.formulas, "profile": sl.profile,
                        "data_as_of": sl.data_as_of})
        elif out is None:
            table(({c: (json.dumps(r[c]) if isinstance(r.get(c), list) else r.get(c)) for c in
                    ("rank", "technology", "priority", "autonomy_risk", "indispensability", "emergence", "policy",
                     "jp_share", "jp_rank", "leader", "concern_papers", "materials_exposed")} for r in sl.rows),
                  title="ES-X shortlist")
