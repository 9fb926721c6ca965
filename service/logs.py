"""Structured logs: one JSON object per line with the request's or the job's id, for every service process.

What a line never holds: an API key (only its owner is known past authentication), a password (URLs
are printed with ``hide_password``), SQL parameters (engines are made with ``hide_parameters``).
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
job_id: ContextVar[str | None] = ContextVar("job_id", default=None)


class _Context(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id, record.job_id = request_id.get(), job_id.get()
        return True


def configure_logging(level: str = "WARNING") -> None:
    """Send this process's logs to stderr as JSON lines carrying ``request_id`` and ``job_id``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Context())
    handler.setFormatter(JsonFormatter("{asctime}{levelname}{name}{message}{request_id}{job_id}", style="{",
                                       rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
