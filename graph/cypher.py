"""Analysts' read-only Cypher, decided from the server's query plan rather than the text.

The text of a query can disguise anything (backticks, comments, escapes, odd whitespace), so
nothing here pattern-matches it for keywords. Instead each query is first ``EXPLAIN``-ed in a
read transaction against the configured database, and the plan the server would execute is
checked:

- every operator must be on ``READ_OPERATORS`` (no writes, no ``LOAD CSV``, no
  ``IN TRANSACTIONS``, no ``SHOW``/``TERMINATE``, no administration commands);
- every operator must run on our own database (so ``USE system`` or another graph is refused);
- every ``ProcedureCall`` must name a procedure on ``PROCEDURES``;
- every function the plan calls must be one of the server's built-in functions (as the server
  itself lists them), minus ``FUNCTIONS_REFUSED``; a user-defined function is refused.

Only then is the same text, with the same parameters, run in the same read transaction, under
the server-side time limit, streaming rows until the row or byte cap. Two cheap checks run
before anything reaches the server, because parsing itself is what a pathological text attacks:
the query length and its bracket nesting depth (thousands of nested parentheses hang the
parser). Parameters are checked to be values the driver can send: 64-bit integers and valid
Unicode, within a byte budget.
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from typing import Any

import neo4j

from core.errors import QueryRefused
from graph.store import Store, translate

# Operators of Neo4j 5's read-only plans (the operator summary of the Cypher manual). Anything
# else in a plan (Create, Merge, SetProperty, Delete, Foreach, LoadCSV, TransactionApply,
# ShowTransactions, TerminateTransactions, AdministrationCommand…) refuses the query.
READ_OPERATORS = frozenset("""
ProduceResults EmptyResult EmptyRow Argument ArgumentTracker
AllNodesScan NodeByLabelScan NodeByIdSeek NodeByElementIdSeek NodeCountFromCountStore
IntersectionNodeByLabelsScan UnionNodeByLabelsScan SubtractionNodeByLabelsScan
NodeIndexSeek NodeUniqueIndexSeek NodeIndexSeekByRange NodeUniqueIndexSeekByRange NodeIndexScan
NodeIndexContainsScan NodeIndexEndsWithScan MultiNodeIndexSeek AssertingMultiNodeIndexSeek
DirectedAllRelationshipsScan UndirectedAllRelationshipsScan
DirectedRelationshipTypeScan UndirectedRelationshipTypeScan
DirectedUnionRelationshipTypesScan UndirectedUnionRelationshipTypesScan
DirectedRelationshipIndexSeek UndirectedRelationshipIndexSeek
DirectedRelationshipUniqueIndexSeek UndirectedRelationshipUniqueIndexSeek
DirectedRelationshipIndexSeekByRange UndirectedRelationshipIndexSeekByRange
DirectedRelationshipUniqueIndexSeekByRange UndirectedRelationshipUniqueIndexSeekByRange
DirectedRelationshipIndexScan UndirectedRelationshipIndexScan
DirectedRelationshipIndexContainsScan UndirectedRelationshipIndexContainsScan
DirectedRelationshipIndexEndsWithScan UndirectedRelationshipIndexEndsWithScan
DirectedRelationshipByIdSeek UndirectedRelationshipByIdSeek
DirectedRelationshipByElementIdSeek UndirectedRelationshipByElementIdSeek
RelationshipCountFromCountStore
Expand(All) Expand(Into) OptionalExpand(All) OptionalExpand(Into)
VarLengthExpand(All) VarLengthExpand(Into) VarLengthExpand(Pruning) VarLengthExpand(Pruning,BFS)
BFSPruningVarExpand ShortestPath StatefulShortestPath(All) StatefulShortestPath(Into)
Repeat(Trail) Repeat(Walk) Trail NullifyMetadata ProjectEndpoints
Filter Projection Limit ExhaustiveLimit Skip Sort PartialSort Top Top1WithTies PartialTop
Distinct OrderedDistinct EagerAggregation OrderedAggregation Eager CacheProperties Unwind
Optional Anti Apply SemiApply AntiSemiApply LetSemiApply LetAntiSemiApply SelectOrSemiApply
SelectOrAntiSemiApply LetSelectOrSemiApply LetSelectOrAntiSemiApply RollUpApply
ConditionalApply AntiConditionalApply CartesianProduct Union OrderedUnion
NodeHashJoin ValueHashJoin NodeLeftOuterHashJoin NodeRightOuterHashJoin
TriadicSelection TriadicBuild TriadicFilter AssertSameNode AssertSameRelationship
ProcedureCall
""".split())

# Procedures a read key may call: schema discovery from the count store and our own indexes.
# db.schema.nodeTypeProperties / relTypeProperties are left out on purpose: they scan every
# node and ran for minutes on the main job's graph, beyond the reach of the time limit.
PROCEDURES = frozenset({"db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
                        "db.index.fulltext.queryNodes", "db.index.vector.queryNodes"})

# Built-ins that only make sense with LOAD CSV or against composite databases.
FUNCTIONS_REFUSED = frozenset({"file", "linenumber", "graph.byName", "graph.byElementId"})

_CALLED = re.compile(r"(?<![\w.`$])([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\(")
_BUILTINS: weakref.WeakKeyDictionary[neo4j.Driver, tuple[frozenset[str], frozenset[str]]] = weakref.WeakKeyDictionary()
INT64 = (-(2 ** 63), 2 ** 63 - 1)


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    max_rows: int = 1000
    max_bytes: int = 4_000_000
    max_length: int = 5000
    max_depth: int = 24
    max_param_bytes: int = 100_000


@dataclass(frozen=True)
class Answer:
    rows: list[dict[str, Any]]
    truncated: bool
    cut: str | None          # "rows" or "bytes" when truncated
    bytes: int               # JSON size of the rows returned


# ---------------------------------------------------------------- before the server sees it

def nesting_depth(text: str) -> int:
    """Deepest bracket nesting outside string literals, backtick names and comments."""
    depth = deepest = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            i += 1
            while i < n and text[i] != c:
                i += 2 if text[i] == "\\" and c != "`" else 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            i = text.find("*/", i + 2)
            i = n if i < 0 else i + 1
        elif c in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in ")]}":
            depth = max(0, depth - 1)
        i += 1
    return deepest


def check_text(query: str, limits: Limits) -> str:
    q = query.strip()
    if not q:
        raise QueryRefused("empty query")
    if len(q) > limits.max_length:
        raise QueryRefused(f"query longer than {limits.max_length} characters")
    depth = nesting_depth(q)
    if depth > limits.max_depth:
        raise QueryRefused(f"brackets nested {depth} deep; at most {limits.max_depth}")
    return q


def check_params(params: dict[str, Any], limits: Limits) -> None:
    """Refuse parameters the driver cannot send or that are too large to be reasonable."""
    def walk(v: Any, path: str, depth: int) -> None:
        if depth > limits.max_depth:
            raise QueryRefused(f"parameter {path} nested deeper than {limits.max_depth}")
        if isinstance(v, bool) or v is None or isinstance(v, float):
            return
        if isinstance(v, int):
            if not INT64[0] <= v <= INT64[1]:
                raise QueryRefused(f"parameter {path} is outside the 64-bit integer range")
        elif isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise QueryRefused(f"parameter {path} is not valid Unicode (a lone surrogate)") from None
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, f"{path}[{i}]", depth + 1)
        elif isinstance(v, dict):
            for k, x in v.items():
                if not isinstance(k, str):
                    raise QueryRefused(f"parameter {path} has a key that is not a string")
                walk(k, f"{path}.<key>", depth + 1)
                walk(x, f"{path}.{k}", depth + 1)
        else:
            raise QueryRefused(f"parameter {path} has an unsupported type {type(v).__name__}")

    for name, value in params.items():
        walk(name, "<name>", 0)
        walk(value, f"${name}", 0)
    size = len(json.dumps(params, ensure_ascii=False, default=str).encode("utf-8"))
    if size > limits.max_param_bytes:
        raise QueryRefused(f"parameters are {size} bytes; at most {limits.max_param_bytes}")


# ---------------------------------------------------------------- the plan

def builtin_functions(store: Store) -> tuple[frozenset[str], frozenset[str]]:
    """(built-in, user-defined) function names as this server lists them, lower-cased."""
    cached = _BUILTINS.get(store.driver)
    if cached is None:
        rows = store.read("SHOW FUNCTIONS YIELD name, isBuiltIn RETURN name, isBuiltIn")
        cached = (frozenset(r["name"].lower() for r in rows if r["isBuiltIn"]),
                  frozenset(r["name"].lower() for r in rows if not r["isBuiltIn"]))
        _BUILTINS[store.driver] = cached
    return cached


def _operators(plan: dict[str, Any]) -> list[dict[str, Any]]:
    out, todo = [], [plan]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(p.get("children") or [])
    return out


def check_plan(plan: dict[str, Any], database: str, functions: tuple[frozenset[str], frozenset[str]]) -> None:
    """Refuse a plan that does anything but read our database. Raises QueryRefused naming why."""
    builtin, user_defined = functions
    refused_functions = {f.lower() for f in FUNCTIONS_REFUSED}
    procedures = {p.lower() for p in PROCEDURES}
    for op in _operators(plan):
        kind, _, db = str(op.get("operatorType", "")).partition("@")
        if db and db != database:
            raise QueryRefused(f"the query reaches database {db!r}; only {database!r} may be read")
        if kind not in READ_OPERATORS:
            raise QueryRefused(f"the plan has a {kind} step; only reading queries are allowed")
        details = str((op.get("args") or {}).get("Details", ""))
        if kind == "ProcedureCall":
            name = details.split("(", 1)[0].strip().strip("`")
            if name.lower() not in procedures:
                raise QueryRefused(f"procedure {name} is not allowed (allowed: {', '.join(sorted(PROCEDURES))})")
            details = details.split("::", 1)[0].split("(", 1)[1] if "(" in details else ""
        for m in _CALLED.finditer(details):
            name = m.group(1).lower()
            if name in refused_functions or name in user_defined:
                raise QueryRefused(f"function {m.group(1)} is not allowed")
            # Names that are neither (keywords such as IN, planner internals such as getDegree)
            # are not callable functions: the server would have refused an unknown one.
            if name not in builtin and "." in name and name not in procedures:
                raise QueryRefused(f"function {m.group(1)} is not a built-in function")


# ---------------------------------------------------------------- running

def _row_bytes(row: dict[str, Any]) -> int:
    return len(json.dumps(row, ensure_ascii=False, default=str).encode("utf-8", "replace"))


def run(store: Store, query: str, params: dict[str, Any], limits: Limits) -> Answer:
    """Check, then run one analyst query read-only; at most ``max_rows`` rows and ``max_bytes``."""
    q = check_text(query, limits).rstrip(";").rstrip()
    check_params(params, limits)
    functions = builtin_functions(store)

    @neo4j.unit_of_work(timeout=limits.timeout)
    def work(tx: neo4j.ManagedTransaction) -> Answer:
        summary = tx.run("EXPLAIN " + q, params).consume()
        check_plan(summary.plan or {}, store.database, functions)
        result = tx.run(q, params)
        rows: list[dict[str, Any]] = []
        size = 2
        for record in result:
            if len(rows) == limits.max_rows:
                return Answer(rows, True, "rows", size)
            row = record.data()
            b = _row_bytes(row) + 1
            if size + b > limits.max_bytes:
                return Answer(rows, True, "bytes", size)
            rows.append(row)
            size += b
        return Answer(rows, False, None, size)

    with translate(), store.driver.session(database=store.database, default_access_mode=neo4j.READ_ACCESS,
                                           fetch_size=100) as s:
        return s.execute_read(work)
