"""``kizashi validate REFERENCE.yaml``: our stored country rankings beside a published table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from core.console import console, print_json, table


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate_cmd(reference: Annotated[Path, typer.Argument(help="Reference YAML (docs/validation.md), or the name of a shipped one.")],
                     window: Annotated[Optional[list[str]], typer.Option(help="Only these windows (repeat); default all of the reference's.")] = None,
                     counting: Annotated[Optional[str], typer.Option(help="Our counting to compare (default: the reference's).")] = None,
                     profile: Annotated[Optional[str], typer.Option(help="Alliance profile the rankings were stored under.")] = None,
                     as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Lead agreement, top-5 overlap and Spearman correlation of shares, with a likely cause per disagreement."""
        from analysis import reference as refmod
        from analysis import validate as v
        from cli.store import open_store
        from core.errors import ConfigError
        from core.settings import get_settings

        if counting not in (None, "full", "fractional"):
            raise ConfigError(f"--counting {counting!r}: use full or fractional")
        ref = refmod.load(reference)
        with open_store() as store:
            rep = v.validate(store, ref, window or None, counting, profile or get_settings().rank_profile)
        if as_json:
            print_json(rep.as_dict())
            return
        m = rep.method
        console.print(f"[bold]{ref.title or ref.name}[/bold] · {m['basis']} · {m['counting']} counting · "
                      f"{m['metric']} · ours: {m['ours_counting']} counting", soft_wrap=True)
        table(({"technology": c.technology, "window": c.window, "ours": c.our_lead or "—",
                "our share": _pct(c.our_lead_share), "theirs": c.their_lead, "their share": _pct(c.their_lead_share),
                "lead": "—" if c.agree is None else ("agree" if c.agree else "DISAGREE"),
                "top-5": "—" if c.top5_overlap is None else f"{c.top5_overlap}/5",
                "spearman": "—" if c.spearman is None else f"{c.spearman:.2f}",
                "N": c.n if c.n is not None else "—", "basis": c.basis or "—",
                "likely cause": c.cause or ""} for c in rep.comparisons), title=f"validation against {ref.name}")
        console.print(f"lead agreement: [bold]{'—' if rep.lead_agreement is None else f'{rep.lead_agreement:.1f}%'}[/bold] "
                      f"of {len(rep.compared)} compared pairs ({len(rep.comparisons)} in the reference) · "
                      f"mean Spearman of shares: {'—' if rep.spearman_mean is None else f'{rep.spearman_mean:.2f}'}")
        for c in rep.comparisons:
            if c.causes:
                console.print(f"[yellow]{c.technology} {c.window}[/yellow] ours {c.our_lead or '—'} · theirs "
                              f"{c.their_lead}: top-5 ours {', '.join(c.our_top5) or '—'} | theirs "
                              f"{', '.join(c.their_top5)}", soft_wrap=True)
                for x in c.causes:
                    console.print(f"   {x.kind:<10} {x.why}", soft_wrap=True)
