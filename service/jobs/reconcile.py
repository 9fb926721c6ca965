"""The reconciler: jobs a crash or an outage left behind go (back) on the queue — running with a silent
heartbeat; queued but never published (the broker was away); queued while the broker holds no message
at all (a broker restart lost them); queued for long. A duplicate message is harmless: the claim lets
one attempt through."""

from __future__ import annotations

import logging
from datetime import timedelta

from ..settings import Settings
from ..store.db import transaction
from ..store.jobs import Jobs
from ..store.tables import utcnow
from ..store.vocabulary import JobKind
from .queue import URGENT, publish

log = logging.getLogger(__name__)


# Seconds a committed job may wait for its own request to publish it before the reconciler does.
UNPUBLISHED_GRACE_S = 2.0
# Seconds after publishing before a queued job counts as lost when the broker holds no message.
LOST_AFTER_S = 5.0


def reconcile(settings: Settings, *, broker_idle: bool = False, republish_queued_after_s: float = 600.0) -> list[str]:
    """Re-enqueue the jobs left behind (``broker_idle``: the broker holds no message); errs on re-sending.
    Returns their ids."""
    now = utcnow()
    stale_before = now - timedelta(seconds=settings.orphan_after_s)
    queued_before = now - timedelta(seconds=LOST_AFTER_S if broker_idle else republish_queued_after_s)
    by_kind: dict[JobKind, list[str]] = {}
    with transaction(settings) as session:
        jobs = Jobs(session)
        orphans = jobs.left_behind(stale_before, now - timedelta(seconds=UNPUBLISHED_GRACE_S), queued_before)
        for job_id, kind in orphans:
            by_kind.setdefault(kind, []).append(job_id)
        if orphans:
            jobs.requeue([j for j, _ in orphans], now)
    for kind, job_ids in by_kind.items():
        log.warning("re-enqueueing %d %s job(s) left by a crash or an outage", len(job_ids), kind)
        publish(settings, kind, job_ids, priority=URGENT)
    return [job_id for job_ids in by_kind.values() for job_id in job_ids]
