"""The stored recommendation of a campaign, read for exports (the refit job writes it: usecases/recommendations)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import tables


class StoredRecommendations:
    """Reads of the ``recommendations`` table in the caller's session."""

    def __init__(self, session: Session):
        self.session = session

    def latest(self, campaign_id: str) -> tables.Recommendation | None:
        """The campaign's last stored recommendation (one row per campaign, carrying its history), or none yet."""
        return self.session.get(tables.Recommendation, campaign_id)
