"""`kizashi rank` and `kizashi shortlist` on real OpenAlex works from ../shared/data."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from tests.conftest import require
from analysis import profiles
from analysis.rank import Ranking
from graph import rankings as gq


@pytest.mark.shared_data
def test_rank_real_openalex(store, cli_env, shared_data, tmp_path) -> None:
    works = require(shared_data / "openalex" / "works.jsonl.gz")

    def kz(*args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "cli.main", *args], env=cli_env, capture_output=True,
                             text=True, timeout=900)
        assert out.returncode == 0, f"{args}: {out.stderr[-2000:]}"
        return out.stdout

    kz("ingest", "openalex", str(works))
    kz("taxonomy", "load")
    kz("map", "--method", "rule", "--label", "Work")
    ranked = json.loads(kz("rank", "--bootstrap", "200", "--counting", "fractional", "--json", "--top", "3"))
    assert ranked, "no technology was ranked"
    prof = profiles.load()
    stored = [Ranking.from_props(r) for r in gq.rankings_full(store, "country", "all", "fractional", prof.ident)]
    with_docs = [r for r in stored if r.summary["documents"]["works_attributed"] >= 20]
    assert len(with_docs) >= 3, [(r.technology, r.summary["documents"]) for r in stored]
    for rk in with_docs:
        s = rk.summary
        shares = [x.papers_share for x in rk.rows if x.papers_share is not None]
        assert sum(shares) == pytest.approx(1.0, abs=1e-3)             # fractional shares sum to one
        if s.get("thin"):   # under rank_min_documents: concentration and risk are withheld, not guessed
            assert s["hhi"] is None and s["monopoly_risk"] is None and s["contested"] is None
        else:
            assert s["hhi"] == pytest.approx(sum(x * x for x in shares), abs=1e-3)
            assert s["monopoly_risk"] in ("high", "medium", "low") and isinstance(s["contested"], bool)
        assert sum(v["share"] or 0 for v in s["blocs"]["papers"].values()) == pytest.approx(1.0, abs=1e-3)
        for x in rk.rows:
            if x.papers_share is not None:
                assert x.papers_share_lo - 1e-9 <= x.papers_share <= x.papers_share_hi + 1e-9
        lead = rk.rows[0]
        assert lead.evidence_works > 0 and lead.h_index >= 1
    orgs = gq.rankings_full(store, "organization", "all", "fractional", prof.ident)
    assert len(orgs) == len(stored)

    kz("shortlist", "--out", str(tmp_path / "s.csv"))
    rows = list(csv.DictReader((tmp_path / "s.csv").open(encoding="utf-8")))
    assert len(rows) == len(stored) and rows[0]["rank"] == "1"
