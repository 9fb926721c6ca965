"""``/v1/jobs/{id}``: a job's state, progress and result; cancel it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ...settings import Settings
from ...usecases import jobs
from ..deps import owner_of, settings_of

router = APIRouter(prefix="/v1/jobs/{job_id}", tags=["jobs"])


@router.get("")
def get_job(job_id: str, owner: str = Depends(owner_of), settings: Settings = Depends(settings_of)) -> dict:
    return jobs.show_job(settings, owner, job_id)


@router.post("/cancel", status_code=202)
def cancel_job(job_id: str, owner: str = Depends(owner_of), settings: Settings = Depends(settings_of)) -> dict:
    return jobs.cancel_job(settings, owner, job_id)
