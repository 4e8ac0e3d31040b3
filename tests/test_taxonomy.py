"""The technology taxonomy: the shipped data file, its checks, version diffs, and its
load into the real Neo4j."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ingest.taxonomy import DEFAULT_PATH, diff, load_taxonomy, parse, read
from graph.technology import loaded_version, write_taxonomy
from core.errors import ConfigError
from tests.conftest import REPO, require
from tests.helpers import counts

REFERENCE = REPO.parent / "shared" / "reference"
LISTS = ("jp_specified_critical_tech_areas", "jp_k_program_vision", "jp_17_strategic_fields",
         "jp_specified_critical_products", "us_cet_2024", "eu_critical_tech_2023", "au_critical_tech_2023",
         "uk_st_framework_2023", "uk_nsi_act_17_areas", "aspi_tracker_technologies")
SEEDS = ("ai", "ai-generative", "ai-vision", "ai-nlp", "robotics", "quantum", "quantum-computing",
         "quantum-communication", "quantum-sensing", "semiconductors", "semi-wide-bandgap", "semi-lithography",
         "semi-packaging", "batteries", "permanent-magnets", "magnets-re-free", "critical-minerals", "space",
         "aviation", "hypersonics", "cybersecurity", "cryptography", "biotechnology", "synthetic-biology",
         "comms-5g6g", "optical-comms", "maritime", "drones", "nuclear-fission", "fusion")


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def raw() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_shipped_taxonomy_loads_with_unique_keys_and_both_languages(tax):
    keys = [t.key for t in tax.technologies]
    assert len(keys) == len(set(keys)) >= 40
    assert tax.version
    for t in tax.technologies:
        assert t.key.startswith("tech:") and t.name and t.name_ja and t.description
        assert t.terms_en and t.terms_ja, t.key
        assert t.lists, f"{t.key} is on no official list"
    for slug in SEEDS:
        assert f"tech:{slug}" in tax, slug
    items = [i.key for lst in tax.lists for i in lst.items]
    assert len(items) == len(set(items))


def test_hierarchy_is_acyclic_and_domains_are_roots(tax):
    for t in tax.technologies:
        chain = tax.ancestors(t.key)
        assert t.key not in chain and len(chain) == len(set(chain))
        assert f"tech:{t.domain}" == (chain[-1] if chain else t.key)
    assert tax.get("tech:magnets-re-free").parent == "tech:permanent-magnets"
    assert tax.ancestors("tech:magnets-re-free") == ["tech:permanent-magnets", "tech:advanced-materials"]


def test_cycles_duplicates_unknown_items_and_reused_keys_are_refused():
    data = raw()
    bad = json.loads(json.dumps(data))
    bad["technologies"][0]["parent"] = "tech:ai-generative"     # ai -> ai-generative -> ai
    with pytest.raises(ConfigError, match="cycle"):
        parse(bad)
    bad = json.loads(json.dumps(data))
    bad["technologies"].append(dict(bad["technologies"][0]))
    with pytest.raises(ConfigError, match="duplicate"):
        parse(bad)
    bad = json.loads(json.dumps(data))
    bad["technologies"][0]["lists"] = ["us_cet_2024:us-cet-99"]
    with pytest.raises(ConfigError, match="unknown list item"):
        parse(bad)
    bad = json.loads(json.dumps(data))
    bad["retired"] = ["tech:ai"]
    with pytest.raises(ConfigError, match="retired"):
        parse(bad)


def test_every_official_list_is_present_and_every_item_mapped_or_explained(tax):
    assert set(LISTS) <= {lst.id for lst in tax.lists}
    mapped = {m.item for t in tax.technologies for m in t.lists}
    for lst in tax.lists:
        assert lst.items
        assert any(i.key in mapped for i in lst.items), f"nothing maps to {lst.id}"
        for i in lst.items:
            assert i.key in mapped or i.out_of_scope, f"{i.key} ({i.name}) is neither mapped nor out of scope"
    items = tax.items
    assert len([i for i in items if i.startswith("jp_specified_critical_tech_areas:")]) == 20
    assert len([i for i in items if i.startswith("jp_17_strategic_fields:")]) == 17
    assert len([i for i in items if i.startswith("jp_specified_critical_products:")]) == 16
    assert len([i for i in items if i.startswith("uk_nsi_act_17_areas:")]) == 17
    # The ASPI tracker: 64 + 10 technologies under 9 groupings.
    aspi = [i for i in items.values() if i.list == "aspi_tracker_technologies"]
    assert len([i for i in aspi if i.parent]) == 74
    # Unverified items stay unverified, as the reference lists record them.
    assert items["eu_critical_tech_2023:eu-8.1"].verified is False
    assert items["eu_critical_tech_2023:eu-1.1"].verified is True
    ai = {m.item: m.verified for m in tax.get("tech:robotics").lists}
    assert ai["eu_critical_tech_2023:eu-9.3"] is False


def test_list_items_match_the_reference_files(tax):
    """Each reference list's item names appear in the taxonomy (names are the lists' facts)."""
    require(REFERENCE / "us_cet_2024.yaml")
    names = {i.name for i in tax.items.values()}
    ref = yaml.safe_load((REFERENCE / "us_cet_2024.yaml").read_text(encoding="utf-8"))
    assert {c["name_en"] for c in ref["categories"]} <= names
    ref = yaml.safe_load((REFERENCE / "jp_specified_critical_tech_areas.yaml").read_text(encoding="utf-8"))
    assert {a["name_ja"] for a in ref["areas"]} <= {i.name_ja for i in tax.items.values()}
    ref = yaml.safe_load((REFERENCE / "aspi_tracker_technologies.yaml").read_text(encoding="utf-8"))
    assert {n for c in ref["categories"] for n in c["technologies_2024"]} <= names
    ref = yaml.safe_load((REFERENCE / "jp_specified_critical_products.yaml").read_text(encoding="utf-8"))
    assert {p["name_ja"] for p in ref["products"]} <= {i.name_ja for i in tax.items.values()}


def test_material_dependencies_follow_the_export_control_facts(tax):
    def deps(key):
        return {m.key: m.basis for m in tax.get(key).materials}

    assert deps("tech:permanent-magnets")["Dy"] == "source"
    assert deps("tech:permanent-magnets")["Tb"] == "source"
    assert deps("tech:semi-wide-bandgap")["Ga"] == "source"
    assert deps("tech:infrared-optics")["Ge"] == "source"
    assert deps("tech:batteries")["graphite"] == "source"
    assert deps("tech:optical-comms")["Er"] == "compiler_inference"
    for t in tax.technologies:
        for m in t.materials:
            assert m.basis in ("source", "compiler_inference")


def _edited(tmp_path: Path) -> Path:
    data = raw()
    data["version"] = "2099.1"
    techs = {t["key"]: t for t in data["technologies"]}
    techs["tech:drones"]["name"] = "Uncrewed systems"                       # rename
    techs["tech:drones"]["parent"] = "tech:robotics"                         # move
    techs["tech:fusion"]["terms_en"] = [*techs["tech:fusion"]["terms_en"], "spherical tokamak"]
    techs["tech:hypersonics"]["lists"] = [x for x in techs["tech:hypersonics"]["lists"] if x != "us_cet_2024:us-cet-13"]
    data["technologies"] = [t for t in data["technologies"] if t["key"] != "tech:directed-energy"]   # remove
    data["retired"] = ["tech:directed-energy"]
    data["technologies"].append({"key": "tech:neuromorphic", "name": "Neuromorphic computing", "name_ja": "ニューロモルフィック",
                                 "parent": "tech:advanced-computing", "description": "Brain-inspired hardware.",
                                 "terms_en": ["neuromorphic"], "terms_ja": ["ニューロモルフィック"],
                                 "lists": ["us_cet_2024:us-cet-01"]})
    p = tmp_path / "taxonomy-new.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def test_diff_reports_what_a_version_change_moves(tmp_path):
    new = read(_edited(tmp_path))
    d = diff(read(DEFAULT_PATH), new)
    assert d.added == ("tech:neuromorphic",)
    assert d.removed == ("tech:directed-energy",)
    assert ("tech:drones", "Drones and uncrewed systems", "Uncrewed systems") in d.renamed
    assert ("tech:drones", None, "tech:robotics") in d.moved
    assert ("tech:fusion", ("spherical tokamak",), ()) in d.terms
    assert ("tech:hypersonics", (), ("us_cet_2024:us-cet-13",)) in d.lists
    assert not d.reused and diff(read(DEFAULT_PATH), read(DEFAULT_PATH)).empty
    # Bringing a retired key back is reported (and refused by the loader).
    assert diff(new, read(DEFAULT_PATH)).reused == ("tech:directed-energy",)


def test_diff_command(tmp_path, cli_env):
    new = _edited(tmp_path)
    out = subprocess.run([sys.executable, "-m", "cli.main", "taxonomy", "diff", str(DEFAULT_PATH), str(new), "--json"],
                         env=cli_env, capture_output=True, text=True, check=True, cwd=REPO)
    d = json.loads(out.stdout)
    assert d["added"] == ["tech:neuromorphic"] and d["removed"] == ["tech:directed-energy"]
    assert {"key": "tech:drones", "old_parent": None, "new_parent": "tech:robotics"} in d["moved"]


def test_graph_load_is_idempotent(store, tax):
    write_taxonomy(store, tax)
    first = counts(store)
    write_taxonomy(store, tax)
    assert counts(store) == first
    assert first["Technology"] == len(tax.technologies)
    assert first["ListItem"] == len(tax.items)
    assert first["rel:IN_LIST"] == sum(len(t.lists) for t in tax.technologies)
    assert first["rel:DEPENDS_ON"] == sum(len(t.materials) for t in tax.technologies)
    assert loaded_version(store) == tax.version
    rows = store.read("MATCH (t:Technology {key:'tech:permanent-magnets'})-[d:DEPENDS_ON]->(m:Material) "
                      "RETURN m.key AS m, d.basis AS basis ORDER BY m")
    assert {"m": "Dy", "basis": "source"} in rows
    rows = store.read("MATCH (:Technology {key:'tech:robotics'})-[r:IN_LIST]->(i:ListItem {key:'eu_critical_tech_2023:eu-9.3'}) "
                      "RETURN r.verified AS v, i.verified AS iv, i.list AS list")
    assert rows == [{"v": False, "iv": False, "list": "eu_critical_tech_2023"}]
    rows = store.read("MATCH (c:Technology {key:'tech:fusion'})-[:CHILD_OF]->(p) RETURN p.key AS p")
    assert rows == [{"p": "tech:nuclear"}]
    rows = store.read("MATCH (i:ListItem {key:'us_cet_2024:us-cet-08.4'})-[:PART_OF]->(p) RETURN p.key AS p")
    assert rows == [{"p": "us_cet_2024:us-cet-08"}]


def test_a_new_version_retires_dropped_technologies(store, tax, tmp_path):
    write_taxonomy(store, tax)
    new = read(_edited(tmp_path))
    write_taxonomy(store, new)
    rows = store.read("MATCH (t:Technology {key:'tech:directed-energy'}) "
                      "RETURN t.current AS current, COUNT { (t)-->() } AS out")
    assert rows == [{"current": False, "out": 0}]
    rows = store.read("MATCH (t:Technology {key:'tech:drones'})-[:CHILD_OF]->(p) RETURN p.key AS p, t.version AS v")
    assert rows == [{"p": "tech:robotics", "v": "2099.1"}]
    assert store.read("MATCH (:Technology {key:'tech:hypersonics'})-[:IN_LIST]->(i:ListItem {key:'us_cet_2024:us-cet-13'}) "
                      "RETURN count(*) AS n") == [{"n": 0}]


def test_load_command(store, cli_env):
    out = subprocess.run([sys.executable, "-m", "cli.main", "taxonomy", "load", "--json"], env=cli_env,
                         capture_output=True, text=True, check=True, cwd=REPO)
    data = json.loads(out.stdout)
    assert data["technologies"] == counts(store)["Technology"]


# ---------------------------------------------------------------- every ASPI row, search definitions

def _aspi_reference() -> list[str]:
    ref = yaml.safe_load(require(REFERENCE / "aspi_tracker_technologies.yaml").read_text(encoding="utf-8"))
    return [*(n for c in ref["categories"] for n in c["technologies_2024"]),
            *(a["name_en"] for c in ref["categories"] for a in c.get("added_2025") or ())]


def test_every_aspi_technology_and_jp_area_has_a_row(tax):
    names = _aspi_reference()
    assert len(names) == 74 and len(tax.technologies) >= 74
    by_name = {i.name: i for i in tax.items.values() if i.list == "aspi_tracker_technologies"}
    linked: dict[str, list[str]] = {}
    for t in tax.technologies:
        for m in t.lists:
            linked.setdefault(m.item, []).append(t.key)
    for n in names:
        assert n in by_name, n
        assert linked.get(by_name[n].key), f"ASPI {n!r} has no technology"
    # One row per ASPI item, except where one ASPI item names two things we keep apart.
    shared_rows = {i for n in names if len(linked[(i := by_name[n].key)]) > 1}
    assert shared_rows <= {"aspi_tracker_technologies:advanced-magnets-and-superconductors",
                           "aspi_tracker_technologies:advanced-radiofrequency-communication",
                           "aspi_tracker_technologies:nuclear-energy"}
    ref = yaml.safe_load((REFERENCE / "jp_specified_critical_tech_areas.yaml").read_text(encoding="utf-8"))
    jp = {i.name_ja: i.key for i in tax.items.values() if i.list == "jp_specified_critical_tech_areas"}
    for a in ref["areas"]:
        assert linked.get(jp[a["name_ja"]]), f"JP area {a['no']} {a['name_ja']} has no technology"
    # Broad technologies keep only the ASPI domain item; the narrow rows link the ASPI technology.
    assert "aspi_tracker_technologies:radar" not in {m.item for m in tax.get("tech:sensing").lists}
    assert "aspi_tracker_technologies:radar" in {m.item for m in tax.get("tech:radar").lists}


def test_every_technology_has_a_checked_search_definition(tax):
    from ingest.taxonomy import ARXIV_CATEGORIES, load_definitions

    defs = load_definitions(tax=tax)
    assert set(defs.by_tech) == {t.key for t in tax.technologies}
    for d in defs.by_tech.values():
        assert d.version >= 1 and d.id == f"{d.tech}@{d.version}"
        assert set(d.arxiv.categories) <= ARXIV_CATEGORIES and d.arxiv.categories
        assert d.openalex.search or d.openalex.concepts or d.openalex.topics
        assert d.text.terms == "taxonomy"
    with pytest.raises(Exception):
        defs["tech:ai"].__setattr__("version", 9)            # frozen


def _defs_data() -> dict:
    from ingest.taxonomy import DEFINITIONS_PATH

    return yaml.safe_load(DEFINITIONS_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["definitions"].pop("tech:radar"), "no search definition for tech:radar"),
    (lambda d: d["definitions"].__setitem__("tech:nope", d["definitions"]["tech:radar"]), "unknown technology tech:nope"),
    (lambda d: d["definitions"]["tech:radar"]["arxiv"].__setitem__("categories", ["eess.sp"]), "unknown arXiv categories"),
    (lambda d: d["definitions"]["tech:radar"]["openalex"].__setitem__("search", ["radar, sonar"]), "no commas"),
    (lambda d: d["definitions"]["tech:radar"]["openalex"].__setitem__("topics", ["radar"]), "not an OpenAlex topic"),
    (lambda d: d["definitions"]["tech:radar"].__setitem__("openalex", {}), "needs search phrases"),
])
def test_bad_definitions_are_refused_naming_the_technology(tax, edit, message):
    from ingest.taxonomy import parse_definitions

    data = _defs_data()
    edit(data)
    with pytest.raises(ConfigError, match=message) as e:
        parse_definitions(data, tax, "defs.yaml")
    assert "defs.yaml" in str(e.value)


def test_definitions_render_to_openalex_filters_and_arxiv_queries(tax):
    from urllib.parse import parse_qs, urlencode, urlparse

    from ingest.taxonomy import SearchDefinition, arxiv_query, load_definitions, openalex_filter

    d = SearchDefinition(tech="tech:quantum-computing", version=2,
                         openalex={"search": ["quantum computing", "qubit"], "topics": ["T10622"]},
                         arxiv={"categories": ["quant-ph", "cs.ET"], "keywords": ["quantum computing", "qubit"]})
    assert openalex_filter(d) == 'title_and_abstract.search:"quantum computing" OR "qubit",topics.id:T10622'
    assert arxiv_query(d) == '(cat:quant-ph OR cat:cs.ET) AND (abs:"quantum computing" OR abs:"qubit")'
    one = SearchDefinition(tech="tech:radar", version=1, openalex={"concepts": ["C154945302"]}, arxiv={"categories": ["eess.SP"]})
    assert openalex_filter(one) == "concepts.id:C154945302" and arxiv_query(one) == "cat:eess.SP"
    # Every shipped definition renders to a filter whose commas separate only whole filters, and
    # survives URL encoding unchanged.
    for d in load_definitions(tax=tax).by_tech.values():
        f, q = openalex_filter(d), arxiv_query(d)
        assert all(p.split(":", 1)[0] in ("title_and_abstract.search", "topics.id", "concepts.id") for p in f.split(","))
        url = "https://api.openalex.org/works?" + urlencode({"filter": f, "group_by": "authorships.countries"})
        assert parse_qs(urlparse(url).query)["filter"] == [f]
        assert q.count('"') % 2 == 0 and ("cat:" in q or "abs:" in q)
        assert len(url) < 4000, d.tech                      # OpenAlex's URL limit is about 4 KB
    ai = load_definitions(tax=tax)["tech:ai"]
    assert openalex_filter(ai) == "concepts.id:C154945302"   # the concept behind the kept AI reference counts


def test_show_command_lists_every_technology_with_aspi_links_and_definitions(cli_env):
    out = subprocess.run([sys.executable, "-m", "cli.main", "taxonomy", "show", "--json"], env=cli_env,
                         capture_output=True, text=True, check=True, cwd=REPO)
    data = json.loads(out.stdout)
    techs = data["technologies"]
    assert len(techs) >= 74 and data["definitions_version"]
    ref = yaml.safe_load(require(REFERENCE / "aspi_tracker_technologies.yaml").read_text(encoding="utf-8"))
    ids = {a["id"] for t in techs for a in t["aspi"]}
    names = {a["name"] for t in techs for a in t["aspi"]}
    assert set(_aspi_reference()) <= names and len(ids) == 74
    assert {c["id"] for c in ref["categories"]}.isdisjoint(ids)          # domains are not rows
    jp = {x for t in techs for x in t["lists"] if x.startswith("jp_specified_critical_tech_areas:")}
    assert jp == {f"jp_specified_critical_tech_areas:{i}" for i in range(1, 21)}
    for t in techs:
        d = t["definition"]
        assert d["id"].startswith(t["key"] + "@") and d["openalex_filter"] and d["arxiv_search_query"]
        assert d["text"]["terms"] == "taxonomy" and d["text"]["terms_en"] > 0 and d["text"]["min_rule"] > 0
    radar = next(t for t in techs if t["key"] == "tech:radar")
    assert radar["aspi"] == [{"id": "radar", "name": "Radar", "verified": True}]


# ---------------------------------------------------------------- precision of the text rules

def test_rule_precision_on_the_hand_labelled_sample(shared_data, tax):
    from analysis.definition_quality import FLOOR, LABELS_PATH, MIN_N, POOLED_FLOOR, TOO_BROAD, measure, read_labels

    labels = read_labels(require(LABELS_PATH), tax)
    assert len(labels) >= 500
    assert {lb.tech for lb in labels} == {t.key for t in tax.technologies}     # every row was sampled
    assert all(lb.reason for lb in labels) and {lb.relevant for lb in labels} == {True, False}
    rep = measure(shared_data, labels, tax)
    assert rep.taxonomy_version == tax.version and rep.n == sum(r.n for r in rep.rows) > 400
    assert rep.precision >= POOLED_FLOOR and rep.lo <= rep.precision <= rep.hi
    for r in rep.rows:
        assert r.n <= r.labelled and r.relevant <= r.n
        if r.n:
            assert r.lo <= r.precision <= r.hi
        assert r.too_broad == (r.n >= MIN_N and r.precision < FLOOR)
    # The list of too-broad definitions is documented (docs/taxonomy.md); a change shows here.
    assert tuple(rep.too_broad) == TOO_BROAD


def test_labels_file_errors_name_the_file_and_line(tmp_path, tax):
    from analysis.definition_quality import read_labels

    p = tmp_path / "labels.csv"
    p.write_text("tech,source,doc_id,relevant,reason\ntech:radar,robotics,x,1,ok\ntech:nope,robotics,y,0,bad\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"labels.csv:3: unknown technology tech:nope"):
        read_labels(p, tax)
    p.write_text("tech,source,doc_id,relevant,reason\ntech:radar,robotics,x,yes,ok\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"labels.csv:2: relevant must be 0 or 1"):
        read_labels(p, tax)


def test_precision_command(shared_data, cli_env):
    out = subprocess.run([sys.executable, "-m", "cli.main", "taxonomy", "precision", "--data", str(shared_data), "--json"],
                         env=cli_env, capture_output=True, text=True, check=True, cwd=REPO)
    data = json.loads(out.stdout)
    assert data["interval"] == "90% Wilson" and data["pooled"]["n"] > 400
    rows = {r["tech"]: r for r in data["technologies"]}
    assert rows["tech:radar"]["n"] >= 5 and rows["tech:radar"]["precision"] is not None
    assert set(data["too_broad"]) == {k for k, r in rows.items() if r["too_broad"]}
