"""Recorded announcements (#17): no schema change.

A recording is a field of the version's ``data`` (``renderer.fields``: ``recording``, the
path of the upload kept under the township's upload folder), like a produce photo, so a
changed recording is a new version and diffs like any field; its tracks are render output
in the cache, named by the pages. Nothing to add to the tables.

Revision ID: 0014
Revises: 0013
"""

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
