"""Reviewing a change to the 干部分工 slide (publisher.services.roster_review)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from publisher.admin import bp
from publisher.admin.access import may_see, staff_only
from publisher.admin.review_forms import ApproveForm, RejectForm
from publisher.extensions import db
from publisher.models import Role, RosterRelease, VersionState
from publisher.services import roster_review
from publisher.services.errors import ServiceError
from publisher.services.scope import scoped

# The roster's columns as the slide heads them.
COLUMNS = (("post", "职务"), ("villages", "包村"), ("responsibilities", "分管工作"),
           ("phone", "电话"))


def pending_releases(actor) -> list[RosterRelease]:  # noqa: ANN001
    """Roster changes waiting for review that ``actor`` may see, oldest first."""
    query = scoped(select(RosterRelease), actor, RosterRelease.township_id).where(
        RosterRelease.state == VersionState.PENDING).order_by(RosterRelease.proposed_at)
    return list(db.session.scalars(query))


def _load(release_id: int) -> RosterRelease:
    release = db.session.get(RosterRelease, release_id)
    if release is None or not may_see(release.township_id):
        abort(404)
    return release


def _page(release: RosterRelease, approve_form: ApproveForm, reject_form: RejectForm,
          status: int = 200):  # noqa: ANN202
    own = (release.proposed_by_id == current_user.id
           and not release.township.self_approval)
    return render_template("admin/roster_review.html", release=release, columns=COLUMNS,
                           changes=roster_review.changes(release), own=own,
                           approve_form=approve_form, reject_form=reject_form), status


@bp.route("/review/roster/<int:release_id>")
@staff_only()
def roster_review_page(release_id: int):  # noqa: ANN201
    return _page(_load(release_id), ApproveForm(), RejectForm())


@bp.route("/review/roster/<int:release_id>/approve", methods=["POST"])
@staff_only(Role.REVIEWER)
def roster_approve(release_id: int):  # noqa: ANN201
    release = _load(release_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _page(release, form, RejectForm(formdata=None), 400)
    try:
        roster_review.approve(current_user, release, form.note.data or "")
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(f"/review/roster/{release.id}", 303)
    flash(_("干部分工的变更已审核通过，频道画面随即更新。"), "success")
    return redirect("/review", 303)


@bp.route("/review/roster/<int:release_id>/reject", methods=["POST"])
@staff_only(Role.REVIEWER)
def roster_reject(release_id: int):  # noqa: ANN201
    release = _load(release_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _page(release, ApproveForm(formdata=None), form, 400)
    try:
        roster_review.reject(current_user, release, form.reason.data or "")
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(f"/review/roster/{release.id}", 303)
    flash(_("干部分工的变更已退回，频道上仍是原来的画面。"), "success")
    return redirect("/review", 303)
