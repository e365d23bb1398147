"""Check-in with location (#14 part 5): village coordinates, a check-in's location.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

WHEREABOUTS = ("location_lat", "location_lon", "location_accuracy_m", "location_distance_m")


def upgrade():
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("lon", sa.Float(), nullable=True))
    with op.batch_alter_table("whereabouts", schema=None) as batch_op:
        for name in WHEREABOUTS:
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table("whereabouts", schema=None) as batch_op:
        for name in reversed(WHEREABOUTS):
            batch_op.drop_column(name)
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.drop_column("lon")
        batch_op.drop_column("lat")
