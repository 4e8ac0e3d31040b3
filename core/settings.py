"""All of Kizashi's settings, in one pydantic-settings object.

Read from the environment (``KIZASHI_*``, plus ``NEO4J_URI`` / ``NEO4J_USER`` /
``NEO4J_PASSWORD``) or from a dotenv-style settings file named by
``KIZASHI_SETTINGS`` (default: ``<home>/settings.env``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kizashi"


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kizashi"


def _settings_file() -> Path:
    explicit = os.environ.get("KIZASHI_SETTINGS")
    if explicit:
        return Path(explicit)
    home = os.environ.get("KIZASHI_HOME")
    return (Path(home) if home else _default_home()) / "settings.env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIZASHI_", extra="ignore", frozen=True)

    home: Path = Field(default_factory=_default_home, description="Data directory: database, password, quarantine, checkpoints.")

    cache: Path = Field(default_factory=_default_cache, description="Downloaded jars; safe to delete.")

    # An external Neo4j (compose service, Aura). When set, nothing is started locally.
    neo4j_uri: str | None = Field(None, validation_alias=AliasChoices("NEO4J_URI", "KIZASHI_NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=AliasChoices("NEO4J_USER", "KIZASHI_NEO4J_USER"))
    neo4j_password: SecretStr | None = Field(None, validation_alias=AliasChoices("NEO4J_PASSWORD", "KIZASHI_NEO4J_PASSWORD"))
    neo4j_database: str = "neo4j"

    # Local server launched from Maven Central jars.
    bolt_port: int = 7687
    # HTTP API + Neo4j Browser, on 127.0.0.1 too. None: 7474 with the default Bolt port if free,
    # else any free port; 0: off.
    http_port: int | None = None
    neo4j_heap: str = "2g"
    neo4j_page_cache_mb: int = 1024
    neo4j_version: str = "5.26.0"

    batch_size: int = 2000
    max_record_bytes: int = 8 * 1024 * 1024

    openalex_url: str = "https://api.openalex.org"
    openalex_api_key: SecretStr | None = None
    openalex_mailto: str | None = None
    openalex_requests_per_second: float = 5.0
    openalex_per_page: int = 200

    arxiv_url: str = "https://export.arxiv.org/api/query"
    arxiv_delay_seconds: float = 3.0
    arxiv_page_size: int = 100

    # Text embedding model (analysis/embed.py): "use-multilingual", "minilm" or "st:<model>".
    embedder: str = "use-multilingual"
    embed_processes: int = 0     # worker processes for bulk encoding: 0 one per core, 1 in-process
    # Candidates the vector index is asked for before the best k are kept. Neo4j passes k to
    # Lucene's HNSW search as its beam width, so k=2 can miss the true nearest document
    # (neo4j/neo4j#13542); asking for at least this many makes a small k as exact as a large one.
    search_candidates: int = 100
    # The API reuses a query's hits (10 s), query vectors (LRU) and its lookup of the serving
    # vector indexes (10 s); off, every search encodes its query, looks the indexes up again and
    # walks them (bench.load's baseline).
    search_cache: bool = True

    http_retries: int = 5
    http_timeout_seconds: float = 30.0

    # Rankings (analysis/rank.py). Monopoly risk: high if HHI ≥ high_hhi or an uncontested
    # lead share ≥ high_top1; medium if lead share ≥ medium_top1 or HHI ≥ medium_hhi.
    rank_profile: str = "jp_economic_security"
    rank_bootstrap: int = 1000
    rank_seed: int = 20260401
    rank_min_about_score: float = 0.0
    rank_min_documents: int = Field(30, description="Attributed documents a ranking needs before it names a leader with its concentration, contest and monopoly risk; below it the ranking is flagged thin and those are withheld.")
    rank_population_min_coverage: float = Field(0.9, description="Population counts (kizashi counts fetch, kizashi population stream --load) replace a country ranking's paper axes only when they hold at least the sample's attributed works and cover the years holding this share of the sample's works; otherwise the ranking stays on the sample and says why.")
    rank_min_cell_documents: int = Field(10, description="Documents one country or organization needs in a ranking to be ranked and to get a growth rate; below it the row is shown, flagged thin, and not ranked.")
    risk_high_top1: float = 0.5
    risk_high_hhi: float = 0.25
    risk_medium_top1: float = 0.3
    risk_medium_hhi: float = 0.15

    # The API (api/).
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_requests_per_minute: int = 600        # per API key
    api_page_size: int = 50
    api_cypher_timeout_seconds: float = 10.0
    api_cypher_max_rows: int = 1000
    api_cache_seconds: float = 30.0           # repeat reads served from memory this long; 0 turns it off

    # The dashboard (ui/): it reads only through the API, with a read key.
    api_url: str = "http://127.0.0.1:8000"
    api_key: SecretStr | None = None
    ui_host: str = "127.0.0.1"
    ui_port: int = 8501
    neo4j_browser_url: str | None = None     # e.g. http://127.0.0.1:7474; linked from the graph explorer when reachable

    # API security limits (docs/security.md lists them with their reasons).
    api_burst_per_second: int = Field(20, description="Rate-limit units a key may spend in any one second, on top of api_requests_per_minute.")
    api_auth_failures_per_minute: int = Field(20, description="Failed authentications a client address may make per minute before it gets 429 without its key being checked.")
    api_recompute_cost: int = Field(30, description="Rate-limit units charged for a computation the request starts (fresh=true, a window or profile never computed); a read costs 1.")
    api_recompute_workers: int = Field(2, description="Computations that API requests may run at once, over all keys.")
    api_recompute_queue: int = Field(4, description="Computations that may wait for a worker; beyond that a request gets 503 with Retry-After.")
    api_recompute_per_key: int = Field(1, description="Computations one key may have running or waiting at once; beyond that 429.")
    api_recompute_wait_seconds: float = Field(60.0, description="How long a queued computation waits for a worker before the request gets 503.")
    api_cypher_max_length: int = Field(5000, description="Longest /cypher query text, in characters.")
    api_cypher_max_depth: int = Field(24, description="Deepest nesting of brackets, braces and parentheses a /cypher query may have (the planner's cost grows steeply with it).")
    api_cypher_max_bytes: int = Field(4_000_000, description="Largest /cypher response body in bytes; rows past it are cut off and the answer says truncated.")
    api_cypher_max_param_bytes: int = Field(100_000, description="Largest /cypher params object, as JSON bytes.")
    api_cursor_secret: SecretStr | None = Field(None, description="HMAC key that signs pagination cursors; unset, a random one per server process (cursors then end with a restart).")
    api_docs_require_key: bool = Field(False, description="True: /docs, /redoc and /openapi.json need a read key like every other route.")
    ui_behind_auth_proxy: bool = Field(False, description="The dashboard sits behind a reverse proxy that authenticates every request (docs/security.md); lets `kizashi serve ui` bind beyond loopback without Streamlit's own [auth] login.")

    @property
    def local(self) -> bool:
        return self.neo4j_uri is None

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    path = _settings_file()
    return Settings(_env_file=path if path.exists() else None)  # type: ignore[call-arg]
