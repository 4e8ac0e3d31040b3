"""Rankings as jobs: the parameters a setting implies, and computing then storing every
requested combination. Shared by the CLI and the API's admin recomputation."""

from __future__ import annotations

from typing import Any

from core.settings import Settings, get_settings
from graph.store import Store


def params_from(settings: Settings, window: str, counting: str, bootstrap: int | None = None,
                seed: int | None = None, weights: dict[str, float] | None = None):
    from analysis import rank
    from analysis.composite import DEFAULT_WEIGHTS, check_weights
    from analysis.concentration import RiskRule

    risk = RiskRule(settings.risk_high_top1, settings.risk_high_hhi, settings.risk_medium_top1,
                         settings.risk_medium_hhi)
    w = check_weights(weights) if weights else DEFAULT_WEIGHTS
    return rank.Params(window=window, counting=counting, bootstrap=bootstrap or settings.rank_bootstrap,
                       seed=settings.rank_seed if seed is None else seed, min_about_score=settings.rank_min_about_score,
                       min_documents=settings.rank_min_documents,
                       min_cell_documents=settings.rank_min_cell_documents,
                       population_min_coverage=settings.rank_population_min_coverage, weights=tuple(w.items()), risk=risk)


def run_rankings(store: Store, technologies: list[str] | None, by: list[str], windows: list[str], counting: list[str],
                 profile_name: str, bootstrap: int | None = None, seed: int | None = None,
                 weights: dict[str, float] | None = None) -> list[Any]:
    """Compute and materialise every requested combination; returns the rankings."""
    from analysis import profiles, rank
    from graph import rankings as gq

    settings = get_settings()
    profile = profiles.load(profile_name, settings.home)
    snap = gq.snapshot(store)
    out = []
    for w in windows:
        variants = [(b, params_from(settings, w, c, bootstrap, seed, weights)) for b in by for c in counting]
        out += rank.compute(store, technologies, variants[0][0], variants[0][1], profile, snapshot=snap, save=True,
                            variants=variants)
    return out
