"""The HTTP edge (FastAPI): one router per resource; a route validates, calls one use case, answers."""

from .app import create_app

__all__ = ["create_app"]
