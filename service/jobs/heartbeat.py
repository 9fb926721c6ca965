"""A running job's heartbeat: progress stored, liveness proved and the cancel flag read every few seconds."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from ..settings import Settings
from ..store.db import transaction
from ..store.jobs import Jobs
from ..store.tables import utcnow
from .lifecycle import Claim

log = logging.getLogger(__name__)


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
        with transaction(self.settings) as session:
            cancel_requested = Jobs(session).beat(self.claimed.job_id, self.claimed.token, values)
        # A lost claim (None) means another attempt owns the job: stop as if cancelled.
        self.cancelled = cancel_requested is None or cancel_requested


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
            os.register_at_fork(after_in_child=_forget_beater)
        return _BEATER


def _forget_beater() -> None:
    # Threads do not survive fork: a forked child starts its own.
    global _BEATER, _BEATER_LOCK
    _BEATER, _BEATER_LOCK = None, threading.Lock()
