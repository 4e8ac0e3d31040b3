"""Security headers on every response: routes, errors, cache hits, 500s and the docs pages.

- ``X-Content-Type-Options: nosniff``: a browser must not guess that a JSON or CSV body is HTML;
- ``Content-Security-Policy: frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` (for older
  browsers): no page may frame the API or its docs;
- ``Referrer-Policy: no-referrer``: links out of the docs do not carry the API's address;
- ``Cache-Control: no-store`` on any request that presented a key (``X-API-Key`` or a bearer
  token): a keyed answer must not stay in a shared or browser cache after the key is revoked.

The middleware wraps the whole application, outside Starlette's error middleware, so
even an unhandled error's 500 carries them; routes cannot forget them.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
NO_STORE = (b"cache-control", b"no-store")


def keyed(scope: Scope) -> bool:
    for name, value in scope.get("headers") or ():
        if name == b"x-api-key" or (name == b"authorization" and value[:7].lower() == b"bearer "):
            return True
    return False


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = ALWAYS + ((NO_STORE,) if keyed(scope) else ())
        ours = {k for k, _ in extra}

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in ours]
                message = {**message, "headers": kept + list(extra)}
            await send(message)

        await self.app(scope, receive, with_headers)


def install(app: ASGIApp) -> None:
    """Wrap ``app``'s whole middleware stack (Starlette builds it on the first request).

    ``add_middleware`` would put us inside ServerErrorMiddleware, whose 500 answers would then
    go out without the headers."""
    build = app.build_middleware_stack  # type: ignore[attr-defined]
    app.build_middleware_stack = lambda: SecurityHeaders(build())  # type: ignore[attr-defined]
