"""The published sets repository: sets of published cells an owner imported, one name per owner.

Contract (each method runs in the caller's session; nothing commits here):

- ``add(row)``: adds the set and flushes; the database refuses a second set of the same owner and
  name (``IntegrityError``), so two concurrent imports of one name cannot both land.
- ``named(owner, name)``: the owner's set of that name, or None.
- ``of_owner(owner)``: the owner's sets, by name.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .tables import PublishedSet


class PublishedSets:
    """Imported published sets in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, row: PublishedSet) -> None:
        self.session.add(row)
        self.session.flush()

    def named(self, owner: str, name: str) -> PublishedSet | None:
        return self.session.scalar(select(PublishedSet).where(PublishedSet.owner == owner, PublishedSet.name == name))

    def of_owner(self, owner: str) -> list[PublishedSet]:
        return list(self.session.scalars(select(PublishedSet).where(PublishedSet.owner == owner).order_by(PublishedSet.name)))
