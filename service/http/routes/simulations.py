"""``/v1/simulations``: a physics model on a recipe as a job (served from the shared cache when it ran before)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...schemas import SimulationIn, SimulationsIn
from ...schemas.responses import JobOut, JobsOut
from ...usecases import simulations
from ..deps import AppSettings, IdempotencyKey, Owner
from ..responses import accepted

router = APIRouter(prefix="/v1/simulations", tags=["simulations"])


@router.post("", status_code=202, response_model=JobOut)
def create_simulation(body: SimulationIn, key: IdempotencyKey, owner: Owner, settings: AppSettings) -> JSONResponse:
    (job,) = simulations.request_simulations(settings, owner, [body], [["body"]], key, batch=False)
    return accepted(job)


@router.post("/batch", status_code=202, response_model=JobsOut)
def create_simulations(body: SimulationsIn, key: IdempotencyKey, owner: Owner, settings: AppSettings) -> JSONResponse:
    """A sweep: one job per simulation, all accepted or none (a bad one is a 422 naming its index)."""
    locations = [["body", "simulations", index] for index in range(len(body.simulations))]
    jobs = simulations.request_simulations(settings, owner, body.simulations, locations, key, batch=True)
    return JSONResponse(status_code=202, content={"jobs": jobs})
