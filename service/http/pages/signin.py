"""Sign in with an API key (it becomes a session cookie and is never shown or stored again), sign out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ...usecases.keys import hash_key
from ..deps import settings_of
from .render import page, see_other
from .session import (
    SESSION_COOKIE,
    SESSION_S,
    SIGNIN_COOKIE,
    CheckedIn,
    csrf_token,
    new_nonce,
    require_csrf,
    session_cookie,
    session_secret,
    signin_nonce,
)

router = APIRouter(include_in_schema=False)


def _safe_next(next_path: str | None) -> str:
    # only a path of this site: "//host", "/\host" (browsers read it as "//") or "https://..." would
    # send a fresh session elsewhere
    if not next_path or not next_path.startswith("/") or next_path[1:2] in ("/", "\\"):
        return "/campaigns"
    return next_path


def _cookie_options(request: Request) -> dict:
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https", "path": "/"}


def _signin_page(request: Request, next_path: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    nonce = signin_nonce(request) or new_nonce()
    response = page(request, "signin.html", {"csrf_token": csrf_token(session_secret(request), nonce),
                                             "next": _safe_next(next_path), "error": error}, status)
    response.set_cookie(SIGNIN_COOKIE, nonce, max_age=3600, **_cookie_options(request))
    return response


@router.get("/")
def home() -> RedirectResponse:
    return see_other("/campaigns")


@router.get("/signin")
def signin_form(request: Request, next: str = "/campaigns") -> HTMLResponse:
    return _signin_page(request, next)


@router.post("/signin")
async def sign_in(request: Request, api_key: str = Form(default=""), next: str = Form(default="/campaigns")):
    nonce = signin_nonce(request)
    await require_csrf(request, csrf_token(session_secret(request), nonce) if nonce else None)
    owner = await request.app.state.keys.owner(settings_of(request), hash_key(api_key.strip())) if api_key.strip() else None
    if owner is None:
        return _signin_page(request, next, "That key is unknown or revoked.", status=401)
    response = see_other(_safe_next(next))
    response.set_cookie(SESSION_COOKIE, session_cookie(session_secret(request), api_key.strip()), max_age=SESSION_S,
                        **_cookie_options(request))
    response.delete_cookie(SIGNIN_COOKIE, path="/")
    return response


@router.post("/signout")
def sign_out(_session: CheckedIn) -> RedirectResponse:
    response = see_other("/signin")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

