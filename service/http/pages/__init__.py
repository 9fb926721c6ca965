"""The dashboard: server-rendered pages beside the API (which stays under ``/v1``), one router per page resource.

Signed-in pages use a session cookie (``session.py``); every form carries a CSRF token; another
owner's campaign is a 404 page, as in the API. Plotly's JavaScript is a partial bundle shipped in
``static/``: the pages work on a network without internet access.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from ...settings import Settings
from . import campaign, campaigns, cell_files, cells, jobs, signin
from .render import HERE, page
from .session import CsrfRefused, SignInRequired, new_session_secret, signin_location


async def _sign_in_first(_request: Request, error: SignInRequired) -> RedirectResponse:
    return RedirectResponse(signin_location(error.next_path), status_code=303)


async def _csrf_refused(request: Request, _error: CsrfRefused) -> HTMLResponse:
    return page(request, "refused.html", {"session": None}, status=403)


def add_pages(app: FastAPI, settings: Settings) -> None:
    app.state.session_secret = new_session_secret(settings.session_secret)
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    for module in (signin, campaigns, campaign, cells, cell_files, jobs):
        app.include_router(module.router)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
