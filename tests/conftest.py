"""Service fixtures: real PostgreSQL, Redis and Celery worker processes.

PostgreSQL (127.0.0.1:5432, database ``test``) and Redis (127.0.0.1:6379) are used for real. Each
test session gets its own PostgreSQL database, a dedicated Redis database number (11) and a unique
queue prefix, so parallel runs never share keys or queues. An absent service skips its tests with
the reason, except under CI=true, where it fails them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from interlayer.service.settings import Settings

TESTS_DIR = Path(__file__).parent
POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
REDIS_URL = "redis://127.0.0.1:6379/11"
EXTRA_MODELS = "slow=service_models:slow_simulation"


def unavailable(reason: str):
    """Skip with ``reason``; under CI every service must be there, so fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"service unavailable under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def test_prefix() -> str:
    # Workers import the test-only model from tests/.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS_DIR), os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, str(TESTS_DIR))
    return f"iltest-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def postgres_url(test_prefix):
    try:
        import psycopg
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True)
    except Exception as error:
        unavailable(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {error}")
    name = test_prefix.replace("-", "_")
    admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    from interlayer.service.store.db import engine_for
    engine_for(Settings(database_url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")).dispose()
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def redis_url(test_prefix):
    import redis
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=3)
    try:
        client.ping()
    except Exception as error:
        unavailable(f"Redis at 127.0.0.1:6379 is not reachable: {error}")
    yield REDIS_URL
    for key in client.scan_iter(f"{test_prefix}*", count=500):
        client.delete(key)


def service_settings(database_url: str, redis_url: str | None, prefix: str) -> Settings:
    # no request rate limit: tests drive one key hard (the limit has a test of its own)
    return Settings(database_url=database_url, redis_url=redis_url, queue_prefix=prefix, heartbeat_s=0.5,
                    simulation_time_limit_s=120, extra_models=EXTRA_MODELS, requests_per_key_s=0)


@pytest.fixture(scope="session")
def pg_stack(postgres_url, redis_url, test_prefix, tmp_path_factory):
    """API (in this process) + one real Celery worker process (2 job slots), on PostgreSQL and the machine's Redis."""
    from interlayer.service.stack import LocalStack
    settings = service_settings(postgres_url, redis_url, f"{test_prefix}-pg")
    stack = LocalStack(settings, workers=1, concurrency=2, log_dir=tmp_path_factory.mktemp("pg-logs")).start()
    stack.wait_ready()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def sqlite_stack(test_prefix, tmp_path_factory):
    """The embedded defaults: a SQLite file and an in-process broker (fakeredis), one worker process."""
    from interlayer.service.stack import LocalStack
    directory = tmp_path_factory.mktemp("sqlite-stack")
    settings = service_settings(f"sqlite:///{directory / 'interlayer.sqlite'}", None, f"{test_prefix}-lite")
    stack = LocalStack(settings, workers=1, concurrency=1, broker="fakeredis", log_dir=directory).start()
    stack.wait_ready()
    yield stack
    stack.stop()


def make_client(stack, owner: str):
    from interlayer.service.client import Client
    from interlayer.service.usecases.keys import create_key
    return Client(stack.api.url, create_key(stack.settings, owner), timeout_s=120)


@pytest.fixture()
def pg_client(pg_stack):
    with make_client(pg_stack, f"lab-{uuid.uuid4().hex[:6]}") as client:
        yield client


@pytest.fixture()
def sqlite_client(sqlite_stack):
    with make_client(sqlite_stack, f"lab-{uuid.uuid4().hex[:6]}") as client:
        yield client




CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download); absent, the browser tests skip (fail under CI)."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


def start_serve(database_url: str, data_dir: Path, port: int, output=subprocess.PIPE) -> subprocess.Popen:
    """``interlayer serve`` as a user starts it (one worker process, an embedded broker), once /readyz answers."""
    import httpx
    environment = {key: value for key, value in os.environ.items() if not key.startswith("INTERLAYER_")}
    server = subprocess.Popen([sys.executable, "-m", "interlayer.service", "serve", "--port", str(port), "--workers", "1"],
                              env=environment | {"INTERLAYER_DATABASE_URL": database_url, "XDG_DATA_HOME": str(data_dir),
                                                 "INTERLAYER_EXTRA_MODELS": EXTRA_MODELS},
                              stdout=output, stderr=output, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            unavailable(f"interlayer serve did not become ready on port {port}")
        time.sleep(0.3)


@dataclass
class ServedStack:
    """A live ``interlayer serve`` process: its URL (``api.url``), settings for the same database, its logs."""

    settings: Settings
    api: SimpleNamespace
    log_dir: Path


@pytest.fixture(scope="session")
def served_stack(postgres_url, tmp_path_factory):
    """``interlayer serve`` in a process of its own on the test database; its output and worker logs in log_dir."""
    from interlayer.service.stack import free_port
    data_dir = tmp_path_factory.mktemp("served")
    log_dir = data_dir / "interlayer" / "logs"
    log_dir.mkdir(parents=True)
    port = free_port()
    with open(log_dir / "serve.log", "w") as output:
        server = start_serve(postgres_url, data_dir, port, output)
        yield ServedStack(Settings(database_url=postgres_url), SimpleNamespace(url=f"http://127.0.0.1:{port}"), log_dir)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
