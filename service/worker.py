"""The worker process: Celery consuming the job queue, plus a liveness beacon and the reconciler.

``celery -A interlayer.service.worker worker`` and ``interlayer worker`` start the same thing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

import redis
from celery import signals

from .db import migrate, use_asynchronous_commit
from .jobs import reconcile
from .queue import BEACON_S, beacon_key, celery_app
from .settings import Settings, load_settings

log = logging.getLogger(__name__)

app = celery_app()
use_asynchronous_commit()


def _beacon_loop(settings: Settings, name: str, stop: threading.Event) -> None:
    client = redis.Redis.from_url(settings.redis_url)
    while True:
        try:
            client.set(beacon_key(settings, name), settings.queue, ex=int(3 * BEACON_S) + 1)
            # One reconciler per interval across all workers.
            if client.set(f"{settings.queue_prefix}:reconciler", name, nx=True, ex=max(1, int(settings.orphan_after_s))):
                reconcile(settings)
        except Exception:
            log.exception("worker beacon/reconciler pass failed")
        if stop.wait(BEACON_S):
            client.delete(beacon_key(settings, name))
            return


_stop = threading.Event()


@signals.worker_ready.connect
def _start_beacon(sender=None, **_kwargs) -> None:
    settings = load_settings()
    name = f"{getattr(sender, 'hostname', None) or socket.gethostname()}"
    threading.Thread(target=_beacon_loop, args=(settings, name, _stop), name="interlayer-beacon", daemon=True).start()


@signals.worker_shutting_down.connect
def _stop_beacon(**_kwargs) -> None:
    _stop.set()


def run_worker(concurrency: int = 1, loglevel: str = "WARNING", hostname: str | None = None) -> None:
    """Migrate the database, then consume this deployment's queue until stopped."""
    settings = load_settings()
    if not settings.redis_url:
        raise SystemExit("INTERLAYER_REDIS_URL is not set (interlayer serve starts an embedded broker and sets it)")
    migrate(settings.database_url)
    argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}", "-Q", settings.queue,
            "--without-gossip", "--without-mingle", "--pool=prefork"]
    argv.append(f"--hostname={hostname or f'interlayer-{os.getpid()}@{socket.gethostname()}'}")
    app.worker_main(argv)
