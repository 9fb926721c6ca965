"""Database tables (SQLAlchemy 2). The database is the system of record; the broker only carries work.

Every JSON column is a ``Document``: stored as ``{"schema_version": N, "data": ...}`` so stored data stays
readable across versions (never pickles).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .vocabulary import JobKind, JobStatus

DOCUMENT_SCHEMA_VERSION = 1

def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id(kind: str) -> str:
    return f"{kind}_{uuid.uuid4().hex[:20]}"


class Document(TypeDecorator):
    """JSON wrapped with a schema version; reading a newer version than this code knows is an error."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else JSON())

    def process_bind_param(self, value: Any, dialect) -> Any:
        if value is None:
            return None
        return {"schema_version": DOCUMENT_SCHEMA_VERSION, "data": value}

    def process_result_value(self, value: Any, dialect) -> Any:
        if value is None:
            return None
        version = value.get("schema_version")
        if version != DOCUMENT_SCHEMA_VERSION:
            raise RuntimeError(f"stored document has schema_version {version}; this code reads {DOCUMENT_SCHEMA_VERSION}")
        return value["data"]


class Timestamp(TypeDecorator):
    """A UTC timestamp; SQLite gives naive datetimes back, so they are marked UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def _vocabulary(enum: type, length: int) -> Enum:
    # the values as plain VARCHAR, as the first migration made the columns: no database enum type
    return Enum(enum, native_enum=False, create_constraint=False, length=length,
                values_callable=lambda members: [member.value for member in members])


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("key"))
    owner: Mapped[str] = mapped_column(String(200), index=True)
    # sha256 of the secret: keys are 32 random bytes, so a fast hash is enough (no offline guessing).
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    # Updated at most once a minute per key and API process (usecases/keys.py).
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)


class Campaign(Base):
    __tablename__ = "campaigns"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("cmp"))
    owner: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    metal: Mapped[str] = mapped_column(String(8))
    space: Mapped[dict] = mapped_column(Document)
    # seed, physics models, acquisition, related campaign ids, condition
    options: Mapped[dict] = mapped_column(Document)
    # Bumped in the transaction of every change to measurements: the recommendation cache key.
    data_version: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every proposal write; the UPDATE doubles as the campaign's write lock.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Proposal(Base):
    __tablename__ = "proposals"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("prp"))
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    recipe: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Measurement(Base):
    __tablename__ = "measurements"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("msr"))
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    proposal_id: Mapped[str | None] = mapped_column(ForeignKey("proposals.id"), nullable=True, index=True)
    recipe: Mapped[str] = mapped_column(String(64))
    # none for a failed cell (migration 0003)
    lifetime_h: Mapped[float | None] = mapped_column(Float, nullable=True)
    censored: Mapped[bool] = mapped_column(Boolean)
    # running, stopped, shorted or failed (0003: backfilled from censored: running or shorted)
    state: Mapped[str] = mapped_column(String(16), default="shorted")
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    overpotential_mv: Mapped[float | None] = mapped_column(Float, nullable=True)
    cell_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    condition: Mapped[dict | None] = mapped_column(Document, nullable=True)
    # the lab's record of the cell (migration 0006): none of it enters the model
    electrolyte: Mapped[str | None] = mapped_column(String(200), nullable=True)
    temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)
    built_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    tested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    sample_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    # A cell has one row; its reports update it (NULL cell ids are distinct: anonymous cells).
    __table_args__ = (UniqueConstraint("campaign_id", "cell_id", name="uq_measurements_campaign_cell"),)


class Simulation(Base):
    """One physics result, shared across campaigns: unique by model, model version and input hash."""

    __tablename__ = "simulations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("sim"))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    model: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    metal: Mapped[str] = mapped_column(String(8))
    recipe: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict] = mapped_column(Document)
    result: Mapped[dict] = mapped_column(Document)
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("job"))
    kind: Mapped[JobKind] = mapped_column(_vocabulary(JobKind, 32))
    owner: Mapped[str] = mapped_column(String(200), index=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"), nullable=True, index=True)
    status: Mapped[JobStatus] = mapped_column(_vocabulary(JobStatus, 16), default=JobStatus.QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    input: Mapped[dict] = mapped_column(Document)
    result: Mapped[dict | None] = mapped_column(Document, nullable=True)
    # Simulation key of a simulation job: one live job per key, whatever the number of requesters.
    simulation_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # The attempt that holds the job: only it may finish the job (a redelivered duplicate finds another token).
    claim: Mapped[str | None] = mapped_column(String(32), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)

    __table_args__ = (Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),)


class Recommendation(Base):
    """The surrogate's recommendation for one campaign at one data version (a cache, rebuilt on change)."""

    __tablename__ = "recommendations"
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class IdempotentRequest(Base):
    """The first response to a request with an ``Idempotency-Key``: replayed for the same body, 409 otherwise."""

    __tablename__ = "idempotent_requests"
    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    # Read by no code since issue 23 (each write route answers one status, a replay too); 0 in new rows.
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class PublishedSet(Base):
    """An owner's imported set of published cells (the package's own sets are files, never rows).

    ``cells`` holds the validated rows (``surrogate.published`` columns); a set is immutable once imported.
    """

    __tablename__ = "published_sets"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_published_sets_owner_name"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("pub"))
    owner: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(64))
    cells: Mapped[list] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class CyclerFile(Base):
    """A battery tester's file as uploaded (the bytes kept), what read it and what its analysis found (issue 27).

    One row per cell and content: the same bytes for the same cell twice are one row (the unique constraint),
    so a repeated upload changes nothing. A new cell's file names its recipe and cell id until the job creates it.
    """

    __tablename__ = "cycler_files"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("cyf"))
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    measurement_id: Mapped[str | None] = mapped_column(ForeignKey("measurements.id"), nullable=True, index=True)
    cell_key: Mapped[str] = mapped_column(String(200))  # the measurement id, or "new:<cell id>" for a new cell
    recipe: Mapped[str | None] = mapped_column(String(64), nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    # up to 150 MB: loaded only when read (the job), never by a listing
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    instrument: Mapped[str] = mapped_column(String(64))
    reader: Mapped[str] = mapped_column(String(64))
    area_cm2: Mapped[float] = mapped_column(Float)
    test_ended: Mapped[bool] = mapped_column(Boolean, default=False)
    uploader: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"), nullable=True)
    # queued, analysed, refused (the protocol is not symmetric plating/stripping) or rejected (by the scientist)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # the analysis (models/cycler_trace.py) and, for the cell page, the trace downsampled
    result: Mapped[dict | None] = mapped_column(Document, nullable=True)
    # the cell's values before this file's were applied: what a rejected detection goes back to
    previous: Mapped[dict | None] = mapped_column(Document, nullable=True)

    __table_args__ = (UniqueConstraint("cell_key", "content_sha256", name="uq_cycler_files_cell_content"),)
