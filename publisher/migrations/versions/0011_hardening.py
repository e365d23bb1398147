"""Web hardening: an index for the refusal audit's rate limit.

Each refused request counts the recent refusals of its address in the audit log
(publisher.security.refusals); the index keeps that cheap however long the append-only
log grows.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEX = "ix_audit_event_action_addr_at"


def upgrade():
    op.create_index(INDEX, "audit_event", ["action", "remote_addr", "at"])


def downgrade():
    op.drop_index(INDEX, table_name="audit_event")
