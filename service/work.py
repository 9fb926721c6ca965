"""Job bodies: load rows, call a pure function from models/ or surrogate/, store rows once."""

from __future__ import annotations

import logging
from typing import Any, Literal

from sqlalchemy import select

from interlayer.models.errors import InterlayerError

from . import planning
from .db import transaction
from .jobs import Claim, ClaimLost, Heartbeat, finish, finish_now
from .settings import Settings
from .simulations import simulator
from .tables import Simulation, new_id, utcnow

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
    """Insert the result (one row per key, whoever computed it) and finish the job in one transaction."""
    try:
        with transaction(settings.database_url) as session:
            insert = dialect_insert(session)(Simulation).values(
                id=new_id("sim"), key=key, model=request["model"], model_version=version, metal=request["metal"],
                recipe=request["recipe"], parameters=request["parameters"], result=result, job_id=claimed.job_id,
                created_at=utcnow())
            simulation_id = session.scalar(insert.on_conflict_do_nothing(index_elements=["key"]).returning(Simulation.id))
            cached = simulation_id is None
            if cached:
                # Another job computed the same inputs meanwhile: share its row.
                simulation_id = session.scalar(select(Simulation.id).where(Simulation.key == key))
            finish(session, claimed, "succeeded", result={"simulation_id": simulation_id, "cached": cached})
    except ClaimLost:
        log.warning("simulation job %s: another attempt owns it; result discarded", claimed.job_id)


def dialect_insert(session):
    """INSERT with ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


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
