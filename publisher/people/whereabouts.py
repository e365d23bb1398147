"""The daily whereabouts board for staff, its history by date, and staff corrections."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from publisher.extensions import db
from publisher.models import WHEREABOUTS_STATUSES, Cadre, Whereabouts, utcnow
from publisher.people import bp
from publisher.people.common import (
    STAFF,
    FormErrors,
    done,
    form_dict,
    parse_day,
    roles_required,
    scoped_or_404,
    selected_township,
    townships,
)
from publisher.people.reporting import check_day, clean_report, covered_first, submit_report
from publisher.services.errors import ServiceError
from publisher.services.whereabouts import SOURCE_LABELS
from publisher.services.whereabouts_board import latest_report, load_board, local_now


@bp.route("/whereabouts")
@roles_required(*STAFF)
def whereabouts():  # noqa: ANN201
    township = selected_township()
    now = utcnow()
    today = local_now(township, now).date()
    day = parse_day(request.args.get("date"), today)
    if not 1900 <= day.year <= 2200:  # a typo; the first and last days have no day before/after
        day = today
    board = load_board(township, day, now)
    return render_template(
        "people/whereabouts.html", township=township, board=board, day=day,
        today=today, prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
        townships=townships(), sources=SOURCE_LABELS, zone=township.timezone)


def _values(report: Whereabouts | None) -> dict:
    if report is None:
        return {}
    return {"status": report.status, "village_id": report.village_id, "place": report.place,
            "activity": report.activity,
            "start_time": f"{report.start_time:%H:%M}" if report.start_time else "",
            "end_time": f"{report.end_time:%H:%M}" if report.end_time else ""}


@bp.route("/whereabouts/<int:cadre_id>/report", methods=["GET", "POST"])
@roles_required(*STAFF)
def whereabouts_report(cadre_id: int):  # noqa: ANN201
    """Staff enter or correct a cadre's report (source "staff"), e.g. after a phone call."""
    cadre = scoped_or_404(Cadre, cadre_id)
    today = local_now(cadre.township, utcnow()).date()
    day = parse_day(request.values.get("date"), today)
    current = latest_report(cadre, day)
    errors = FormErrors()
    values = _values(current)
    status = 200
    if request.method == "POST":
        values = form_dict()
        try:
            check_day(day, today)
            fields = clean_report(values, cadre.township_id)
            submit_report(cadre, day, fields, source="staff", reported_by=current_user)
            message = _("已为%(name)s登记 %(day)s 的去向。", name=cadre.name, day=day.isoformat())
            return done(message,
                        f"/whereabouts?date={day.isoformat()}&township_id={cadre.township_id}")
        except ServiceError as exc:
            db.session.rollback()
            errors.take(exc)
            status = 400
    return render_template(
        "people/whereabouts_form.html", cadre=cadre, day=day, values=values, errors=errors,
        current=current, statuses=WHEREABOUTS_STATUSES, villages=covered_first(cadre),
        sources=SOURCE_LABELS, zone=cadre.township.timezone), status
