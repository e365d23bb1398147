"""The dashboard: content counts, my items, the review queue, today's whereabouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import func, or_, select

from publisher.admin import bp
from publisher.admin.access import CONTENT_KINDS, staff_only, visible_townships
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


def feed_states(townships: list[Township]) -> list[dict[str, Any]]:
    """Each enabled channel's feed health (see ``publisher.services.feed_status``)."""
    from publisher.services.feed_status import channel_status

    states = []
    for township in townships:
        for channel in township.channels:
            if not channel.enabled:
                continue
            try:
                states.append({"channel": channel, **channel_status(channel)})
            except Exception:  # the dashboard must load even when feed status cannot be read
                current_app.logger.exception("feed status unavailable for %s", channel.slug)
    return states


@bp.route("/")
@staff_only()
def dashboard():  # noqa: ANN201
    now = utcnow()
    townships = visible_townships()
    mine = list(db.session.execute(
        items_with_latest(current_user)
        .where(ContentItem.kind.in_(CONTENT_KINDS), ContentItem.withdrawn_at.is_(None),
               or_(ContentItem.created_by_id == current_user.id,
                   ContentVersion.author_id == current_user.id))
        .order_by(ContentVersion.created_at.desc()).limit(MY_ITEMS)))
    queue = pending_query(current_user)
    queue_size = db.session.scalar(
        select(func.count()).select_from(queue.with_only_columns(ContentItem.id).subquery()))
    return render_template(
        "admin/dashboard.html", counts=content_counts(current_user, now, CONTENT_KINDS),
        mine=mine, queue_size=queue_size or 0,
        oldest=db.session.execute(queue.limit(5)).all(),
        days=[township_day(t, now) for t in townships[:20]],
        feeds=feed_states(townships[:20]),
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
