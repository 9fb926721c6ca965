"""Dashboard sessions without a browser: the cookie holds no key, a tampered or expired one is refused,
CSRF tokens are bound to their session, and a sign-in never redirects off the site."""

from __future__ import annotations

import time

from interlayer.service.http.pages import session
from interlayer.service.http.pages.signin import _safe_next
from interlayer.service.usecases.keys import hash_key

SECRET = b"s" * 32


def test_a_session_cookie_names_the_keys_digest_not_the_key():
    cookie = session.session_cookie(SECRET, "il_secret-key")
    assert "il_secret-key" not in cookie
    digest, nonce = session._cookie_parts(SECRET, cookie)
    assert digest == hash_key("il_secret-key") and nonce


def test_tampered_foreign_or_expired_cookies_are_refused(monkeypatch):
    cookie = session.session_cookie(SECRET, "il_key")
    digest, expires, nonce, signature = cookie.split(".")
    assert session._cookie_parts(SECRET, f"{hash_key('il_other')}.{expires}.{nonce}.{signature}") is None
    assert session._cookie_parts(SECRET, f"{digest}.{int(expires) + 10**6}.{nonce}.{signature}") is None
    assert session._cookie_parts(b"another server's secret", cookie) is None
    assert session._cookie_parts(SECRET, "") is None and session._cookie_parts(SECRET, None) is None
    monkeypatch.setattr(time, "time", lambda: int(expires) + 1)
    assert session._cookie_parts(SECRET, cookie) is None


def test_csrf_tokens_differ_between_sessions_and_secrets():
    assert session.csrf_token(SECRET, "nonce-a") == session.csrf_token(SECRET, "nonce-a")
    assert session.csrf_token(SECRET, "nonce-a") != session.csrf_token(SECRET, "nonce-b")
    assert session.csrf_token(SECRET, "nonce-a") != session.csrf_token(b"x" * 32, "nonce-a")


def test_sign_in_returns_only_to_a_page_of_this_site():
    assert _safe_next("/campaigns/cmp_1") == "/campaigns/cmp_1"
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "", None):
        assert _safe_next(elsewhere) == "/campaigns"
