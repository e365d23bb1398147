"""Accounts: revocable sessions, forced password change, login throttling records.

Revision ID: 0010
Revises: 0009
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_key", sa.String(32), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("demo_password", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # Each existing account gets a key of its own: sessions made before this upgrade carry
    # none, so they end and everyone logs in once more.
    bind = op.get_bind()
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("session_key", sa.String))
    for (user_id,) in bind.execute(sa.select(user.c.id)).all():
        bind.execute(user.update().where(user.c.id == user_id)
                     .values(session_key=secrets.token_hex(16)))
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("remote_addr", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_username"), ["username"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_remote_addr"), ["remote_addr"],
                              unique=False)


def downgrade():
    op.drop_table("login_failure")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("demo_password")
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("session_key")
