"""Concurrent writers on one campaign: does every acknowledged report count exactly once?

    python -m bench.concurrency [--clients 20] [--seconds 60]

``--clients`` lab PCs work on one campaign for ``--seconds`` against a live service (the API in this
process, two worker processes, PostgreSQL, the machine's Redis): new cells, repeated reports of the
same running cells in any order (a stale one is refused, 422), PATCHes of running cells, a request
sent twice at once with one Idempotency-Key, proposal requests. Then it checks what the issue asks:
no failed job, one row per cell at its highest acknowledged hours, the data version equal to the
number of acknowledged changes, the recommendation of the final data within 30 s of the last write,
and every job (the proposals too) finished within 60 s of the burst's end.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from interlayer.service.settings import Settings
from interlayer.service.stack import LocalStack
from interlayer.service.store import tables
from interlayer.service.store.db import transaction
from interlayer.service.usecases.keys import create_key

from .chaos import print_verdict, scratch_database

REDIS_URL = "redis://127.0.0.1:6379/12"
RECIPES = ["(2ALD-2MLD)25", "(1ALD-1MLD)10", "(3ALD-1MLD)12", "(1ALD-3MLD)8", "(2ALD-1MLD)15"]
SHARED_CELLS = 6


@dataclass
class Tally:
    """What the service acknowledged: hours per cell, the data version of each change, answers by status."""

    hours: dict[str, float] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)  # change (Idempotency-Key or PATCH n) -> data version
    statuses: Counter = field(default_factory=Counter)
    ids: dict[str, str] = field(default_factory=dict)  # cell -> measurement id
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, change: str, version: int, rows: list[dict], stored: list[dict]) -> None:
        with self.lock:
            if self.versions.setdefault(change, version) != version:
                raise AssertionError(f"{change} answered version {version} after {self.versions[change]}")
            for row, measurement in zip(rows, stored):
                self.hours[row["cell_id"]] = max(row["lifetime_h"], self.hours.get(row["cell_id"], 0.0))
                self.ids[row["cell_id"]] = measurement["id"]


def _client(url: str, key: str, campaign: str, tally: Tally, seed: int, until: float) -> None:
    rng = random.Random(seed)
    http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
    path = f"/v1/campaigns/{campaign}/measurements"
    step = 0
    while time.monotonic() < until:
        step += 1
        choice, change = rng.random(), f"c{seed}-{step}"
        if choice < 0.55:
            cell = f"shared-{rng.randrange(SHARED_CELLS)}" if rng.random() < 0.7 else f"own-{seed}-{step}"
            rows = [{"recipe": RECIPES[hash(cell) % len(RECIPES)], "lifetime_h": round(rng.uniform(1, 2000), 3),
                     "censored": True, "cell_id": cell}]
            # one request in four is sent twice at once with the same key (a retry racing the original)
            copies = 2 if rng.random() < 0.25 else 1
            with ThreadPoolExecutor(copies) as pool:
                answers = list(pool.map(lambda _: http.post(path, json=rows, headers={"Idempotency-Key": change}),
                                        range(copies)))
            for answer in answers:
                tally.statuses[answer.status_code] += 1
                if answer.status_code == 201:
                    tally.acknowledge(change, answer.json()["data_version"], rows, answer.json()["measurements"])
        elif choice < 0.85 and tally.ids:
            with tally.lock:
                cell = rng.choice(sorted(tally.ids))
                hours, measurement_id = round(tally.hours[cell] + rng.uniform(0, 50), 3), tally.ids[cell]
            answer = http.patch(f"{path}/{measurement_id}", json={"lifetime_h": hours, "censored": True})
            tally.statuses[answer.status_code] += 1
            if answer.status_code == 200:
                tally.acknowledge(change, answer.json()["data_version"], [{"cell_id": cell, "lifetime_h": hours}],
                                  [{"id": measurement_id}])
        else:
            answer = http.post(f"/v1/campaigns/{campaign}/proposals", json={"count": 2},
                               headers={"Idempotency-Key": change})
            tally.statuses[answer.status_code] += 1
    http.close()


@dataclass
class Outcome:
    checks: dict[str, bool]
    figures: dict[str, object]


def _settle(stack: LocalStack, http: httpx.Client, campaign: str, last_write: float) -> float:
    """Seconds after the last write until the recommendation is of the final data (inf after 120 s)."""
    with transaction(stack.settings) as session:
        version = session.get(tables.Campaign, campaign).data_version
    while time.monotonic() - last_write < 120:
        answer = http.get(f"/v1/campaigns/{campaign}/recommendation")
        if answer.status_code == 200 and answer.json()["data_version"] == version:
            return time.monotonic() - last_write
        time.sleep(0.5)
    return float("inf")


def _verdict(stack: LocalStack, campaign: str, tally: Tally, settled_s: float, burst_end: float) -> Outcome:
    deadline = burst_end + 300
    while True:
        with transaction(stack.settings) as session:
            jobs = dict(session.execute(select(tables.Job.status, func.count()).where(tables.Job.campaign_id == campaign)
                                        .group_by(tables.Job.status)).all())
            rows = session.execute(select(tables.Measurement.cell_id, tables.Measurement.lifetime_h)
                                   .where(tables.Measurement.campaign_id == campaign)).all()
            version = session.get(tables.Campaign, campaign).data_version
            refits = session.scalar(select(func.count()).where(tables.Job.campaign_id == campaign,
                                                               tables.Job.kind == "ingest"))
            proposals = session.scalar(select(func.count()).where(tables.Job.campaign_id == campaign,
                                                                  tables.Job.kind == "proposal"))
        drained_s = time.monotonic() - burst_end
        if all(status.finished for status in jobs) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    stored = Counter(cell for cell, _ in rows)
    hours = dict(rows)
    checks = {
        "no failed job": not any(status.value == "failed" for status in jobs),
        "one row per cell": len(rows) == len(stored) == len(tally.hours),
        "each cell at its highest acknowledged hours": hours == tally.hours,
        "data version = acknowledged changes": sorted(tally.versions.values()) == list(range(1, version + 1)),
        "refits coalesced (fewer refit jobs than changes)": refits < len(tally.versions),
        "recommendation of the final data within 30 s": settled_s <= 30,
        "every job finished within 60 s of the burst's end": all(status.finished for status in jobs) and drained_s <= 60,
        "no 5xx": not any(status >= 500 for status in tally.statuses),
    }
    figures = {"acknowledged changes": len(tally.versions), "refit jobs": refits, "proposal jobs": proposals,
               "cells": len(stored),
               "answers": dict(sorted(tally.statuses.items())), "jobs": {s.value: n for s, n in jobs.items()},
               "recommendation current after": f"{settled_s:.1f} s",
               "every job finished after": f"{drained_s:.1f} s" if all(status.finished for status in jobs) else
               f"not within {drained_s:.0f} s"}
    return Outcome(checks, figures)


def run(clients: int, seconds: float, database_url: str | None = None, redis_url: str = REDIS_URL) -> Outcome:
    """The experiment on ``database_url`` (else a scratch PostgreSQL database) and ``redis_url``."""
    if database_url is None:
        with scratch_database() as name:
            return run(clients, seconds, f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", redis_url)
    with tempfile.TemporaryDirectory(prefix="concurrency-") as directory:
        settings = Settings(database_url=database_url, redis_url=redis_url, queue_prefix=f"conc-{uuid.uuid4().hex[:6]}")
        with LocalStack(settings, workers=2, concurrency=2, log_dir=Path(directory)) as stack:
            stack.wait_ready()
            owner = f"lab-{uuid.uuid4().hex[:6]}"
            key = create_key(stack.settings, owner)
            http = httpx.Client(base_url=stack.api.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
            campaign = http.post("/v1/campaigns", json={"name": "busy lab", "metal": "Li", "physics": "none",
                                                        "space": {"max_ald_cycles": 4, "max_mld_cycles": 4,
                                                                  "max_supercycles": 40}}).json()["id"]
            tally, until = Tally(), time.monotonic() + seconds
            # every lab PC has a key of its own (one owner): each stays well under the per-key rate
            threads = [threading.Thread(target=_client, args=(stack.api.url, create_key(stack.settings, owner), campaign,
                                                              tally, seed, until)) for seed in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            burst_end = time.monotonic()
            settled = _settle(stack, http, campaign, burst_end)
            outcome = _verdict(stack, campaign, tally, settled, burst_end)
            http.close()
            return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    started = time.monotonic()
    outcome = run(args.clients, args.seconds)
    print_verdict(outcome.figures, outcome.checks)
    print(f"{args.clients} clients x {args.seconds:g} s; wall time {time.monotonic() - started:.0f} s")
    sys.exit(0 if all(outcome.checks.values()) else 1)


if __name__ == "__main__":
    main()
