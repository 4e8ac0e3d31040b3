"""`kizashi validate`: hand-checked comparisons on references written here, the seeded graph,
and the shipped OpenAlex AI reference against a real slice of ../shared/data."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis import reference as refmod
from analysis import validate as v
from analysis.rank import Ranking
from core.ranking import RankingRow
from core.errors import InputError
from tests.conftest import require

REF = {
    "format": "kizashi-reference/1", "name": "hand", "title": "hand-made",
    "method": {"basis": "population", "counting": "fractional", "metric": "papers", "values": "counts"},
    "technologies": [
        {"technology": "tech:a", "windows": {"2019-2020": {"credits": 100, "countries": {"US": 50, "CN": 30, "JP": 20}}}},
        {"technology": "b", "windows": {"2019-2020": {"countries": {"CN": 60, "US": 30, "DE": 10, "JP": 5}}}},
    ],
}


def row(cid: str, share: float, lo: float | None = None, hi: float | None = None, thin: bool = False) -> RankingRow:
    nothing = {f: None for f in ("papers_fractional", "top10_share", "top10_share_lo", "top10_share_hi",
                                 "top1_share", "top1_share_lo", "top1_share_hi", "patent_fractional",
                                 "patent_share", "patent_share_lo", "patent_share_hi", "growth", "rca", "score",
                                 "rank", "score_weighted", "rank_weighted")}
    zero = {f: 0 for f in ("papers_full", "top10_papers", "h_index", "patent_families")}
    return RankingRow(id=cid, country=cid, bloc=None, weight=1.0, n=40, thin=thin, papers_share=share,
                      papers_share_lo=share if lo is None else lo, papers_share_hi=share if hi is None else hi,
                      **nothing, **zero)


def stored(tech: str, rows: list[RankingRow], n: int = 100, counting: str = "fractional") -> dict:
    """A ranking as the graph stores it (Ranking.props), with the ranking code's default threshold."""
    summary = {"documents": {"works_attributed": n}, "basis": "sample", "n": n, "thin": n < 30, "min_documents": 30}
    return Ranking(key="rk-test", technology=tech, by="country", window="2019-2020", counting=counting,
                   profile="p", params={}, data_as_of=None, snapshot_id="s", taxonomy_version=None,
                   rows=rows, summary=summary, evidence={}).props()


def test_reference_parses_and_derives_shares() -> None:
    ref = refmod.parse(REF)
    a, b = ref.technologies
    assert b.technology == "tech:b"                                   # key normalised
    assert a.windows[0].shares("counts") == {"US": 0.5, "CN": 0.3, "JP": 0.2}   # ÷ credits
    assert b.windows[0].shares("counts")["CN"] == pytest.approx(60 / 105)    # ÷ listed sum
    assert b.windows[0].ranked() == ["CN", "US", "DE", "JP"]
    assert ref.windows == ["2019-2020"]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["technologies"][1]["windows"]["2019-2020"].pop("countries"), "tech:b window 2019-2020: 'countries' is missing"),
    (lambda d: d["technologies"][0]["windows"]["2019-2020"]["countries"].update(USA=3), "'USA' is not a two-letter"),
    (lambda d: d["technologies"][0]["windows"]["2019-2020"]["countries"].update(US=-1), "US: -1 is not a non-negative"),
    (lambda d: d["technologies"][0]["windows"].update({"2020": {"countries": {"US": 1}}}), "window 2020: window '2020'"),
    (lambda d: d["method"].update(counting="both"), "method.counting: 'both' is not one of"),
])
def test_bad_reference_names_file_and_record(change, message) -> None:
    data = json.loads(json.dumps(REF))
    change(data)
    with pytest.raises(InputError, match=message) as e:
        refmod.parse(data, "ref.yaml")
    assert str(e.value).startswith("ref.yaml")


def test_agreement_top5_and_spearman_by_hand() -> None:
    ref = refmod.parse(REF)
    a, b = ref.technologies
    ours_a = v.Ours.of(stored("tech:a", [row("US", .4), row("CN", .35), row("JP", .25)]))
    ca = v.compare(ref, a, a.windows[0], ours_a, v.Context())
    assert ca.agree and ca.our_lead == "US" and ca.their_lead == "US" and ca.their_lead_share == 0.5
    assert ca.top5_overlap == 3 and ca.spearman == 1.0 and not ca.causes

    # theirs CN 60 > US 30 > DE 10 > JP 5; ours US .5 > CN .3 > DE .1 = JP .1
    # ranks over (CN, DE, JP, US): theirs 4 2 1 3, ours 3 1.5 1.5 4 → rho = 3.5 / √(5 · 4.5) = 0.7379
    ours_b = v.Ours.of(stored("tech:b", [row("US", .5, .45, .55), row("CN", .3, .25, .35), row("DE", .1), row("JP", .1)]))
    cb = v.compare(ref, b, b.windows[0], ours_b, v.Context(sample_lead=("US", .45)))
    assert not cb.agree and cb.our_lead == "US" and cb.their_lead == "CN"
    assert cb.spearman == pytest.approx(3.5 / (5 * 4.5) ** 0.5, abs=1e-4)
    assert cb.cause == "basis" and "led by US (45%)" in cb.causes[0].why

    rep = v.Report("hand", {}, (ca, cb))
    assert rep.lead_agreement == 50.0 and rep.spearman_mean == pytest.approx((1.0 + 0.7379) / 2, abs=1e-4)
    assert rep.as_dict()["comparisons"][1]["causes"][0]["kind"] == "basis"


def test_causes_n_definition_window() -> None:
    ref = refmod.parse(REF)
    _, b = ref.technologies
    rw = b.windows[0]
    # thin: 5 documents → not ranked, N
    thin = v.Ours.of(stored("tech:b", [row("CN", .6), row("US", .4)], n=5))
    c = v.compare(ref, b, rw, thin, v.Context())
    assert c.our_lead == "CN" and c.agree is False and c.cause == "N" and "only 5 documents" in c.causes[0].why
    # intervals overlap with theirs: N (sampling cannot separate the two)
    close = v.Ours.of(stored("tech:b", [row("US", .45, .35, .55), row("CN", .4, .3, .5)]))
    c = v.compare(ref, b, rw, close, v.Context())
    assert c.cause == "N" and "overlap" in c.causes[0].why
    # our whole sample is led by their leader: the definition picks a different subset
    c = v.compare(ref, b, rw, v.Ours.of(stored("tech:b", [row("US", .6, .55, .65), row("CN", .3, .25, .35)])),
                  v.Context(sample_lead=("CN", .4)))
    assert c.cause == "definition" and "led by CN too" in c.causes[0].why
    # counting differs
    full = v.Ours.of(stored("tech:b", [row("US", .6, .55, .65), row("CN", .3, .25, .35)], counting="full"))
    c = v.compare(ref, b, rw, full, v.Context())
    assert any(x.kind == "definition" and "counting" in x.why for x in c.causes)
    # few of the window's years covered
    c = v.compare(ref, b, rw, full, v.Context(years_covered=1))
    assert c.cause == "window" and "1 of the window's 2 years" in c.causes[0].why
    # nothing stored
    assert v.compare(ref, b, rw, None, v.Context(in_taxonomy=False)).cause == "definition"
    miss = v.compare(ref, b, rw, None, v.Context(documents=7))
    assert not miss.compared and miss.cause == "window" and "kizashi rank" in miss.causes[0].why


def test_thin_rows_are_not_ranked() -> None:
    ours = v.Ours.of(stored("tech:a", [row("JP", .5, .4, .6, thin=True), row("US", .3, .2, .4)], n=40))
    assert ours.n == 40 and ours.basis == "sample" and not ours.thin and ours.min_n == 30
    assert ours.ranked("papers") == ["US"]             # the thin JP row is not ranked


def test_validate_on_the_seeded_graph(store) -> None:
    """tech:a 2020–2022 fractional: CN .4, US .3, JP .3 (tests/test_rank_seed.py); tech:b: US .9, GB .1."""
    from analysis import profiles, rank
    from tests.test_rank_seed import seed

    seed(store)
    rank.compute(store, None, "country", rank.Params(window="2020-2022", bootstrap=50, min_documents=5,
                                                   min_cell_documents=1), profiles.load(), save=True)
    ref = refmod.parse({"name": "seed", "method": {"counting": "fractional", "values": "shares"}, "technologies": [
        {"technology": "tech:a", "windows": {"2020-2022": {"countries": {"CN": .4, "US": .3, "JP": .3}},
                                             "2010-2012": {"countries": {"US": .5, "CN": .5}}}},
        {"technology": "tech:b", "windows": {"2020-2022": {"countries": {"GB": .6, "US": .4}}}},
        {"technology": "tech:zz", "windows": {"2020-2022": {"countries": {"US": 1}}}}]})
    rep = v.validate(store, ref)
    by = {(c.technology, c.window): c for c in rep.comparisons}
    a = by["tech:a", "2020-2022"]
    assert a.agree and a.our_lead == "CN" and a.our_lead_share == pytest.approx(.4) and a.spearman == 1.0
    assert a.n == 5 and a.basis == "sample"
    b = by["tech:b", "2020-2022"]
    assert not b.agree and b.our_lead == "US" and b.spearman is None     # two countries: undefined
    assert b.causes[0].kind == "window" and "1 of the window's 3 years" in b.causes[0].why
    # the whole seeded sample in 2020–2022 is US-led (20.5 of 26 credits)
    assert any(x.kind == "basis" and "led by US (79%)" in x.why for x in b.causes)
    assert by["tech:a", "2010-2012"].cause == "window" and by["tech:zz", "2020-2022"].cause == "definition"
    assert rep.lead_agreement == 50.0
    assert v.validate(store, ref, windows=["2010-2012"]).comparisons[0].window == "2010-2012"


@pytest.mark.shared_data
def test_validate_openalex_ai_on_real_slice(store, cli_env, shared_data) -> None:
    """Real works with affiliations (OpenAlex sample, two WoS AI exports), rule-mapped, ranked
    with full counting per window, against the shipped OpenAlex AI country counts."""
    files = [require(shared_data / "openalex" / "works.jsonl.gz"),
             require(shared_data / "bibliometric_exports" / "wos_generative_ai" / "savedrecs.txt.gz"),
             require(shared_data / "bibliometric_exports" / "wos_multiview_clustering_ml" / "savedrecs.txt.gz")]

    def kz(*args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "cli.main", *args], env=cli_env, capture_output=True,
                             text=True, timeout=900)
        assert out.returncode == 0, f"{args}: {out.stderr[-2000:]}"
        return out.stdout

    kz("ingest", "openalex", str(files[0]))
    kz("ingest", "export", str(files[1]), str(files[2]))
    kz("taxonomy", "load")
    kz("map", "--method", "rule", "--label", "Work")
    kz("rank", "--technology", "tech:ai", "--by", "country", "--counting", "full", "--bootstrap", "100",
       "--window", "2016-2020", "--window", "2010-2015")
    rep = json.loads(kz("validate", "openalex_ai_country_counts", "--json"))
    assert rep["reference"] == "openalex_ai_country_counts" and rep["method"]["counting"] == "full"
    by = {c["window"]: c for c in rep["comparisons"]}
    assert set(by) == {"2016-2020", "2010-2015", "2020-2020"}
    assert all(c["their_lead"] == "CN" for c in by.values())          # the published figures
    assert by["2016-2020"]["their_top5"] == ["CN", "US", "GB", "IN", "DE"]
    assert not by["2020-2020"]["compared"] and by["2020-2020"]["cause"] == "window"   # not ranked here
    for w in ("2016-2020", "2010-2015"):
        c = by[w]
        assert c["compared"] and c["n"] > 0 and c["basis"] == "sample"
        assert c["spearman"] is None or -1 <= c["spearman"] <= 1
        assert c["agree"] or c["causes"], c
        assert all(x["kind"] in ("basis", "N", "definition", "window") for x in c["causes"])
    done = [c for c in rep["comparisons"] if c["compared"]]
    assert rep["lead_agreement_pct"] == pytest.approx(100 * sum(c["agree"] for c in done) / len(done), abs=0.1)
    text = kz("validate", "openalex_ai_country_counts")
    assert "lead agreement:" in text and "validation against openalex_ai_country_counts" in text
