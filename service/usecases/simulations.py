"""Simulations on demand: requests validated and queued as jobs (a stored result answers at once), and the
job that runs one model and stores its result once, whoever else computed the same inputs."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from interlayer.models.electrochem import metal as lookup_metal
from interlayer.models.errors import InterlayerError
from interlayer.models.parameters import PARAMETERS, ParameterError, check_parameters
from interlayer.models.recipe import Recipe

from ..errors import ServiceInputError
from ..jobs.heartbeat import Heartbeat
from ..jobs.lifecycle import Claim, ClaimLost, create_job, finish, finish_now
from ..schemas import MAX_SUPERCYCLES, MAX_UNIT_CYCLES, SimulationIn
from ..settings import Settings
from ..store.db import dialect_insert, single_statements, transaction
from ..store.tables import Job, Simulation, new_id, utcnow
from ..store.vocabulary import JobKind, JobStatus
from .idempotency import Written, write_once
from .simulators import model_names, simulator
from .views import job_view

log = logging.getLogger(__name__)


def simulation_input(settings: Settings, body: SimulationIn, location: list) -> tuple[dict[str, Any], str]:
    """The job input of a valid request and its cache key; a bad field is a 422 at ``location + [field]``."""
    known = model_names(settings.extra_models)
    if body.model not in known:
        raise ServiceInputError(f"unknown model {body.model!r}; known: {', '.join(known)}", [*location, "model"])
    try:
        lookup_metal(body.metal)
    except InterlayerError as error:
        raise ServiceInputError(str(error), [*location, "metal"]) from None
    try:
        parsed = Recipe.parse(body.recipe, metal=body.metal)
    except InterlayerError as error:
        raise ServiceInputError(str(error), [*location, "recipe"]) from None
    if max(parsed.ald_cycles, parsed.mld_cycles) > MAX_UNIT_CYCLES or parsed.supercycles > MAX_SUPERCYCLES:
        raise ServiceInputError(f"{parsed} lies outside any design space a campaign may have (at most "
                                f"{MAX_UNIT_CYCLES} cycles of each kind per unit, {MAX_SUPERCYCLES} supercycles)",
                                [*location, "recipe"])
    recipe = str(parsed)
    if body.model in PARAMETERS:
        try:
            check_parameters(body.model, body.parameters)
        except ParameterError as error:
            raise ServiceInputError(str(error), [*location, "parameters", error.name]) from None
    try:
        key = simulator(body.model, settings.extra_models).key(body.metal, recipe, body.parameters)
    except (TypeError, ValueError) as error:
        raise ServiceInputError(f"parameters must be JSON numbers, text or flags: {error}",
                                [*location, "parameters"]) from None
    return {"model": body.model, "metal": body.metal, "recipe": recipe, "parameters": body.parameters}, key


def request_simulations(settings: Settings, owner: str, bodies: list[SimulationIn], locations: list[list],
                        idempotency_key: str | None, *, batch: bool) -> list[dict[str, Any]]:
    """One job per simulation, all accepted or none; a result already stored makes its job done on arrival.

    ``batch``: a sweep (its own request to the Idempotency-Key) rather than one simulation.
    """
    requests = [simulation_input(settings, body, location) for body, location in zip(bodies, locations)]

    def write(session: Session) -> Written:
        cached = dict(session.execute(select(Simulation.key, Simulation.id).where(
            Simulation.key.in_({key for _, key in requests}))).all())
        jobs, queued = [], []
        for job_input, key in requests:
            job = create_job(session, JobKind.SIMULATION, owner, job_input, simulation_key=key)
            if key in cached:
                # Cached: no worker involved.
                now = utcnow()
                job.status, job.progress, job.message = JobStatus.SUCCEEDED, 1.0, "cached"
                job.result, job.started_at, job.finished_at = {"simulation_id": cached[key], "cached": True}, now, now
                session.flush()
            else:
                queued.append(job.id)
            jobs.append(job_view(session, job))
        return Written(202, {"jobs": jobs}, {JobKind.SIMULATION: queued})
    fingerprint = ["simulations" if batch else "simulation", [job_input for job_input, _ in requests]]
    return write_once(settings, owner, idempotency_key, fingerprint, write).body["jobs"]


def run_simulation_job(settings: Settings, claimed: Claim) -> None:
    request = claimed.input
    try:
        model = simulator(request["model"], settings.extra_models)
        key = model.key(request["metal"], request["recipe"], request["parameters"])
    except InterlayerError as error:
        finish_now(settings, claimed, JobStatus.FAILED, error=str(error))
        return
    cached = claimed.cached_simulation_id(key)
    if cached is not None:
        finish_now(settings, claimed, JobStatus.SUCCEEDED, result={"simulation_id": cached, "cached": True})
        return
    with Heartbeat(settings, claimed) as beat:
        try:
            result = model.run(request["metal"], request["recipe"], request["parameters"],
                               progress=beat.progress, should_cancel=beat.should_cancel)
        except Exception as error:
            if beat.cancelled:
                finish_now(settings, claimed, JobStatus.CANCELLED, message="cancelled while running")
            elif isinstance(error, InterlayerError):
                finish_now(settings, claimed, JobStatus.FAILED, error=str(error))
            else:
                log.exception("simulation job %s failed", claimed.job_id)
                finish_now(settings, claimed, JobStatus.FAILED, error=f"{type(error).__name__}: {error}")
            return
    if beat.cancelled:
        finish_now(settings, claimed, JobStatus.CANCELLED, message="cancelled while running")
        return
    store_simulation(settings, claimed, key, model.version, request, result)


def store_simulation(settings: Settings, claimed: Claim, key: str, version: str, request: dict[str, Any],
                     result: dict[str, Any]) -> None:
    """Insert the result (one row per key, whoever computed it) and finish the job, atomically.

    On PostgreSQL the common case (a new key, the claim still held) is one statement; a key stored
    meanwhile by another job, or a lost claim, takes the general transaction below.
    """
    row = {"id": new_id("sim"), "key": key, "model": request["model"], "model_version": version,
           "metal": request["metal"], "recipe": request["recipe"], "parameters": request["parameters"],
           "result": result, "job_id": claimed.job_id, "created_at": utcnow()}
    if settings.database_url.startswith("postgresql"):
        with single_statements(settings) as connection:
            stored = connection.execute(_STORE_AND_FINISH, {
                **{f"new_{name}": value for name, value in row.items()}, "job_id": claimed.job_id, "token": claimed.token,
                "job_result": {"simulation_id": row["id"], "cached": False}}).one_or_none()
        if stored is not None:
            return
    try:
        with transaction(settings) as session:
            insert = dialect_insert(session)(Simulation).values(**row)
            simulation_id = session.scalar(insert.on_conflict_do_nothing(index_elements=["key"]).returning(Simulation.id))
            cached = simulation_id is None
            if cached:
                # Another job computed the same inputs meanwhile: share its row.
                simulation_id = session.scalar(select(Simulation.id).where(Simulation.key == key))
            finish(session, claimed, JobStatus.SUCCEEDED, result={"simulation_id": simulation_id, "cached": cached})
    except ClaimLost:
        log.warning("simulation job %s: another attempt owns it; result discarded", claimed.job_id)


def _store_and_finish_statement():
    """PostgreSQL: lock the job row if this attempt still holds it, insert the result unless its key
    exists, and finish the job only when both happened; one statement, so all or nothing."""
    from sqlalchemy.dialects.postgresql import insert

    jobs, simulations = Job.__table__, Simulation.__table__
    held = (select(jobs.c.id).where(jobs.c.id == bindparam("job_id"), jobs.c.claim == bindparam("token"),
                                    jobs.c.status == JobStatus.RUNNING).with_for_update().cte("held"))
    columns = ["id", "key", "model", "model_version", "metal", "recipe", "parameters", "result", "job_id", "created_at"]
    values = [held.c.id if name == "job_id" else bindparam(f"new_{name}", type_=simulations.c[name].type)
              for name in columns]
    stored = (insert(simulations)
              .from_select(columns, select(*values))
              .on_conflict_do_nothing(index_elements=["key"]).returning(simulations.c.job_id).cte("stored"))
    return (update(jobs).where(jobs.c.id.in_(select(stored.c.job_id)))
            .values(status=JobStatus.SUCCEEDED, result=bindparam("job_result"), progress=1.0, message="succeeded",
                    finished_at=bindparam("new_created_at"), claim=None)
            .returning(jobs.c.id))


_STORE_AND_FINISH = _store_and_finish_statement()
