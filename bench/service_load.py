"""Service load: simulation jobs per second end to end, and recommendation latency under 20 clients.

    python -m bench.service_load [--jobs 2000] [--clients 20] [--requests 50]

Needs PostgreSQL (127.0.0.1:5432, database ``test`` for admin) and Redis (127.0.0.1:6379). It
creates a scratch database and uses Redis database 12 with a unique key prefix; everything is
removed afterwards.

1. Jobs/s: POST /v1/simulations, one job per request, with a trivial model (below) from 16 client
   threads, through the API (its own uvicorn processes), PostgreSQL, Redis and two worker processes,
   until every job row is ``succeeded``: the headline, target ≥ 200 jobs/s. Then the same jobs as
   sweeps (``--batch`` per POST /v1/simulations/batch), printed apart. Beside each: the CPU each
   process group spent per job (Linux /proc), so that the load generator is seen not to be the limit.
2. GET /v1/campaigns/{id}/recommendation from 20 concurrent clients after a measurement change:
   p50 / p95. Target p95 ≤ 100 ms.
3. Baseline: Celery's bare no-op on the same Redis and two worker processes: one round trip
   (``delay().get()``) and the throughput of N no-ops.

The trivial model is registered only in this benchmark's processes (INTERLAYER_EXTRA_MODELS).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import redis
from celery import Celery
from sqlalchemy import func, select

from interlayer.service.settings import Settings
from interlayer.service.stack import child_environment, free_port, start_worker, stop_process
from interlayer.service.store.db import engine_for, migrate
from interlayer.service.store.tables import Job
from interlayer.service.usecases.keys import create_key

POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
REDIS_URL = "redis://127.0.0.1:6379/12"
REPO = Path(__file__).resolve().parents[1]
TARGET_JOBS_PER_S = 200.0
TARGET_P95_MS = 100.0


def trivial_simulation(metal, recipe, parameters, progress=None, should_cancel=None):
    """The cheapest simulation there is: echoes its input (benchmarks the job machinery, not physics)."""
    return {"model": "trivial", "model_version": "bench-1", "metal": metal, "recipe": recipe,
            "parameters": dict(parameters), "result": {"echo": parameters.get("i")}}


trivial_simulation.MODEL_VERSION = "bench-1"

# Celery's own round trip, for comparison: the same Redis, a result backend, nothing else.
noop_app = Celery("bench_noop")
noop_app.conf.update(broker_url=os.environ.get("BENCH_NOOP_BROKER", REDIS_URL),
                     result_backend=os.environ.get("BENCH_NOOP_BROKER", REDIS_URL),
                     task_default_queue=os.environ.get("BENCH_NOOP_QUEUE", "bench-noop"),
                     broker_transport_options={"global_keyprefix": os.environ.get("BENCH_NOOP_QUEUE", "bench-noop") + ":"},
                     result_backend_transport_options={"global_keyprefix": os.environ.get("BENCH_NOOP_QUEUE", "bench-noop") + ":"},
                     task_acks_late=True, worker_prefetch_multiplier=1, worker_hijack_root_logger=False)


@noop_app.task(name="bench.noop")
def noop() -> None:
    return None


def _process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _all_processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command name) of every process on the machine."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm, _, rest = (entry / "stat").read_text().partition(") ")
                table[int(entry.name)] = (int(rest.split()[1]), comm.partition("(")[2])
            except OSError:
                continue
    return table


def cpu_by_role(roles: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by each role's processes and their descendants, plus PostgreSQL and Redis
    (all their processes: other users of the same servers count too)."""
    table = _all_processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)

    def tree(pid: int) -> list[int]:
        return [pid, *(p for child in children.get(pid, []) for p in tree(child))]
    used = {role: sum(_process_cpu_s(p) for pid in pids for p in tree(pid)) for role, pids in roles.items()}
    for role, name in (("PostgreSQL", "postgres"), ("Redis", "redis-server")):
        used[role] = sum(_process_cpu_s(pid) for pid, (_, comm) in table.items() if comm == name)
    return used


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def wait_ready(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} never became ready")


def start_api(settings: Settings, port: int, processes: int) -> subprocess.Popen:
    env = child_environment(settings)
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "interlayer.service.http.app:app_from_environment",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(processes),
                             "--log-level", "warning", "--no-access-log"], env=env, cwd=REPO, start_new_session=True)


def jobs_per_second(settings: Settings, url: str, key: str, count: int, threads: int,
                    batch: int = 1) -> tuple[float, float, float]:
    """(submitted per s, completed per s end to end, this generator's CPU seconds) for ``count`` trivial jobs.

    Each client thread keeps one HTTP/1.1 connection open and posts one job at a time, or ``batch`` jobs
    per request to /v1/simulations/batch (the stdlib client: it costs the shared cores far less CPU than
    httpx, so the generator is not what is measured).
    """
    engine = engine_for(settings)
    run = uuid.uuid4().hex[:8]
    address = urlsplit(url)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def simulation(i: int) -> dict:
        return {"model": "trivial", "metal": "Li", "recipe": "Li@(1ALD-1MLD)10", "parameters": {"i": i, "run": run}}

    def submit_share(first: int) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        for start in range(first * batch, count, threads * batch):
            if batch == 1:
                path, body = "/v1/simulations", simulation(start)
            else:
                path, body = "/v1/simulations/batch", {"simulations": [simulation(i) for i in range(start, min(start + batch, count))]}
            connection.request("POST", path, json.dumps(body), headers)
            response = connection.getresponse()
            answer = response.read()
            if response.status != 202:
                raise RuntimeError(f"POST {path} answered {response.status}: {answer[:200]!r}")
        connection.close()

    cpu_started = time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(submit_share, range(threads)))
    submitted = time.perf_counter() - started
    generator_cpu_s = time.process_time() - cpu_started
    # The scratch database holds only this benchmark's jobs: wait until none is queued or running.
    unfinished = select(func.count()).select_from(Job).where(Job.status.in_(("queued", "running")))
    while True:
        with engine.connect() as connection:
            if connection.execute(unfinished).scalar() == 0:
                break
        if time.perf_counter() - started > 600:
            raise RuntimeError("jobs still unfinished after 600 s")
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        succeeded = connection.execute(select(func.count()).select_from(Job).where(
            Job.status == "succeeded", Job.input["data"]["parameters"]["run"].as_string() == run)).scalar()
    if succeeded != count:
        raise RuntimeError(f"{succeeded} of {count} jobs succeeded")
    return count / submitted, count / elapsed, generator_cpu_s


def measured_jobs(settings: Settings, url: str, key: str, args, roles: dict[str, list[int]], batch: int) -> dict:
    """Jobs/s figures of one run and the CPU seconds each role spent on it."""
    cpu_before = cpu_by_role(roles)
    submitted, end_to_end, generator_cpu_s = jobs_per_second(settings, url, key, args.jobs, args.threads, batch)
    cpu_s = {role: used - cpu_before[role] for role, used in cpu_by_role(roles).items()}
    return {"submitted": submitted, "end to end": end_to_end, "cpu_s": {"load generator": generator_cpu_s, **cpu_s}}


def recommendation_latency(url: str, key: str, clients: int, requests: int) -> tuple[float, float, float]:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        campaign = client.post("/v1/campaigns", json={"name": "load", "metal": "Na", "physics": "none"}).json()
        rows = [{"recipe": r, "lifetime_h": h} for r, h in
                (("Na@(1ALD-1MLD)10", 2100.0), ("Na@(2ALD-2MLD)10", 1500.0), ("Na@(5ALD-5MLD)4", 600.0),
                 ("Na@(1ALD-1MLD)40", 900.0), ("Na@(3ALD-1MLD)20", 1100.0), ("Na@(1ALD-3MLD)5", 1300.0))]
        posted = client.post(f"/v1/campaigns/{campaign['id']}/measurements", json=rows).json()
        # The ingest job refits after the change and stores the recommendation: wait for it.
        while client.get(f"/v1/jobs/{posted['job']['id']}").json()["status"] not in ("succeeded", "failed"):
            time.sleep(0.1)
    path = f"/v1/campaigns/{campaign['id']}/recommendation"
    latencies: list[float] = []
    lock = threading.Lock()

    def one_client(_: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            client.get(path).raise_for_status()  # connect outside the measurement
            mine = []
            for _ in range(requests):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one_client, range(clients)))
    elapsed = time.perf_counter() - started
    return 1000 * percentile(latencies, 0.5), 1000 * percentile(latencies, 0.95), len(latencies) / elapsed


def celery_noop_baseline(prefix: str, count: int) -> tuple[float, float]:
    """(median round trip ms of delay().get(), no-ops per s through two worker processes)."""
    env = dict(os.environ, BENCH_NOOP_BROKER=REDIS_URL, BENCH_NOOP_QUEUE=f"{prefix}-noop", PYTHONPATH=str(REPO))
    os.environ.update(BENCH_NOOP_QUEUE=env["BENCH_NOOP_QUEUE"])
    noop_app.conf.task_default_queue = env["BENCH_NOOP_QUEUE"]
    options = {"global_keyprefix": env["BENCH_NOOP_QUEUE"] + ":"}
    noop_app.conf.broker_transport_options = options
    noop_app.conf.result_backend_transport_options = options
    workers = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "bench.service_load:noop_app", "worker",
                                 "--concurrency=1", "--pool=prefork", "--without-gossip", "--without-mingle",
                                 f"--hostname=noop{i}-{prefix}@%h", "--loglevel=WARNING", "-Q", env["BENCH_NOOP_QUEUE"]],
                                env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True) for i in range(2)]
    try:
        noop.delay().get(timeout=60)  # both up and warm
        trips = []
        for _ in range(100):
            started = time.perf_counter()
            noop.delay().get(timeout=30)
            trips.append(time.perf_counter() - started)
        started = time.perf_counter()
        results = [noop.delay() for _ in range(count)]
        for result in results:
            result.get(timeout=120)
        return 1000 * statistics.median(trips), count / (time.perf_counter() - started)
    finally:
        for worker in workers:
            stop_process(worker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=16, help="client threads submitting jobs")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50, help="GETs per client")
    parser.add_argument("--api-processes", type=int, default=2)
    parser.add_argument("--worker-concurrency", type=int, default=1, help="prefork children per worker process")
    parser.add_argument("--batch", type=int, default=50, help="jobs per POST in the sweep run")
    args = parser.parse_args()

    import psycopg
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    database = prefix.replace("-", "_")
    admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True)
    admin.execute(f'CREATE DATABASE "{database}"')
    # requests_per_key_s=0: one key drives the whole load here; the bench measures the service, not the limit
    settings = Settings(database_url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}", redis_url=REDIS_URL,
                        requests_per_key_s=0,
                        queue_prefix=prefix, heartbeat_s=5.0, simulation_time_limit_s=600,
                        extra_models="trivial=bench.service_load:trivial_simulation")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    processes: list[subprocess.Popen] = []
    try:
        migrate(settings)
        key = create_key(settings, "bench")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        processes.append(start_api(settings, port, args.api_processes))
        workers = [start_worker(settings, concurrency=args.worker_concurrency) for _ in range(2)]
        processes.extend(workers)
        wait_ready(url)
        jobs_per_second(settings, url, key, 200, args.threads)  # warm up connections and imports
        roles = {"API": [processes[0].pid], "workers": [worker.pid for worker in workers]}
        load_before = os.getloadavg()[0]
        single = measured_jobs(settings, url, key, args, roles, batch=1)
        load_after = os.getloadavg()[0]
        batched = measured_jobs(settings, url, key, args, roles, batch=args.batch)
        p50, p95, throughput = recommendation_latency(url, key, args.clients, args.requests)
    finally:
        for process in processes:
            stop_process(process)
    noop_trip_ms, noop_rate = celery_noop_baseline(prefix, args.jobs)
    engine_for(settings).dispose()
    admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    client = redis.Redis.from_url(REDIS_URL)
    for stale in client.scan_iter(f"{prefix}*", count=1000):
        client.delete(stale)

    print(f"machine: {os.cpu_count()} cores, load average {load_before:.1f} before / {load_after:.1f} after the jobs run; "
          f"PostgreSQL + Redis on 127.0.0.1")
    print(f"API: {args.api_processes} uvicorn process(es); 2 worker processes (prefork, concurrency {args.worker_concurrency}); "
          f"{args.jobs} jobs from {args.threads} client threads")
    print(f"{'measure':<58}{'value':>12}  target / baseline")
    print(f"{'simulation jobs end to end (API->DB->Redis->worker->DB)':<58}{single['end to end']:>9.0f}/s   target >= {TARGET_JOBS_PER_S:.0f}/s")
    print(f"{'  submission alone (POST /v1/simulations, one job each)':<58}{single['submitted']:>9.0f}/s")
    print(f"{f'  sweeps of {args.batch} (POST /v1/simulations/batch), end to end':<58}{batched['end to end']:>9.0f}/s   (not the headline)")
    print(f"{'  sweeps: submission alone':<58}{batched['submitted']:>9.0f}/s")
    print(f"{'Celery bare no-op, 2 workers, same Redis':<58}{noop_rate:>9.0f}/s   baseline")
    print(f"{'Celery bare no-op round trip delay().get()':<58}{noop_trip_ms:>9.2f} ms  baseline")
    print(f"{f'GET recommendation, {args.clients} clients, p50':<58}{p50:>9.1f} ms")
    print(f"{f'GET recommendation, {args.clients} clients, p95':<58}{p95:>9.1f} ms  target <= {TARGET_P95_MS:.0f} ms")
    print(f"{'GET recommendation throughput':<58}{throughput:>9.0f}/s")
    for name, figures in (("one job per POST", single), (f"sweeps of {args.batch}", batched)):
        cpu = figures["cpu_s"]
        print(f"CPU per job, ms ({name}): " + ", ".join(f"{role} {1000 * used / args.jobs:.2f}" for role, used in cpu.items())
              + f"; total {1000 * sum(cpu.values()) / args.jobs:.2f}")
    print("(PostgreSQL and Redis CPU counts all their clients, other users of the machine included)")


if __name__ == "__main__":
    main()
