"""What every figure of the pages shares: Plotly's JSON (``{"data": [...], "layout": {...}}``) for
``Plotly.newPlot``, as plain dictionaries, so a page costs no plotly import and no figure validation per
request; one layout and one palette.
"""

from __future__ import annotations

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
