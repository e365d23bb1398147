"""URLs used without a staff login: device triggers and responders' acknowledgement links."""

from __future__ import annotations

import re

from flask import current_app, jsonify, render_template, request
from sqlalchemy.exc import OperationalError

from publisher.clock import now
from publisher.emergency import (
    acks,
    health,
    incidents,
    notify,
    press_journal,
    registry,
    reserve,
)
from publisher.emergency.i18n import _
from publisher.extensions import csrf, db
from publisher.security import refusals
from publisher.services.errors import ServiceError

from . import bp

DEVICE_TOKEN_HEADER = "X-Device-Token"
_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")
# How soon a device should press again (same Idempotency-Key) when the press could not be
# stored: the clock frees room within a tick or two, staff may be clearing the disk.
RETRY_AFTER_S = 10


def _error(message: str, status: int):  # noqa: ANN202
    return jsonify({"error": message}), status


def _must_retry():  # noqa: ANN202
    """The press could not be stored (data disk full, reserve used up): never a bare 500."""
    response = jsonify({"error": _("系统存储空间不足，呼救暂未保存，请稍后重试。"),
                        "retry_after": RETRY_AFTER_S})
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


@bp.post("/trigger")
@csrf.exempt
def trigger_press():  # noqa: ANN201
    """A device's press with its token kept out of the URL (and so out of every access
    log): the ``X-Device-Token`` header, else a ``token`` form field or JSON member."""
    body = request.get_json(silent=True) if request.data else None
    token = (request.headers.get(DEVICE_TOKEN_HEADER) or request.form.get("token")
             or (body.get("token") if isinstance(body, dict) else None))
    return _press(token if isinstance(token, str) else "")


@bp.post("/trigger/<token>")
@csrf.exempt
def trigger(token: str):  # noqa: ANN201
    """The older URL form, kept for devices already configured; logs redact the token
    (publisher.emergency.logredact)."""
    return _press(token)


def _press(token: str):  # noqa: ANN202
    """A press: ``Idempotency-Key`` header (or JSON "idempotency_key") required; JSON
    ``{"test": true}`` is a test press. Repeats of a key change nothing."""
    device = registry.device_by_token(token)
    if device is None:
        refusals.note("设备令牌无效", target_type="device")
        return _error(_("设备令牌无效。"), 404)
    body = request.get_json(silent=True) if request.data else {}
    if body is None or not isinstance(body, dict):
        return _error(_("请求内容不是有效的 JSON 对象。"), 400)
    key = request.headers.get("Idempotency-Key") or body.get("idempotency_key")
    if not isinstance(key, str) or not _KEY.match(key):
        return _error(_("缺少或无效的 Idempotency-Key（1–80 个字母、数字或 ._:-）。"), 400)
    is_test = body.get("test", False)
    if not isinstance(is_test, bool):
        return _error(_("test 须为 true 或 false。"), 400)
    pressed_at, device_id = now(), device.id
    try:
        if is_test:
            outcome = health.record_test(device, pressed_at, key)
            return jsonify({"outcome": outcome}), 200
        result = incidents.trigger(device.household, source="device", now=pressed_at,
                                   device=device, idempotency_key=key)
    except ServiceError as exc:
        return _error(str(exc), 409)
    except OperationalError as exc:
        db.session.rollback()
        if not reserve.is_disk_full(exc):
            raise
        # Not even the reserve's room was left: keep the press in the journal written in
        # advance; the clock stores and escalates it once the database has room.
        if not is_test and press_journal.keep(current_app.config["DATA_DIR"], device_id, key,
                                              pressed_at):
            return jsonify({"outcome": "kept", "message": _(
                "已收到呼救。系统存储空间不足，呼救已暂存，将尽快通知联系人。")}), 202
        return _must_retry()
    status = 201 if result.outcome == "new" else 200
    return jsonify({"incident": result.incident_id, "outcome": result.outcome}), status


@bp.route("/ack/<token>", methods=["GET", "POST"])
def ack(token: str):  # noqa: ANN201
    """GET shows a button (link previews must not acknowledge); POST acknowledges."""
    target = notify.link_target(token)
    attempt = acks.attempt_for_link(*target) if target else None
    if attempt is None:
        refusals.note("确认链接无效", target_type="ack_link")
        return render_template("emergency/ack.html", invalid=True), 404
    if request.method == "POST":
        incident, acked, message = acks.ack_by_link(attempt, now())
        return render_template("emergency/ack.html", incident=incident, done=True,
                               acked=acked, message=message)
    return render_template("emergency/ack.html", incident=attempt.incident, attempt=attempt)
