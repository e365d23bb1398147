"""The township settings page (township administrators; county administrators pick one)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from publisher.admin import bp
from publisher.admin.access import staff_only, township_for_new, visible_townships
from publisher.admin.review_forms import SettingsForm
from publisher.extensions import db
from publisher.models import Role
from publisher.services import audit, roster_review

FIELDS = ("self_approval", "roster_review", "checkin_deadline_hour", "duty_phone")


@bp.route("/settings", methods=["GET", "POST"])
@staff_only(Role.ADMIN)
def township_settings():  # noqa: ANN201
    township = township_for_new(request.args.get("township"))
    if township is None:
        if current_user.is_county_admin:
            return render_template("admin/township_picker.html", kind=None,
                                   townships=visible_townships())
        abort(404)
    form = SettingsForm(obj=township)
    if form.validate_on_submit():
        before = {f: getattr(township, f) for f in FIELDS}
        township.self_approval = bool(form.self_approval.data)
        township.roster_review = bool(form.roster_review.data)
        township.checkin_deadline_hour = form.checkin_deadline_hour.data
        township.duty_phone = (form.duty_phone.data or "").strip()
        after = {f: getattr(township, f) for f in FIELDS}
        old, new = audit.changed_fields(before, after)
        if new:
            audit.record("settings", actor=current_user, township_id=township.id,
                         target_type="township", target_id=township.id, summary=township.name,
                         before=old, after=new)
        if not township.roster_review:  # a change waiting for review goes on air now
            roster_review.propose(township.id, current_user)
            waiting = roster_review.pending(township.id)
            if waiting is not None:
                roster_review.publish_directly(waiting, current_user)
        db.session.commit()
        flash(_("设置已保存。"), "success")
        suffix = f"?township={township.id}" if current_user.is_county_admin else ""
        return redirect(f"/settings{suffix}", 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/settings.html", form=form, township=township), status
