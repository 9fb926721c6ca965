"""Writes that a client may repeat: the first response to an ``Idempotency-Key`` is stored with the write."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import Conflict
from ..jobs.queue import publish_committed
from ..settings import Settings
from ..store.db import DuplicateRow, Session, transaction
from ..store.requests import IdempotentRequests
from ..store.vocabulary import JobKind


@dataclass
class Written:
    """What a write answers and the jobs to publish once it is committed."""

    body: dict[str, Any]
    publish: dict[JobKind, list[str]] = field(default_factory=dict)


def write_once(settings: Settings, owner: str, key: str | None, fingerprint: Any,
               write: Callable[[Session], Written]) -> Written:
    """Run ``write`` in one transaction, once per (owner, ``key``): the same request again replays the first
    answer, another request with the key is a Conflict. Without a key it simply runs. Jobs publish after commit."""
    digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True, default=str).encode()).hexdigest() \
        if key is not None else None
    for _ in range(2):
        try:
            with transaction(settings) as session:
                requests = IdempotentRequests(session)
                if key is not None:
                    earlier = requests.get(owner, key)
                    if earlier is not None:
                        if earlier.request_hash != digest:
                            raise Conflict(f"Idempotency-Key {key!r} was used with a different request")
                        return Written(earlier.response)
                written = write(session)
                if key is not None:
                    requests.add(owner, key, digest, written.body)
        except DuplicateRow:
            continue  # the same key committed concurrently: replay it
        for kind, job_ids in written.publish.items():
            publish_committed(settings, kind, job_ids)
        return written
    raise Conflict(f"Idempotency-Key {key!r} is being used concurrently")
