"""Measurement rows in: parsed from JSON or CSV, validated as a whole, stored all or nothing.

Every row is checked (recipe, lifetime, design space, the cell's earlier reports) before any is
written; the first bad row, or any number of them, are reported by row number and field, and the
campaign is left unchanged.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe
from interlayer.surrogate.measurement import Measurement, merge_reports
from interlayer.surrogate.space import DesignSpace

from . import tables
from .errors import ServiceInputError
from .planning import to_measurement

CSV_COLUMNS = ("recipe", "proposal_id", "lifetime_h", "censored", "overpotential_mv", "cell_id",
               "current_density_ma_cm2", "capacity_mah_cm2")


class Condition(BaseModel):
    """The cell test: current density and areal capacity."""

    model_config = ConfigDict(extra="forbid")
    current_density_ma_cm2: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    capacity_mah_cm2: float | None = Field(default=None, gt=0, allow_inf_nan=False)


class MeasurementIn(BaseModel):
    """One cell report: a recipe (or the proposal it answers), hours, and whether the cell is still running."""

    model_config = ConfigDict(extra="forbid")
    recipe: str | None = Field(default=None, min_length=1, max_length=64)
    proposal_id: str | None = Field(default=None, min_length=1, max_length=32)
    lifetime_h: float = Field(gt=0, allow_inf_nan=False, description="hours; a lower bound when censored")
    censored: bool = False
    overpotential_mv: float | None = Field(default=None, allow_inf_nan=False)
    cell_id: str | None = Field(default=None, min_length=1, max_length=200)
    condition: Condition | None = None

    @model_validator(mode="after")
    def _names_a_recipe(self) -> "MeasurementIn":
        if self.recipe is None and self.proposal_id is None:
            raise ValueError("give a recipe or a proposal_id")
        return self


class MeasurementPatch(BaseModel):
    """A newer report of a running cell: more hours, and whether it is still running."""

    model_config = ConfigDict(extra="forbid")
    lifetime_h: float = Field(gt=0, allow_inf_nan=False)
    censored: bool = True
    overpotential_mv: float | None = Field(default=None, allow_inf_nan=False)


def _pydantic_errors(error: ValidationError, prefix: list) -> list[dict]:
    return [{"loc": [*prefix, *item["loc"]], "msg": item["msg"], "type": item["type"]} for item in error.errors()]


def parse_rows(rows: list[Any], prefix: list) -> list[MeasurementIn]:
    """Validate every row's fields; all errors at once, each at ``[*prefix, row, field]``."""
    parsed, errors = [], []
    for number, row in enumerate(rows, start=1):
        try:
            parsed.append(MeasurementIn.model_validate(row))
        except ValidationError as error:
            errors.extend(_pydantic_errors(error, [*prefix, number]))
    if errors:
        raise ServiceInputError(f"{len(errors)} invalid field(s)", errors=errors)
    if not parsed:
        raise ServiceInputError("no measurement rows given", [*prefix])
    return parsed


def csv_rows(text: str) -> list[dict[str, Any]]:
    """CSV with a header naming columns from CSV_COLUMNS; empty cells are absent values."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ServiceInputError("the CSV file is empty", ["body", "file"])
    unknown = [name for name in reader.fieldnames if name not in CSV_COLUMNS]
    if unknown:
        raise ServiceInputError(f"unknown CSV column(s) {', '.join(unknown)}; known: {', '.join(CSV_COLUMNS)}",
                                ["body", "file", "header"])
    rows = []
    for record in reader:
        row: dict[str, Any] = {k: v.strip() for k, v in record.items() if k is not None and v is not None and v.strip()}
        if None in record:
            row["extra_cells"] = record[None]  # refused by the model: more cells than the header names
        condition = {k: row.pop(k) for k in ("current_density_ma_cm2", "capacity_mah_cm2") if k in row}
        if condition:
            row["condition"] = condition
        rows.append(row)
    return rows


def _row_error(prefix: list, number: int, message: str, field: str | None = None) -> ServiceInputError:
    location = [*prefix, number] + ([field] if field else [])
    return ServiceInputError(f"row {number}: {message}", location,
                             errors=[{"loc": location, "msg": f"row {number}: {message}", "type": "value_error"}])


def store(session: Session, campaign: tables.Campaign, rows: list[MeasurementIn], prefix: list) -> list[tables.Measurement]:
    """Validate ``rows`` against the campaign and write them in the caller's transaction; raise before any write."""
    space = DesignSpace.from_dict(campaign.space)
    stored = list(session.scalars(select(tables.Measurement).where(tables.Measurement.campaign_id == campaign.id)))
    by_cell = {row.cell_id: row for row in stored if row.cell_id is not None}
    merged = [to_measurement(row, campaign.metal) for row in stored]
    proposals = {p.id: p for p in session.scalars(select(tables.Proposal).where(tables.Proposal.campaign_id == campaign.id))}
    answered = {row.proposal_id for row in stored if row.proposal_id}
    plan: list[tuple[MeasurementIn, Measurement, str | None]] = []
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
            if recipe.metal != campaign.metal:
                raise _row_error(prefix, number, f"{recipe} is a {recipe.metal} cell; this campaign is for {campaign.metal}", "recipe")
            if not space.contains(recipe):
                raise _row_error(prefix, number, f"{recipe} lies outside this campaign's design space", "recipe")
            measurement = Measurement(recipe, row.lifetime_h, row.censored, row.overpotential_mv, row.cell_id)
            merged = merge_reports(merged, [measurement])
        except ServiceInputError:
            raise
        except InterlayerError as error:
            raise _row_error(prefix, number, str(error)) from None
        if proposal_id is None:
            # A report by recipe answers the oldest open proposal of that recipe, if any.
            open_ids = sorted((p.created_at, p.id) for p in proposals.values()
                              if p.recipe == str(recipe) and p.id not in answered)
            proposal_id = open_ids[0][1] if open_ids and row.cell_id not in by_cell else None
        if proposal_id is not None:
            answered.add(proposal_id)
        plan.append((row, measurement, proposal_id))
    written = []
    now = tables.utcnow()
    for row, measurement, proposal_id in plan:
        condition = row.condition.model_dump(exclude_none=True) if row.condition else None
        existing = by_cell.get(measurement.cell_id) if measurement.cell_id is not None else None
        if existing is None:
            existing = tables.Measurement(campaign_id=campaign.id, proposal_id=proposal_id, recipe=str(measurement.recipe),
                                          cell_id=measurement.cell_id, created_at=now)
            session.add(existing)
            if measurement.cell_id is not None:
                by_cell[measurement.cell_id] = existing
        existing.lifetime_h, existing.censored = float(measurement.lifetime_h), measurement.censored
        existing.overpotential_mv, existing.condition, existing.updated_at = measurement.overpotential_mv, condition, now
        written.append(existing)
    campaign.data_version += 1
    session.flush()
    return written


def patch(session: Session, campaign: tables.Campaign, row: tables.Measurement, update: MeasurementPatch) -> tables.Measurement:
    """A running cell's newer report: hours may only rise, and a finished cell takes none."""
    previous = to_measurement(row, campaign.metal)
    cell = row.cell_id or row.id
    try:
        report = Measurement(previous.recipe, update.lifetime_h, update.censored,
                             update.overpotential_mv if update.overpotential_mv is not None else previous.overpotential_mv, cell)
        merge_reports([Measurement(previous.recipe, previous.lifetime_h, previous.censored, None, cell)], [report])
    except InterlayerError as error:
        raise ServiceInputError(str(error), ["body", "lifetime_h"]) from None
    row.lifetime_h, row.censored, row.overpotential_mv = float(report.lifetime_h), report.censored, report.overpotential_mv
    row.updated_at = tables.utcnow()
    campaign.data_version += 1
    session.flush()
    return row


def as_dict(row: tables.Measurement) -> dict[str, Any]:
    return {"id": row.id, "campaign_id": row.campaign_id, "proposal_id": row.proposal_id, "recipe": row.recipe,
            "lifetime_h": row.lifetime_h, "censored": row.censored, "overpotential_mv": row.overpotential_mv,
            "cell_id": row.cell_id, "condition": row.condition, "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat()}
