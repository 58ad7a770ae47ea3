"""baseline ids are SHA-256 hex digests (64 characters), source ids up to 200

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 03:00:00

0002 declared them VARCHAR(36) (the length of a UUID): SQLite ignores lengths,
PostgreSQL refuses the 64-character ids bundles are recorded under.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('baseline', schema=None) as batch_op:
        batch_op.alter_column('id', existing_type=sa.String(length=36), type_=sa.String(length=64),
                              existing_nullable=False)
        batch_op.alter_column('source_database_id', existing_type=sa.String(length=36),
                              type_=sa.String(length=200), existing_nullable=False)
    with op.batch_alter_table('baseline_object', schema=None) as batch_op:
        batch_op.alter_column('baseline_id', existing_type=sa.String(length=36), type_=sa.String(length=64),
                              existing_nullable=False)
    with op.batch_alter_table('bundle_history', schema=None) as batch_op:
        batch_op.alter_column('baseline_id', existing_type=sa.String(length=36), type_=sa.String(length=64),
                              existing_nullable=True)


def downgrade() -> None:
    # Back to 36 characters: baselines recorded under 64-character ids cannot be kept.
    op.execute("DELETE FROM baseline_object")
    op.execute("DELETE FROM baseline")
    op.execute("UPDATE bundle_history SET baseline_id = NULL")
    with op.batch_alter_table('bundle_history', schema=None) as batch_op:
        batch_op.alter_column('baseline_id', existing_type=sa.String(length=64), type_=sa.String(length=36),
                              existing_nullable=True)
    with op.batch_alter_table('baseline_object', schema=None) as batch_op:
        batch_op.alter_column('baseline_id', existing_type=sa.String(length=64), type_=sa.String(length=36),
                              existing_nullable=False)
    with op.batch_alter_table('baseline', schema=None) as batch_op:
        batch_op.alter_column('id', existing_type=sa.String(length=64), type_=sa.String(length=36),
                              existing_nullable=False)
        batch_op.alter_column('source_database_id', existing_type=sa.String(length=200),
                              type_=sa.String(length=36), existing_nullable=False)
