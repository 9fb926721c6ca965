"""Every request gets an id (the client's ``X-Request-ID`` if it is a short token, else a new one), carried
by its log lines and returned in the response's ``X-Request-ID``."""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logs import request_id

_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def with_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    """``send`` that adds ``headers`` to the response's start."""
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *headers]
        await send(message)
    return send_with_headers


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        current = given if _TOKEN.match(given) else uuid.uuid4().hex
        token = request_id.set(current)
        try:
            await self.app(scope, receive, with_headers(send, [(b"x-request-id", current.encode())]))
        finally:
            request_id.reset(token)
