"""Video items: the upload form, the transcode's progress and the reviewer's player.

New and edit have routes of their own (the clip is an upload that may be 200 MB, so only
these posts get the larger request limit); the item page, lists and review are the shared
content pages, which include ``admin/_video_panel.html`` for a video.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from playlists.timezones import utc_to_local, zone
from publisher.admin import bp
from publisher.admin.access import load_item, staff_only, township_for_new
from publisher.admin.content_routes import (
    _form_context,
    _invalid_post_status,
    _schedule,
    _township_picker,
)
from publisher.admin.kinds import KINDS, data_to_form, form_to_data
from publisher.extensions import db
from publisher.models import ContentItem, ContentVersion, Kind, Role, Township, VersionState
from publisher.services import content, videos
from publisher.services.errors import ServiceError
from renderer.media_probe import VIDEO_MAX_BYTES

SPEC = KINDS[Kind.VIDEO]
UPLOAD_ENDPOINTS = ("admin.video_new", "admin.video_edit")


def _allow_video_upload() -> None:
    """The video form's post may carry a whole clip: raise the request limit for those two
    routes only. It must run before anything reads the body (the CSRF check, the NUL check),
    so it is put first among the app's before-request functions when the blueprint is
    registered."""
    if request.method == "POST" and request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = videos.REQUEST_LIMIT


@bp.record
def _first_before_request(state: Any) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_video_upload)


@bp.errorhandler(413)
def _video_too_large(exc: Any):  # noqa: ANN202
    """A clip over even the video form's limit says so with the video limit; any other
    admin upload gets the app's own answer."""
    if request.endpoint not in UPLOAD_ENDPOINTS:
        handler = current_app.error_handler_spec.get(None, {}).get(413, {})
        fallback = next(iter(handler.values()), None)
        return fallback(exc) if fallback else exc
    message = _("视频文件太大，上限为 %(mb)d MB，请剪短或压缩后再上传。",
                mb=VIDEO_MAX_BYTES // (1024 * 1024))  # fmt: skip
    return render_template("error.html", code=413, message=message), 413


def _context(form: Any, township: Township, item: ContentItem | None = None) -> dict[str, Any]:
    return {**_form_context(SPEC, form, township, item), "limits": videos.limits_text(),
            "kept": bool(form.video_kept.data)}  # fmt: skip


def _save(form: Any, township: Township, item: ContentItem | None) -> ContentItem:
    """Store the form as a new item or a new version; the caller commits or rolls back."""
    data = form_to_data(SPEC, form)
    kept = videos.kept(videos.folder_for(township.id), form.video_kept.data)
    data["video"] = str(kept) if kept else (item.latest.data.get("video") if item else None)
    data["caption_style"] = data.get("caption_style") or ""
    if item is None:
        item = content.create_item(current_user, township, Kind.VIDEO, data,
                                   **_schedule(form, township))  # fmt: skip
    else:
        content.edit_item(current_user, item, data, **_schedule(form, township))
    item.narration = False  # a clip has its own sound; nothing to read aloud
    db.session.commit()
    if form.save_submit.data:
        content.submit(current_user, item)  # queues the pre-render: the transcode job
    return item


@bp.route("/content/video/new", methods=["GET", "POST"])
@staff_only(Role.EDITOR)
def video_new():  # noqa: ANN201
    township = township_for_new(request.args.get("township"))
    if township is None:
        if current_user.is_county_admin:
            return _township_picker(Kind.VIDEO)
        abort(403)
    form = SPEC.form()
    form.video_folder = videos.folder_for(township.id)
    if form.validate_on_submit():
        try:
            item = _save(form, township, None)
        except ServiceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("已提交审核，视频正在后台转码。") if form.save_submit.data
                  else _("草稿已保存。"), "success")  # fmt: skip
            return redirect(f"/content/video/{item.id}")
    status = _invalid_post_status(form)
    return render_template("admin/video_form.html", **_context(form, township)), status


@bp.route("/content/video/<int:item_id>/edit", methods=["GET", "POST"])
@staff_only(Role.EDITOR)
def video_edit(item_id: int):  # noqa: ANN201
    item = load_item(Kind.VIDEO, item_id)
    if item.withdrawn_at is not None:
        flash(_("该内容已撤回，不能再修改。"), "error")
        return redirect(f"/content/video/{item.id}")
    latest = item.latest
    tz = zone(item.township.timezone)
    initial = data_to_form(SPEC, latest.data)
    initial.update(valid_from=utc_to_local(latest.valid_from, tz), priority=latest.priority,
                   valid_until=utc_to_local(latest.valid_until, tz))  # fmt: skip
    form = SPEC.form(data=initial)
    form.video_folder = videos.folder_for(item.township_id)
    form.has_video = bool(latest.data.get("video"))
    if form.validate_on_submit():
        try:
            _save(form, item.township, item)
        except ServiceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("已保存并提交审核。") if form.save_submit.data else _("已保存（草稿）。"),
                  "success")  # fmt: skip
            return redirect(f"/content/video/{item.id}")
    status = _invalid_post_status(form)
    context = _context(form, item.township, item)
    context["makes_new_version"] = latest.state in (VersionState.APPROVED,
                                                    VersionState.SUPERSEDED)  # fmt: skip
    context["current_video"] = latest.data.get("video")
    return render_template("admin/video_form.html", **context), status


def _video_item(kind: str, item_id: int) -> ContentItem:
    """A video item the user may see (any other kind has no clip: not found)."""
    if kind != Kind.VIDEO:
        abort(404)
    return load_item(kind, item_id)


def _version(item: ContentItem, number: int) -> ContentVersion:
    version = next((v for v in item.versions if v.number == number), None)
    if version is None or not (version.data or {}).get("video"):
        abort(404)
    return version


@bp.app_template_global("video_clips")
def clip_rows(item: ContentItem, version: ContentVersion) -> list[dict[str, Any]]:
    """The version's clip on each of the township's channels (see the video panel)."""
    from publisher.jobs.pipeline import channels_of

    return videos.clip_status(version.data, channels_of(item.township_id))


@bp.route("/content/<kind>/<int:item_id>/versions/<int:number>/clip.mp4")
@staff_only()
def video_clip(kind: str, item_id: int, number: int):  # noqa: ANN201
    """The transcoded clip as it will air, for the reviewer's ``<video>`` (range requests
    work: ``conditional``); 404 until the transcode has finished."""
    item = _video_item(kind, item_id)
    version = _version(item, number)
    ready = [r["clip"] for r in clip_rows(item, version) if r["clip"]]
    copy = ready[0].review_copy if ready else None
    if copy is None or not Path(copy).is_file():
        abort(404)
    response = send_file(copy, mimetype="video/mp4", conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/content/<kind>/<int:item_id>/versions/<int:number>/progress")
@staff_only()
def video_progress(kind: str, item_id: int, number: int):  # noqa: ANN201
    """The transcode's state per channel, for the item page to poll."""
    item = _video_item(kind, item_id)
    version = _version(item, number)
    rows = clip_rows(item, version)
    return jsonify([{"channel": r["channel"].name, "ready": bool(r["clip"]),
                     "seconds": r["clip"].duration_s if r["clip"] else None,
                     "progress": r["progress"]} for r in rows])  # fmt: skip
