"""Initial schema: api keys, campaigns, proposals, measurements, simulations, jobs, recommendations.

Revision ID: 0001
Revises: 
"""

import sqlalchemy as sa
from alembic import op

from interlayer.service.store.tables import Document, Timestamp

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _create_api_keys()
    _create_campaigns()
    _create_idempotent_requests()
    _create_simulations()
    _create_jobs()
    _create_recommendations()
    _create_proposals()
    _create_measurements()


def _create_api_keys() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', Timestamp(), nullable=False),
    sa.Column('revoked_at', Timestamp(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_owner'), ['owner'], unique=False)


def _create_campaigns() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('metal', sa.String(length=8), nullable=False),
    sa.Column('space', Document(), nullable=False),
    sa.Column('options', Document(), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('created_at', Timestamp(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_owner'), ['owner'], unique=False)


def _create_idempotent_requests() -> None:
    op.create_table('idempotent_requests',
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', Document(), nullable=False),
    sa.Column('created_at', Timestamp(), nullable=False),
    sa.PrimaryKeyConstraint('owner', 'key')
    )


def _create_simulations() -> None:
    op.create_table('simulations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=False),
    sa.Column('metal', sa.String(length=8), nullable=False),
    sa.Column('recipe', sa.String(length=64), nullable=False),
    sa.Column('parameters', Document(), nullable=False),
    sa.Column('result', Document(), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', Timestamp(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )


def _create_jobs() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('campaign_id', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('input', Document(), nullable=False),
    sa.Column('result', Document(), nullable=True),
    sa.Column('simulation_key', sa.String(length=64), nullable=True),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('heartbeat_at', Timestamp(), nullable=True),
    sa.Column('published_at', Timestamp(), nullable=True),
    sa.Column('created_at', Timestamp(), nullable=False),
    sa.Column('started_at', Timestamp(), nullable=True),
    sa.Column('finished_at', Timestamp(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_owner'), ['owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_simulation_key'), ['simulation_key'], unique=False)
        batch_op.create_index('ix_jobs_status_heartbeat', ['status', 'heartbeat_at'], unique=False)


def _create_recommendations() -> None:
    op.create_table('recommendations',
    sa.Column('campaign_id', sa.String(length=32), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('document', Document(), nullable=False),
    sa.Column('created_at', Timestamp(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.PrimaryKeyConstraint('campaign_id')
    )


def _create_proposals() -> None:
    op.create_table('proposals',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('campaign_id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('recipe', sa.String(length=64), nullable=False),
    sa.Column('document', Document(), nullable=False),
    sa.Column('created_at', Timestamp(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_job_id'), ['job_id'], unique=False)


def _create_measurements() -> None:
    op.create_table('measurements',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('campaign_id', sa.String(length=32), nullable=False),
    sa.Column('proposal_id', sa.String(length=32), nullable=True),
    sa.Column('recipe', sa.String(length=64), nullable=False),
    sa.Column('lifetime_h', sa.Float(), nullable=False),
    sa.Column('censored', sa.Boolean(), nullable=False),
    sa.Column('overpotential_mv', sa.Float(), nullable=True),
    sa.Column('cell_id', sa.String(length=200), nullable=True),
    sa.Column('condition', Document(), nullable=True),
    sa.Column('created_at', Timestamp(), nullable=False),
    sa.Column('updated_at', Timestamp(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurements_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measurements_proposal_id'), ['proposal_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurements_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_measurements_campaign_id'))

    op.drop_table('measurements')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_job_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_campaign_id'))

    op.drop_table('proposals')
    op.drop_table('recommendations')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_status_heartbeat')
        batch_op.drop_index(batch_op.f('ix_jobs_simulation_key'))
        batch_op.drop_index(batch_op.f('ix_jobs_owner'))
        batch_op.drop_index(batch_op.f('ix_jobs_campaign_id'))

    op.drop_table('jobs')
    op.drop_table('simulations')
    op.drop_table('idempotent_requests')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_owner'))

    op.drop_table('campaigns')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_owner'))

    op.drop_table('api_keys')
