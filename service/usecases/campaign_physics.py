"""A campaign's physics from the simulation store, asked for before any model is built.

Each simulation the physics prior needs is a job of its own, cached by its inputs and shared across
campaigns. A result not stored yet has its job queued (once, whoever asks) and the campaign's job
comes back later: ``physics_results`` answers ``Waiting`` with how many are ready.
"""

from __future__ import annotations

from dataclasses import dataclass

from interlayer.surrogate.campaign import Campaign
from interlayer.surrogate.fit import CampaignError, Fit, FitCache
from interlayer.surrogate.physics import SimulationRequest

from ..jobs.lifecycle import Waiting, create_job
from ..jobs.queue import publish_committed
from ..settings import Settings
from ..store.db import Session, transaction
from ..store.jobs import Jobs
from ..store.simulations import Simulations
from ..store.vocabulary import JobKind, JobStatus
from .physics_models import service_model
from .state import CampaignState, load_state


@dataclass
class Fitted:
    """A campaign as of one read, its surrogate and the fit of its cells (with every physics result stored)."""

    state: CampaignState
    campaign: Campaign
    fit: Fit


def fitted_campaign(settings: Settings, campaign_id: str, fits: FitCache) -> Fitted | Waiting:
    """The campaign's fit from ``fits`` (built on a miss), or ``Waiting`` before any model is built while
    the physics it needs is still being computed."""
    with transaction(settings) as session:
        state = load_state(session, campaign_id)
    campaign = state.build(fits)
    results = physics_results(settings, state.row.owner, campaign.simulation_requests())
    if isinstance(results, Waiting):
        return results
    return Fitted(state, campaign, campaign.fit(results))


def request_input(request: SimulationRequest) -> dict:
    """A simulation job's input for ``request``."""
    return {"model": request.model, "metal": request.metal, "recipe": request.recipe,
            "parameters": request.parameters_dict()}


def physics_results(settings: Settings, owner: str, requests: list[SimulationRequest]
                    ) -> dict[SimulationRequest, dict] | Waiting:
    """The stored result of every request, or ``Waiting`` while some are computed (the missing ones are
    queued as simulation jobs of ``owner``, once)."""
    if not requests:
        return {}
    with transaction(settings) as session:
        found, created = gather_simulations(session, settings, requests, owner)
    publish_committed(settings, JobKind.SIMULATION, created)
    if len(found) < len(requests):
        return Waiting(f"waiting for {len(requests) - len(found)} of {len(requests)} simulations",
                       0.5 * len(found) / len(requests))
    return found


def gather_simulations(session: Session, settings: Settings, requests: list[SimulationRequest], owner: str
                       ) -> tuple[dict[SimulationRequest, dict], list[str]]:
    """Results found for ``requests``, and the ids of simulation jobs created for the missing ones.

    A missing result with a live job is waited for, not queued again; one whose job failed fails the caller.
    """
    keys = {request: service_model(request.model, settings.extra_models).key(
        request.metal, request.recipe, request.parameters_dict()) for request in requests}
    stored = Simulations(session).results(keys.values())
    found = {request: stored[key] for request, key in keys.items() if key in stored}
    missing = {key: request for request, key in keys.items() if key not in stored}
    if not missing:
        return found, []
    jobs = Jobs(session).by_simulation_key(missing)
    latest = {key: (status, error) for key, status, error in jobs}
    created = []
    for key, request in missing.items():
        status, error = latest.get(key, (None, None))
        if status == JobStatus.FAILED:
            raise CampaignError(f"simulation {request.model} of {request.recipe} failed: {error}")
        if status in (JobStatus.QUEUED, JobStatus.RUNNING):
            continue
        job = create_job(session, JobKind.SIMULATION, owner, request_input(request), simulation_key=key)
        created.append(job.id)
    return found, created
