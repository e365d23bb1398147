"""The channel's UDP output: on/off, mux rate and the SDT provider name.

Existing channels keep their address and send as before (``udp_paused`` false), at the
profile's default rate (``udp_muxrate_kbps`` 0) with the township as provider.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("udp_paused", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("udp_muxrate_kbps", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("udp_provider", sa.String(length=80), nullable=False,
                                      server_default=""))


def downgrade():
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_column("udp_provider")
        batch_op.drop_column("udp_muxrate_kbps")
        batch_op.drop_column("udp_paused")
