"""Channels get their own time zone and schedule; content versions get a priority.

``channel.timezone`` empty means the township's zone, which is what every channel used
until now; ``channel.schedule`` NULL means the default schedule (every category all day,
fixed shares). Existing versions keep priority 0 (普通), the value plans carried so far.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("schedule", sa.JSON(), nullable=True))
    with op.batch_alter_table("content_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade():
    with op.batch_alter_table("content_version", schema=None) as batch_op:
        batch_op.drop_column("priority")
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_column("schedule")
        batch_op.drop_column("timezone")
