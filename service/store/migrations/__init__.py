"""Alembic migrations of the service database (run by ``interlayer serve`` and ``interlayer worker``)."""
