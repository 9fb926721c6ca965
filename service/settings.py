"""Service configuration: read from ``INTERLAYER_*`` environment variables once, by the process's entry
point, and passed down. Nothing reads the environment on import."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "interlayer"


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'interlayer.sqlite'}"


class Settings(BaseSettings):
    """``Settings()`` reads the environment; ``Settings(field=...)`` overrides it; every field has a default."""

    model_config = SettingsConfigDict(env_prefix="INTERLAYER_", frozen=True, extra="ignore")

    # empty: a SQLite file in the user's data folder
    database_url: str = Field(default="", validate_default=True)
    # None means "start an embedded broker" (the CLI does that and passes the URL to its children).
    redis_url: str | None = None
    # Every Redis key and the queue carry this prefix, so several deployments (or test runs) share one Redis.
    queue_prefix: str = "interlayer"
    # Seconds between job heartbeats; a running job silent for 4 heartbeats is taken as orphaned, so a killed
    # worker's job runs again about 8 s later (6 s of silence, a reconciler pass every 2 s; bench.chaos).
    heartbeat_s: float = 1.5
    simulation_time_limit_s: int = 900
    # Requests per second each API key may make to each API process (a second's worth may come at once);
    # 0: no limit. A lab's clients make a few a second; bench.service_load lifts it to measure the service.
    requests_per_key_s: float = 50.0
    # Extra simulation models "name=module:function,...", for benchmarks and tests only (usecases/physics_models.py).
    extra_models: str = ""
    # PostgreSQL commits that return before the WAL is on disk. Worker processes turn it on: each of
    # their writes is a claim, heartbeat or finish that the reconciler redoes if a crash loses it.
    # The API keeps it off: what it acknowledges to a client is on disk.
    asynchronous_commit: bool = False
    # Signs dashboard session cookies and CSRF tokens. Empty: a random secret per API process, so
    # sessions end when it restarts; several API processes behind one address must share one.
    session_secret: str = ""

    @field_validator("database_url", mode="after")
    @classmethod
    def _database_or_default(cls, url: str) -> str:
        return url or default_database_url()

    @field_validator("redis_url", mode="after")
    @classmethod
    def _empty_is_unset(cls, url: str | None) -> str | None:
        return url or None

    @property
    def queue(self) -> str:
        return f"{self.queue_prefix}.jobs"

    @property
    def orphan_after_s(self) -> float:
        return 4.0 * self.heartbeat_s

    @property
    def longest_task_s(self) -> int:
        return self.simulation_time_limit_s + 60

    @property
    def visibility_timeout_s(self) -> int:
        # Redis redelivers an unacknowledged message after this; it must outlast any task twice over.
        return 2 * self.longest_task_s + 600

    def environment(self) -> dict[str, str]:
        """These settings as the environment variables a child process reads them from."""
        return {f"INTERLAYER_{name.upper()}": "" if value is None else str(value)
                for name, value in self.model_dump().items()}
