"""API keys: a random secret shown once, stored only as its SHA-256; a key names its owner."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from ..errors import ServiceInputError
from ..settings import Settings
from ..store.db import transaction
from ..store.tables import ApiKey

KEY_PREFIX = "il_"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(settings: Settings, owner: str) -> str:
    """Store a new key for ``owner`` and return its secret (the only time it is visible)."""
    if not owner or not owner.strip():
        raise ServiceInputError("a key needs a non-empty owner name", ["owner"])
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction(settings) as session:
        session.add(ApiKey(owner=owner.strip(), key_hash=hash_key(secret)))
    return secret


def key_owner(settings: Settings, digest: str) -> str | None:
    """The owner of the live key with this SHA-256, or None."""
    with transaction(settings) as session:
        return session.scalar(select(ApiKey.owner).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None)))
