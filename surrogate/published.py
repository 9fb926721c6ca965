"""Published cells: symmetric-cell lifetimes reported in the literature, each row with its provenance.

A published set is a CSV whose header names the columns of ``COLUMNS`` (``overpotential_mv`` may be
left empty): the recipe (``Li@(2ALD-2MLD)25``, ``Na@bare`` for the uncoated metal), the metal, the
test condition (current density in mA cm⁻², areal capacity in mAh cm⁻²), the lifetime in hours and
its state — ``shorted`` (the lifetime was observed) or ``stopped``/``running`` (the cell had not
failed when reported: the hours are a lower bound, a censored value) — and the overpotential in mV
where the source gives one.

Provenance rule: every row names its ``reference`` (a DOI), ``where`` in it the number is stated
(figure or table, section or page) and ``how`` it was read ("stated in text", "read from figure
axis", ...). Only values a source states; a value that is estimated rather than stated says so in
``how``. The sets shipped with the package are in ``data/published/`` (``paper``: every cell the
paper behind the project states a number for).

Rows are numbered from 1, the first row under the header; a problem in the header is row 0.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable

from interlayer.models.electrochem import metal as lookup_metal
from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe

from .condition import Condition
from .measurement import CENSORED_STATES, Measurement

COLUMNS = ("recipe", "metal", "current_ma_cm2", "capacity_mah_cm2", "lifetime_h", "state", "overpotential_mv",
           "reference", "where", "how")
OPTIONAL_COLUMNS = ("overpotential_mv",)
# "failed" is not among them: a published cell is reported for its lifetime
PUBLISHED_STATES = ("shorted", "stopped", "running")
# longer than any provenance note needs; keeps a hostile file from storing megabytes per cell
MAX_TEXT_CHARS = 1000
# a problem list past this length says how many more there are instead of listing them
SHOWN_PROBLEMS = 5


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell of a published file: 1-based ``row`` (0 is the header), ``column``, ``reason``."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


class PublishedDataError(InterlayerError):
    """A published file with bad rows; ``problems`` lists every one, ``row`` and ``column`` name the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        shown = "; ".join(str(problem) for problem in self.problems[:SHOWN_PROBLEMS])
        more = len(self.problems) - SHOWN_PROBLEMS
        super().__init__(shown + (f"; and {more} more" if more > 0 else ""))

    @property
    def row(self) -> int:
        return self.problems[0].row

    @property
    def column(self) -> str:
        return self.problems[0].column


class UnknownPublishedSet(InterlayerError):
    """A published set name the package does not ship."""


@dataclass(frozen=True)
class PublishedCell:
    """One reported cell: recipe, test condition, lifetime and state, overpotential, and where it comes from."""

    recipe: Recipe
    condition: Condition
    lifetime_h: float
    state: str
    reference: str
    where: str
    how: str
    overpotential_mv: float | None = None

    @property
    def metal(self) -> str:
        return self.recipe.metal

    @property
    def censored(self) -> bool:
        """True when ``lifetime_h`` is a lower bound (the cell had not failed when reported)."""
        return self.state in CENSORED_STATES

    def measurement(self) -> Measurement:
        """This cell as a campaign's related cell: its state, condition and censoring.

        A bare-metal cell is the uncoated reference, no coating recipe: it raises ``MeasurementError``
        (``related_measurements`` leaves such cells out).
        """
        return Measurement(self.recipe, self.lifetime_h, overpotential_mv=self.overpotential_mv, state=self.state,
                           condition=self.condition)

    def as_row(self) -> dict[str, Any]:
        """The CSV row (numbers as numbers, an absent overpotential as None); ``parse_rows`` reads it back."""
        return {"recipe": str(self.recipe), "metal": self.metal, "current_ma_cm2": self.condition.current_ma_cm2,
                "capacity_mah_cm2": self.condition.capacity_mah_cm2, "lifetime_h": self.lifetime_h, "state": self.state,
                "overpotential_mv": self.overpotential_mv, "reference": self.reference, "where": self.where, "how": self.how}


def related_measurements(cells: Iterable[PublishedCell], metal: str | None = None) -> list[Measurement]:
    """The coated cells (of ``metal`` when given) as measurements a campaign takes as related cells."""
    return [cell.measurement() for cell in cells if not cell.recipe.is_bare and metal in (None, cell.metal)]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _positive(unit: str, optional: bool = False) -> Callable[[Any], float | None]:
    def parse(value: Any) -> float | None:
        text = _text(value)
        if not text:
            if optional:
                return None
            raise InterlayerError("is empty")
        try:
            number = float(text)
        except ValueError:
            raise InterlayerError(f"must be a number of {unit}, got {text[:40]!r}") from None
        if not math.isfinite(number) or number <= 0.0:
            raise InterlayerError(f"must be a positive finite number of {unit}, got {text[:40]}")
        return number
    return parse


def _state(value: Any) -> str:
    text = _text(value)
    if text not in PUBLISHED_STATES:
        raise InterlayerError(f"unknown state {text[:40]!r}; a published cell is one of {', '.join(PUBLISHED_STATES)}")
    return text


def _provenance(value: Any) -> str:
    text = _text(value)
    if not text:
        raise InterlayerError("is empty: every published cell names its source, where in it and how the value was read")
    if len(text) > MAX_TEXT_CHARS:
        raise InterlayerError(f"is {len(text)} characters long; at most {MAX_TEXT_CHARS}")
    return text


def _metal(value: Any) -> str:
    text = _text(value)
    if not text:
        raise InterlayerError("is empty")
    return lookup_metal(text).symbol  # UnknownMetalError for a metal Interlayer has no data for


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "current_ma_cm2": _positive("mA cm⁻²"), "capacity_mah_cm2": _positive("mAh cm⁻²"), "lifetime_h": _positive("hours"),
    "state": _state, "overpotential_mv": _positive("mV", optional=True),
    "reference": _provenance, "where": _provenance, "how": _provenance,
}


def _cell(number: int, row: Mapping[str, Any], problems: list[Problem]) -> PublishedCell | None:
    """Row ``number`` as a cell, or None with its problems (every bad column) appended to ``problems``."""
    found = len(problems)

    def check(column: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(row.get(column))
        except InterlayerError as error:
            problems.append(Problem(number, column, str(error)))
            return None

    if row.get(None):  # csv.DictReader's key for cells past the header's columns
        problems.append(Problem(number, "(extra cells)", f"{len(row[None])} more cell(s) than the header names"))
    metal = check("metal", _metal)
    recipe = check("recipe", lambda value: Recipe.parse(_text(value), metal))
    values = {column: check(column, parse) for column, parse in _PARSERS.items()}
    if len(problems) > found:
        return None
    condition = Condition(values.pop("current_ma_cm2"), values.pop("capacity_mah_cm2"))
    return PublishedCell(recipe=recipe, condition=condition, **values)


def parse_rows(rows: Iterable[Mapping[str, Any]]) -> list[PublishedCell]:
    """Cells from rows keyed by ``COLUMNS``; every row checked, every problem raised at once (``PublishedDataError``)."""
    cells: list[PublishedCell] = []
    problems: list[Problem] = []
    for number, row in enumerate(rows, start=1):
        cell = _cell(number, row, problems)
        if cell is not None:
            cells.append(cell)
    if not cells and not problems:
        problems.append(Problem(1, "recipe", "the file has a header but no cells"))
    if problems:
        raise PublishedDataError(problems)
    return cells


def parse_published(text: str) -> list[PublishedCell]:
    """The cells of a published-style CSV (a header naming ``COLUMNS``, then one cell per row), validated row by row."""
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        missing = [column for column in COLUMNS if column not in header and column not in OPTIONAL_COLUMNS]
        unknown = [column for column in header if column not in COLUMNS]
        problems = [Problem(0, column, "missing column") for column in missing]
        problems += [Problem(0, column[:40] or "(empty)", f"unknown column; the columns are {', '.join(COLUMNS)}")
                     for column in unknown]
        if problems:
            raise PublishedDataError(problems)
        return parse_rows(reader)
    except csv.Error as error:  # e.g. a bare carriage return inside an unquoted cell
        # line_num counts the lines read whole: the failing line is the next, data row line_num under the header
        raise PublishedDataError([Problem(reader.line_num, "(file)", f"not readable as CSV: {error}")]) from None


def _data_dir():
    return resources.files("interlayer.surrogate").joinpath("data", "published")


def builtin_sets() -> tuple[str, ...]:
    """The names of the published sets shipped with the package."""
    return tuple(sorted(entry.name.removesuffix(".csv") for entry in _data_dir().iterdir() if entry.name.endswith(".csv")))


def load_published(name: str = "paper") -> list[PublishedCell]:
    """The shipped published set ``name`` (``paper``: every cell the project's paper states a number for)."""
    if name not in builtin_sets():
        raise UnknownPublishedSet(f"no published set {name!r} ships with Interlayer; built in: {', '.join(builtin_sets())}")
    return parse_published(_data_dir().joinpath(f"{name}.csv").read_text(encoding="utf-8"))
