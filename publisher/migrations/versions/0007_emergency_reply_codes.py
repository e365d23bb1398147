"""Emergency calls: short reply codes, reminders after acknowledgement, duty-roster steps.

``incident.reply_code`` is the short number a responder texts back ("回复 37 确认");
``incident.open_code`` holds "<township>:<code>" while the call is open and NULL once it is
closed, so the unique index keeps a code unambiguous among a township's open calls.
``incident.acknowledged_digest`` names the number that acknowledged (reminders go to it).
``incident.location_enc``: where the household's phone was, when the person pressing chose
to send it (encrypted like every other personal value).
``escalation_policy.reminder_minutes``: an acknowledged call nobody resolves is re-notified
this often (0 = never). ``escalation_step.fallback_responder_id``: whom a duty-roster step
reaches when nobody is on duty today.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_code", sa.String(length=4), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("open_code", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_digest", sa.String(length=64),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("location_enc", sa.Text(), nullable=False,
                                      server_default=""))
        batch_op.create_index("ix_incident_open_code", ["open_code"], unique=True)
    with op.batch_alter_table("escalation_policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_minutes", sa.Integer(), nullable=False,
                                      server_default="30"))
    with op.batch_alter_table("escalation_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fallback_responder_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_escalation_step_fallback", "responder",
                                    ["fallback_responder_id"], ["id"])


def downgrade():
    with op.batch_alter_table("escalation_step", schema=None) as batch_op:
        batch_op.drop_constraint("fk_escalation_step_fallback", type_="foreignkey")
        batch_op.drop_column("fallback_responder_id")
    with op.batch_alter_table("escalation_policy", schema=None) as batch_op:
        batch_op.drop_column("reminder_minutes")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_open_code")
        batch_op.drop_column("location_enc")
        batch_op.drop_column("acknowledged_digest")
        batch_op.drop_column("open_code")
        batch_op.drop_column("reply_code")
