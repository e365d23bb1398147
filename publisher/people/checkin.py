"""The cadre's own check-in page, built for a phone: two taps for the common case.

Tap a status; for 在村走访 tap the village (their covered villages first) and it is saved.
Other statuses show one confirm button (with optional place). A report by the cadre airs
without review, so the page always shows what is on the board now and lets them change it.
Each step is a plain link or form post, so it works without JavaScript on any phone.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import WHEREABOUTS_STATUSES, Cadre, utcnow
from publisher.people import bp
from publisher.people.common import FormErrors, done, form_dict
from publisher.people.reporting import (
    VILLAGE_STATUS,
    clean_report,
    covered_first,
    submit_report,
)
from publisher.services.errors import ServiceError
from publisher.services.whereabouts import SOURCE_LABELS, township_today
from publisher.services.whereabouts_board import latest_report

# Colour of each status button (CSS class suffix): the common case stands out.
STATUS_STYLE = {"在村走访": "village", "乡机关值班": "office", "外出开会": "meeting",
                "出差": "trip", "请假": "leave", "其他": "other"}


def _own_cadre() -> Cadre | None:
    return db.session.scalar(
        select(Cadre).where(Cadre.user_id == current_user.id, Cadre.active).limit(1))


@bp.route("/checkin", methods=["GET", "POST"])
@login_required
def checkin():  # noqa: ANN201
    cadre = _own_cadre()
    if cadre is None:
        return render_template("people/checkin.html", cadre=None), 200
    day = township_today(cadre, utcnow())
    errors = FormErrors()
    chosen = request.values.get("status", "")
    http_status = 200
    if request.method == "POST":
        values = form_dict()
        try:
            fields = clean_report(values, cadre.township_id)
            report = submit_report(cadre, day, fields, source="web", reported_by=current_user)
            where = report.village.name if report.village else report.place
            return done(_("已报告：%(s)s%(w)s", s=report.status, w=f" · {where}" if where else ""),
                        "/checkin")
        except ServiceError as exc:
            db.session.rollback()
            errors.take(exc)
            http_status = 400
    if chosen not in WHEREABOUTS_STATUSES:
        chosen = ""
    villages = covered_first(cadre)
    example_village = villages[0][0].name if villages else _("张家村")
    return render_template(
        "people/checkin.html", cadre=cadre, day=day, current=latest_report(cadre, day),
        sms_number=current_app.config.get("SMS_GATEWAY_NUMBER", ""),
        sms_example=_("去向 %(v)s 走访", v=example_village), example_village=example_village,
        chosen=chosen, statuses=WHEREABOUTS_STATUSES, styles=STATUS_STYLE,
        village_status=VILLAGE_STATUS, villages=villages, errors=errors,
        sources=SOURCE_LABELS, zone=cadre.township.timezone), http_status
