"""``/jobs/{id}``: a job's progress (live) and result; a simulation's stored series as plots. ``/jobs/{id}/status``
is the same job as JSON for the pages' progress bars."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ...errors import NotFound
from ...usecases import jobs
from ..deps import AppSettings
from .render import not_found, page
from .session import SignedIn
from .simulation_figures import simulation_figures

router = APIRouter(prefix="/jobs/{job_id}", include_in_schema=False)


@router.get("")
def job_page(job_id: str, request: Request, session: SignedIn,
             settings: AppSettings) -> HTMLResponse:
    try:
        job = jobs.show_job(settings, session.owner, job_id)
    except NotFound:
        return not_found(request, session)
    simulation = job.get("simulation")
    result = (simulation or {}).get("result") or {}
    # where and when the peaks act (stress_locations) beside the peaks themselves: the stress plot is the end's
    scalars = {k: v for k, v in (result | (result.get("stress_locations") or {})).items()
               if isinstance(v, (int, float, str, bool))}
    return page(request, "job.html", {"session": session, "job": job, "scalars": scalars,
                                      "figures": simulation_figures(simulation)})


@router.get("/status")
async def job_status(job_id: str, session: SignedIn,
                     settings: AppSettings) -> dict:
    """A job's state for the pages' progress bars (the job API's answer, for a session instead of a key)."""
    job = await run_in_threadpool(jobs.show_job, settings, session.owner, job_id)
    return {name: job[name] for name in ("id", "kind", "status", "progress", "message", "error")}
