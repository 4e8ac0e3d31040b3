"""Emerging-area clusters: pure functions, and runs against the real Neo4j
(written clusters, stable IDs across reruns, swap semantics on a crash)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.cluster_keywords import tokens
from analysis.cluster_params import Params
from analysis.clusters import match_ids, run
from analysis.emergence import as_of_year, score, stats
from analysis.embed import embed_nodes, get_embedder
from graph import clusters as gc

TOPICS = {
    "qkd": (["Quantum key distribution", "Decoy-state QKD", "Measurement-device-independent quantum key distribution",
             "Continuous-variable quantum key distribution"],
            ["over deployed telecom fibre", "with single-photon detectors", "secure against collective attacks",
             "between metropolitan nodes", "with finite-key analysis", "using entangled photon pairs"]),
    "legs": (["Legged robot locomotion", "Quadruped robot walking", "Bipedal humanoid gait control",
              "Reinforcement learning for legged locomotion"],
             ["on rough terrain", "with model predictive control", "trained in simulation and transferred to hardware",
              "using proprioceptive feedback", "at high running speed", "with whole-body balance control"]),
    "battery": (["Lithium-ion battery cathodes", "Nickel-rich layered cathode materials", "Solid-state lithium batteries",
                 "Silicon anodes for lithium-ion cells"],
                ["with long cycle life", "under fast charging", "with reduced capacity fade",
                 "for electric vehicles", "with stable electrode interfaces", "at high energy density"]),
}
PARAMS = Params(k=6, resolution=0.5, min_size=5)


def _docs(topics=TOPICS, first_year: dict[str, int] | None = None):
    first_year = first_year or {}
    out = []
    for t, (heads, tails) in topics.items():
        for i, (h, tl) in enumerate(itertools.product(heads, tails)):
            y0 = first_year.get(t, 2015)
            out.append({"key": f"test:{t}:{i}", "title": f"{h} {tl}", "abstract": f"We study {h.lower()} {tl}.",
                        "year": y0 + i % (2024 - y0), "cited_by_count": i % 7})
    return out


def _load(store, docs) -> None:
    store.write("UNWIND $rows AS r MERGE (w:Work {key: r.key}) SET w += r", rows=docs)
    embed_nodes(store, get_embedder("use-multilingual"))


def _current(store, scope="works"):
    return store.read("MATCH (c:Cluster {scope: $scope, current: true}) OPTIONAL MATCH (c)<-[m:IN_CLUSTER]-(w:Work) "
                      "RETURN c.id AS id, c.run AS run, collect(w.key) AS keys ORDER BY id", scope=scope)


def _topic_of(keys: list[str]) -> set[str]:
    return {k.split(":")[1] for k in keys}


# ------------------------------------------------------------------ pure functions


def test_tokens_en_ja() -> None:
    t = tokens("Rare-earth-free magnets for the motors. レアアースフリー磁石の開発")
    assert "magnets" in t and "rare-earth-free magnets" in t and "the" not in t
    assert "レアアースフリー" in t and "磁石" in t and "開発" in t


def test_as_of_skips_partial_last_year_and_gaps() -> None:
    years = np.array([2019] * 100 + [2020] * 110 + [2021] * 120 + [2022] * 130 + [2023] * 140 + [2024] * 10)
    assert as_of_year(years) == 2023
    gap = np.array([y for y in range(2000, 2010) for _ in range(100)] + [2016] * 100)
    assert as_of_year(gap) == 2009


def test_match_ids_by_overlap_never_reuses() -> None:
    old = {"C00001": {"a", "b", "c", "d"}, "C00002": {"e", "f", "g"}, "C00003": {"x", "y"}}
    new = {0: {"a", "b", "c", "z"}, 1: {"e", "f", "g", "h"}, 2: {"p", "q"}}
    ids, nxt = match_ids(new, old, next_id=4)
    assert ids == {0: "C00001", 1: "C00002", 2: "C00004"} and nxt == 5


def test_emergence_parts_and_growth() -> None:
    rng = np.random.default_rng(0)
    centers = np.eye(4, 16, dtype=np.float32)
    x, labels, years = [], [], []
    for c, yrs in enumerate([range(2010, 2020), range(2010, 2020), range(2010, 2020), range(2018, 2020)]):
        for y in yrs:
            for _ in range(10 if c < 3 else 30):
                v = centers[c] + 0.1 * rng.standard_normal(16).astype(np.float32)
                x.append(v / np.linalg.norm(v)); labels.append(c); years.append(y)
    st = score(stats(np.array(x), np.array(labels), np.array(years), None, 2019, Params()))
    new = st[3]
    assert new.share_growth > 1 > st[0].share_growth
    assert new.parts["growth"] == 1.0 and new.parts["impact"] is None
    assert new.emergence == max(s.emergence for s in st)
    assert set(new.parts) == {"novelty", "growth", "coherence", "impact"}


# ------------------------------------------------------------------ the graph


@pytest.fixture
def corpus(store):
    _load(store, _docs())
    return store


def test_clusters_written_with_scores(corpus) -> None:
    rep = run(corpus, params=PARAMS)
    assert rep.clusters == 3 and rep.docs == 72 and rep.new_ids == 3
    got = _current(corpus)
    assert sorted(len(_topic_of(r["keys"])) for r in got) == [1, 1, 1]  # each cluster is one topic
    rows = gc.current(corpus, "works")
    assert all(r["keywords_en"] and r["emergence"] is not None and r["p_growth"] is not None for r in rows)
    by_topic = {next(iter(_topic_of(r["keys"]))): r["id"] for r in got}
    kw = {r["id"]: " ".join(r["keywords_en"]) for r in rows}
    assert "quantum" in kw[by_topic["qkd"]] and "lithium" not in kw[by_topic["qkd"]]
    assert "battery" in kw[by_topic["battery"]] or "lithium" in kw[by_topic["battery"]]
    assert "quantum" not in kw[by_topic["battery"]]
    assert corpus.read("MATCH (r:ClusterRun) RETURN r.status AS s") == [{"s": "current"}]
    # centroids for the dashboard map: unit vectors in the embedder's space, one per cluster
    dims = corpus.read("MATCH (c:Cluster {current: true}) RETURN size(c.centroid) AS d, "
                       "reduce(s = 0.0, v IN c.centroid | s + v * v) AS norm")
    assert len(dims) == 3 and all(r["d"] == 512 and abs(r["norm"] - 1.0) < 1e-3 for r in dims)
    from api.ui_routes import clusters_view

    view = clusters_view(corpus)
    assert view["layout"] == "PCA of cluster centroids"
    assert len({(c["x"], c["y"]) for c in view["clusters"]}) == 3 and all("centroid" not in c for c in view["clusters"])
    # a second corpus is its own map: laid out apart (each scope's PCA is centred on its own clusters)
    run(corpus, scope="again", params=PARAMS)
    view = clusters_view(corpus)
    by_scope: dict[str, list] = {}
    for c in view["clusters"]:
        by_scope.setdefault(c["scope"], []).append(c)
    assert sorted(by_scope) == ["again", "works"] and all(len(v) == 3 for v in by_scope.values())
    assert all(abs(sum(c["x"] for c in v)) < 1e-3 and abs(sum(c["y"] for c in v)) < 1e-3 for v in by_scope.values())


def test_ids_stable_across_reruns(corpus) -> None:
    run(corpus, params=PARAMS)
    first = {r["id"]: set(r["keys"]) for r in _current(corpus)}
    rep = run(corpus, params=PARAMS)
    assert rep.kept_ids == 3 and rep.new_ids == 0
    assert {r["id"]: set(r["keys"]) for r in _current(corpus)} == first
    assert len(corpus.read("MATCH (r:ClusterRun) RETURN r")) == 1  # the replaced run was purged

    # A new topic arrives and one topic grows: old IDs follow their members, the new one gets a fresh ID.
    extra = {"drones": (["Drone swarm formation flight", "Multi-UAV cooperative path planning",
                         "Quadrotor swarm collision avoidance", "Unmanned aerial vehicle swarms"],
                        ["with decentralised consensus", "in GPS-denied environments", "for search and rescue",
                         "with onboard vision", "under wind disturbances", "for area coverage"])}
    _load(corpus, _docs(extra, {"drones": 2021}))
    rep = run(corpus, params=PARAMS)
    now = {r["id"]: set(r["keys"]) for r in _current(corpus)}
    assert rep.kept_ids == 3 and rep.new_ids == 1
    for cid, keys in first.items():
        assert keys <= now[cid]
    [fresh] = set(now) - set(first)
    assert _topic_of(list(now[fresh])) == {"drones"} and fresh not in first


def test_crash_before_swap_keeps_previous_clusters(corpus) -> None:
    run(corpus, params=PARAMS)
    before = _current(corpus)
    with pytest.raises(RuntimeError):
        run(corpus, params=PARAMS, fail_before_swap=True)
    # The half-finished run exists but is not current; readers still see the previous clusters.
    assert {r["s"] for r in corpus.read("MATCH (r:ClusterRun) RETURN r.status AS s")} == {"current", "writing"}
    assert _current(corpus) == before
    assert len(gc.current(corpus, "works")) == 3
    rep = run(corpus, params=PARAMS)
    assert rep.kept_ids == 3
    assert corpus.read("MATCH (r:ClusterRun) RETURN r.status AS s") == [{"s": "current"}]
    assert corpus.read("MATCH (c:Cluster) RETURN count(c) AS n") == [{"n": 3}]


def test_related_to_technologies(corpus) -> None:
    corpus.write("UNWIND $rows AS t MERGE (n:Technology {key: t.key}) SET n += t", rows=[
        {"key": "tech:quantum-communication", "name": "Quantum communication", "name_ja": "量子通信",
         "description": "Quantum key distribution and quantum networks for secure communication.",
         "terms_en": ["quantum key distribution", "QKD"], "terms_ja": ["量子暗号通信"]},
        {"key": "tech:batteries", "name": "Batteries and energy storage", "name_ja": "蓄電池",
         "description": "Lithium-ion and solid-state batteries, cathodes and anodes.",
         "terms_en": ["lithium-ion battery"], "terms_ja": ["全固体電池"]},
    ])
    run(corpus, params=PARAMS)
    rows = corpus.read("MATCH (c:Cluster {current: true})-[r:RELATED_TO {rank: 1}]->(t:Technology) "
                       "MATCH (c)<-[:IN_CLUSTER]-(w) RETURN t.key AS tech, collect(DISTINCT split(w.key, ':')[1]) AS topics")
    got = {r["tech"]: set(r["topics"]) for r in rows}
    assert got["tech:quantum-communication"] == {"qkd"}
    assert got["tech:batteries"] == {"battery"}
