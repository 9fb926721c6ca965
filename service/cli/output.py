"""Shared printing for CLI commands: a rich table for people, JSON for scripts."""

from __future__ import annotations

import json
import math
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def job_page(client, job: dict) -> str:
    """The URL of the job's dashboard page, which outlives any progress bar."""
    return f"{client.http.base_url}/jobs/{job['id']}"


def announce_job(client, job: dict, as_json: bool) -> None:
    """``job <id>: <page>`` as soon as the job exists: on stdout for people, on stderr beside JSON."""
    (Console(stderr=True) if as_json else console).print(f"job {job['id']}: {job_page(client, job)}",
                                                         soft_wrap=True, highlight=False)


def summary(values: dict[str, Any], as_json: bool, keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """The values as printed: a table leaves out sampled series (lists) other than ``keep``; JSON keeps them."""
    return values if as_json else {k: v for k, v in values.items() if not isinstance(v, (list, tuple)) or k in keep}


def whole_table(columns: tuple[str, ...], rows: list[tuple[str, ...]], whole: tuple[str, ...],
                title: str | None = None) -> Table:
    """A table whose ``whole`` columns (ids, recipes: what a person types next) are never wrapped or cut:
    each is as wide as its longest cell, and the other columns fold to make room at a narrow terminal."""
    table = Table(title=title, title_justify="left")
    for index, column in enumerate(columns):
        if column in whole:
            widest = max([len(column), *(len(row[index]) for row in rows)])
            table.add_column(column, no_wrap=True, min_width=widest)
        else:
            table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def emit(title: str, values: dict[str, Any], as_json: bool) -> None:
    """Print ``values`` as one JSON object or as a two-column table titled ``title``."""
    if as_json:
        print(json.dumps({k: _plain(v) for k, v in values.items()}, default=str))
        return
    table = Table(title=title, show_header=False)
    table.add_column("quantity", style="bold")
    table.add_column("value")
    for key, value in values.items():
        text = f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(key, text)
    console.print(table)
