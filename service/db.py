"""Engine, sessions and schema migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


_ENGINES: dict[str, Engine] = {}
# Set in worker processes: their writes are all recoverable (see use_asynchronous_commit).
_ASYNCHRONOUS_COMMIT = False


def use_asynchronous_commit() -> None:
    """PostgreSQL commits of this process return before the WAL reaches disk.

    Safe for workers only: a crash of PostgreSQL may lose their last few hundred milliseconds of
    commits, but each is a job claim, heartbeat or finish that the reconciler redoes (a job found
    running with a silent heartbeat is re-enqueued and its result written once). The API keeps
    synchronous commits: what it acknowledges to a client is on disk.
    """
    global _ASYNCHRONOUS_COMMIT
    _ASYNCHRONOUS_COMMIT = True


def engine_for(url: str) -> Engine:
    """One engine (connection pool) per URL and process."""
    if url not in _ENGINES:
        _ENGINES[url] = _create_engine(url)
    return _ENGINES[url]


def _forget_inherited_connections() -> None:
    # A forked worker child must not reuse its parent's pooled connections (the sockets would be shared).
    for engine in _ENGINES.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets the API read while a worker writes; the busy timeout queues writers instead of failing.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # No pre-ping (a round trip per checkout): a dropped connection fails one transaction, which is retried or reconciled.
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)
    if _ASYNCHRONOUS_COMMIT and engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _asynchronous_commit(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
            dbapi_connection.commit()
    return engine


@lru_cache(maxsize=8)
def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any error."""
    with session_factory(url)() as session, session.begin():
        yield session


@contextmanager
def single_statements(url: str) -> Iterator[Connection]:
    """A connection whose every statement commits by itself: one round trip each, no BEGIN/COMMIT.

    For statements that are a whole unit of work on their own (a job claim, a guarded finish).
    """
    with engine_for(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield connection


def dialect_insert(session: Session):
    """INSERT with ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest revision; safe to call from several processes at once."""
    engine = engine_for(url)
    with _migration_lock(url), engine.connect() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    """One migrator at a time: a PostgreSQL advisory lock, or a lock file beside the SQLite file."""
    engine = engine_for(url)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(774411)"))
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(774411)"))
        return
    database = make_url(url).database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
