"""Answers shared by the routes: a job accepted (202 with its ``Location``), a refusal's JSON body."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel


class Problem(BaseModel):
    """A refusal: a message, or a list of {loc, msg, type} naming each field and the reason."""

    detail: str | list[dict[str, Any]]


# Every /v1 operation may answer these; documented so that clients (and the fuzzer) know them.
REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not UTF-8"},
    401: {"model": Problem, "description": "Missing or unknown API key"},
    404: {"model": Problem, "description": "No such object for this key's owner"},
    409: {"model": Problem, "description": "Clashes with stored state (an Idempotency-Key reused, ...)"},
    413: {"model": Problem, "description": "The body is larger than the limit"},
    422: {"model": Problem, "description": "A field and the reason it is refused"},
    429: {"model": Problem, "description": "Past the key's request rate; retry after Retry-After"},
    503: {"model": Problem, "description": "The database or broker is unavailable; retry after Retry-After"},
}


def accepted(job: dict[str, Any]) -> JSONResponse:
    """202 with the job's body and where to poll it."""
    return JSONResponse(status_code=202, content=job, headers={"Location": f"/v1/jobs/{job['id']}"})


def error_body(location: list, message: str) -> dict:
    return {"detail": [{"loc": location, "msg": message, "type": "value_error"}]}
