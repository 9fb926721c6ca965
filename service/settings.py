"""Service configuration from the environment, read once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "interlayer"


@dataclass(frozen=True)
class Settings:
    database_url: str
    # None means "start an embedded broker" (the CLI does that and sets the variable for its children).
    redis_url: str | None
    # Every Redis key and the queue carry this prefix, so several deployments (or test runs) share one Redis.
    queue_prefix: str
    # Seconds between job heartbeats; a running job silent for 4 heartbeats is taken as orphaned.
    heartbeat_s: float
    simulation_time_limit_s: int
    # Extra simulation models "name=module:function,...", for benchmarks and tests only (see service/simulations.py).
    extra_models: str

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


def load_settings() -> Settings:
    env = os.environ
    database_url = env.get("INTERLAYER_DATABASE_URL") or f"sqlite:///{default_data_dir() / 'interlayer.sqlite'}"
    return Settings(
        database_url=database_url,
        redis_url=env.get("INTERLAYER_REDIS_URL") or None,
        queue_prefix=env.get("INTERLAYER_QUEUE_PREFIX", "interlayer"),
        heartbeat_s=float(env.get("INTERLAYER_HEARTBEAT_S", "5")),
        simulation_time_limit_s=int(env.get("INTERLAYER_SIMULATION_TIME_LIMIT_S", "900")),
        extra_models=env.get("INTERLAYER_EXTRA_MODELS", ""),
    )
