"""What every figure of the pages shares: Plotly's JSON (``{"data": [...], "layout": {...}}``) for
``Plotly.newPlot``, as plain dictionaries, so a page costs no plotly import and no figure validation per
request; one layout and one palette.
"""

from __future__ import annotations

import math
from typing import Any

Figure = dict[str, Any]
PALETTE = ("#2166ac", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")


def base_layout(title: str, x: str, y: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "xaxis": {"title": {"text": x}}, "yaxis": {"title": {"text": y}},
            "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
            # below the x axis's title: Plotly anchors a low legend by its bottom unless told otherwise
            "legend": {"orientation": "h", "y": -0.3, "yanchor": "top"}, **extra}


def rgba(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def log_axis(values: list[float | None]) -> dict[str, Any]:
    """A log axis labelled only where a reader wants numbers: 1-2-3-5-7 steps within a decade, 1-2-5 over up
    to two, whole decades beyond (Plotly's own labels its minor ticks too: "5 2 1000 5 2")."""
    positive = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    if not positive:
        return {"type": "log"}
    low, high = min(positive), max(positive)
    steps = (1, 2, 3, 5, 7) if high / low <= 10 else (1, 2, 5) if high / low <= 100 else (1,)
    ticks = [m * 10.0 ** k for k in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
             for m in steps if low / 2 <= m * 10.0 ** k <= high * 2]
    return {"type": "log", "tickvals": ticks, "ticktext": [f"{t:,.0f}" if t >= 1 else f"{t:g}" for t in ticks]}
