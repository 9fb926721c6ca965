"""Chaos: a working service under faults, and what it lost.

    python -m bench.chaos [--kills 10] [--redis-kills 2] [--db-outage-s 10] [--seconds-between 4]

A live service — the API (in this process), two worker processes, its own Redis on a spare port and a
scratch PostgreSQL database reached through a TCP relay — takes a steady stream of work from lab
clients (simulation sweeps, cell reports with repeated hours, proposal requests; each retried with
its Idempotency-Key on 503 or a dropped connection, as ``Client`` users would) while this bench
SIGKILLs a worker that is running a job (``--kills`` times, restarting it), kills Redis with -9
(``--redis-kills`` times, alternately with and without its append-only file) and cuts every
PostgreSQL connection for ``--db-outage-s`` seconds (the relay drops them and refuses new ones: to
the service the same as a stopped server, without stopping the machine's PostgreSQL).

Then it waits for every job to finish and checks: every job terminal and succeeded, one result per
simulation key, no proposal recipe duplicated in a campaign, every cell stored once at its highest
acknowledged hours, no 5xx other than 503 answered at any time. It prints, per fault, the time until
the service ran a new job again and, for worker kills, until the interrupted job was running again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis
from sqlalchemy import func, select

from interlayer.service.settings import Settings
from interlayer.service.stack import ApiServer, free_port, start_worker, stop_process
from interlayer.service.store import tables
from interlayer.service.store.db import engine_for, migrate, transaction
from interlayer.service.store.vocabulary import JobStatus
from interlayer.service.usecases.keys import create_key

POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
REPO = Path(__file__).resolve().parents[1]
RECIPES = ["(1ALD-1MLD)10", "(2ALD-2MLD)12", "(1ALD-2MLD)8", "(2ALD-1MLD)6", "(3ALD-3MLD)5", "(1ALD-3MLD)9"]


def chaos_simulation(metal, recipe, parameters, progress=None, should_cancel=None):
    """A simulation that takes ``seconds``: long enough for a kill to land in the middle of one."""
    seconds = float(parameters.get("seconds", 0.0))
    for step in range(10):
        time.sleep(seconds / 10)
        if progress is not None:
            progress((step + 1) / 10)
    return {"model": "chaos", "model_version": "chaos-1", "metal": metal, "recipe": recipe,
            "parameters": dict(parameters), "result": {"seconds": seconds}}


chaos_simulation.MODEL_VERSION = "chaos-1"


class RedisProcess:
    """A redis-server of this bench's own, on a spare port, killed with -9 and started again."""

    def __init__(self, directory: Path):
        self.port, self.directory, self.process = free_port(), directory, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, append_only: bool) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.directory),
             "--appendonly", "yes" if append_only else "no", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


class Relay:
    """A TCP relay to PostgreSQL whose ``cut`` drops every connection and refuses new ones for a while."""

    def __init__(self, target_port: int = 5432):
        self.port, self.target_port = free_port(), target_port
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.AbstractServer | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, name="relay", daemon=True).start()
        self._call(self._open())

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def _open(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port, reuse_address=True)

    async def _relay(self, reader, writer) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, upstream_writer}

        async def pipe(source, sink) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                sink.transport.abort()
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self.writers -= {writer, upstream_writer}

    async def _close(self) -> None:
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    def cut(self, seconds: float) -> None:
        self._call(self._close())
        time.sleep(seconds)
        self._call(self._open())


@dataclass
class Ledger:
    """What the lab clients were told: acknowledged cell hours, job ids, answers by status."""

    hours: dict[tuple[str, str], float] = field(default_factory=dict)
    jobs: set[str] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Lab:
    """One lab client: sends its work and retries each request with its key on 503 or a dropped connection."""

    def __init__(self, url: str, key: str, campaigns: list[str], ledger: Ledger, seed: int):
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        self.campaigns, self.ledger, self.rng = campaigns, ledger, random.Random(seed)
        self.running: dict[tuple[str, str], float] = {}

    def send(self, method: str, path: str, body, expect: tuple[int, ...]) -> dict | None:
        key = uuid.uuid4().hex
        for attempt in range(60):
            try:
                response = self.http.request(method, path, json=body, headers={"Idempotency-Key": key})
            except httpx.TransportError:
                time.sleep(0.5)
                continue
            with self.ledger.lock:
                self.ledger.statuses[response.status_code] += 1
            if response.status_code in expect:
                return response.json()
            if response.status_code != 503:
                return None
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return None

    def step(self) -> None:
        choice = self.rng.random()
        if choice < 0.4:
            sweep = [{"model": "chaos", "metal": "Li", "recipe": self.rng.choice(RECIPES),
                      "parameters": {"seconds": round(self.rng.uniform(0.3, 1.5), 2), "n": uuid.uuid4().hex[:8]}}
                     for _ in range(3)]
            answer = self.send("POST", "/v1/simulations/batch", {"simulations": sweep}, (202,))
            jobs = [job["id"] for job in answer["jobs"]] if answer else []
        elif choice < 0.85:
            jobs = self._report_cell()
        else:
            campaign = self.rng.choice(self.campaigns)
            answer = self.send("POST", f"/v1/campaigns/{campaign}/proposals", {"count": 2}, (202,))
            jobs = [answer["id"]] if answer else []
        with self.ledger.lock:
            self.ledger.jobs.update(jobs)

    def _report_cell(self) -> list[str]:
        campaign = self.rng.choice(self.campaigns)
        if self.running and self.rng.random() < 0.6:
            cell = self.rng.choice(sorted(self.running))
        else:
            cell = (campaign, f"cell-{uuid.uuid4().hex[:8]}")
        hours = self.running.get(cell, 0.0) + round(self.rng.uniform(5, 50), 2)
        row = {"recipe": RECIPES[hash(cell[1]) % len(RECIPES)], "lifetime_h": hours, "censored": True, "cell_id": cell[1]}
        answer = self.send("POST", f"/v1/campaigns/{cell[0]}/measurements", [row], (201,))
        if answer is None:
            return []
        self.running[cell] = hours
        with self.ledger.lock:
            self.ledger.hours[cell] = max(hours, self.ledger.hours.get(cell, 0.0))
        return [answer["job"]["id"]]


@contextmanager
def scratch_database():
    import psycopg
    name = f"chaos_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Service:
    """API in this process, ``workers`` worker processes, the bench's Redis; database through the relay."""

    def __init__(self, database: str, directory: Path, workers: int = 2):
        self.relay, self.redis = Relay(), RedisProcess(directory)
        self.redis.start(append_only=True)
        self.directory = directory
        self.settings = Settings(database_url=f"postgresql+psycopg://postgres@127.0.0.1:{self.relay.port}/{database}",
                                 redis_url=self.redis.url, queue_prefix=f"chaos-{uuid.uuid4().hex[:6]}",
                                 extra_models="chaos=bench.chaos:chaos_simulation")
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        migrate(self.settings)
        self.workers = [self._worker(number) for number in range(workers)]
        self.api = ApiServer(self.settings).start()

    def _worker(self, number: int) -> subprocess.Popen:
        return start_worker(self.settings, concurrency=2, log_path=self.directory / f"worker-{number}.log")

    def running_jobs(self) -> dict[str, int]:
        """Running jobs and their attempt counts."""
        with transaction(self.settings) as session:
            return dict(session.execute(select(tables.Job.id, tables.Job.attempts).where(tables.Job.status == "running")).all())

    def kill_worker(self, number: int) -> None:
        """SIGKILL a worker's whole process group (the pool's children too) and start a new one."""
        os.killpg(self.workers[number].pid, signal.SIGKILL)
        self.workers[number].wait()
        self.workers[number] = self._worker(number)

    def stop(self) -> None:
        self.api.stop()
        for worker in self.workers:
            stop_process(worker, 5)
        self.redis.kill()
        engine_for(self.settings).dispose()


def seconds_until_a_job_runs(service: Service, http: httpx.Client, started: float, limit_s: float = 120) -> float:
    """From ``started`` until a fresh 0-s simulation has succeeded: the service works again."""
    body = {"model": "chaos", "metal": "Na", "recipe": "(1ALD-1MLD)4", "parameters": {"n": uuid.uuid4().hex}}
    job = None
    while time.monotonic() - started < limit_s:
        try:
            if job is None:
                response = http.post("/v1/simulations", json=body)
                job = response.json()["id"] if response.status_code == 202 else None
            elif http.get(f"/v1/jobs/{job}").json()["status"] == "succeeded":
                return time.monotonic() - started
        except (httpx.TransportError, KeyError, ValueError):
            pass
        time.sleep(0.2)
    return float("inf")


def seconds_until_rerun(service: Service, running: dict[str, int], killed_at: float, limit_s: float = 60) -> float | None:
    """From the kill until every interrupted job (one running then, claimed again since) runs again; None
    if the killed worker held none. Jobs that finish without a new claim ran on the other worker."""
    waiting, rerun = dict(running), []
    while waiting and time.monotonic() - killed_at < limit_s:
        with transaction(service.settings) as session:
            rows = session.execute(select(tables.Job.id, tables.Job.attempts, tables.Job.status)
                                   .where(tables.Job.id.in_(list(waiting)))).all()
        for job_id, attempts, status in rows:
            if attempts > waiting[job_id]:
                rerun.append(time.monotonic() - killed_at)
                del waiting[job_id]
            elif status.finished:
                del waiting[job_id]
        time.sleep(0.1)
    return float("inf") if waiting else (max(rerun) if rerun else None)


@dataclass
class Faults:
    kills: int = 10
    redis_kills: int = 2
    db_outage_s: float = 10.0
    seconds_between: float = 4.0
    labs: int = 4
    # seconds between one lab's requests: 4 labs send about 2 jobs/s, half of what two workers run
    pace_s: float = 2.0


@dataclass
class Report:
    recoveries: list[tuple[str, float, float | None]] = field(default_factory=list)  # fault, recovered in, re-run in
    checks: dict[str, bool] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)


def _labs_at_work(service: Service, faults: Faults, ledger: Ledger, stop: threading.Event) -> list[threading.Thread]:
    key = create_key(service.settings, "chaos-lab")
    with httpx.Client(base_url=service.api.url, headers={"Authorization": f"Bearer {key}"}) as http:
        campaigns = [http.post("/v1/campaigns", json={"name": f"chaos-{metal}", "metal": metal, "physics": "none",
                                                      "space": {"max_ald_cycles": 3, "max_mld_cycles": 3,
                                                                "max_supercycles": 12}}).json()["id"]
                     for metal in ("Li", "Na", "Li")]

    def work(seed: int) -> None:
        lab = Lab(service.api.url, key, campaigns, ledger, seed)
        while not stop.is_set():
            lab.step()
            stop.wait(faults.pace_s)
    threads = [threading.Thread(target=work, args=(seed,), daemon=True) for seed in range(faults.labs)]
    for thread in threads:
        thread.start()
    return threads


def _inject(service: Service, faults: Faults, report: Report, rng: random.Random) -> None:
    probe = httpx.Client(base_url=service.api.url, headers={"Authorization": f"Bearer {create_key(service.settings, 'probe')}"},
                         timeout=10)
    for _ in range(faults.kills):
        time.sleep(faults.seconds_between)
        running, killed_at = service.running_jobs(), time.monotonic()
        service.kill_worker(rng.randrange(len(service.workers)))
        rerun = seconds_until_rerun(service, running, killed_at)
        report.recoveries.append(("worker SIGKILL", seconds_until_a_job_runs(service, probe, killed_at), rerun))
    for number in range(faults.redis_kills):
        time.sleep(faults.seconds_between)
        append_only = number % 2 == 0
        service.redis.kill()
        time.sleep(2.0)
        if not append_only:  # as if it never kept a file: every queued message is gone
            for path in service.redis.directory.glob("appendonly*"):
                subprocess.run(["rm", "-rf", str(path)], check=True)
        service.redis.start(append_only=True)
        restarted = time.monotonic()
        report.recoveries.append((f"Redis -9 ({'AOF' if append_only else 'no AOF'}), down 2 s",
                                  seconds_until_a_job_runs(service, probe, restarted), None))
    if faults.db_outage_s:
        time.sleep(faults.seconds_between)
        service.relay.cut(faults.db_outage_s)
        back = time.monotonic()
        report.recoveries.append((f"PostgreSQL cut {faults.db_outage_s:g} s",
                                  seconds_until_a_job_runs(service, probe, back), None))
    probe.close()


def _check(service: Service, ledger: Ledger, report: Report, settle_s: float) -> None:
    deadline = time.monotonic() + settle_s
    while True:
        with transaction(service.settings) as session:
            statuses = dict(session.execute(select(tables.Job.status, func.count()).where(tables.Job.id.in_(ledger.jobs))
                                            .group_by(tables.Job.status)).all())
        if all(status.finished for status in statuses) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    report.figures["terminal within"] = f"{settle_s - max(0.0, deadline - time.monotonic()):.1f} s of the last fault"
    with transaction(service.settings) as session:
        keys = session.execute(select(tables.Simulation.key, func.count()).group_by(tables.Simulation.key)
                               .having(func.count() > 1)).all()
        per_job = session.execute(select(tables.Proposal.job_id, tables.Proposal.recipe, func.count())
                                  .group_by(tables.Proposal.job_id, tables.Proposal.recipe).having(func.count() > 1)).all()
        batches = session.execute(select(tables.Proposal.job_id, func.count()).group_by(tables.Proposal.job_id)).all()
        cells = session.execute(select(tables.Measurement.campaign_id, tables.Measurement.cell_id, tables.Measurement.lifetime_h)
                                ).all()
    stored: dict[tuple[str, str], list[float]] = {}
    for campaign, cell, hours in cells:
        stored.setdefault((campaign, cell), []).append(hours)
    report.figures["jobs"] = {status.value: count for status, count in statuses.items()}
    report.figures["answers"] = dict(sorted(ledger.statuses.items()))
    report.figures["cells acknowledged"] = len(ledger.hours)
    report.checks["every job terminal and succeeded"] = set(statuses) == {JobStatus.SUCCEEDED}
    report.checks["one result per simulation key"] = not keys
    report.checks["no proposal duplicated (2 per proposal job, distinct)"] = not per_job and all(n == 2 for _, n in batches)
    report.checks["every cell once, at its highest acknowledged hours"] = all(
        len(stored.get(cell, [])) == 1 and stored[cell][0] >= hours for cell, hours in ledger.hours.items())
    report.checks["no 5xx but 503"] = not any(status >= 500 and status != 503 for status in ledger.statuses)


def run(faults: Faults, settle_s: float = 60.0, seed: int = 0) -> Report:
    """The whole experiment on a scratch database; the report of what held."""
    report, ledger, stop = Report(), Ledger(), threading.Event()
    with scratch_database() as database, tempfile.TemporaryDirectory(prefix="chaos-") as directory:
        service = Service(database, Path(directory))
        try:
            labs = _labs_at_work(service, faults, ledger, stop)
            time.sleep(3.0)
            _inject(service, faults, report, random.Random(seed))
            stop.set()
            for lab in labs:
                lab.join(timeout=120)
            _check(service, ledger, report, settle_s)
        finally:
            stop.set()
            service.stop()
    return report


def print_verdict(figures: dict[str, object], checks: dict[str, bool]) -> None:
    for name, value in figures.items():
        print(f"{name}: {value}")
    for name, held in checks.items():
        print(f"{'ok  ' if held else 'FAIL'} {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--redis-kills", type=int, default=2)
    parser.add_argument("--db-outage-s", type=float, default=10.0)
    parser.add_argument("--seconds-between", type=float, default=4.0)
    parser.add_argument("--labs", type=int, default=4, help="lab clients sending work all along")
    parser.add_argument("--pace-s", type=float, default=2.0, help="seconds between one lab's requests")
    args = parser.parse_args()
    started = time.monotonic()
    report = run(Faults(args.kills, args.redis_kills, args.db_outage_s, args.seconds_between, args.labs, args.pace_s))
    print(f"{'fault':<34} {'service runs jobs again after':>30} {'interrupted job re-runs after':>30}")
    for fault, recovered, rerun in report.recoveries:
        rerun_text = "-" if rerun is None else f"{rerun:.1f} s"
        print(f"{fault:<34} {recovered:>28.1f} s {rerun_text:>30}")
    worst_rerun = max((r for _, _, r in report.recoveries if r is not None), default=None)
    print(f"targets: every job terminal within 30 s of recovery; an interrupted job re-runs within 10 s "
          f"(worst here: {'-' if worst_rerun is None else f'{worst_rerun:.1f} s'})")
    print_verdict(report.figures, report.checks)
    print(f"wall time {time.monotonic() - started:.0f} s")
    sys.exit(0 if all(report.checks.values()) else 1)


if __name__ == "__main__":
    main()
