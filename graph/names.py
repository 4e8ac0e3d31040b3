"""Graph vocabulary: every label, relationship type and node key, named once."""

from __future__ import annotations

from typing import Final

# Node labels
WORK: Final = "Work"
AUTHOR: Final = "Author"
ORGANIZATION: Final = "Organization"
COUNTRY: Final = "Country"
TOPIC: Final = "Topic"
SOURCE: Final = "Source"
INGEST_RUN: Final = "IngestRun"
TECHNOLOGY: Final = "Technology"            # graph/technology.py
LIST_ITEM: Final = "ListItem"              # an item of an official critical-technology list
POLICY_DOCUMENT: Final = "PolicyDocument"   # graph/policy.py
MATERIAL: Final = "Material"              # graph/material.py: element symbol, "graphite", "rare-earths"
EXPORT_CONTROL: Final = "ExportControl"    # keyed "ec:<country>:<material>:<yyyy-mm>"
PATENT: Final = "Patent"                  # graph/patent.py: "pat:<CC><number><kind>"
FAMILY: Final = "Family"                  # "docdb:<id>", else "app:<CC><number>" / "pub:<CC><number>"
CPC: Final = "CPC"                        # keyed by code: "H", "H01", "H01L", "H01L21/00", "H01L21/02"
CLUSTER: Final = "Cluster"                # graph/clusters.py: an emerging-area cluster of one run, keyed "<scope>:<id>@<run>"
CLUSTER_RUN: Final = "ClusterRun"         # one clustering run of a scope; status writing/current/replaced
EMBEDDING_STATE: Final = "EmbeddingState"  # graph/vectors.py: one per embeddable label, its live and staged model

# Relationship types
AUTHORED: Final = "AUTHORED"            # (Author)-[:AUTHORED {position, author_position, raw_affiliations}]->(Work)
AFFILIATION: Final = "AFFILIATION"      # (Work)-[:AFFILIATION {position, fraction}]->(Organization)
IN_COUNTRY: Final = "IN_COUNTRY"        # (Work)-[:IN_COUNTRY {position, fraction}]->(Country)
LOCATED_IN: Final = "LOCATED_IN"        # (Organization)-[:LOCATED_IN]->(Country)
CHILD_OF: Final = "CHILD_OF"            # (Organization)-[:CHILD_OF]->(Organization), from OpenAlex lineage
SAME_AS: Final = "SAME_AS"              # (Organization)-[:SAME_AS {method, score, detail}]->(canonical Organization); graph/orgs.py
HAS_TOPIC: Final = "HAS_TOPIC"          # (Work)-[:HAS_TOPIC {score}]->(Topic)
PART_OF: Final = "PART_OF"              # (Topic)-[:PART_OF]->(Topic)
CITES: Final = "CITES"                  # (Work)-[:CITES]->(Work), only where both ends are present
FROM: Final = "FROM"                    # (Work)-[:FROM {locator}]->(Source)
READ: Final = "READ"                    # (IngestRun)-[:READ]->(Source)
IN_LIST: Final = "IN_LIST"              # (Technology)-[:IN_LIST {verified}]->(ListItem); (ListItem)-[:PART_OF]->(ListItem); (Technology)-[:CHILD_OF]->(Technology)
DEPENDS_ON: Final = "DEPENDS_ON"        # (Technology)-[:DEPENDS_ON {basis, note}]->(Material)
ABOUT: Final = "ABOUT"                  # (Work|Patent|PolicyDocument)-[:ABOUT {score, method}]->(Technology)
MENTIONS: Final = "MENTIONS"            # (PolicyDocument)-[:MENTIONS {count, offsets, lengths, method}]->(Country|Organization|Material|Technology)
BY: Final = "BY"                        # (ExportControl)-[:BY]->(Country)
CONTROLS: Final = "CONTROLS"            # (ExportControl)-[:CONTROLS]->(Material)
STATED_IN: Final = "STATED_IN"          # (ExportControl)-[:STATED_IN {basis, offset}]->(PolicyDocument)
IN_FAMILY: Final = "IN_FAMILY"          # (Patent)-[:IN_FAMILY]->(Family)
ASSIGNED_TO: Final = "ASSIGNED_TO"      # (Patent)-[:ASSIGNED_TO {fraction}]->(Organization)
INVENTOR_COUNTRY: Final = "INVENTOR_COUNTRY"  # (Patent)-[:INVENTOR_COUNTRY {fraction}]->(Country); applicant country is IN_COUNTRY {fraction, role}
CLASSIFIED_AS: Final = "CLASSIFIED_AS"  # (Patent)-[:CLASSIFIED_AS {scheme}]->(CPC); (CPC)-[:PART_OF]->(CPC)
IN_CLUSTER: Final = "IN_CLUSTER"        # (Work|Patent|PolicyDocument)-[:IN_CLUSTER {similarity}]->(Cluster)
RELATED_TO: Final = "RELATED_TO"        # (Cluster)-[:RELATED_TO {score, rank}]->(Technology)
IN_RUN: Final = "IN_RUN"                # (Cluster)-[:IN_RUN]->(ClusterRun)

# The unique key of each label. Every label has exactly one.
KEYS: Final[dict[str, str]] = {
    WORK: "key",
    AUTHOR: "key",
    ORGANIZATION: "key",
    COUNTRY: "code",
    TOPIC: "key",
    SOURCE: "key",
    INGEST_RUN: "key",
    TECHNOLOGY: "key",
    LIST_ITEM: "key",
    POLICY_DOCUMENT: "key",
    MATERIAL: "key",
    EXPORT_CONTROL: "key",
    PATENT: "key",
    FAMILY: "key",
    CPC: "code",
    CLUSTER: "key",
    CLUSTER_RUN: "key",
}

# Further unique external identifiers, so the same paper from several sources
# resolves to one node.
WORK_IDS: Final = ("doi", "openalex_id", "arxiv_id")

