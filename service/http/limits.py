"""Request hygiene before any route runs: bodies bounded in size, JSON bodies that are UTF-8, shallow,
finite and free of NUL characters and lone surrogates, form fields likewise. Each refusal is a 4xx
naming where and why.

A pure ASGI middleware, so that an oversized body is refused from its ``Content-Length`` (or, when it
is streamed, as soon as it passes the limit) without being read whole, and a good body is handed on
unchanged.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..usecases.cycler_files import MAX_FILE_BYTES
from .responses import error_body

# A measurement batch of 1,000 rows is about 150 kB; simulation sweeps of 1,000 about 200 kB.
MAX_BODY_BYTES = 2_000_000
# A tester's file upload: the file's limit (usecases/cycler_files.py) and room for the form's other fields.
MAX_FILE_BODY_BYTES = MAX_FILE_BYTES + 100_000
# The deepest body a route takes is 4 levels ({"simulations": [{"parameters": {...}}]}).
MAX_JSON_DEPTH = 32
# What an error message may quote of the input.
QUOTE_CHARS = 40


class BodyRefused(Exception):
    def __init__(self, status: int, location: list, message: str):
        super().__init__(message)
        self.status, self.location = status, location


def quoted(text: str) -> str:
    """``text`` as an error message may show it: short, so a refusal never echoes a large input."""
    return repr(text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…")


def _refuse_constant(name: str) -> Any:
    raise BodyRefused(422, ["body"], f"{name} is not a number JSON allows; send finite numbers")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyRefused(422, ["body"], f"the number {quoted(text)} is out of range")
    return value


def _check_string(text: str, location: list) -> None:
    if "\x00" in text:
        raise BodyRefused(422, location, "text may not contain NUL characters (\\u0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BodyRefused(422, location, "text may not contain lone surrogates (\\ud800-\\udfff)") from None


def check_document(value: Any, location: list | None = None) -> None:
    """Refuse a parsed JSON document that nests too deep or holds unusable text (keys included)."""
    location = location or ["body"]
    if len(location) > MAX_JSON_DEPTH:
        raise BodyRefused(422, location[:3], f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, str):
        _check_string(value, location)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_document(item, [*location, index])
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_string(key, location)
            check_document(item, [*location, key])


def parse_json_body(raw: bytes) -> Any:
    """The body as JSON under the rules above; BodyRefused says where it breaks them."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyRefused(400, ["body"], f"the body is not UTF-8 (byte {error.start})") from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise BodyRefused(422, ["body"], f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except json.JSONDecodeError as error:
        raise BodyRefused(422, ["body"], f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    check_document(document)
    return document


def check_form_body(raw: bytes) -> None:
    """A web form's fields: UTF-8 text without NUL characters (the pages' forms post these)."""
    try:
        fields = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise BodyRefused(400, ["body"], "the form is not UTF-8 text") from None
    for name, value in fields:
        _check_string(name, ["body"])
        _check_string(value, ["body", name[:QUOTE_CHARS]])


class RequestLimits:
    """Refuse oversized bodies (413) and unusable JSON bodies (400/422) before the application sees them."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES, max_file_bytes: int = MAX_FILE_BODY_BYTES):
        self.app, self.max_body_bytes, self.max_file_bytes = app, max_body_bytes, max_file_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            await _answer(send, BodyRefused(422, ["path"], "the URL may not contain NUL characters"))
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        try:
            declared = int(headers.get("content-length", "0") or 0)
        except ValueError:
            declared = 0
        # a tester's file (routes/cycler_files.py) may be far larger than any JSON body
        limit = self.max_file_bytes if scope["path"].endswith("/files") else self.max_body_bytes
        try:
            if declared > limit:
                raise BodyRefused(413, ["body"], f"the body is {declared} bytes; the limit is {limit}")
            body = await self._read(receive, limit)
            media_type = headers.get("content-type", "").split(";")[0].strip()
            if media_type in ("application/json", "") and body.strip():
                parse_json_body(body)
            elif media_type == "application/x-www-form-urlencoded":
                check_form_body(body)
        except BodyRefused as refused:
            await _answer(send, refused)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive, limit: int) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BodyRefused(413, ["body"], f"the body passed the limit of {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body once, then the client's own messages (a disconnect, when it comes)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return replay


async def _answer(send: Send, refused: BodyRefused) -> None:
    payload = json.dumps(error_body(refused.location, str(refused))).encode()
    await send({"type": "http.response.start", "status": refused.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})
