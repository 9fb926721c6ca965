"""Simulations on demand: requests validated and queued as jobs (a stored result answers at once), and the
job that runs one model and stores its result once, whoever else computed the same inputs."""

from __future__ import annotations

import logging
from typing import Any

from interlayer.models.electrochem import metal as lookup_metal
from interlayer.models.errors import InterlayerError
from interlayer.models.parameters import PARAMETERS, ParameterError, check_parameters
from interlayer.models.recipe import Recipe

from ..errors import ServiceInputError
from ..jobs.heartbeat import Heartbeat
from ..jobs.lifecycle import Claim, ClaimLost, create_job, finish, finish_now, submit_simulation, succeed_cached
from ..jobs.queue import publish_committed
from ..schemas import MAX_SUPERCYCLES, MAX_UNIT_CYCLES, SimulationIn
from ..settings import Settings
from ..store.db import Session, single_statements, transaction
from ..store.simulations import Simulations, store_and_finish
from ..store.tables import new_id, utcnow
from ..store.vocabulary import JobKind, JobStatus
from .idempotency import Written, write_once
from .physics_models import model_names, service_model
from .views import job_body, job_view

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
        key = service_model(body.model, settings.extra_models).key(body.metal, recipe, body.parameters)
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
    if idempotency_key is None and not batch:  # the common submission: one statement when nothing is cached
        (job_input, key), = requests
        job = submit_simulation(settings, owner, job_input, key)
        if job is not None:
            publish_committed(settings, JobKind.SIMULATION, [job.id])
            return [job_body(job)]

    def write(session: Session) -> Written:
        cached = Simulations(session).ids(key for _, key in requests)
        jobs, queued = [], []
        for job_input, key in requests:
            job = create_job(session, JobKind.SIMULATION, owner, job_input, simulation_key=key)
            if key in cached:
                succeed_cached(session, job, cached[key])
            else:
                queued.append(job.id)
            jobs.append(job_view(session, job))
        return Written({"jobs": jobs}, {JobKind.SIMULATION: queued})
    fingerprint = ["simulations" if batch else "simulation", [job_input for job_input, _ in requests]]
    return write_once(settings, owner, idempotency_key, fingerprint, write).body["jobs"]


def run_simulation_job(settings: Settings, claimed: Claim) -> None:
    request = claimed.input
    try:
        model = service_model(request["model"], settings.extra_models)
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
            if store_and_finish(connection, row, claimed.job_id, claimed.token, {"simulation_id": row["id"], "cached": False}):
                return
    try:
        with transaction(settings) as session:
            simulation_id, cached = Simulations(session).insert_once(row)
            finish(session, claimed, JobStatus.SUCCEEDED, result={"simulation_id": simulation_id, "cached": cached})
    except ClaimLost:
        log.warning("simulation job %s: another attempt owns it; result discarded", claimed.job_id)
