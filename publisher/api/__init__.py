"""The JSON API (token authenticated), documented by an OpenAPI spec."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
