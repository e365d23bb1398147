"""Cadres, whereabouts, channels and the caller's own account over the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from publisher.api import bp
from publisher.api.common import ApiError, caller, iso, json_body, township_param, visible
from publisher.extensions import db
from publisher.models import Cadre, Channel, Role, User, Whereabouts, row_id, utcnow
from publisher.people.reporting import check_day, clean_report, submit_report
from publisher.services.cadres import cadre_json, list_cadres
from publisher.services.schedule import rules_for, schedule_json
from publisher.services.whereabouts_board import board_json, load_board, local_now


def _scoped(model: type, obj_id: int, user: User, what: str) -> Any:
    # A number no row can have (a JSON body may hold any) is not found, not a driver error.
    obj = db.session.get(model, obj_id) if row_id(obj_id) is not None else None
    if obj is None or not visible(user, obj.township_id):
        raise ApiError(404, "not_found", f"找不到该{what}。")
    return obj


@bp.get("/v1/me")
def me():  # noqa: ANN201
    user = caller()
    cadre = db.session.scalar(select(Cadre).where(Cadre.user_id == user.id))
    return jsonify({"id": user.id, "username": user.username, "display_name": user.display_name,
                    "role": user.role, "township_id": user.township_id,
                    "cadre_id": cadre.id if cadre else None})


@bp.get("/v1/cadres")
def cadres():  # noqa: ANN201
    user = caller()
    township = township_param(user, request.args.get("township_id"), required=True)
    rows = list_cadres(township.id, q=request.args.get("q", ""),
                       include_inactive=request.args.get("inactive") == "1")
    return jsonify({"items": [cadre_json(c) for c in rows], "total": len(rows)})


@bp.get("/v1/cadres/<int:cadre_id>")
def cadre(cadre_id: int):  # noqa: ANN201
    return jsonify(cadre_json(_scoped(Cadre, cadre_id, caller(), "干部")))


def _day(value: Any, default: date) -> date:
    if value in (None, ""):
        return default
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ApiError(400, "validation_error", "date 应为 YYYY-MM-DD。", field="date") from None


@bp.get("/v1/whereabouts")
def whereabouts():  # noqa: ANN201
    user = caller()
    township = township_param(user, request.args.get("township_id"), required=True)
    now = utcnow()
    day = _day(request.args.get("date"), local_now(township, now).date())
    return jsonify(board_json(load_board(township, day, now)))


def report_json(report: Whereabouts) -> dict[str, Any]:
    return {
        "id": report.id, "cadre_id": report.cadre_id, "date": report.day.isoformat(),
        "status": report.status, "village_id": report.village_id,
        "village": report.village.name if report.village else "", "place": report.place,
        "start_time": report.start_time.strftime("%H:%M") if report.start_time else None,
        "end_time": report.end_time.strftime("%H:%M") if report.end_time else None,
        "activity": report.activity, "source": report.source,
        "reported_by_id": report.reported_by_id, "reported_at": iso(report.reported_at),
    }


@bp.post("/v1/whereabouts")
def report():  # noqa: ANN201
    """A cadre reports for themselves; staff (editor, reviewer, admin) for any cadre."""
    user = caller(write=True)
    body = json_body()
    own = db.session.scalar(select(Cadre).where(Cadre.user_id == user.id, Cadre.active))
    if body.get("cadre_id") in (None, "") or (own and body.get("cadre_id") == own.id):
        if own is None:
            raise ApiError(400, "validation_error", "请指定 cadre_id（您的账号未关联干部）。",
                           field="cadre_id")
        target, source = own, "api"
    else:
        if not user.can(Role.EDITOR, Role.REVIEWER):
            raise ApiError(403, "forbidden", "乡干部只能报告自己的去向。")
        if not isinstance(body["cadre_id"], int) or isinstance(body["cadre_id"], bool):
            raise ApiError(400, "validation_error", "cadre_id 应为整数。", field="cadre_id")
        target, source = _scoped(Cadre, body["cadre_id"], user, "干部"), "staff"
        if not target.active:
            raise ApiError(400, "validation_error", "该干部已停用。", field="cadre_id")
    today = local_now(target.township, utcnow()).date()
    day = _day(body.get("date"), today)
    if source == "api" and day != today:
        raise ApiError(400, "validation_error", "乡干部只能报告当天的去向。", field="date")
    check_day(day, today)
    fields = clean_report(body, target.township_id)
    saved = submit_report(target, day, fields, source=source, reported_by=user)
    return jsonify(report_json(saved)), 201


def channel_json(channel: Channel) -> dict[str, Any]:
    return {"id": channel.id, "township_id": channel.township_id, "slug": channel.slug,
            "name": channel.name, "group": channel.group, "profile": channel.profile,
            "primary_colour": channel.primary_colour, "accent_colour": channel.accent_colour,
            "has_logo": bool(channel.logo_path), "udp_url": channel.udp_url,
            "reading_pace": channel.reading_pace, "enabled": channel.enabled,
            "timezone": channel.effective_timezone,
            "schedule": schedule_json(rules_for(channel))}


@bp.get("/v1/channels")
def channels():  # noqa: ANN201
    user = caller()
    township = township_param(user, request.args.get("township_id"), required=False)
    query = select(Channel).order_by(Channel.slug)
    if township is not None:
        query = query.where(Channel.township_id == township.id)
    items = [channel_json(c) for c in db.session.scalars(query)]
    return jsonify({"items": items, "total": len(items)})


@bp.get("/v1/channels/<int:channel_id>")
def channel(channel_id: int):  # noqa: ANN201
    return jsonify(channel_json(_scoped(Channel, channel_id, caller(), "频道")))
