"""The dashboard's only door to the data: the Kizashi HTTP API, with a read key."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        super().__init__(f"{status} {code}: {message}")


@dataclass(frozen=True)
class Api:
    base: str
    key: str | None
    timeout: float = 120.0

    @classmethod
    def from_settings(cls) -> Api:
        from core.settings import get_settings

        s = get_settings()
        key = os.environ.get("KIZASHI_API_KEY") or (s.api_key.get_secret_value() if s.api_key else None)
        return cls(os.environ.get("KIZASHI_API_URL") or s.api_url, key)

    def _headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key} if self.key else {}

    def get(self, path: str, params: dict[str, Any] | list[tuple[str, Any]] | None = None) -> dict[str, Any]:
        try:
            r = httpx.get(self.base.rstrip("/") + path, params=params, headers=self._headers(), timeout=self.timeout)
        except httpx.HTTPError as e:
            raise ApiError(0, "unreachable", f"the Kizashi API at {self.base} is not reachable ({e})") from e
        if r.status_code >= 400:
            try:
                err = r.json()["error"]
                raise ApiError(err["status"], err["code"], err["message"])
            except (ValueError, KeyError, TypeError):
                raise ApiError(r.status_code, "http_error", r.text[:300]) from None
        return r.json()

    def raw(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        r = httpx.get(self.base.rstrip("/") + path, params=params, headers=self._headers(), timeout=self.timeout)
        if r.status_code >= 400:
            raise ApiError(r.status_code, "http_error", r.text[:300])
        return r.content

    def all(self, path: str, params: dict[str, Any] | None = None, limit: int = 500) -> dict[str, Any]:
        """Every page of a cursor-paginated list, merged into the first page's body."""
        params = dict(params or {}, limit=limit)
        body = self.get(path, params)
        items = list(body["items"])
        while body.get("next_cursor"):
            body = self.get(path, {**params, "cursor": body["next_cursor"]})
            items += body["items"]
        body["items"] = items
        return body
