"""Residents' requests (群众诉求, #14 part 4): resident_request and its event log.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

REQUEST_INDEXES = ("township_id", "village_id", "category", "phone_digest", "received_at",
                   "status", "cadre_id", "deadline", "closed_at")


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table(
        "resident_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("text_enc", sa.Text(), nullable=False),
        sa.Column("resident_name_enc", sa.Text(), nullable=False),
        sa.Column("phone_enc", sa.Text(), nullable=False),
        sa.Column("phone_digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("sms_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("cadre_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=True),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("followed_up_at", sa.DateTime(), nullable=True),
        sa.Column("satisfaction", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("resident_request", "township_id", "township"),
        _fk("resident_request", "village_id", "village"),
        _fk("resident_request", "sms_id", "sms_message"),
        _fk("resident_request", "received_by_id", "user"),
        _fk("resident_request", "cadre_id", "cadre"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_request")),
    )
    with op.batch_alter_table("resident_request", schema=None) as batch_op:
        for column in REQUEST_INDEXES:
            batch_op.create_index(batch_op.f(f"ix_resident_request_{column}"), [column],
                                  unique=False)
    op.create_table(
        "resident_request_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=False),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("sms_id", sa.Integer(), nullable=True),
        _fk("resident_request_event", "request_id", "resident_request"),
        _fk("resident_request_event", "user_id", "user"),
        _fk("resident_request_event", "sms_id", "sms_message"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_request_event")),
    )
    with op.batch_alter_table("resident_request_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_request_event_request_id"), ["request_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("resident_request_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_request_event_request_id"))
    op.drop_table("resident_request_event")
    with op.batch_alter_table("resident_request", schema=None) as batch_op:
        for column in reversed(REQUEST_INDEXES):
            batch_op.drop_index(batch_op.f(f"ix_resident_request_{column}"))
    op.drop_table("resident_request")
