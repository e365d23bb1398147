"""Item actions: submit, withdraw, version diffs, and the rendered preview of a slide."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from publisher.admin import bp
from publisher.admin.access import check_kind, load_item, may_see, staff_only, township_for_new
from publisher.admin.content_routes import takes_photo
from publisher.admin.diff import field_diffs
from publisher.admin.helpers import priority_label, usertime
from publisher.admin.kinds import KINDS, form_to_data
from publisher.extensions import db
from publisher.models import ContentVersion, Job, Role, row_id
from publisher.services import content, jobs
from publisher.services.errors import ServiceError
from publisher.services.photos import kept_photo

PREVIEW_JOB = "preview"


@bp.route("/content/<kind>/<int:item_id>/submit", methods=["POST"])
@staff_only(Role.EDITOR)
def content_submit(kind: str, item_id: int):  # noqa: ANN201
    item = load_item(kind, item_id)
    try:
        version = content.submit(current_user, item)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("v%(n)s 已提交审核。", n=version.number), "success")
    return redirect(f"/content/{kind}/{item.id}", 303)


@bp.route("/content/<kind>/<int:item_id>/withdraw", methods=["POST"])
@staff_only(Role.EDITOR, Role.REVIEWER)
def content_withdraw(kind: str, item_id: int):  # noqa: ANN201
    item = load_item(kind, item_id)
    try:
        content.withdraw(current_user, item)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("已撤回，频道将在当前画面播完后停播该内容。"), "success")
    return redirect(f"/content/{kind}/{item.id}", 303)


def snapshot(version: ContentVersion | None) -> dict | None:
    """A version as the diff shows it: its data plus its validity window and priority."""
    if version is None:
        return None
    return {**version.data, "valid_from": usertime(version.valid_from),
            "valid_until": usertime(version.valid_until),
            "priority": priority_label(version.priority)}


@bp.route("/content/<kind>/<int:item_id>/versions/<int:number>")
@staff_only()
def content_version(kind: str, item_id: int, number: int):  # noqa: ANN201
    """Version ``number`` compared with ``?against=`` (default: the version before it)."""
    item = load_item(kind, item_id)
    by_number = {v.number: v for v in item.versions}
    version = by_number.get(number)
    if version is None:
        abort(404)
    against_arg = request.args.get("against", "")
    against_no = int(against_arg) if against_arg.isdecimal() else number - 1
    against = by_number.get(against_no)
    return render_template(
        "admin/version_diff.html", item=item, kind=kind, version=version, against=against,
        diffs=field_diffs(snapshot(against), snapshot(version)), numbers=sorted(by_number),
    )


def _enqueue_preview(kind: str, data: dict, township_id: int):  # noqa: ANN202
    try:
        payload = content.validate(kind, data)
    except ServiceError as exc:
        return jsonify(error=str(exc)), 400
    job = jobs.enqueue(PREVIEW_JOB, {"item": payload, "township_id": township_id})
    return jsonify(job=job.id, status_url=f"/jobs/{job.id}"), 202


@bp.route("/content/<kind>/preview", methods=["POST"])
@staff_only()
def content_preview_form(kind: str):  # noqa: ANN201
    """Preview what is typed in the form, before saving."""
    spec = KINDS[check_kind(kind)]
    item_arg = request.args.get("item", "")
    item_id = row_id(item_arg) if item_arg.isdecimal() else None
    item = load_item(kind, item_id) if item_id is not None else None
    township = item.township if item else township_for_new(request.args.get("township"))
    if township is None:
        abort(404)
    form = spec.form()
    folder = Path(current_app.config["UPLOAD_DIR"]) / f"township-{township.id}"
    if takes_photo(kind):
        form.photo_folder = folder  # the photo just chosen shows in the preview too
    if not form.validate_on_submit():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return jsonify(error=_("表单有错误，请先改正。"), fields=errors), 400
    data = form_to_data(spec, form)
    if takes_photo(kind):
        kept = kept_photo(folder, form.photo_kept.data)
        if kept is not None:
            data["photo"] = str(kept)
        elif item is not None and not form.remove_photo.data:
            data["photo"] = item.latest.data.get("photo")
    return _enqueue_preview(kind, data, township.id)


@bp.route("/content/<kind>/<int:item_id>/preview", methods=["POST"])
@staff_only()
def content_preview_item(kind: str, item_id: int):  # noqa: ANN201
    """Preview a stored version (default: the latest)."""
    item = load_item(kind, item_id)
    number = request.args.get("v", "")
    version = next((v for v in item.versions if str(v.number) == number), item.latest)
    return _enqueue_preview(kind, dict(version.data), item.township_id)


@bp.route("/jobs/<int:job_id>")
@staff_only()
def job_status(job_id: int):  # noqa: ANN201
    """A preview job's state and, once rendered, its pages with their on-air durations."""
    job = db.session.get(Job, job_id)
    payload = job.payload if job is not None and isinstance(job.payload, dict) else {}
    township_id = payload.get("township_id")
    if job is None or job.kind != PREVIEW_JOB or not isinstance(township_id, int) \
            or not may_see(township_id):
        abort(404)
    pages = []
    for page in (job.result or {}).get("pages", []) if isinstance(job.result, dict) else []:
        key = str(page.get("key", ""))
        pages.append({"url": f"/render/{key}.png", "key": key,
                      "duration_s": page.get("duration_s"), "page_no": page.get("page_no"),
                      "page_count": page.get("page_count")})
    return jsonify(id=job.id, state=job.state, error=job.error or "", pages=pages)
