"""``interlayer data published``: the published cells shipped with Interlayer (or a file of one's own), with provenance."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from interlayer.surrogate.published import PublishedCell, load_published, parse_published

from .output import console

data_app = typer.Typer(help="Data shipped with Interlayer.", no_args_is_help=True)


def _lifetime(cell: PublishedCell) -> str:
    # a censored lifetime is a lower bound: the cell had not failed when the source reported it
    return f"≥ {cell.lifetime_h:g} h" if cell.censored else f"{cell.lifetime_h:g} h"


def cells_table(title: str, cells: list[PublishedCell]) -> Table:
    """One row per cell: the numbers in columns never cut (the recipe as wide as the longest), then the provenance."""
    rows = [(str(cell.recipe), f"{cell.condition.current_ma_cm2:g} / {cell.condition.capacity_mah_cm2:g}", _lifetime(cell),
             cell.state, "-" if cell.overpotential_mv is None else f"{cell.overpotential_mv:g}") for cell in cells]
    table = Table(title=title, show_lines=True)
    headers = ("recipe", "mA/cm² / mAh/cm²", "lifetime", "state", "mV")
    for index, header in enumerate(headers):
        width = max([len(header), *(len(row[index]) for row in rows)])
        table.add_column(header, no_wrap=True, min_width=width, justify="right" if index in (2, 4) else "left")
    # the provenance takes what width is left, folded onto as many lines as it needs
    table.add_column("source: reference, where, how read", overflow="fold", ratio=1)
    for row, cell in zip(rows, cells):
        table.add_row(*row, f"{cell.reference}\n{cell.where}\n{cell.how}")
    return table


@data_app.command("published")
def published_command(name: str = typer.Option("paper", help="A published set shipped with Interlayer."),
                      file: Path = typer.Option(None, exists=True, dir_okay=False,
                                                help="Check and list a published-style CSV of your own instead."),
                      as_json: bool = typer.Option(False, "--json", help="One JSON list of cells instead of a table.")) -> None:
    """Cells reported in the literature: recipe, condition, lifetime (≥ for a cell still cycling), source, where and how read."""
    cells = parse_published(file.read_text(encoding="utf-8-sig")) if file else load_published(name)
    if as_json:
        print(json.dumps([cell.as_row() for cell in cells]))
        return
    console.print(cells_table(f"{file or name}: {len(cells)} published cells", cells))
