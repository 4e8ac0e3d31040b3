"""HTTP GET with retries, and the one place httpx errors become ``FetchError``."""

from __future__ import annotations

import random
import time
from typing import Any

import httpx

from core.errors import FetchError

RETRY_STATUS = {429, 500, 502, 503, 504}


def get_with_retries(http: httpx.Client, url: str, params: dict[str, Any], retries: int, backoff: float = 1.0) -> bytes:
    last = ""
    for attempt in range(retries + 1):
        try:
            resp = http.get(url, params=params)
        except httpx.HTTPError as e:
            last = f"{type(e).__name__}: {e}"
        else:
            if resp.status_code == 200:
                return resp.content
            last = f"HTTP {resp.status_code}: {resp.text[:200]}"
            if resp.status_code not in RETRY_STATUS:
                break
            after = resp.headers.get("Retry-After")
            if after and after.isdigit() and attempt < retries:
                time.sleep(min(float(after), 60.0))
                continue
        if attempt < retries:
            time.sleep(backoff * (2 ** attempt) * (0.5 + random.random() / 2))
    raise FetchError(f"GET {url} failed: {last}")
