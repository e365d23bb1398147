"""Video items (#17): no schema change.

A video item is a ``content_item`` of kind ``video`` (a string column) whose version ``data``
(JSON) names the stored upload, trim points and caption; the transcoded clip lives in the
page cache like a slide's units, and its progress in the clip's folder, so no table changes.

Revision ID: 0013
Revises: 0012
"""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
