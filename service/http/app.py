"""The FastAPI application: the API's routers, the dashboard's pages (``pages/``), the error handlers that
turn refusals into 4xx, the process's state.

Every route under ``/v1`` needs ``Authorization: Bearer <key>``; objects belong to the key's owner
and another owner's objects answer 404. Bad input answers 422 with the field and the reason.
"""

from __future__ import annotations

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry

from interlayer.models.errors import InterlayerError

from ..errors import Conflict, NotFound, ServiceInputError, UnsupportedMedia
from ..settings import Settings
from ..store.db import DatabaseUnavailable
from .deps import KeyCache
from .limits import RequestLimits
from .metrics import RequestMetrics, ServiceCollector, router as metrics_router
from .pages import add_pages
from .rendered import RenderedRecommendations
from .request_ids import RequestIds
from .responses import REFUSALS, error_body
from .routes import campaigns, cycler_files, exports, health, jobs, measurements, proposals, published, simulations
from .security_headers import SecurityHeaders

# Seconds a client is asked to wait after a 503.
RETRY_AFTER_S = 2


async def _unprocessable(_request: Request, error: ServiceInputError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": error.errors} if error.errors else error_body(error.location, str(error)))


async def _invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    # Where and why, never the input itself: a refusal must not echo a large or hostile value back.
    detail = [{"loc": list(item["loc"]), "msg": str(item["msg"])[:300], "type": item["type"]} for item in error.errors()]
    return JSONResponse(status_code=422, content={"detail": detail})


async def _unavailable(_request: Request, _error: DatabaseUnavailable) -> JSONResponse:
    # The database is away (restart, failover): nothing was committed, so the client may simply retry.
    return JSONResponse(status_code=503, content={"detail": "the database is unavailable; retry shortly"},
                        headers={"Retry-After": str(RETRY_AFTER_S)})


async def _not_found(_request: Request, error: NotFound) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(error)})


async def _conflict(_request: Request, error: Conflict) -> JSONResponse:
    return JSONResponse(status_code=409, content={"detail": str(error)})


async def _unsupported_media(_request: Request, error: UnsupportedMedia) -> JSONResponse:
    return JSONResponse(status_code=415, content=error_body(["body", "file"], str(error)))


async def _bad_input(_request: Request, error: InterlayerError) -> JSONResponse:
    return JSONResponse(status_code=422, content=error_body(["body"], str(error)))


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="Interlayer", version="1", description="ALD/MLD coating design campaigns, physics jobs and recommendations.")
    app.state.settings = settings
    app.state.keys = KeyCache()
    app.state.rendered_recommendations = RenderedRecommendations()
    app.state.broker = redis.Redis.from_url(settings.redis_url, socket_timeout=2) if settings.redis_url else None
    app.state.metrics = CollectorRegistry()
    app.state.metrics.register(ServiceCollector(settings, app.state.broker))
    app.add_middleware(RequestLimits)
    # added last, so outermost: refusals by the limits are counted and carry an id too
    app.add_middleware(RequestMetrics, registry=app.state.metrics)
    app.add_middleware(RequestIds)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(ServiceInputError, _unprocessable)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(UnsupportedMedia, _unsupported_media)
    app.add_exception_handler(InterlayerError, _bad_input)
    app.add_exception_handler(DatabaseUnavailable, _unavailable)
    app.include_router(health.router)
    for module in (campaigns, proposals, measurements, cycler_files, simulations, jobs, published, exports):
        app.include_router(module.router, responses=REFUSALS)
    app.include_router(metrics_router)
    add_pages(app, settings)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory`` (several API processes): the app of the environment's settings."""
    return create_app(Settings())
