"""``/healthz`` (the process answers) and ``/readyz`` (database, broker and a consuming worker)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...jobs.queue import beacon_key
from ...schemas.responses import HealthOut, ReadyOut
from ...store.db import ping
from ..deps import AppSettings

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut)
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadyOut,
            responses={503: {"model": ReadyOut, "description": "A check failed: which, and why"}})
def readyz(request: Request, settings: AppSettings) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        ping(settings)
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    broker = request.app.state.broker
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
