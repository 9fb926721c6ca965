"""API keys: a random secret shown once, stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from .db import transaction
from .errors import ServiceInputError
from .tables import ApiKey

KEY_PREFIX = "il_"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(database_url: str, owner: str) -> str:
    """Store a new key for ``owner`` and return its secret (the only time it is visible)."""
    if not owner or not owner.strip():
        raise ServiceInputError("a key needs a non-empty owner name", ["owner"])
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction(database_url) as session:
        session.add(ApiKey(owner=owner.strip(), key_hash=hash_key(secret)))
    return secret
