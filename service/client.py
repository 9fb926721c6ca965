"""Python client of the Interlayer HTTP API (httpx).

    client = Client("http://127.0.0.1:8000", api_key)
    campaign = client.create_campaign("Li coatings", "Li")
    job = client.wait(client.propose(campaign["id"], 4))
    client.measure(campaign["id"], [{"proposal_id": p["id"], "lifetime_h": 812.0} for p in job["proposals"]])
    client.recommendation(campaign["id"])
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from interlayer.models.errors import InterlayerError

FINISHED = ("succeeded", "failed", "cancelled")


class ServiceError(InterlayerError):
    """The service refused a request; ``status`` is the HTTP status and ``detail`` its explanation."""

    def __init__(self, status: int, detail: Any):
        self.status, self.detail = status, detail
        super().__init__(f"HTTP {status}: {_describe(detail)}")


class JobFailed(InterlayerError):
    """A job ended failed or cancelled."""


class ServiceUnreachable(InterlayerError):
    """No answer from the service (wrong URL, not running, network down)."""


def _describe(detail: Any) -> str:
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg')}" for item in detail)
    return str(detail)


class Client:
    def __init__(self, url: str, api_key: str | None = None, *, timeout_s: float = 60.0,
                 transport: httpx.BaseTransport | None = None):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _send(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise ServiceUnreachable(f"cannot reach the service at {self.http.base_url}: {error}") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise ServiceError(response.status_code, detail)
        return response

    def _call(self, method: str, path: str, **kwargs) -> Any:
        return self._send(method, path, **kwargs).json()

    # campaigns
    def create_campaign(self, name: str, metal: str, *, space: dict | None = None, seed: int = 0, physics: str = "suppression",
                        acquisition: str = "ucb", related_campaigns: list[str] = (), idempotency_key: str | None = None,
                        objectives: list[str] | None = None, constraint: str | None = None,
                        condition: dict | None = None, electrode_area_cm2: float | None = None) -> dict:
        """``objectives``: ["lifetime"] (default) or ["lifetime", "overpotential"]; ``constraint`` e.g.
        "overpotential_mv<=60"; ``condition``: {"current_density_ma_cm2": .., "capacity_mah_cm2": ..}, the target."""
        body = {"name": name, "metal": metal, "seed": seed, "physics": physics, "acquisition": acquisition,
                "related_campaigns": list(related_campaigns)}
        if space:
            body["space"] = space
        for key, value in (("objectives", objectives), ("constraint", constraint), ("condition", condition),
                           ("electrode_area_cm2", electrode_area_cm2)):
            if value is not None:
                body[key] = value
        return self._call("POST", "/v1/campaigns", json=body, headers=_idempotency(idempotency_key))

    def campaigns(self) -> list[dict]:
        return self._call("GET", "/v1/campaigns")["campaigns"]

    def campaign(self, campaign_id: str) -> dict:
        return self._call("GET", f"/v1/campaigns/{campaign_id}")

    # proposals and measurements
    def propose(self, campaign_id: str, count: int = 4, *, idempotency_key: str | None = None) -> dict:
        return self._call("POST", f"/v1/campaigns/{campaign_id}/proposals", json={"count": count},
                          headers=_idempotency(idempotency_key))

    def proposals(self, campaign_id: str, status: str | None = None) -> list[dict]:
        params = {"status": status} if status else None
        return self._call("GET", f"/v1/campaigns/{campaign_id}/proposals", params=params)["proposals"]

    def measure(self, campaign_id: str, rows: list[dict] | str | Path, *, idempotency_key: str | None = None) -> dict:
        """Post measurement rows (a list of dicts) or a CSV file (a path); a fresh Idempotency-Key unless given."""
        headers = _idempotency(idempotency_key or uuid.uuid4().hex)
        path = f"/v1/campaigns/{campaign_id}/measurements"
        if isinstance(rows, (str, Path)):
            file = Path(rows)
            return self._call("POST", path, files={"file": (file.name, file.read_bytes(), "text/csv")}, headers=headers)
        return self._call("POST", path, json=list(rows), headers=headers)

    def measurements(self, campaign_id: str) -> list[dict]:
        return self._call("GET", f"/v1/campaigns/{campaign_id}/measurements")["measurements"]

    def update_measurement(self, campaign_id: str, measurement_id: str, lifetime_h: float | None = None,
                           censored: bool = True, *, state: str | None = None, failure_reason: str | None = None) -> dict:
        """A newer report of a running cell: more hours, or its final state (stopped, shorted, failed with a reason)."""
        body: dict = {"lifetime_h": lifetime_h, "censored": censored}
        if state is not None:
            body["state"] = state
        if failure_reason is not None:
            body["failure_reason"] = failure_reason
        return self._call("PATCH", f"/v1/campaigns/{campaign_id}/measurements/{measurement_id}", json=body)

    def upload_cell_file(self, campaign_id: str, file: str | Path, *, measurement_id: str | None = None,
                         recipe: str | None = None, cell_id: str | None = None, area_cm2: float | None = None,
                         test_ended: bool = False) -> dict:
        """A tester's file for a reported cell (``measurement_id``) or a new cell (``recipe``, ``cell_id``):
        ``{"file": ..., "job": ...}``; the job reads and analyses it (same bytes again: the stored file)."""
        path = Path(file)
        fields = {"recipe": recipe, "cell_id": cell_id, "area_cm2": area_cm2, "test_ended": "true" if test_ended else None}
        route = f"{measurement_id}/files" if measurement_id else "files"
        return self._call("POST", f"/v1/campaigns/{campaign_id}/measurements/{route}",
                          files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
                          data={name: str(value) for name, value in fields.items() if value is not None})

    def cell_files(self, campaign_id: str, measurement_id: str) -> list[dict]:
        return self._call("GET", f"/v1/campaigns/{campaign_id}/measurements/{measurement_id}/files")["files"]

    def recommendation(self, campaign_id: str, *, wait_s: float = 120.0, condition: tuple[float, float] | None = None) -> dict:
        """The recommendation of the campaign's current data (at ``condition`` = (mA/cm2, mAh/cm2) when given).
        While a refit computes it (202: the job), wait for that job, up to ``wait_s`` in all, and ask again."""
        deadline = time.monotonic() + wait_s
        params = None if condition is None else {"current_ma_cm2": condition[0], "capacity_mah_cm2": condition[1]}
        while True:
            response = self._send("GET", f"/v1/campaigns/{campaign_id}/recommendation", params=params)
            if response.status_code != 202:
                return response.json()
            self.wait(response.json(), timeout_s=max(0.0, deadline - time.monotonic()))

    # published cells
    def import_published(self, name: str, file: str | Path) -> dict:
        """Import a published-style CSV file as this owner's set ``name``; a bad row is a ServiceError naming row and column."""
        file = Path(file)
        return self._call("POST", f"/v1/published/{name}", files={"file": (file.name, file.read_bytes(), "text/csv")})

    def published_sets(self) -> list[dict]:
        """The shipped published sets and this owner's imports: name, cell count, references."""
        return self._call("GET", "/v1/published")["sets"]

    def published(self, name: str) -> list[dict]:
        """The cells of a published set, with their provenance."""
        return self._call("GET", f"/v1/published/{name}")["cells"]

    # simulations and jobs
    def simulate(self, model: str, metal: str, recipe: str, parameters: dict | None = None, *,
                 idempotency_key: str | None = None) -> dict:
        body = {"model": model, "metal": metal, "recipe": recipe, "parameters": parameters or {}}
        return self._call("POST", "/v1/simulations", json=body, headers=_idempotency(idempotency_key))

    def simulate_many(self, simulations: list[dict], *, idempotency_key: str | None = None) -> list[dict]:
        """A sweep in one request: ``simulations`` are ``{model, metal, recipe, parameters}``; one job each."""
        return self._call("POST", "/v1/simulations/batch", json={"simulations": list(simulations)},
                          headers=_idempotency(idempotency_key))["jobs"]

    def job(self, job_id: str) -> dict:
        return self._call("GET", f"/v1/jobs/{job_id}")

    def cancel(self, job_id: str) -> dict:
        return self._call("POST", f"/v1/jobs/{job_id}/cancel")

    def wait(self, job: dict | str, *, timeout_s: float = 600.0, poll_s: float = 0.2,
             progress: Callable[[dict], None] | None = None, check: bool = True) -> dict:
        """Poll a job until it finishes; ``progress`` sees every state; a failed job raises JobFailed when ``check``."""
        job_id = job if isinstance(job, str) else job["id"]
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.job(job_id)
            if progress is not None:
                progress(state)
            if state["status"] in FINISHED:
                if check and state["status"] != "succeeded":
                    raise JobFailed(f"job {job_id} {state['status']}: {state['error'] or state['message']}")
                return state
            if time.monotonic() > deadline:
                raise JobFailed(f"job {job_id} still {state['status']} after {timeout_s:.0f} s")
            time.sleep(poll_s)

    def ready(self) -> dict:
        response = self.http.get("/readyz")
        return response.json()


def _idempotency(key: str | None) -> dict[str, str]:
    return {"Idempotency-Key": key} if key else {}
