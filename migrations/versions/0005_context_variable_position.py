"""context variables keep the user's order: a position column

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 04:40:00

Until now a work stream's context variables were listed by name (issue 10: "context
variables re-sorted alphabetically after save — keep the user's order").  Existing rows
get the positions of that name order, so every export stays byte-identical across the
upgrade; downgrading drops the column (the order falls back to names).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('context_variable', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
    connection = op.get_bind()
    rows = connection.execute(sa.text("select id, workstream_id, name from context_variable")).all()
    by_stream: dict[str, list] = {}
    for row in rows:
        by_stream.setdefault(row[1], []).append(row)
    updates = []
    for variables in by_stream.values():
        # The order exports used so far (app.config.io.sort_key): case-folded name, then the name.
        variables.sort(key=lambda row: (row[2].casefold(), row[2]))
        updates += [{"id": row[0], "position": position} for position, row in enumerate(variables) if position]
    if updates:
        connection.execute(sa.text("update context_variable set position = :position where id = :id"), updates)


def downgrade() -> None:
    with op.batch_alter_table('context_variable', schema=None) as batch_op:
        batch_op.drop_column('position')
