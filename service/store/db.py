"""Engine, sessions and schema migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

# The store's vocabulary for the layers above, which import no SQLAlchemy themselves: the session type
# (for annotations), a write that broke a unique constraint, and a database that is away.
DuplicateRow = IntegrityError
DatabaseUnavailable = OperationalError

from ..settings import Settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@cache
def _engine(url: str, asynchronous_commit: bool) -> Engine:
    # One engine (connection pool) per database and process: a forked worker child drops what it inherited.
    engine = _create_engine(url, asynchronous_commit)
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


def engine_for(settings: Settings) -> Engine:
    return _engine(settings.database_url, settings.asynchronous_commit)


def _create_engine(url: str, asynchronous_commit: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, hide_parameters=True)

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
    # hide_parameters: an error's log line names the statement, never the values (keys' digests, cell data).
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800, hide_parameters=True)
    if asynchronous_commit and engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _asynchronous_commit(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
            dbapi_connection.commit()
    return engine


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any error."""
    with Session(engine_for(settings), expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def single_statements(settings: Settings) -> Iterator[Connection]:
    """A connection whose every statement commits by itself: one round trip each, no BEGIN/COMMIT.

    For statements that are a whole unit of work on their own (a job claim, a guarded finish).
    """
    with engine_for(settings).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield connection


def ping(settings: Settings) -> None:
    """One round trip to the database; raises when it does not answer."""
    with transaction(settings) as session:
        session.execute(text("SELECT 1"))


def printable_url(url: str) -> str:
    """The database URL with its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


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


def migrate(settings: Settings) -> None:
    """Bring the schema to the newest revision; safe to call from several processes at once."""
    engine = engine_for(settings)
    with _migration_lock(engine), engine.connect() as connection:
        config = alembic_config(settings.database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migrator at a time: a PostgreSQL advisory lock, or a lock file beside the SQLite file."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(774411)"))
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(774411)"))
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
