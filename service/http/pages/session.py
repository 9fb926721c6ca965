"""Dashboard sessions: an API key signs in once and becomes a signed session cookie; forms carry a CSRF token.

The cookie holds the key's SHA-256 (what the database stores, never the key), an expiry and a random
nonce, signed with the server's secret. Each page request looks the digest up through the same key
cache as the API, so a revoked key ends its sessions too. The CSRF token of a form is an HMAC of the
cookie's nonce: a page of another site can neither read it nor (SameSite=Strict) send the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from ...usecases.keys import hash_key

SESSION_COOKIE = "interlayer_session"
# Before sign-in: the nonce the sign-in form's CSRF token is bound to.
SIGNIN_COOKIE = "interlayer_signin"
SESSION_S = 12 * 3600
CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """A page asked for without a live session: the app answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str):
        super().__init__("sign in first")
        self.next_path = next_path


class CsrfRefused(Exception):
    """A form posted without the token of its session (forged, or from a page older than the session)."""


@dataclass(frozen=True)
class PageSession:
    owner: str
    csrf_token: str


def session_secret(request: Request) -> bytes:
    return request.app.state.session_secret


def new_session_secret(configured: str) -> bytes:
    return configured.encode() if configured else secrets.token_bytes(32)


def _sign(secret: bytes, message: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret, message.encode(), hashlib.sha256).digest()).decode().rstrip("=")


def csrf_token(secret: bytes, nonce: str) -> str:
    return _sign(secret, f"csrf|{nonce}")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def session_cookie(secret: bytes, key: str) -> str:
    """The cookie value of a session signed in with ``key`` (the key itself is not in it)."""
    body = f"{hash_key(key)}.{int(time.time()) + SESSION_S}.{new_nonce()}"
    return f"{body}.{_sign(secret, f'session|{body}')}"


def _cookie_parts(secret: bytes, value: str | None) -> tuple[str, str] | None:
    """(key digest, nonce) of a cookie that is ours and unexpired, else None."""
    parts = (value or "").split(".")
    if len(parts) != 4:
        return None
    digest, expires, nonce, signature = parts
    if not hmac.compare_digest(signature, _sign(secret, f"session|{digest}.{expires}.{nonce}")):
        return None
    if not expires.isdigit() or int(expires) < time.time():
        return None
    return digest, nonce


async def page_session(request: Request) -> PageSession:
    """The signed-in owner of a page request; without a live session, a redirect to sign in."""
    parts = _cookie_parts(session_secret(request), request.cookies.get(SESSION_COOKIE))
    owner = await request.app.state.keys.owner(request.app.state.settings, parts[0]) if parts else None
    if owner is None:
        raise SignInRequired(request.url.path)
    return PageSession(owner, csrf_token(session_secret(request), parts[1]))


def signin_nonce(request: Request) -> str | None:
    return request.cookies.get(SIGNIN_COOKIE)


async def require_csrf(request: Request, expected: str | None) -> None:
    """Refuse a form whose CSRF field is missing or is not the one its session was given."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()


async def checked_session(request: Request) -> PageSession:
    """A form post's session, with its CSRF token verified (a dependency of every page POST)."""
    session = await page_session(request)
    await require_csrf(request, session.csrf_token)
    return session


# What a page declares it depends on: a signed-in session, or one whose form also carries its CSRF token.
SignedIn = Annotated[PageSession, Depends(page_session)]
CheckedIn = Annotated[PageSession, Depends(checked_session)]


def signin_location(next_path: str) -> str:
    return f"/signin?next={quote(next_path, safe='/')}"
