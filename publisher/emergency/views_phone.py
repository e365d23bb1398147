"""The household's phone page (no staff login): the page, its manifest and service worker,
and three small JSON calls authenticated by the token in the ``X-Household-Token`` header.

Staff print the page's link on a card (``phone_card``): the token is shown only then, in
the link's fragment and its QR code.
"""

from __future__ import annotations

import math
import re

from flask import (
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from publisher.clock import now
from publisher.emergency import crypto, incidents, phone_page, registry
from publisher.emergency.common import scoped_get
from publisher.emergency.i18n import _
from publisher.extensions import csrf, db
from publisher.models.emergency import Household, Incident
from publisher.services.errors import ServiceError

from . import bp

_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")
PHONE_PAGE_LABEL = "手机呼救页"
# The card is printed once; a lost card is replaced by a new one (a new device row).
PHONE_TEST_INTERVAL_H = 24 * 90


def _private(response):  # noqa: ANN001, ANN202
    """Nothing of these answers may be cached by a proxy or leak through a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refused(message: str, status: int):  # noqa: ANN202
    return _private(jsonify({"error": message})), status


def _card_invalid():  # noqa: ANN202
    return _refused(_("这张呼救卡已失效，请联系村里或乡政府重新办理。"), 404)


def _device():  # noqa: ANN202
    return registry.device_by_token(request.headers.get(phone_page.TOKEN_HEADER, ""))


def _latest(household_id: int) -> Incident | None:
    return db.session.scalar(select(Incident).where(Incident.household_id == household_id)
                             .order_by(Incident.id.desc()).limit(1))


def _status(device) -> dict[str, object]:  # noqa: ANN001
    household = device.household
    view = phone_page.call_view(_latest(household.id), now())
    return {**view.to_json(), "household": f"{household.village.name} {household.name}"}


@bp.get("/phone/")
def phone():  # noqa: ANN201
    """The page itself: the same for every household (the token stays on the phone)."""
    number = current_app.config.get("SMS_GATEWAY_NUMBER", "")
    response = make_response(render_template(
        "emergency/phone.html", sms_link=phone_page.sms_link(number), sms_number=number,
        sms_word=phone_page.SMS_WORD))
    return _private(response)


@bp.get("/phone/manifest.webmanifest")
def phone_manifest():  # noqa: ANN201
    icons = [{"src": url_for("static", filename=f"emergency/phone-{size}.png"),
              "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
             for size in (192, 512)]
    response = jsonify({
        "name": _("一键呼救"), "short_name": _("一键呼救"), "lang": "zh-CN",
        "start_url": url_for("emergency.phone"), "scope": url_for("emergency.phone"),
        "display": "standalone", "background_color": "#ffffff", "theme_color": "#b71c1c",
        "icons": icons})
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/phone/sw.js")
def phone_worker():  # noqa: ANN201
    """The service worker: served from the page's folder so that its scope covers it."""
    response = send_from_directory(current_app.static_folder, "emergency/phone-sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = url_for("emergency.phone")
    return response


@bp.post("/phone/status")
@csrf.exempt
def phone_status():  # noqa: ANN201
    device = _device()
    if device is None:
        return _card_invalid()
    return _private(jsonify(_status(device)))


def _location(body: dict) -> str:
    """"lat,lon ±m" when the person ticked "send my location" and the phone gave one."""
    where = body.get("location")
    if not body.get("share_location") or not isinstance(where, dict):
        return ""
    try:
        lat, lon = float(where["lat"]), float(where["lon"])
        accuracy = float(where.get("accuracy") or 0)
    except (KeyError, TypeError, ValueError):
        return ""
    if not (math.isfinite(lat) and math.isfinite(lon) and math.isfinite(accuracy)
            and -90 <= lat <= 90 and -180 <= lon <= 180):
        return ""
    return f"{lat:.5f},{lon:.5f} ±{min(max(accuracy, 0), 99999):.0f}m"


@bp.post("/phone/press")
@csrf.exempt
def phone_press():  # noqa: ANN201
    device = _device()
    if device is None:
        return _card_invalid()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _refused(_("请求内容不是有效的 JSON 对象。"), 400)
    key = body.get("idempotency_key")
    if not isinstance(key, str) or not _KEY.match(key):
        return _refused(_("缺少或无效的 Idempotency-Key（1–80 个字母、数字或 ._:-）。"), 400)
    pressed_at = now()
    try:
        result = incidents.trigger(device.household, source="device", now=pressed_at,
                                   device=device, idempotency_key=key)
    except ServiceError as exc:
        return _refused(str(exc), 409)
    where = _location(body)
    if where and result.incident_id:  # also on the repeat that brings the location
        incidents.record_location(result.incident_id, crypto.encrypt(where), pressed_at)
        db.session.commit()
    return _private(jsonify({**_status(device), "outcome": result.outcome})), (
        201 if result.outcome == "new" else 200)


@bp.post("/phone/cancel")
@csrf.exempt
def phone_cancel():  # noqa: ANN201
    device = _device()
    if device is None:
        return _card_invalid()
    incident = _latest(device.household_id)
    if incident is None or incident.state not in ("triggered", "acknowledged"):
        return _private(jsonify(_status(device)))
    try:
        incidents.change_state(incident, "cancel", now=now(), by=_("本户（手机呼救页）"),
                               note=_("本户在手机上取消：误按"))
    except ServiceError as exc:
        return _private(jsonify({**_status(device), "error": str(exc)})), 409
    return _private(jsonify(_status(device)))


@bp.post("/households/<int:household_id>/phone-card")
@login_required
def phone_card(household_id: int):  # noqa: ANN201
    """A new phone-page link for the household, printed as a card with its QR code."""
    household = scoped_get(Household, household_id)
    try:
        device, token = registry.add_device(current_user, household, PHONE_PAGE_LABEL,
                                            PHONE_TEST_INTERVAL_H, now())
    except ServiceError as exc:
        return render_template("emergency/phone_card.html", household=household,
                               error=str(exc)), 403
    link = phone_page.page_url(current_app.config.get("PUBLIC_BASE_URL", ""), token)
    number = current_app.config.get("SMS_GATEWAY_NUMBER", "")
    return _private(make_response(render_template(
        "emergency/phone_card.html", household=household, device=device, link=link,
        qr=phone_page.qr_svg(link), sms_number=number, sms_word=phone_page.SMS_WORD)))

