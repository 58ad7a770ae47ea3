"""work distribution: skills, capacity profiles, queue priority, operating hours, overflow, splits

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 17:33:22

The tables and columns of configuration document version 2 (docs/notes/distdata.md).
Existing rows get the version 1 meaning: queues at priority 10,000 assigned by highest
capacity and always open, unit-based work streams without skill matching.  A queue's
operating hours are one JSON value (read and written whole, never queried by parts);
everything that names another object (skills, profiles, queues) is a row with a
foreign key, so deleting a used object is refused by the database too.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('capacity_profile',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('work_item_limit', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('work_item_limit >= 1 AND work_item_limit <= 100', name=op.f('ck_capacity_profile_work_item_limit_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_profile')),
    sa.UniqueConstraint('name', name=op.f('uq_capacity_profile_name'))
    )
    op.create_table('rating_model',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_model')),
    sa.UniqueConstraint('name', name=op.f('uq_rating_model_name'))
    )
    op.create_table('overflow_rule',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('queue_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('condition', sa.String(length=24), nullable=False),
    sa.Column('waiting_limit', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('target_queue_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.String(length=100), nullable=False),
    sa.CheckConstraint('waiting_limit IS NULL OR (waiting_limit >= 1 AND waiting_limit <= 100)', name=op.f('ck_overflow_rule_waiting_limit_range')),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_overflow_rule_queue_id_queue'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_queue_id'], ['queue.id'], name=op.f('fk_overflow_rule_target_queue_id_queue'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_overflow_rule')),
    sa.UniqueConstraint('queue_id', 'position', name=op.f('uq_overflow_rule_queue_id_position'))
    )
    with op.batch_alter_table('overflow_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overflow_rule_queue_id'), ['queue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_overflow_rule_target_queue_id'), ['target_queue_id'], unique=False)

    op.create_table('rating_value',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rating_model_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.CheckConstraint('position >= 0', name=op.f('ck_rating_value_position_not_negative')),
    sa.ForeignKeyConstraint(['rating_model_id'], ['rating_model.id'], name=op.f('fk_rating_value_rating_model_id_rating_model'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_value')),
    sa.UniqueConstraint('rating_model_id', 'position', name=op.f('uq_rating_value_rating_model_id_position'))
    )
    with op.batch_alter_table('rating_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_value_rating_model_id'), ['rating_model_id'], unique=False)

    op.create_table('skill',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('rating_model_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rating_model_id'], ['rating_model.id'], name=op.f('fk_skill_rating_model_id_rating_model'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill')),
    sa.UniqueConstraint('name', name=op.f('uq_skill_name'))
    )
    with op.batch_alter_table('skill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_rating_model_id'), ['rating_model_id'], unique=False)

    op.create_table('agent_capacity_profile',
    sa.Column('agent_id', sa.String(length=36), nullable=False),
    sa.Column('capacity_profile_id', sa.String(length=36), nullable=False),
    sa.Column('work_item_limit', sa.Integer(), nullable=False),
    sa.CheckConstraint('work_item_limit >= 1 AND work_item_limit <= 100', name=op.f('ck_agent_capacity_profile_work_item_limit_range')),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_agent_capacity_profile_agent_id_agent'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['capacity_profile_id'], ['capacity_profile.id'], name=op.f('fk_agent_capacity_profile_capacity_profile_id_capacity_profile'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('agent_id', 'capacity_profile_id', name=op.f('pk_agent_capacity_profile'))
    )
    with op.batch_alter_table('agent_capacity_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_capacity_profile_capacity_profile_id'), ['capacity_profile_id'], unique=False)

    op.create_table('agent_skill',
    sa.Column('agent_id', sa.String(length=36), nullable=False),
    sa.Column('skill_id', sa.String(length=36), nullable=False),
    sa.Column('rating', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_agent_skill_agent_id_agent'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skill.id'], name=op.f('fk_agent_skill_skill_id_skill'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('agent_id', 'skill_id', name=op.f('pk_agent_skill'))
    )
    with op.batch_alter_table('agent_skill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_skill_skill_id'), ['skill_id'], unique=False)

    op.create_table('classification_rule',
    sa.Column('workstream_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('condition', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workstream_id'], ['workstream.id'], name=op.f('fk_classification_rule_workstream_id_workstream'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classification_rule'))
    )
    with op.batch_alter_table('classification_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classification_rule_workstream_id'), ['workstream_id'], unique=False)

    op.create_table('classification_skill',
    sa.Column('rule_id', sa.String(length=36), nullable=False),
    sa.Column('skill_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['classification_rule.id'], name=op.f('fk_classification_skill_rule_id_classification_rule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skill.id'], name=op.f('fk_classification_skill_skill_id_skill'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('rule_id', 'skill_id', name=op.f('pk_classification_skill'))
    )
    with op.batch_alter_table('classification_skill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classification_skill_skill_id'), ['skill_id'], unique=False)

    op.create_table('routing_rule_target',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rule_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.String(length=36), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.CheckConstraint('percent >= 1 AND percent <= 99', name=op.f('ck_routing_rule_target_percent_range')),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_routing_rule_target_queue_id_queue'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rule_id'], ['routing_rule_item.id'], name=op.f('fk_routing_rule_target_rule_id_routing_rule_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rule_target')),
    sa.UniqueConstraint('rule_id', 'position', name=op.f('uq_routing_rule_target_rule_id_position'))
    )
    with op.batch_alter_table('routing_rule_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_rule_target_queue_id'), ['queue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_routing_rule_target_rule_id'), ['rule_id'], unique=False)

    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='10000', nullable=False))
        batch_op.add_column(sa.Column('assignment_method', sa.String(length=24), server_default='highest_capacity', nullable=False))
        batch_op.add_column(sa.Column('operating_hours', sa.JSON(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_queue_priority_range'), 'priority >= 1 AND priority <= 10000')

    with op.batch_alter_table('routing_rule_item', schema=None) as batch_op:
        batch_op.alter_column('queue_id',
               existing_type=sa.VARCHAR(length=36),
               nullable=True)

    with op.batch_alter_table('workstream', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity_format', sa.String(length=8), server_default='units', nullable=False))
        batch_op.add_column(sa.Column('capacity_profile_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('skill_matching', sa.String(length=8), server_default='none', nullable=False))
        batch_op.add_column(sa.Column('missed_notification_presence_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('decline_reasons', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('reconnect_window_s', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_workstream_capacity_profile_id'), ['capacity_profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workstream_missed_notification_presence_id'), ['missed_notification_presence_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_workstream_missed_notification_presence_id_presence'), 'presence', ['missed_notification_presence_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_workstream_capacity_profile_id_capacity_profile'), 'capacity_profile', ['capacity_profile_id'], ['id'], ondelete='RESTRICT')



def downgrade() -> None:
    with op.batch_alter_table('workstream', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_workstream_capacity_profile_id_capacity_profile'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_workstream_missed_notification_presence_id_presence'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_workstream_missed_notification_presence_id'))
        batch_op.drop_index(batch_op.f('ix_workstream_capacity_profile_id'))
        batch_op.drop_column('reconnect_window_s')
        batch_op.drop_column('decline_reasons')
        batch_op.drop_column('missed_notification_presence_id')
        batch_op.drop_column('skill_matching')
        batch_op.drop_column('capacity_profile_id')
        batch_op.drop_column('capacity_format')

    # A split rule goes back to one queue: its largest share (the first of equal shares).
    op.execute(
        "UPDATE routing_rule_item SET queue_id = (SELECT t.queue_id FROM routing_rule_target t"
        " WHERE t.rule_id = routing_rule_item.id ORDER BY t.percent DESC, t.position LIMIT 1)"
        " WHERE queue_id IS NULL"
    )
    with op.batch_alter_table('routing_rule_item', schema=None) as batch_op:
        batch_op.alter_column('queue_id',
               existing_type=sa.VARCHAR(length=36),
               nullable=False)

    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_queue_priority_range'), type_='check')
        batch_op.drop_column('operating_hours')
        batch_op.drop_column('assignment_method')
        batch_op.drop_column('priority')

    with op.batch_alter_table('routing_rule_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_rule_target_rule_id'))
        batch_op.drop_index(batch_op.f('ix_routing_rule_target_queue_id'))

    op.drop_table('routing_rule_target')
    with op.batch_alter_table('classification_skill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classification_skill_skill_id'))

    op.drop_table('classification_skill')
    with op.batch_alter_table('classification_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classification_rule_workstream_id'))

    op.drop_table('classification_rule')
    with op.batch_alter_table('agent_skill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_skill_skill_id'))

    op.drop_table('agent_skill')
    with op.batch_alter_table('agent_capacity_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_capacity_profile_capacity_profile_id'))

    op.drop_table('agent_capacity_profile')
    with op.batch_alter_table('skill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_rating_model_id'))

    op.drop_table('skill')
    with op.batch_alter_table('rating_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_value_rating_model_id'))

    op.drop_table('rating_value')
    with op.batch_alter_table('overflow_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overflow_rule_target_queue_id'))
        batch_op.drop_index(batch_op.f('ix_overflow_rule_queue_id'))

    op.drop_table('overflow_rule')
    op.drop_table('rating_model')
    op.drop_table('capacity_profile')
