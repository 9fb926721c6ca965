"""Run a simulation on a service instead of locally: the helper behind ``interlayer simulate ... --remote URL``."""

from __future__ import annotations

from typing import Any

from ..client import Client
from .campaign import wait_with_progress
from .output import announce_job


def simulate_remote(url: str, model: str, metal: str, recipe: str, parameters: dict[str, Any] | None = None,
                    api_key: str | None = None, *, show_progress: bool = True) -> dict[str, Any]:
    """Queue ``model`` on ``recipe`` at ``url`` with ``api_key`` (the commands' --api-key), print the job's id and
    page, show progress on stderr, return the same JSON as ``run_simulation`` (served from the shared cache when these inputs ran before)."""
    with Client(url, api_key) as client:
        job = client.simulate(model, metal, recipe, parameters or {})
        announce_job(client, job, as_json=not show_progress)
        return wait_with_progress(client, job, f"{model} {recipe}", stderr=True, disable=not show_progress)["simulation"]
