"""The ledger's blueprint: the admin pages (``routes``), the cadre's phone page (``phone``),
the JSON API under /api/v1/requests (``api``, token authenticated like the rest of the API,
so exempt from the cookie CSRF check) and the dashboard's overdue alarm."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from publisher.extensions import csrf
from publisher.models import utcnow

bp = Blueprint("requests", __name__)
api_bp = Blueprint("requests_api", __name__, url_prefix="/api/v1/requests")
csrf.exempt(api_bp)


@bp.app_context_processor
def _overdue_alarm() -> dict:
    """``requests_overdue()``: the open requests past their deadline that the signed-in user
    answers for (their township's; none for a county account), for the dashboard."""

    def requests_overdue() -> list:
        from publisher.requests import ledger

        if not current_user.is_authenticated or current_user.township_id is None:
            return []
        return ledger.overdue(current_user.township_id, utcnow(), limit=10)

    return {"requests_overdue": requests_overdue}


# Route modules attach their views to the blueprints above when imported; on_air registers
# the statistics slide with the derived slides (every process that makes the app has it);
# openapi documents the ledger's API in the API's OpenAPI document.
from publisher.requests import api, import_routes, on_air, openapi, phone, routes  # noqa: E402, F401

bp.register_blueprint(api_bp)
