"""What every route depends on: the settings, the caller's identity (API key → owner) and its Idempotency-Key."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from ..settings import Settings
from ..store.tables import utcnow
from ..usecases.keys import LAST_USED_RESOLUTION_S, hash_key, key_owner

# Seconds an API key lookup stays cached in this process: a revoked key is refused everywhere within it.
# At a lookup a second per key, a busy key costs the database one indexed read a second per API process.
KEY_CACHE_S = 1.0
# Digests kept (the least recently used go first): unknown keys cannot grow the cache without bound.
KEY_CACHE_SIZE = 10_000


class KeyCache:
    """Owners of recently seen key digests (None: unknown key), each for KEY_CACHE_S, at most KEY_CACHE_SIZE;
    and each live key's request budget (a token bucket per key and API process)."""

    def __init__(self) -> None:
        self._owners: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self._recorded: dict[str, float] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # digest -> (tokens, when counted)

    def wait_s(self, digest: str, per_s: float) -> float:
        """0 if the key may make a request now (and spend a token), else the seconds until it may."""
        if per_s <= 0:
            return 0.0
        now = time.monotonic()
        burst = max(1.0, per_s)  # a second's worth of requests may come at once
        tokens, then = self._buckets.get(digest, (burst, now))
        tokens = min(burst, tokens + (now - then) * per_s)
        if tokens < 1.0:
            self._buckets[digest] = (tokens, now)
            return (1.0 - tokens) / per_s
        self._buckets[digest] = (tokens - 1.0, now)
        return 0.0

    async def owner(self, settings: Settings, digest: str) -> str | None:
        now = time.monotonic()
        cached = self._owners.get(digest)
        if cached is None or cached[0] < now:
            record = now - self._recorded.get(digest, -LAST_USED_RESOLUTION_S) >= LAST_USED_RESOLUTION_S
            owner = await run_in_threadpool(key_owner, settings, digest, utcnow() if record else None)
            if owner is not None and record:
                self._recorded[digest] = now
            cached = self._owners[digest] = (now + KEY_CACHE_S, owner)
            while len(self._owners) > KEY_CACHE_SIZE:
                evicted, _ = self._owners.popitem(last=False)
                self._recorded.pop(evicted, None)
                self._buckets.pop(evicted, None)
        self._owners.move_to_end(digest)
        return cached[1]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def unauthorized() -> HTTPException:
    return HTTPException(status_code=401, detail="missing or unknown API key (Authorization: Bearer <key>)",
                         headers={"WWW-Authenticate": "Bearer"})


async def owner_of(request: Request, authorization: str | None = Header(default=None)) -> str:
    """The owner of the Bearer key; 401 without a live key, 429 past the key's request rate."""
    # async, so that a cached key costs no hop to the thread pool; only a lookup goes there.
    if not authorization or not authorization.lower().startswith("bearer "):
        raise unauthorized()
    keys, settings = request.app.state.keys, request.app.state.settings
    digest = hash_key(authorization[7:].strip())
    owner = await keys.owner(settings, digest)
    if owner is None:
        raise unauthorized()
    wait_s = keys.wait_s(digest, settings.requests_per_key_s)
    if wait_s > 0:
        raise HTTPException(status_code=429, detail=f"too many requests for this key; retry in {wait_s:.1f} s",
                            headers={"Retry-After": str(max(1, math.ceil(wait_s)))})
    return owner


def idempotency_key(idempotency_key: str | None = Header(default=None, min_length=1, max_length=200,
                                                        pattern=r"^[\x21-\x7e]+$")) -> str | None:
    """The client's key for a repeatable write: 1-200 printable ASCII characters (the stored column's size)."""
    return idempotency_key


# What a route declares it depends on, named once (``owner: Owner``).
AppSettings = Annotated[Settings, Depends(settings_of)]
Owner = Annotated[str, Depends(owner_of)]
IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]
