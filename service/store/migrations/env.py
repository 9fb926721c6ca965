"""Alembic environment: ``interlayer.service.store.db.migrate`` hands it an open connection."""

from alembic import context

from interlayer.service.store.tables import Base

config = context.config
context.configure(connection=config.attributes["connection"], target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
