"""Simulation jobs through the API, Redis and a real worker process: progress, cache, cancel, a killed worker."""

from __future__ import annotations

import os
import signal
import time
import uuid
from dataclasses import replace

import pytest
from conftest import make_client
from sqlalchemy import func, select

from interlayer.service.client import ServiceError
from interlayer.service.jobs.lifecycle import claim, create_job
from interlayer.service.jobs.queue import publish
from interlayer.service.store.db import engine_for, transaction
from interlayer.service.store.tables import Job, Simulation
from interlayer.service.store.vocabulary import JobKind
from interlayer.service.usecases.simulations import store_simulation


def test_simulation_job_runs_once_and_is_cached(pg_client):
    job = pg_client.simulate("slow", "Li", "Li@(2ALD-2MLD)25", {"seconds": 0.3})
    assert job["status"] == "queued"
    done = pg_client.wait(job, timeout_s=60)
    assert done["status"] == "succeeded" and done["progress"] == 1.0
    assert done["simulation"]["result"] == {"seconds": 0.3}
    assert done["result"]["cached"] is False
    again = pg_client.simulate("slow", "Li", "(2ALD-2MLD)25", {"seconds": 0.3})
    assert again["status"] == "succeeded" and again["result"] == {"simulation_id": done["result"]["simulation_id"], "cached": True}


def _wait_running(client, job_id, min_progress=0.1, timeout_s=30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = client.job(job_id)
        if state["status"] == "running" and state["progress"] >= min_progress:
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never ran: {client.job(job_id)}")


def test_sigkill_of_the_worker_mid_simulation_still_succeeds_with_one_result(pg_stack, pg_client):
    job = pg_client.simulate("slow", "Na", "Na@(1ALD-1MLD)10", {"seconds": 4.0, "tag": uuid.uuid4().hex})
    _wait_running(pg_client, job["id"])
    victim = pg_stack.worker_processes.pop(0)
    # The whole worker (main process and its prefork children) dies without a chance to ack or clean up.
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    pg_stack.add_worker()
    done = pg_client.wait(job, timeout_s=90)
    assert done["status"] == "succeeded"
    assert done["attempts"] == 2
    key = done["result"]["simulation_id"]
    engine = engine_for(pg_stack.settings)
    with engine.connect() as connection:
        rows = connection.execute(select(Simulation.id).where(Simulation.job_id == job["id"])).all()
    assert [row.id for row in rows] == [key]
    # A late redelivery of the same message (Redis gives back the dead worker's message after the
    # visibility timeout) finds the job finished and writes nothing.
    publish(pg_stack.settings, JobKind.SIMULATION, [job["id"]])
    time.sleep(1.0)
    again = pg_client.job(job["id"])
    assert (again["status"], again["attempts"], again["result"]) == ("succeeded", 2, done["result"])
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Simulation).where(Simulation.job_id == job["id"])).scalar() == 1


def test_cancel_stops_a_running_simulation(pg_client):
    job = pg_client.simulate("slow", "Li", "Li@(1ALD-1MLD)30", {"seconds": 20.0, "tag": uuid.uuid4().hex})
    _wait_running(pg_client, job["id"], min_progress=0.02)
    assert pg_client.cancel(job["id"])["cancel_requested"] is True
    done = pg_client.wait(job, timeout_s=30, check=False)
    assert done["status"] == "cancelled" and done["progress"] < 1.0


def test_other_owners_job_is_not_found(pg_stack, pg_client):
    job = pg_client.simulate("slow", "Li", "Li@(1ALD-1MLD)5", {"seconds": 0.0})
    with make_client(pg_stack, "another-lab") as other:
        with pytest.raises(ServiceError) as error:
            other.job(job["id"])
    assert error.value.status == 404


def test_a_result_is_stored_once_whichever_attempt_finishes(pg_stack):
    """The one-statement store (new key, claim held), the shared row (key stored meanwhile), a lost claim."""
    settings = pg_stack.settings
    key = uuid.uuid4().hex
    request = {"model": "slow", "metal": "Li", "recipe": "Li@(1ALD-1MLD)3", "parameters": {"tag": key}}

    def claimed_job():
        with transaction(settings) as session:
            job_id = create_job(session, JobKind.SIMULATION, "store-check", request, simulation_key=key).id
        return claim(settings, job_id)
    first, second, third = claimed_job(), claimed_job(), claimed_job()
    store_simulation(settings, first, key, "test-1", request, {"n": 1})
    store_simulation(settings, second, key, "test-1", request, {"n": 2})
    store_simulation(settings, replace(third, token=uuid.uuid4().hex), key, "test-1", request, {"n": 3})
    with engine_for(settings).connect() as connection:
        stored = connection.execute(select(Simulation.id, Simulation.result, Simulation.job_id).where(Simulation.key == key)).all()
        jobs = {row.id: row for row in connection.execute(select(Job.id, Job.status, Job.result, Job.claim).where(
            Job.id.in_([first.job_id, second.job_id, third.job_id])))}
    assert [(row.result, row.job_id) for row in stored] == [({"n": 1}, first.job_id)]
    assert (jobs[first.job_id].status, jobs[first.job_id].result) == ("succeeded", {"simulation_id": stored[0].id, "cached": False})
    assert (jobs[second.job_id].status, jobs[second.job_id].result) == ("succeeded", {"simulation_id": stored[0].id, "cached": True})
    # The attempt that lost its claim wrote nothing: the job still belongs to the holder of the claim.
    assert (jobs[third.job_id].status, jobs[third.job_id].result, jobs[third.job_id].claim) == ("running", None, third.token)


def test_a_sweep_is_one_request_with_a_job_per_simulation(pg_stack, pg_client):
    tag = uuid.uuid4().hex
    done = pg_client.wait(pg_client.simulate("slow", "Na", "Na@(1ALD-1MLD)4", {"tag": tag}), timeout_s=60)
    sweep = [{"model": "slow", "metal": "Na", "recipe": f"(1ALD-1MLD){n}", "parameters": {"tag": tag}} for n in (4, 8, 12)]
    jobs = pg_client.simulate_many(sweep)
    assert [job["input"]["recipe"] for job in jobs] == ["Na@(1ALD-1MLD)4", "Na@(1ALD-1MLD)8", "Na@(1ALD-1MLD)12"]
    # The first was computed before: done on arrival with the stored result; the others run.
    assert jobs[0]["status"] == "succeeded" and jobs[0]["result"] == {"simulation_id": done["result"]["simulation_id"], "cached": True}
    finished = [pg_client.wait(job, timeout_s=60) for job in jobs[1:]]
    assert [job["result"]["cached"] for job in finished] == [False, False]
    # One bad simulation refuses the whole sweep, naming it; no job is stored.
    with pytest.raises(ServiceError) as error:
        pg_client.simulate_many([*sweep, {"model": "slow", "metal": "Na", "recipe": "(2ALD-MLD)3"}])
    assert error.value.status == 422 and error.value.detail[0]["loc"] == ["body", "simulations", 3, "recipe"]
    with engine_for(pg_stack.settings).connect() as connection:
        stored = connection.execute(select(func.count()).select_from(Job).where(
            Job.input["data"]["parameters"]["tag"].as_string() == tag)).scalar()
    assert stored == 4
