"""The cadre's phone page: take a resident's request down in the village (the same form
and check as the office's, big enough for a thumb) and see one's own open cases."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Cadre, utcnow
from publisher.models.requests import ResidentRequest
from publisher.people.common import FormErrors, done
from publisher.requests import forms, intake, rules
from publisher.requests.blueprint import bp
from publisher.services.errors import ServiceError


@bp.route("/requests/phone", methods=["GET", "POST"])
@login_required
def phone():  # noqa: ANN201
    township = current_user.township
    if township is None:  # a county account takes no request in a village
        abort(403)
    cadre = db.session.scalar(select(Cadre).where(
        Cadre.user_id == current_user.id, Cadre.active).limit(1))
    errors, values, status = FormErrors(), {}, 200
    if request.method == "POST":
        values = forms.submitted(request.form)
        try:
            forms.insist(values)
            row = intake.intake(township, values, source="phone", now=utcnow(),
                                user=current_user)
            db.session.commit()
            return done(_("已受理，编号 %(n)s，承办时限 %(d)s。", n=row.id,
                          d=rules.local_day(row.deadline, township.timezone)), "/requests/phone")
        except ServiceError as exc:
            db.session.rollback()
            errors.take(exc)
            status = 400
    mine = []
    if cadre is not None:
        mine = list(db.session.scalars(select(ResidentRequest).where(
            ResidentRequest.cadre_id == cadre.id, ResidentRequest.status.in_(rules.OPEN))
            .order_by(ResidentRequest.deadline)))
    return render_template("requests/phone.html", township=township, errors=errors,
                           values=values, inputs=forms.inputs(township, skip=("received_on",)),
                           mine=mine, now=utcnow(), rules=rules), status
