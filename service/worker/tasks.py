"""Celery tasks: each claims its job row, calls one use case, and finishes or comes back later.

Registered on the worker's Celery app with its settings (``register_tasks``); nothing runs on import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Celery, Task
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from interlayer.models.errors import InterlayerError

from ..jobs.heartbeat import Heartbeat
from ..jobs.lifecycle import Claim, ClaimLost, claim, finish_now
from ..logs import job_id as logged_job
from ..settings import Settings
from ..store.db import transaction
from ..store.tables import Job
from ..store.vocabulary import JobKind, JobStatus
from ..usecases.campaign_physics import SimulationsPending
from ..usecases.cycler_files import analyse_file
from ..usecases.proposals import CampaignBusy, propose
from ..usecases.recommendations import refresh_recommendation
from ..usecases.simulations import run_simulation_job

log = logging.getLogger(__name__)

# Seconds between checks of a campaign job waiting for its simulations.
WAIT_POLL_S = 0.5
# Seconds before a claim that met a database outage is tried again.
CLAIM_RETRY_S = 1.0
# A campaign job's longest fit (seconds): the soft limit raises inside the job, the hard one kills it.
CAMPAIGN_SOFT_LIMIT_S, CAMPAIGN_LIMIT_S = 300, 360


def _run_campaign_job(settings: Settings, claimed: Claim, use_case: Callable[[Settings, Claim], None]) -> bool:
    """Run a campaign job's use case; False while its simulations are pending or other proposal batches
    keep landing first (it comes back later). Bad input fails the job with its message instead of retrying."""
    try:
        # A fit can outlast the orphan timeout (4 heartbeats): beat, so the reconciler leaves it alone.
        with Heartbeat(settings, claimed):
            use_case(settings, claimed)
    except SimulationsPending as pending:
        with transaction(settings) as session:
            session.execute(update(Job).where(Job.id == claimed.job_id, Job.claim == claimed.token).values(
                progress=0.5 * pending.ready / pending.needed, message=str(pending)))
        return False
    except CampaignBusy as busy:
        with transaction(settings) as session:
            session.execute(update(Job).where(Job.id == claimed.job_id, Job.claim == claimed.token).values(
                message=str(busy)))
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
    """Bind the job kinds to ``app``; the tasks use ``settings``."""
    def claim_or_retry(task: Task, job_id: str, token: str | None = None) -> Claim | None:
        logged_job.set(job_id)  # this task's log lines carry the job's id
        try:
            return claim(settings, job_id, token)
        except OperationalError:
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
        come_back_when_done(self, job_id, token, propose)

    @app.task(name=JobKind.INGEST.task_name, bind=True, max_retries=None,
              soft_time_limit=CAMPAIGN_SOFT_LIMIT_S, time_limit=CAMPAIGN_LIMIT_S)
    def ingest_task(self: Task, job_id: str, token: str | None = None) -> None:
        come_back_when_done(self, job_id, token, refresh_recommendation)

    @app.task(name=JobKind.CYCLER_FILE.task_name, bind=True, max_retries=None,
              soft_time_limit=CAMPAIGN_SOFT_LIMIT_S, time_limit=CAMPAIGN_LIMIT_S)
    def cycler_file_task(self: Task, job_id: str, token: str | None = None) -> None:
        come_back_when_done(self, job_id, token, analyse_file)
