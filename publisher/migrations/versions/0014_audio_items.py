"""Recorded announcements (#17) (placeholder reserved for one engineer; fill in or leave empty).

Revision ID: 0014
Revises: 0013
"""

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
