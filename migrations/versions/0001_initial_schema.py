"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 01:53:17.999420

Also inserts the five base presences, which always exist.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from models.seed_ids import base_presence_rows


revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('presence',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('base', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('is_system', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_presence')),
    sa.UniqueConstraint('name', name=op.f('uq_presence_name'))
    )
    op.create_table('queue',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue')),
    sa.UniqueConstraint('name', name=op.f('uq_queue_name'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('agent',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('presence_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_agent_capacity_not_negative')),
    sa.ForeignKeyConstraint(['presence_id'], ['presence.id'], name=op.f('fk_agent_presence_id_presence'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent')),
    sa.UniqueConstraint('name', name=op.f('uq_agent_name'))
    )
    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_presence_id'), ['presence_id'], unique=False)

    op.create_table('workstream',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=24), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('auto_close_after_inactivity_s', sa.Integer(), nullable=False),
    sa.Column('distribution_mode', sa.String(length=8), nullable=False),
    sa.Column('notification', sa.String(length=24), nullable=False),
    sa.Column('screen_pop_timeout_s', sa.Integer(), nullable=False),
    sa.Column('allowed_presences', sa.JSON(), nullable=False),
    sa.Column('assign_after_decline_s', sa.Integer(), nullable=False),
    sa.Column('keep_same_agent', sa.Boolean(), nullable=False),
    sa.Column('wrap_up_block_s', sa.Integer(), nullable=False),
    sa.Column('default_queue_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_workstream_capacity_not_negative')),
    sa.CheckConstraint('wrap_up_block_s >= 0 AND wrap_up_block_s <= 43200', name=op.f('ck_workstream_wrap_up_range')),
    sa.ForeignKeyConstraint(['default_queue_id'], ['queue.id'], name=op.f('fk_workstream_default_queue_id_queue'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workstream')),
    sa.UniqueConstraint('name_key', name=op.f('uq_workstream_name_key'))
    )
    with op.batch_alter_table('workstream', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workstream_default_queue_id'), ['default_queue_id'], unique=False)

    op.create_table('channel',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('workstream_id', sa.String(length=36), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workstream_id'], ['workstream.id'], name=op.f('fk_channel_workstream_id_workstream'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel')),
    sa.UniqueConstraint('name', name=op.f('uq_channel_name'))
    )
    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_workstream_id'), ['workstream_id'], unique=False)

    op.create_table('context_variable',
    sa.Column('workstream_id', sa.String(length=36), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workstream_id'], ['workstream.id'], name=op.f('fk_context_variable_workstream_id_workstream'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_context_variable')),
    sa.UniqueConstraint('workstream_id', 'name', name=op.f('uq_context_variable_workstream_id_name'))
    )
    with op.batch_alter_table('context_variable', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_context_variable_workstream_id'), ['workstream_id'], unique=False)

    op.create_table('queue_member',
    sa.Column('queue_id', sa.String(length=36), nullable=False),
    sa.Column('agent_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_queue_member_agent_id_agent'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_queue_member_queue_id_queue'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('queue_id', 'agent_id', name=op.f('pk_queue_member'))
    )
    op.create_table('routing_rule_item',
    sa.Column('workstream_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('queue_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('condition', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_routing_rule_item_queue_id_queue'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['workstream_id'], ['workstream.id'], name=op.f('fk_routing_rule_item_workstream_id_workstream'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rule_item'))
    )
    with op.batch_alter_table('routing_rule_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_rule_item_queue_id'), ['queue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_routing_rule_item_workstream_id'), ['workstream_id'], unique=False)

    op.create_table('routing_test_case',
    sa.Column('workstream_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('expected_queue', sa.String(length=100), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workstream_id'], ['workstream.id'], name=op.f('fk_routing_test_case_workstream_id_workstream'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_test_case')),
    sa.UniqueConstraint('workstream_id', 'name', name=op.f('uq_routing_test_case_workstream_id_name'))
    )
    with op.batch_alter_table('routing_test_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_test_case_workstream_id'), ['workstream_id'], unique=False)


    presence = sa.table(
        'presence',
        *(sa.column(c) for c in ('id', 'name', 'base', 'text', 'is_system', 'created_at', 'modified_at', 'version')),
    )
    op.bulk_insert(presence, base_presence_rows())


def downgrade() -> None:
    with op.batch_alter_table('routing_test_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_test_case_workstream_id'))

    op.drop_table('routing_test_case')
    with op.batch_alter_table('routing_rule_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_rule_item_workstream_id'))
        batch_op.drop_index(batch_op.f('ix_routing_rule_item_queue_id'))

    op.drop_table('routing_rule_item')
    op.drop_table('queue_member')
    with op.batch_alter_table('context_variable', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_context_variable_workstream_id'))

    op.drop_table('context_variable')
    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_workstream_id'))

    op.drop_table('channel')
    with op.batch_alter_table('workstream', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workstream_default_queue_id'))

    op.drop_table('workstream')
    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_presence_id'))

    op.drop_table('agent')
    op.drop_table('setting')
    op.drop_table('queue')
    op.drop_table('presence')
