"""Narration: pages read aloud per channel and per content item (on by default).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("narration", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table("content_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("narration", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("content_item", schema=None) as batch_op:
        batch_op.drop_column("narration")
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_column("narration")
