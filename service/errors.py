"""Errors the service raises on bad requests; each becomes an HTTP status in the API and exit code 2 in the CLI."""

from __future__ import annotations

from interlayer.models.errors import InterlayerError


class ServiceInputError(InterlayerError):
    """A request the service cannot accept; ``location`` names the field (``["body", "rows", 2, "recipe"]``)."""

    def __init__(self, message: str, location: list | None = None, errors: list[dict] | None = None):
        super().__init__(message)
        self.location = location or ["body"]
        self.errors = errors


class NotFound(InterlayerError):
    """No such object for this owner (another owner's objects are not found either)."""


class Conflict(InterlayerError):
    """The request clashes with stored state (an Idempotency-Key reused with another body, ...)."""
