"""Proposals: a batch of recipes to make next, computed by a job that avoids every pending recipe."""

from __future__ import annotations

from typing import Any

from interlayer.surrogate.fit import FitCache

from ..jobs.lifecycle import Claim, Waiting, create_job, finish
from ..schemas import ProposalsIn
from ..settings import Settings
from ..store import tables
from ..store.campaigns import Campaigns
from ..store.cells import Cells
from ..store.db import Session, transaction
from ..store.proposals import Proposals
from ..store.vocabulary import JobKind, JobStatus
from .campaign_physics import fitted_campaign
from .campaigns import owned_campaign
from .idempotency import Written, write_once
from .recommendations import recommendation_document, store_recommendation, with_history
from .state import pending_recipes
from .views import job_view, proposal_view


def request_proposals(settings: Settings, owner: str, campaign_id: str, body: ProposalsIn,
                      idempotency_key: str | None) -> dict[str, Any]:
    """A proposal job for ``body.count`` recipes: the job, to poll."""
    def write(session: Session) -> Written:
        owned_campaign(session, owner, campaign_id)
        job = create_job(session, JobKind.PROPOSAL, owner, {"count": body.count}, campaign_id=campaign_id)
        return Written(job_view(session, job), {JobKind.PROPOSAL: [job.id]})
    return write_once(settings, owner, idempotency_key, ["proposals", campaign_id, body.model_dump()], write).body


def list_proposals(settings: Settings, owner: str, campaign_id: str, status: str | None) -> list[dict[str, Any]]:
    """The campaign's proposals, each ``pending`` or ``measured``, optionally only those of ``status``."""
    with transaction(settings) as session:
        owned_campaign(session, owner, campaign_id)
        measured = Cells(session).answered_proposal_ids(campaign_id)
        out = [proposal_view(row, row.id in measured) for row in Proposals(session).of_campaign(campaign_id)]
        return [p for p in out if status is None or p["status"] == status]


def propose(settings: Settings, claimed: Claim, fits: FitCache) -> Waiting | None:
    """The proposal job: fit the surrogate, ask for a batch that avoids every pending recipe, store it once.

    ``Waiting`` (no model built) while the physics it needs is still being computed. The fit, the
    expensive part, is shared by the batches of one data version (``fits``); the batch itself is chosen
    under the campaign's row lock against the pending proposals as they are then, so two jobs never
    propose the same recipe and concurrent jobs wait a few milliseconds instead of recomputing.
    """
    count = int(claimed.input["count"])
    fitted = fitted_campaign(settings, claimed.campaign_id, fits)
    if isinstance(fitted, Waiting):
        return fitted
    state, campaign, fit = fitted.state, fitted.campaign, fitted.fit
    recommendation = recommendation_document(campaign, fit)
    with transaction(settings) as session:
        # The lock comes first, before the pending proposals are read, and holds until this batch is stored.
        Campaigns(session).lock_for_proposals(state.row.id)
        batch = campaign.ask(count, pending=pending_recipes(session, state.row.id, state.row.metal), fit=fit)
        rows = Proposals(session).add_all([tables.Proposal(campaign_id=state.row.id, job_id=claimed.job_id,
                                                           recipe=str(p.recipe), document=p.as_dict()) for p in batch])
        recommendation = with_history(session, state.row.id, state.row.data_version, recommendation)
        store_recommendation(session, state.row.id, state.row.data_version, recommendation)
        finish(session, claimed, JobStatus.SUCCEEDED, result={"proposal_ids": [row.id for row in rows]})
    return None
