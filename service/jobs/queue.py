"""The Celery application on Redis, configured so that no job is lost and none is finished twice.

- late acks + reject on worker lost: a message leaves Redis only after its task returned; a killed
  worker's message goes back to the queue.
- prefetch 1: a worker holds one message at a time, so a long simulation never hides others.
- the visibility timeout outlasts the longest task twice over, so Redis never redelivers a task
  that is still running; the reconciler (``reconcile``) covers a worker that died holding one.
- the job row is committed before its message is published; the row, not the message, says
  what to do, and only the attempt holding the row's claim may write results. A message the broker
  would not take leaves its job marked unpublished, and the reconciler sends it within seconds.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import redis
from celery import Celery
from kombu.exceptions import OperationalError as BrokerError

from ..settings import Settings
from ..store.db import transaction
from ..store.jobs import Jobs
from ..store.vocabulary import JobKind

log = logging.getLogger(__name__)

# Seconds between a worker's liveness beacons; /readyz counts workers whose beacon is younger than 3 of these.
BEACON_S = 2.0
# Two lanes (kombu's Redis priorities: 0 is served first). New work queues in the normal lane; a job the
# reconciler re-sends (a killed worker's, a lost message's) goes ahead of the backlog, so it runs again
# within seconds of being found, not after everything queued since.
URGENT, NORMAL = 0, 9


def beacon_key(settings: Settings, name: str = "*") -> str:
    """The Redis key of a worker's liveness beacon (``*``: the pattern matching all of them)."""
    return f"{settings.queue_prefix}:workers:{name}"


def configure(app: Celery, settings: Settings) -> None:
    app.conf.update(
        broker_url=settings.redis_url,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout_s,
            # Every key this deployment writes (queue, unacked set, bindings) lives under its prefix.
            "global_keyprefix": f"{settings.queue_prefix}:",
            "priority_steps": [URGENT, NORMAL],
            "sep": ":",
        },
        broker_pool_limit=20,
        task_default_queue=settings.queue,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.simulation_time_limit_s,
        task_time_limit=settings.longest_task_s,
        worker_max_tasks_per_child=1000,
        worker_hijack_root_logger=False,
    )


@lru_cache(maxsize=4)
def celery_app(settings: Settings) -> Celery:
    """The Celery app of ``settings``, one per configuration and process (the worker registers its tasks on it)."""
    app = Celery("interlayer", set_as_current=False)
    configure(app, settings)
    return app


def queue_keys(settings: Settings) -> list[str]:
    """The Redis lists of the job queue, urgent lane first."""
    base = f"{settings.queue_prefix}:{settings.queue}"
    return [base, f"{base}:{NORMAL}"]


def publish(settings: Settings, kind: JobKind, job_ids: list[str], priority: int = NORMAL) -> None:
    """Send one message per job (after the rows are committed)."""
    if not job_ids:
        return
    app = celery_app(settings)
    with app.producer_or_acquire() as producer:
        for job_id in job_ids:
            app.send_task(kind.task_name, args=[job_id], producer=producer, priority=priority)


def publish_committed(settings: Settings, kind: JobKind, job_ids: list[str]) -> None:
    """Publish jobs whose rows are committed; if the broker is away, mark them unpublished for the
    reconciler instead of failing a request whose data is already stored."""
    try:
        publish(settings, kind, job_ids)
    except (BrokerError, redis.RedisError, OSError) as error:
        log.warning("broker unavailable (%s); %d %s job(s) left for the reconciler", type(error).__name__,
                    len(job_ids), kind)
        with transaction(settings) as session:
            Jobs(session).mark_unpublished(job_ids)


def broker_idle(client: redis.Redis, settings: Settings) -> bool:
    """No message waits in the queue and none is held by a worker: a queued job then has lost its message."""
    return all(client.llen(key) == 0 for key in queue_keys(settings)) and \
        client.hlen(f"{settings.queue_prefix}:unacked") == 0
