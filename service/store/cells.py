"""The cells repository: one measurement row per cell of a campaign, and the proposals they answer.

Contract (each method runs in the caller's session; nothing commits here):

- ``of_campaign(campaign_id)``: the campaign's rows, in no particular order.
- ``of_campaigns(campaign_ids)``: the rows of those campaigns, oldest first (ties by id).
- ``get(measurement_id)``: the row or None.
- ``add(row)``: adds the row to the session (written at the next ``flush``).
- ``flush()``: writes pending rows; raises ``IntegrityError`` when a second row for one
  (campaign, cell id) would break the unique constraint the database keeps (NULL cell ids are distinct).
- ``answered_proposal_ids(campaign_id)``: ids of the campaign's proposals some row answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from .tables import Measurement


class Cells:
    """Measurement rows in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def of_campaign(self, campaign_id: str) -> list[Measurement]:
        return list(self.session.scalars(select(Measurement).where(Measurement.campaign_id == campaign_id)))

    def of_campaigns(self, campaign_ids: Sequence[str]) -> list[Measurement]:
        return list(self.session.scalars(select(Measurement).where(Measurement.campaign_id.in_(campaign_ids))
                                         .order_by(Measurement.created_at, Measurement.id)))

    def get(self, measurement_id: str) -> Measurement | None:
        return self.session.get(Measurement, measurement_id)

    def add(self, row: Measurement) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    def answered_proposal_ids(self, campaign_id: str) -> set[str]:
        return set(self.session.scalars(select(Measurement.proposal_id).where(
            Measurement.campaign_id == campaign_id, Measurement.proposal_id.is_not(None))))
