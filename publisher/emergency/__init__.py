"""Emergency calls for vulnerable households and public alerts on air."""

from flask import Blueprint

from publisher.emergency import labels
from publisher.emergency.common import township_zone

bp = Blueprint("emergency", __name__, url_prefix="/emergency")
# Templates show stored codes through the labels (any template may: the audit log does).
bp.add_app_template_global(labels.label, "emergency_label")
bp.add_app_template_global(labels.channels_label, "channels_label")


@bp.context_processor
def _township_time() -> dict[str, str]:
    """``zone``: every emergency page shows times in the township's zone."""
    return {"zone": township_zone()}


# The views attach their routes to ``bp`` when imported.
from publisher.emergency import (  # noqa: E402, F401
    views_alerts,
    views_households,
    views_incidents,
    views_people,
    views_phone,
    views_public,
)
