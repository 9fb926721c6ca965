"""The reconciler: jobs a crash left behind (running with a silent heartbeat, or queued and never
picked up) go back on the queue. A duplicate message is harmless: the claim lets one attempt through."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select, update

from ..settings import Settings
from ..store.db import transaction
from ..store.tables import Job, utcnow
from ..store.vocabulary import JobKind, JobStatus
from .queue import publish

log = logging.getLogger(__name__)


def reconcile(settings: Settings, *, republish_queued_after_s: float = 600.0) -> list[str]:
    """Re-enqueue the jobs a crash left behind; errs on re-sending. Returns their ids."""
    now = utcnow()
    stale_before = now - timedelta(seconds=settings.orphan_after_s)
    queued_before = now - timedelta(seconds=republish_queued_after_s)
    by_kind: dict[JobKind, list[str]] = {}
    with transaction(settings) as session:
        orphans = session.execute(
            select(Job.id, Job.kind).where(or_(
                (Job.status == JobStatus.RUNNING) & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before),
                (Job.status == JobStatus.QUEUED) & (Job.published_at < queued_before),
            )).with_for_update(skip_locked=True)).all()
        for job_id, kind in orphans:
            by_kind.setdefault(kind, []).append(job_id)
        if orphans:
            session.execute(update(Job).where(Job.id.in_([j for j, _ in orphans]))
                            .values(status=JobStatus.QUEUED, claim=None, published_at=now, message="re-enqueued"))
    for kind, job_ids in by_kind.items():
        log.warning("re-enqueueing %d %s job(s) left by a crash", len(job_ids), kind)
        publish(settings, kind, job_ids)
    return [job_id for job_ids in by_kind.values() for job_id in job_ids]
