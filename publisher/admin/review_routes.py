"""The reviewer's queue and the approve / reject page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from publisher.admin import bp
from publisher.admin.access import CONTENT_KINDS, may_see, staff_only
from publisher.admin.content_actions import snapshot
from publisher.admin.diff import field_diffs
from publisher.admin.kinds import KINDS
from publisher.admin.queries import items_with_latest
from publisher.admin.review_forms import ApproveForm, RejectForm
from publisher.admin.review_media import version_pages
from publisher.extensions import db
from publisher.models import ContentItem, ContentVersion, Role, VersionState
from publisher.services import content
from publisher.services.errors import ServiceError


def pending_query(actor):  # noqa: ANN001, ANN201
    """Pending items the actor may review, oldest submission first."""
    return (
        items_with_latest(actor)
        .where(ContentItem.kind.in_(CONTENT_KINDS), ContentItem.withdrawn_at.is_(None),
               ContentVersion.state == VersionState.PENDING)
        .order_by(ContentVersion.submitted_at.asc(), ContentItem.id.asc())
    )


@bp.route("/review")
@staff_only()
def review_queue():  # noqa: ANN201
    rows = list(db.session.execute(pending_query(current_user)))
    from publisher.admin.roster_routes import pending_releases

    return render_template("admin/review_queue.html", rows=rows,
                           rosters=pending_releases(current_user))


def _load_reviewable(item_id: int) -> ContentItem:
    item = db.session.get(ContentItem, item_id)
    if item is None or item.kind not in CONTENT_KINDS or not may_see(item.township_id):
        abort(404)
    return item


def _page(item: ContentItem, approve_form: ApproveForm, reject_form: RejectForm, status=200):  # noqa: ANN001, ANN202
    latest = item.latest
    live = item.live_version
    compare_to = live if live is not None and live.id != latest.id else None
    own = latest.author_id == current_user.id and not item.township.self_approval
    return render_template(
        "admin/review_item.html", item=item, kind=item.kind, spec=KINDS[item.kind],
        version=latest, compare_to=compare_to,
        diffs=field_diffs(snapshot(compare_to), snapshot(latest)) if compare_to else [],
        approve_form=approve_form, reject_form=reject_form, own=own,
        pages=version_pages(latest),
    ), status


@bp.route("/review/<int:item_id>")
@staff_only()
def review_item(item_id: int):  # noqa: ANN201
    item = _load_reviewable(item_id)
    return _page(item, ApproveForm(), RejectForm())


@bp.route("/review/<int:item_id>/approve", methods=["POST"])
@staff_only(Role.REVIEWER)
def review_approve(item_id: int):  # noqa: ANN201
    item = _load_reviewable(item_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _page(item, form, RejectForm(formdata=None), 400)
    try:
        version = content.approve(current_user, item, (form.note.data or "").strip())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(f"/review/{item.id}", 303)
    flash(_("《%(title)s》v%(n)s 已审核通过，渲染完成后自动上线。", title=version.title,
            n=version.number), "success")
    return redirect("/review", 303)


@bp.route("/review/<int:item_id>/reject", methods=["POST"])
@staff_only(Role.REVIEWER)
def review_reject(item_id: int):  # noqa: ANN201
    item = _load_reviewable(item_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _page(item, ApproveForm(formdata=None), form, 400)
    try:
        version = content.reject(current_user, item, form.reason.data or "")
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(f"/review/{item.id}", 303)
    flash(_("《%(title)s》v%(n)s 已退回给编辑。", title=version.title, n=version.number),
          "success")
    return redirect("/review", 303)
