"""Emerging-area clusters in the graph, written so a reader never sees a half-written run.

    (:ClusterRun {key: "<scope>@<run>", scope, run, status, model, as_of, params_json,
                  n_docs, n_clusters, next_id, started, finished})
    (:Cluster {key: "<scope>:<id>@<run>", id, scope, run, current, size, label,
               keywords_en, keywords_ja, years, year_counts, recent, baseline,
               recent_share, baseline_share, share_growth, cagr, novelty, impact,
               coherence, emergence, p_novelty, p_growth, p_coherence, p_impact})
        -[:IN_RUN]->(:ClusterRun)
        -[:RELATED_TO {score, rank}]->(:Technology)
    (:Work|:Patent|:PolicyDocument)-[:IN_CLUSTER {similarity}]->(:Cluster)

``id`` ("C00017") is the stable identity: a rerun gives a cluster the ID of the
previous cluster it overlaps most. A run writes everything with ``current =
false`` and status ``writing``; one transaction then flips it to current and
the previous run to ``replaced``; replaced and abandoned runs are deleted
afterwards. A crash before the flip leaves the previous clusters current.
Readers use ``MATCH (c:Cluster {scope: $scope, current: true})``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from graph.store import Store


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def previous(store: Store, scope: str) -> tuple[dict[str, set[str]], int]:
    """The current run's members by cluster ID, and the next unused cluster number."""
    rows = store.read("MATCH (r:ClusterRun {scope: $scope}) RETURN max(r.next_id) AS next_id", scope=scope)
    next_id = rows[0]["next_id"] or 1 if rows else 1
    members: dict[str, set[str]] = {}
    for r in store.read("MATCH (c:Cluster {scope: $scope, current: true})<-[:IN_CLUSTER]-(d) "
                        "RETURN c.id AS id, collect(d.key) AS keys", scope=scope):
        members[r["id"]] = set(r["keys"])
    return members, next_id


def open_run(store: Store, scope: str, run: str, model: str, params: dict[str, Any]) -> None:
    store.write("CREATE (r:ClusterRun {key: $key, scope: $scope, run: $run, status: 'writing', model: $model, "
                "params_json: $params, started: datetime()})",
                key=f"{scope}@{run}", scope=scope, run=run, model=model, params=json.dumps(params, sort_keys=True))


def write_clusters(store: Store, scope: str, run: str, clusters: Sequence[dict[str, Any]]) -> None:
    """clusters: {id, props}; written not current, attached to the run."""
    store.write("""
        MATCH (r:ClusterRun {key: $run_key})
        UNWIND $rows AS c
        CREATE (n:Cluster {key: $scope + ':' + c.id + '@' + $run, id: c.id, scope: $scope, run: $run, current: false})
        SET n += c.props
        CREATE (n)-[:IN_RUN]->(r)
        """, rows=list(clusters), scope=scope, run=run, run_key=f"{scope}@{run}")


def write_members(store: Store, scope: str, run: str, label: str, rows: Iterable[dict[str, Any]], batch: int = 5000) -> None:
    """rows: {key (document key), id (cluster id), similarity}."""
    rows = list(rows)
    for i in range(0, len(rows), batch):
        store.write(f"UNWIND $rows AS m MATCH (d:{_q(label)} {{key: m.key}}) "
                    "MATCH (c:Cluster {key: $scope + ':' + m.id + '@' + $run}) "
                    "CREATE (d)-[:IN_CLUSTER {similarity: m.similarity}]->(c)",
                    rows=rows[i:i + batch], scope=scope, run=run)


def write_related(store: Store, scope: str, run: str, rows: Sequence[dict[str, Any]]) -> None:
    """rows: {id (cluster id), tech (Technology key), score, rank}."""
    if rows:
        store.write("UNWIND $rows AS m MATCH (c:Cluster {key: $scope + ':' + m.id + '@' + $run}) "
                    "MATCH (t:Technology {key: m.tech}) "
                    "CREATE (c)-[:RELATED_TO {score: m.score, rank: m.rank}]->(t)",
                    rows=list(rows), scope=scope, run=run)


SWAP = """
MATCH (new:ClusterRun {key: $key}) WHERE new.status = 'writing'
SET new.status = 'current', new.finished = datetime(), new += $summary
WITH new
OPTIONAL MATCH (old:ClusterRun {scope: $scope, status: 'current'}) WHERE old <> new
SET old.status = 'replaced'
WITH DISTINCT new
CALL (new) { MATCH (c:Cluster {scope: $scope, current: true}) SET c.current = false }
CALL (new) { MATCH (c:Cluster {run: $run, scope: $scope}) SET c.current = true }
RETURN count(*) AS swapped
"""


def swap(store: Store, scope: str, run: str, summary: dict[str, Any]) -> None:
    """Make the run current in one transaction; the previous run becomes 'replaced'."""
    store.write(SWAP, key=f"{scope}@{run}", scope=scope, run=run, summary=summary)


def purge(store: Store, scope: str, keep_run: str | None = None) -> int:
    """Delete replaced runs and abandoned (crashed) 'writing' runs of the scope, except keep_run."""
    runs = [r["run"] for r in store.read(
        "MATCH (r:ClusterRun {scope: $scope}) WHERE r.status IN ['replaced', 'writing'] AND r.run <> $keep "
        "RETURN r.run AS run", scope=scope, keep=keep_run or "")]
    for run in runs:
        store.autocommit("MATCH (c:Cluster {run: $run, scope: $scope}) "
                         "CALL (c) { DETACH DELETE c } IN TRANSACTIONS OF 200 ROWS", run=run, scope=scope)
        store.write("MATCH (r:ClusterRun {key: $key}) DETACH DELETE r", key=f"{scope}@{run}")
    return len(runs)


def technologies(store: Store) -> list[dict[str, Any]]:
    return store.read("MATCH (t:Technology) WHERE coalesce(t.current, true) "
                      "RETURN t.key AS key, t.name AS name, t.name_ja AS name_ja, t.description AS description, "
                      "t.terms_en AS terms_en, t.terms_ja AS terms_ja ORDER BY t.key")


CURRENT = """
MATCH (c:Cluster {current: true}) WHERE $scope IS NULL OR c.scope = $scope
OPTIONAL MATCH (c)-[r:RELATED_TO]->(t:Technology)
WITH c, collect({key: t.key, name: t.name, score: r.score}) AS techs
RETURN c.scope AS scope, c.id AS id, c.key AS key, c.size AS size, c.label AS label,
       c.keywords_en AS keywords_en, c.keywords_ja AS keywords_ja, c.emergence AS emergence,
       c.p_novelty AS p_novelty, c.p_growth AS p_growth, c.p_coherence AS p_coherence, c.p_impact AS p_impact,
       c.novelty AS novelty, c.share_growth AS share_growth, c.cagr AS cagr, c.coherence AS coherence,
       c.impact AS impact, c.recent AS recent, c.baseline AS baseline, c.years AS years, c.year_counts AS year_counts,
       [x IN techs WHERE x.key IS NOT NULL] AS technologies
ORDER BY c.emergence DESC, c.id LIMIT $limit
"""


def current(store: Store, scope: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The current clusters, most emerging first (the API and UI call this)."""
    return store.read(CURRENT, scope=scope, limit=limit)


def runs(store: Store, scope: str | None = None) -> list[dict[str, Any]]:
    return store.read("MATCH (r:ClusterRun) WHERE $scope IS NULL OR r.scope = $scope "
                      "RETURN r.scope AS scope, r.run AS run, r.status AS status, r.model AS model, r.as_of AS as_of, "
                      "r.n_docs AS n_docs, r.n_clusters AS n_clusters ORDER BY r.started DESC", scope=scope)


def members(store: Store, scope: str, cluster_id: str, limit: int = 20) -> list[dict[str, Any]]:
    return store.read("MATCH (c:Cluster {scope: $scope, current: true, id: $id})<-[m:IN_CLUSTER]-(d) "
                      "RETURN labels(d)[0] AS label, d.key AS key, d.title AS title, d.year AS year, "
                      "m.similarity AS similarity ORDER BY m.similarity DESC LIMIT $limit",
                      scope=scope, id=cluster_id, limit=limit)
