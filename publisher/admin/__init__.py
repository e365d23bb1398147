"""The township admin: dashboard, content, review queue, cadres, audit log."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("admin", __name__)


@bp.route("/")
@login_required
def dashboard():  # noqa: ANN201
    return render_template("error.html", code="", message="…")
