"""The campaigns repository: campaign rows, their owners, and the two version counters that serialize writers.

Contract (each method runs in the caller's session; nothing commits here):

- ``get(campaign_id)``: the row or None.
- ``owned(owner, campaign_id)``: the row; raises ``NotFound`` when it is missing or another owner's
  (another owner's campaign is exactly a missing one).
- ``of_owner(owner)``: the owner's campaigns, oldest first.
- ``add(row)``: the row, flushed (its id set).
- ``metals(campaign_ids)``: ``{id: metal}`` of those that exist.
- ``counts(campaign_id)``: ``{"measurements": n, "proposals": n}``.
- ``bump_data_version(owner, campaign_id)``: adds 1 to the data version of the owner's campaign and
  returns the row as it now stands, or None when there is none. The UPDATE is the campaign's write lock
  for measurements: the row (the database, on SQLite) stays locked until the caller's transaction ends,
  so writers of one campaign take turns and the data version counts their changes exactly.
- ``lock_for_proposals(campaign_id)``: adds 1 to the lock version. The UPDATE is the campaign's write lock
  for proposals: the row (the database, on SQLite) stays locked until the caller's transaction ends, so a
  batch chosen after it against the pending proposals never repeats a recipe of a batch stored meanwhile.
- ``activity(owner)``: per campaign of the owner, cells, censored cells, last report and last proposal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from ..errors import NotFound
from .tables import Campaign, Measurement, Proposal


class Campaigns:
    """Campaign rows in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def get(self, campaign_id: str) -> Campaign | None:
        return self.session.get(Campaign, campaign_id)

    def owned(self, owner: str, campaign_id: str) -> Campaign:
        row = self.session.get(Campaign, campaign_id)
        if row is None or row.owner != owner:
            raise NotFound(f"campaign {campaign_id} not found")
        return row

    def of_owner(self, owner: str) -> list[Campaign]:
        return list(self.session.scalars(select(Campaign).where(Campaign.owner == owner).order_by(Campaign.created_at)))

    def add(self, row: Campaign) -> Campaign:
        self.session.add(row)
        self.session.flush()
        return row

    def metals(self, campaign_ids: Sequence[str]) -> dict[str, str]:
        return dict(self.session.execute(select(Campaign.id, Campaign.metal).where(Campaign.id.in_(campaign_ids))).all())

    def counts(self, campaign_id: str) -> dict[str, int]:
        return {
            "measurements": self.session.scalar(select(func.count()).select_from(Measurement)
                                                .where(Measurement.campaign_id == campaign_id)),
            "proposals": self.session.scalar(select(func.count()).select_from(Proposal)
                                             .where(Proposal.campaign_id == campaign_id)),
        }

    def bump_data_version(self, owner: str, campaign_id: str) -> Campaign | None:
        bumped = self.session.execute(update(Campaign)
                                      .where(Campaign.id == campaign_id, Campaign.owner == owner)
                                      .values(data_version=Campaign.data_version + 1)
                                      .returning(Campaign.id)).scalar_one_or_none()
        if bumped is None:
            return None
        return self.session.get(Campaign, campaign_id, populate_existing=True)

    def lock_for_proposals(self, campaign_id: str) -> None:
        self.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                             .values(lock_version=Campaign.lock_version + 1))

    def activity(self, owner: str) -> dict[str, dict[str, Any]]:
        owned = select(Campaign.id).where(Campaign.owner == owner)
        cells = self.session.execute(
            select(Measurement.campaign_id, func.count(), func.sum(case((Measurement.censored, 1), else_=0)),
                   func.max(Measurement.updated_at))
            .where(Measurement.campaign_id.in_(owned)).group_by(Measurement.campaign_id)).all()
        proposed = dict(self.session.execute(
            select(Proposal.campaign_id, func.max(Proposal.created_at))
            .where(Proposal.campaign_id.in_(owned)).group_by(Proposal.campaign_id)).all())
        out: dict[str, dict[str, Any]] = {}
        for campaign_id, count, censored, reported in cells:
            out[campaign_id] = {"cells": count, "censored": int(censored or 0), "last_report": reported}
        for campaign_id, created in proposed.items():
            out.setdefault(campaign_id, {})["last_proposal"] = created
        return out
