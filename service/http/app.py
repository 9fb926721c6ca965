"""The FastAPI application: the API's routers, the dashboard's pages (``pages/``), the error handlers that
turn refusals into 4xx, the process's state.

Every route under ``/v1`` needs ``Authorization: Bearer <key>``; objects belong to the key's owner
and another owner's objects answer 404. Bad input answers 422 with the field and the reason.
"""

from __future__ import annotations

import redis
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from interlayer.models.errors import InterlayerError

from ..errors import Conflict, NotFound, ServiceInputError
from ..settings import Settings
from .deps import KeyCache
from .pages import add_pages
from .responses import error_body
from .routes import campaigns, health, jobs, measurements, proposals, simulations


async def _unprocessable(_request: Request, error: ServiceInputError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": error.errors} if error.errors else error_body(error.location, str(error)))


async def _not_found(_request: Request, error: NotFound) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(error)})


async def _conflict(_request: Request, error: Conflict) -> JSONResponse:
    return JSONResponse(status_code=409, content={"detail": str(error)})


async def _bad_input(_request: Request, error: InterlayerError) -> JSONResponse:
    return JSONResponse(status_code=422, content=error_body(["body"], str(error)))


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="Interlayer", version="1", description="ALD/MLD coating design campaigns, physics jobs and recommendations.")
    app.state.settings = settings
    app.state.keys = KeyCache()
    app.state.broker = redis.Redis.from_url(settings.redis_url, socket_timeout=2) if settings.redis_url else None
    app.add_exception_handler(ServiceInputError, _unprocessable)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(InterlayerError, _bad_input)
    for module in (health, campaigns, proposals, measurements, simulations, jobs):
        app.include_router(module.router)
    add_pages(app, settings)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory`` (several API processes): the app of the environment's settings."""
    return create_app(Settings())
