"""Country nodes get their English and Japanese names from the country table (ingest/country.py)."""

from __future__ import annotations

from graph.store import Store
from ingest.country import country_rows

NAME_COUNTRIES = """
UNWIND $rows AS c
MATCH (n:Country {code: c.code})
SET n.name = c.name, n.name_ja = c.name_ja
"""



def name_all(store: Store) -> None:
    """Give every Country node in the graph its English and Japanese name, whoever created it."""
    store.write(NAME_COUNTRIES, rows=country_rows())
