"""Web hardening: outbound fetch sources, refusal audit.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
