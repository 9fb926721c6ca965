"""Measured cell lifetimes: exact (the cell shorted) or right-censored (still running when last reported)."""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe


class MeasurementError(InterlayerError):
    """A lifetime or cell report that cannot be a measurement (NaN, negative, no bound, ...)."""


@dataclass(frozen=True)
class Measurement:
    """A symmetric cell's lifetime in hours; ``censored`` means it was still cycling: ``lifetime_h`` is a lower bound.

    Reports that share a ``cell_id`` are the same cell over time: the latest replaces the earlier.
    """

    recipe: Recipe
    lifetime_h: float | None
    censored: bool = False
    overpotential_mv: float | None = None
    cell_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.recipe, Recipe):
            raise MeasurementError(f"recipe must be a Recipe, got {self.recipe!r}")
        if self.recipe.is_bare:
            raise MeasurementError(f"{self.recipe} is not a coating recipe")
        if not isinstance(self.censored, bool):
            raise MeasurementError(f"censored must be true or false, got {self.censored!r}")
        if self.lifetime_h is None:
            what = "a censored cell needs its lower bound in hours" if self.censored else "lifetime_h is missing"
            raise MeasurementError(f"{self.recipe}: {what}")
        if isinstance(self.lifetime_h, bool) or not isinstance(self.lifetime_h, numbers.Real):
            raise MeasurementError(f"{self.recipe}: lifetime_h must be a number of hours, got {self.lifetime_h!r}")
        if not math.isfinite(self.lifetime_h):
            raise MeasurementError(f"{self.recipe}: lifetime_h must be finite, got {self.lifetime_h!r}")
        if self.lifetime_h <= 0.0:
            raise MeasurementError(f"{self.recipe}: lifetime_h must be positive, got {self.lifetime_h!r}")
        if self.overpotential_mv is not None and (
                isinstance(self.overpotential_mv, bool) or not isinstance(self.overpotential_mv, numbers.Real)
                or not math.isfinite(self.overpotential_mv)):
            raise MeasurementError(f"{self.recipe}: overpotential_mv must be a finite number, got {self.overpotential_mv!r}")
        if self.cell_id is not None and (not isinstance(self.cell_id, str) or not self.cell_id):
            raise MeasurementError(f"cell_id must be non-empty text, got {self.cell_id!r}")

    def as_dict(self) -> dict[str, Any]:
        return {"recipe": str(self.recipe), "lifetime_h": float(self.lifetime_h), "censored": self.censored,
                "overpotential_mv": self.overpotential_mv, "cell_id": self.cell_id}


def merge_reports(current: list[Measurement], reports: Iterable[Measurement]) -> list[Measurement]:
    """``current`` with ``reports`` added; a report for a known cell_id replaces that cell's last report.

    A running cell's bound may only rise, and a finished cell takes no further reports.
    """
    merged = list(current)
    position = {m.cell_id: i for i, m in enumerate(merged) if m.cell_id is not None}
    for report in reports:
        if not isinstance(report, Measurement):
            raise MeasurementError(f"expected a Measurement, got {report!r}")
        i = position.get(report.cell_id) if report.cell_id is not None else None
        if i is None:
            if report.cell_id is not None:
                position[report.cell_id] = len(merged)
            merged.append(report)
            continue
        previous = merged[i]
        if previous.recipe != report.recipe:
            raise MeasurementError(f"cell {report.cell_id!r} was {previous.recipe}, now reported as {report.recipe}")
        if not previous.censored:
            raise MeasurementError(f"cell {report.cell_id!r} already failed at {previous.lifetime_h} h")
        if report.lifetime_h < previous.lifetime_h:
            raise MeasurementError(f"cell {report.cell_id!r} reported {report.lifetime_h} h after {previous.lifetime_h} h")
        merged[i] = report
    return merged


def fingerprint(measurements: Iterable[Measurement]) -> str:
    """SHA-256 of the sorted measurements: equal data, equal fingerprint, whatever the order told."""
    rows = sorted(json.dumps(m.as_dict(), sort_keys=True) for m in measurements)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()
