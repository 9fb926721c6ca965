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
