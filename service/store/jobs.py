"""The jobs repository: job rows added, read, claimed, kept alive, finished and re-enqueued.

Only ``service/jobs/`` changes a job's state, through these methods; use cases read jobs here.
Nothing here commits: each method runs in the caller's session (``Jobs``) or autocommit connection
(the module functions, one statement each). The contract, method by method:

- ``add(job)``: the job, flushed so that its id is set.
- ``get(job_id)``: the row, or None.
- ``waiting_refit(campaign_id)``: the newest queued refit of the campaign, or None; its row stays locked
  (``FOR UPDATE``) until the caller commits, so no worker claims it while the caller moves it on.
- ``recent_refits(campaign_id, limit)``: the campaign's refits, newest first.
- ``by_simulation_key(keys)``: ``(simulation_key, status, error)`` of every job of those keys, oldest first.
- ``beat(job_id, token, values)``: writes ``values`` if ``token`` still holds the job; returns its
  ``cancel_requested`` flag, or None when the claim is lost.
- ``note(job_id, token, values)``: writes ``values`` if ``token`` still holds the job (a waiting job's message).
- ``mark_unpublished(job_ids)``: clears ``published_at`` (the reconciler sends them).
- ``left_behind(...)`` / ``requeue(job_ids, now)``: the reconciler's read (rows locked, locked ones skipped)
  and its write.
- ``counts()`` / ``durations(since, limit)``: what an operator watches.
- ``finish(job_id, token, status, ...)``: see ``finish_row``; in the session's transaction.

Module functions on a connection: ``insert_queued_simulation`` (a new simulation job, queued, unless a
result of its key is stored; one statement, False when one is: the caller then takes the general path), ``claim_row`` (a queued job, or a running one whose heartbeat is older
than ``stale_before``, moves to running under ``token``; returns the claimed row with the cached result
id of its simulation key, or None) and ``finish_row`` (a running job held by ``token`` moves to its final
state; returns False when another attempt holds it). The database keeps the invariant that only the
holder of a job's claim finishes it: both are compare-and-set updates on (id, claim, status).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Connection, Row, bindparam, case, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .tables import Job, Simulation
from .vocabulary import JobKind, JobStatus

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


# A single simulation's submission, the API's hot path: the job inserted queued in one statement unless its
# key has a stored result (then the general path makes it a cached, finished job). Four round trips (BEGIN,
# the cache lookup, the ORM's insert, COMMIT) become one (bench.service_load: the API's CPU per job).
QUEUED_COLUMNS = ("id", "kind", "owner", "status", "progress", "message", "attempts", "input", "simulation_key",
                   "cancel_requested", "published_at", "created_at")
_INSERT_QUEUED = (insert(_JOBS)
                  .from_select(QUEUED_COLUMNS,
                               select(*(bindparam(name, type_=_JOBS.c[name].type) for name in QUEUED_COLUMNS))
                               .where(~exists(select(_SIMULATIONS.c.id)
                                              .where(_SIMULATIONS.c.key == bindparam("key_stored")))))
                  .returning(_JOBS.c.id))


def insert_queued_simulation(connection: Connection, row: dict[str, Any]) -> bool:
    """Insert ``row`` (the ``QUEUED_COLUMNS`` of a queued simulation job) unless its key has a stored result."""
    return connection.execute(_INSERT_QUEUED, {**row, "key_stored": row["simulation_key"]}).one_or_none() is not None


def claim_row(connection: Connection, job_id: str, token: str, now: datetime, stale_before: datetime, *,
              held: bool) -> Row | None:
    """Claim the job for ``token`` (``held``: continue a claim ``token`` already holds); the claimed row or None."""
    statement = _CONTINUE if held else _CLAIM
    return connection.execute(statement, {"job_id": job_id, "token": token, "now": now,
                                          "stale_before": stale_before}).one_or_none()


def finish_row(connection: Connection, job_id: str, token: str, status: JobStatus, now: datetime, *,
               result: dict | None, error: str | None, message: str) -> bool:
    """Move the running job held by ``token`` to ``status``; False when another attempt holds it."""
    done = connection.execute(_FINISH, {"job_id": job_id, "token": token, "final_status": status, "job_result": result,
                                        "job_error": error, "job_message": message, "now": now,
                                        "succeeded": status == JobStatus.SUCCEEDED})
    return done.rowcount == 1


class Jobs:
    """Job rows in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, job: Job) -> Job:
        self.session.add(job)
        self.session.flush()
        return job

    def get(self, job_id: str) -> Job | None:
        return self.session.get(Job, job_id)

    def flush(self) -> None:
        self.session.flush()

    def waiting_refit(self, campaign_id: str) -> Job | None:
        return self.session.scalars(select(Job).where(
            Job.campaign_id == campaign_id, Job.kind == JobKind.REFIT, Job.status == JobStatus.QUEUED)
            .order_by(Job.created_at.desc()).limit(1).with_for_update()).first()

    def recent_refits(self, campaign_id: str, limit: int) -> list[Job]:
        return list(self.session.scalars(select(Job).where(Job.campaign_id == campaign_id, Job.kind == JobKind.REFIT)
                                         .order_by(Job.created_at.desc()).limit(limit)))

    def by_simulation_key(self, keys: Iterable[str]) -> list[Row]:
        return list(self.session.execute(select(Job.simulation_key, Job.status, Job.error)
                                         .where(Job.simulation_key.in_(list(keys)))
                                         .order_by(Job.created_at)).all())

    def beat(self, job_id: str, token: str, values: dict[str, Any]) -> bool | None:
        row = self.session.execute(update(Job).where(Job.id == job_id, Job.claim == token)
                                   .values(**values).returning(Job.cancel_requested)).one_or_none()
        return None if row is None else bool(row.cancel_requested)

    def note(self, job_id: str, token: str, values: dict[str, Any]) -> None:
        self.session.execute(update(Job).where(Job.id == job_id, Job.claim == token).values(**values))

    def mark_unpublished(self, job_ids: list[str]) -> None:
        self.session.execute(update(Job).where(Job.id.in_(job_ids)).values(published_at=None))

    def left_behind(self, stale_before: datetime, unpublished_before: datetime, queued_before: datetime) -> list[Row]:
        """``(id, kind)`` of running jobs with a silent heartbeat, queued jobs never published (created before
        ``unpublished_before``) and queued jobs published before ``queued_before``; locked, locked ones skipped."""
        queued = Job.status == JobStatus.QUEUED
        return list(self.session.execute(
            select(Job.id, Job.kind).where(or_(
                (Job.status == JobStatus.RUNNING) & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before),
                queued & Job.published_at.is_(None) & (Job.created_at < unpublished_before),
                queued & (Job.published_at < queued_before),
            )).with_for_update(skip_locked=True)).all())

    def requeue(self, job_ids: list[str], now: datetime) -> None:
        self.session.execute(update(Job).where(Job.id.in_(job_ids))
                             .values(status=JobStatus.QUEUED, claim=None, published_at=now, message="re-enqueued"))

    def counts(self) -> list[Row]:
        """``(kind, status, count)`` over every job."""
        return list(self.session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)))

    def durations(self, since: datetime, limit: int) -> list[Row]:
        """``(kind, started_at, finished_at)`` of at most ``limit`` jobs finished after ``since``."""
        return list(self.session.execute(select(Job.kind, Job.started_at, Job.finished_at)
                                         .where(Job.finished_at > since, Job.started_at.is_not(None)).limit(limit)))

    def finish(self, job_id: str, token: str, status: JobStatus, now: datetime, *, result: dict | None,
               error: str | None, message: str) -> bool:
        return finish_row(self.session.connection(), job_id, token, status, now, result=result, error=error,
                          message=message)
