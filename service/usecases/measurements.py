"""Measurements: cell reports validated as a whole against the campaign and stored all or nothing; a
running cell's newer report; each change bumps the data version and queues a refit.

Every row is checked (recipe, lifetime, design space, the cell's earlier reports) before any is
written; every bad row is reported by row number (from 1) and field, a recipe outside the design space
with the limits it breaks, and the campaign is left unchanged.

Concurrent writers of one campaign take turns: each write's first statement bumps the campaign's
data version, which locks the campaign row (the database, on SQLite) until it commits. So a cell's
earlier reports are read after every earlier write has committed, a cell keeps one row (also a unique
constraint) whose hours only rise, and the data version counts the acknowledged changes exactly.
"""

from __future__ import annotations

from typing import Any

from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe
from interlayer.surrogate.measurement import CENSORED_STATES, Measurement, check_in_space, merge_reports
from interlayer.surrogate.space import stored_space

from ..errors import NotFound, ServiceInputError
from ..jobs.queue import publish_committed
from ..schemas import RECORD_FIELDS, CellRecord, MeasurementIn, MeasurementPatch
from ..settings import Settings
from ..store import tables
from ..store.campaigns import Campaigns
from ..store.cells import Cells
from ..store.db import Session, transaction
from ..store.proposals import Proposals
from ..store.vocabulary import JobKind
from .idempotency import Written, write_once
from .recommendations import queue_refit
from .state import surrogate_condition, to_measurement
from .views import job_view, measurement_view


def _row_error(prefix: list, number: int, message: str, field: str | None = None) -> ServiceInputError:
    location = [*prefix, number] + ([field] if field else [])
    return ServiceInputError(f"row {number}: {message}", location,
                             errors=[{"loc": location, "msg": f"row {number}: {message}", "type": "value_error"}])


def _condition(condition) -> dict | None:
    return condition.model_dump(exclude_none=True) if condition is not None else None


def _store(session: Session, campaign: tables.Campaign, rows: list[MeasurementIn], prefix: list) -> list[tables.Measurement]:
    """Validate ``rows`` against the campaign and write them in the caller's transaction; raise before any write."""
    return _write(session, campaign, *_plan(session, campaign, rows, prefix))


def _plan(session: Session, campaign: tables.Campaign, rows: list[MeasurementIn], prefix: list) -> tuple[list, dict]:
    """Each row with its surrogate measurement and the proposal it answers, and the stored rows by cell id;
    every bad row's error at once."""
    space = stored_space(campaign.space)
    stored = Cells(session).of_campaign(campaign.id)
    by_cell = {row.cell_id: row for row in stored if row.cell_id is not None}
    merged = [to_measurement(row, campaign.metal) for row in stored]
    proposals = {p.id: p for p in Proposals(session).of_campaign(campaign.id)}
    answered = {row.proposal_id for row in stored if row.proposal_id}
    plan: list[tuple[MeasurementIn, Measurement, str | None]] = []
    errors: list[ServiceInputError] = []
    for number, row in enumerate(rows, start=1):
        proposal_id = row.proposal_id
        try:
            if proposal_id is not None:
                if proposal_id not in proposals:
                    raise _row_error(prefix, number, f"proposal {proposal_id} is not one of this campaign's", "proposal_id")
                recipe = Recipe.parse(proposals[proposal_id].recipe, metal=campaign.metal)
                if row.recipe is not None and Recipe.parse(row.recipe, metal=campaign.metal) != recipe:
                    raise _row_error(prefix, number, f"recipe {row.recipe} differs from proposal {proposal_id}'s {recipe}", "recipe")
            else:
                recipe = Recipe.parse(row.recipe, metal=campaign.metal)
            check_in_space(recipe, space)
            measurement = Measurement(recipe, row.lifetime_h, row.censored, row.overpotential_mv, row.cell_id, row.state,
                                      row.failure_reason, surrogate_condition(_condition(row.condition)))
            merged = merge_reports(merged, [measurement])
        except ServiceInputError as error:
            errors.append(error)
            continue
        except InterlayerError as error:
            errors.append(_row_error(prefix, number, str(error), getattr(error, "field", None)))
            continue
        if proposal_id is None:
            # A report by recipe answers the oldest open proposal of that recipe, if any.
            open_ids = sorted((p.created_at, p.id) for p in proposals.values()
                              if p.recipe == str(recipe) and p.id not in answered)
            proposal_id = open_ids[0][1] if open_ids and row.cell_id not in by_cell else None
        if proposal_id is not None:
            answered.add(proposal_id)
        plan.append((row, measurement, proposal_id))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ServiceInputError(f"{len(errors)} rows refused: " + "; ".join(str(e) for e in errors), prefix,
                                errors=[item for error in errors for item in error.errors])
    return plan, by_cell


def _write(session: Session, campaign: tables.Campaign, plan: list[tuple], by_cell: dict) -> list[tables.Measurement]:
    cells = Cells(session)
    written = []
    now = tables.utcnow()
    for row, measurement, proposal_id in plan:
        condition = row.condition.model_dump(exclude_none=True) if row.condition else None
        existing = by_cell.get(measurement.cell_id) if measurement.cell_id is not None else None
        if existing is None:
            existing = tables.Measurement(campaign_id=campaign.id, proposal_id=proposal_id, recipe=str(measurement.recipe),
                                          cell_id=measurement.cell_id, created_at=now)
            cells.add(existing)
            if measurement.cell_id is not None:
                by_cell[measurement.cell_id] = existing
        existing.lifetime_h = None if measurement.lifetime_h is None else float(measurement.lifetime_h)
        existing.censored, existing.state, existing.failure_reason = measurement.censored, measurement.state, measurement.failure_reason
        existing.overpotential_mv, existing.condition, existing.updated_at = measurement.overpotential_mv, condition, now
        _file_record(existing, row)
        written.append(existing)
    cells.flush()
    return written


def _file_record(row: tables.Measurement, record: CellRecord) -> None:
    """Set the record fields ``record`` gives; a later report that leaves them out keeps the earlier ones."""
    for name in RECORD_FIELDS:
        if getattr(record, name) is not None:
            setattr(row, name, getattr(record, name))


def _patch(session: Session, campaign: tables.Campaign, row: tables.Measurement, newer: MeasurementPatch) -> tables.Measurement:
    """A running cell's newer report: hours may only rise, and a finished cell takes none."""
    previous = to_measurement(row, campaign.metal)
    cell = row.cell_id or row.id
    censored = newer.censored if newer.state is None else newer.state in CENSORED_STATES
    try:
        report = Measurement(previous.recipe, newer.lifetime_h, censored,
                             newer.overpotential_mv if newer.overpotential_mv is not None else previous.overpotential_mv, cell,
                             newer.state, newer.failure_reason, previous.condition)
        merge_reports([Measurement(previous.recipe, previous.lifetime_h, previous.censored, None, cell, previous.state,
                                   previous.failure_reason)], [report])
    except InterlayerError as error:
        raise ServiceInputError(str(error), ["body", getattr(error, "field", None) or "lifetime_h"]) from None
    row.lifetime_h = None if report.lifetime_h is None else float(report.lifetime_h)
    row.censored, row.overpotential_mv = report.censored, report.overpotential_mv
    row.state, row.failure_reason = report.state, report.failure_reason
    row.updated_at = tables.utcnow()
    Cells(session).flush()
    return row


def _locked_campaign(session: Session, owner: str, campaign_id: str) -> tables.Campaign:
    """The campaign with its data version bumped by this transaction's first write, which holds the campaign's
    write lock until commit (a refused write rolls the bump back)."""
    campaign = Campaigns(session).bump_data_version(owner, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} not found")
    return campaign


def add_measurements(settings: Settings, owner: str, campaign_id: str, rows: list[MeasurementIn], prefix: list,
                     idempotency_key: str | None) -> dict[str, Any]:
    """Store the rows (``prefix`` locates them in the request for errors) and queue a refit."""
    def write(session: Session) -> Written:
        campaign = _locked_campaign(session, owner, campaign_id)
        stored = _store(session, campaign, rows, prefix)
        job, created = queue_refit(session, campaign)
        body = {"measurements": [measurement_view(row) for row in stored], "data_version": campaign.data_version,
                "job": job_view(session, job)}
        return Written(body, {JobKind.REFIT: [job.id] if created else []})
    fingerprint = ["measurements", campaign_id, [row.model_dump() for row in rows]]
    return write_once(settings, owner, idempotency_key, fingerprint, write).body


def update_record(settings: Settings, owner: str, campaign_id: str, measurement_id: str,
                  record: CellRecord) -> dict[str, Any]:
    """A cell's record fields, as given (an empty text clears one); no result changes, so no data version
    and no refit."""
    with transaction(settings) as session:
        campaign = Campaigns(session).owned(owner, campaign_id)
        cells = Cells(session)
        row = cells.get(measurement_id)
        if row is None or row.campaign_id != campaign_id:
            raise NotFound(f"measurement {measurement_id} not found")
        for name in record.model_fields_set & set(RECORD_FIELDS):
            setattr(row, name, getattr(record, name))
        row.updated_at = tables.utcnow()
        cells.flush()
        return measurement_view(row) | {"data_version": campaign.data_version, "job_id": None}


def check_measurements(settings: Settings, owner: str, campaign_id: str, rows: list[MeasurementIn], prefix: list) -> None:
    """Refuse the rows as ``add_measurements`` would (every row's error at once), storing nothing: for a form
    that shows these errors beside those its fields' types already raised."""
    with transaction(settings) as session:
        _plan(session, Campaigns(session).owned(owner, campaign_id), rows, prefix)


def list_measurements(settings: Settings, owner: str, campaign_id: str) -> list[dict[str, Any]]:
    with transaction(settings) as session:
        Campaigns(session).owned(owner, campaign_id)
        return [measurement_view(row) for row in Cells(session).of_campaigns([campaign_id])]


def update_measurement(settings: Settings, owner: str, campaign_id: str, measurement_id: str,
                       newer: MeasurementPatch) -> dict[str, Any]:
    """A running cell's newer report (hours only rise); queues a refit."""
    with transaction(settings) as session:
        campaign = _locked_campaign(session, owner, campaign_id)
        row = Cells(session).get(measurement_id)
        if row is None or row.campaign_id != campaign_id:
            raise NotFound(f"measurement {measurement_id} not found")
        _patch(session, campaign, row, newer)
        job, created = queue_refit(session, campaign)
        out = measurement_view(row) | {"data_version": campaign.data_version, "job_id": job.id}
    if created:
        publish_committed(settings, JobKind.REFIT, [job.id])
    return out
