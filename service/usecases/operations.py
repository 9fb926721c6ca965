"""What an operator watches: jobs by kind and status, the queue's depth, live workers, recent job run times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from ..jobs.queue import beacon_key, queue_keys
from ..settings import Settings
from ..store.db import transaction
from ..store.tables import Job, utcnow

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
        for kind, status, count in session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)):
            figures.jobs[(kind.value, status.value)] = count
        recent = session.execute(select(Job.kind, Job.started_at, Job.finished_at)
                                 .where(Job.finished_at > since, Job.started_at.is_not(None)).limit(RECENT_JOBS))
        for kind, started, finished in recent:
            figures.durations.setdefault(kind.value, []).append(max(0.0, (finished - started).total_seconds()))
    if broker is not None:
        figures.queue_depth = sum(int(broker.llen(key)) for key in queue_keys(settings))
        figures.workers = sum(1 for _ in broker.scan_iter(beacon_key(settings), count=100))
    return figures
