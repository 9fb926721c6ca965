"""Campaign rows <-> the surrogate's in-memory ``Campaign``: what a proposal or recommendation job does.

The statistics all live in ``interlayer.surrogate``; this module loads rows, builds the campaign,
makes sure the physics simulations it needs exist (each a cached job of its own), and stores the
proposals and the recommendation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interlayer.models.recipe import Recipe
from interlayer.surrogate.campaign import Campaign, CampaignError
from interlayer.surrogate.measurement import Measurement
from interlayer.surrogate.physics import PRIORS, PhysicsPrior, SimulationRequest
from interlayer.surrogate.simulations import SimulationSource
from interlayer.surrogate.space import DesignSpace

from . import tables
from .db import dialect_insert, transaction
from .jobs import Claim, create_job, finish
from .queue import publish
from .settings import Settings
from .simulations import simulator

log = logging.getLogger(__name__)

# Optimistic writes of a proposal batch: recomputed when another batch landed meanwhile.
PROPOSAL_WRITE_TRIES = 5


def physics_prior(name: str) -> PhysicsPrior | None:
    if name not in PRIORS:
        raise CampaignError(f"unknown physics {name!r}; choose one of {', '.join(PRIORS)}")
    return PRIORS[name]


def to_measurement(row: tables.Measurement, metal: str) -> Measurement:
    return Measurement(Recipe.parse(row.recipe, metal=metal), row.lifetime_h, row.censored, row.overpotential_mv,
                       row.cell_id)


def measurements_of(session: Session, campaign_ids: Sequence[str], metal_of: dict[str, str]) -> list[Measurement]:
    rows = session.scalars(select(tables.Measurement).where(tables.Measurement.campaign_id.in_(campaign_ids))
                           .order_by(tables.Measurement.created_at, tables.Measurement.id))
    return [to_measurement(row, metal_of[row.campaign_id]) for row in rows]


class _Found:
    def __init__(self, found):
        self.found = found

    def results(self, requests):
        return {q: self.found[q] for q in requests}


@dataclass
class CampaignState:
    """A campaign's rows as of one read: enough to rebuild the surrogate outside any transaction."""

    row: tables.Campaign
    measurements: list[Measurement]
    related: list[Measurement]
    pending: list[Recipe]

    def build(self, simulations: SimulationSource) -> Campaign:
        options = self.row.options
        campaign = Campaign(DesignSpace.from_dict(self.row.space), seed=options["seed"],
                            physics=physics_prior(options["physics"]), related=self.related,
                            simulations=simulations, acquisition=options["acquisition"])
        campaign.tell(self.measurements)
        return campaign


def load_state(session: Session, campaign_id: str) -> CampaignState:
    row = session.get(tables.Campaign, campaign_id)
    if row is None:
        raise CampaignError(f"campaign {campaign_id} does not exist")
    related_ids = list(row.options.get("related_campaigns", []))
    metals = dict(session.execute(select(tables.Campaign.id, tables.Campaign.metal)
                                  .where(tables.Campaign.id.in_([campaign_id, *related_ids]))).all())
    pending_rows = session.scalars(select(tables.Proposal.recipe).where(
        tables.Proposal.campaign_id == campaign_id,
        ~select(tables.Measurement.id).where(tables.Measurement.proposal_id == tables.Proposal.id).exists()))
    return CampaignState(row, measurements_of(session, [campaign_id], metals),
                         measurements_of(session, related_ids, metals),
                         [Recipe.parse(recipe, metal=row.metal) for recipe in pending_rows])


def _request_input(request: SimulationRequest) -> dict[str, Any]:
    return {"model": request.model, "metal": request.metal, "recipe": request.recipe,
            "parameters": request.parameters_dict()}


def gather_simulations(session: Session, settings: Settings, requests: list[SimulationRequest], owner: str
                       ) -> tuple[dict[SimulationRequest, dict], list[str]]:
    """Results found for ``requests``, and the ids of simulation jobs created for the missing ones.

    A missing result with a live job is waited for, not queued again; one whose job failed fails the caller.
    """
    keys = {request: simulator(request.model, settings.extra_models).key(
        request.metal, request.recipe, request.parameters_dict()) for request in requests}
    stored = dict(session.execute(select(tables.Simulation.key, tables.Simulation.result)
                                  .where(tables.Simulation.key.in_(list(keys.values())))).all())
    found = {request: stored[key] for request, key in keys.items() if key in stored}
    missing = {key: request for request, key in keys.items() if key not in stored}
    if not missing:
        return found, []
    jobs = session.execute(select(tables.Job.simulation_key, tables.Job.status, tables.Job.error)
                           .where(tables.Job.simulation_key.in_(list(missing)))
                           .order_by(tables.Job.created_at)).all()
    latest = {key: (status, error) for key, status, error in jobs}
    created = []
    for key, request in missing.items():
        status, error = latest.get(key, (None, None))
        if status == "failed":
            raise CampaignError(f"simulation {request.model} of {request.recipe} failed: {error}")
        if status in ("queued", "running"):
            continue
        job = create_job(session, "simulation", owner, _request_input(request), simulation_key=key)
        created.append(job.id)
    return found, created


def _store_recommendation(session: Session, campaign_id: str, data_version: int, document: dict) -> None:
    """Keep the recommendation of the newest data version (an older computation never overwrites a newer one).

    One upsert, so two jobs storing the first recommendation of a campaign at once both succeed.
    """
    table = tables.Recommendation.__table__
    insert = dialect_insert(session)(table).values(campaign_id=campaign_id, data_version=data_version,
                                                   document=document, created_at=tables.utcnow())
    session.execute(insert.on_conflict_do_update(
        index_elements=[table.c.campaign_id],
        set_={"data_version": insert.excluded.data_version, "document": insert.excluded.document,
              "created_at": insert.excluded.created_at},
        where=table.c.data_version <= insert.excluded.data_version))


def _prepare(settings: Settings, campaign_id: str, job_id: str | None = None
             ) -> tuple[CampaignState, dict[SimulationRequest, dict] | None]:
    """Load the campaign and its simulation results; queue the missing ones (published after commit) and give None."""
    with transaction(settings.database_url) as session:
        state = load_state(session, campaign_id)
        requests = state.build(_Found({})).simulation_requests()
        found, created = gather_simulations(session, settings, requests, state.row.owner)
        complete = len(found) == len(requests)
        if not complete and job_id is not None:
            session.execute(update(tables.Job).where(tables.Job.id == job_id).values(
                progress=0.5 * len(found) / len(requests),
                message=f"waiting for {len(requests) - len(found)} of {len(requests)} simulations"))
    if created:
        publish(settings, "simulation", created)
    return state, found if complete else None


def propose(settings: Settings, claimed: Claim) -> Literal["waiting", "done"]:
    """Fit the surrogate, ask for a batch that avoids every pending recipe, store it once."""
    count = int(claimed.input["count"])
    for _ in range(PROPOSAL_WRITE_TRIES):
        state, simulations = _prepare(settings, claimed.campaign_id, claimed.job_id)
        if simulations is None:
            return "waiting"
        campaign = state.build(_Found(simulations))
        batch = campaign.ask(count, pending=state.pending)
        recommendation = campaign.recommend().as_dict()
        with transaction(settings.database_url) as session:
            # The compare-and-bump is the campaign's write lock: a batch computed against an older
            # set of pending proposals is recomputed, so two jobs never propose the same recipe.
            moved = session.execute(update(tables.Campaign).where(
                tables.Campaign.id == state.row.id, tables.Campaign.lock_version == state.row.lock_version)
                .values(lock_version=tables.Campaign.lock_version + 1)).rowcount
            if moved != 1:
                continue
            rows = [tables.Proposal(campaign_id=state.row.id, job_id=claimed.job_id, recipe=str(p.recipe),
                                    document=p.as_dict()) for p in batch]
            session.add_all(rows)
            session.flush()
            _store_recommendation(session, state.row.id, state.row.data_version, recommendation)
            finish(session, claimed, "succeeded", result={"proposal_ids": [row.id for row in rows]})
        return "done"
    raise CampaignError(f"campaign {state.row.id} kept changing; gave up after {PROPOSAL_WRITE_TRIES} tries")


def refresh_recommendation(settings: Settings, claimed: Claim) -> Literal["waiting", "done"]:
    """Refit on the stored measurements and keep the recommendation for their data version."""
    state, simulations = _prepare(settings, claimed.campaign_id, claimed.job_id)
    if simulations is None:
        return "waiting"
    document = state.build(_Found(simulations)).recommend().as_dict()
    with transaction(settings.database_url) as session:
        _store_recommendation(session, state.row.id, state.row.data_version, document)
        finish(session, claimed, "succeeded", result={"data_version": state.row.data_version})
    return "done"


def recommend_now(settings: Settings, campaign_id: str) -> tuple[int, dict] | None:
    """Compute and store the recommendation in the caller's process; None while simulations are missing."""
    state, simulations = _prepare(settings, campaign_id)
    if simulations is None:
        return None
    document = state.build(_Found(simulations)).recommend().as_dict()
    with transaction(settings.database_url) as session:
        _store_recommendation(session, campaign_id, state.row.data_version, document)
    return state.row.data_version, document
