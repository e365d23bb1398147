"""Cadres and duty assignments: list, search, create, edit, deactivate, photo."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, render_template, request, send_from_directory
from flask_babel import gettext as _
from flask_login import current_user, login_required

from publisher.extensions import db
from publisher.models import Cadre, Role
from publisher.people import bp
from publisher.people.common import (
    STAFF,
    FormErrors,
    done,
    form_dict,
    refused,
    roles_required,
    scoped_or_404,
    selected_township,
    townships,
)
from publisher.services import cadres as service
from publisher.services import roster_review
from publisher.services.errors import ServiceError
from publisher.services.photos import save_photo

PHOTO_DIR = "cadres"  # under UPLOAD_DIR; Cadre.photo_path is relative to UPLOAD_DIR


@bp.route("/cadres")
@roles_required(*STAFF)
def cadres():  # noqa: ANN201
    township = selected_township()
    q = request.args.get("q", "")
    show_inactive = request.args.get("inactive") == "1"
    rows = service.list_cadres(township.id, q=q, include_inactive=show_inactive)
    return render_template("people/cadres.html", township=township, cadres=rows, q=q,
                           show_inactive=show_inactive, townships=townships(),
                           can_edit=current_user.can(Role.EDITOR),
                           roster_pending=roster_review.pending(township.id))


def _values(cadre: Cadre | None) -> dict:
    if cadre is None:
        return {"sort_order": 100, "active": True, "village_ids": []}
    return {"name": cadre.name, "post": cadre.post, "responsibilities": cadre.responsibilities,
            "phone": cadre.phone, "office_phone": cadre.office_phone,
            "sort_order": cadre.sort_order, "active": cadre.active,
            "village_ids": [v.id for v in cadre.villages], "user_id": cadre.user_id}


def _store_photo() -> str | None:
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return "" if request.form.get("remove_photo") else None
    saved = save_photo(upload, current_app.config["UPLOAD_DIR"] / PHOTO_DIR)
    return f"{PHOTO_DIR}/{saved.name}"


def _form(cadre: Cadre | None):  # noqa: ANN202
    township = cadre.township if cadre else selected_township()
    errors = FormErrors()
    values = _values(cadre)
    status = 200
    if request.method == "POST":
        values = form_dict()
        values["active"] = bool(request.form.get("active"))
        photo = None
        try:
            fields = service.clean_cadre(values)
            photo = _store_photo()
            saved = service.save_cadre(current_user, township.id, fields, cadre,
                                       photo_path=photo)
            return done(_("已保存干部“%(name)s”。", name=saved.name),
                        f"/cadres?township_id={township.id}")
        except ServiceError as exc:
            db.session.rollback()
            if photo:  # stored, but the cadre was not saved: do not leave it behind
                (current_app.config["UPLOAD_DIR"] / photo).unlink(missing_ok=True)
            errors.take(exc)
            status = 400
        values["village_ids"] = [int(v) for v in values.get("village_ids", []) if v.isdecimal()]
    covered = set(values.get("village_ids") or [])
    return render_template("people/cadre_form.html", cadre=cadre, township=township,
                           values=values, errors=errors, covered=covered,
                           users=service.linkable_users(township.id, cadre)), status


@bp.route("/cadres/new", methods=["GET", "POST"])
@roles_required(Role.EDITOR)
def cadre_new():  # noqa: ANN201
    return _form(None)


@bp.route("/cadres/<int:cadre_id>/edit", methods=["GET", "POST"])
@roles_required(Role.EDITOR)
def cadre_edit(cadre_id: int):  # noqa: ANN201
    return _form(scoped_or_404(Cadre, cadre_id))


@bp.route("/cadres/<int:cadre_id>/active", methods=["POST"])
@roles_required(Role.EDITOR)
def cadre_active(cadre_id: int):  # noqa: ANN201
    cadre = scoped_or_404(Cadre, cadre_id)
    active = request.form.get("active") == "1"
    back = f"/cadres?township_id={cadre.township_id}"
    try:
        service.set_cadre_active(current_user, cadre, active)
    except ServiceError as exc:
        db.session.rollback()
        return refused(exc, back)
    message = _("已恢复干部“%(n)s”。", n=cadre.name) if active else _(
        "已停用干部“%(n)s”，其记录保留。", n=cadre.name)
    return done(message, back)


@bp.route("/cadres/<int:cadre_id>/photo")
@login_required
def cadre_photo(cadre_id: int):  # noqa: ANN201
    cadre = scoped_or_404(Cadre, cadre_id)
    if not cadre.photo_path:
        abort(404)
    path = Path(cadre.photo_path)
    return send_from_directory(current_app.config["UPLOAD_DIR"] / path.parent, path.name,
                               max_age=3600)
