"""Published sets an owner imports: cells reported in the literature, with their provenance; one name per owner.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from interlayer.service.store.tables import Document, Timestamp

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('published_sets',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('cells', Document(), nullable=False),
    sa.Column('created_at', Timestamp(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner', 'name', name='uq_published_sets_owner_name')
    )


def downgrade() -> None:
    op.drop_table('published_sets')
