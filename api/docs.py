"""/docs, /redoc and /openapi.json, open by default or behind a read key (``api_docs_require_key``).

The spec names every route and parameter; an operator who exposes the API more widely
may want that known only to key holders. Keyed, the routes take the key like any other
(``X-API-Key`` or a bearer token, counted against its rate limit); /docs then carries the
spec inside the page, because Swagger UI's own fetch of /openapi.json would send no key.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from api.auth import reader

PATHS = ("/openapi.json", "/docs", "/redoc")


def urls(require_key: bool) -> dict[str, Any]:
    """FastAPI's own docs routes: the defaults, or none when ours (keyed) replace them."""
    if require_key:
        return {"openapi_url": None, "docs_url": None, "redoc_url": None}
    return {}


def add_keyed(app: FastAPI) -> None:
    key = [Depends(reader)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=key)
    async def spec() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=key)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - docs",
                                   swagger_ui_parameters={"spec": app.openapi()})

    @app.get("/redoc", include_in_schema=False, dependencies=key)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} - ReDoc")
