"""Response bodies: what the API answers, as the OpenAPI document describes it.

Each names the fields every answer carries; ``extra="allow"`` keeps what depends on the campaign
(its options, a recommendation's objective-specific fields, a proposal's predictions), so a body is
never trimmed by its schema. The use cases build the documents (``usecases/views.py``); these only
describe and check them at the HTTP edge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interlayer.surrogate.published import PUBLISHED_STATES


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class CampaignOut(Open):
    """A campaign: its design space, its options (seed, physics, acquisition, related campaigns, condition,
    objectives and constraint when set) and the data version of its measurements."""

    id: str
    name: str
    metal: str
    space: dict[str, Any]
    data_version: int
    created_at: str | None
    measurements: int | None = None
    proposals: int | None = None


class CampaignsOut(BaseModel):
    campaigns: list[CampaignOut]


class ProposalOut(Open):
    """A proposed recipe with its prediction; ``status`` (pending or measured) when listed for its campaign."""

    id: str
    campaign_id: str
    job_id: str
    recipe: str
    status: Literal["pending", "measured"] | None = None
    created_at: str | None


class ProposalsOut(BaseModel):
    proposals: list[ProposalOut]


class JobOut(Open):
    """A job: its state and progress; a simulation job's result once stored, a proposal job's proposals."""

    id: str
    kind: str
    status: str
    progress: float
    message: str
    attempts: int
    error: str | None
    campaign_id: str | None
    input: dict[str, Any]
    result: dict[str, Any] | None
    cancel_requested: bool
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    simulation: dict[str, Any] | None = None
    proposals: list[ProposalOut] | None = None


class JobsOut(BaseModel):
    jobs: list[JobOut]


class MeasurementOut(Open):
    """One cell's row: its latest report."""

    id: str
    campaign_id: str
    proposal_id: str | None
    recipe: str
    lifetime_h: float | None
    censored: bool
    state: str
    failure_reason: str | None
    overpotential_mv: float | None
    cell_id: str | None
    condition: dict[str, Any] | None
    created_at: str | None
    updated_at: str | None


class MeasurementsOut(BaseModel):
    measurements: list[MeasurementOut]


class MeasurementsWritten(BaseModel):
    """The rows stored, the campaign's new data version and the refit job it queued."""

    measurements: list[MeasurementOut]
    data_version: int
    job: JobOut


class MeasurementUpdated(MeasurementOut):
    """The updated row, the campaign's data version and the id of the refit job it queued (none when only
    the cell's record changed: no result did, so the data version stays and nothing is refitted)."""

    data_version: int
    job_id: str | None


class RecommendationOut(Open):
    """The recommended recipe of the campaign's data version (or of another test condition), with its
    prediction, interval, best observed cell and landscape; ``refit_error`` when the refit of newer data failed."""

    campaign_id: str
    data_version: int
    computed_at: str
    recipe: str


class HealthOut(BaseModel):
    status: str


class ReadyOut(BaseModel):
    """Whether the database, the broker and a consuming worker answer; each check's word."""

    ready: bool
    database: str
    broker: str
    worker: str


class ExportOut(Open):
    """A campaign filed for a lab notebook: who exported it and from what (provenance), the campaign, its
    cells with their records, its proposals and the recommendation at each data version."""

    provenance: dict[str, Any]
    campaign: CampaignOut
    cells: list[MeasurementOut]
    proposals: list[ProposalOut]
    recommendations: list[dict[str, Any]]

class PublishedCellOut(BaseModel):
    """A published cell: the columns of a published-style CSV (``interlayer.surrogate.published.COLUMNS``)."""

    recipe: str
    metal: str
    current_ma_cm2: float
    capacity_mah_cm2: float
    lifetime_h: float = Field(description="hours; a lower bound when the state is stopped or running")
    state: Literal[PUBLISHED_STATES]
    overpotential_mv: float | None
    reference: str = Field(description="the source, e.g. its DOI")
    where: str = Field(description="where in the source: figure or table, section or page")
    how: str = Field(description="how the value was read; an estimate says so")


class PublishedSetOut(BaseModel):
    name: str
    builtin: bool = Field(description="shipped with Interlayer (true) or imported by this key's owner")
    cell_count: int
    references: list[str]
    created_at: datetime | None = Field(description="when it was imported; none for a shipped set")


class PublishedSetsOut(BaseModel):
    sets: list[PublishedSetOut]


class PublishedCellsOut(PublishedSetOut):
    cells: list[PublishedCellOut]
