"""Settings for every process, read from the environment (prefix CLIENTBASE_) and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
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
    parser_cache_size: int = 1024
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
    export_link_seconds: int = Field(
        default=7 * 24 * 3600,
        description="How long an export's download link works; GET /files/{id} says 410 after.",
    )
    export_max_bytes: int = Field(
        default=64 * 1024**3, description="Largest export file; the job fails beyond it."
    )
    job_time_limit_seconds: int = Field(
        default=24 * 3600, description="Dramatiq time limit of one run of a job."
    )

    @property
    def graphiql_enabled(self) -> bool:
        if self.graphiql is not None:
            return self.graphiql
        return self.environment == "development"

    @property
    def owner_database_url(self) -> str | None:
        return self.migration_database_url or self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
