"""The dashboard: content counts, my items, the review queue, today's whereabouts, charts;
for the county administrator the county overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user
from sqlalchemy import func, or_, select

from publisher.admin import bp, charts
from publisher.admin.access import CONTENT_KINDS, staff_only, visible_townships
from publisher.admin.overview import (
    build_charts,
    category_label,
    feed_states,
    township_counts,
    township_rows,
)
from publisher.admin.queries import content_counts, items_with_latest
from publisher.admin.review_routes import pending_query
from publisher.extensions import db
from publisher.models import ContentItem, ContentVersion, Role, Township, utcnow
from publisher.services.storage import disk_for_dashboard
from publisher.services.whereabouts_board import Board, load_board, local_now

MY_ITEMS = 8


@dataclass(frozen=True)
class TownshipDay:
    township: Township
    now_local: datetime
    board: Board


def township_day(township: Township, now: datetime) -> TownshipDay:
    """The township's time now and its whereabouts board of today."""
    now_local = local_now(township, now)
    return TownshipDay(township, now_local, load_board(township, now_local.date(), now))


def focus_township(townships: list[Township]) -> Township | None:
    """The township a county administrator drilled down to (``?township_id=``), if any."""
    if not current_user.is_county_admin:
        return None
    wanted = request.args.get("township_id", "")
    return next((t for t in townships if wanted.isdecimal() and t.id == int(wanted)), None)


@bp.route("/")
@staff_only()
def dashboard():  # noqa: ANN201
    """A township's dashboard; for the county administrator the county overview (one row per
    township, linking down to each township's dashboard)."""
    now = utcnow()
    townships = visible_townships()
    focus = focus_township(townships)
    overview = current_user.is_county_admin and focus is None
    shown = [focus] if focus else townships[:20]
    mine_query = (
        items_with_latest(current_user)
        .where(ContentItem.kind.in_(CONTENT_KINDS), ContentItem.withdrawn_at.is_(None),
               or_(ContentItem.created_by_id == current_user.id,
                   ContentVersion.author_id == current_user.id)))
    queue = pending_query(current_user)
    if focus is not None:
        mine_query = mine_query.where(ContentItem.township_id == focus.id)
        queue = queue.where(ContentItem.township_id == focus.id)
    mine = list(db.session.execute(
        mine_query.order_by(ContentVersion.created_at.desc()).limit(MY_ITEMS)))
    queue_size = db.session.scalar(
        select(func.count()).select_from(queue.with_only_columns(ContentItem.id).subquery()))
    counts = (township_counts(current_user, focus.id, now) if focus is not None
              else content_counts(current_user, now, CONTENT_KINDS))
    return render_template(
        "admin/dashboard.html", counts=counts,
        mine=mine, queue_size=queue_size or 0,
        oldest=db.session.execute(queue.limit(5)).all(),
        focus=focus,
        rows=township_rows(current_user, townships, now) if overview else None,
        days=[] if overview else [township_day(t, now) for t in shown],
        feeds=[] if overview else feed_states(shown),
        ch=build_charts(townships if overview else shown, now, request.args.get("timeline")),
        geom=charts, category_label=category_label,
        disk=disk_for_dashboard(current_app.config, admin=current_user.role == Role.ADMIN),
        **process_states(),
    )


def process_states() -> dict[str, Any]:
    """The site's processes for the county administrator; nothing for other roles."""
    if not current_user.is_county_admin:
        return {"processes": None}
    from publisher.services.process_health import process_health

    config = current_app.config
    try:
        rows = process_health(Path(config["DATA_DIR"]), Path(config["STATUS_DIR"]))
    except Exception:  # the dashboard must load even when process status cannot be read
        current_app.logger.exception("process health unavailable")
        rows = []
    return {"processes": rows, "supervised": any(r.state is not None for r in rows)}
