"""Cadre changes reviewed before they air (#15): roster_release, township.roster_review.

Every township starts with review on (the default the issue asks for). A township whose
cadres are already on air keeps its slide: its current roster becomes the first approved
release, so turning review on changes nothing on the channel until the next change.

Revision ID: 0016
Revises: 0015
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("township", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roster_review", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.create_table(
        "roster_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["user.id"],
                                name=op.f("fk_roster_release_proposed_by_id_user")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user.id"],
                                name=op.f("fk_roster_release_reviewed_by_id_user")),
        sa.ForeignKeyConstraint(["township_id"], ["township.id"],
                                name=op.f("fk_roster_release_township_id_township")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_release")),
    )
    with op.batch_alter_table("roster_release", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_release_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_roster_release_township_id"), ["township_id"],
                              unique=False)
    _approve_what_airs()


def _approve_what_airs():
    """The roster each township airs today, as its first approved release (the same shape as
    publisher.jobs.derived.roster_item, which a migration must not import)."""
    bind = op.get_bind()
    # The real moment of the upgrade: a migration stands apart from the app (and its clock).
    now = datetime.now(UTC).replace(tzinfo=None)
    townships = bind.execute(sa.text("SELECT id, name FROM township")).all()
    release = sa.table("roster_release", sa.column("township_id", sa.Integer),
                       sa.column("data", sa.JSON), sa.column("state", sa.String),
                       sa.column("proposed_at", sa.DateTime),
                       sa.column("reviewed_at", sa.DateTime), sa.column("note", sa.Text))
    for township_id, name in townships:
        cadres = bind.execute(sa.text(
            "SELECT id, name, post, responsibilities, office_phone, phone FROM cadre "
            "WHERE township_id = :t AND active ORDER BY sort_order, id"), {"t": township_id}).all()
        rows = []
        for cadre in cadres:
            villages = bind.execute(sa.text(
                "SELECT v.name FROM village v JOIN cadre_village cv ON cv.village_id = v.id "
                "WHERE cv.cadre_id = :c ORDER BY v.name"), {"c": cadre.id}).scalars().all()
            rows.append({"name": cadre.name, "post": cadre.post, "villages": "、".join(villages),
                         "responsibilities": cadre.responsibilities,
                         "phone": cadre.office_phone or cadre.phone})
        if rows:
            data = {"type": "roster", "title": f"{name}干部分工", "rows": rows}
            op.execute(release.insert().values(
                township_id=township_id, data=json.loads(json.dumps(data)), state="approved",
                proposed_at=now, reviewed_at=now, note="启用审核前已在播出的干部分工"))


def downgrade():
    with op.batch_alter_table("roster_release", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_release_township_id"))
        batch_op.drop_index(batch_op.f("ix_roster_release_state"))
    op.drop_table("roster_release")
    with op.batch_alter_table("township", schema=None) as batch_op:
        batch_op.drop_column("roster_review")
