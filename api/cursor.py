"""Signed pagination cursors: ``next_cursor`` is the next offset, with an HMAC-SHA256 tag.

A cursor used to be plain base64 JSON, so a client could hand back anything that parses
(``{"o": Infinity}`` reached ``int()`` and answered 500). Now the tag is checked first, in
constant time, and only then is the payload read; anything this process did not issue is
a 400 ``bad_cursor``. The key is ``api_cursor_secret``; unset, each server process draws
its own, so cursors then end with a restart (a client starts again from the first page).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets

from api.errors import ApiError

TAG_BYTES = 16        # 128 bits of HMAC-SHA256: forging one is out of reach, and cursors stay short
MAX_OFFSET = 10**9    # far beyond any list the API serves; bounds what a signed cursor may say


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _no_constants(name: str) -> None:
    raise ValueError(f"non-finite number {name}")


class Cursors:
    def __init__(self, secret: str | None = None) -> None:
        self._key = (secret or secrets.token_urlsafe(32)).encode()

    def _tag(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:TAG_BYTES]

    def encode(self, offset: int) -> str:
        payload = json.dumps({"o": int(offset)}, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._tag(payload))}"

    def decode(self, cursor: str | None) -> int:
        """The offset a cursor names; 0 for none; ApiError 400 for anything not issued here."""
        if not cursor:
            return 0
        bad = ApiError(400, "bad_cursor", "cursor is not one this API issued (take next_cursor from the previous page)")
        body, dot, tag = cursor.partition(".")
        if not dot or not body.isascii() or not tag.isascii():
            raise bad
        try:
            payload, given = _unb64(body), _unb64(tag)
        except (binascii.Error, ValueError):
            raise bad from None
        if not hmac.compare_digest(self._tag(payload), given):
            raise bad
        # Signed by us, so it parses; checked anyway: a leaked secret must still not reach a 500.
        try:
            data = json.loads(payload, parse_constant=_no_constants)
        except ValueError:
            raise bad from None
        offset = data.get("o") if isinstance(data, dict) else None
        if type(offset) is not int or not 0 <= offset <= MAX_OFFSET:
            raise bad
        return offset
