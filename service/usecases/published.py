"""Published cells: the sets shipped with Interlayer and the sets an owner imports.

An import is a published-style CSV (``interlayer.surrogate.published``'s columns and provenance rule),
validated row by row: one bad cell refuses the whole file with every bad row and column named, and
nothing is stored. A set keeps its name for good: importing a name again, or a shipped set's name, is a 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from interlayer.surrogate.published import (
    PublishedCell,
    PublishedDataError,
    builtin_sets,
    load_published,
    parse_published,
    parse_rows,
)

from ..errors import Conflict, NotFound, ServiceInputError
from ..settings import Settings
from ..store.db import DuplicateRow, transaction
from ..store.published import PublishedSets
from ..store.tables import PublishedSet


def _summary(name: str, cells: list[PublishedCell], created_at: datetime | None = None) -> dict[str, Any]:
    """A set's name, cell count and references; a shipped set has no import time (``created_at`` None)."""
    return {"name": name, "builtin": created_at is None, "cell_count": len(cells),
            "references": sorted({cell.reference for cell in cells}), "created_at": created_at}


def _refusal(error: PublishedDataError, prefix: list) -> ServiceInputError:
    # a header problem (row 0) is located at the header, as a measurement upload's unknown column is
    errors = [{"loc": [*prefix, problem.row, problem.column] if problem.row else ["body", "file", "header", problem.column],
               "msg": problem.reason, "type": "value_error"} for problem in error.problems]
    return ServiceInputError(f"{len(errors)} invalid cell(s)", errors=errors)


def import_published(settings: Settings, owner: str, name: str, text: str, prefix: list) -> dict[str, Any]:
    """Store ``text`` (a published-style CSV) as the owner's set ``name``; bad rows are a 422 at ``[*prefix, row, column]``."""
    if name in builtin_sets():
        raise Conflict(f"{name!r} is a published set shipped with Interlayer; import yours under another name")
    try:
        cells = parse_published(text)
    except PublishedDataError as error:
        raise _refusal(error, prefix) from None
    try:
        with transaction(settings) as session:
            row = PublishedSet(owner=owner, name=name, cells=[cell.as_row() for cell in cells])
            PublishedSets(session).add(row)
    except DuplicateRow:
        raise Conflict(f"a published set named {name!r} exists already") from None
    return _summary(name, cells, row.created_at)


def published_cells(settings: Settings, owner: str, name: str) -> tuple[list[PublishedCell], datetime | None]:
    """The cells of the shipped set ``name`` or of the owner's imported one, and when it was imported (None: shipped)."""
    if name in builtin_sets():
        return load_published(name), None
    with transaction(settings) as session:
        row = PublishedSets(session).named(owner, name)
    if row is None:
        raise NotFound(f"published set {name!r} not found")
    return parse_rows(row.cells), row.created_at


def list_published(settings: Settings, owner: str) -> list[dict[str, Any]]:
    """The shipped sets, then the owner's imported ones, each with its cell count and references."""
    shipped = [_summary(name, load_published(name)) for name in builtin_sets()]
    with transaction(settings) as session:
        rows = PublishedSets(session).of_owner(owner)
    return shipped + [_summary(row.name, parse_rows(row.cells), row.created_at) for row in rows]


def show_published(settings: Settings, owner: str, name: str) -> dict[str, Any]:
    """One set's summary and its cells."""
    cells, created_at = published_cells(settings, owner, name)
    return {**_summary(name, cells, created_at), "cells": [cell.as_row() for cell in cells]}
