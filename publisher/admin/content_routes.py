"""Content lists, create, edit and the item page, for each kind at ``/content/<kind>``."""

from __future__ import annotations

from math import ceil
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from playlists.timezones import local_to_utc, utc_to_local, zone
from publisher.admin import bp, recording_routes
from publisher.admin.access import (
    check_kind,
    load_item,
    staff_only,
    township_for_new,
    user_zone,
    visible_townships,
)
from publisher.admin.helpers import warn_missing_glyphs
from publisher.admin.kinds import KINDS, data_to_form, form_to_data
from publisher.admin.queries import PAGE_SIZE, category_options, list_items, parse_filters
from publisher.extensions import db
from publisher.models import ContentItem, Role, Township, VersionState, utcnow
from publisher.services import content
from publisher.services.errors import Conflict, ServiceError
from publisher.services.photos import kept_photo
from renderer.declare import PHOTO
from renderer.kinds import declaration


@bp.route("/content/<kind>")
@staff_only()
def content_list(kind: str):  # noqa: ANN201
    spec = KINDS[check_kind(kind)]
    filters = parse_filters(request.args)
    rows, total = list_items(current_user, kind, filters, utcnow(), user_zone())
    return render_template(
        "admin/content_list.html", spec=spec, kind=kind, rows=rows, total=total,
        filters=filters, pages=max(1, ceil(total / PAGE_SIZE)),
        categories=category_options(current_user, kind),
    )


def _form_context(spec, form, township: Township, item: ContentItem | None = None) -> dict:  # noqa: ANN001
    return {
        "spec": spec, "kind": spec.kind, "form": form, "item": item, "township": township,
        "villages": [v.name for v in township.villages],
        **recording_routes.form_context(form),
        # A photo kept from a post that came back with an error (see ProduceForm.photo_kept).
        "photo_kept": getattr(getattr(form, "photo_kept", None), "data", None) or "",
    }


def takes_photo(kind: str) -> bool:
    """Whether the kind's form takes a photo upload: its declaration has a photo field."""
    return any(f.type == PHOTO for f in declaration(kind).fields)


def photo_folder(township: Township) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / f"township-{township.id}"


def _photo_for(form, previous: str | None, township: Township) -> str | None:  # noqa: ANN001
    """The produce photo to store: the upload kept while the form validated (this post's or
    an earlier one that came back with an error), else the previous one, or none."""
    kept = kept_photo(photo_folder(township), form.photo_kept.data)
    if kept is not None:
        return str(kept)
    if form.remove_photo.data:
        return None
    return previous


def _schedule(form, township: Township) -> dict[str, Any]:  # noqa: ANN001
    """The version fields that say when and how it airs: validity window and priority."""
    tz = zone(township.timezone)
    return {"valid_from": local_to_utc(form.valid_from.data, tz),
            "valid_until": local_to_utc(form.valid_until.data, tz),
            "priority": form.priority.data}


def _invalid_post_status(form) -> int:  # noqa: ANN001
    """200 for a fresh form; 400 (with a note at the top) when a post was refused."""
    if request.method != "POST":
        return 200
    if form.errors:
        flash(_("有 %(n)s 处需要修改，请看下面标红的地方。", n=len(form.errors)), "error")
    return 400


def _township_picker(kind: str):  # noqa: ANN202
    return render_template("admin/township_picker.html", kind=kind,
                           townships=visible_townships())


@bp.route("/content/<kind>/new", methods=["GET", "POST"])
@staff_only(Role.EDITOR)
def content_new(kind: str):  # noqa: ANN201
    spec = KINDS[check_kind(kind)]
    township = township_for_new(request.args.get("township"))
    if township is None:
        if current_user.is_county_admin:
            return _township_picker(kind)
        abort(403)
    form = spec.form()
    recording_routes.prepare(form, township)
    if takes_photo(kind):
        form.photo_folder = photo_folder(township)
    if "issued_by" in declaration(kind).field_names() and request.method == "GET":
        # Most notices come from the township government: a default to correct, not type.
        form.issued_by.data = f"{township.name}人民政府"
    if form.validate_on_submit():
        data = form_to_data(spec, form)
        try:
            if takes_photo(kind):
                data["photo"] = _photo_for(form, None, township)
            if recording_routes.has_recording(form):
                data["recording"] = recording_routes.recording_for(form, None, township)
            item = content.create_item(current_user, township, kind, data,
                                       **_schedule(form, township))
            item.narration = bool(form.narration.data)
            db.session.commit()
            if form.save_submit.data:
                content.submit(current_user, item)
        except ServiceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            warn_missing_glyphs(data)
            flash(_("已提交审核。") if form.save_submit.data else _("草稿已保存。"), "success")
            return redirect(f"/content/{kind}/{item.id}")
    status = _invalid_post_status(form)
    return render_template("admin/content_form.html", **_form_context(spec, form, township)), status


@bp.route("/content/<kind>/<int:item_id>/edit", methods=["GET", "POST"])
@staff_only(Role.EDITOR)
def content_edit(kind: str, item_id: int):  # noqa: ANN201
    item = load_item(kind, item_id)
    spec = KINDS[kind]
    if item.withdrawn_at is not None:
        flash(_("该内容已撤回，不能再修改。"), "error")
        return redirect(f"/content/{kind}/{item.id}")
    latest = item.latest
    tz = zone(item.township.timezone)
    initial = data_to_form(spec, latest.data)
    initial["valid_from"] = utc_to_local(latest.valid_from, tz)
    initial["valid_until"] = utc_to_local(latest.valid_until, tz)
    initial["priority"] = latest.priority
    initial["narration"] = item.narration
    form = spec.form(data=initial)
    recording_routes.prepare(form, item.township)
    if takes_photo(kind):
        form.photo_folder = photo_folder(item.township)
    conflict = False
    if form.validate_on_submit():
        data = form_to_data(spec, form)
        try:
            if takes_photo(kind):
                data["photo"] = _photo_for(form, latest.data.get("photo"), item.township)
            if recording_routes.has_recording(form):
                data["recording"] = recording_routes.recording_for(
                    form, latest.data.get("recording"), item.township)
            version = content.edit_item(current_user, item, data,
                                        **_schedule(form, item.township),
                                        base=request.form.get("base") or None)
            item.narration = bool(form.narration.data)
            db.session.commit()
            if form.save_submit.data:
                content.submit(current_user, item)
        except Conflict as exc:
            db.session.rollback()
            flash(str(exc), "error")
            conflict = True
        except ServiceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            warn_missing_glyphs(data)
            if form.save_submit.data:
                flash(_("已保存为 v%(n)s 并提交审核。", n=version.number), "success")
            else:
                flash(_("已保存为 v%(n)s（草稿）。", n=version.number), "success")
            return redirect(f"/content/{kind}/{item.id}")
    status = 409 if conflict else _invalid_post_status(form)
    context = _form_context(spec, form, item.township, item)
    # The version this form now edits: after a conflict, the newer one (saving again then
    # knowingly replaces it).
    context["base"] = content.edit_base(item)
    context["makes_new_version"] = latest.state in (VersionState.APPROVED,
                                                    VersionState.SUPERSEDED)
    context["photo"] = latest.data.get("photo")
    context["recording"] = latest.data.get("recording")
    return render_template("admin/content_form.html", **context), status


@bp.route("/content/<kind>/<int:item_id>")
@staff_only()
def content_detail(kind: str, item_id: int):  # noqa: ANN201
    item = load_item(kind, item_id)
    return render_template("admin/content_detail.html", item=item, kind=kind, spec=KINDS[kind],
                           versions=list(reversed(item.versions)))
