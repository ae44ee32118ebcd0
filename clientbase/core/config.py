"""Settings for every process, read from the environment (prefix CLIENTBASE_) and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One settings class for the API, the worker and the CLI."""

    model_config = SettingsConfigDict(env_prefix="CLIENTBASE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL the application connects with (the non-owner app role).",
    )
    migration_database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL of the schema owner, for migrations; defaults to database_url.",
    )
    redis_url: str | None = Field(default=None, description="Redis URL for the broker.")
    embedded: bool = Field(
        default=True,
        description="Start PostgreSQL and Redis from the bundled wheels when no URL is set.",
    )
    data_dir: Path = Field(default=Path(".clientbase"), description="Embedded servers' data.")
    app_role: str = Field(
        default="clientbase_app",
        description="PostgreSQL role the application runs as; created by the migrations.",
    )
    app_role_password: str | None = Field(
        default=None,
        description="Password `clientbase migrate` sets on the app role (unset: trust auth).",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    db_pool_size: int = 10
    db_max_overflow: int = 10
    log_level: str = "INFO"
    log_json: bool = False
    graphiql: bool | None = Field(
        default=None, description="Serve GraphiQL; defaults to on in development only."
    )
    console: bool | None = Field(
        default=None, description="Serve the console page at /; defaults to on in development."
    )
    metrics: bool = Field(default=True, description="Serve Prometheus metrics at /metrics.")
    metrics_token: SecretStr | None = Field(
        default=None, description="When set, /metrics needs `Authorization: Bearer <token>`."
    )
    metrics_job_window_seconds: float = Field(
        default=3600.0, description="Jobs that ended this recently make the finished-job metrics."
    )
    metrics_timeout_seconds: float = Field(
        default=2.0, description="Longest wait of a scrape for PostgreSQL or Redis figures."
    )
    parser_cache_size: int = 1024
    compiled_reads: bool = Field(
        default=True,
        description="Answer queries of columns and relations with one SQL statement per root "
        "field that builds the JSON in PostgreSQL; off: every field through its resolver.",
    )
    validation_cache_size: int = 1024
    worker_processes: int = 1
    worker_threads: int = 4
    max_upload_bytes: int = Field(
        default=1024**3, description="Largest accepted upload to POST /files (413 beyond)."
    )
    job_heartbeat_seconds: float = Field(
        default=5.0, description="How often a running job's worker stamps heartbeat_at."
    )
    job_stale_after_seconds: float = Field(
        default=60.0,
        description="A RUNNING job silent this long, or a QUEUED one unsent this long, is re-sent.",
    )
    job_reconcile_interval_seconds: float = Field(
        default=30.0, description="How often one worker sweeps for stale jobs; 0 turns it off."
    )
    job_progress_interval_seconds: float = Field(
        default=0.25, description="Least time between two progress messages of one job."
    )
    import_processes: int | None = Field(
        default=None,
        description="Processes that normalise a large import's rows beside the worker; "
        "unset: one per CPU but one; 0: the worker's own thread does it.",
    )
    scan_processes: int | None = Field(
        default=None,
        description="Processes that score a large duplicate scan's pairs beside the worker; "
        "unset: one per CPU; 0: the worker's own thread does it.",
    )
    export_link_seconds: int = Field(
        default=7 * 24 * 3600,
        description="How long an export's download link works; GET /files/{id} says 410 after.",
    )
    export_max_bytes: int = Field(
        default=64 * 1024**3, description="Largest export file; the job fails beyond it."
    )
    broker_heartbeat_timeout_seconds: float = Field(
        default=15.0, description="A worker silent this long is dead: Redis requeues its messages."
    )
    broker_maintenance_chance: int = Field(
        default=50_000, description="Broker commands per million that look for dead workers."
    )
    job_time_limit_seconds: int = Field(
        default=24 * 3600, description="Dramatiq time limit of one run of a job."
    )
    worker_shutdown_seconds: float = Field(
        default=30.0,
        description="On SIGTERM, how long a worker waits for its running jobs to reach a "
        "checkpoint; a job still running then is left to be requeued.",
    )
    api_shutdown_seconds: int = Field(
        default=30,
        description="On SIGTERM, how long the API waits for requests in flight (and open "
        "subscriptions) before closing them.",
    )

    # PostgreSQL timeouts of the API's connections, in milliseconds.
    api_statement_timeout_ms: int = Field(
        default=30_000, description="Longest statement of a request; it fails beyond."
    )
    api_lock_timeout_ms: int = Field(
        default=5_000, description="Longest wait of a request for a row or table lock."
    )
    api_idle_in_transaction_timeout_ms: int = Field(
        default=60_000, description="A request's transaction left idle this long is ended."
    )
    # Query limits: each over-limit request gets a GraphQL error naming the limit.
    max_query_depth: int = 10
    max_aliases: int = Field(default=15, description="Aliases, fragment spreads counted.")
    max_tokens: int = 2000
    max_directives_per_field: int = 5
    max_document_chars: int = 20_000
    max_list_input: int = Field(default=100, description="Items in any list argument.")
    max_query_cost: int = Field(
        default=20_000, description="Objects a query may ask for: page sizes multiplied."
    )
    query_cost_per_minute: int = Field(
        default=1_000_000, description="Cost budget of one caller per minute; 0 turns it off."
    )
    introspection: bool | None = Field(
        default=None, description="Serve __schema/__type; defaults to off in production."
    )
    field_suggestions: bool | None = Field(
        default=None, description="'Did you mean' hints in errors; defaults to off in production."
    )
    # HTTP rules.
    max_request_bytes: int = Field(
        default=1024**2, description="Largest GraphQL request body (413 beyond)."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Browser origins allowed to call the API (CORS)."
    )
    requests_per_minute: int = Field(
        default=600, description="Requests of one API key or user per minute (429 beyond)."
    )
    request_burst: int = Field(default=60, description="Requests one caller may send at once.")
    # SPA sign-in: a JWT from the identity provider, verified with a pinned algorithm.
    jwt_algorithm: Literal["HS256", "RS256", "ES256"] | None = Field(
        default=None, description="Turns JWT sign-in on; tokens signed otherwise are refused."
    )
    jwt_secret: SecretStr | None = Field(default=None, description="HS256 shared secret.")
    jwt_public_key_file: Path | None = Field(default=None, description="RS256/ES256 PEM key.")
    jwt_jwks_file: Path | None = Field(
        default=None, description="RS256/ES256 keys as a JWKS document, picked by `kid`."
    )
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_tenant_claim: str = Field(default="tenant", description="Claim with tenant slug or id.")
    jwt_role_claim: str = Field(default="role", description="Claim with reader/editor/admin.")
    jwt_leeway_seconds: int = 30

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def api_database_timeouts(self) -> dict[str, str]:
        """PostgreSQL timeouts of the API's connections (0 turns one off). Jobs have none:
        an export's COPY is one long statement."""
        return {
            "statement_timeout": str(self.api_statement_timeout_ms),
            "lock_timeout": str(self.api_lock_timeout_ms),
            "idle_in_transaction_session_timeout": str(self.api_idle_in_transaction_timeout_ms),
        }

    @property
    def graphiql_enabled(self) -> bool:
        if self.graphiql is not None:
            return self.graphiql
        return self.environment == "development"

    @property
    def console_enabled(self) -> bool:
        return self.console if self.console is not None else self.environment == "development"

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else not self.production

    @property
    def field_suggestions_enabled(self) -> bool:
        if self.field_suggestions is not None:
            return self.field_suggestions
        return not self.production

    @property
    def owner_database_url(self) -> str | None:
        return self.migration_database_url or self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
