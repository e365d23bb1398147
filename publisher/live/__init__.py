"""The channel's public URLs: live HLS, the M3U channel list, the XMLTV guide."""

from flask import Blueprint

bp = Blueprint("live", __name__)
