"""The simulations repository: physics results shared by every campaign, one row per input key.

Contract:

- ``Simulations(session).results(keys)``: ``{key: result}`` of the keys stored.
- ``Simulations(session).ids(keys)``: ``{key: simulation id}`` of the keys stored.
- ``Simulations(session).get(simulation_id)``: the row or None.
- ``Simulations(session).insert_once(row)``: inserts ``row`` (a dict of columns) unless its key is stored;
  the new id, or the id of the row stored meanwhile under the key, and whether it was stored meanwhile.
  The unique key is the database's invariant: one result per key, whoever computed it.
- ``store_and_finish(connection, row, job_id, token, job_result)`` (PostgreSQL): one statement that locks
  the job if ``token`` still holds it, inserts the row unless its key exists and finishes the job only
  when both happened; True when it did all of it, False when the general path must decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from .db import dialect_insert
from .tables import Job, Simulation
from .vocabulary import JobStatus


class Simulations:
    """Simulation rows in one session (see the module's contract)."""

    def __init__(self, session: Session):
        self.session = session

    def results(self, keys: Iterable[str]) -> dict[str, dict]:
        return dict(self.session.execute(select(Simulation.key, Simulation.result)
                                         .where(Simulation.key.in_(list(keys)))).all())

    def ids(self, keys: Iterable[str]) -> dict[str, str]:
        return dict(self.session.execute(select(Simulation.key, Simulation.id).where(Simulation.key.in_(set(keys)))).all())

    def get(self, simulation_id: str) -> Simulation | None:
        return self.session.get(Simulation, simulation_id)

    def insert_once(self, row: dict[str, Any]) -> tuple[str, bool]:
        insert = dialect_insert(self.session)(Simulation).values(**row)
        simulation_id = self.session.scalar(insert.on_conflict_do_nothing(index_elements=["key"]).returning(Simulation.id))
        if simulation_id is not None:
            return simulation_id, False
        # Another job computed the same inputs meanwhile: share its row.
        return self.session.scalar(select(Simulation.id).where(Simulation.key == row["key"])), True


def _store_and_finish_statement():
    from sqlalchemy.dialects.postgresql import insert

    jobs, simulations = Job.__table__, Simulation.__table__
    held = (select(jobs.c.id).where(jobs.c.id == bindparam("job_id"), jobs.c.claim == bindparam("token"),
                                    jobs.c.status == JobStatus.RUNNING).with_for_update().cte("held"))
    columns = ["id", "key", "model", "model_version", "metal", "recipe", "parameters", "result", "job_id", "created_at"]
    values = [held.c.id if name == "job_id" else bindparam(f"new_{name}", type_=simulations.c[name].type)
              for name in columns]
    stored = (insert(simulations)
              .from_select(columns, select(*values))
              .on_conflict_do_nothing(index_elements=["key"]).returning(simulations.c.job_id).cte("stored"))
    return (update(jobs).where(jobs.c.id.in_(select(stored.c.job_id)))
            .values(status=JobStatus.SUCCEEDED, result=bindparam("job_result"), progress=1.0, message="succeeded",
                    finished_at=bindparam("new_created_at"), claim=None)
            .returning(jobs.c.id))


_STORE_AND_FINISH = _store_and_finish_statement()


def store_and_finish(connection: Connection, row: dict[str, Any], job_id: str, token: str, job_result: dict) -> bool:
    stored = connection.execute(_STORE_AND_FINISH, {
        **{f"new_{name}": value for name, value in row.items()}, "job_id": job_id, "token": token,
        "job_result": job_result}).one_or_none()
    return stored is not None
