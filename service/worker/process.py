"""The worker process: Celery consuming the job queue, plus a liveness beacon and the reconciler.

``interlayer worker`` starts it (``run_worker``); its writes to PostgreSQL commit asynchronously
(see ``Settings.asynchronous_commit``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading

import redis
from celery import signals

from ..jobs.queue import BEACON_S, beacon_key, broker_idle, celery_app
from ..jobs.reconcile import reconcile
from ..logs import configure_logging
from ..settings import Settings
from ..store.db import migrate
from .tasks import register_tasks

log = logging.getLogger(__name__)


def _beacon_loop(settings: Settings, name: str, stop: threading.Event) -> None:
    client = redis.Redis.from_url(settings.redis_url)
    while True:
        try:
            client.set(beacon_key(settings, name), settings.queue, ex=int(3 * BEACON_S) + 1)
            # One reconciler per beacon interval across all workers: an outage's jobs move within seconds.
            if client.set(f"{settings.queue_prefix}:reconciler", name, nx=True, ex=max(1, int(BEACON_S))):
                reconcile(settings, broker_idle=broker_idle(client, settings))
        except Exception:
            log.exception("worker beacon/reconciler pass failed")
        if stop.wait(BEACON_S):
            client.delete(beacon_key(settings, name))
            return


def run_worker(settings: Settings, concurrency: int = 1, loglevel: str = "WARNING", hostname: str | None = None) -> None:
    """Migrate the database, then consume this deployment's queue until stopped."""
    if not settings.redis_url:
        raise SystemExit("INTERLAYER_REDIS_URL is not set (interlayer serve starts an embedded broker and sets it)")
    settings = settings.model_copy(update={"asynchronous_commit": True})
    migrate(settings)
    app = celery_app(settings)
    register_tasks(app, settings)
    stop = threading.Event()

    def start_beacon(sender=None, **_kwargs) -> None:
        name = f"{getattr(sender, 'hostname', None) or socket.gethostname()}"
        threading.Thread(target=_beacon_loop, args=(settings, name, stop), name="interlayer-beacon", daemon=True).start()

    # Celery leaves logging to a receiver of setup_logging: JSON lines like the API's.
    signals.setup_logging.connect(lambda **_kwargs: configure_logging(loglevel), weak=False)
    signals.worker_ready.connect(start_beacon, weak=False)
    signals.worker_shutting_down.connect(lambda **_kwargs: stop.set(), weak=False)
    argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}", "-Q", settings.queue,
            "--without-gossip", "--without-mingle", "--pool=prefork",
            f"--hostname={hostname or f'interlayer-{os.getpid()}@{socket.gethostname()}'}"]
    app.worker_main(argv)
