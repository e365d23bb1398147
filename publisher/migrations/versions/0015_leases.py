"""Channel and job leases across nodes (#16) (placeholder reserved for one engineer; fill in or leave empty).

Revision ID: 0015
Revises: 0014
"""

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
