"""The life of a job row: created, published, claimed by one attempt, kept alive, finished once.

A task may be delivered more than once (a redelivered message, a re-enqueue by the reconciler).
Each delivery tries to *claim* the row with a fresh token; only a queued row, or a running row
whose heartbeat went silent, can be claimed. Results are written in the same transaction that
moves the row to a final state, guarded by the token, so a second delivery never writes twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, case, or_, select, update
from sqlalchemy.orm import Session

from .db import single_statements, transaction
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
                 (_JOBS.c.status == "queued") | ((_JOBS.c.status == "running") & or_(
                     _JOBS.c.heartbeat_at.is_(None), _JOBS.c.heartbeat_at < bindparam("stale_before"))))
          .values(status="running", claim=bindparam("token"), attempts=_JOBS.c.attempts + 1,
                  heartbeat_at=bindparam("now"), started_at=bindparam("now"), message="running")
          .returning(*_CLAIMED_ROW))
_CONTINUE = (update(_JOBS)
             .where(_JOBS.c.id == bindparam("job_id"), _JOBS.c.status == "running", _JOBS.c.claim == bindparam("token"))
             .values(heartbeat_at=bindparam("now"))
             .returning(*_CLAIMED_ROW))
_FINISH = (update(_JOBS)
           .where(_JOBS.c.id == bindparam("job_id"), _JOBS.c.claim == bindparam("token"), _JOBS.c.status == "running")
           .values(status=bindparam("final_status"), result=bindparam("job_result"), error=bindparam("job_error"),
                   progress=case((bindparam("final_status") == "succeeded", 1.0), else_=_JOBS.c.progress),
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
    with single_statements(settings.database_url) as connection:
        row = connection.execute(statement, {"job_id": job_id, "token": token, "now": now,
                                             "stale_before": now - timedelta(seconds=settings.orphan_after_s)}
                                 ).one_or_none()
    if row is None:
        return None
    claimed = Claim(job_id, token, row.kind, row.input, row.owner, row.campaign_id, row.attempts,
                    row.simulation_key, row.cached_simulation)
    if row.attempts > MAX_ATTEMPTS:
        finish_now(settings, claimed, "failed", error=f"gave up after {MAX_ATTEMPTS} attempts")
        return None
    if row.cancel_requested:
        finish_now(settings, claimed, "cancelled", message="cancelled")
        return None
    return claimed


def _finish(connection: Connection, job_id: str, token: str, status: str, *, result: dict | None = None,
            error: str | None = None, message: str | None = None) -> None:
    done = connection.execute(_FINISH, {"job_id": job_id, "token": token, "final_status": status, "job_result": result,
                                        "job_error": error, "job_message": message or status, "now": utcnow()})
    if done.rowcount != 1:
        raise ClaimLost(f"job {job_id} was taken over by another attempt")


def finish(session: Session, claimed: Claim, status: str, *, result: dict | None = None,
           error: str | None = None, message: str | None = None) -> None:
    """Move the job to a final state in ``session``'s transaction; raises ClaimLost so that the caller's results roll back."""
    assert status in FINISHED
    _finish(session.connection(), claimed.job_id, claimed.token, status, result=result, error=error, message=message)


def finish_now(settings: Settings, claimed: Claim, status: str, **fields: Any) -> None:
    """Finish the job in a statement of its own (one round trip)."""
    assert status in FINISHED
    try:
        with single_statements(settings.database_url) as connection:
            _finish(connection, claimed.job_id, claimed.token, status, **fields)
    except ClaimLost:
        log.warning("job %s: claim lost before it could be marked %s", claimed.job_id, status)


class Heartbeat:
    """While a task runs: every ``heartbeat_s`` store progress, prove liveness and read the cancel flag."""

    def __init__(self, settings: Settings, claimed: Claim):
        self.settings, self.claimed = settings, claimed
        self.fraction: float | None = None
        self.message: str | None = None
        self.cancelled = False

    def __enter__(self) -> "Heartbeat":
        _beater().add(self)
        return self

    def __exit__(self, *exc_info) -> None:
        _beater().remove(self)

    def progress(self, fraction: float, message: str | None = None) -> None:
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        if message is not None:
            self.message = message

    def should_cancel(self) -> bool:
        return self.cancelled

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


class _Beater:
    """The one thread of a process that beats every running Heartbeat when it is due.

    Started once per process, not per job: a thread start waits for the new thread to be scheduled,
    which on a busy machine costs a trivial job more than the job itself.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._due: dict[Heartbeat, float] = {}
        threading.Thread(target=self._run, name="interlayer-heartbeat", daemon=True).start()

    def add(self, heartbeat: Heartbeat) -> None:
        with self._lock:
            self._due[heartbeat] = time.monotonic() + heartbeat.settings.heartbeat_s
        self._wake.set()

    def remove(self, heartbeat: Heartbeat) -> None:
        # Beats run under the lock, so once this returns none is in flight for ``heartbeat``.
        with self._lock:
            self._due.pop(heartbeat, None)

    def _run(self) -> None:
        while True:
            with self._lock:
                upcoming = min(self._due.values(), default=None)
            self._wake.wait(None if upcoming is None else max(0.0, upcoming - time.monotonic()))
            self._wake.clear()
            with self._lock:
                for heartbeat, due in list(self._due.items()):
                    if due <= time.monotonic():
                        try:
                            heartbeat.beat()
                        except Exception:  # a missed beat is retried; the task itself must not die of it
                            log.exception("heartbeat of job %s failed", heartbeat.claimed.job_id)
                        self._due[heartbeat] = time.monotonic() + heartbeat.settings.heartbeat_s


_BEATER: _Beater | None = None
_BEATER_LOCK = threading.Lock()


def _beater() -> _Beater:
    global _BEATER
    with _BEATER_LOCK:
        if _BEATER is None:
            _BEATER = _Beater()
        return _BEATER


def _forget_beater() -> None:
    # Threads do not survive fork: a forked child starts its own.
    global _BEATER, _BEATER_LOCK
    _BEATER, _BEATER_LOCK = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_beater)


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
