"""Lead metrics on a seeded graph with hand-computed answers (see tests/test_rank_seed.py)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from analysis import composite, concentration, counting, intervals, profiles, rank, shortlist
from graph import rankings as gq
from core.errors import ConfigError
from tests.test_rank_seed import seed

# The seed has five papers: thresholds of one document let the by-hand metrics show; the
# thin-evidence guards are tested with the default thresholds further down.
P = rank.Params(window="2020-2022", bootstrap=500, min_documents=1, min_cell_documents=1)


def by_id(rk: rank.Ranking) -> dict[str, dict]:
    return {r.id: r.model_dump() for r in rk.rows}


# ---------------------------------------------------------------- pure functions

def test_top_share_is_normalised_within_year() -> None:
    years = np.array([2000, 2000, 2000, 2020, 2020])
    cites = np.array([100.0, 50, 0, 3, 1])
    # the 2020 paper with 3 citations is top-10% of its year, though old papers have far more
    assert counting.top_mask(years, cites, 0.10).tolist() == [True, False, False, True, False]
    # ties at the boundary all count; uncited papers never do
    assert counting.top_mask(np.array([1, 1, 1]), np.array([5.0, 5, 0]), 0.10).tolist() == [True, True, False]


def test_h_index() -> None:
    cites = np.array([10.0, 5, 3, 3, 0])
    presence = np.array([[1, 0], [1, 1], [1, 0], [1, 1], [0, 1]], dtype=float)
    assert counting.h_index(cites, presence).tolist() == [3, 2]


def test_hhi_cagr_and_composite() -> None:
    assert concentration.hhi(np.array([0.4, 0.3, 0.3])) == pytest.approx(0.34)
    years = np.array([2020, 2020, 2022])
    x = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    assert counting.cagr(years, x, 2020, 2022).tolist() == pytest.approx([(1 / 3) ** 0.5 - 1, 4 ** 0.5 - 1])
    comp = np.array([[0.5, 1.0, 0.0, 0.1], [0.25, 0.0, 1.0, 0.3]])
    w = {"papers": 1, "top10": 1, "patents": 1, "growth": 1}
    # scaled: papers [1, .5], top10 [1, 0], patents [0, 1], growth [0, 1]
    assert composite.composite(comp, w).tolist() == pytest.approx([0.5, 0.625])


def test_bootstrap_is_seeded_and_vectorised() -> None:
    x = np.array([[1.0, 0], [0.5, 0.5], [0, 1], [1, 0]])
    a = intervals.shares(x, "fractional", intervals.resamples(4, 200, 7))
    b = intervals.shares(x, "fractional", intervals.resamples(4, 200, 7))
    c = intervals.shares(x, "fractional", intervals.resamples(4, 200, 8))
    assert a[0].tolist() == pytest.approx([0.625, 0.375])
    assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])
    assert (a[1] <= a[0]).all() and (a[0] <= a[2]).all() and (c[1] <= c[0]).all() and (c[0] <= c[2]).all()
    # another seed draws other resamples (four documents have too few distinct shares for the
    # percentiles themselves to differ reliably)
    assert not np.array_equal(intervals.resamples(4, 200, 7), intervals.resamples(4, 200, 8))


def test_resamples_draw_n_documents_with_replacement() -> None:
    n, b = 50, 4000
    k = intervals.resamples(n, b, 3)
    assert k.shape == (b, n) and (k.sum(axis=1) == n).all() and not k.flags.writeable
    # each document's count is Binomial(n, 1/n): mean 1, variance 1 - 1/n
    assert k.mean() == pytest.approx(1.0) and k.var(axis=0).mean() == pytest.approx(1 - 1 / n, rel=0.05)
    big = intervals.resamples(300_000, 20, 3)            # drawn in blocks of rows: same rule
    assert big.shape == (20, 300_000) and (big.sum(axis=1) == 300_000).all()


def test_reweight_100_by_200_matrix() -> None:
    rng = np.random.default_rng(1)
    comp = rng.random((100, 200, 4))
    w = np.ones(200)
    w[:10] = 0.0
    out = composite.reweight(comp, composite.DEFAULT_WEIGHTS, w)
    assert out["raw"].shape == (100, 200)
    assert (out["weighted"][:, :10] == 0).all()
    assert sorted(out["raw_rank"][0].tolist()) == list(range(1, 201))


def test_parameters_are_validated() -> None:
    with pytest.raises(ConfigError):
        rank.Params(window="2022-2020")
    with pytest.raises(ConfigError):
        rank.Params(counting="half")
    with pytest.raises(ConfigError):
        composite.check_weights({"papers": -1})
    with pytest.raises(ConfigError):
        profiles.load("no-such-profile")


def test_profiles(tmp_path) -> None:
    p = profiles.load()
    assert p.bloc_of("JP") == "self" and p.bloc_of("DE") == "ally" and p.bloc_of("IN") == "partner"
    assert p.bloc_of("BR") == "neutral" and p.concern("CN") and p.weight("CN") == 0.0
    custom = p.with_weights({"cn": 0.5})
    assert custom.weight("CN") == 0.5 and custom.ident != p.ident
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mine.yaml").write_text(
        "name: mine\nversion: '1'\nblocs:\n  neutral: {weight: 1, countries: []}\n  concern: {weight: 0.2, concern: true, countries: [US]}\n")
    mine = profiles.load("mine", tmp_path)
    assert mine.weight("US") == 0.2 and mine.weight("CN") == 1.0
    assert set(profiles.available(tmp_path)) >= {"jp_economic_security", "unweighted", "mine"}


# ---------------------------------------------------------------- on the graph

@pytest.fixture
def seeded(store):
    seed(store)
    return store


def test_country_metrics_by_hand(seeded) -> None:
    a, b = rank.compute(seeded, ["tech:a", "tech:b"], "country", P, profiles.load())
    r = by_id(a)
    assert {k: r[k]["papers_fractional"] for k in r} == pytest.approx({"CN": 2.0, "US": 1.5, "JP": 1.5})
    assert {k: r[k]["papers_share"] for k in r} == pytest.approx({"CN": 0.4, "US": 0.3, "JP": 0.3})
    assert {k: r[k]["papers_full"] for k in r} == {"CN": 2, "US": 2, "JP": 2}
    assert {k: r[k]["top10_share"] for k in r} == pytest.approx({"CN": 0.0, "US": 0.5, "JP": 0.5})
    assert {k: r[k]["h_index"] for k in r} == {"CN": 1, "US": 2, "JP": 2}
    # RCA: share in tech:a / share of all 26 fractional papers 2020-2022 (tech:b and w6 included)
    assert r["JP"]["rca"] == pytest.approx(0.3 / (1.5 / 26), rel=1e-4)
    assert r["US"]["rca"] == pytest.approx(0.3 / (20.5 / 26), rel=1e-4)
    assert r["US"]["growth"] == pytest.approx((1 / 2.5) ** 0.5 - 1, rel=1e-4)
    assert {k: r[k]["patent_families"] for k in r} == {"CN": 1, "US": 1, "JP": 1}
    assert {k: r[k]["patent_share"] for k in r} == pytest.approx({"US": 0.5, "CN": 0.25, "JP": 0.25})
    s = a.summary
    assert s["hhi"] == pytest.approx(0.34) and s["top1_share"] == pytest.approx(0.4)
    assert s["leader"]["id"] == "CN" and s["ratio_1_2"] == pytest.approx(4 / 3, rel=1e-4)
    assert s["contested"] is True                 # five papers cannot separate 0.4 from 0.3
    assert s["monopoly_risk"] == "high"           # HHI 0.34 ≥ 0.25
    assert s["top10_orgs_in_lead_country"] == 1   # Tsinghua
    assert s["blocs"]["concern_papers"]["share"] == pytest.approx(0.4)
    assert s["blocs"]["concern_patents"]["share"] == pytest.approx(0.25)
    assert s["blocs"]["papers"]["self"]["share"] == pytest.approx(0.3)
    assert [m["material"] for m in s["materials"]["exposed"]] == ["Ga"] and s["materials"]["exposure"] == 0.5
    # the concern country leads on raw papers but its weighted score is zero
    assert r["CN"]["score_weighted"] == 0.0 and r["CN"]["score"] > 0
    for x in a.rows:
        assert x.papers_share_lo <= x.papers_share <= x.papers_share_hi
        assert x.basis == "sample" and x.n == x.papers_full + x.patent_families and not x.thin
    assert s["basis"] == "sample" and s["n"] == 5 and s["thin"] is False
    # evidence: the documents behind each row
    assert sorted(e[0] for e in a.evidence["works"]["JP"]) == ["doi:10.1/w2", "doi:10.1/w5"]
    assert [f[0] for f in a.evidence["families"]["US"]] == ["fam:F1"]
    assert r["JP"]["evidence_works"] == 2

    rb = by_id(b)
    assert rb["US"]["papers_share"] == pytest.approx(0.9)
    assert b.summary["contested"] is False and b.summary["leader"]["id"] == "US"
    assert b.summary["monopoly_risk"] == "high"


def test_full_counting_and_organizations(seeded) -> None:
    full = rank.compute(seeded, ["tech:a"], "country", replace(P, counting="full"), profiles.load())[0]
    assert {x.id: x.papers_share for x in full.rows} == pytest.approx({"CN": 0.4, "US": 0.4, "JP": 0.4})
    orgs = rank.compute(seeded, ["tech:a"], "organization", P, profiles.load())[0]
    r = by_id(orgs)
    assert r["ror:cn1"]["papers_share"] == pytest.approx(0.4) and r["ror:cn1"]["country"] == "CN"
    assert r["ror:jp1"]["bloc"] == "self" and r["ror:jp1"]["name"] == "University of Tokyo"
    assert r["ror:us1"]["patent_share"] == pytest.approx(0.5)


def test_rankings_are_reproducible_and_stored(seeded) -> None:
    prof = profiles.load()
    one = rank.compute(seeded, ["tech:a"], "country", P, prof, save=True)[0]
    two = rank.compute(seeded, ["tech:a"], "country", P, prof)[0]
    assert one.key == two.key and one.rows == two.rows and one.summary == two.summary
    other_seed = rank.compute(seeded, ["tech:a"], "country", replace(P, seed=1), prof)[0]
    assert other_seed.key != one.key
    stored = rank.Ranking.from_props(gq.find_ranking(seeded, "tech:a", "country", "2020-2022", "fractional", prof.ident))
    assert stored.key == one.key and stored.rows == one.rows
    assert stored.params["snapshot_id"] == one.snapshot_id and stored.taxonomy_version == "t1"
    assert stored.data_as_of.startswith("2026-01-02T03:04:05")
    # a newer run of the same combination replaces the old node
    rank.compute(seeded, ["tech:a"], "country", replace(P, seed=1), prof, save=True)
    assert gq.ranking_by_key(seeded, one.key) is None


def test_shortlist_by_hand(seeded, tmp_path) -> None:
    prof = profiles.load()
    sl = shortlist.from_store(seeded, prof, "2020-2022", "fractional", params=P)
    rows = {r["technology"]: r for r in sl.rows}
    a = rows["tech:a"]
    assert a["jp_share"] == pytest.approx(0.3) and a["jp_rank"] == 2 and a["leader"] == "CN"
    # autonomy risk = .3·.4 + .3·.25 + .2·.5 + .2·(1 − .6)
    assert a["autonomy_risk"] == pytest.approx(0.3 * 0.4 + 0.3 * 0.25 + 0.2 * 0.5 + 0.2 * 0.4)
    # indispensability = .4·(.3/.4) + .3·(.25/.5) + .3·min(1, RCA/2)
    assert a["indispensability"] == pytest.approx(0.4 * 0.75 + 0.3 * 0.5 + 0.3, rel=1e-4)
    assert a["emergence"] == 1.0 and a["policy_documents"] == 1 and a["export_controls"] == 1
    assert a["evidence"]["policy_documents"] == ["policy:cao-quantum"]
    assert rows["tech:b"]["jp_share"] is None and rows["tech:b"]["emergence"] == 0.0
    assert [r["rank"] for r in sl.rows] == [1, 2]
    only = shortlist.from_store(seeded, prof, "2020-2022", "fractional", lists=["jp_specified_critical_tech"], params=P)
    assert [r["technology"] for r in only.rows] == ["tech:a"]
    heavy = shortlist.from_store(seeded, prof, "2020-2022", "fractional", weights={"emergence": 1}, params=P)
    assert heavy.rows[0]["technology"] == "tech:a" and heavy.weights["emergence"] == 1.0
    csv_text = shortlist.to_csv(sl.rows)
    assert csv_text.splitlines()[0].startswith("rank,technology,name")
    xlsx = tmp_path / "s.xlsx"
    xlsx.write_bytes(shortlist.to_xlsx(sl))
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb["Shortlist"].max_row == 3 and wb["Shortlist"]["B2"].value in ("tech:a", "tech:b")
    assert any("autonomy_risk" in str(c.value) for c in wb["Method"]["A"])


def test_rank_and_shortlist_cli(seeded, cli_env, tmp_path) -> None:
    def kz(*args):
        return subprocess.run([sys.executable, "-m", "cli.main", *args], env=cli_env, capture_output=True,
                              text=True, timeout=600)

    out = kz("rank", "--window", "2020-2022", "--bootstrap", "200", "--counting", "fractional")
    assert out.returncode == 0, out.stderr
    assert "tech:a" in out.stdout and "rankings stored" in out.stdout
    assert len(gq.rankings_full(seeded, "organization", "2020-2022", "fractional", profiles.load().ident)) == 2
    for name in ("s.csv", "s.xlsx"):
        res = kz("shortlist", "--window", "2020-2022", "--out", str(tmp_path / name))
        assert res.returncode == 0, res.stderr
        assert (tmp_path / name).stat().st_size > 100
    assert "tech:a" in (tmp_path / "s.csv").read_text()


def test_one_document_is_not_a_certain_lead() -> None:
    point, lo, hi = intervals.widened((np.array([1.0]), np.array([1.0]), np.array([1.0])), 1)
    # a bootstrap of one paper says [1, 1]; Wilson's 90% interval over n = 1 says about [0.27, 1]
    assert point[0] == 1.0 and hi[0] == pytest.approx(1.0) and 0.2 < lo[0] < 0.35
    # with many documents the bootstrap interval is kept as it is
    point, lo, hi = intervals.widened((np.array([0.4]), np.array([0.35]), np.array([0.45])), 2000)
    assert (lo[0], hi[0]) == (0.35, 0.45)


def test_thin_rankings_withhold_verdicts(seeded) -> None:
    """Default thresholds (30 documents a ranking, 10 a row): the five seed papers are too few."""
    a = rank.compute(seeded, ["tech:a"], "country", replace(P, min_documents=30, min_cell_documents=10),
                     profiles.load())[0]
    s = a.summary
    assert s["thin"] is True and s["n"] == 5 and s["min_documents"] == 30
    assert s["contested"] is None and s["hhi"] is None and s["monopoly_risk"] is None
    assert s["leader"]["id"] == "CN" and s["leader_raw"] is None       # the share is shown, no one is ranked
    for x in a.rows:
        assert x.thin and x.rank is None and x.rank_weighted is None and x.growth is None
        assert x.papers_share_hi - x.papers_share_lo > 0.3              # five papers: wide intervals
    # each country has 2 papers + 1 family: ranked at a threshold of 3, not at 4
    at3 = rank.compute(seeded, ["tech:a"], "country", replace(P, min_cell_documents=3), profiles.load())[0]
    assert sorted(x.rank for x in at3.rows) == [1, 2, 3] and {x.n for x in at3.rows} == {3}
    at4 = rank.compute(seeded, ["tech:a"], "country", replace(P, min_cell_documents=4), profiles.load())[0]
    assert [x.rank for x in at4.rows] == [None, None, None]
