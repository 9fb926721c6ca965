"""A job as its owner sees it: its state and progress, and a request to cancel it."""

from __future__ import annotations

from typing import Any

from ..errors import NotFound
from ..jobs.lifecycle import request_cancel
from ..settings import Settings
from ..store import tables
from ..store.db import Session, transaction
from ..store.jobs import Jobs
from .views import job_view


def _owned_job(session: Session, owner: str, job_id: str) -> tables.Job:
    job = Jobs(session).get(job_id)
    if job is None or job.owner != owner:
        raise NotFound(f"job {job_id} not found")
    return job


def show_job(settings: Settings, owner: str, job_id: str) -> dict[str, Any]:
    with transaction(settings) as session:
        return job_view(session, _owned_job(session, owner, job_id))


def cancel_job(settings: Settings, owner: str, job_id: str) -> dict[str, Any]:
    """A queued job is cancelled at once; a running one is asked to stop at its next heartbeat."""
    with transaction(settings) as session:
        job = _owned_job(session, owner, job_id)
        request_cancel(session, job)
        return job_view(session, job)
