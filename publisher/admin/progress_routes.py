"""How far an item's rendering has got, for the item page while staff wait on it."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from publisher.admin import bp
from publisher.admin.access import load_item, staff_only
from publisher.admin.status import render_work
from publisher.models import utcnow


@bp.route("/content/<kind>/<int:item_id>/progress")
@staff_only()
def render_progress(kind: str, item_id: int):  # noqa: ANN201
    """The latest version's rendering as the item page shows it (polled by progress.js)."""
    version = load_item(kind, item_id).latest
    work = render_work(version)
    return jsonify(stage=work.stage, busy=work.busy, text=work.text(utcnow()),
                   version=version.number, render_state=version.render_state)


@bp.app_context_processor
def progress_globals() -> dict[str, Any]:
    return {"render_work": render_work, "now_utc": utcnow}
