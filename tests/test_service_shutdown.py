"""``interlayer serve`` as a service manager runs it: SIGTERM or Ctrl-C stops its workers and its embedded
broker, and what it prints names no password."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from interlayer.service.stack import free_port


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


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_its_workers_and_broker_within_ten_seconds(postgres_url, tmp_path, stop_signal):
    if not Path("/proc").exists():
        pytest.skip("needs /proc to follow the process tree")
    port = free_port()
    # trust authentication ignores the password: it is here to be hidden
    url = postgres_url.replace("postgres@", "postgres:sekrit-pw@")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("INTERLAYER_")}
    server = subprocess.Popen([sys.executable, "-m", "interlayer.service", "serve", "--port", str(port), "--workers", "1"],
                              env=environment | {"INTERLAYER_DATABASE_URL": url, "XDG_DATA_HOME": str(tmp_path)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.poll() else "not ready"
        time.sleep(0.3)
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
    assert "sekrit-pw" not in output and "***" in output
    assert "Traceback" not in output
    logs = list((tmp_path / "interlayer" / "logs").glob("worker-*.log"))
    assert logs and all("sekrit-pw" not in log.read_text() for log in logs)
