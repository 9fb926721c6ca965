"""Job bodies: load rows, call a pure function from models/ or surrogate/, store rows once."""

from __future__ import annotations

import logging
from typing import Any, Literal

from sqlalchemy import bindparam, select, update

from interlayer.models.errors import InterlayerError

from . import planning
from .db import dialect_insert, single_statements, transaction
from .jobs import Claim, ClaimLost, Heartbeat, finish, finish_now
from .settings import Settings
from .simulations import simulator
from .tables import Job, Simulation, new_id, utcnow

log = logging.getLogger(__name__)

# Seconds between checks of a proposal job waiting for its simulations.
WAIT_POLL_S = 0.5


def run_simulation_job(settings: Settings, claimed: Claim) -> None:
    request = claimed.input
    try:
        model = simulator(request["model"], settings.extra_models)
        key = model.key(request["metal"], request["recipe"], request["parameters"])
    except InterlayerError as error:
        finish_now(settings, claimed, "failed", error=str(error))
        return
    cached = claimed.cached_simulation_id(key)
    if cached is not None:
        finish_now(settings, claimed, "succeeded", result={"simulation_id": cached, "cached": True})
        return
    with Heartbeat(settings, claimed) as beat:
        try:
            result = model.run(request["metal"], request["recipe"], request["parameters"],
                               progress=beat.progress, should_cancel=beat.should_cancel)
        except Exception as error:
            if beat.cancelled:
                finish_now(settings, claimed, "cancelled", message="cancelled while running")
            elif isinstance(error, InterlayerError):
                finish_now(settings, claimed, "failed", error=str(error))
            else:
                log.exception("simulation job %s failed", claimed.job_id)
                finish_now(settings, claimed, "failed", error=f"{type(error).__name__}: {error}")
            return
    if beat.cancelled:
        finish_now(settings, claimed, "cancelled", message="cancelled while running")
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
        with single_statements(settings.database_url) as connection:
            stored = connection.execute(_STORE_AND_FINISH, {
                **{f"new_{name}": value for name, value in row.items()}, "job_id": claimed.job_id, "token": claimed.token,
                "job_result": {"simulation_id": row["id"], "cached": False}}).one_or_none()
        if stored is not None:
            return
    try:
        with transaction(settings.database_url) as session:
            insert = dialect_insert(session)(Simulation).values(**row)
            simulation_id = session.scalar(insert.on_conflict_do_nothing(index_elements=["key"]).returning(Simulation.id))
            cached = simulation_id is None
            if cached:
                # Another job computed the same inputs meanwhile: share its row.
                simulation_id = session.scalar(select(Simulation.id).where(Simulation.key == key))
            finish(session, claimed, "succeeded", result={"simulation_id": simulation_id, "cached": cached})
    except ClaimLost:
        log.warning("simulation job %s: another attempt owns it; result discarded", claimed.job_id)


def _store_and_finish_statement():
    """PostgreSQL: lock the job row if this attempt still holds it, insert the result unless its key
    exists, and finish the job only when both happened; one statement, so all or nothing."""
    from sqlalchemy.dialects.postgresql import insert

    jobs, simulations = Job.__table__, Simulation.__table__
    held = (select(jobs.c.id).where(jobs.c.id == bindparam("job_id"), jobs.c.claim == bindparam("token"),
                                    jobs.c.status == "running").with_for_update().cte("held"))
    columns = ["id", "key", "model", "model_version", "metal", "recipe", "parameters", "result", "job_id", "created_at"]
    values = [held.c.id if name == "job_id" else bindparam(f"new_{name}", type_=simulations.c[name].type)
              for name in columns]
    stored = (insert(simulations)
              .from_select(columns, select(*values))
              .on_conflict_do_nothing(index_elements=["key"]).returning(simulations.c.job_id).cte("stored"))
    return (update(jobs).where(jobs.c.id.in_(select(stored.c.job_id)))
            .values(status="succeeded", result=bindparam("job_result"), progress=1.0, message="succeeded",
                    finished_at=bindparam("new_created_at"), claim=None)
            .returning(jobs.c.id))


_STORE_AND_FINISH = _store_and_finish_statement()


def run_proposal_job(settings: Settings, claimed: Claim) -> Literal["waiting", "done"]:
    return _guarded(settings, claimed, planning.propose)


def run_ingest_job(settings: Settings, claimed: Claim) -> Literal["waiting", "done"]:
    return _guarded(settings, claimed, planning.refresh_recommendation)


def _guarded(settings: Settings, claimed: Claim, body) -> Literal["waiting", "done"]:
    """Run a campaign job body; bad input fails the job with its message instead of retrying."""
    try:
        return body(settings, claimed)
    except ClaimLost:
        log.warning("job %s: another attempt owns it", claimed.job_id)
        return "done"
    except InterlayerError as error:
        finish_now(settings, claimed, "failed", error=str(error))
        return "done"
    except Exception as error:
        log.exception("job %s failed", claimed.job_id)
        finish_now(settings, claimed, "failed", error=f"{type(error).__name__}: {error}")
        return "done"
