"""The one error and body shape of the API, and the JSON encoder every route answers through.

Every error is ``{"error": {"status", "code", "message"}, "data_as_of"}``. Bodies are
encoded by :func:`json_response`, which writes non-finite floats (NaN, ±Infinity) as
``null``: Python's ``json`` would emit the bare words ``NaN``/``Infinity``, which no
standard JSON parser accepts. Lone surrogates in strings become U+FFFD, so every body
is valid UTF-8.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}
        super().__init__(message)


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
    data_as_of: str | None = None


SURROGATE = re.compile("[\ud800-\udfff]")

ERRORS = {s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 413, 422, 429, 503)}


def finite(v: Any) -> Any:
    """``v`` with every non-finite float replaced by None (recursively through lists and dicts)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [finite(x) for x in v]
    return v


def dumps(payload: Any) -> str:
    """Strict JSON: ``allow_nan=False`` is the guard; the slow path only runs when a NaN is present.

    A lone surrogate (from a JSON ``"\\ud800"`` escape, echoed in a message or read back from the
    graph) cannot be encoded as UTF-8 and used to end in a 500 when the body was written; it
    becomes U+FFFD, the replacement character."""
    try:
        text = json.dumps(payload, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:
        text = json.dumps(finite(payload), ensure_ascii=False, default=str, allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = SURROGATE.sub("\ufffd", text)
    return text


def json_response(payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    h = {"X-Data-As-Of": str(payload.get("data_as_of") or "")}
    h.update(headers or {})
    return Response(dumps(payload), status_code=status, media_type="application/json", headers=h)
