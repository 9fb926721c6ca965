"""What every route depends on: the settings, the caller's identity (API key → owner) and its Idempotency-Key."""

from __future__ import annotations

import time

from fastapi import Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from ..settings import Settings
from ..usecases.keys import hash_key, key_owner

# Seconds an API key lookup stays cached in this process.
KEY_CACHE_S = 30.0


class KeyCache:
    """Owners of recently seen key digests (None: unknown key), each for KEY_CACHE_S."""

    def __init__(self) -> None:
        self._owners: dict[str, tuple[float, str | None]] = {}

    async def owner(self, settings: Settings, digest: str) -> str | None:
        cached = self._owners.get(digest)
        if cached is None or cached[0] < time.monotonic():
            owner = await run_in_threadpool(key_owner, settings, digest)
            cached = self._owners[digest] = (time.monotonic() + KEY_CACHE_S, owner)
        return cached[1]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def unauthorized() -> HTTPException:
    return HTTPException(status_code=401, detail="missing or unknown API key (Authorization: Bearer <key>)",
                         headers={"WWW-Authenticate": "Bearer"})


async def owner_of(request: Request, authorization: str | None = Header(default=None)) -> str:
    """The owner of the Bearer key; 401 without a live key."""
    # async, so that a cached key costs no hop to the thread pool; only a lookup goes there.
    if not authorization or not authorization.lower().startswith("bearer "):
        raise unauthorized()
    owner = await request.app.state.keys.owner(request.app.state.settings, hash_key(authorization[7:].strip()))
    if owner is None:
        raise unauthorized()
    return owner


def idempotency_key(idempotency_key: str | None = Header(default=None)) -> str | None:
    return idempotency_key
