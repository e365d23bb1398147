"""The township admin: dashboard, content, review queue, settings and the audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

# Route modules register themselves on ``bp`` when imported.
from publisher.admin import (  # noqa: E402, F401
    audit_routes,
    content_actions,
    content_routes,
    dashboard_routes,
    estimate_routes,
    helpers,
    labels,
    progress_routes,
    recording_routes,
    review_media,
    review_routes,
    roster_routes,
    settings_routes,
    video_routes,
)
