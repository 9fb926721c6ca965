"""``/v1/jobs/{id}``: a job's state, progress and result; cancel it."""

from __future__ import annotations

from fastapi import APIRouter

from ...schemas.responses import JobOut
from ...usecases import jobs
from ..deps import AppSettings, Owner

router = APIRouter(prefix="/v1/jobs/{job_id}", tags=["jobs"])


@router.get("", response_model=JobOut)
def get_job(job_id: str, owner: Owner, settings: AppSettings) -> dict:
    return jobs.show_job(settings, owner, job_id)


@router.post("/cancel", status_code=202, response_model=JobOut)
def cancel_job(job_id: str, owner: Owner, settings: AppSettings) -> dict:
    return jobs.cancel_job(settings, owner, job_id)
