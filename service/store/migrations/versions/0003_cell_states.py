"""Cells as labs record them: a state per cell (running, stopped, shorted, failed), the reason a cell
failed, and no lifetime for a failed cell.

Existing rows keep their meaning: a censored cell was one still running (its bound could rise), an
uncensored one had shorted; ``state`` is backfilled so.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('failure_reason', sa.Text(), nullable=True))
    op.execute("UPDATE measurements SET state = CASE WHEN censored THEN 'running' ELSE 'shorted' END")
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.alter_column('state', existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column('lifetime_h', existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    # failed cells have no lifetime: they cannot be kept in the older schema
    op.execute("DELETE FROM measurements WHERE lifetime_h IS NULL")
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.alter_column('lifetime_h', existing_type=sa.Float(), nullable=False)
        batch_op.drop_column('failure_reason')
        batch_op.drop_column('state')
