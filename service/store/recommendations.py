"""The recommendations repository: one stored recommendation per campaign, of the newest data version.

Contract (each method runs in the caller's session; nothing commits here):

- ``get(campaign_id)``: the row or None.
- ``of_campaigns(campaign_ids)``: ``{campaign id: row}`` of those with one.
- ``keep_newest(campaign_id, data_version, document, created_at)``: one upsert that stores the document
  unless the stored one is of a newer data version (the database decides, so two refits storing at
  once never go back a version, and two first recommendations of a campaign both succeed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import dialect_insert
from .tables import Recommendation


class Recommendations:
    """Recommendation rows in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def get(self, campaign_id: str) -> Recommendation | None:
        return self.session.get(Recommendation, campaign_id)

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
