"""The per-incident event log is append-only, enforced by the database itself.

Like the audit log (0002): the ORM refuses to edit or delete an ``IncidentEvent``, and
these triggers refuse raw SQL too, so the record of who was alerted and who answered
cannot be rewritten after the fact.

A later migration that rebuilds ``incident_event`` (SQLite batch mode copies the table)
drops these triggers with the old table and must create them again.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE = "incident log is append-only"


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER incident_event_no_{verb.lower()} BEFORE {verb} "
                f"ON incident_event BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION incident_event_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER incident_event_append_only BEFORE UPDATE OR DELETE "
            "ON incident_event FOR EACH ROW EXECUTE FUNCTION incident_event_refuse()"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS incident_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS incident_event_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS incident_event_append_only ON incident_event")
        op.execute("DROP FUNCTION IF EXISTS incident_event_refuse()")
