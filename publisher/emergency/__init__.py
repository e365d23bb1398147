"""Emergency calls for vulnerable households and public alerts on air."""

from flask import Blueprint

bp = Blueprint("emergency", __name__, url_prefix="/emergency")
