"""Cadres, duty assignments, daily whereabouts, the cadre check-in page, the organisation
admin (townships, villages, channels, accounts) and the bulk import.

The organisation admin and the import are blueprints nested in this one, so the app
registers a single blueprint for all of them.
"""

from flask import Blueprint

bp = Blueprint("people", __name__)


@bp.app_context_processor
def _location_words() -> dict:
    """How a check-in's location reads: 在村 / 不在村 and the distance (publisher.services.geo)."""
    from publisher.services import geo

    return {"location_verdict": lambda w: geo.verdict(w.location_distance_m,
                                                      w.location_accuracy_m) if w else "",
            "location_km": lambda w: geo.km(w.location_distance_m) if w else ""}


# Route modules attach their views to the blueprints above when imported.
from publisher.imports.routes import bp as imports_bp  # noqa: E402
from publisher.people import cadres, checkin, checkin_map, whereabouts  # noqa: E402, F401
from publisher.people.org import bp as org_bp  # noqa: E402

bp.register_blueprint(org_bp)
bp.register_blueprint(imports_bp)
