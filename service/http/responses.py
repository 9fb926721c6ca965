"""Answers shared by the routes: a job accepted (202 with its ``Location``), a refusal's JSON body."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


def accepted(job: dict[str, Any]) -> JSONResponse:
    """202 with the job's body and where to poll it."""
    return JSONResponse(status_code=202, content=job, headers={"Location": f"/v1/jobs/{job['id']}"})


def error_body(location: list, message: str) -> dict:
    return {"detail": [{"loc": location, "msg": message, "type": "value_error"}]}
