"""Organisation admin pages: townships (county admin), villages and channels (admins).

Accounts (:mod:`publisher.people.accounts`) and channel schedules
(:mod:`publisher.people.schedule`) are on the same nested blueprint, ``org_bp``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from playlists.timezones import DEFAULT_TIMEZONE
from publisher.extensions import db
from publisher.models import Channel, Township, Village
from publisher.people import org_bp as bp
from publisher.people.common import (
    FormErrors,
    admin_required,
    county_admin_required,
    done,
    refused,
    scoped_or_404,
    selected_township,
    townships,
)
from publisher.services import org as service
from publisher.services.errors import ServiceError
from publisher.services.photos import save_logo

LOGO_DIR = "logos"


@bp.route("/")
@admin_required
def index():  # noqa: ANN201
    return redirect("/org/townships" if current_user.is_county_admin else "/org/villages")


def _edit(template: str, obj: Any, values: dict[str, Any], clean: Callable[[dict], dict],
          save: Callable[[dict], Any], back: str, **context: Any):  # noqa: ANN202
    """The GET/POST cycle every organisation form shares: clean, save, or show errors."""
    errors, status = FormErrors(), 200
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            saved = save(clean(values))
            return done(_("已保存“%(name)s”。", name=saved.name), back)
        except ServiceError as exc:
            db.session.rollback()
            errors.take(exc)
            status = 400
    return render_template(template, obj=obj, values=values, errors=errors, **context), status


def _fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names} if obj is not None else {}


# ---- townships (county administrator) --------------------------------------------------

TOWNSHIP_FIELDS = ("name", "county", "timezone", "self_approval", "checkin_deadline_hour",
                   "duty_phone")


@bp.route("/townships")
@county_admin_required
def township_list():  # noqa: ANN201
    return render_template("people/org/townships.html", townships=townships())


@bp.route("/townships/new", methods=["GET", "POST"])
@bp.route("/townships/<int:township_id>/edit", methods=["GET", "POST"])
@county_admin_required
def township_edit(township_id: int | None = None):  # noqa: ANN201
    township = db.session.get(Township, township_id) if township_id else None
    if township_id and township is None:
        abort(404)
    values = _fields(township, TOWNSHIP_FIELDS) or {"timezone": DEFAULT_TIMEZONE,
                                                     "checkin_deadline_hour": 9}
    return _edit("people/org/township_form.html", township, values, service.clean_township,
                 lambda f: service.save_township(current_user, f, township), "/org/townships")


# ---- villages ---------------------------------------------------------------------------


@bp.route("/villages")
@admin_required
def village_list():  # noqa: ANN201
    township = selected_township()
    return render_template("people/org/villages.html", township=township,
                           villages=township.villages, townships=townships())


@bp.route("/villages/new", methods=["GET", "POST"])
@bp.route("/villages/<int:village_id>/edit", methods=["GET", "POST"])
@admin_required
def village_edit(village_id: int | None = None):  # noqa: ANN201
    village = scoped_or_404(Village, village_id) if village_id else None
    township = village.township if village else selected_township()
    return _edit("people/org/village_form.html", village,
                 _fields(village, ("name", "kind", "lat", "lon")) or {"kind": "村"},
                 service.clean_village,
                 lambda f: service.save_village(current_user, township.id, f, village),
                 f"/org/villages?township_id={township.id}", township=township,
                 kinds=service.VILLAGE_KINDS)


@bp.route("/villages/<int:village_id>/delete", methods=["POST"])
@admin_required
def village_delete(village_id: int):  # noqa: ANN201
    village = scoped_or_404(Village, village_id)
    back, name = f"/org/villages?township_id={village.township_id}", village.name
    try:
        service.delete_village(current_user, village)
    except ServiceError as exc:
        db.session.rollback()
        return refused(exc, back)
    return done(_("已删除“%(name)s”。", name=name), back)


# ---- channels ---------------------------------------------------------------------------

CHANNEL_FIELDS = ("slug", "name", "group", "profile", "primary_colour", "accent_colour",
                  "udp_url", "udp_paused", "udp_muxrate_kbps", "udp_provider",
                  "reading_pace", "narration", "enabled", "timezone")


@bp.route("/channels")
@admin_required
def channel_list():  # noqa: ANN201
    township = selected_township()
    channels = db.session.scalars(select(Channel).where(Channel.township_id == township.id)
                                  .order_by(Channel.slug))
    return render_template("people/org/channels.html", township=township,
                           channels=list(channels), townships=townships())


def _save_channel(township_id: int, channel: Channel | None, fields: dict) -> Channel:
    upload = request.files.get("logo")
    logo = None
    if upload is not None and upload.filename:
        logo = f"{LOGO_DIR}/{save_logo(upload, current_app.config['UPLOAD_DIR'] / LOGO_DIR).name}"
    elif request.form.get("remove_logo"):
        logo = ""
    try:
        return service.save_channel(current_user, township_id, fields, channel, logo_path=logo)
    except ServiceError:
        if logo:
            (current_app.config["UPLOAD_DIR"] / logo).unlink(missing_ok=True)
        raise


@bp.route("/channels/new", methods=["GET", "POST"])
@bp.route("/channels/<int:channel_id>/edit", methods=["GET", "POST"])
@admin_required
def channel_edit(channel_id: int | None = None):  # noqa: ANN201
    channel = scoped_or_404(Channel, channel_id) if channel_id else None
    township = channel.township if channel else selected_township()
    values = _fields(channel, CHANNEL_FIELDS) or {
        "profile": "720p", "primary_colour": "#0B3D5C", "accent_colour": "#F2C14E",
        "reading_pace": 3.0, "narration": True, "enabled": True, "group": "乡村频道"}
    if values.get("udp_muxrate_kbps") == 0:
        values = {**values, "udp_muxrate_kbps": ""}  # empty: the profile's default
    return _edit("people/org/channel_form.html", channel, values, service.clean_channel,
                 lambda f: _save_channel(township.id, channel, f),
                 f"/org/channels?township_id={township.id}", township=township,
                 profiles=service.CHANNEL_PROFILES)


@bp.route("/channels/<int:channel_id>/logo")
@admin_required
def channel_logo(channel_id: int):  # noqa: ANN201
    channel = scoped_or_404(Channel, channel_id)
    if not channel.logo_path:
        abort(404)
    path = Path(channel.logo_path)
    return send_from_directory(current_app.config["UPLOAD_DIR"] / path.parent, path.name)


from publisher.people import accounts, schedule  # noqa: E402, F401  (their views attach to ``bp``)
