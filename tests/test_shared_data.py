"""Integration: the real OpenAlex and arXiv files in ../shared/data into the real Neo4j."""

import gzip
import json
import re
from pathlib import Path

from tests.conftest import require
from tests.helpers import load, stable_counts


def _jsonl(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def _expected_ids(data: Path) -> tuple[set[str], set[str]]:
    """Independently of the ingester: the distinct works and arXiv IDs the files hold."""
    oa_ids = set()
    oa = data / "openalex"
    for r in _jsonl(require(oa / "works.jsonl.gz")):
        oa_ids.add(r["id"].rsplit("/", 1)[-1])
    for part in (oa / "snapshot_sample" / "data" / "works").glob("updated_date=*/part_*.gz"):
        oa_ids.update(r["id"].rsplit("/", 1)[-1] for r in _jsonl(part))
    for page in (oa / "api_responses").glob("*.json.gz"):
        results = json.loads(gzip.decompress(page.read_bytes()))["results"]
        oa_ids.update(x["id"].rsplit("/", 1)[-1] for x in results if "/W" in x["id"])
    ax_ids = set()
    for feed in (data / "arxiv" / "atom").glob("*.xml"):
        ax_ids.update(re.sub(r"v\d+$", "", m) for m in re.findall(r"<id>https?://arxiv\.org/abs/([^<]+)</id>", feed.read_text()))
    for r in _jsonl(require(data / "arxiv" / "kaggle_arxiv_metadata_sample.jsonl.gz")):
        ax_ids.add(r["id"])
    return oa_ids, ax_ids


def test_real_openalex_and_arxiv_load_with_stable_counts(store, shared_data: Path, tmp_path: Path):
    oa_ids, ax_ids = _expected_ids(shared_data)
    openalex = [shared_data / "openalex"]
    arxiv = [shared_data / "arxiv" / "atom", shared_data / "arxiv" / "kaggle_arxiv_metadata_sample.jsonl.gz"]
    r1, q1 = load(store, "openalex", openalex, tmp_path, batch_size=500)
    r2, q2 = load(store, "arxiv", arxiv, tmp_path, batch_size=500)
    assert r1.quarantined == 0 and r1.ignored > 2000   # institutions, authors, sources… are not works
    bad = [json.loads(x) for x in q2.path.read_text().splitlines()]
    assert [Path(b["source"]).name for b in bad] == ["id_abc_s0_m100_b79c8dcf6bc3.xml"]   # the recorded API error feed

    got = store.read("""MATCH (w:Work) RETURN count(w) AS n, count(w.openalex_id) AS oa, count(w.arxiv_id) AS ax,
                        sum(size([x IN coalesce(w.alt_ids, []) WHERE x STARTS WITH 'openalex_id:'])) AS alt""")[0]
    assert got["oa"] + got["alt"] == len(oa_ids)              # duplicates sharing a DOI are one work
    assert got["ax"] >= len(ax_ids)                        # plus arXiv IDs OpenAlex itself names
    merged = store.read("MATCH (w:Work) WHERE w.openalex_id IS NOT NULL AND w.fps IS NOT NULL "
                        "AND any(f IN w.fps WHERE f STARTS WITH 'arxiv:') RETURN count(w) AS n")[0]["n"]
    assert got["n"] == len(oa_ids) - got["alt"] + len(ax_ids) - merged

    over = store.read("MATCH (w:Work)-[e:IN_COUNTRY]->() WITH w, sum(e.fraction) AS f WHERE f > 1.000001 RETURN count(w) AS n")
    assert over == [{"n": 0}]
    top = store.read("MATCH ()-[e:IN_COUNTRY]->(c) RETURN c.code AS c, sum(e.fraction) AS f ORDER BY f DESC LIMIT 3")
    assert [r["c"] for r in top] == ["US", "GB", "CN"]

    before = stable_counts(store)
    a1, _ = load(store, "openalex", openalex, tmp_path)
    a2, _ = load(store, "arxiv", arxiv, tmp_path)
    assert a1.loaded == a2.loaded == 0
    assert stable_counts(store) == before
