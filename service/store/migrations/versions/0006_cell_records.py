"""Cells as a lab files them (issue 25): the electrolyte, the test temperature (the current and capacity are
the cell's condition already), when the cell was built and when its test began, the sample id and a note.
All optional: existing rows have none.

Revision ID: 0006
Revises: 0005 (cycler files)
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = (('electrolyte', sa.String(length=200)), ('temperature_c', sa.Float()), ('built_on', sa.Date()),
           ('tested_on', sa.Date()), ('sample_id', sa.String(length=200)), ('note', sa.Text()))


def upgrade() -> None:
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
