"""Personal data: SMS numbers and household identity encrypted, keyed digests for look-up.

``sms_message``: ``number``, ``text``, ``raw`` and ``gateway_ref`` (gammu's file names carry
the number) become ``*_enc`` Fernet ciphertext; ``number_digest`` and ``gateway_ref_digest``
are keyed hashes that look-ups and the unique (gateway, reference) constraint use.
``household.name``/``address``/``notes`` and ``household_member.name`` become ``*_enc``.

Existing rows are encrypted here, with the app's keys: Flask-Migrate runs every migration
inside the app (env.py reads ``current_app``), so the keys are always at hand. The plain
columns are dropped in the same revision; the downgrade decrypts them back.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REF_DIGEST = "sms-ref"  # publisher.models.sms.REF_DIGEST, fixed here as of this revision
# (table, plain column, ciphertext column, digest column or None, digest purpose)
COLUMNS = [
    ("sms_message", "number", "number_enc", "number_digest", ""),
    ("sms_message", "text", "text_enc", None, ""),
    ("sms_message", "raw", "raw_enc", None, ""),
    ("sms_message", "gateway_ref", "gateway_ref_enc", "gateway_ref_digest", REF_DIGEST),
    ("household", "name", "name_enc", None, ""),
    ("household", "address", "address_enc", None, ""),
    ("household", "notes", "notes_enc", None, ""),
    ("household_member", "name", "name_enc", None, ""),
]
BATCH = 500


def _copy(bind, table: str, pairs: list[tuple[str, str, str | None, str]], *,
          encrypting: bool) -> None:
    from publisher.vault import cipher

    source = [plain if encrypting else enc for plain, enc, _d, _p in pairs]
    last = 0
    while True:
        rows = bind.execute(sa.text(
            f"SELECT id, {', '.join(source)} FROM {table} "  # noqa: S608 - constants
            f"WHERE id > :last ORDER BY id LIMIT {BATCH}"), {"last": last}).all()
        if not rows:
            return
        for row in rows:
            values: dict[str, object] = {"id": row[0]}
            for (plain, enc, digest, purpose), value in zip(pairs, row[1:], strict=True):
                if encrypting:
                    values[enc] = None if value is None else cipher.encrypt(value)
                    if digest:
                        values[digest] = (None if value is None
                                          else cipher.digest_text(value, purpose))
                else:
                    values[plain] = None if value is None else cipher.decrypt(value)
            sets = ", ".join(f"{k} = :{k}" for k in values if k != "id")
            bind.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :id"), values)  # noqa: S608
            last = row[0]


def _pairs(table: str) -> list[tuple[str, str, str | None, str]]:
    return [(p, e, d, u) for t, p, e, d, u in COLUMNS if t == table]


def upgrade():
    # The plain tables' pages are zeroed when dropped, not left readable in free pages.
    # (PostgreSQL has no such switch: VACUUM reclaims dropped columns' space over time.)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number_enc", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("number_digest", sa.String(length=64), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("text_enc", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("raw_enc", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("gateway_ref_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("gateway_ref_digest", sa.String(length=64),
                                      nullable=True))
    for table in ("household", "household_member"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _plain, enc, _d, _p in _pairs(table):
                batch_op.add_column(sa.Column(enc, sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    for table in ("sms_message", "household", "household_member"):
        _copy(bind, table, _pairs(table), encrypting=True)
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sms_message_gateway", type_="unique")
        batch_op.drop_index("ix_sms_message_number")
        for column in ("number", "text", "raw", "gateway_ref"):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint("uq_sms_message_gateway",
                                          ["gateway", "gateway_ref_digest"])
        batch_op.create_index("ix_sms_message_number_digest", ["number_digest"], unique=False)
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_column("name")
        batch_op.drop_column("address")
        batch_op.drop_column("notes")
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.drop_column("name")


def downgrade():
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.String(length=24), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("raw", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("gateway_ref", sa.String(length=200), nullable=True))
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=40), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("address", sa.String(length=200), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=40), nullable=False,
                                      server_default=""))
    bind = op.get_bind()
    for table in ("sms_message", "household", "household_member"):
        _copy(bind, table, _pairs(table), encrypting=False)
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sms_message_gateway", type_="unique")
        batch_op.drop_index("ix_sms_message_number_digest")
        for column in ("number_enc", "number_digest", "text_enc", "raw_enc", "gateway_ref_enc",
                       "gateway_ref_digest"):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint("uq_sms_message_gateway", ["gateway", "gateway_ref"])
        batch_op.create_index("ix_sms_message_number", ["number"], unique=False)
    for table in ("household", "household_member"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _plain, enc, _d, _p in _pairs(table):
                batch_op.drop_column(enc)
