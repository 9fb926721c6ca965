"""What a client sees of stored rows: campaigns, proposals, measurements and jobs as JSON documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..store import tables
from ..store.db import Session
from ..store.proposals import Proposals
from ..store.simulations import Simulations


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def campaign_view(row: tables.Campaign, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "metal": row.metal, "space": row.space, **row.options,
            "data_version": row.data_version, "created_at": _iso(row.created_at), **(counts or {})}


def proposal_view(row: tables.Proposal, measured: bool | None = None) -> dict[str, Any]:
    status = {} if measured is None else {"status": "measured" if measured else "pending"}
    return {"id": row.id, "campaign_id": row.campaign_id, "job_id": row.job_id, **status, **row.document,
            "created_at": _iso(row.created_at)}


def measurement_view(row: tables.Measurement) -> dict[str, Any]:
    return {"id": row.id, "campaign_id": row.campaign_id, "proposal_id": row.proposal_id, "recipe": row.recipe,
            "lifetime_h": row.lifetime_h, "censored": row.censored, "state": row.state,
            "failure_reason": row.failure_reason, "overpotential_mv": row.overpotential_mv,
            "cell_id": row.cell_id, "condition": row.condition, "created_at": _iso(row.created_at),
            "updated_at": _iso(row.updated_at), **record_view(row)}


def record_view(row: tables.Measurement) -> dict[str, Any]:
    """The lab's record of a cell (dates as ISO days)."""
    return {"electrolyte": row.electrolyte, "temperature_c": row.temperature_c, "built_on": _iso(row.built_on),
            "tested_on": _iso(row.tested_on), "sample_id": row.sample_id, "note": row.note}


def job_body(job: tables.Job) -> dict[str, Any]:
    """The job's own fields (a new queued job's whole view)."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": job.progress, "message": job.message,
            "attempts": job.attempts, "error": job.error, "campaign_id": job.campaign_id, "input": job.input,
            "result": job.result, "cancel_requested": job.cancel_requested, "created_at": _iso(job.created_at),
            "started_at": _iso(job.started_at), "finished_at": _iso(job.finished_at)}


def job_view(session: Session, job: tables.Job) -> dict[str, Any]:
    """The job, with its simulation's result or its proposals once it has them."""
    body = job_body(job)
    result = job.result or {}
    if "simulation_id" in result:
        simulation = Simulations(session).get(result["simulation_id"])
        body["simulation"] = simulation.result if simulation else None
    if "proposal_ids" in result:
        body["proposals"] = [proposal_view(row) for row in Proposals(session).by_ids(result["proposal_ids"])]
    return body
