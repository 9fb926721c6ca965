"""One row per (campaign, cell), enforced by the database; API keys record their last use and may expire.

Concurrent reports of one cell could each insert a row before. The copies are folded into the one
with the most hours (the latest report of a cell that only rises), and the campaigns that had copies
move to a new data version so that their recommendation is refitted.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from interlayer.service.store.tables import Timestamp

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_COPIED = """SELECT campaign_id FROM measurements WHERE cell_id IS NOT NULL
             GROUP BY campaign_id, cell_id HAVING COUNT(*) > 1"""
_KEPT = """SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY campaign_id, cell_id
                                                       ORDER BY lifetime_h DESC, updated_at DESC, id) AS place
                           FROM measurements WHERE cell_id IS NOT NULL) AS ranked
           WHERE place = 1"""


def upgrade() -> None:
    op.execute(f"UPDATE campaigns SET data_version = data_version + 1 WHERE id IN ({_COPIED})")
    op.execute(f"DELETE FROM measurements WHERE cell_id IS NOT NULL AND id NOT IN ({_KEPT})")
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_measurements_campaign_cell', ['campaign_id', 'cell_id'])
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', Timestamp(), nullable=True))
        batch_op.add_column(sa.Column('expires_at', Timestamp(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('last_used_at')
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.drop_constraint('uq_measurements_campaign_cell', type_='unique')
