"""The idempotent requests repository: the first answer to each (owner, Idempotency-Key).

Contract (each method runs in the caller's session; nothing commits here):

- ``get(owner, key)``: the stored request or None.
- ``add(owner, key, request_hash, response)``: stores the answer, flushed; raises
  ``DuplicateRow`` when the same (owner, key) was committed meanwhile (the primary key is the invariant:
  one answer per key, whichever writer came first).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .tables import IdempotentRequest

# Since issue 23 a replay answers with its route's status (each write route has one), so the column
# written before then is no longer read; new rows hold this placeholder.
REPLAYED_BY_ROUTE = 0


class IdempotentRequests:
    """Idempotent request rows in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def get(self, owner: str, key: str) -> IdempotentRequest | None:
        return self.session.get(IdempotentRequest, (owner, key))

    def add(self, owner: str, key: str, request_hash: str, response: dict[str, Any]) -> None:
        self.session.add(IdempotentRequest(owner=owner, key=key, request_hash=request_hash, status_code=REPLAYED_BY_ROUTE,
                                           response=response))
        self.session.flush()
