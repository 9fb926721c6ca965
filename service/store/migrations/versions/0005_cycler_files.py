"""Battery-tester files kept with their cell (issue 27): the bytes, their hash, instrument, reader and version,
uploader and time, the analysis; one row per cell and content.

Revision ID: 0005
Revises: 0004 (published sets)
"""

import sqlalchemy as sa
from alembic import op

from interlayer.service.store.tables import Document, Timestamp

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'cycler_files',
        sa.Column('id', sa.String(length=32), primary_key=True),
        sa.Column('campaign_id', sa.String(length=32), sa.ForeignKey('campaigns.id'), nullable=False),
        sa.Column('measurement_id', sa.String(length=32), sa.ForeignKey('measurements.id'), nullable=True),
        sa.Column('cell_key', sa.String(length=200), nullable=False),
        sa.Column('recipe', sa.String(length=64), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('instrument', sa.String(length=64), nullable=False),
        sa.Column('reader', sa.String(length=64), nullable=False),
        sa.Column('area_cm2', sa.Float(), nullable=False),
        sa.Column('test_ended', sa.Boolean(), nullable=False),
        sa.Column('uploader', sa.String(length=200), nullable=False),
        sa.Column('uploaded_at', Timestamp(), nullable=False),
        sa.Column('job_id', sa.String(length=32), sa.ForeignKey('jobs.id'), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('result', Document(), nullable=True),
        sa.Column('previous', Document(), nullable=True),
        sa.UniqueConstraint('cell_key', 'content_sha256', name='uq_cycler_files_cell_content'),
    )
    op.create_index('ix_cycler_files_campaign_id', 'cycler_files', ['campaign_id'])
    op.create_index('ix_cycler_files_measurement_id', 'cycler_files', ['measurement_id'])


def downgrade() -> None:
    op.drop_index('ix_cycler_files_measurement_id', table_name='cycler_files')
    op.drop_index('ix_cycler_files_campaign_id', table_name='cycler_files')
    op.drop_table('cycler_files')
