"""Requests the service refuses. The HTTP edge maps each to a status (422, 404, 409), the CLI to exit code 2.

Apart from ``InterlayerError`` on purpose: that one says the physics or a recipe is impossible; these
say a request clashes with what is stored or with who is asking.
"""

from __future__ import annotations


class RequestRefused(Exception):
    """Base class of the service's refusals."""


class ServiceInputError(RequestRefused):
    """A request the service cannot accept; ``location`` names the field (``["body", "rows", 2, "recipe"]``)."""

    def __init__(self, message: str, location: list | None = None, errors: list[dict] | None = None):
        super().__init__(message)
        self.location = location or ["body"]
        self.errors = errors


class NotFound(RequestRefused):
    """No such object for this owner (another owner's objects are not found either)."""


class Conflict(RequestRefused):
    """The request clashes with stored state (an Idempotency-Key reused with another body, ...)."""


class UnsupportedMedia(RequestRefused):
    """A file of a format the service does not read (HTTP 415); the message names the export to use instead."""
