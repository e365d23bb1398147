"""Received SMS remember the township of the phone that sent them.

The staff SMS page lists only the user's township's messages (and strangers' ones, which
belong to nobody yet). The router fills ``township_id`` when it matches the sender; rows
received before are filled here from what they were matched to.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# related_type → how to find its township from ``related_id``.
BACKFILL = {
    "incident": "SELECT township_id FROM incident WHERE id = sms_message.related_id",
    "household": "SELECT township_id FROM household WHERE id = sms_message.related_id",
    "responder": "SELECT township_id FROM responder WHERE id = sms_message.related_id",
    "whereabouts": "SELECT cadre.township_id FROM whereabouts JOIN cadre "
                   "ON cadre.id = whereabouts.cadre_id "
                   "WHERE whereabouts.id = sms_message.related_id",
}


def upgrade():
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("township_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sms_message_township_id"), ["township_id"],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_sms_message_township_id_township"),
                                    "township", ["township_id"], ["id"])
    for related_type, query in BACKFILL.items():
        op.execute(f"UPDATE sms_message SET township_id = ({query}) "  # noqa: S608 - constants
                   f"WHERE direction = 'in' AND related_type = '{related_type}'")
    # Unmatched texts from a cadre's phone (a garbled check-in): the cadre's township, when
    # the number is registered in one township only.
    op.execute("UPDATE sms_message SET township_id = (SELECT MIN(cadre.township_id) FROM cadre "
               "WHERE cadre.phone = sms_message.number "
               "HAVING COUNT(DISTINCT cadre.township_id) = 1) "
               "WHERE direction = 'in' AND township_id IS NULL")


def downgrade():
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sms_message_township_id_township"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sms_message_township_id"))
        batch_op.drop_column("township_id")
