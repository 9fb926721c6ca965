"""The recommendations repository: one stored recommendation per campaign, of the newest data version.

Contract (each method runs in the caller's session; nothing commits here):

- ``get(campaign_id)``: the row or None.
- ``stamp(owner, campaign_id)``: without reading any document, ``(campaign's data version, stored
  recommendation's data version or None, its created_at or None)`` of the owner's campaign, or None when
  there is no such campaign. One statement: what a GET needs to tell whether a rendered answer is current.
- ``of_campaigns(campaign_ids)``: ``{campaign id: row}`` of those with one.
- ``keep_newest(campaign_id, data_version, document, created_at)``: one upsert that stores the document
  unless the stored one is of a newer data version (the database decides, so two refits storing at
  once never go back a version, and two first recommendations of a campaign both succeed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from .db import dialect_insert
from .tables import Campaign, Recommendation


class Recommendations:
    """Recommendation rows in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def get(self, campaign_id: str) -> Recommendation | None:
        return self.session.get(Recommendation, campaign_id)

    def stamp(self, owner: str, campaign_id: str) -> tuple[int, int | None, datetime | None] | None:
        row = self.session.execute(
            select(Campaign.data_version, Recommendation.data_version, Recommendation.created_at)
            .outerjoin(Recommendation, Recommendation.campaign_id == Campaign.id)
            .where(and_(Campaign.id == campaign_id, Campaign.owner == owner))).one_or_none()
        return None if row is None else (row[0], row[1], row[2])

    def of_campaigns(self, campaign_ids: Sequence[str]) -> dict[str, Recommendation]:
        return {row.campaign_id: row for row in self.session.scalars(
            select(Recommendation).where(Recommendation.campaign_id.in_(campaign_ids)))}

    def keep_newest(self, campaign_id: str, data_version: int, document: dict, created_at: datetime) -> None:
        table = Recommendation.__table__
        insert = dialect_insert(self.session)(table).values(campaign_id=campaign_id, data_version=data_version,
                                                            document=document, created_at=created_at)
        self.session.execute(insert.on_conflict_do_update(
            index_elements=[table.c.campaign_id],
            set_={"data_version": insert.excluded.data_version, "document": insert.excluded.document,
                  "created_at": insert.excluded.created_at},
            where=table.c.data_version <= insert.excluded.data_version))
