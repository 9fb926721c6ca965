"""The API keys repository: keys stored as their SHA-256 digest, live until revoked or expired.

Contract (each method runs in the caller's session; nothing commits here):

- ``add(row)``: adds the key (its digest is unique: the database refuses a second row with it).
- ``live_owner(digest, now)``: the owner of the live key (not revoked, not expired at ``now``) with
  this digest, or None.
- ``touch(digest, now, used_at)``: the same, recording ``used_at`` as the key's last use in the same statement.
- ``all()``: every key, by owner then creation.
- ``revoke(key_id, now)``: revokes a live key; True when it did, False when it was revoked already;
  raises ``NotFound`` when there is no such key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..errors import NotFound
from .tables import ApiKey


def _live(digest: str, now: datetime):
    return (ApiKey.key_hash == digest) & ApiKey.revoked_at.is_(None) & \
        or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now)


class Keys:
    """API key rows in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, row: ApiKey) -> None:
        self.session.add(row)

    def live_owner(self, digest: str, now: datetime) -> str | None:
        return self.session.scalar(select(ApiKey.owner).where(_live(digest, now)))

    def touch(self, digest: str, now: datetime, used_at: datetime) -> str | None:
        return self.session.execute(update(ApiKey).where(_live(digest, now)).values(last_used_at=used_at)
                                    .returning(ApiKey.owner)).scalar_one_or_none()

    def all(self) -> list[ApiKey]:
        return list(self.session.scalars(select(ApiKey).order_by(ApiKey.owner, ApiKey.created_at)))

    def revoke(self, key_id: str, now: datetime) -> bool:
        revoked = self.session.execute(update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
                                       .values(revoked_at=now)).rowcount
        if revoked != 1 and self.session.get(ApiKey, key_id) is None:
            raise NotFound(f"key {key_id} not found")
        return revoked == 1
