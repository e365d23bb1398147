"""Cadres, duty assignments, daily whereabouts, the cadre check-in page and the organisation
admin (townships, villages, channels, accounts).

The organisation admin's pages (``/org/…``) are a blueprint nested in this one, so the app
registers a single blueprint for all of them. The bulk import has its own package and
blueprint (publisher.imports).
"""

from flask import Blueprint

bp = Blueprint("people", __name__)
org_bp = Blueprint("org", __name__, url_prefix="/org")


@bp.app_context_processor
def _location_words() -> dict:
    """How a check-in's location reads: 在村 / 不在村 and the distance (publisher.services.geo)."""
    from publisher.services import geo

    return {"location_verdict": lambda w: geo.verdict(w.location_distance_m,
                                                      w.location_accuracy_m) if w else "",
            "location_km": lambda w: geo.km(w.location_distance_m) if w else ""}


# Route modules attach their views to the blueprints above when imported.
from publisher.people import (  # noqa: E402, F401
    accounts,
    cadres,
    checkin,
    checkin_map,
    org,
    schedule,
    whereabouts,
)

bp.register_blueprint(org_bp)
