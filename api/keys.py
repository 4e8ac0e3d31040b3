"""API keys: only SHA-256 hashes are stored, in ``<home>/api_keys.json`` (mode 0600).

A key is ``kz_<id>_<secret>``; the id is public (it names the key in listings and
rate limits), the secret is 32 random bytes. Keys are compared in constant time
and never logged. The file is re-read when it changes, so a revoke takes effect
on the next request of a running server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from core.errors import ConfigError

ROLES = ("read", "admin")


@dataclass(frozen=True)
class Key:
    id: str
    role: str
    created: str
    label: str = ""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._cache: tuple[float, dict] | None = None

    @classmethod
    def at(cls, home: Path) -> KeyStore:
        return cls(home / "api_keys.json")

    def _read(self) -> dict:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return {"keys": {}}
        if self._cache and self._cache[0] == mtime:
            return self._cache[1]
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self._cache = (mtime, data)
        return data

    def _write(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, self.path)
        self._cache = None

    def create(self, role: str, label: str = "") -> tuple[str, Key]:
        if role not in ROLES:
            raise ConfigError(f"role must be one of {', '.join(ROLES)}")
        with self._lock:
            data = self._read()
            kid = secrets.token_hex(4)
            while kid in data["keys"]:
                kid = secrets.token_hex(4)
            plain = f"kz_{kid}_{secrets.token_urlsafe(32)}"
            created = datetime.now(timezone.utc).isoformat(timespec="seconds")
            data = {"keys": {**data["keys"], kid: {"sha256": _hash(plain), "role": role, "created": created,
                                                   "label": label}}}
            self._write(data)
        return plain, Key(kid, role, created, label)

    def revoke(self, kid: str) -> bool:
        with self._lock:
            data = self._read()
            if kid not in data["keys"]:
                return False
            self._write({"keys": {k: v for k, v in data["keys"].items() if k != kid}})
        return True

    def list(self) -> list[Key]:
        return [Key(k, v["role"], v["created"], v.get("label", "")) for k, v in sorted(self._read()["keys"].items())]

    def verify(self, presented: str | None) -> Key | None:
        """The key's record when ``presented`` is a valid key, else None (constant-time hash compare)."""
        if not presented or len(presented) > 200:
            return None
        parts = presented.split("_")
        kid = parts[1] if len(parts) >= 3 and parts[0] == "kz" else ""
        rec = self._read()["keys"].get(kid)
        expected = rec["sha256"] if rec else "0" * 64
        ok = hmac.compare_digest(_hash(presented), expected)
        return Key(kid, rec["role"], rec["created"], rec.get("label", "")) if ok and rec else None
