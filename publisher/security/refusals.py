"""Every refused request is written to the audit log: who, what, why; rate-limited.

Refused means: 401 or 403; a 404 for a URL that names a row (``<int:…>``: the row does not
exist or belongs to another township, which the user is deliberately not told apart); a
device token or acknowledgement link that matches nothing; a login page a signed-out
visitor was sent to from a protected page (Flask-Login's ``user_unauthorized``).

A scanner must not be able to flood the audit table (which is append-only, so a flood could
never be cleaned up): at most ``PER_ADDRESS_PER_MINUTE`` refusals from one address and
``TOTAL_PER_MINUTE`` in all are written each minute; the rest only go to the server log.
The count is read from the table itself, so it holds across web workers.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, Response, g, request
from flask_login import user_unauthorized
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.models import AuditEvent, utcnow
from publisher.services import audit

log = logging.getLogger(__name__)
ACTION = "refused"
WINDOW = timedelta(minutes=1)
# A person clicking about makes a few refusals a minute; a scanner makes hundreds.
PER_ADDRESS_PER_MINUTE = 20
TOTAL_PER_MINUTE = 200
# 404s of these endpoints are refusals although their URL names no row: a secret that
# matched nothing (someone guessing device tokens or acknowledgement links).
_SECRET_ENDPOINTS = {"emergency.trigger", "emergency.trigger_press", "emergency.ack",
                     "emergency.phone_status", "emergency.phone_press", "emergency.phone_cancel"}
REASONS = {
    401: "未登录或凭据无效",
    403: "无权限",
    404: "对象不存在或属于其他乡镇",
}


def note(reason: str, *, target_type: str = "", target_id: str | int = "",
         township_id: int | None = None) -> None:
    """Mark the current request as refused, with a better reason or target than the status
    code alone gives (e.g. "device token invalid"). Recorded after the response is made."""
    g.refusal = {"reason": reason, "target_type": target_type, "target_id": str(target_id),
                 "township_id": township_id}


def shown_path() -> str:
    """The path as the audit log keeps it: a secret in the URL (a device token, an
    acknowledgement link) is replaced by the route's placeholder, and the query string is
    left out (it may carry one too)."""
    args = request.view_args or {}
    if request.url_rule is not None and "token" in args:
        return request.url_rule.rule
    return request.path


def _names_a_row() -> bool:
    return any(isinstance(v, int) for v in (request.view_args or {}).values())


def is_refusal(status: int, endpoint: str | None, noted: bool, names_a_row: bool) -> bool:
    """Whether a response with ``status`` is a refusal worth auditing (pure)."""
    if noted or status in (401, 403):
        return True
    return status == 404 and (names_a_row or endpoint in _SECRET_ENDPOINTS)


def _within_limit(address: str) -> bool:
    since = utcnow() - WINDOW
    recent = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == ACTION, AuditEvent.at >= since)
    if db.session.scalar(recent) >= TOTAL_PER_MINUTE:
        return False
    return db.session.scalar(recent.where(AuditEvent.remote_addr == address)) \
        < PER_ADDRESS_PER_MINUTE


def _actor():  # noqa: ANN202
    from flask_login import current_user

    try:
        return current_user._get_current_object() if current_user.is_authenticated else None
    except Exception:  # noqa: BLE001 - the user could not be loaded: record it as anonymous
        return None


def record(response: Response) -> Response:
    noted = g.get("refusal")
    if not is_refusal(response.status_code, request.endpoint, noted is not None,
                      _names_a_row()):
        return response
    details = noted or {}
    actor = _actor()
    path = shown_path()[:200]
    reason = details.get("reason") or REASONS.get(response.status_code, "拒绝")
    try:
        # Nothing the refused view left unsaved is wanted (it answered with a refusal).
        db.session.rollback()
        if not _within_limit(request.remote_addr or ""):
            log.warning("refusal not audited (rate limit): %s %s %s from %s",
                        response.status_code, request.method, path, request.remote_addr)
            return response
        township_id = details.get("township_id")
        if township_id is None and actor is not None:
            township_id = actor.township_id
        audit.record(ACTION, actor=actor, township_id=township_id,
                     target_type=details.get("target_type") or "request",
                     target_id=details.get("target_id") or "",
                     summary=f"{response.status_code} {request.method} {path}：{reason}",
                     after={"status": response.status_code, "method": request.method,
                            "path": path, "reason": reason})
        db.session.commit()
    except Exception:  # noqa: BLE001 - a full disk or a locked database must not turn a
        # refusal into a server error; the server log still has it.
        db.session.rollback()
        log.exception("could not audit a refusal of %s %s", request.method, path)
    return response


def _on_unauthorized(sender, **extra) -> None:  # noqa: ANN001, ANN003
    # Opening the site's front page before logging in is how every day starts, not a refusal.
    if request.path != "/":
        note(REASONS[401])


def init_app(app: Flask) -> None:
    user_unauthorized.connect(_on_unauthorized, app)
    app.after_request(record)
