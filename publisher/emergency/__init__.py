"""Emergency calls for vulnerable households and public alerts on air."""

from flask import Blueprint

bp = Blueprint("emergency", __name__, url_prefix="/emergency")

# The views attach their routes to ``bp`` when imported.
from publisher.emergency import (  # noqa: E402, F401
    views_alerts,
    views_households,
    views_incidents,
    views_people,
    views_public,
)
