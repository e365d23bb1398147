"""Pages that use the screen: the channel's reading pace.

The pace (characters a second, default 3) has been a channel column since 0001; from now
on it sets how much text a page carries and how long each page stays up, with no cap on
the page's time. A pace outside what the channel form accepts (1 to 10) would now lay out
pages for an unreadable speed, so such a value is brought into that range, and a row
written without one (a raw insert, a restore) gets the default from the database.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

MIN_PACE, MAX_PACE = 1.0, 10.0  # as publisher.services.org.places
DEFAULT_PACE = 3.0


def upgrade():
    channel = sa.table("channel", sa.column("reading_pace", sa.Double()))
    op.execute(channel.update().where(sa.or_(channel.c.reading_pace.is_(None),
                                             channel.c.reading_pace <= 0))
               .values(reading_pace=DEFAULT_PACE))
    op.execute(channel.update().where(channel.c.reading_pace < MIN_PACE)
               .values(reading_pace=MIN_PACE))
    op.execute(channel.update().where(channel.c.reading_pace > MAX_PACE)
               .values(reading_pace=MAX_PACE))
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.alter_column("reading_pace", existing_type=sa.Double(), existing_nullable=False,
                              server_default=sa.text(str(DEFAULT_PACE)))


def downgrade():
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.alter_column("reading_pace", existing_type=sa.Double(), existing_nullable=False,
                              server_default=None)
