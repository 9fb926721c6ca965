"""Cells as marks: colour and shape name the unit structure (the same unit looks the same on every plot),
the fill the cell's state (filled: shorted, a lifetime; hollow: running or stopped, a lower bound), a dot a
test at another condition than the campaign's target; hovering names the cell. And the lifetime strip plot:
every cell's hours by unit, informative with one cell per recipe, where Kaplan–Meier curves are steps of one."""

from __future__ import annotations

from .plotting import PALETTE, Figure, base_layout, log_axis

# beyond this many unit structures a plot's cells are one trace (no legend entry per unit)
LEGEND_UNITS = 12
# after the palette's eight colours, the next eight units take the next shape
SHAPES = ("circle", "square", "diamond", "triangle-up", "pentagon", "hexagon", "star", "hourglass")


def unit_of(recipe: str) -> tuple[int, int]:
    """(ALD, MLD) cycles of a recipe's unit from its text ``Li@(2ALD-3MLD)10``."""
    unit = recipe.split("(", 1)[1].split(")", 1)[0]
    ald, mld = unit.split("-")
    return int(ald.removesuffix("ALD")), int(mld.removesuffix("MLD"))


def unit_label(unit: tuple[int, int]) -> str:
    return f"({unit[0]}ALD-{unit[1]}MLD)"


def unit_style(units: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, str]]:
    """A (colour, shape) per unit, in unit order, so that every plot of a page marks a unit alike."""
    return {unit: (PALETTE[k % len(PALETTE)], SHAPES[(k // len(PALETTE)) % len(SHAPES)])
            for k, unit in enumerate(sorted(set(units)))}


def cell_symbol(shape: str, censored: bool, at_target: bool) -> str:
    """Plotly's symbol: hollow for a lower bound, with a dot for another test condition."""
    return shape + ("-open" if censored else "") + ("" if at_target else "-dot")


def cell_hover(m: dict, condition: str) -> str:
    state = m.get("state") or ("running" if m["censored"] else "shorted")
    bound = "≥ " if m["censored"] else ""
    hours = f"{bound}{m['lifetime_h']:,.0f} h" if m["lifetime_h"] is not None else "no lifetime"
    name = m.get("cell_id") or m.get("id")
    return ((f"cell {name}<br>" if name else "") + f"{m['recipe']}: {hours} ({state})"
            + (f"<br>{condition}" if condition else ""))


def cells_by_unit(cells: list[dict], x_of, y_of, at_target, condition_of, style) -> list[dict]:
    """One scatter trace per unit structure (its legend entry), each cell's mark saying its state and condition."""
    by_unit: dict[tuple[int, int], list[dict]] = {}
    for m in cells:  # one pass: a 50,000-recipe space has ~900 units and a campaign hundreds of cells
        by_unit.setdefault(unit_of(m["recipe"]), []).append(m)
    groups = sorted(by_unit.items())
    if len(groups) > LEGEND_UNITS:
        # one trace, each mark styled alone: hundreds of traces would double the page's figure JSON (160 kB
        # a plot at 500 cells on ~300 units), and a legend of them is unreadable anyway
        groups = [(None, [m for _, chosen in groups for m in chosen])]
    traces = []
    for unit, chosen in groups:
        styles = [style[unit_of(m["recipe"])] for m in chosen]
        colors = [color for color, _ in styles]
        traces.append({"type": "scatter", "mode": "markers",
                       "name": f"{unit_label(unit)} cells" if unit else "cells (colour and shape: unit structure)",
                       "legendgroup": unit_label(unit) if unit else "cells",
                       "x": [x_of(m) for m in chosen], "y": [y_of(m) for m in chosen],
                       "marker": {"color": colors[0] if unit else colors, "size": 10,
                                  "line": {"width": 1.5, "color": colors[0] if unit else colors},
                                  "symbol": [cell_symbol(shape, m["censored"], at_target(m))
                                             for m, (_, shape) in zip(chosen, styles)]},
                       "text": [cell_hover(m, condition_of(m)) for m in chosen],
                       "hovertemplate": "%{text}<extra></extra>"})
    return traces


def lifetime_strip(measurements: list[dict], at_target, condition_of) -> Figure:
    """Every cell's hours against its unit structure, hollow where a lower bound: a survival view that needs
    no replicates (a recipe with one cell has a Kaplan–Meier curve of one step)."""
    cells = [m for m in measurements if m["lifetime_h"] is not None]
    style = unit_style([unit_of(m["recipe"]) for m in cells])
    data = cells_by_unit(cells, lambda m: m["lifetime_h"], lambda m: unit_label(unit_of(m["recipe"])), at_target,
                         condition_of, style)
    layout = base_layout("How long each cell lived, by unit structure", "hours cycled (hollow: still going, a lower bound)",
                         "", margin={"l": 130, "r": 20, "t": 50, "b": 50})
    layout["xaxis"] |= log_axis([m["lifetime_h"] for m in cells])
    layout["yaxis"] |= {"type": "category", "categoryorder": "array",
                        "categoryarray": [unit_label(unit) for unit in sorted(style)]}
    layout["showlegend"] = False
    return {"data": data, "layout": layout}
