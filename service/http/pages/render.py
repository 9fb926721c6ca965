"""Templates, and the answers pages share: a rendered page, a redirect after a post, a page's 404."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from .figures import condition_text
from .labels import moment, quantity

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def _script_json(value: Any) -> Markup:
    """JSON safe inside a <script> element: no "</script>" can close it early, so it needs no HTML escaping."""
    text = json.dumps(value, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} h"


templates.env.filters["script_json"] = _script_json
templates.env.filters["hours"] = _hours
templates.env.filters["condition"] = condition_text
templates.env.filters["quantity"] = quantity
templates.env.filters["moment"] = moment


# Plotly's cartesian partial bundle (plotly.js-cartesian-dist-min 4.1.1, MIT, licence beside it): scatter, bar
# and heatmap, every trace the pages draw, in 1.5 MB against the full bundle's 4.8 MB, which made a report
# of 200 cells 4.96 MB. The pages load it from /static; a report inlines it.
PLOTLY_BUNDLE = HERE / "static" / "plotly-cartesian.min.js"


@cache
def plotly_js() -> str:
    return PLOTLY_BUNDLE.read_text(encoding="utf-8")


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def see_other(location: str) -> RedirectResponse:
    """After a successful post: the browser gets the page again (a reload does not post twice)."""
    return RedirectResponse(location, status_code=303)


def not_found(request: Request, session: Any = None) -> HTMLResponse:
    """What the API answers for another owner's object, as a page: 404, nothing about whether it exists."""
    return page(request, "not_found.html", {"session": session}, status=404)
