"""The life of a job row: created, claimed by one attempt, finished once, cancelled on request.

A task may be delivered more than once (a redelivered message, a re-enqueue by the reconciler).
Each delivery tries to *claim* the row with a fresh token; only a queued row, or a running row
whose heartbeat went silent, can be claimed. Results are written in the same transaction that
moves the row to a final state, guarded by the token, so a second delivery never writes twice.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..settings import Settings
from ..store.db import Session, single_statements, transaction
from ..store.jobs import QUEUED_COLUMNS, Jobs, claim_row, finish_row, insert_queued_simulation
from ..store.tables import Job, new_id, utcnow
from ..store.vocabulary import FINISHED, JobKind, JobStatus

log = logging.getLogger(__name__)

# A job that fails this many deliveries (worker killed each time, for instance) is failed for good.
MAX_ATTEMPTS = 5


class ClaimLost(RuntimeError):
    """Another attempt took the job over; this one must write nothing."""


@dataclass(frozen=True)
class Waiting:
    """A use case's answer when its job cannot finish yet (its simulations are still being computed):
    why, and how far it got (None leaves the progress as it is). The job comes back later."""

    message: str
    progress: float | None = None


def create_job(session: Session, kind: JobKind, owner: str, job_input: dict[str, Any], *,
               campaign_id: str | None = None, simulation_key: str | None = None) -> Job:
    job = Job(kind=kind, owner=owner, input=job_input, campaign_id=campaign_id, simulation_key=simulation_key,
              status=JobStatus.QUEUED, progress=0.0, message="queued", attempts=0, cancel_requested=False,
              published_at=utcnow())
    return Jobs(session).add(job)


def submit_simulation(settings: Settings, owner: str, job_input: dict[str, Any], simulation_key: str) -> Job | None:
    """A new simulation job, queued and committed in one statement; None when its key has a stored result
    (the caller then takes the general path, which makes the job a cached, finished one)."""
    now = utcnow()
    job = Job(id=new_id("job"), kind=JobKind.SIMULATION, owner=owner, input=job_input, simulation_key=simulation_key,
              status=JobStatus.QUEUED, progress=0.0, message="queued", attempts=0, cancel_requested=False,
              published_at=now, created_at=now)
    with single_statements(settings) as connection:
        inserted = insert_queued_simulation(connection, {name: getattr(job, name) for name in QUEUED_COLUMNS})
    return job if inserted else None


@dataclass
class Claim:
    job_id: str
    token: str
    kind: JobKind
    input: dict[str, Any]
    owner: str
    campaign_id: str | None
    attempts: int
    simulation_key: str | None = None
    # id of the stored result for ``simulation_key``, read by the claiming statement (saves a round trip)
    cached_simulation: str | None = None

    def cached_simulation_id(self, key: str) -> str | None:
        return self.cached_simulation if key == self.simulation_key else None


def claim(settings: Settings, job_id: str, token: str | None = None) -> Claim | None:
    """Take the job for this attempt, or None when it is finished, cancelled or alive elsewhere.

    ``token`` continues a claim this task already holds (a proposal job re-scheduling itself).
    One statement: the claim, the job's input and the cached result of its simulation key.
    """
    now = utcnow()
    held = token is not None
    token = uuid.uuid4().hex if token is None else token
    with single_statements(settings) as connection:
        row = claim_row(connection, job_id, token, now, now - timedelta(seconds=settings.orphan_after_s), held=held)
    if row is None:
        return None
    claimed = Claim(job_id, token, JobKind(row.kind), row.input, row.owner, row.campaign_id, row.attempts,
                    row.simulation_key, row.cached_simulation)
    if row.attempts > MAX_ATTEMPTS:
        finish_now(settings, claimed, JobStatus.FAILED, error=f"gave up after {MAX_ATTEMPTS} attempts")
        return None
    if row.cancel_requested:
        finish_now(settings, claimed, JobStatus.CANCELLED, message="cancelled")
        return None
    return claimed


def _finished(done: bool, job_id: str) -> None:
    if not done:
        raise ClaimLost(f"job {job_id} was taken over by another attempt")


def finish(session: Session, claimed: Claim, status: JobStatus, *, result: dict | None = None,
           error: str | None = None, message: str | None = None) -> None:
    """Move the job to a final state in ``session``'s transaction; raises ClaimLost so that the caller's results roll back."""
    assert status in FINISHED
    _finished(Jobs(session).finish(claimed.job_id, claimed.token, status, utcnow(), result=result, error=error,
                                   message=message or status.value), claimed.job_id)


def finish_now(settings: Settings, claimed: Claim, status: JobStatus, *, result: dict | None = None,
               error: str | None = None, message: str | None = None) -> None:
    """Finish the job in a statement of its own (one round trip)."""
    assert status in FINISHED
    try:
        with single_statements(settings) as connection:
            _finished(finish_row(connection, claimed.job_id, claimed.token, status, utcnow(), result=result, error=error,
                                 message=message or status.value), claimed.job_id)
    except ClaimLost:
        log.warning("job %s: claim lost before it could be marked %s", claimed.job_id, status)


def succeed_cached(session: Session, job: Job, simulation_id: str) -> None:
    """A new simulation job whose result is stored already: done on arrival, no worker involved."""
    now = utcnow()
    job.status, job.progress, job.message = JobStatus.SUCCEEDED, 1.0, "cached"
    job.result, job.started_at, job.finished_at = {"simulation_id": simulation_id, "cached": True}, now, now
    Jobs(session).flush()


def note_waiting(settings: Settings, claimed: Claim, waiting: Waiting) -> None:
    """Record why a job this attempt still holds is waiting (its message, and its progress when known)."""
    values: dict[str, Any] = {"message": waiting.message}
    if waiting.progress is not None:
        values["progress"] = waiting.progress
    with transaction(settings) as session:
        Jobs(session).note(claimed.job_id, claimed.token, values)


def request_cancel(session: Session, job: Job) -> None:
    """A queued job is cancelled at once; a running one is asked to stop at its next heartbeat."""
    if job.status == JobStatus.QUEUED:
        job.status, job.message, job.finished_at = JobStatus.CANCELLED, "cancelled", utcnow()
    elif job.status == JobStatus.RUNNING:
        job.cancel_requested = True
    Jobs(session).flush()
