"""The Kizashi HTTP API: rankings, the ES-X shortlist, evidence, search and read-only Cypher.

Every response carries ``data_as_of`` (body and ``X-Data-As-Of`` header); every
error has one shape ``{"error": {"status", "code", "message"}, "data_as_of"}``;
lists are cursor-paginated (``cursor`` from the previous page's ``next_cursor``)
and export as CSV with ``format=csv`` (the whole list). Cursors are signed: one this
server did not issue is a 400 ``bad_cursor``. Every JSON body is strict JSON: numbers
that are not finite (NaN, ±Infinity, e.g. a Cypher ``0.0/0.0``) are written as ``null``
and lone surrogates in strings as U+FFFD. Computations a request starts (``fresh=true``,
a window, profile or shortlist not computed yet) are queued and cost more of the key's
rate limit (429 or 503 with ``Retry-After`` when over). Routes hold no Cypher: they call
api/service.py, which reads through graph/.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Body, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from analysis import shortlist as sl_mod
from api import docs, headers
from api.auth import RateLimiter, admin, authorise, reader
from api.cache import Cache, CacheMiddleware
from api.cost import Gate, limits_from
from api.cursor import Cursors
from api.errors import ERRORS, ApiError, json_response
from api.keys import Key, KeyStore
from core.ranking import weights_text
from api.service import NotFound, Service, StoreHolder, Unavailable
from api.ui_routes import router as ui_router
from api.ui_routes import warm as warm_views
from graph.store import Connection
from core.errors import ConfigError, KizashiError, QueryRefused, StoreError, StoreUnavailable
from core.settings import Settings, get_settings

log = logging.getLogger("kizashi.api")

MAX_EXPORT = 100_000


class Page(BaseModel):
    data_as_of: str | None = None
    items: list[dict[str, Any]]
    next_cursor: str | None = None
    total: int


class Item(BaseModel):
    data_as_of: str | None = None
    data: dict[str, Any]


class CypherRequest(BaseModel):
    query: str = Field(..., max_length=20_000, description="One read-only Cypher statement.")
    params: dict[str, Any] = Field(default_factory=dict)


class RunRequest(BaseModel):
    technologies: list[str] | None = Field(None, min_length=1, description="Omitted: every technology.")
    by: list[Literal["country", "organization"]] = Field(["country", "organization"], min_length=1)
    windows: list[str] = Field(["all"], min_length=1)
    counting: list[Literal["fractional", "full"]] = Field(["fractional", "full"], min_length=1)
    profile: str | None = None


# ---------------------------------------------------------------- responses

def _svc(request: Request) -> Service:
    return request.app.state.service


_json = json_response


def _item(request: Request, data: dict[str, Any]) -> Response:
    return _json({"data_as_of": _svc(request).data_as_of(), "data": data})


def _flat(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return "; ".join(str(_flat(x)) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    return v


def _page(request: Request, items: list[dict[str, Any]], cursor: str | None, limit: int, fmt: str,
          name: str, extra: dict[str, Any] | None = None, columns: list[str] | None = None) -> Response:
    as_of = _svc(request).data_as_of()
    if fmt == "csv":
        rows = items[:MAX_EXPORT]
        cols = columns or list(dict.fromkeys(k for r in rows for k in r))
        body = sl_mod.to_csv([{c: _flat(r.get(c)) for c in cols} for r in rows], cols)
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                                 "X-Data-As-Of": str(as_of or "")})
    cursors = request.app.state.cursors
    start = cursors.decode(cursor)
    chunk = items[start:start + limit]
    nxt = cursors.encode(start + limit) if start + limit < len(items) else None
    return _json({"data_as_of": as_of, **(extra or {}), "items": chunk, "next_cursor": nxt, "total": len(items)})


def _pairs(text: str | None, what: str) -> dict[str, float] | None:
    if not text:
        return None
    out = {}
    for part in text.split(","):
        k, sep, v = part.partition(":")
        if not sep:
            k, sep, v = part.partition("=")
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise ApiError(400, "bad_parameter", f"{what}: expected name:value,name:value") from None
        if not sep or not k.strip() or out[k.strip()] != out[k.strip()]:
            raise ApiError(400, "bad_parameter", f"{what}: expected name:value,name:value")
    return out


Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page.")]
Fmt = Annotated[Literal["json", "csv"], Query(description="csv exports the whole list.")]
Window = Annotated[str, Query(max_length=20, description="'all' or YYYY-YYYY.")]


# ---------------------------------------------------------------- the app

def create_app(settings: Settings | None = None, conn: Connection | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder = StoreHolder(settings, conn)
        holder.open()
        app.state.keys = KeyStore.at(settings.home)
        app.state.limiter = RateLimiter(settings.api_requests_per_minute, settings.api_burst_per_second)
        app.state.service = Service(settings, holder, Gate(limits_from(settings), app.state.limiter))
        app.state.auth_failures = RateLimiter(settings.api_auth_failures_per_minute, settings.api_auth_failures_per_minute)
        stop = threading.Event()
        warming = threading.Thread(target=warm_views, args=(app.state.service, stop), name="warm-views", daemon=True)
        warming.start()
        yield
        stop.set()
        warming.join(60)   # its current query must finish before the driver closes under it
        holder.close()

    app = FastAPI(title="Kizashi API", version="1.0", description=__doc__, lifespan=lifespan, responses=ERRORS,
                  **docs.urls(settings.api_docs_require_key))
    headers.install(app)
    if settings.api_docs_require_key:
        docs.add_keyed(app)
    app.state.cache = Cache(settings.api_cache_seconds)
    secret = settings.api_cursor_secret
    app.state.cursors = Cursors(secret.get_secret_value() if secret else None)
    app.add_middleware(CacheMiddleware, cache=app.state.cache, cacheable=_cacheable, allowed=_allowed)
    _handlers(app)
    _routes(app, settings)
    app.include_router(ui_router)
    return app


CACHED = ("/rankings", "/shortlist", "/technologies", "/profiles", "/clusters/emerging", "/evidence/", "/ui/")


def _cacheable(path: str, query: str) -> bool:
    # Search is left out: each query is new work, and caching it would flatter the load figures.
    return (path.startswith(CACHED) and path not in ("/rankings/run", "/ui/find")
            and "fresh=true" not in query.lower())


def _allowed(scope: Any) -> bool:
    """The key check and rate limit of a normal request, for a cache hit."""
    request = Request(scope)
    try:
        authorise(request, request.headers.get("x-api-key"), "read")
    except ApiError:
        return False   # the app answers, with the same error shape as ever
    return True


def _error(request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    svc = getattr(request.app.state, "service", None)
    as_of = None
    if svc is not None and code != "store_unavailable":
        try:
            as_of = svc.data_as_of()
        except KizashiError:
            as_of = None
    return _json({"error": {"status": status, "code": code, "message": message}, "data_as_of": as_of}, status, headers)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError) -> Response:
        return _error(request, e.status, e.code, e.message, e.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> Response:
        msg = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors()[:5])
        return _error(request, 422, "invalid_request", msg)

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, e: StarletteHTTPException) -> Response:
        return _error(request, e.status_code, "not_found" if e.status_code == 404 else "http_error", str(e.detail))

    @app.exception_handler(KizashiError)
    async def ours(request: Request, e: KizashiError) -> Response:
        if isinstance(e, StoreUnavailable):
            return _error(request, 503, "store_unavailable",
                          f"the graph database is unavailable; try again shortly ({e})", {"Retry-After": "5"})
        if isinstance(e, (ConfigError, QueryRefused)):
            return _error(request, 400, "bad_request", str(e))
        log.error("store error: %s", e)
        return _error(request, 502, "store_error", f"the graph database failed the request: {e}")

    @app.exception_handler(UnicodeError)
    async def bad_text(request: Request, e: UnicodeError) -> Response:
        # Only request text gets here: a JSON "\ud800" escape decodes to a lone surrogate, which
        # the Bolt driver cannot encode. Our own output replaces them (api/errors.py dumps).
        log.warning("refused text that is not valid Unicode on %s: %s", request.url.path, e)
        return _error(request, 400, "bad_unicode", "the request holds text that is not valid Unicode "
                      "(an unpaired surrogate such as \\ud800)")

    @app.exception_handler(NotFound)
    async def missing(request: Request, e: NotFound) -> Response:
        return _error(request, 404, "not_found", str(e))

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, e: Unavailable) -> Response:
        return _error(request, 503, "unavailable", str(e))

    @app.exception_handler(Exception)
    async def crash(request: Request, e: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return _error(request, 500, "internal_error", "internal error; see the server log")


def _routes(app: FastAPI, settings: Settings) -> None:
    Read = Depends(reader)

    @app.get("/health", tags=["service"], summary="Liveness and Neo4j reachability (no key needed)")
    def health(request: Request) -> Response:
        try:
            _svc(request).snapshot(max_age=5.0)
            return _json({"status": "ok", "neo4j": "up", "data_as_of": _svc(request).data_as_of(),
                          "views": "ready" if _svc(request).warmed.is_set() else "warming"})
        except StoreUnavailable as e:
            return _error(request, 503, "store_unavailable", f"the graph database is unavailable: {e}")

    @app.get("/status", tags=["service"], summary="The main job, if one is running: steps done, running and to come")
    def status(request: Request, _k: Key = Read) -> Response:
        from core import run_state

        job = run_state.read(settings.home)
        return _json({"main_job": job.as_json() if job else None, "data_as_of": _svc(request).data_as_of()})

    @app.get("/profiles", tags=["rankings"], response_model=Page, summary="Alliance profiles")
    def list_profiles(request: Request, _k: Key = Read) -> Response:
        return _page(request, _svc(request).profiles(), None, 500, "json", "profiles")

    @app.get("/technologies", tags=["technologies"], response_model=Page, summary="Technologies in the taxonomy")
    def technologies(request: Request, _k: Key = Read, cursor: Cursor = None, limit: Limit = settings.api_page_size,
                     list_: Annotated[list[str] | None, Query(alias="list", description="Official list filter.")] = None,
                     format: Fmt = "json") -> Response:
        return _page(request, _svc(request).technologies(list_), cursor, limit, format, "technologies")

    @app.get("/technologies/{tech_id}", tags=["technologies"], response_model=Item, summary="One technology")
    def technology(request: Request, tech_id: Annotated[str, Path(max_length=200)], _k: Key = Read) -> Response:
        return _item(request, _svc(request).technology(tech_id))

    @app.get("/rankings", tags=["rankings"], response_model=Page,
             summary="Who leads a technology: raw and alliance-weighted ranking with intervals")
    def rankings(request: Request, technology: Annotated[str, Query(max_length=200)], _k: Key = Read,
                 by: Literal["country", "organization"] = "country", window: Window = "all",
                 counting: Literal["fractional", "full"] = "fractional",
                 profile: Annotated[str | None, Query(max_length=100)] = None,
                 weights: Annotated[str | None, Query(max_length=200, description="papers:0.4,top10:0.3,patents:0.2,growth:0.1")] = None,
                 country_weights: Annotated[str | None, Query(max_length=4000, description="Custom weight vector, e.g. CN:0,US:1,IN:0.8")] = None,
                 fresh: Annotated[bool, Query(description="Recompute from the graph, bypassing stored and cached results.")] = False,
                 cursor: Cursor = None, limit: Limit = settings.api_page_size, format: Fmt = "json") -> Response:
        r = _svc(request).ranking(technology, by, window, counting, profile, _pairs(weights, "weights"),
                                  _pairs(country_weights, "country_weights"), fresh)
        rows = r.pop("rows")
        return _page(request, rows, cursor, limit, format, f"ranking-{r['key']}", extra={"ranking": r})

    @app.post("/rankings/run", tags=["rankings"], summary="Compute and store rankings (admin key)")
    def run(request: Request, body: Annotated[RunRequest, Body()] = RunRequest(), _k: Key = Depends(admin)) -> Response:
        done = _svc(request).run(body.technologies, list(body.by), body.windows, list(body.counting), body.profile)
        request.app.state.cache.clear()
        return _json({"data_as_of": _svc(request).data_as_of(), "stored": len(done), "rankings": done})

    @app.get("/shortlist", tags=["shortlist"], response_model=Page, summary="The ES-X shortlist")
    def shortlist(request: Request, _k: Key = Read, window: Window = "all",
                  counting: Literal["fractional", "full"] = "fractional",
                  profile: Annotated[str | None, Query(max_length=100)] = None,
                  weights: Annotated[str | None, Query(max_length=200, description=weights_text())] = None,
                  list_: Annotated[list[str] | None, Query(alias="list")] = None,
                  cursor: Cursor = None, limit: Limit = settings.api_page_size,
                  format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json") -> Response:
        s = _svc(request).shortlist(window, counting, profile, _pairs(weights, "weights"), list_)
        if format == "xlsx":
            return Response(sl_mod.to_xlsx(s), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": 'attachment; filename="shortlist.xlsx"',
                                     "X-Data-As-Of": str(_svc(request).data_as_of() or "")})
        meta = {"weights": s.weights, "formulas": s.formulas, "profile": s.profile, "window": s.window,
                "counting": s.counting, "snapshot_id": s.snapshot_id}
        return _page(request, s.rows, cursor, limit, format, "shortlist", extra={"shortlist": meta},
                     columns=sl_mod.COLUMNS if format == "csv" else None)

    @app.get("/clusters/emerging", tags=["clusters"], response_model=Page, summary="Emerging research clusters")
    def clusters(request: Request, _k: Key = Read, technology: Annotated[str | None, Query(max_length=200)] = None,
                 cursor: Cursor = None, limit: Limit = settings.api_page_size, format: Fmt = "json") -> Response:
        return _page(request, _svc(request).emerging_clusters(technology), cursor, limit, format, "clusters")

    @app.get("/search", tags=["search"], response_model=Page, summary="Semantic search (EN/JA)")
    def search(request: Request, q: Annotated[str, Query(min_length=1, max_length=1000)], _k: Key = Read,
               k: Annotated[int, Query(ge=1, le=100)] = 10,
               labels: Annotated[list[str] | None, Query(description="Work, Patent, PolicyDocument…")] = None,
               format: Fmt = "json") -> Response:
        return _page(request, _svc(request).search(q, k, labels), None, k, format, "search")

    @app.get("/countries/{iso}", tags=["entities"], response_model=Item, summary="A country and its positions")
    def country(request: Request, iso: Annotated[str, Path(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")],
                _k: Key = Read) -> Response:
        return _item(request, _svc(request).country(iso))

    @app.get("/organizations/{org_id:path}", tags=["entities"], response_model=Item,
             summary="An organization (key such as ror:…) and its positions")
    def organization(request: Request, org_id: Annotated[str, Path(max_length=300)], _k: Key = Read) -> Response:
        return _item(request, _svc(request).organization(org_id))

    @app.get("/evidence/{ranking_key}", tags=["rankings"], response_model=Page,
             summary="The documents behind a ranking, and the inputs that reproduce it")
    def evidence(request: Request, ranking_key: Annotated[str, Path(max_length=100)], _k: Key = Read,
                 entity: Annotated[str | None, Query(max_length=300)] = None,
                 kind: Literal["works", "families"] = "works",
                 cursor: Cursor = None, limit: Limit = settings.api_page_size, format: Fmt = "json") -> Response:
        rk = _svc(request).evidence(ranking_key)
        items = []
        for ent, recs in sorted(rk.evidence.get(kind, {}).items()):
            if entity and ent != entity:
                continue
            for rec in recs:
                if kind == "works":
                    items.append({"entity": ent, "key": rec[0], "doi": rec[1], "openalex_id": rec[2], "year": rec[3],
                                  "cited_by_count": rec[4], "top10": rec[5]})
                else:
                    items.append({"entity": ent, "family": rec[0], "patents": rec[1], "year": rec[2]})
        meta = {"key": rk.key, "technology": rk.technology, "by": rk.by, "window": rk.window,
                "counting": rk.counting, "profile": rk.profile, "params": rk.params,
                "snapshot_id": rk.snapshot_id, "taxonomy_version": rk.taxonomy_version,
                "policy_documents": sorted({d for m in rk.summary.get("materials", {}).get("exposed", [])
                                            for c in m["controls"] for d in c.get("documents") or []})}
        return _page(request, items, cursor, limit, format, f"evidence-{rk.key}", extra={"ranking": meta})

    @app.post("/cypher", tags=["analysts"], summary="Read-only Cypher (read transaction, time and row limits)")
    def cypher(request: Request, body: CypherRequest, _k: Key = Read) -> Response:
        try:
            answer = _svc(request).cypher(body.query, body.params)
        except StoreUnavailable:
            raise
        except (QueryRefused, StoreError) as e:
            raise ApiError(400, "query_refused", str(e)) from None
        return _json({"data_as_of": _svc(request).data_as_of(), "rows": answer.rows, "truncated": answer.truncated,
                      "cut": answer.cut, "row_limit": settings.api_cypher_max_rows,
                      "byte_limit": settings.api_cypher_max_bytes})
