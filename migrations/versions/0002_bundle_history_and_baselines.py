"""bundle history and baselines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 02:00:59.793546
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('baseline',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('source_database_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_baseline'))
    )
    op.create_table('bundle_history',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('file', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Integer(), nullable=False),
    sa.Column('baseline_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_history'))
    )
    with op.batch_alter_table('bundle_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_history_at'), ['at'], unique=False)

    op.create_table('baseline_object',
    sa.Column('baseline_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['baseline_id'], ['baseline.id'], name=op.f('fk_baseline_object_baseline_id_baseline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('baseline_id', 'kind', 'object_id', name=op.f('pk_baseline_object'))
    )


def downgrade() -> None:
    op.drop_table('baseline_object')
    with op.batch_alter_table('bundle_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_history_at'))

    op.drop_table('bundle_history')
    op.drop_table('baseline')
