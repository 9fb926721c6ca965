"""``interlayer serve`` as a service manager runs it: SIGTERM or Ctrl-C stops its workers and its embedded
broker, and what it prints names no password."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from conftest import start_serve

from interlayer.service.settings import Settings
from interlayer.service.stack import free_port
from interlayer.service.store.db import transaction
from interlayer.service.store.tables import Job
from interlayer.service.store.vocabulary import JobStatus
from interlayer.service.usecases.keys import create_key


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(status.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()
            and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"}


def job_status(http: httpx.Client, job_id: str, wanted: str, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while (status := http.get(f"/v1/jobs/{job_id}").json()["status"]) != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
    return status


# (signal, seconds the running job takes): a short job finishes during the warm shutdown; a long one is
# cut off and runs again once the service is back (the reconciler finds its silent heartbeat).
@pytest.mark.parametrize("stop_signal, job_seconds", [(signal.SIGTERM, 3.0), (signal.SIGINT, 12.0)])
def test_serve_stops_its_workers_and_broker_within_ten_seconds(postgres_url, tmp_path, stop_signal, job_seconds):
    if not Path("/proc").exists():
        pytest.skip("needs /proc to follow the process tree")
    port = free_port()
    # trust authentication ignores the password: it is here to be hidden
    url = postgres_url.replace("postgres@", "postgres:sekrit-pw@")
    server = start_serve(url, tmp_path, port)
    secret = create_key(Settings(database_url=url), "shutdown-lab")
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    job = http.post("/v1/simulations", json={"model": "slow", "metal": "Li", "recipe": "(1ALD-1MLD)5",
                                             "parameters": {"seconds": job_seconds, "run": str(tmp_path)}}).json()["id"]
    assert job_status(http, job, "running", 30) == "running"
    children = descendants(server.pid)
    assert len(children) >= 2  # the embedded redis-server and the worker (with its pool)
    server.send_signal(stop_signal)
    stopped_by = time.monotonic() + 10
    while alive(children | {server.pid}) and time.monotonic() < stopped_by:
        time.sleep(0.1)
    left = alive(children | {server.pid})
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == set()
    output = server.stdout.read() + server.stderr.read()
    assert "sekrit-pw" not in output and "***" in output and secret not in output
    assert "Traceback" not in output
    logs = list((tmp_path / "interlayer" / "logs").glob("worker-*.log"))
    assert logs and all("sekrit-pw" not in log.read_text() and secret not in log.read_text() for log in logs)
    if job_seconds < 8:
        with transaction(Settings(database_url=url)) as session:
            assert session.get(Job, job).status == JobStatus.SUCCEEDED  # finished in the warm shutdown
        return
    restarted = start_serve(url, tmp_path, port)
    try:
        assert job_status(http, job, "succeeded", 60) == "succeeded"  # re-queued and run again
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=15)
