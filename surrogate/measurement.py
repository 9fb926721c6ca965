"""Measured cells: their state, hours, overpotential and test condition.

A cell's ``state`` is one of

- ``running``: still cycling; ``lifetime_h`` is a lower bound that rises as hours are reported;
- ``stopped``: the test ended before the cell failed; ``lifetime_h`` is a final lower bound (censored);
- ``shorted``: the cell failed by shorting; ``lifetime_h`` is its observed lifetime;
- ``failed``: the cell says nothing about the film's lifetime (the coating did not grow, an assembly
  fault): no ``lifetime_h``, a ``failure_reason``; excluded from the lifetime likelihood and counted
  toward feasibility.

Today's ``censored`` flag stays accepted: without a state, censored means running and not censored
means shorted; ``censored`` is derived from the state (running and stopped are censored).
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe

from .condition import Condition, ConditionError
from .limits import broken_limits

if TYPE_CHECKING:
    from .space import DesignSpace

STATES = ("running", "stopped", "shorted", "failed")
CENSORED_STATES = ("running", "stopped")
FINAL_STATES = ("stopped", "shorted", "failed")


class MeasurementError(InterlayerError):
    """A lifetime or cell report that cannot be a measurement (NaN, negative, no bound, ...); ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Real)


@dataclass(frozen=True)
class Measurement:
    """One cell: ``state`` (see the module docstring), hours, overpotential in mV, test condition.

    Reports that share a ``cell_id`` are the same cell over time: the latest replaces the earlier.
    """

    recipe: Recipe
    lifetime_h: float | None
    censored: bool = False
    overpotential_mv: float | None = None
    cell_id: str | None = None
    state: str | None = None
    failure_reason: str | None = None
    condition: Condition | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.recipe, Recipe):
            raise MeasurementError(f"recipe must be a Recipe, got {self.recipe!r}", "recipe")
        if self.recipe.is_bare:
            raise MeasurementError(f"{self.recipe} is not a coating recipe", "recipe")
        if not isinstance(self.censored, bool):
            raise MeasurementError(f"censored must be true or false, got {self.censored!r}", "censored")
        self._check_state()
        self._check_lifetime()
        self._check_extras()

    def _check_state(self) -> None:
        state = self.state
        if state is None:
            state = "running" if self.censored else "shorted"
        elif state not in STATES:
            raise MeasurementError(f"state must be one of {', '.join(STATES)}, got {state!r}", "state")
        elif self.censored and state not in CENSORED_STATES:
            raise MeasurementError(f"a {state} cell is not censored", "censored")
        object.__setattr__(self, "state", state)
        object.__setattr__(self, "censored", state in CENSORED_STATES)
        if self.failure_reason is not None:
            if state != "failed":
                raise MeasurementError(f"only a failed cell has a failure_reason (this one is {state})", "failure_reason")
            if not isinstance(self.failure_reason, str) or not self.failure_reason or len(self.failure_reason) > 500:
                raise MeasurementError("failure_reason must be text of 1 to 500 characters", "failure_reason")

    def _check_lifetime(self) -> None:
        if self.state == "failed":
            if self.lifetime_h is not None:
                raise MeasurementError(f"{self.recipe}: a failed cell has no lifetime_h (it says nothing about the film's lifetime)",
                                       "lifetime_h")
            return
        if self.lifetime_h is None:
            what = {"running": "a running cell needs its lower bound in hours",
                    "stopped": "a stopped cell needs its lower bound in hours",
                    "shorted": "a shorted cell needs its lifetime_h"}[self.state]
            raise MeasurementError(f"{self.recipe}: {what}", "lifetime_h")
        if not _number(self.lifetime_h):
            raise MeasurementError(f"{self.recipe}: lifetime_h must be a number of hours, got {self.lifetime_h!r}", "lifetime_h")
        if not math.isfinite(self.lifetime_h):
            raise MeasurementError(f"{self.recipe}: lifetime_h must be finite, got {self.lifetime_h!r}", "lifetime_h")
        if self.lifetime_h <= 0.0:
            raise MeasurementError(f"{self.recipe}: lifetime_h must be positive, got {self.lifetime_h!r}", "lifetime_h")

    def _check_extras(self) -> None:
        value = self.overpotential_mv
        if value is not None and (not _number(value) or not math.isfinite(value) or value <= 0):
            raise MeasurementError(f"{self.recipe}: overpotential_mv must be a positive finite number of mV, got {value!r}",
                                   "overpotential_mv")
        if self.cell_id is not None and (not isinstance(self.cell_id, str) or not self.cell_id):
            raise MeasurementError(f"cell_id must be non-empty text, got {self.cell_id!r}", "cell_id")
        if self.condition is not None:
            try:
                object.__setattr__(self, "condition", Condition.from_dict(self.condition))
            except ConditionError as error:
                raise MeasurementError(str(error), f"condition.{error.field}" if error.field != "condition" else "condition") from None

    @property
    def failed(self) -> bool:
        return self.state == "failed"

    def as_dict(self) -> dict[str, Any]:
        out = {"recipe": str(self.recipe), "lifetime_h": None if self.lifetime_h is None else float(self.lifetime_h),
               "censored": self.censored, "overpotential_mv": self.overpotential_mv, "cell_id": self.cell_id}
        # today's keys only, for today's cells: their fingerprints (and so every seeded decision) do not change
        if self.state not in ("running", "shorted"):
            out["state"] = self.state
        if self.failure_reason is not None:
            out["failure_reason"] = self.failure_reason
        if self.condition is not None:
            out["condition"] = self.condition.as_dict()
        return out


def check_in_space(recipe: Recipe, space: "DesignSpace") -> None:
    """A campaign takes cells of its metal and inside its design space; anything else raises MeasurementError
    (field ``recipe``)."""
    if recipe.metal != space.metal:
        raise MeasurementError(f"{recipe} is a {recipe.metal} cell; this campaign is for {space.metal}", "recipe")
    if not space.contains(recipe):
        raise MeasurementError(f"{recipe} lies outside this campaign's design space: " + "; ".join(broken_limits(space, recipe)),
                               "recipe")


def merge_reports(current: list[Measurement], reports: Iterable[Measurement]) -> list[Measurement]:
    """``current`` with ``reports`` added; a report for a known cell_id replaces that cell's last report.

    A running cell's bound may only rise, and a finished cell (stopped, shorted or failed) takes no further reports.
    These errors concern the cell's history, not one field: they carry no ``field``.
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
        if previous.state in FINAL_STATES:
            what = {"shorted": f"already failed at {previous.lifetime_h} h", "stopped": f"already stopped at {previous.lifetime_h} h",
                    "failed": f"already failed ({previous.failure_reason or 'no lifetime'})"}[previous.state]
            raise MeasurementError(f"cell {report.cell_id!r} {what}")
        if report.lifetime_h is not None and report.lifetime_h < previous.lifetime_h:
            raise MeasurementError(f"cell {report.cell_id!r} reported {report.lifetime_h} h after {previous.lifetime_h} h")
        merged[i] = report
    return merged


def fingerprint(measurements: Iterable[Measurement]) -> str:
    """SHA-256 of the sorted measurements: equal data, equal fingerprint, whatever the order told."""
    rows = sorted(json.dumps(m.as_dict(), sort_keys=True) for m in measurements)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()
