"""Cadres, duty assignments, daily whereabouts and the cadre check-in page."""

from flask import Blueprint

bp = Blueprint("people", __name__)
