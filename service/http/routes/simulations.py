"""``/v1/simulations``: a physics model on a recipe as a job (served from the shared cache when it ran before)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ...schemas import SimulationIn, SimulationsIn
from ...settings import Settings
from ...usecases import simulations
from ..deps import idempotency_key, owner_of, settings_of
from ..responses import accepted

router = APIRouter(prefix="/v1/simulations", tags=["simulations"])


@router.post("", status_code=202)
def create_simulation(body: SimulationIn, key: str | None = Depends(idempotency_key), owner: str = Depends(owner_of),
                      settings: Settings = Depends(settings_of)) -> JSONResponse:
    (job,) = simulations.request_simulations(settings, owner, [body], [["body"]], key, batch=False)
    return accepted(job)


@router.post("/batch", status_code=202)
def create_simulations(body: SimulationsIn, key: str | None = Depends(idempotency_key), owner: str = Depends(owner_of),
                       settings: Settings = Depends(settings_of)) -> JSONResponse:
    """A sweep: one job per simulation, all accepted or none (a bad one is a 422 naming its index)."""
    locations = [["body", "simulations", index] for index in range(len(body.simulations))]
    jobs = simulations.request_simulations(settings, owner, body.simulations, locations, key, batch=True)
    return JSONResponse(status_code=202, content={"jobs": jobs})
