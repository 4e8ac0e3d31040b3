"""Patents in the real Neo4j: graph shape, fractional attribution, families,
the CPC hierarchy, idempotent reloads, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from graph.patent import family_counts_by_country, write_patents
from graph.store import Store
from ingest.patents import inputs
from graph.pipeline import Report, ingest
from ingest.quarantine import Quarantine
from tests.conftest import FIXTURES
from tests.helpers import stable_counts

PAT = FIXTURES / "patents"
MAX = 8 * 1024 * 1024
SAFE = [PAT / n for n in ("ipg_weekly.xml", "patdoc_grant.xml", "pap_application.xml", "ops_biblio.xml", "ops_family.xml",
                          "docdb_fragment.xml", "ep_grant.xml", "ep_malformed.xml", "ppubs_search.json",
                          "ppubs_documents.json", "patentsview")]


def load(store: Store, paths: list[Path], tmp: Path, force: bool = False, batch_size: int = 500) -> tuple[Report, Quarantine]:
    q = Quarantine(tmp / "quarantine-patents.jsonl")
    try:
        report = ingest(store, inputs(paths, MAX), "patents", batch_size=batch_size, quarantine=q, show_progress=False,
                        force=force, writer=write_patents, link=False)
    finally:
        q.close()
    return report, q


def edges(store: Store, key: str, rel: str) -> dict[str, float]:
    rows = store.read(f"MATCH (p:Patent {{key: $k}})-[e:{rel}]->(n) RETURN coalesce(n.code, n.key) AS to, e.fraction AS f", k=key)
    return {r["to"]: None if r["f"] is None else round(r["f"], 6) for r in rows}


def test_fixtures_build_the_contracted_graph(store: Store, tmp_path: Path):
    report, q = load(store, SAFE, tmp_path)
    assert report.quarantined == 2          # document 2 of the weekly file, the malformed EP document
    assert report.ignored == 1              # the sequence listing
    assert report.loaded == 15

    key = "pat:US9999003B2"
    assert edges(store, key, "IN_COUNTRY") == {"US": 0.5, "JP": 0.5}
    assert edges(store, key, "ASSIGNED_TO") == {"name:horizon quantum inc": 0.5, "name:kizashi semiconductor co ltd": 0.5}
    assert edges(store, key, "INVENTOR_COUNTRY") == {"CZ": round(1 / 3, 6), "US": round(2 / 3, 6)}
    role = store.read("MATCH (:Patent {key: $k})-[e:IN_COUNTRY]->() RETURN collect(DISTINCT e.role) AS r", k=key)[0]["r"]
    assert role == ["applicant"]
    # Country by owner address, not by filing office: a US grant owned from Japan counts for JP.
    assert edges(store, "pat:US7999001B2", "IN_COUNTRY") == {"JP": 1.0}
    # One organisation across patents and sources.
    n = store.read("MATCH (:Patent)-[:ASSIGNED_TO]->(o:Organization {key: 'name:kizashi semiconductor co ltd'}) "
                   "RETURN count(*) AS n, o.country AS c", )[0]
    assert (n["n"], n["c"]) == (2, "JP")

    # PatentsView: an owner with no known location attributes its share to no country.
    assert edges(store, "pat:US11000001B2", "IN_COUNTRY") == {"KR": round(1 / 3, 6), "BE": round(1 / 3, 6)}
    assert set(edges(store, "pat:US11000001B2", "ASSIGNED_TO")) == {"name:samsung sdi co ltd", "name:umicore"}

    chain = store.read("MATCH path = (:CPC {code: 'H01L21/02'})-[:PART_OF*]->(top:CPC) WHERE NOT (top)-[:PART_OF]->() "
                       "RETURN [n IN nodes(path) | n.level] AS levels, top.code AS top")
    assert chain == [{"levels": ["subgroup", "group", "subclass", "class", "section"], "top": "H"}]
    assert edges(store, key, "CLASSIFIED_AS") == {"G06N10/00": None, "H01L21/02": None}

    # The OPS family response and the biblio response meet in one DOCDB family.
    fam = store.read("MATCH (p:Patent)-[:IN_FAMILY]->(f:Family {key: 'docdb:61234567'}) RETURN collect(p.key) AS ps")[0]["ps"]
    assert sorted(fam) == ["pat:EP3500001A1", "pat:JP2018081234A"]
    p = store.read("MATCH (p:Patent {key: 'pat:EP3500001A1'}) RETURN p.title AS t, p.year AS y, p.family_id AS f")[0]
    assert p == {"t": "SOLID ELECTROLYTE", "y": 2019, "f": "61234567"}
    # Counting by family: the two EPO family members count once; a subclass filter narrows it.
    by_family = family_counts_by_country(store)
    assert round(by_family["JP"], 6) == round(1.0 + 0.5 + 0.5, 6)   # US7999001B2, half of US9999003B2, half of EP3500001A1
    assert round(sum(by_family.values()), 6) == round(sum(
        r["s"] for r in store.read("MATCH (f:Family)<-[:IN_FAMILY]-(p:Patent)-[e:IN_COUNTRY]->() "
                                   "WITH f, p, sum(e.fraction) AS s WITH f, avg(s) AS s RETURN s")), 6)
    assert family_counts_by_country(store, cpc="G06N") == {"DE": 1.0, "US": 0.5, "JP": 0.5}   # PAP G06N3/08 (IPC) counts too
    # Every patent is in exactly one family.
    assert store.read("MATCH (p:Patent) WHERE count { (p)-[:IN_FAMILY]->() } <> 1 RETURN count(p) AS n")[0]["n"] == 0


def test_reload_is_idempotent_and_force_rewrites_without_duplicates(store: Store, tmp_path: Path):
    load(store, SAFE, tmp_path)
    before = stable_counts(store)
    again, _ = load(store, SAFE, tmp_path)
    assert again.loaded == 0 and again.sources_unchanged == again.sources
    assert stable_counts(store) == before
    forced, _ = load(store, SAFE, tmp_path, force=True, batch_size=3)
    assert forced.loaded == 15
    assert stable_counts(store) == before
    assert edges(store, "pat:US9999003B2", "IN_COUNTRY") == {"US": 0.5, "JP": 0.5}


def test_cli_loads_a_directory(cli_env: dict[str, str], store: Store, tmp_path: Path):
    out = subprocess.run([sys.executable, "-m", "cli.main", "ingest", "patents", str(PAT / "patentsview"), str(PAT / "ep_malformed.xml")],
                         env=cli_env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "patents" in out.stdout and "loaded 3" in out.stdout and "quarantined 1" in out.stdout
    assert store.read("MATCH (p:Patent) RETURN count(p) AS n")[0]["n"] == 3


@pytest.mark.parametrize("name", ["xxe_external.xml", "xxe_laughs.xml"])
def test_entity_attacks_load_nothing_from_the_attack(store: Store, tmp_path: Path, name: str):
    report, _ = load(store, [PAT / name], tmp_path)
    assert report.quarantined == 1
    titles = [r["t"] for r in store.read("MATCH (p:Patent) RETURN p.title AS t")]
    assert all("root:" not in t and "lollol" not in t for t in titles)
