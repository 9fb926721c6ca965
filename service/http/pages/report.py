"""A campaign as one self-contained HTML file: the page's card, worksheet, cells and plots, with Plotly's
JavaScript, the style and the drawing script inlined, so it opens offline (a lab notebook's copy)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from markupsafe import Markup

from .campaign import campaign_context
from .render import HERE, plotly_js, templates


def _inline(text: str) -> Markup:
    # a script or style element ends at "</": none of the inlined files contains "</script" or "</style"
    return Markup(text)


def render_report(state: dict[str, Any]) -> str:
    """The report of a campaign ``state`` (the documents as the API serves them)."""
    template = templates.env.get_template("report.html")
    return template.render(**campaign_context(state), readonly=True,
                           written_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                           plotly_js=_inline(plotly_js()),
                           app_js=_inline((HERE / "static" / "app.js").read_text()),
                           style=_inline((HERE / "static" / "style.css").read_text()))
