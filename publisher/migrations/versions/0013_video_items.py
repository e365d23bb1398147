"""Video items (#17) (placeholder reserved for one engineer; fill in or leave empty).

Revision ID: 0013
Revises: 0012
"""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
