"""The headers a browser expects on every answer: a Content-Security-Policy that runs only the scripts the
service ships (``/static/app.js``, Plotly's bundle beside it; no inline script, no other origin), no framing,
no MIME sniffing, and no full URL (which holds campaign ids) sent to another site.

Styles may be inline: Plotly draws with style attributes and a ``<style>`` element it adds at run time.
FastAPI's own ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from a CDN with an inline script, so they
get every header but the CSP (they show the public OpenAPI document, no lab data).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from .request_ids import with_headers

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
_ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"x-frame-options", b"DENY")]
_WITH_POLICY = [*_ALWAYS, (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())]
_CDN_PAGES = ("/docs", "/redoc")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _ALWAYS if scope["path"].startswith(_CDN_PAGES) else _WITH_POLICY
        await self.app(scope, receive, with_headers(send, headers))
