"""The store every command opens: the configured Neo4j, or the local one, started on demand."""

from __future__ import annotations

from core.console import err
from core.settings import get_settings
from graph.store import Store


def open_store(start: bool = True) -> Store:
    """A Store on the configured Neo4j, starting the local one if needed."""
    from graph import server
    from graph.schema import ensure_schema

    settings = get_settings()
    if settings.local and start and not server.running(settings):
        err.print("[dim]starting the local Neo4j…[/dim]")
        server.start(settings)
    store = Store.connect(settings)
    ensure_schema(store)
    return store
