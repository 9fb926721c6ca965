"""The HTTP API (FastAPI). Routes validate, write rows and publish jobs; workers do the work.

Every route under ``/v1`` needs ``Authorization: Bearer <key>``; objects belong to the key's owner
and another owner's objects answer 404. Bad input answers 422 with the field and the reason.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, Literal

import redis
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interlayer.models.electrochem import metal as lookup_metal
from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe
from interlayer.surrogate.physics import PRIORS
from interlayer.surrogate.space import DesignSpace

from . import measurements, planning, tables
from .db import transaction
from .errors import Conflict, NotFound, ServiceInputError
from .jobs import create_job, request_cancel
from .keys import hash_key
from .queue import publish
from .settings import Settings, load_settings
from .simulations import model_names, simulator
from .queue import beacon_key

# Seconds an API key lookup stays cached in this process.
KEY_CACHE_S = 30.0


class SpaceIn(BaseModel):
    """The design space (the metal comes from the campaign)."""

    model_config = ConfigDict(extra="forbid")
    max_ald_cycles: int = Field(default=10, ge=0, le=100)
    max_mld_cycles: int = Field(default=10, ge=0, le=100)
    max_supercycles: int = Field(default=100, ge=1, le=1000)
    max_thickness_nm: float = Field(default=40.0, gt=0, allow_inf_nan=False)
    min_thickness_nm: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    symmetric_only: bool = False
    min_ald_cycles: int = Field(default=1, ge=0, le=100)
    min_mld_cycles: int = Field(default=1, ge=0, le=100)


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    metal: str = Field(min_length=1, max_length=8)
    space: SpaceIn = Field(default_factory=SpaceIn)
    seed: int = Field(default=0, ge=0, le=2**31)
    # the names planning.physics_prior accepts, from the one registry
    physics: Literal[tuple(PRIORS)] = "suppression"
    acquisition: Literal["ei", "ucb", "thompson"] = "ucb"
    related_campaigns: list[str] = Field(default_factory=list, max_length=8)
    condition: measurements.Condition | None = None


class ProposalsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(default=4, ge=1, le=64)


class SimulationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str = Field(min_length=1, max_length=64)
    metal: str = Field(min_length=1, max_length=8)
    recipe: str = Field(min_length=1, max_length=64)
    parameters: dict[str, Any] = Field(default_factory=dict)


class SimulationsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    simulations: list[SimulationIn] = Field(min_length=1, max_length=1000)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def campaign_dict(row: tables.Campaign, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "metal": row.metal, "space": row.space, **row.options,
            "data_version": row.data_version, "created_at": _iso(row.created_at), **(counts or {})}


def proposal_dict(row: tables.Proposal, measured: bool | None = None) -> dict[str, Any]:
    status = {} if measured is None else {"status": "measured" if measured else "pending"}
    return {"id": row.id, "campaign_id": row.campaign_id, "job_id": row.job_id, **status, **row.document,
            "created_at": _iso(row.created_at)}


def job_dict(session: Session, job: tables.Job) -> dict[str, Any]:
    body = {"id": job.id, "kind": job.kind, "status": job.status, "progress": job.progress, "message": job.message,
            "attempts": job.attempts, "error": job.error, "campaign_id": job.campaign_id, "input": job.input,
            "result": job.result, "cancel_requested": job.cancel_requested, "created_at": _iso(job.created_at),
            "started_at": _iso(job.started_at), "finished_at": _iso(job.finished_at)}
    result = job.result or {}
    if "simulation_id" in result:
        simulation = session.get(tables.Simulation, result["simulation_id"])
        body["simulation"] = simulation.result if simulation else None
    if "proposal_ids" in result:
        rows = session.scalars(select(tables.Proposal).where(tables.Proposal.id.in_(result["proposal_ids"]))
                               .order_by(tables.Proposal.created_at, tables.Proposal.id))
        body["proposals"] = [proposal_dict(row) for row in rows]
    return body


def _error_body(location: list, message: str) -> dict:
    return {"detail": [{"loc": location, "msg": message, "type": "value_error"}]}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    url = settings.database_url
    app = FastAPI(title="Interlayer", version="1", description="ALD/MLD coating design campaigns, physics jobs and recommendations.")
    key_cache: dict[str, tuple[float, str | None]] = {}
    broker = redis.Redis.from_url(settings.redis_url, socket_timeout=2) if settings.redis_url else None

    @app.exception_handler(ServiceInputError)
    async def _unprocessable(_request: Request, error: ServiceInputError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": error.errors} if error.errors else _error_body(error.location, str(error)))

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, error: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(error)})

    @app.exception_handler(Conflict)
    async def _conflict(_request: Request, error: Conflict) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(error)})

    @app.exception_handler(InterlayerError)
    async def _bad_input(_request: Request, error: InterlayerError) -> JSONResponse:
        return JSONResponse(status_code=422, content=_error_body(["body"], str(error)))

    async def owner_of(authorization: str | None = Header(default=None)) -> str:
        # async, so that a cached key costs no hop to the thread pool; only a lookup goes there.
        if not authorization or not authorization.lower().startswith("bearer "):
            raise _unauthorized()
        digest = hash_key(authorization[7:].strip())
        cached = key_cache.get(digest)
        if cached is None or cached[0] < time.monotonic():
            owner = await run_in_threadpool(key_owner, digest)
            cached = key_cache[digest] = (time.monotonic() + KEY_CACHE_S, owner)
        if cached[1] is None:
            raise _unauthorized()
        return cached[1]

    def key_owner(digest: str) -> str | None:
        with transaction(url) as session:
            return session.scalar(select(tables.ApiKey.owner).where(
                tables.ApiKey.key_hash == digest, tables.ApiKey.revoked_at.is_(None)))

    def owned_campaign(session: Session, owner: str, campaign_id: str) -> tables.Campaign:
        row = session.get(tables.Campaign, campaign_id)
        if row is None or row.owner != owner:
            raise NotFound(f"campaign {campaign_id} not found")
        return row

    def owned_job(session: Session, owner: str, job_id: str) -> tables.Job:
        job = session.get(tables.Job, job_id)
        if job is None or job.owner != owner:
            raise NotFound(f"job {job_id} not found")
        return job

    def idempotent(owner: str, key: str | None, fingerprint: Any,
                   write: Callable[[Session], tuple[int, dict, tuple[str, list[str]] | None]]) -> JSONResponse:
        """Run ``write`` once per (owner, Idempotency-Key): the same body replays the first response, another body is a 409."""
        digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True, default=str).encode()).hexdigest() \
            if key is not None else None
        for _ in range(2):
            try:
                with transaction(url) as session:
                    if key is not None:
                        earlier = session.get(tables.IdempotentRequest, (owner, key))
                        if earlier is not None:
                            if earlier.request_hash != digest:
                                raise Conflict(f"Idempotency-Key {key!r} was used with a different request")
                            return _respond(earlier.status_code, earlier.response)
                    status, body, jobs = write(session)
                    if key is not None:
                        session.add(tables.IdempotentRequest(owner=owner, key=key, request_hash=digest,
                                                             status_code=status, response=body))
                        session.flush()
            except IntegrityError:
                continue  # the same key committed concurrently: replay it
            if jobs:
                publish(settings, *jobs)
            return _respond(status, body)
        raise Conflict(f"Idempotency-Key {key!r} is being used concurrently")

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            with transaction(url) as session:
                session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = f"error: {type(error).__name__}"
        if broker is None:
            checks["broker"] = checks["worker"] = "error: INTERLAYER_REDIS_URL is not set"
        else:
            try:
                broker.ping()
                checks["broker"] = "ok"
                workers = list(broker.scan_iter(beacon_key(settings), count=100))
                checks["worker"] = f"ok ({len(workers)} consuming)" if workers else "error: no worker is consuming"
            except Exception as error:
                checks["broker"] = checks.get("broker", f"error: {type(error).__name__}")
                checks.setdefault("worker", "unknown")
        ready = all(value.startswith("ok") for value in checks.values())
        return JSONResponse(status_code=200 if ready else 503, content={"ready": ready, **checks})

    @app.post("/v1/campaigns", status_code=201, tags=["campaigns"])
    def create_campaign(body: CampaignIn, owner: str = Depends(owner_of),
                        idempotency_key: str | None = Header(default=None)) -> JSONResponse:
        try:
            lookup_metal(body.metal)
        except InterlayerError as error:
            raise ServiceInputError(str(error), ["body", "metal"]) from None
        try:
            space = DesignSpace(metal=body.metal, **body.space.model_dump())
        except InterlayerError as error:
            raise ServiceInputError(str(error), ["body", "space"]) from None

        def write(session: Session):
            for related in body.related_campaigns:
                owned_campaign(session, owner, related)
            options = {"seed": body.seed, "physics": body.physics, "acquisition": body.acquisition,
                       "related_campaigns": body.related_campaigns,
                       "condition": body.condition.model_dump(exclude_none=True) if body.condition else None}
            row = tables.Campaign(owner=owner, name=body.name, metal=body.metal, space=space.to_dict(), options=options,
                                  data_version=0, lock_version=0)
            session.add(row)
            session.flush()
            return 201, campaign_dict(row), None
        return idempotent(owner, idempotency_key, ["campaign", body.model_dump()], write)

    @app.get("/v1/campaigns", tags=["campaigns"])
    def list_campaigns(owner: str = Depends(owner_of)) -> dict:
        with transaction(url) as session:
            rows = session.scalars(select(tables.Campaign).where(tables.Campaign.owner == owner)
                                   .order_by(tables.Campaign.created_at))
            return {"campaigns": [campaign_dict(row) for row in rows]}

    @app.get("/v1/campaigns/{campaign_id}", tags=["campaigns"])
    def get_campaign(campaign_id: str, owner: str = Depends(owner_of)) -> dict:
        with transaction(url) as session:
            row = owned_campaign(session, owner, campaign_id)
            counts = {
                "measurements": session.scalar(select(func.count()).select_from(tables.Measurement)
                                               .where(tables.Measurement.campaign_id == campaign_id)),
                "proposals": session.scalar(select(func.count()).select_from(tables.Proposal)
                                            .where(tables.Proposal.campaign_id == campaign_id)),
            }
            return campaign_dict(row, counts)

    @app.post("/v1/campaigns/{campaign_id}/proposals", status_code=202, tags=["proposals"])
    def create_proposals(campaign_id: str, body: ProposalsIn = ProposalsIn(), owner: str = Depends(owner_of),
                         idempotency_key: str | None = Header(default=None)) -> JSONResponse:
        def write(session: Session):
            owned_campaign(session, owner, campaign_id)
            job = create_job(session, "proposal", owner, {"count": body.count}, campaign_id=campaign_id)
            return 202, job_dict(session, job), ("proposal", [job.id])
        return idempotent(owner, idempotency_key, ["proposals", campaign_id, body.model_dump()], write)

    @app.get("/v1/campaigns/{campaign_id}/proposals", tags=["proposals"])
    def list_proposals(campaign_id: str, status: Literal["pending", "measured"] | None = None,
                       owner: str = Depends(owner_of)) -> dict:
        with transaction(url) as session:
            owned_campaign(session, owner, campaign_id)
            measured = set(session.scalars(select(tables.Measurement.proposal_id).where(
                tables.Measurement.campaign_id == campaign_id, tables.Measurement.proposal_id.is_not(None))))
            rows = session.scalars(select(tables.Proposal).where(tables.Proposal.campaign_id == campaign_id)
                                   .order_by(tables.Proposal.created_at, tables.Proposal.id))
            out = [proposal_dict(row, row.id in measured) for row in rows]
            return {"proposals": [p for p in out if status is None or p["status"] == status]}

    @app.post("/v1/campaigns/{campaign_id}/measurements", status_code=201, tags=["measurements"])
    async def post_measurements(campaign_id: str, request: Request, owner: str = Depends(owner_of),
                                idempotency_key: str | None = Header(default=None)) -> JSONResponse:
        rows, prefix = await _measurement_rows(request)
        parsed = measurements.parse_rows(rows, prefix)

        def write(session: Session):
            campaign = owned_campaign(session, owner, campaign_id)
            stored = measurements.store(session, campaign, parsed, prefix)
            job = create_job(session, "ingest", owner, {"data_version": campaign.data_version}, campaign_id=campaign_id)
            body = {"measurements": [measurements.as_dict(row) for row in stored], "data_version": campaign.data_version,
                    "job": job_dict(session, job)}
            return 201, body, ("ingest", [job.id])
        fingerprint = ["measurements", campaign_id, [row.model_dump() for row in parsed]]
        return await run_in_threadpool(idempotent, owner, idempotency_key, fingerprint, write)

    @app.get("/v1/campaigns/{campaign_id}/measurements", tags=["measurements"])
    def list_measurements(campaign_id: str, owner: str = Depends(owner_of)) -> dict:
        with transaction(url) as session:
            owned_campaign(session, owner, campaign_id)
            rows = session.scalars(select(tables.Measurement).where(tables.Measurement.campaign_id == campaign_id)
                                   .order_by(tables.Measurement.created_at, tables.Measurement.id))
            return {"measurements": [measurements.as_dict(row) for row in rows]}

    @app.patch("/v1/campaigns/{campaign_id}/measurements/{measurement_id}", tags=["measurements"])
    def patch_measurement(campaign_id: str, measurement_id: str, body: measurements.MeasurementPatch,
                          owner: str = Depends(owner_of)) -> JSONResponse:
        with transaction(url) as session:
            campaign = owned_campaign(session, owner, campaign_id)
            row = session.get(tables.Measurement, measurement_id)
            if row is None or row.campaign_id != campaign_id:
                raise NotFound(f"measurement {measurement_id} not found")
            measurements.patch(session, campaign, row, body)
            job = create_job(session, "ingest", owner, {"data_version": campaign.data_version}, campaign_id=campaign_id)
            out = measurements.as_dict(row) | {"data_version": campaign.data_version, "job_id": job.id}
        publish(settings, "ingest", [job.id])
        return JSONResponse(out)

    @app.get("/v1/campaigns/{campaign_id}/recommendation", tags=["campaigns"])
    def get_recommendation(campaign_id: str, owner: str = Depends(owner_of)) -> JSONResponse:
        with transaction(url) as session:
            campaign = owned_campaign(session, owner, campaign_id)
            cached = session.get(tables.Recommendation, campaign_id)
            if cached is not None and cached.data_version == campaign.data_version:
                return JSONResponse({"campaign_id": campaign_id, "data_version": cached.data_version, **cached.document})
        # Not yet refreshed after the latest change: fit once here and keep it for everyone after.
        computed = planning.recommend_now(settings, campaign_id)
        if computed is None:
            return JSONResponse(status_code=409, content={
                "detail": "the physics simulations this campaign needs are still running; ask again shortly"})
        data_version, document = computed
        return JSONResponse({"campaign_id": campaign_id, "data_version": data_version, **document})

    def simulation_input(body: SimulationIn, location: list) -> tuple[dict[str, Any], str]:
        """The job input of a valid request and its cache key; a bad field is a 422 at ``location + [field]``."""
        known = model_names(settings.extra_models)
        if body.model not in known:
            raise ServiceInputError(f"unknown model {body.model!r}; known: {', '.join(known)}", [*location, "model"])
        try:
            lookup_metal(body.metal)
        except InterlayerError as error:
            raise ServiceInputError(str(error), [*location, "metal"]) from None
        try:
            recipe = str(Recipe.parse(body.recipe, metal=body.metal))
        except InterlayerError as error:
            raise ServiceInputError(str(error), [*location, "recipe"]) from None
        try:
            key = simulator(body.model, settings.extra_models).key(body.metal, recipe, body.parameters)
        except (TypeError, ValueError) as error:
            raise ServiceInputError(f"parameters must be JSON numbers, text or flags: {error}",
                                    [*location, "parameters"]) from None
        return {"model": body.model, "metal": body.metal, "recipe": recipe, "parameters": body.parameters}, key

    def simulation_jobs(session: Session, owner: str, requests: list[tuple[dict[str, Any], str]]) -> tuple[list[dict], list[str]]:
        """One job per request; a request whose result is stored is done on arrival. Returns the job bodies and
        the ids to publish."""
        cached = dict(session.execute(select(tables.Simulation.key, tables.Simulation.id).where(
            tables.Simulation.key.in_({key for _, key in requests}))).all())
        bodies, queued = [], []
        for job_input, key in requests:
            job = create_job(session, "simulation", owner, job_input, simulation_key=key)
            if key in cached:
                # Cached: no worker involved.
                now = tables.utcnow()
                job.status, job.progress, job.message = "succeeded", 1.0, "cached"
                job.result, job.started_at, job.finished_at = {"simulation_id": cached[key], "cached": True}, now, now
                session.flush()
            else:
                queued.append(job.id)
            bodies.append(job_dict(session, job))
        return bodies, queued

    @app.post("/v1/simulations", status_code=202, tags=["simulations"])
    def create_simulation(body: SimulationIn, owner: str = Depends(owner_of),
                          idempotency_key: str | None = Header(default=None)) -> JSONResponse:
        request = simulation_input(body, ["body"])

        def write(session: Session):
            (job,), queued = simulation_jobs(session, owner, [request])
            return 202, job, ("simulation", queued)
        return idempotent(owner, idempotency_key, ["simulation", request[0]], write)

    @app.post("/v1/simulations/batch", status_code=202, tags=["simulations"])
    def create_simulations(body: SimulationsIn, owner: str = Depends(owner_of),
                           idempotency_key: str | None = Header(default=None)) -> JSONResponse:
        """A sweep: one job per simulation, all accepted or none (a bad one is a 422 naming its index)."""
        requests = [simulation_input(item, ["body", "simulations", index]) for index, item in enumerate(body.simulations)]

        def write(session: Session):
            jobs, queued = simulation_jobs(session, owner, requests)
            return 202, {"jobs": jobs}, ("simulation", queued)
        return idempotent(owner, idempotency_key, ["simulations", [job_input for job_input, _ in requests]], write)

    @app.get("/v1/jobs/{job_id}", tags=["jobs"])
    def get_job(job_id: str, owner: str = Depends(owner_of)) -> dict:
        with transaction(url) as session:
            return job_dict(session, owned_job(session, owner, job_id))

    @app.post("/v1/jobs/{job_id}/cancel", status_code=202, tags=["jobs"])
    def cancel_job(job_id: str, owner: str = Depends(owner_of)) -> dict:
        with transaction(url) as session:
            job = owned_job(session, owner, job_id)
            request_cancel(session, job)
            session.flush()
            return job_dict(session, job)

    return app


def _respond(status: int, body: dict) -> JSONResponse:
    headers = {"Location": f"/v1/jobs/{body['id']}"} if status == 202 and "id" in body else None
    return JSONResponse(status_code=status, content=body, headers=headers)


def _unauthorized() -> HTTPException:
    return HTTPException(status_code=401, detail="missing or unknown API key (Authorization: Bearer <key>)",
                         headers={"WWW-Authenticate": "Bearer"})


async def _measurement_rows(request: Request) -> tuple[list[Any], list]:
    """Rows from a JSON list (or ``{"measurements": [...]}``), a CSV body, or a multipart CSV upload."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ServiceInputError("upload the CSV as the form field 'file'", ["body", "file"])
        return measurements.csv_rows(_text(await upload.read())), ["body", "file", "row"]
    if content_type.startswith("text/csv"):
        return measurements.csv_rows(_text(await request.body())), ["body", "file", "row"]
    try:
        data = json.loads(await request.body() or b"null")
    except json.JSONDecodeError as error:
        raise RequestValidationError([{"loc": ["body"], "msg": f"invalid JSON: {error}", "type": "json_invalid"}]) from None
    if isinstance(data, dict) and "measurements" in data:
        data = data["measurements"]
    if not isinstance(data, list):
        raise ServiceInputError("give a JSON list of measurements (or a CSV file)", ["body"])
    return data, ["body"]


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceInputError("the CSV file is not UTF-8 text", ["body", "file"]) from None
