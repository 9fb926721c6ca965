"""Celery tasks: each claims its job row, calls one use case, and finishes or comes back later.

Registered on the worker's Celery app with its settings (``register_tasks``); nothing runs on import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from celery import Celery, Task

from interlayer.models.errors import InterlayerError
from interlayer.surrogate.fit import FitCache

from ..jobs.heartbeat import Heartbeat
from ..jobs.lifecycle import Claim, ClaimLost, Waiting, claim, finish_now, note_waiting
from ..logs import job_id as logged_job
from ..settings import Settings
from ..store.db import DatabaseUnavailable
from ..store.vocabulary import JobKind, JobStatus
from ..usecases.cycler_files import analyse_file
from ..usecases.proposals import propose
from ..usecases.recommendations import refit
from ..usecases.simulations import run_simulation_job

log = logging.getLogger(__name__)

# Seconds between checks of a campaign job waiting for its simulations.
WAIT_POLL_S = 0.5
# Seconds before a claim that met a database outage is tried again.
CLAIM_RETRY_S = 1.0
# A campaign job's longest fit (seconds): the soft limit raises inside the job, the hard one kills it.
CAMPAIGN_SOFT_LIMIT_S, CAMPAIGN_LIMIT_S = 300, 360


# A use case of a job that may wait: propose and refit (with the worker's fits bound), a file's analysis.
CampaignUseCase = Callable[[Settings, Claim], Waiting | None]


def _run_campaign_job(settings: Settings, claimed: Claim, use_case: CampaignUseCase) -> bool:
    """Run a campaign job's use case; False while it waits for its simulations (it comes back later).
    Bad input fails the job with its message instead of retrying."""
    try:
        # A fit can outlast the orphan timeout (4 heartbeats): beat, so the reconciler leaves it alone.
        with Heartbeat(settings, claimed):
            waiting = use_case(settings, claimed)
        if waiting is not None:
            note_waiting(settings, claimed, waiting)
            return False
    except ClaimLost:
        log.warning("job %s: another attempt owns it", claimed.job_id)
    except InterlayerError as error:
        finish_now(settings, claimed, JobStatus.FAILED, error=str(error))
    except Exception as error:
        log.exception("job %s failed", claimed.job_id)
        finish_now(settings, claimed, JobStatus.FAILED, error=f"{type(error).__name__}: {error}")
    return True


def register_tasks(app: Celery, settings: Settings) -> None:
    """Bind the job kinds to ``app``; the tasks use ``settings``, and the campaign jobs share one cache of
    fits (proposals and the refit of one data version fit the model once in this process)."""
    fits = FitCache()

    def claim_or_retry(task: Task, job_id: str, token: str | None = None) -> Claim | None:
        logged_job.set(job_id)  # this task's log lines carry the job's id
        try:
            return claim(settings, job_id, token)
        except DatabaseUnavailable:
            # The database is away (a restart leaves dead pooled connections, which this error discards):
            # the message comes back later instead of being acknowledged with its job never claimed.
            log.warning("job %s: database unavailable at claim; retrying in %.0f s", job_id, CLAIM_RETRY_S)
            raise task.retry(args=[job_id, token], countdown=CLAIM_RETRY_S) from None

    @app.task(name=JobKind.SIMULATION.task_name, bind=True, max_retries=None)
    def simulation_task(self: Task, job_id: str, token: str | None = None) -> None:
        claimed = claim_or_retry(self, job_id)
        if claimed is not None:
            run_simulation_job(settings, claimed)

    def come_back_when_done(task: Task, job_id: str, token: str | None, use_case) -> None:
        claimed = claim_or_retry(task, job_id, token)
        if claimed is not None and not _run_campaign_job(settings, claimed, use_case):
            # The simulations it needs are queued as jobs of their own: come back later instead of
            # holding this worker slot (with prefetch 1 and one worker, waiting here would deadlock).
            raise task.retry(args=[job_id, claimed.token], countdown=WAIT_POLL_S)

    @app.task(name=JobKind.PROPOSAL.task_name, bind=True, max_retries=None,
              soft_time_limit=CAMPAIGN_SOFT_LIMIT_S, time_limit=CAMPAIGN_LIMIT_S)
    def proposal_task(self: Task, job_id: str, token: str | None = None) -> None:
        come_back_when_done(self, job_id, token, partial(propose, fits=fits))

    @app.task(name=JobKind.REFIT.task_name, bind=True, max_retries=None,
              soft_time_limit=CAMPAIGN_SOFT_LIMIT_S, time_limit=CAMPAIGN_LIMIT_S)
    def refit_task(self: Task, job_id: str, token: str | None = None) -> None:
        come_back_when_done(self, job_id, token, partial(refit, fits=fits))

    @app.task(name=JobKind.CYCLER_FILE.task_name, bind=True, max_retries=None,
              soft_time_limit=CAMPAIGN_SOFT_LIMIT_S, time_limit=CAMPAIGN_LIMIT_S)
    def cycler_file_task(self: Task, job_id: str, token: str | None = None) -> None:
        come_back_when_done(self, job_id, token, analyse_file)
