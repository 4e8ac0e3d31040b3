"""The default technology watch-list for live runs, and a cheap online check."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

from core.settings import Settings

# Technologies the economic-security lists share (特定重要技術, US CET, ASPI…).
QUERIES: tuple[str, ...] = (
    "quantum computing",
    "large language model",
    "gallium nitride power device",
    "extreme ultraviolet lithography",
    "solid-state battery",
    "rare-earth-free permanent magnet",
    "hypersonic vehicle",
    "6G wireless communication",
    "synthetic biology",
    "nuclear fusion reactor",
)


def online(settings: Settings, timeout: float = 3.0) -> bool:
    host = urlparse(settings.openalex_url).hostname or "api.openalex.org"
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False
