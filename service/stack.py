"""One machine, nothing installed: a loopback broker, worker processes and the API, started together.

With no ``INTERLAYER_REDIS_URL`` the broker is a ``redis-server`` child on a free loopback port when
one is installed, otherwise fakeredis's in-process Redis-protocol server. Either way the workers
and the API talk ``redis://`` to it: the same code path as a cluster.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import redis
import uvicorn

from .http import create_app
from .jobs.queue import beacon_key
from .settings import Settings
from .store.db import migrate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_redis(url: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    client = redis.Redis.from_url(url, socket_timeout=1)
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the embedded broker at {url} did not start") from None
            time.sleep(0.05)


class EmbeddedBroker:
    """A throwaway Redis on 127.0.0.1: ``kind`` is "redis-server", "fakeredis" or "auto" (the first available)."""

    def __init__(self, kind: str = "auto"):
        self.kind = ("redis-server" if shutil.which("redis-server") else "fakeredis") if kind == "auto" else kind
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None
        self._server = None
        self._directory: tempfile.TemporaryDirectory | None = None

    def start(self) -> "EmbeddedBroker":
        if self.kind == "redis-server":
            self._directory = tempfile.TemporaryDirectory(prefix="interlayer-broker-")
            # Nothing persisted: the database is the record and the reconciler re-sends lost work.
            self._process = subprocess.Popen(
                [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", self._directory.name, "--loglevel", "warning"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            from fakeredis import TcpFakeServer
            self._server = TcpFakeServer(("127.0.0.1", self.port), server_type="redis")
            self._server.daemon_threads = True
            threading.Thread(target=self._server.serve_forever, name="embedded-broker", daemon=True).start()
        _wait_for_redis(self.url)
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._directory is not None:
            self._directory.cleanup()


def child_environment(settings: Settings) -> dict[str, str]:
    """This process's environment with ``settings`` in it, for a child process that reads them back."""
    return {**os.environ, **settings.environment()}


def start_worker(settings: Settings, concurrency: int = 1, log_path: Path | None = None) -> subprocess.Popen:
    """A worker process (``python -m interlayer.service worker``) on ``settings``' database and queue."""
    output = open(log_path, "ab") if log_path else subprocess.DEVNULL
    return subprocess.Popen([sys.executable, "-m", "interlayer.service", "worker", "--concurrency", str(concurrency)],
                            env=child_environment(settings), stdout=output, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop_process(process: subprocess.Popen, timeout_s: float = 15.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class ApiServer:
    """Uvicorn serving the API from a background thread of this process."""

    def __init__(self, settings: Settings, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port,
                                                     log_level="warning", access_log=False))
        self._thread = threading.Thread(target=self._server.run, name="interlayer-api", daemon=True)

    def start(self) -> "ApiServer":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


class LocalStack:
    """Broker (embedded unless ``settings.redis_url``), migrated database, worker processes and the API."""

    def __init__(self, settings: Settings, *, workers: int = 1, concurrency: int = 1, broker: str = "auto",
                 log_dir: Path | None = None, api_port: int | None = None):
        self.settings, self.workers, self.concurrency = settings, workers, concurrency
        self.broker = None if settings.redis_url else EmbeddedBroker(broker)
        self.log_dir, self.api_port = log_dir, api_port
        self.worker_processes: list[subprocess.Popen] = []
        self.api: ApiServer | None = None

    def start(self, api: bool = True) -> "LocalStack":
        if self.broker is not None:
            self.settings = self.settings.model_copy(update={"redis_url": self.broker.start().url})
        migrate(self.settings)
        for number in range(self.workers):
            self.add_worker(number)
        if api:
            self.api = ApiServer(self.settings, self.api_port).start()
        return self

    def add_worker(self, number: int | None = None) -> subprocess.Popen:
        number = len(self.worker_processes) if number is None else number
        log_path = self.log_dir / f"worker-{number}.log" if self.log_dir else None
        process = start_worker(self.settings, self.concurrency, log_path)
        self.worker_processes.append(process)
        return process

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Until a worker's beacon is in the broker (it consumes the queue)."""
        client = redis.Redis.from_url(self.settings.redis_url)
        deadline = time.monotonic() + timeout_s
        while not list(client.scan_iter(beacon_key(self.settings))):
            if any(p.poll() is not None for p in self.worker_processes):
                raise RuntimeError("a worker process exited during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError("no worker became ready")
            time.sleep(0.1)

    def stop(self, timeout_s: float = 8.0) -> None:
        """Stop the API, then the workers together (a warm shutdown finishes a running job; one still running
        after ``timeout_s`` is killed and the reconciler re-queues its job), then the broker."""
        if self.api is not None:
            self.api.stop()
        for process in self.worker_processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout_s
        for process in self.worker_processes:
            stop_process(process, max(0.1, deadline - time.monotonic()))
        if self.broker is not None:
            self.broker.stop()

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
