"""The proposals repository: the recipes a proposal job chose for a campaign.

Contract (each method runs in the caller's session; nothing commits here):

- ``of_campaign(campaign_id)``: the campaign's proposals, oldest first (ties by id).
- ``by_ids(proposal_ids)``: those proposals, oldest first (ties by id).
- ``pending_recipes(campaign_id)``: the recipe of each proposal no measurement answers yet.
- ``add_all(rows)``: the rows, flushed (their ids set).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .tables import Measurement, Proposal


class Proposals:
    """Proposal rows in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def of_campaign(self, campaign_id: str) -> list[Proposal]:
        return list(self.session.scalars(select(Proposal).where(Proposal.campaign_id == campaign_id)
                                         .order_by(Proposal.created_at, Proposal.id)))

    def by_ids(self, proposal_ids: Iterable[str]) -> list[Proposal]:
        return list(self.session.scalars(select(Proposal).where(Proposal.id.in_(list(proposal_ids)))
                                         .order_by(Proposal.created_at, Proposal.id)))

    def pending_recipes(self, campaign_id: str) -> list[str]:
        return list(self.session.scalars(select(Proposal.recipe).where(
            Proposal.campaign_id == campaign_id,
            ~select(Measurement.id).where(Measurement.proposal_id == Proposal.id).exists())))

    def add_all(self, rows: list[Proposal]) -> list[Proposal]:
        self.session.add_all(rows)
        self.session.flush()
        return rows
