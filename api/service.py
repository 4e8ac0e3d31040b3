"""What the routes call: reads through graph/ and analysis/, caching, no Cypher and no HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from cachetools import LRUCache

from analysis import composite, profiles, rank, shortlist
from analysis.rank import Ranking
from graph import cypher
from graph import rankings as gq
from graph.store import Connection, Store, connection, open_driver
from core.errors import ConfigError, StoreUnavailable
from core.ranking import rows_from
from analysis.rank_runs import params_from
from api.cost import Gate, limits_from
from core.settings import Settings


STORED_TTL = 30.0   # seconds a parsed stored ranking is reused; `kizashi rank` results show up after this
VIEW_TTL = 300.0    # seconds a computed dashboard view is reused while the data snapshot is unchanged


class NotFound(Exception):
    pass


class Unavailable(Exception):
    """A feature (not the store) is missing, e.g. embeddings."""


class StoreHolder:
    """The driver opened in the lifespan. When Neo4j is down at start or later, requests
    get StoreUnavailable (503) and the next request after it returns reconnects."""

    def __init__(self, settings: Settings, conn: Connection | None = None) -> None:
        self.settings = settings
        self.conn = conn
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._next_try = 0.0

    def open(self) -> None:
        try:
            self.get()
        except StoreUnavailable:
            pass   # serve 503 until Neo4j is reachable

    def get(self) -> Store:
        if self._store is not None:
            return self._store
        with self._lock:
            if self._store is None:
                if time.monotonic() < self._next_try:
                    raise StoreUnavailable("Neo4j is not reachable (retrying shortly)")
                conn = self.conn or connection(self.settings)
                try:
                    # Fail fast: an API request must not wait out the ingest's long retry budget.
                    # Notifications off: "label does not exist yet" warnings on a young graph are
                    # noise in a server log, once per request.
                    driver = open_driver(conn, max_transaction_retry_time=1.0, connection_timeout=3.0,
                                         connection_acquisition_timeout=5.0, notifications_min_severity="OFF")
                except StoreUnavailable:
                    self._next_try = time.monotonic() + 1.0
                    raise
                self._store = Store(driver, conn.database)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


SERVING_TTL = 10.0     # seconds a lookup of the serving vector indexes is reused (an index swap shows within it)
SEARCH_TTL = 10.0      # seconds a search's hits are reused: newly embedded documents show within it


class Service:
    def __init__(self, settings: Settings, holder: StoreHolder, gate: Gate | None = None) -> None:
        self.settings = settings
        self.holder = holder
        # Every computation a request starts (not a read of stored or cached results) goes through it.
        self.gate = gate or Gate(limits_from(settings))
        self._snap: tuple[float, dict[str, Any]] | None = None
        # LRU bounds from cachetools; the age checks stay here because the allowed age depends on
        # the caller (STORED_TTL, VIEW_TTL), which a TTLCache's one ttl cannot express.
        self._cache: LRUCache[str, Ranking] = LRUCache(256)
        self._stored_cache: LRUCache[str, tuple[float, Ranking | None]] = LRUCache(1024)
        self._lock = threading.Lock()
        self._embedder: Any = None
        # Query vectors by text (an analyst retypes and pages; the dashboard repeats), and the
        # serving vector indexes, looked up at most every SERVING_TTL seconds: without them a
        # search spent more round trips on SHOW VECTOR INDEXES than on the search itself.
        self._vectors: LRUCache[str, Any] = LRUCache(4096)      # float32 rows: 2 KB each
        self._serving: tuple[float, dict[str, tuple[str, int]]] | None = None
        # Hits by (query, k, labels), reused for SEARCH_TTL while the same serving indexes answer:
        # a repeated query then costs a dictionary lookup, not an encode and an index walk.
        self._hits: LRUCache[tuple[Any, ...], tuple[float, dict[str, Any], list[dict[str, Any]]]] = LRUCache(4096)
        self._views: LRUCache[tuple[Any, ...], tuple[float, Any]] = LRUCache(128)
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self.warmed = threading.Event()   # set when the start-up warm-up of dashboard views has ended

    @property
    def store(self) -> Store:
        return self.holder.get()

    # ------------------------------------------------------------ snapshot
    def snapshot(self, max_age: float = 10.0) -> dict[str, Any]:
        now = time.monotonic()
        if self._snap and now - self._snap[0] < max_age:
            return self._snap[1]
        snap = gq.snapshot(self.store)
        self._snap = (now, snap)
        return snap

    def data_as_of(self) -> str | None:
        try:
            return self.snapshot()["data_as_of"]
        except StoreUnavailable:
            return self._snap[1]["data_as_of"] if self._snap else None

    def _fresh(self, ck: tuple[Any, ...], ttl: float) -> tuple[Any] | None:
        """(the view,) when it is stored and younger than ``ttl``; a 1-tuple so a None view counts."""
        with self._lock:
            hit = self._views.get(ck)
        return (hit[1],) if hit and time.monotonic() - hit[0] < ttl else None

    def view(self, name: str, args: tuple[Any, ...], compute: Callable[[], Any], ttl: float = VIEW_TTL) -> Any:
        """A heavy dashboard view, computed once per data snapshot (and at most VIEW_TTL old):
        the snapshot changes with every ingest; the TTL bounds what counts alone cannot see
        (views built on stored rankings pass STORED_TTL: `kizashi rank` leaves the snapshot as is)."""
        ck = (name, args, self.snapshot()["snapshot_id"])

        def computed() -> Any:
            out = compute()
            with self._lock:
                self._views[ck] = (time.monotonic(), out)
            return out

        return self._once(ck, lambda: self._fresh(ck, ttl), computed)

    def _once(self, key: tuple[Any, ...], cached: Callable[[], tuple[Any] | None], compute: Callable[[], Any]) -> Any:
        """What ``cached()`` holds (a 1-tuple, so a None value counts), else ``compute()``, which
        stores what ``cached()`` reads, one computation per key at a time: a second asker (or the
        warm-up) waits for the first and then reads what it stored."""
        hit = cached()
        if hit:
            return hit[0]
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            hit = cached()
            if hit:
                return hit[0]
            try:
                return compute()
            finally:   # a failed computation must not leave its gate behind
                with self._lock:
                    self._computing.pop(key, None)

    # ------------------------------------------------------------ profiles
    def profile(self, name: str | None, country_weights: dict[str, float] | None = None) -> profiles.Profile:
        p = profiles.load(name or self.settings.rank_profile, self.settings.home)
        return p.with_weights(country_weights) if country_weights else p

    def profiles(self) -> list[dict[str, Any]]:
        return [profiles.load(n, self.settings.home).describe() for n in profiles.available(self.settings.home)]

    # ------------------------------------------------------------ technologies
    def technologies(self, lists: list[str] | None = None) -> list[dict[str, Any]]:
        rows = gq.technologies(self.store)
        if lists:
            rows = [r for r in rows if set(lists) & set(r["lists"] or [])]
        return rows

    def technology(self, key: str) -> dict[str, Any]:
        key = key if key.startswith("tech:") else f"tech:{key}"
        rows = gq.technologies(self.store, [key])
        if not rows:
            raise NotFound(f"no technology {key}")
        t = rows[0]
        t["materials_detail"] = gq.materials(self.store, [key])
        t["policy"] = (gq.policy(self.store, [key]) or [{}])[0]
        t["clusters"] = gq.clusters(self.store, [key])
        rk = self._stored(key, "country", "all", "fractional", self.profile(None).ident)
        t["ranking"] = None if rk is None else {"key": rk.key, "summary": rk.summary, "top": [r.model_dump() for r in rk.rows[:5]]}
        return t

    # ------------------------------------------------------------ rankings
    def _stored(self, technology: str, by: str, window: str, counting: str, profile: str) -> Ranking | None:
        """A materialised ranking, parsed once and kept for STORED_TTL seconds."""
        ck = "|".join(("stored", technology, by, window, counting, profile))
        now = time.monotonic()
        with self._lock:
            hit = self._stored_cache.get(ck)
        if hit and now - hit[0] < STORED_TTL:
            return hit[1]
        p = gq.find_ranking(self.store, technology, by, window, counting, profile)
        rk = Ranking.from_props(p) if p else None
        with self._lock:
            self._stored_cache[ck] = (now, rk)
        return rk

    def ranking(self, technology: str, by: str = "country", window: str = "all", counting: str = "fractional",
                profile: str | None = None, weights: dict[str, float] | None = None,
                country_weights: dict[str, float] | None = None, fresh: bool = False) -> dict[str, Any]:
        """The stored ranking (or one computed now and cached), re-weighted on request."""
        technology = technology if technology.startswith("tech:") else f"tech:{technology}"
        if by not in ("country", "organization"):
            raise ConfigError("by must be country or organization")
        if counting not in ("fractional", "full"):
            raise ConfigError("counting must be fractional or full")
        rank.parse_window(window)
        base_profile = self.profile(profile)
        prof = base_profile.with_weights(country_weights) if country_weights else base_profile
        rk = None if fresh else self._stored(technology, by, window, counting, base_profile.ident)
        source = "stored"
        if rk is None:
            if not gq.technology_exists(self.store, technology):
                raise NotFound(f"no technology {technology}")
            rk, source = self._live(technology, by, window, counting, base_profile, fresh)
        rows, params = rk.rows, dict(rk.params)
        if weights or country_weights:
            rows = rank.rescore(rows, composite.check_weights(weights) if weights else dict(rk.params["weights"]), prof)
            params.update(weights=weights or rk.params["weights"], profile=prof.ident,
                          profile_overrides=dict(prof.overrides))
        key = rank.ranking_key(params) if (weights or country_weights) else rk.key
        return {"key": key, "evidence_key": rk.key, "source": source, "technology": technology, "by": by,
                "window": window, "counting": counting, "profile": prof.ident, "params": params,
                "summary": rk.summary, "rows": [r.model_dump() for r in rows], "snapshot_id": rk.snapshot_id,
                "taxonomy_version": rk.taxonomy_version}

    def _live(self, technology: str, by: str, window: str, counting: str, profile: profiles.Profile,
              fresh: bool) -> tuple[Ranking, str]:
        snap = self.snapshot()
        ck = "|".join((technology, by, window, counting, profile.ident, snap["snapshot_id"]))
        with self._lock:
            if not fresh and ck in self._cache:
                return self._cache[ck], "cache"

        def compute() -> Ranking:
            params = params_from(self.settings, window, counting)
            out = rank.compute(self.store, [technology], by, params, profile, snapshot=snap)
            if not out:
                raise NotFound(f"nothing to rank for {technology} in window {window}")
            with self._lock:
                self._cache[ck] = out[0]
            return out[0]

        return self.gate.run(("ranking", ck), compute), "computed"

    def run(self, technologies: list[str] | None, by: list[str], windows: list[str], counting: list[str],
            profile: str | None) -> list[dict[str, Any]]:
        from analysis.rank_runs import run_rankings

        rks = run_rankings(self.store, technologies, by, windows, counting, profile or self.settings.rank_profile)
        self._snap = None
        with self._lock:
            self._stored_cache.clear()
            self._views.clear()
        return [{"key": r.key, "technology": r.technology, "by": r.by, "window": r.window, "counting": r.counting,
                 "profile": r.profile} for r in rks]

    def evidence(self, key: str) -> Ranking:
        p = gq.ranking_by_key(self.store, key)
        if p is None:
            with self._lock:
                hit = next((r for r in self._cache.values() if r.key == key), None)
            if hit is None:
                raise NotFound(f"no ranking {key} (rankings are replaced when recomputed; run kizashi rank)")
            return hit
        return Ranking.from_props(p)

    # ------------------------------------------------------------ shortlist, clusters, entities
    def shortlist(self, window: str, counting: str, profile: str | None, weights: dict[str, float] | None,
                  lists: list[str] | None) -> shortlist.Shortlist:
        prof = self.profile(profile)
        args = (prof.ident, window, counting, tuple(sorted((weights or {}).items())), tuple(sorted(lists or ())))
        # Over stored rankings a shortlist is reads and a re-weighting (a slider move); only the
        # technologies never ranked for this window and profile are a computation, and pass the gate.
        return self.view("shortlist", args, lambda: shortlist.from_store(
            self.store, prof, window, counting, weights, lists, params_from(self.settings, window, counting),
            computing=lambda thunk: self.gate.run(("shortlist-rank", prof.ident, window, counting), thunk)),
            ttl=STORED_TTL)

    def emerging_clusters(self, technology: str | None = None) -> list[dict[str, Any]]:
        rows = gq.clusters(self.store, [technology] if technology else None)
        out = []
        for r in rows:
            c = {k: v for k, v in r["cluster"].items() if v is not None}
            c.update(technologies=[t for t in r["technologies"] if t], size=r["size"],
                     emergence=shortlist._cluster_emergence(r))
            out.append(c)
        out.sort(key=lambda c: (-c["emergence"], str(c.get("key"))))
        return out

    def country(self, code: str) -> dict[str, Any]:
        code = code.upper()
        c = gq.country(self.store, code)
        if c is None:
            raise NotFound(f"no country {code}")
        prof = self.profile(None)
        c["bloc"] = prof.bloc_of(code)
        c["rankings"] = _positions(gq.rankings_with_entity(self.store, "country", code), code)
        return c

    def organization(self, key: str) -> dict[str, Any]:
        o = gq.organization(self.store, key)
        if o is None:
            raise NotFound(f"no organization {key}")
        o["rankings"] = _positions(gq.rankings_with_entity(self.store, "organization", key), key)
        return o

    # ------------------------------------------------------------ search, cypher
    def search(self, q: str, k: int, labels: list[str] | None) -> list[dict[str, Any]]:
        try:
            from analysis import embed
            from graph import vectors as gv
        except ImportError as e:
            raise Unavailable(f"semantic search is not installed: {e}") from e
        now = time.monotonic()
        if self._serving is None or now - self._serving[0] >= SERVING_TTL or not self.settings.search_cache:
            found = gv.serving(self.store)
            # none yet is not kept: the first `kizashi embed` must show at once
            self._serving = (now, found) if found else None
        serving = self._serving[1] if self._serving else {}
        if not serving:
            raise Unavailable("no embeddings in the graph yet: run `kizashi embed` first")
        if self._embedder is None:
            try:
                self._embedder = embed.get_embedder(self.settings.embedder, queries=True)
            except Exception as e:  # a missing model package or file: the feature is unavailable
                raise Unavailable(f"the embedding model could not be loaded: {e}") from e
        if not self.settings.search_cache:
            return embed.search(self.store, q, k, labels, serving=serving, encode=self._encode)
        key = (q.strip(), k, tuple(sorted(labels or ())))

        def cached() -> tuple[list[dict[str, Any]]] | None:
            with self._lock:
                hit = self._hits.get(key)
            return (hit[2],) if hit is not None and time.monotonic() - hit[0] < SEARCH_TTL and hit[1] is serving else None

        def searched() -> list[dict[str, Any]]:
            found = embed.search(self.store, q, k, labels, serving=serving, encode=self._encode)
            with self._lock:
                self._hits[key] = (time.monotonic(), serving, found)
            return found

        # single flight: clients asking the same new query at once wait for one search
        return self._once(("search", *key), cached, searched)

    def _encode(self, q: str) -> list[float]:
        if not self.settings.search_cache:
            return self._embedder.encode([q])[0].tolist()
        with self._lock:
            v = self._vectors.get(q)
        if v is None:
            v = self._embedder.encode([q])[0]
            with self._lock:
                self._vectors[q] = v
        return v.tolist()

    def cypher(self, query: str, params: dict[str, Any]) -> cypher.Answer:
        st = self.settings
        return cypher.run(self.store, query, params, cypher.Limits(
            timeout=st.api_cypher_timeout_seconds, max_rows=st.api_cypher_max_rows, max_bytes=st.api_cypher_max_bytes,
            max_length=st.api_cypher_max_length, max_depth=st.api_cypher_max_depth,
            max_param_bytes=st.api_cypher_max_param_bytes))


def _positions(rankings: list[dict[str, Any]], ident: str) -> list[dict[str, Any]]:
    out = []
    for r in rankings:
        rows = rows_from(json.loads(r["rows_json"]), r.get("row_version"))
        me = next((x for x in rows if x.id == ident), None)
        if me:
            out.append({"technology": r["technology"], "window": r["window"], "counting": r["counting"],
                        "profile": r["profile"], "ranking_key": r["key"], "rank": me.rank,
                        "rank_weighted": me.rank_weighted, "papers_share": me.papers_share,
                        "papers_share_lo": me.papers_share_lo, "papers_share_hi": me.papers_share_hi,
                        "patent_share": me.patent_share, "rca": me.rca, "n": me.n, "thin": me.thin,
                        "of": len(rows)})
    return out
