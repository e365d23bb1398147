"""A channel's schedule page (编排): airtime share and dayparts per content category.

Administrators only, on the organisation blueprint next to the channel list. The page
works without JavaScript; with it, the share column follows the form as it is edited
(the server computes the shares, so the page and the channel cannot disagree).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from publisher.extensions import db
from publisher.models import Channel
from publisher.people import org_bp as bp
from publisher.people.common import FormErrors, admin_required, done, scoped_or_404
from publisher.services import schedule
from publisher.services.errors import ServiceError


def _on(weight: object) -> bool:
    try:
        return float(str(weight)) > 0
    except ValueError:
        return True  # unreadable: shown as typed, with its error, not greyed out


def _form_rows(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """What each category row of the form shows: stored rules or what was just posted.

    Every daypart row is in the page; the empty ones stay hidden until "添加时段", except
    one when a category has none (all day), so there is always a row to start from.
    """
    rows = []
    for cat in schedule.CATEGORIES:
        entry = raw.get(cat) or {}
        weight = entry.get("weight", "")
        parts = [p for p in entry.get("dayparts") or [] if isinstance(p, dict)]
        dayparts = []
        for part in parts[:schedule.MAX_DAYPARTS]:
            days = {str(d) for d in part.get("weekdays") or []}
            start, end = str(part.get("start") or ""), str(part.get("end") or "")
            dayparts.append({"days": days, "start": start, "end": end,
                             "shown": bool(days or start or end)})
        dayparts += [{"days": set(), "start": "", "end": "", "shown": False}
                     for _ in range(schedule.MAX_DAYPARTS - len(dayparts))]
        if not any(d["shown"] for d in dayparts):
            dayparts[0]["shown"] = True
        rows.append({
            "category": cat, "label": schedule.LABELS[cat], "switched": cat in schedule.SWITCHED,
            "weight": f"{weight:g}" if isinstance(weight, float | int) else str(weight),
            "on": _on(weight), "dayparts": dayparts,
        })
    return rows


def _airtime(rules: dict | None) -> tuple[dict[str, str], str]:
    """Share text per category and for the ident; dashes when the form does not clean."""
    if rules is None:
        return dict.fromkeys(schedule.CATEGORIES, "—"), "—"
    rows, idle = schedule.summary(rules)
    return {r.category: r.share for r in rows}, idle


@bp.route("/channels/<int:channel_id>/schedule", methods=["GET", "POST"])
@admin_required
def channel_schedule(channel_id: int):  # noqa: ANN201
    channel = scoped_or_404(Channel, channel_id)
    here = f"/org/channels/{channel.id}/schedule"
    errors, status = FormErrors(), 200
    rules: dict | None = schedule.rules_for(channel)
    raw = schedule.schedule_json(rules)
    if request.method == "POST":
        try:
            if request.form.get("reset"):
                schedule.save_schedule(current_user, channel, None)
                return done(_("“%(name)s”已恢复默认编排。", name=channel.name), here)
            raw = schedule.schedule_from_form(request.form)
            changed = schedule.save_schedule(current_user, channel, schedule.clean_schedule(raw),
                                             schedule.clean_max_gap(raw["max_gap_minutes"]))
            message = (_("已保存“%(name)s”的节目编排，当前画面播完后按新编排播出。",
                         name=channel.name) if changed else _("编排没有改动。"))
            return done(message, here)
        except schedule.ScheduleError as exc:
            db.session.rollback()
            errors.update(exc.errors)
            rules, status = None, 400
        except ServiceError as exc:
            db.session.rollback()
            errors.take(exc)
            rules, status = None, 400
    shares, idle = _airtime(rules)
    return render_template(
        "people/org/channel_schedule.html", channel=channel, township=channel.township,
        rows=_form_rows(raw), shares=shares, idle=idle, errors=errors,
        max_dayparts=schedule.MAX_DAYPARTS, custom=bool(channel.schedule),
        max_gap=raw.get("max_gap_minutes", schedule.max_gap_minutes(channel)),
    ), status


@bp.route("/channels/<int:channel_id>/schedule/airtime", methods=["POST"])
@admin_required
def channel_schedule_airtime(channel_id: int):  # noqa: ANN201
    """The shares the posted (unsaved) form would give, for the page to show as it changes."""
    scoped_or_404(Channel, channel_id)
    try:
        rules: dict | None = schedule.clean_schedule(schedule.schedule_from_form(request.form))
    except schedule.ScheduleError as exc:
        rules, errors = None, exc.errors
    else:
        errors = {}
    shares, idle = _airtime(rules)
    return jsonify(shares=shares, idle=idle, errors=errors)
