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

from sqlalchemy import Boolean, Connection, bindparam, case, or_, select, update
from sqlalchemy.orm import Session

from ..settings import Settings
from ..store.db import single_statements
from ..store.tables import Job, Simulation, utcnow
from ..store.vocabulary import FINISHED, JobKind, JobStatus

log = logging.getLogger(__name__)

# A job that fails this many deliveries (worker killed each time, for instance) is failed for good.
MAX_ATTEMPTS = 5


class ClaimLost(RuntimeError):
    """Another attempt took the job over; this one must write nothing."""


@dataclass(frozen=True)
class Waiting:
    """A use case's answer when its job cannot finish yet (simulations pending, other writers first):
    why, and how far it got (None leaves the progress as it is). The job comes back later."""

    message: str
    progress: float | None = None


def create_job(session: Session, kind: JobKind, owner: str, job_input: dict[str, Any], *,
               campaign_id: str | None = None, simulation_key: str | None = None) -> Job:
    job = Job(kind=kind, owner=owner, input=job_input, campaign_id=campaign_id, simulation_key=simulation_key,
              status=JobStatus.QUEUED, progress=0.0, message="queued", attempts=0, cancel_requested=False,
              published_at=utcnow())
    session.add(job)
    session.flush()
    return job


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


_JOBS, _SIMULATIONS = Job.__table__, Simulation.__table__
# The claim and finish statements are built once: on the worker's hot path, building a statement
# costs more CPU than PostgreSQL spends running it. Core, not the ORM, for the same reason.
_CLAIMED_ROW = (_JOBS.c.kind, _JOBS.c.input, _JOBS.c.owner, _JOBS.c.campaign_id, _JOBS.c.attempts,
                _JOBS.c.cancel_requested, _JOBS.c.simulation_key,
                select(_SIMULATIONS.c.id).where(_SIMULATIONS.c.key == _JOBS.c.simulation_key)
                .correlate(_JOBS).scalar_subquery().label("cached_simulation"))
_CLAIM = (update(_JOBS)
          .where(_JOBS.c.id == bindparam("job_id"),
                 (_JOBS.c.status == JobStatus.QUEUED) | ((_JOBS.c.status == JobStatus.RUNNING) & or_(
                     _JOBS.c.heartbeat_at.is_(None), _JOBS.c.heartbeat_at < bindparam("stale_before"))))
          .values(status=JobStatus.RUNNING, claim=bindparam("token"), attempts=_JOBS.c.attempts + 1,
                  heartbeat_at=bindparam("now"), started_at=bindparam("now"), message="running")
          .returning(*_CLAIMED_ROW))
_CONTINUE = (update(_JOBS)
             .where(_JOBS.c.id == bindparam("job_id"), _JOBS.c.status == JobStatus.RUNNING, _JOBS.c.claim == bindparam("token"))
             .values(heartbeat_at=bindparam("now"))
             .returning(*_CLAIMED_ROW))
_FINISH = (update(_JOBS)
           .where(_JOBS.c.id == bindparam("job_id"), _JOBS.c.claim == bindparam("token"), _JOBS.c.status == JobStatus.RUNNING)
           .values(status=bindparam("final_status"), result=bindparam("job_result"), error=bindparam("job_error"),
                   progress=case((bindparam("succeeded", type_=Boolean), 1.0), else_=_JOBS.c.progress),
                   message=bindparam("job_message"), finished_at=bindparam("now"), claim=None))


def claim(settings: Settings, job_id: str, token: str | None = None) -> Claim | None:
    """Take the job for this attempt, or None when it is finished, cancelled or alive elsewhere.

    ``token`` continues a claim this task already holds (a proposal job re-scheduling itself).
    One statement: the claim, the job's input and the cached result of its simulation key.
    """
    now = utcnow()
    if token is None:
        token = uuid.uuid4().hex
        statement = _CLAIM
    else:
        statement = _CONTINUE
    with single_statements(settings) as connection:
        row = connection.execute(statement, {"job_id": job_id, "token": token, "now": now,
                                             "stale_before": now - timedelta(seconds=settings.orphan_after_s)}
                                 ).one_or_none()
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


def _finish(connection: Connection, job_id: str, token: str, status: JobStatus, *, result: dict | None = None,
            error: str | None = None, message: str | None = None) -> None:
    done = connection.execute(_FINISH, {"job_id": job_id, "token": token, "final_status": status, "job_result": result,
                                        "job_error": error, "job_message": message or status.value, "now": utcnow(),
                                        "succeeded": status == JobStatus.SUCCEEDED})
    if done.rowcount != 1:
        raise ClaimLost(f"job {job_id} was taken over by another attempt")


def finish(session: Session, claimed: Claim, status: JobStatus, *, result: dict | None = None,
           error: str | None = None, message: str | None = None) -> None:
    """Move the job to a final state in ``session``'s transaction; raises ClaimLost so that the caller's results roll back."""
    assert status in FINISHED
    _finish(session.connection(), claimed.job_id, claimed.token, status, result=result, error=error, message=message)


def finish_now(settings: Settings, claimed: Claim, status: JobStatus, **fields: Any) -> None:
    """Finish the job in a statement of its own (one round trip)."""
    assert status in FINISHED
    try:
        with single_statements(settings) as connection:
            _finish(connection, claimed.job_id, claimed.token, status, **fields)
    except ClaimLost:
        log.warning("job %s: claim lost before it could be marked %s", claimed.job_id, status)


def note_waiting(settings: Settings, claimed: Claim, waiting: Waiting) -> None:
    """Record why a job this attempt still holds is waiting (its message, and its progress when known)."""
    values: dict[str, Any] = {"message": waiting.message}
    if waiting.progress is not None:
        values["progress"] = waiting.progress
    with single_statements(settings) as connection:
        connection.execute(update(_JOBS).where(_JOBS.c.id == claimed.job_id, _JOBS.c.claim == claimed.token).values(**values))


def request_cancel(session: Session, job: Job) -> None:
    """A queued job is cancelled at once; a running one is asked to stop at its next heartbeat."""
    if job.status == JobStatus.QUEUED:
        job.status, job.message, job.finished_at = JobStatus.CANCELLED, "cancelled", utcnow()
    elif job.status == JobStatus.RUNNING:
        job.cancel_requested = True
