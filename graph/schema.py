"""The graph's schema: a uniqueness constraint for every node key, the further
unique external IDs, and the indexes the queries use. ``ensure_schema`` is
idempotent; later modules add their statements to ``STATEMENTS``.
"""

from __future__ import annotations

from graph.names import KEYS, WORK, WORK_IDS
from graph.store import Store

STATEMENTS: list[str] = [
    *(f"CREATE CONSTRAINT {label.lower()}_key IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
      for label, key in KEYS.items()),
    *(f"CREATE CONSTRAINT work_{p} IF NOT EXISTS FOR (n:{WORK}) REQUIRE n.{p} IS UNIQUE" for p in WORK_IDS),
    "CREATE INDEX work_year IF NOT EXISTS FOR (n:Work) ON (n.year)",
    "CREATE INDEX organization_openalex IF NOT EXISTS FOR (n:Organization) ON (n.openalex_id)",
    "CREATE INDEX organization_ror IF NOT EXISTS FOR (n:Organization) ON (n.ror)",
    "CREATE INDEX organization_name IF NOT EXISTS FOR (n:Organization) ON (n.name)",
    "CREATE INDEX organization_canonical IF NOT EXISTS FOR (n:Organization) ON (n.canonical_key)",
    "CREATE INDEX organization_match_form IF NOT EXISTS FOR (n:Organization) ON (n.match_form)",
    "CREATE INDEX topic_scheme IF NOT EXISTS FOR (n:Topic) ON (n.scheme, n.level)",
    "CREATE INDEX author_name IF NOT EXISTS FOR (n:Author) ON (n.name)",
    # Technologies (graph/technology.py): ABOUT edges are replaced per method
    "CREATE INDEX about_method IF NOT EXISTS FOR ()-[r:ABOUT]-() ON (r.method)",
    "CREATE INDEX listitem_list IF NOT EXISTS FOR (n:ListItem) ON (n.list)",
    # Policy documents and export controls (graph/policy.py)
    "CREATE INDEX policydocument_date IF NOT EXISTS FOR (n:PolicyDocument) ON (n.date)",
    "CREATE INDEX exportcontrol_month IF NOT EXISTS FOR (n:ExportControl) ON (n.country, n.month)",
    # Patents (graph/patent.py); Patent, Family and CPC keys come from KEYS
    "CREATE INDEX patent_year IF NOT EXISTS FOR (n:Patent) ON (n.year)",
    "CREATE INDEX cpc_level IF NOT EXISTS FOR (n:CPC) ON (n.level)",
    # Materialised rankings (graph/rankings.py)
    "CREATE CONSTRAINT ranking_key IF NOT EXISTS FOR (n:Ranking) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX ranking_combo IF NOT EXISTS FOR (n:Ranking) ON (n.technology, n.by, n.window, n.counting, n.profile)",
    # Emerging-area clusters (graph/clusters.py); vector indexes are sized per model in graph/vectors.py
    "CREATE INDEX cluster_current IF NOT EXISTS FOR (n:Cluster) ON (n.scope, n.current)",
    "CREATE INDEX cluster_run IF NOT EXISTS FOR (n:Cluster) ON (n.run)",
    "CREATE INDEX clusterrun_scope IF NOT EXISTS FOR (n:ClusterRun) ON (n.scope, n.status)",
    # Population counts (graph/counts.py)
    "CREATE CONSTRAINT populationcount_key IF NOT EXISTS FOR (n:PopulationCount) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT populationtotal_key IF NOT EXISTS FOR (n:PopulationTotal) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT populationevidence_key IF NOT EXISTS FOR (n:PopulationEvidence) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX populationevidence_tech IF NOT EXISTS FOR (n:PopulationEvidence) ON (n.technology, n.country)",
    "CREATE INDEX populationcount_slice IF NOT EXISTS FOR (n:PopulationCount) ON (n.technology, n.entity_kind, n.year)",
    "CREATE INDEX populationtotal_slice IF NOT EXISTS FOR (n:PopulationTotal) ON (n.technology, n.year)",
]


def ensure_schema(store: Store) -> None:
    for stmt in STATEMENTS:
        store.autocommit(stmt)
    store.autocommit("CALL db.awaitIndexes(300)")
