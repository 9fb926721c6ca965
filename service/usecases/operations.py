"""What an operator watches: jobs by kind and status, the queue's depth, live workers, recent job run times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ..jobs.queue import beacon_key, queue_keys
from ..settings import Settings
from ..store.db import transaction
from ..store.jobs import Jobs
from ..store.tables import utcnow

# Finished jobs whose run time the durations cover.
RECENT_S = 900.0
RECENT_JOBS = 10_000


@dataclass
class ServiceFigures:
    jobs: dict[tuple[str, str], int] = field(default_factory=dict)
    queue_depth: int | None = None
    workers: int = 0
    durations: dict[str, list[float]] = field(default_factory=dict)


def service_figures(settings: Settings, broker) -> ServiceFigures:
    """The figures from the database and (when given a Redis client) the broker."""
    figures = ServiceFigures()
    since = utcnow() - timedelta(seconds=RECENT_S)
    with transaction(settings) as session:
        jobs = Jobs(session)
        for kind, status, count in jobs.counts():
            figures.jobs[(kind.value, status.value)] = count
        for kind, started, finished in jobs.durations(since, RECENT_JOBS):
            figures.durations.setdefault(kind.value, []).append(max(0.0, (finished - started).total_seconds()))
    if broker is not None:
        figures.queue_depth = sum(int(broker.llen(key)) for key in queue_keys(settings))
        figures.workers = sum(1 for _ in broker.scan_iter(beacon_key(settings), count=100))
    return figures
