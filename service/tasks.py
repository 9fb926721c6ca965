"""Celery tasks: each claims its job row, calls a pure function from models/ or surrogate/, stores rows.

Task bodies live in ``work``; this module only binds them to the queue.
"""

from __future__ import annotations

from . import work
from .jobs import claim
from .queue import celery_app
from .settings import load_settings

app = celery_app()
settings = load_settings()


@app.task(name="interlayer.simulation")
def simulation_task(job_id: str) -> None:
    claimed = claim(settings, job_id)
    if claimed is not None:
        work.run_simulation_job(settings, claimed)


def _run_or_come_back(task, job_id: str, token: str | None, run) -> None:
    claimed = claim(settings, job_id, token)
    if claimed is None:
        return
    if run(settings, claimed) == "waiting":
        # The simulations it needs are queued as jobs of their own: come back later instead of
        # holding this worker slot (with prefetch 1 and one worker, waiting here would deadlock).
        raise task.retry(args=[job_id, claimed.token], countdown=work.WAIT_POLL_S)


@app.task(name="interlayer.proposal", bind=True, max_retries=None, soft_time_limit=300, time_limit=360)
def proposal_task(self, job_id: str, token: str | None = None) -> None:
    _run_or_come_back(self, job_id, token, work.run_proposal_job)


@app.task(name="interlayer.ingest", bind=True, max_retries=None, soft_time_limit=300, time_limit=360)
def ingest_task(self, job_id: str, token: str | None = None) -> None:
    _run_or_come_back(self, job_id, token, work.run_ingest_job)

