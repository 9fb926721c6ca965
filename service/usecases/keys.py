"""API keys: a random secret shown once, stored only as its SHA-256; a key names its owner, may expire
and may be revoked."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from ..errors import ServiceInputError
from ..settings import Settings
from ..store.db import transaction
from ..store.keys import Keys
from ..store.tables import ApiKey, utcnow

KEY_PREFIX = "il_"
# A key's last use is written at most this often per API process (a write per request would be one per request).
LAST_USED_RESOLUTION_S = 60.0


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(settings: Settings, owner: str, expires_in_days: float | None = None) -> str:
    """Store a new key for ``owner`` and return its secret (the only time it is visible; ``keys list`` shows its id)."""
    if not owner or not owner.strip():
        raise ServiceInputError("a key needs a non-empty owner name", ["owner"])
    if expires_in_days is not None and not expires_in_days > 0:
        raise ServiceInputError("a key's lifetime must be a positive number of days", ["expires_in_days"])
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    expires = None if expires_in_days is None else utcnow() + timedelta(days=expires_in_days)
    with transaction(settings) as session:
        Keys(session).add(ApiKey(owner=owner.strip(), key_hash=hash_key(secret), expires_at=expires))
    return secret


def key_owner(settings: Settings, digest: str, used_at: datetime | None = None) -> str | None:
    """The owner of the live (not revoked, not expired) key with this SHA-256, or None; ``used_at`` is
    recorded as its last use."""
    now = utcnow()
    with transaction(settings) as session:
        keys = Keys(session)
        return keys.live_owner(digest, now) if used_at is None else keys.touch(digest, now, used_at)


def list_keys(settings: Settings) -> list[dict[str, Any]]:
    """Every key (never its secret): id, owner, created, last used, expiry, revocation."""
    with transaction(settings) as session:
        return [{"id": key.id, "owner": key.owner, "created_at": key.created_at, "last_used_at": key.last_used_at,
                 "expires_at": key.expires_at, "revoked_at": key.revoked_at} for key in Keys(session).all()]


def revoke_key(settings: Settings, key_id: str) -> None:
    """Revoke the key: every API process refuses it once its cached lookup ends (deps.KEY_CACHE_S)."""
    with transaction(settings) as session:
        Keys(session).revoke(key_id, utcnow())
