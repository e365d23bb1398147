"""The audit log: read-only, filterable, with before/after diffs of each change.

There is deliberately no route that edits or deletes an event (the database refuses too).
"""

from __future__ import annotations

from math import ceil

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from playlists.timezones import local_day_bounds
from publisher.admin import bp
from publisher.admin.access import staff_only, user_zone
from publisher.admin.diff import field_diffs
from publisher.admin.helpers import audit_target, audit_value
from publisher.admin.queries import date_arg
from publisher.extensions import db
from publisher.models import AuditEvent, Role, User
from publisher.services.scope import scoped

PAGE_SIZE = 50


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 10 else None


@bp.route("/audit")
@staff_only(Role.EDITOR, Role.REVIEWER)
def audit_log():  # noqa: ANN201
    tz = user_zone()
    query = scoped(select(AuditEvent), current_user, AuditEvent.township_id)
    user_id = _int_arg("user")
    action = (request.args.get("action") or "")[:32]
    target_type = (request.args.get("type") or "")[:32]
    day_from, day_to = date_arg(request.args.get("from")), date_arg(request.args.get("to"))
    if user_id is not None:
        query = query.where(AuditEvent.actor_id == user_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if target_type:
        query = query.where(AuditEvent.target_type == target_type)
    if day_from:
        query = query.where(AuditEvent.at >= local_day_bounds(day_from, tz)[0])
    if day_to:
        query = query.where(AuditEvent.at < local_day_bounds(day_to, tz)[1])
    total = db.session.scalar(query.with_only_columns(func.count())) or 0
    page = min(_int_arg("page") or 1, max(1, ceil(total / PAGE_SIZE)))
    events = list(db.session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ))
    base = scoped(select(AuditEvent), current_user, AuditEvent.township_id)
    actions = sorted(db.session.scalars(base.with_only_columns(AuditEvent.action).distinct()))
    types = sorted(t for t in db.session.scalars(
        base.with_only_columns(AuditEvent.target_type).distinct()) if t)
    users = list(db.session.scalars(
        scoped(select(User), current_user, User.township_id).order_by(User.display_name)))
    return render_template(
        "admin/audit.html", events=events, total=total, page=page,
        pages=max(1, ceil(total / PAGE_SIZE)), actions=actions, types=types, users=users,
        diffs={e.id: field_diffs(e.before, e.after, only_changed=True, show=audit_value)
               for e in events},
        targets={e.id: audit_target(e) for e in events},
        args=request.args,
    )
