"""The life of a job row: created, published, claimed by one attempt, kept alive, finished once.

A task may be delivered more than once (a redelivered message, a re-enqueue by the reconciler).
Each delivery tries to *claim* the row with a fresh token; only a queued row, or a running row
whose heartbeat went silent, can be claimed. Results are written in the same transaction that
moves the row to a final state, guarded by the token, so a second delivery never writes twice.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .db import transaction
from .queue import publish
from .settings import Settings
from .tables import FINISHED, Job, Simulation, utcnow

log = logging.getLogger(__name__)

# A job that fails this many deliveries (worker killed each time, for instance) is failed for good.
MAX_ATTEMPTS = 5


class ClaimLost(RuntimeError):
    """Another attempt took the job over; this one must write nothing."""


class JobCancelled(RuntimeError):
    """The job was asked to stop."""


def create_job(session: Session, kind: str, owner: str, job_input: dict[str, Any], *,
               campaign_id: str | None = None, simulation_key: str | None = None) -> Job:
    job = Job(kind=kind, owner=owner, input=job_input, campaign_id=campaign_id, simulation_key=simulation_key,
              status="queued", progress=0.0, message="queued", attempts=0, cancel_requested=False,
              published_at=utcnow())
    session.add(job)
    session.flush()
    return job


@dataclass
class Claim:
    job_id: str
    token: str
    kind: str
    input: dict[str, Any]
    owner: str
    campaign_id: str | None
    attempts: int
    # simulation key -> id of a stored result, read in the claiming transaction (saves a round trip)
    cached: dict[str, str] = field(default_factory=dict)

    def cached_simulation_id(self, key: str) -> str | None:
        return self.cached.get(key)


def claim(settings: Settings, job_id: str, token: str | None = None) -> Claim | None:
    """Take the job for this attempt, or None when it is finished, cancelled or alive elsewhere.

    ``token`` continues a claim this task already holds (a proposal job re-scheduling itself).
    """
    now = utcnow()
    stale_before = now - timedelta(seconds=settings.orphan_after_s)
    with transaction(settings.database_url) as session:
        if token is not None:
            condition = (Job.status == "running") & (Job.claim == token)
            values = {"heartbeat_at": now}
        else:
            token = uuid.uuid4().hex
            condition = (Job.status == "queued") | ((Job.status == "running") & or_(
                Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before))
            values = {"status": "running", "claim": token, "attempts": Job.attempts + 1, "heartbeat_at": now,
                      "started_at": now, "message": "running"}
        row = session.execute(
            update(Job).where(Job.id == job_id, condition).values(**values)
            .returning(Job.kind, Job.input, Job.owner, Job.campaign_id, Job.attempts, Job.cancel_requested,
                       Job.simulation_key)
        ).one_or_none()
        if row is None:
            return None
        if row.attempts > MAX_ATTEMPTS:
            _finish(session, job_id, token, "failed", error=f"gave up after {MAX_ATTEMPTS} attempts")
            return None
        if row.cancel_requested:
            _finish(session, job_id, token, "cancelled", message="cancelled")
            return None
        found = session.scalar(select(Simulation.id).where(Simulation.key == row.simulation_key)) \
            if row.simulation_key else None
        cached = {row.simulation_key: found} if found else {}
    return Claim(job_id, token, row.kind, row.input, row.owner, row.campaign_id, row.attempts, cached)


def _finish(session: Session, job_id: str, token: str, status: str, *, result: dict | None = None,
            error: str | None = None, message: str | None = None) -> None:
    done = session.execute(
        update(Job).where(Job.id == job_id, Job.claim == token, Job.status == "running")
        .values(status=status, result=result, error=error, progress=1.0 if status == "succeeded" else Job.progress,
                message=message or status, finished_at=utcnow(), claim=None)
    )
    if done.rowcount != 1:
        raise ClaimLost(f"job {job_id} was taken over by another attempt")


def finish(session: Session, claimed: Claim, status: str, *, result: dict | None = None,
           error: str | None = None, message: str | None = None) -> None:
    """Move the job to a final state in ``session``'s transaction; raises ClaimLost so that the caller's results roll back."""
    assert status in FINISHED
    _finish(session, claimed.job_id, claimed.token, status, result=result, error=error, message=message)


def finish_now(settings: Settings, claimed: Claim, status: str, **fields: Any) -> None:
    try:
        with transaction(settings.database_url) as session:
            finish(session, claimed, status, **fields)
    except ClaimLost:
        log.warning("job %s: claim lost before it could be marked %s", claimed.job_id, status)


class Heartbeat:
    """While a task runs: every ``heartbeat_s`` store progress, prove liveness and read the cancel flag."""

    def __init__(self, settings: Settings, claimed: Claim):
        self.settings, self.claimed = settings, claimed
        self.fraction: float | None = None
        self.message: str | None = None
        self.cancelled = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{claimed.job_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def progress(self, fraction: float, message: str | None = None) -> None:
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        if message is not None:
            self.message = message

    def should_cancel(self) -> bool:
        return self.cancelled

    def _beat(self) -> None:
        while not self._stop.wait(self.settings.heartbeat_s):
            try:
                self.beat()
            except Exception:  # a missed beat is retried; the task itself must not die of it
                log.exception("heartbeat of job %s failed", self.claimed.job_id)

    def beat(self) -> None:
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if self.fraction is not None:
            values["progress"] = self.fraction
        if self.message is not None:
            values["message"] = self.message
        with transaction(self.settings.database_url) as session:
            row = session.execute(
                update(Job).where(Job.id == self.claimed.job_id, Job.claim == self.claimed.token)
                .values(**values).returning(Job.cancel_requested)).one_or_none()
        # A lost claim means another attempt owns the job: stop as if cancelled.
        self.cancelled = row is None or bool(row.cancel_requested)


def request_cancel(session: Session, job: Job) -> None:
    """A queued job is cancelled at once; a running one is asked to stop at its next heartbeat."""
    if job.status == "queued":
        job.status, job.message, job.finished_at = "cancelled", "cancelled", utcnow()
    elif job.status == "running":
        job.cancel_requested = True


def reconcile(settings: Settings, *, republish_queued_after_s: float = 600.0) -> list[str]:
    """Re-enqueue jobs a crash left behind: running with a silent heartbeat, or queued and never picked up.

    A duplicate message is harmless (the claim lets one attempt through), so this errs on re-sending.
    """
    now = utcnow()
    stale_before = now - timedelta(seconds=settings.orphan_after_s)
    queued_before = now - timedelta(seconds=republish_queued_after_s)
    by_kind: dict[str, list[str]] = {}
    with transaction(settings.database_url) as session:
        orphans = session.execute(
            select(Job.id, Job.kind).where(or_(
                (Job.status == "running") & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before),
                (Job.status == "queued") & (Job.published_at < queued_before),
            )).with_for_update(skip_locked=True)).all()
        for job_id, kind in orphans:
            by_kind.setdefault(kind, []).append(job_id)
        if orphans:
            session.execute(update(Job).where(Job.id.in_([j for j, _ in orphans]))
                            .values(status="queued", claim=None, published_at=now, message="re-enqueued"))
    for kind, job_ids in by_kind.items():
        log.warning("re-enqueueing %d %s job(s) left by a crash", len(job_ids), kind)
        publish(settings, kind, job_ids)
    return [job_id for job_ids in by_kind.values() for job_id in job_ids]
