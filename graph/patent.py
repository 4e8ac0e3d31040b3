"""Patents in the graph: the batch writer for the typed record of core/patent.py.

    (:Patent {key:"pat:<CC><number><kind>", number, kind, country, …})
      -[:IN_FAMILY]->(:Family {key})
      -[:ASSIGNED_TO {fraction}]->(:Organization {key:"name:…"})
      -[:IN_COUNTRY {fraction, role:'applicant'}]->(:Country)   by applicant/assignee address
      -[:INVENTOR_COUNTRY {fraction}]->(:Country)               by inventor address
      -[:CLASSIFIED_AS {scheme}]->(:CPC {code, level})-[:PART_OF]->(:CPC)…
      -[:FROM {locator}]->(:Source)

Numbers are kept in DOCDB form so one publication read from USPTO, EPO and
Patent Public Search lands on one node: US numbers lose their zero padding and
US pre-grant publications their seventh-digit zero (US20050004437 → US2005004437).

Fractions: every owner (assignee, or applicant when nobody is assigned) counts
1/n of the patent; an owner whose country is unknown attributes its share to no
country, so a patent's IN_COUNTRY fractions sum to the share of owners with a
known address (1.0 when all are known). ASSIGNED_TO links only organisations, with
the same 1/n share. Inventors count 1/n each towards INVENTOR_COUNTRY.

Families: the DOCDB family ID when a source gives one ("docdb:<id>"); otherwise a
stand-in family: the source's own family grouping (Derwent, Lens), else one per
application ("app:<CC><number>") or, lacking that, per publication number, so
counting by family never counts one invention twice. A DOCDB family, once known,
replaces the stand-in; otherwise the first family a patent was given stays, so
each patent is in exactly one family. ``family_counts_by_country`` counts that way.

When a patent arrives from several records, node properties merge (a missing
value never erases a known one) and each edge group (owners, inventor countries,
classes) is replaced by the latest record that carries that group. Each place a
record was read from (file and position) keeps its fingerprint in ``fps``; a
re-read of an unchanged place writes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import neo4j

from graph.load import CHECKPOINT, Outcome
from core.patent import Party, Patent, class_chain
from ingest.orgkey import name_key


# --- writing -----------------------------------------------------------------

RESOLVE = """
UNWIND $keys AS k MATCH (p:Patent {key: k})
RETURN p.key AS key, coalesce(p.fps, []) AS fps, [(p)-[:IN_FAMILY]->(g:Family) | g.key] AS families
"""

MERGE_PATENTS = """
UNWIND $rows AS row
MERGE (p:Patent {key: row.key})
SET p += row.props,
    p.fps = [x IN coalesce(p.fps, []) WHERE NOT x STARTS WITH row.slot] + (row.slot + row.fp)
WITH p, row
MATCH (s:Source {key: $source})
MERGE (p)-[f:FROM]->(s)
SET f.locator = row.locator
"""

DROP_STANDIN_FAMILY = """
UNWIND $keys AS k
MATCH (p:Patent {key: k})-[r:IN_FAMILY]->(g:Family) WHERE NOT g.key STARTS WITH 'docdb:'
DELETE r
WITH DISTINCT g WHERE NOT EXISTS { (g)<-[:IN_FAMILY]-() }
DELETE g
"""

# Which rows get a family edge is decided in Python (see _family_rows).
MERGE_FAMILY = """
UNWIND $rows AS row
MATCH (p:Patent {key: row.key})
MERGE (f:Family {key: row.family})
SET f.family_id = coalesce(row.family_id, f.family_id)
MERGE (p)-[:IN_FAMILY]->(f)
"""

DROP_OWNERS = """
UNWIND $keys AS k MATCH (p:Patent {key: k})
CALL (p) { MATCH (p)-[r:ASSIGNED_TO]->() DELETE r }
CALL (p) { MATCH (p)-[r:IN_COUNTRY {role: 'applicant'}]->() DELETE r }
"""

DROP_INVENTORS = "UNWIND $keys AS k MATCH (p:Patent {key: k})-[r:INVENTOR_COUNTRY]->() DELETE r"

DROP_CLASSES = "UNWIND $keys AS k MATCH (p:Patent {key: k})-[r:CLASSIFIED_AS]->() DELETE r"

MERGE_COUNTRIES = "UNWIND $codes AS c MERGE (:Country {code: c})"

MERGE_ORGS = """
UNWIND $rows AS o
MERGE (g:Organization {key: o.key})
SET g.name = coalesce(g.name, o.name), g.country = coalesce(g.country, o.country)
WITH g WHERE g.country IS NOT NULL
MATCH (c:Country {code: g.country})
MERGE (g)-[:LOCATED_IN]->(c)
"""

MERGE_ASSIGNED = """
UNWIND $rows AS r
MATCH (p:Patent {key: r.patent}) MATCH (g:Organization {key: r.org})
MERGE (p)-[e:ASSIGNED_TO]->(g)
SET e.fraction = r.fraction
"""

MERGE_IN_COUNTRY = """
UNWIND $rows AS r
MATCH (p:Patent {key: r.patent}) MATCH (c:Country {code: r.country})
MERGE (p)-[e:IN_COUNTRY {role: 'applicant'}]->(c)
SET e.fraction = r.fraction
"""

MERGE_INVENTOR_COUNTRY = """
UNWIND $rows AS r
MATCH (p:Patent {key: r.patent}) MATCH (c:Country {code: r.country})
MERGE (p)-[e:INVENTOR_COUNTRY]->(c)
SET e.fraction = r.fraction
"""

MERGE_CPC = """
UNWIND $rows AS n
MERGE (c:CPC {code: n.code})
SET c.level = n.level
WITH c, n WHERE n.parent IS NOT NULL
MERGE (p:CPC {code: n.parent})
MERGE (c)-[:PART_OF]->(p)
"""

MERGE_CLASSIFIED = """
UNWIND $rows AS r
MATCH (p:Patent {key: r.patent}) MATCH (c:CPC {code: r.code})
MERGE (p)-[e:CLASSIFIED_AS]->(c)
SET e.scheme = r.scheme
"""


def _slot(source_key: str, locator: str) -> str:
    """Where a record sits (file and position): a patent read from several places
    keeps one fingerprint per place in ``fps``, so none of them looks changed on a
    re-read just because another place holds a different version."""
    return hashlib.blake2b(f"{source_key}|{locator}".encode(), digest_size=6).hexdigest() + ":"


def patent_props(p: Patent) -> dict[str, Any]:
    year = p.publication_date[:4] if p.publication_date else None
    props = {
        "number": p.number, "kind": p.kind, "country": p.country, "title": p.title, "abstract": p.abstract,
        "application_number": p.application_number, "application_date": p.application_date,
        "priority_date": p.priority_date, "publication_date": p.publication_date,
        "year": int(year) if year and year.isdigit() else None, "family_id": p.family_id,
        "cpc": list(p.cpc), "ipc": list(p.ipc), "priority_countries": list(p.priority_countries),
        "applicant_names": [a.name for a in p.applicants], "inventor_names": [i.name for i in p.inventors],
    }
    return {k: v for k, v in props.items() if v is not None and v != []}


def _shares(parties: Sequence[Party]) -> dict[str, float]:
    share: dict[str, float] = {}
    for a in parties:
        if a.country:
            share[a.country] = share.get(a.country, 0.0) + 1.0 / len(parties)
    return share


@dataclass
class _Rows:
    patents: list[dict[str, Any]] = field(default_factory=list)
    families: list[dict[str, Any]] = field(default_factory=list)
    docdb_keys: list[str] = field(default_factory=list)
    owner_keys: list[str] = field(default_factory=list)
    inventor_keys: list[str] = field(default_factory=list)
    class_keys: list[str] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    assigned: list[dict[str, Any]] = field(default_factory=list)
    in_country: list[dict[str, Any]] = field(default_factory=list)
    inventor_country: list[dict[str, Any]] = field(default_factory=list)
    cpc: dict[str, dict[str, Any]] = field(default_factory=dict)
    classified: list[dict[str, Any]] = field(default_factory=list)


def _owners(rows: _Rows, p: Patent) -> None:
    key = p.key
    rows.owner_keys.append(key)
    n = len(p.applicants)
    # Offices that do not mark persons (EP, DOCDB) list inventor-applicants among
    # the applicants; an owner named like an inventor is taken to be that person.
    people = {name_key(i.name) for i in p.inventors}
    orgs: dict[str, float] = {}
    for a in p.applicants:
        if a.organization and name_key(a.name) not in people:
            k = name_key(a.name)
            if k == "name:":
                continue
            rows.orgs.setdefault(k, {"key": k, "name": a.name, "country": a.country})
            orgs[k] = orgs.get(k, 0.0) + 1.0 / n
    rows.assigned += [{"patent": key, "org": k, "fraction": f} for k, f in orgs.items()]
    for c, f in _shares(p.applicants).items():
        rows.countries.add(c)
        rows.in_country.append({"patent": key, "country": c, "fraction": f})


def _inventors(rows: _Rows, p: Patent) -> None:
    rows.inventor_keys.append(p.key)
    for c, f in _shares(p.inventors).items():
        rows.countries.add(c)
        rows.inventor_country.append({"patent": p.key, "country": c, "fraction": f})


def _classes(rows: _Rows, p: Patent) -> None:
    rows.class_keys.append(p.key)
    # CPC when the record has it; IPC shares its hierarchy down to the main group.
    scheme, codes = ("cpc", p.cpc) if p.cpc else ("ipc", p.ipc)
    for code in dict.fromkeys(codes):
        chain = class_chain(code)
        for i, (c, level) in enumerate(chain):
            rows.cpc.setdefault(c, {"code": c, "level": level, "parent": chain[i - 1][0] if i else None})
        rows.classified.append({"patent": p.key, "code": code, "scheme": scheme})


def _family_rows(rows: _Rows, p: Patent, has: set[str]) -> None:
    """A DOCDB family replaces stand-ins; a stand-in is given only to a patent with no family yet."""
    fam = p.family_key
    if fam in has:
        return
    if p.family_id:
        if any(not k.startswith("docdb:") for k in has):
            rows.docdb_keys.append(p.key)
            has.difference_update([k for k in has if not k.startswith("docdb:")])
    elif has:
        return
    has.add(fam)
    rows.families.append({"key": p.key, "family": fam, "family_id": p.family_id})


def write_patents(tx: neo4j.ManagedTransaction, batch: Sequence[tuple[Patent, str]], source_kind: str, source_key: str,
                  done: int, complete: bool, force: bool = False) -> Outcome:
    """Write one batch of (Patent, locator) and advance the source checkpoint, in one transaction."""
    out = Outcome()
    stored, families = {}, {}
    for r in tx.run(RESOLVE, keys=list({p.key for p, _ in batch})):
        stored[r["key"]], families[r["key"]] = set(r["fps"]), set(r["families"])

    # The last record of a key in the batch decides each edge group; all records' properties merge.
    last: dict[tuple[str, str], Patent] = {}
    todo: list[tuple[Patent, str]] = []
    for p, loc in batch:
        if not force and p.fingerprint is not None and _slot(source_key, loc) + p.fingerprint in stored.get(p.key, ()):
            out.unchanged += 1
            continue
        out.written += 1
        todo.append((p, loc))
        for group, has in (("owners", p.applicants), ("inventors", p.inventors), ("classes", p.cpc or p.ipc)):
            if has:
                last[(group, p.key)] = p

    rows = _Rows()
    for p, loc in todo:
        rows.patents.append({"key": p.key, "props": patent_props(p), "locator": loc,
                             "slot": _slot(source_key, loc), "fp": p.fingerprint or ""})
        _family_rows(rows, p, families.setdefault(p.key, set()))
    for (group, _), p in last.items():
        {"owners": _owners, "inventors": _inventors, "classes": _classes}[group](rows, p)

    if rows.patents:
        tx.run(MERGE_PATENTS, rows=rows.patents, source=source_key).consume()
    if rows.docdb_keys:
        tx.run(DROP_STANDIN_FAMILY, keys=rows.docdb_keys).consume()
    if rows.families:
        tx.run(MERGE_FAMILY, rows=rows.families).consume()
    for cypher, keys in ((DROP_OWNERS, rows.owner_keys), (DROP_INVENTORS, rows.inventor_keys), (DROP_CLASSES, rows.class_keys)):
        if keys:
            tx.run(cypher, keys=keys).consume()
    rows.countries.update(o["country"] for o in rows.orgs.values() if o["country"])
    if rows.countries:
        tx.run(MERGE_COUNTRIES, codes=sorted(rows.countries)).consume()
    for cypher, data in ((MERGE_ORGS, list(rows.orgs.values())), (MERGE_ASSIGNED, rows.assigned),
                         (MERGE_IN_COUNTRY, rows.in_country), (MERGE_INVENTOR_COUNTRY, rows.inventor_country),
                         (MERGE_CPC, sorted(rows.cpc.values(), key=lambda n: len(n["code"]))), (MERGE_CLASSIFIED, rows.classified)):
        if data:
            tx.run(cypher, rows=data).consume()
    tx.run(CHECKPOINT, source=source_key, done=done, complete=complete).consume()
    return out


# --- reading -------------------------------------------------------------------

# Counting by family: each family counts once, shared among applicant countries as
# the mean of its members' applicant-country fractions (members without a known
# owner country abstain).
FAMILY_COUNTS_BY_COUNTRY = """
MATCH (f:Family)<-[:IN_FAMILY]-(p:Patent)
WHERE EXISTS { (p)-[:IN_COUNTRY {role: 'applicant'}]->() }
  AND ($cpc IS NULL OR EXISTS { (p)-[:CLASSIFIED_AS]->(:CPC)-[:PART_OF*0..4]->(:CPC {code: $cpc}) })
WITH f, collect(p) AS members
WITH f, members, size(members) AS n
UNWIND members AS p
MATCH (p)-[e:IN_COUNTRY {role: 'applicant'}]->(c:Country)
WITH c.code AS country, f, n, sum(e.fraction) AS s
RETURN country, sum(s / n) AS families, count(f) AS touching
ORDER BY families DESC, country
"""


def family_counts_by_country(store: Any, cpc: str | None = None) -> dict[str, float]:
    """Fractional family counts per applicant country, optionally within one CPC code
    (any level: "H01L", "H01L21/00"…)."""
    return {r["country"]: r["families"] for r in store.read(FAMILY_COUNTS_BY_COUNTRY, cpc=cpc)}
