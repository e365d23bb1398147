"""The JSON API (``/api/v1/…``), token authenticated, documented at ``/api/openapi.json``.

Reads accept a logged-in browser session too; writes need ``Authorization: Bearer <token>``
(a token is issued per user in the organisation admin). Errors are always JSON:
``{"error": {"code": …, "message": …}}``.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

# Route modules attach their views to ``bp`` when imported.
from publisher.api import content, errors, people, spec  # noqa: E402, F401
